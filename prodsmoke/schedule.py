"""`config/cron-schedule.yaml`: the one schedule, and the three places that must agree with it.

The GitHub workflow (`on.schedule`), the Lambda template (its EventBridge rule) and the
Kubernetes CronJob each carry the schedule in their own syntax. `render` turns the file into those
three expressions (and can rewrite them in place); `check` reads the three files and lists every
way they disagree with it, so a test and `smoke schedule check` fail on any drift.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError

from prodsmoke.config.loader import (
    available_environments,
    read_yaml,
    read_yaml_documents,
    validation_error,
)
from prodsmoke.config.models import StrictModel
from prodsmoke.errors import ConfigError

SCHEDULE_FILE = "cron-schedule.yaml"
RunnerName = Literal["github_actions", "lambda", "kubernetes"]
RUNNERS: tuple[RunnerName, ...] = ("github_actions", "lambda", "kubernetes")
# Where each runner's schedule lives, relative to the repository root.
FILES: dict[RunnerName, str] = {
    "github_actions": ".github/workflows/production-smoke.yml",
    "lambda": "deploy/lambda/template.yaml",
    "kubernetes": "deploy/k8s/cronjob.yaml",
}
K8S_TIME_ZONE = "Etc/UTC"

_LABEL = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_ENV = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def _region(value: str) -> str:
    if not _LABEL.match(value):
        raise ValueError("expected a region label like us-east-1 (lowercase, digits, dashes)")
    return value


def _environment(value: str) -> str:
    if not _ENV.match(value):
        raise ValueError("expected an environment name like production")
    return value


class Runner(StrictModel):
    """One place prodsmoke runs from: when in each period, which environments, which regions."""

    at_minute: int = Field(0, ge=0, le=59, description="the minute of the first run, 0-59")
    environments: tuple[Annotated[str, AfterValidator(_environment)], ...] = Field(
        min_length=1, description="environment names, e.g. [production]"
    )
    regions: tuple[Annotated[str, AfterValidator(_region)], ...] = Field(
        min_length=1, description="region labels, e.g. [us-east-1]"
    )


class CronSchedule(StrictModel):
    """The schedule every runner follows, in UTC."""

    every_minutes: int = Field(
        30, ge=5, le=60, description="minutes between runs, dividing the hour: 5-60"
    )
    runners: dict[str, Runner] = Field(
        description="github_actions, lambda and kubernetes, each with at_minute, environments, "
        "regions"
    )

    def runner(self, name: RunnerName) -> Runner:
        """The settings of one runner."""
        return self.runners[name]

    def minutes(self, name: RunnerName) -> str:
        """The cron minute field, e.g. '7,37'."""
        return ",".join(map(str, range(self.runner(name).at_minute, 60, self.every_minutes)))

    def expression(self, name: RunnerName) -> str:
        """The schedule in the runner's own syntax (EventBridge's cron has six fields)."""
        if name == "lambda":
            return f"cron({self.minutes(name)} * * * ? *)"
        return f"{self.minutes(name)} * * * *"

    def targets(self, name: RunnerName) -> list[tuple[str, str]]:
        """Every (environment, region) the runner covers."""
        runner = self.runner(name)
        return [(env, region) for env in runner.environments for region in runner.regions]


def load_schedule(config_dir: Path) -> CronSchedule:
    """Read and validate `cron-schedule.yaml`; its environments must exist in `config_dir`."""
    file = config_dir / SCHEDULE_FILE
    raw: Any = read_yaml(file)
    if not isinstance(raw, dict):
        raise ConfigError(str(file), "", "expected a mapping, e.g. 'every_minutes: 30'")
    try:
        schedule = CronSchedule.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(str(file), exc, CronSchedule) from None
    _check_runners(str(file), schedule, available_environments(config_dir))
    return schedule


def _check_runners(file: str, schedule: CronSchedule, known: list[str]) -> None:
    every = schedule.every_minutes
    if 60 % every:
        raise ConfigError(
            file,
            "every_minutes",
            f"got {every}, expected a divisor of the hour: 5, 6, 10, 12, 15, 20, 30 or 60",
        )
    for name in schedule.runners:
        if name not in RUNNERS:
            close = difflib.get_close_matches(name, RUNNERS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "expected " + ", ".join(RUNNERS)
            raise ConfigError(file, f"runners.{name}", f"unknown runner {name!r}; {hint}")
    for name in RUNNERS:
        runner = schedule.runners.get(name)
        if runner is None:
            raise ConfigError(
                file,
                f"runners.{name}",
                "required key is missing; expected at_minute, environments and regions",
            )
        if runner.at_minute >= every:
            raise ConfigError(
                file,
                f"runners.{name}.at_minute",
                f"got {runner.at_minute}, expected a minute "
                f"inside the {every}-minute period: 0-{every - 1}",
            )
        for i, env in enumerate(runner.environments):
            if env not in known:
                raise ConfigError(
                    file,
                    f"runners.{name}.environments[{i}]",
                    f"got {env!r}, expected an "
                    f"environment with a file under environments/: {', '.join(known)}",
                )
    if len(schedule.runners["github_actions"].regions) != 1:
        raise ConfigError(
            file,
            "runners.github_actions.regions",
            "expected one label: a workflow runs from one place (gha)",
        )


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One way a runner's file disagrees with the schedule."""

    file: str
    key: str
    found: object
    expected: object

    def __str__(self) -> str:
        if not self.key:
            return f"{self.file}: {self.found}; it should run on {self.expected!r}"
        return (
            f"{self.file}: {self.key}: found {self.found!r}, {SCHEDULE_FILE} says {self.expected!r}"
        )


