"""Read `environments/<env>.yaml`, resolve `${VAR}`, validate into `Settings`.

Every problem becomes one `ConfigError` line: file, key path, the bad value, the expected form,
and a "did you mean" for misspelt keys. Nothing downstream ever sees an unvalidated value.
"""

from __future__ import annotations

import base64
import difflib
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, SecretStr, ValidationError

from prodsmoke import redact
from prodsmoke.config import kinds
from prodsmoke.config.interpolate import MissingVariable, resolve
from prodsmoke.config.kinds.steps import ACCOUNT_REF
from prodsmoke.config.models import Settings
from prodsmoke.config.yamlfile import read_yaml, read_yaml_documents
from prodsmoke.errors import ConfigError

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo

# What a pydantic error type means, in the words of a YAML author.
_EXPECTED = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "a string",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


__all__ = [
    "available_environments",
    "environment_file",
    "load_settings",
    "read_yaml",
    "read_yaml_documents",
    "validation_error",
]

_URL_PASSWORD = re.compile(r"(://[^/@:\s]*:)[^/@\s]*@")
SHOWN_CHARS = 60  # of a bad value, in an error
_SECRET_KEYS = frozenset({"password", "token", "secret", "api_key", "app_key", "passkey"})


_CONSTRAINTS = frozenset(
    {
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "string_pattern_mismatch",
        "string_too_short",
        "string_too_long",
        "too_short",
        "too_long",
    }
)


def environment_file(config_dir: Path, env: str) -> Path:
    """Where environment `env` lives under `config_dir`."""
    return config_dir / "environments" / f"{env}.yaml"


def available_environments(config_dir: Path) -> list[str]:
    """The environment names that have a file under `config_dir`."""
    return sorted(p.stem for p in (config_dir / "environments").glob("*.yaml"))


