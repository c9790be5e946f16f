"""How a run runs, as opposed to what it checks (that is the Settings): values every layer reads.

The entry points (`smoke run`, the Lambda handler, the pytest plugin) build one `RunOptions` from
their flags; the engine, the artifact policy and the reporters only read it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path


class TraceMode(StrEnum):
    """What a journey's attempts record (pytest-playwright's `--tracing` values)."""

    ON = "on"  # every attempt keeps its trace, pass or fail
    OFF = "off"  # no trace (a failure still keeps its screenshot and console log)
    RETAIN_ON_FAILURE = "retain-on-failure"  # a light first attempt; kept only when it failed


@dataclass(frozen=True, slots=True)
class Release:
    """What a run checks of a deploy (SPEC §17): its commit and version, and whether the deploy
    started the run (`smoke run --trigger deploy`). `target_note` is said in the header line when
    `--base-url` moved the run off the environment's own URL."""

    commit: str | None = None
    version: str | None = None
    deploy: bool = False
    target_note: str | None = None


class BaselineMode(StrEnum):
    """What a journey's baseline steps do (SPEC §18)."""

    COMPARE = "compare"  # every run: compare with the project's baselines, never write them
    UPDATE = "update"  # `smoke baseline update` only: record what the page shows instead


def new_run_id(now: datetime | None = None) -> str:
    """A run's id, e.g. '20261121T100000Z-3fa2c1': sorts by start time, names its folder."""
    return f"{now or datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run: where results go, the region label, the browser's mode, tracing."""

    region: str = "local"
    output_dir: Path = Path("smoke-results")
    headed: bool = False
    slow_mo_ms: float = 0
    trace: TraceMode = TraceMode.RETAIN_ON_FAILURE
    repro: str = "smoke repro --env {env} {check}"
    channel: str | None = None  # a browser channel (chrome, msedge…) instead of the search
    run_id: str = field(default_factory=new_run_id)  # known from the start: names its folder
    release: Release = Release()  # the deploy the run checks, when it knows it
    baselines: BaselineMode = BaselineMode.COMPARE  # UPDATE only from `smoke baseline update`
