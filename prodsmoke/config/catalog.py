"""What one environment can measure: the checks and metric names alert rules and SLOs may name.

`Catalog` is plain data: check id -> kind, the step names of each journey (when they can be known
before a run), and the custom metric names journeys report with `smoke.metric(name, …)`. The one
derivation from configuration is `catalog_from_settings`; everything that validates a rule asks a
`Catalog`, never `Settings`, so a new way of declaring journeys (issue 10: journeys as a mapping of
the kinds of `config.kinds`, Python files, YAML steps) only has to extend that one function.

Metric names (SPEC §7, §11, §13), under the configured prefix (`smoke_test` by default):
`duration success failures homepage_load api_response check.duration retries`, `step.duration`
(tags `check`, `step`), `journey.<m>` for each custom metric `m`, `web_vitals.<v>` for `ttfb_ms
fcp_ms lcp_ms cls inp_ms requests transfer_bytes` (tags `check`, `page`).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from prodsmoke.config.journey_files import scan
from prodsmoke.config.monitoring import METRICS
from prodsmoke.config.vitals import VITALS

if TYPE_CHECKING:
    from prodsmoke.config.models import Settings

Kind = Literal["health", "api", "journey"]
STEP_METRIC = "step.duration"
JOURNEY_METRIC = "journey."
_PLACEHOLDER = "https://unset-variable.invalid"  # what `smoke alerts` never needs (a valid URL)


@dataclass(frozen=True, slots=True)
class Catalog:
    """The checks and metrics of one environment.

    `steps` maps a journey to all its step names when they are known before a run (YAML step
    journeys); a journey absent from it may report any step name (Python journeys name theirs
    at run time). `known` is False when there was no environment file to read: check ids then
    cannot be verified, so rules that name one are refused.
    """

    checks: Mapping[str, Kind] = field(default_factory=dict)
    steps: Mapping[str, frozenset[str]] = field(default_factory=dict)
    metrics: frozenset[str] = frozenset()
    known: bool = True
    # A Python journey computes a metric's name at run time: any journey.<m> may exist.
    open_metrics: bool = False

    def of_kind(self, kind: Kind) -> tuple[str, ...]:
        """The check ids of one kind, in config order."""
        return tuple(c for c, k in self.checks.items() if k == kind)

    def metric_names(self, prefix: str) -> list[str]:
        """Every metric name a run of this environment can produce."""
        names = [*METRICS, STEP_METRIC]
        names += [f"{JOURNEY_METRIC}{m}" for m in sorted(self.metrics)]
        names += [f"web_vitals.{v}" for v in VITALS]
        return [f"{prefix}.{n}" for n in names]

    def metric_problem(self, name: str, prefix: str) -> str | None:
        """None when `name` is a metric this environment produces, else what is wrong."""
        known = self.metric_names(prefix)
        if name in known:
            return None
        custom = f"{prefix}.{JOURNEY_METRIC}"
        if name.startswith(custom) and self.open_metrics:
            return None
        if name.startswith(custom) and not self.known:
            return f"got {name!r}, but custom metrics cannot be checked: {self._missing}"
        return f"got {name!r}, {_hint(name, known, 'metric')}"

    def check_problem(self, check_id: str) -> str | None:
        """None when `check_id` is a check of this environment, else what is wrong."""
        if not self.known:
            return f"got {check_id!r}, but check ids cannot be checked: {self._missing}"
        if check_id in self.checks:
            return None
        return f"got {check_id!r}, {_hint(check_id, list(self.checks), 'check')}"

    def step_problem(self, check_id: str, step: str) -> str | None:
        """None when journey `check_id` may report step `step`, else what is wrong."""
        steps = self.steps.get(check_id)
        if steps is None or step in steps:
            return None
        return f"got {step!r}, {_hint(step, sorted(steps), f'step in {check_id}')}"

    @property
    def _missing(self) -> str:
        return "there is no environment file to read them from"


def _hint(value: str, known: list[str], what: str) -> str:
    """`expected one of: a, b; did you mean 'a'?` (the list is what exists here)."""
    text = f"expected one of: {', '.join(known)}" if known else f"there is no {what} here"
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    return f"{text}; did you mean {close[0]!r}?" if close else text


def catalog_from_settings(settings: Settings) -> Catalog:
    """Health and API checks; every journey with the steps and metrics it declares.

    A configured journey's kind says its step and metric names (`JourneySpec.step_names`,
    `metric_names`); a Python journey's come from its file's literal `smoke.step("…")` and
    `smoke.metric("…", …)` calls (`journey_files.scan`, which never runs the file). A journey
    whose step names are not all known before a run is absent from `steps` (any name goes).
    """
    checks: dict[str, Kind] = {c.id: "health" for c in settings.health_checks}
    checks.update({c.id: "api" for c in settings.api_checks})
    steps: dict[str, frozenset[str]] = {}
    metrics: set[str] = set()
    for journey_id, spec in settings.journeys.items():
        checks[journey_id] = "journey"
        if (names := spec.step_names()) is not None:
            steps[journey_id] = names
        metrics |= spec.metric_names()
    open_metrics = False
    for journey in scan(Path(p) for p in settings.journey_paths or ()):
        checks[journey.id] = "journey"
        if journey.steps is not None:
            steps[journey.id] = journey.steps
        if journey.metrics is None:
            open_metrics = True
        metrics |= journey.metrics or frozenset()
    return Catalog(
        checks=checks, steps=steps, metrics=frozenset(metrics), open_metrics=open_metrics
    )


def read_environment(config_dir: Path, env: str, *, ids_only: bool = False) -> Settings | None:
    """`environments/<env>.yaml` for `smoke alerts`, or None when there is no such file.

    Alerts need ids, URLs and conditions, never the test accounts' secrets: a `${VAR}` left
    unset under `accounts:` stands in with a placeholder (nothing will log in), while any other
    unset variable is the usual one-line configuration error. With `ids_only` (what a catalog
    needs: check ids, kinds, step and metric names) every unset variable stands in: `smoke
    gate` in a deploy pipeline has no reason to know the target's URL.
    """
    import os

    from prodsmoke.config.loader import environment_file, load_settings
    from prodsmoke.errors import ConfigError

    if not environment_file(config_dir, env).is_file():
        return None
    environ = dict(os.environ)
    for _ in range(50):  # one retry per unset account secret, bounded
        try:
            return load_settings(config_dir, env, environ=environ)
        except ConfigError as exc:
            name = _unset_variable(exc.problem)
            lenient = ids_only or exc.path.startswith("accounts.")
            if not lenient or name is None or name in environ:
                raise
            environ[name] = _PLACEHOLDER
    raise AssertionError("unreachable: more unset account secrets than retries")  # pragma: no cover


def environment_catalog(config_dir: Path, env: str) -> Catalog:
    """The catalog of `environments/<env>.yaml` (an unverifiable one when the file is absent)."""
    settings = read_environment(config_dir, env, ids_only=True)
    return catalog_from_settings(settings) if settings else Catalog(known=False)


def _unset_variable(problem: str) -> str | None:
    # interpolate.py: "environment variable NAME is not set; expected it exported (…)"
    prefix = "environment variable "
    if problem.startswith(prefix) and " is not set" in problem:
        return problem[len(prefix) :].split(" ", 1)[0]
    return None
