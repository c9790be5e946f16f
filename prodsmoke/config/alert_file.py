"""`alert-rules.yaml` as a whole: one environment, several, or rules for whichever is named.

    env: production          # (1) one environment: the keys of AlertRules at the top level
    rules: [...]

    defaults: {...}          # (2) several: each environment's keys, merged over `defaults`
    environments:            #     (top-level keys: an environment's own replace the default's)
      production: {rules: [...]}
      staging: {missing_data: ignore}

    rules: [...]             # (3) no env: the rules apply to whichever environment is named

An absent file means no rules for any environment. `smoke gate --env E` names its environment;
`smoke alerts` acts on every environment the file names, and refuses to guess one for forms (3)
and absent (it used to assume `production`, which made a staging setup create production
dashboards): `--env NAME` says which.

Each environment is checked against what its `environments/<env>.yaml` measures (the `Catalog`):
a rule naming an unknown check, step or metric is a one-line error listing what exists, and
`check_kind:` is resolved into the check ids it covers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from prodsmoke.config.alert_rules import ALERT_RULES_FILE, AlertRules, Rule
from prodsmoke.config.catalog import (
    JOURNEY_METRIC,
    STEP_METRIC,
    Catalog,
    environment_catalog,
)
from prodsmoke.config.loader import validation_error
from prodsmoke.config.maintenance import MaintenanceWindow
from prodsmoke.config.monitoring import read_mapping
from prodsmoke.errors import ConfigError

if TYPE_CHECKING:
    from prodsmoke.config.monitoring import Monitoring

ENV_KEYS = frozenset(AlertRules.model_fields) - {"env"}
_WINDOWS = TypeAdapter(tuple[MaintenanceWindow, ...])
NO_ENV = (
    "the file names no environment, and smoke alerts will not guess one: add 'env: NAME' "
    "(or an environments: mapping), or pass --env NAME"
)


@dataclass(frozen=True)
class AlertRulesFile:
    """The validated file: the environments it names, or rules for whichever is asked for."""

    path: Path
    config_dir: Path
    monitoring: Monitoring
    environments: Mapping[str, AlertRules]
    template: Mapping[str, Any] | None = None  # forms (3) and absent: validated per environment
    multi: bool = False
    own_keys: Mapping[str, frozenset[str]] = field(default_factory=dict)  # form (2): per env
    _cache: dict[str, AlertRules] = field(default_factory=dict, compare=False, repr=False)

    def key_path(self, env: str) -> Callable[[str], str]:
        """How a key path of `env`'s rules is written in the file, for one-line errors."""
        if not self.multi:
            return _Prefix("", None)
        return _Prefix(f"environments.{env}.", self.own_keys.get(env, frozenset()))

    @property
    def names(self) -> tuple[str, ...]:
        """The environments the file names (none for forms (3) and absent)."""
        return tuple(self.environments)

    def for_env(self, name: str) -> AlertRules:
        """One environment's `AlertRules`; a config error when the file has none for it."""
        if name in self.environments:
            return self.environments[name]
        if self.template is None:
            names = ", ".join(self.environments)
            if self.multi:
                problem = f"no alert rules for environment {name!r}; the file has: {names}"
            else:
                problem = (
                    f"no alert rules for environment {name!r}: the file is for {names} only "
                    "(to hold both, list them under environments:)"
                )
            raise ConfigError(str(self.path), "environments" if self.multi else "env", problem)
        if name not in self._cache:
            self._cache[name] = _environment(self, name, self.template, {}, "")
        return self._cache[name]

    def selected(self, env: str | None) -> list[AlertRules]:
        """What `smoke alerts` acts on: `env`, else every environment the file names."""
        if env is not None:
            return [self.for_env(env)]
        if not self.environments:
            path = str(self.path) if self.path.is_file() else f"{self.path} (absent)"
            raise ConfigError(path, "env" if self.path.is_file() else "", NO_ENV)
        return list(self.environments.values())