def check(schedule: CronSchedule, root: Path) -> list[Mismatch]:
    """Every disagreement between the schedule and the three runners' files under `root`."""
    found: list[Mismatch] = []
    for name in RUNNERS:
        path = root / FILES[name]
        if not path.is_file():
            found.append(Mismatch(FILES[name], "", "no such file", schedule.expression(name)))
            continue
        found += [Mismatch(FILES[name], *m) for m in _CHECKS[name](schedule, _documents(path))]
    return found


def _documents(path: Path) -> list[Any]:
    """Every YAML document in `path` (CloudFormation's short tags read as plain values)."""
    return read_yaml_documents(path, any_tags=True)


def _github(schedule: CronSchedule, docs: list[Any]) -> Iterator[tuple[str, object, object]]:
    runner = schedule.runners["github_actions"]
    doc = docs[0] if docs else {}
    on = doc.get("on", doc.get(True)) or {}  # YAML 1.1 reads a bare `on` key as True
    crons = [entry.get("cron") for entry in on.get("schedule") or []]
    if crons != [schedule.expression("github_actions")]:
        yield "on.schedule[*].cron", crons, [schedule.expression("github_actions")]
    job = (doc.get("jobs") or {}).get("smoke") or {}
    matrix = str(((job.get("strategy") or {}).get("matrix") or {}).get("environment", ""))
    literal = _SCHEDULED_ENVS.search(matrix)
    envs = json.loads(literal.group(2)) if literal else None
    if envs != list(runner.environments):
        yield "jobs.smoke.strategy.matrix.environment (scheduled)", envs, list(runner.environments)
    region = (job.get("env") or {}).get("SMOKE_REGION")
    if region != runner.regions[0]:
        yield "jobs.smoke.env.SMOKE_REGION", region, runner.regions[0]
    inputs = (on.get("workflow_dispatch") or {}).get("inputs") or {}
    options = (inputs.get("environment") or {}).get("options") or []
    if not set(runner.environments) <= set(options):
        yield "on.workflow_dispatch.inputs.environment.options", options, runner.environments


