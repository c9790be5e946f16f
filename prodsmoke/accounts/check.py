"""`smoke accounts check`: does every account's secret resolve (its password, TOTP secret and
passkey)? Nothing is logged in to.

One unset `${VAR}` would stop the whole environment from loading, so account passwords' variables
are checked first, one account at a time, and stand-ins let the rest of the file load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prodsmoke.accounts.credentials import resolve_password
from prodsmoke.accounts.sources import describe_source
from prodsmoke.config.interpolate import PLACEHOLDER, MissingVariable, resolve
from prodsmoke.config.loader import environment_file, load_settings, read_yaml
from prodsmoke.errors import AccountError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from prodsmoke.config.models import Account

_VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
_STAND_IN = "unset-variable-stand-in"


@dataclass(frozen=True, slots=True)
class AccountCheck:
    """One account's verdict: where its secret comes from, and why it does not resolve."""

    env: str
    name: str
    username: str
    source: str
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """True when the secret resolved."""
        return self.problem is None


def check_environment(config_dir: Path, env: str, environ: Mapping[str, str]) -> list[AccountCheck]:
    """Resolve every account of `env` (raises `ConfigError` when the file itself is wrong)."""
    raw = read_yaml(environment_file(config_dir, env))
    raw_accounts = raw.get("accounts") if isinstance(raw, dict) else None
    sources: dict[str, str] = {}
    unset: dict[str, str] = {}
    stand_ins: dict[str, str] = {}
    for name, spec in (raw_accounts if isinstance(raw_accounts, dict) else {}).items():
        if not isinstance(spec, dict):
            continue
        for key, text in _secret_texts(spec):
            names = _VARIABLE.findall(text)
            if key == "password":
                sources[name] = (
                    "env " + ", ".join(f"${v}" for v in names) if names else "config file"
                )
            missing: list[MissingVariable] = []
            resolve(text, environ, missing, f"accounts.{name}.{key}")
            if missing:
                said = missing[0].problem
                unset.setdefault(name, said if key == "password" else f"{key}: {said}")
                # A TOTP secret's or passkey's stand-in is the placeholder their form checks skip.
                stand_in = _STAND_IN if key == "password" else PLACEHOLDER
                stand_ins.update({v: stand_in for v in names if not environ.get(v)})
    settings = load_settings(config_dir, env, environ={**environ, **stand_ins})
    checks = []
    for name, account in settings.accounts.items():
        source = sources.get(name) or describe_source(account.password)
        problem = unset.get(name)
        if problem is None:
            problem = _resolution_problem(name, account, environ)
        checks.append(AccountCheck(env, name, account.username, source, problem))
    return checks


def _secret_texts(spec: dict[str, object]) -> list[tuple[str, str]]:
    """(key path, text) of an account's `${VAR}` secrets: password, totp.secret, passkey."""
    totp = spec.get("totp")
    found = [
        ("password", spec.get("password")),
        ("totp.secret", totp.get("secret") if isinstance(totp, dict) else None),
        ("passkey", spec.get("passkey")),
    ]
    return [(key, text) for key, text in found if isinstance(text, str)]


def _resolution_problem(name: str, account: Account, environ: Mapping[str, str]) -> str | None:
    try:
        resolve_password(name, account, environ)
    except AccountError as exc:
        return str(exc).removeprefix(f"account {name!r}: ")
    return None
