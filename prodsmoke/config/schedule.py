"""`config/cron-schedule.yaml`: the one schedule every runner follows, validated like every
other config file (one-line errors naming the file, the key path and the expected form).

`prodsmoke.schedule` renders it into the GitHub workflow, the Lambda template and the CronJob,
and checks that those agree with it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError

from prodsmoke.config.fields import StrictModel
from prodsmoke.config.loader import available_environments, read_yaml, validation_error
from prodsmoke.errors import ConfigError

SCHEDULE_FILE = "cron-schedule.yaml"
RunnerName = Literal["github_actions", "lambda", "kubernetes"]
RUNNERS: tuple[RunnerName, ...] = ("github_actions", "lambda", "kubernetes")

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


_RUNNER = "at_minute, environments and regions"


class Runners(StrictModel):
    """The three places prodsmoke runs from; each must be there."""

    github_actions: Runner = Field(description=_RUNNER)
    lambda_: Runner = Field(alias="lambda", description=_RUNNER)
    kubernetes: Runner = Field(description=_RUNNER)


class CronSchedule(StrictModel):
    """The schedule every runner follows, in UTC."""

    every_minutes: int = Field(
        30, ge=5, le=60, description="minutes between runs, dividing the hour: 5-60"
    )
    runners: Runners = Field(
        description="github_actions, lambda and kubernetes, each with " + _RUNNER
    )

    def runner(self, name: RunnerName) -> Runner:
        """The settings of one runner."""
        return {
            "github_actions": self.runners.github_actions,
            "lambda": self.runners.lambda_,
            "kubernetes": self.runners.kubernetes,
        }[name]

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
    for name in RUNNERS:
        runner = schedule.runner(name)
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
    if len(schedule.runners.github_actions.regions) != 1:
        raise ConfigError(
            file,
            "runners.github_actions.regions",
            "expected one label: a workflow runs from one place (gha)",
        )