def _lambda(schedule: CronSchedule, docs: list[Any]) -> Iterator[tuple[str, object, object]]:
    doc = docs[0] if docs else {}
    resources = doc.get("Resources") or {}
    rules = {k: r for k, r in resources.items() if r.get("Type") == "AWS::Events::Rule"}
    expected = schedule.expression("lambda")
    exprs = {k: (r.get("Properties") or {}).get("ScheduleExpression") for k, r in rules.items()}
    if list(exprs.values()) != [expected]:
        yield "Resources.*.Properties.ScheduleExpression (AWS::Events::Rule)", exprs, expected
    param = (doc.get("Parameters") or {}).get("Environment") or {}
    allowed = param.get("AllowedValues") or []
    if not set(schedule.runners["lambda"].environments) <= set(allowed):
        yield (
            "Parameters.Environment.AllowedValues",
            allowed,
            schedule.runners["lambda"].environments,
        )


def _kubernetes(schedule: CronSchedule, docs: list[Any]) -> Iterator[tuple[str, object, object]]:
    expected = schedule.expression("kubernetes")
    pairs: list[tuple[str, str]] = []
    for doc in docs:
        if doc.get("kind") != "CronJob":
            continue
        name = (doc.get("metadata") or {}).get("name", "?")
        spec = doc.get("spec") or {}
        if spec.get("schedule") != expected:
            yield f"CronJob {name}: spec.schedule", spec.get("schedule"), expected
        if spec.get("timeZone") != K8S_TIME_ZONE:
            yield f"CronJob {name}: spec.timeZone", spec.get("timeZone"), K8S_TIME_ZONE
        pod = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
        for container in (pod.get("spec") or {}).get("containers") or []:
            args = [str(a) for a in container.get("args") or []]
            env = {e.get("name"): e.get("value") for e in container.get("env") or []}
            if "--env" in args[:-1]:
                pairs.append((args[args.index("--env") + 1], str(env.get("SMOKE_REGION"))))
    if sorted(pairs) != sorted(schedule.targets("kubernetes")):
        yield "CronJob (smoke run --env, SMOKE_REGION) pairs", pairs, schedule.targets("kubernetes")


_CHECKS = {"github_actions": _github, "lambda": _lambda, "kubernetes": _kubernetes}
# The scheduled environments are the JSON literal after `||` in the matrix expression.
_SCHEDULED_ENVS = re.compile(r"(\|\|\s*')(\[[^']*\])('\s*\)\s*}})")
# The line in each file that `render --write` rewrites (its value only; comments stay).
_LINES: dict[RunnerName, re.Pattern[str]] = {
    "github_actions": re.compile(r'^(\s*-\s*cron:\s*)"[^"\n]*"', re.MULTILINE),
    "lambda": re.compile(r"^(\s*ScheduleExpression:\s*)(?:cron|rate)\([^)\n]*\)", re.MULTILINE),
    "kubernetes": re.compile(r'^(\s*schedule:\s*)"[^"\n]*"', re.MULTILINE),
}


def write(schedule: CronSchedule, root: Path) -> list[str]:
    """Rewrite each runner's schedule line(s) from the schedule; return the files changed."""
    changed: list[str] = []
    for name in RUNNERS:
        path = root / FILES[name]
        text = path.read_text()
        value = schedule.expression(name)
        new = _replace(_LINES[name], text, value if name == "lambda" else f'"{value}"')
        if name == "github_actions":
            envs = json.dumps(list(schedule.runners["github_actions"].environments))
            new = _replace(_SCHEDULED_ENVS, new, envs)
        if new != text:
            path.write_text(new)
            changed.append(FILES[name])
    return changed


def _replace(pattern: re.Pattern[str], text: str, value: str) -> str:
    """Replace what follows group 1 (up to group 3, when the pattern has one) with `value`."""

    def one(match: re.Match[str]) -> str:
        return match.group(1) + value + (match.group(3) if pattern.groups >= 3 else "")

    return pattern.sub(one, text)
