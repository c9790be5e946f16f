"""The one schedule, and the three places that must agree with it.

The GitHub workflow (`on.schedule`), the Lambda template (its EventBridge rule) and the
Kubernetes CronJob each carry the schedule of `config/cron-schedule.yaml` (`config.schedule`)
in their own syntax. `write` turns it into those three expressions and rewrites them in place;
`check` reads the three files and lists every way they disagree with it, so a test and `smoke
schedule check` fail on any drift.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prodsmoke.config.loader import read_yaml_documents
from prodsmoke.config.schedule import (
    RUNNERS,
    SCHEDULE_FILE,
    CronSchedule,
    RunnerName,
    load_schedule,
)

__all__ = ["FILES", "RUNNERS", "SCHEDULE_FILE", "Mismatch", "check", "load_schedule", "write"]

# Where each runner's schedule lives, relative to the repository root.
FILES: dict[RunnerName, str] = {
    "github_actions": ".github/workflows/production-smoke.yml",
    "lambda": "deploy/lambda/template.yaml",
    "kubernetes": "deploy/k8s/cronjob.yaml",
}
K8S_TIME_ZONE = "Etc/UTC"


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
    runner = schedule.runners.github_actions
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
    if not set(schedule.runners.lambda_.environments) <= set(allowed):
        yield (
            "Parameters.Environment.AllowedValues",
            allowed,
            schedule.runners.lambda_.environments,
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
            envs = json.dumps(list(schedule.runners.github_actions.environments))
            new = _replace(_SCHEDULED_ENVS, new, envs)
        if new != text:
            path.write_text(new)
            changed.append(FILES[name])
    return changed


def _replace(pattern: re.Pattern[str], text: str, value: str) -> str:
    """Replace what follows group 1 (up to group 3, when the pattern has one) with `value`."""

    def one(match: re.Match[str]) -> str:
        return match.group(1) + value + (match.group(3) if pattern.groups >= 3 else "")  # noqa: PLR2004 - a suffix group

    return pattern.sub(one, text)