def load_alert_rules(
    config_dir: Path, monitoring: Monitoring, *, environ: Mapping[str, str] | None = None
) -> AlertRulesFile:
    """`alert-rules.yaml`, read, `${VAR}` resolved, every environment it names validated;
    `.for_env(name)` gives one environment's `AlertRules`."""
    path = config_dir / ALERT_RULES_FILE
    base = AlertRulesFile(path, config_dir, monitoring, {}, template={})
    if not path.is_file():
        return base
    raw = read_mapping(path, environ)
    if "environments" not in raw:
        if "defaults" in raw:
            raise ConfigError(
                str(path), "defaults", "goes with environments:; add them, or drop it"
            )
        name = raw.pop("env", None)
        if name is None:  # form (3): schema now, the rest per environment asked for
            _validate(base, {**raw, "env": "any"}, _Prefix("", None))
            return AlertRulesFile(path, config_dir, monitoring, {}, template=raw)
        return AlertRulesFile(path, config_dir, monitoring, {name: _environment(base, name, raw)})
    return _several(base, raw)


def _several(base: AlertRulesFile, raw: dict[str, Any]) -> AlertRulesFile:
    file = str(base.path)
    for key in raw:
        if key in ENV_KEYS or key == "env":
            raise ConfigError(
                file, key, "with environments:, put it under defaults: or under an environment"
            )
        if key not in ("environments", "defaults"):
            raise ConfigError(file, key, "unknown key; expected environments and defaults")
    envs, defaults = raw["environments"], raw.get("defaults") or {}
    if not isinstance(envs, dict) or not envs:
        raise ConfigError(file, "environments", "expected a mapping of environment name -> keys")
    if not isinstance(defaults, dict):
        raise ConfigError(file, "defaults", "expected a mapping of keys")
    out: dict[str, AlertRules] = {}
    own: dict[str, frozenset[str]] = {}
    for name, given in envs.items():
        where = f"environments.{name}"
        if not isinstance(name, str) or not _is_env_name(name):
            problem = f"got {name!r}, expected an environment name like staging"
            raise ConfigError(file, where, problem)
        keys = {} if given is None else given
        if not isinstance(keys, dict):
            raise ConfigError(file, where, "expected a mapping of keys, e.g. {rules: [...]}")
        if keys.get("env", name) != name:
            raise ConfigError(file, f"{where}.env", "the environment's name is its key; drop env")
        body = {k: v for k, v in keys.items() if k != "env"}
        own[name] = frozenset(body)
        out[name] = _environment(base, name, {**defaults, **body}, body, f"{where}.")
    return AlertRulesFile(
        base.path, base.config_dir, base.monitoring, out, multi=True, own_keys=own
    )


def _is_env_name(name: str) -> bool:
    return re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", name) is not None


def _environment(
    base: AlertRulesFile,
    name: str,
    raw: Mapping[str, Any],
    own: Collection[str] | None = None,
    where: str = "",
) -> AlertRules:
    """Validate one environment's keys, then hold them to what it measures."""
    prefix = _Prefix(where, own)
    rules = _validate(base, {**raw, "env": name}, prefix)
    catalog = environment_catalog(base.config_dir, name)
    return _against(rules, catalog, str(base.path), base.monitoring.metric_prefix, prefix)


class _Prefix:
    """Key paths as the author wrote them: `environments.E.x`, `defaults.x`, or `x`."""

    def __init__(self, where: str, own: Collection[str] | None) -> None:
        self.where, self.own = where, own

    def __call__(self, path: str) -> str:
        if not self.where:
            return path
        top = path.split(".", 1)[0].split("[", 1)[0]
        if self.own is not None and top not in self.own and top:
            return f"defaults.{path}"
        return f"{self.where}{path}" if path else self.where.rstrip(".")


def _validate(base: AlertRulesFile, raw: dict[str, Any], at: _Prefix) -> AlertRules:
    try:
        return AlertRules.model_validate(raw)
    except ValidationError as exc:
        error = validation_error(str(base.path), exc, AlertRules)
        raise ConfigError(error.file, at(error.path), error.problem) from None


