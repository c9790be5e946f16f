"""`smoke accounts check`: does every account's secret resolve? Nothing is logged in to.

One unset `${VAR}` would stop the whole environment from loading, so account passwords' variables
are checked first, one account at a time, and stand-ins let the rest of the file load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prodsmoke.accounts.credentials import resolve_password
from prodsmoke.accounts.sources import describe_source
from prodsmoke.config.interpolate import MissingVariable, resolve
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
        password = spec.get("password") if isinstance(spec, dict) else None
        if not isinstance(password, str):
            continue
        names = _VARIABLE.findall(password)
        sources[name] = "env " + ", ".join(f"${v}" for v in names) if names else "config file"
        missing: list[MissingVariable] = []
        resolve(password, environ, missing, f"accounts.{name}.password")
        if missing:
            unset[name] = missing[0].problem
            stand_ins.update({v: _STAND_IN for v in names if not environ.get(v)})
    settings = load_settings(config_dir, env, environ={**environ, **stand_ins})
    checks = []
    for name, account in settings.accounts.items():
        source = sources.get(name) or describe_source(account.password)
        problem = unset.get(name)
        if problem is None:
            problem = _resolution_problem(name, account, environ)
        checks.append(AccountCheck(env, name, account.username, source, problem))
    return checks


def _resolution_problem(name: str, account: Account, environ: Mapping[str, str]) -> str | None:
    try:
        resolve_password(name, account, environ)
    except AccountError as exc:
        return str(exc).removeprefix(f"account {name!r}: ")
    return None