def load_settings(
    config_dir: Path,
    env: str,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Load and validate one environment; register its secrets with the redactor."""
    file = environment_file(config_dir, env)
    if not file.is_file():
        known = ", ".join(available_environments(config_dir)) or "none"
        raise ConfigError(str(file), "", f"no such environment file; environments here: {known}")
    raw = read_yaml(file)
    if not isinstance(raw, dict):
        raise ConfigError(
            str(file), "", "expected a mapping of keys at the top level, e.g. 'name: demo'"
        )
    raw.setdefault("name", env)
    if raw["name"] != env:
        raise ConfigError(
            str(file),
            "name",
            f"got {raw['name']!r}, expected {env!r} (the file's name) or no name key",
        )
    # Structure first (a misspelt key matters more than an unset variable), then variables.
    missing: list[MissingVariable] = []
    raw = resolve(raw, os.environ if environ is None else environ, missing)
    raw.update(overrides or {})
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        error = validation_error(str(file), exc)
        unresolved = next((m for m in missing if error.path.startswith(m.path)), None)
        if unresolved is not None:
            raise ConfigError(str(file), unresolved.path, unresolved.problem) from None
        raise error from None
    if missing:
        raise ConfigError(str(file), missing[0].path, missing[0].problem)
    _check_references(str(file), settings)
    paths = _journey_paths(config_dir, str(file), settings.journey_paths)
    settings = settings.model_copy(update={"journey_paths": paths}).loaded_from(str(file))
    for secret in _secret_values(settings):
        redact.register_secret(secret)
    if settings.http_credentials is not None:  # as an Authorization header would carry it
        credentials = settings.http_credentials
        pair = f"{credentials.username}:{credentials.password.get_secret_value()}"
        redact.register_secret(base64.b64encode(pair.encode()).decode())
    return settings


def validation_error(  # noqa: PLR0911 - one return per kind of mistake, each worded for it
    file: str, exc: ValidationError, root: type[BaseModel] = Settings
) -> ConfigError:
    """The first of pydantic's errors as one line: key path, bad value, expected form.

    A misspelt key comes first: it explains the "required key is missing" it causes.
    """
    errors = exc.errors(include_url=False)
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    raw_loc = list(error["loc"])
    prefix: list[str | int] = []
    registered = kinds.SPECS if root is Settings and raw_loc[:1] == ["journeys"] else {}
    if raw_loc[2:3] and raw_loc[2] in registered:
        # journeys.<id>.<kind tag>.<key>: the tag is pydantic's, the key belongs to that kind
        prefix, root, raw_loc = raw_loc[:2], registered[str(raw_loc[2])], raw_loc[3:]
    loc = [part for part in raw_loc if not _is_union_tag(part)]
    in_union = len(loc) != len(raw_loc)
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in [*prefix, *loc]).lstrip(".")
    kind = error["type"]
    if kind == "union_tag_invalid" and registered:
        tag = (error.get("ctx") or {}).get("tag")
        known = ", ".join(registered)
        return ConfigError(file, f"{path}.kind", f"got {tag!r}, expected one of: {known}")
    python = prefix and root.model_fields["kind"].default == "python"
    if kind == "extra_forbidden" and python and len(loc) == 1:  # not a key inside a setting
        where = "".join(f".{p}" for p in prefix).lstrip(".")
        return ConfigError(file, where, _not_a_python_setting(str(prefix[-1]), str(loc[-1]), root))
    if kind == "extra_forbidden":
        return ConfigError(file, path, _unknown_key(loc, root))
    if kind == "missing":
        return ConfigError(file, path, f"required key is missing; expected {_form(loc, root)}")
    secret = any(str(p).lower() in _SECRET_KEYS for p in loc)
    got = "a value (hidden: secret field)" if secret else _shown(error.get("input"))
    if in_union or (kind in _CONSTRAINTS and _form(loc, root) != "a value"):
        # A union branch's complaint would mislead, and "input should be less than 1" says less
        # than the field's own description: say what the key accepts instead.
        return ConfigError(file, path, f"got {got}, expected {_form(loc, root)}")
    if kind in _EXPECTED:
        return ConfigError(file, path, f"got {got}, expected {_EXPECTED[kind]}")
    message = _message(error["msg"])
    if kind == "value_error" and prefix:
        return ConfigError(file, path, message)  # a journey kind's validators say what they got
    joiner = ", " if message.startswith("expected") else ": "
    return ConfigError(file, path, f"got {got}{joiner}{message}")


def _not_a_python_setting(journey_id: str, key: str, spec: type[BaseModel]) -> str:
    hint = kinds.claimed_id_hint(journey_id)
    others = ", ".join(kinds.built_in_kinds())
    settings = ", ".join(k for k in spec.model_fields if k != "kind")
    return (
        f"{hint}{key!r} is not a setting of a Python journey ({settings}), which is what an "
        f"entry with no kind: or steps: is; otherwise add kind: (one of {others}) "
        "or steps: [...]"
    )


def _is_union_tag(part: object) -> bool:
    # pydantic names union branches in the location ("SecretStr", "lax-or-strict[…]",
    # "function-after[…]"); a user never wrote them, so they are left out of the key path.
    return isinstance(part, str) and (part[:1].isupper() or "[" in part or "-" in part)


def _message(msg: str) -> str:
    msg = msg.removeprefix("Value error, ")
    return msg[0].lower() + msg[1:] if msg else msg


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):  # a URL's password is never echoed
        value = _URL_PASSWORD.sub(r"\1***@", value)
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "…"


def _model_at(loc: list[str | int], root: type[BaseModel] = Settings) -> type[BaseModel] | None:
    model: Any = root
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = _field(model.model_fields, part)
        if field is None:
            return model if isinstance(model, type) else None
        model = _inner_model(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _field(fields: Mapping[str, FieldInfo], key: str) -> FieldInfo | None:
    """The field `key` names, by its name or by its alias (as the YAML may spell it)."""
    return fields.get(key) or next((f for f in fields.values() if f.alias == key), None)


def _inner_model(annotation: Any) -> Any:
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _unknown_key(loc: list[str | int], root: type[BaseModel] = Settings) -> str:
    key = str(loc[-1])
    parent = _model_at(loc[:-1], root)
    fields = parent.model_fields if parent else {}
    known = [field.alias or name for name, field in fields.items()]  # as the YAML spells them
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown key {key!r}; did you mean {close[0]!r}?"
    return f"unknown key {key!r}; expected one of: {', '.join(known)}"


def _form(loc: list[str | int], root: type[BaseModel] = Settings) -> str:
    parent = _model_at(loc[:-1], root)
    fields = parent.model_fields if parent else {}
    field = _field(fields, str(loc[-1]))
    if field is not None and field.description:
        return field.description
    return "a value"


def _check_references(file: str, settings: Settings) -> None:
    seen: dict[str, str] = {}
    ids = [(f"health_checks[{i}].id", c.id) for i, c in enumerate(settings.health_checks)]
    ids += [(f"api_checks[{i}].id", c.id) for i, c in enumerate(settings.api_checks)]
    ids += [(f"journeys.{name}", name) for name in settings.journeys]
    for path, check_id in ids:
        if check_id in seen:
            raise ConfigError(
                file, path, f"duplicate check id {check_id!r}; already used at {seen[check_id]}"
            )
        seen[check_id] = path
    for name, spec in settings.journeys.items():
        account = getattr(spec, "account", None)
        if isinstance(account, str) and account not in settings.accounts:
            known = ", ".join(settings.accounts) or "none defined"
            raise ConfigError(
                file,
                f"journeys.{name}.account",
                f"got {account!r}, expected a key under accounts: ({known})",
            )
        lacks_totp = isinstance(account, str) and settings.accounts[account].totp is None
        if lacks_totp and _uses_totp(spec):
            raise ConfigError(
                file,
                f"journeys.{name}",
                f"uses a TOTP code but account {account!r} has no totp: "
                '{secret: "${VAR}"}; add one, or use an account that has it',
            )


def _uses_totp(spec: object) -> bool:
    """A login kind with a `totp:` selector, or steps that fill `${account.totp}`."""
    if getattr(spec, "totp", None) is not None:
        return True
    steps = getattr(spec, "steps", ())
    return any(
        "totp" in ACCOUNT_REF.findall(text)
        for step in steps
        if step.action == "fill" and not isinstance(step.value, str)
        for _, text in step.value
    )


def _journey_paths(config_dir: Path, file: str, given: tuple[str, ...] | None) -> tuple[str, ...]:
    """`journey_paths` as absolute paths; relative ones are from the folder holding config/.

    Unset means `e2e/` beside the config root, when it exists.
    """
    base = config_dir.resolve().parent
    if given is None:
        default = base / "e2e"
        return (str(default),) if default.is_dir() else ()
    paths = []
    for index, text in enumerate(given):
        path = Path(text) if Path(text).is_absolute() else base / text
        if not path.exists():
            raise ConfigError(
                file,
                f"journey_paths[{index}]",
                f"got {text!r}, which does not exist; expected a file or folder of Python "
                f"journeys, relative to {base}",
            )
        paths.append(str(path.resolve()))
    return tuple(paths)


def _secret_values(model: BaseModel) -> Iterator[str]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        values = (
            value.values()
            if isinstance(value, dict)
            else value
            if isinstance(value, tuple)
            else [value]
        )
        for item in values:
            if isinstance(item, SecretStr):
                yield item.get_secret_value()
            elif isinstance(item, BaseModel):
                yield from _secret_values(item)