def hold_to_catalog(
    rules: AlertRules,
    catalog: Catalog,
    *,
    metric_prefix: str = "smoke_test",
    file: str = ALERT_RULES_FILE,
) -> AlertRules:
    """`rules` held to `catalog`, `check_kind` resolved: what loading does for each environment
    with the catalog of its environment file, for a caller that has a catalog of its own."""
    return _against(rules, catalog, file, metric_prefix, _Prefix("", None))


def _against(
    rules: AlertRules, catalog: Catalog, file: str, metric_prefix: str, at: _Prefix
) -> AlertRules:
    """Every name a rule, SLO or setting uses must exist; resolve `check_kind` into ids."""
    names = _Names(rules, catalog, file, metric_prefix, at)
    names.checks("critical_journeys", rules.critical_journeys, ("journey",))
    if catalog.known:  # without an environment file, `checks:` is taken as written
        names.checks("checks", rules.checks)
    names.checks("uptime.checks", rules.uptime.checks, ("health", "api"))
    if rules.rollback.critical_journey_failing and not rules.critical_journeys:
        raise names.fail(
            "rollback.critical_journey_failing", "list the journeys under critical_journeys:"
        )
    seen: set[str] = set()
    resolved: list[Rule] = []
    for i, rule in enumerate(rules.rules):
        if rule.id in seen:
            raise names.fail(f"rules[{i}].id", f"duplicate rule id {rule.id!r}")
        seen.add(rule.id)
        resolved.append(names.rule(rule, f"rules[{i}]"))
    for name in rules.slos.latency_p95_ms:
        names.metric(f"slos.latency_p95_ms.{name}", name)
    for j, slo in enumerate(rules.slos.latency):
        where = f"slos.latency[{j}]"
        names.metric(f"{where}.metric", slo.metric)
        names.checks(f"{where}.check", slo.check)
        names.journey_parts(where, slo.metric, slo.check, slo.step, slo.page)
    update: dict[str, Any] = {"rules": tuple(resolved)}
    if not rules.checks and catalog.known:
        update["checks"] = tuple(catalog.checks)
    return rules.model_copy(update=update)


class _Names:
    """Holds one environment's rules to its catalog; errors name the key as written."""

    def __init__(
        self, rules: AlertRules, catalog: Catalog, file: str, prefix: str, at: _Prefix
    ) -> None:
        self.rules, self.catalog, self.file, self.prefix, self.at = (
            rules,
            catalog,
            file,
            prefix,
            at,
        )
        self.env_file = f"environments/{rules.env}.yaml"

    def fail(self, path: str, problem: str) -> ConfigError:
        return ConfigError(self.file, self.at(path), problem)

    def metric(self, path: str, name: str) -> None:
        if problem := self.catalog.metric_problem(name, self.prefix):
            raise self.fail(path, problem)

    def checks(self, path: str, ids: tuple[str, ...], kinds: tuple[str, ...] = ()) -> None:
        for i, check_id in enumerate(ids):
            spot = f"{path}[{i}]" if len(ids) > 1 else path
            if problem := self.catalog.check_problem(check_id):
                raise self.fail(spot, problem)
            kind = self.catalog.checks[check_id]
            if kinds and kind not in kinds:
                expected = " or ".join(kinds)
                raise self.fail(spot, f"{check_id!r} is a {kind} check; expected a {expected}")

    def rule(self, rule: Rule, where: str) -> Rule:
        """The rule with `check_kind` resolved into the check ids it covers."""
        if rule.metric:
            self.metric(f"{where}.metric", rule.metric)
        self.checks(f"{where}.check", rule.check)
        ids = rule.check
        if rule.check_kind == "critical_journey":
            ids = self.rules.critical_journeys
            if not ids:
                raise self.fail(f"{where}.check_kind", "list the journeys under critical_journeys:")
        elif rule.check_kind and not self.catalog.known:
            raise self.fail(f"{where}.check_kind", f"cannot be resolved: no {self.env_file}")
        elif rule.check_kind:
            ids = self.catalog.of_kind(rule.check_kind)
            if not ids:
                problem = f"{self.env_file} has no {rule.check_kind} checks"
                raise self.fail(f"{where}.check_kind", problem)
        self.journey_parts(where, rule.metric or "", ids, rule.step, rule.page)
        return rule.model_copy(update={"check": ids}) if ids != rule.check else rule

    def journey_parts(
        self, where: str, metric: str, ids: tuple[str, ...], step: str | None, page: str | None
    ) -> None:
        """Step, custom and Web Vitals metrics come from journeys; a step must be theirs."""
        suffix = metric.removeprefix(self.prefix + ".")
        journey_only = suffix == STEP_METRIC or suffix.startswith((JOURNEY_METRIC, "web_vitals."))
        for check_id in ids if journey_only and self.catalog.known else ():
            kind = self.catalog.checks.get(check_id)
            if kind != "journey":
                wrong = f"{metric} comes from journeys; {check_id!r} is a {kind} check"
                raise self.fail(f"{where}.check", wrong)
        problem = self.catalog.step_problem(ids[0], step) if step and len(ids) == 1 else None
        if problem:
            raise self.fail(f"{where}.step", problem)
        if page is not None and not page.startswith("/"):
            wrong = f"got {page!r}, expected a path starting with /, e.g. /pricing"
            raise self.fail(f"{where}.page", wrong)


def maintenance_windows(
    config_dir: Path, env: str, *, environ: Mapping[str, str] | None = None
) -> tuple[MaintenanceWindow, ...]:
    """What a run of `env` needs from alert-rules.yaml: its recurring maintenance windows.

    Only those entries are read and validated (a mistake in them is a `ConfigError`, before
    anything is sent); the rest of the file — other environments' rules, monitors, SLOs — is
    `smoke alerts`' and the gate's, and never stops a run (`problem_in_whole`).
    """
    import os

    from prodsmoke.config.interpolate import resolve
    from prodsmoke.config.yamlfile import read_yaml

    path = config_dir / ALERT_RULES_FILE
    if not path.is_file():
        return ()
    raw: Any = read_yaml(path)
    if not isinstance(raw, dict):
        return ()
    key, given = _maintenance_entry(raw, env)
    if given is None:
        return ()
    missing: list[Any] = []
    given = resolve(given, os.environ if environ is None else environ, missing)
    if missing:
        raise ConfigError(str(path), f"{key}{missing[0].path}", missing[0].problem)
    try:
        return _WINDOWS.validate_python(given)
    except ValidationError as exc:
        error = validation_error(str(path), exc, AlertRules)
        inner = error.path.removeprefix("[").split("]", 1)
        at = f"{key}[{inner[0]}]{inner[1] if len(inner) > 1 else ''}" if error.path else key
        raise ConfigError(error.file, at, error.problem) from None


def _maintenance_entry(raw: Mapping[str, Any], env: str) -> tuple[str, Any]:
    """(key path, value) of `env`'s `maintenance:` in any of the file's three forms."""
    if isinstance(raw.get("environments"), dict):
        own = raw["environments"].get(env)
        if isinstance(own, dict) and "maintenance" in own:
            return f"environments.{env}.maintenance", own["maintenance"]
        defaults = raw.get("defaults")
        if isinstance(own, dict) and isinstance(defaults, dict) and "maintenance" in defaults:
            return "defaults.maintenance", defaults["maintenance"]
        return "", None
    if raw.get("env") not in (None, env):
        return "", None
    return "maintenance", raw.get("maintenance")


def problem_in_whole(
    config_dir: Path, monitoring: Monitoring, *, environ: Mapping[str, str] | None = None
) -> str | None:
    """The first mistake anywhere in alert-rules.yaml, in one line, or None: a run warns with it
    (it does not need those parts), `smoke alerts` and the gate stop on it."""
    try:
        load_alert_rules(config_dir, monitoring, environ=environ)
    except ConfigError as exc:
        return str(exc)
    return None
