"""What one Lambda invocation should do, from the function's environment and the event."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prodsmoke.errors import UsageError

DEFAULT_ROOT = Path("/tmp")  # noqa: S108 - Lambda's one writable folder, by design
DEFAULT_PREFIX = "prodsmoke"
# Chromium inside Lambda: /dev/shm is tiny and there is no GPU; the zygote forks need namespaces
# a Lambda sandbox does not grant. `SMOKE_CHROMIUM_ARGS` replaces these. They suit the headless
# shell (Playwright's image) and a full Chromium alike: what a full one needs more is a short
# $TMPDIR and its own config folder, which the workspace gives it (workspace.py).
LAMBDA_CHROMIUM_ARGS = ("--disable-dev-shm-usage", "--no-zygote", "--disable-gpu")
_SPLIT = re.compile(r"[\s,]+")


@dataclass(frozen=True, slots=True)
class Invocation:
    """The environment to run, where, and where its results go."""

    environment: str
    checks: tuple[str, ...]
    region: str
    config_dir: Path
    root: Path
    bucket: str | None
    prefix: str
    secrets: str
    chromium_args: tuple[str, ...]
    adhoc: bool = False  # SPEC §12: an event naming checks (or "adhoc": true) is a run by hand

    @classmethod
    def parse(cls, event: Any, environ: Mapping[str, str]) -> Invocation:
        """Read the function's settings; a manual invocation's event may name env and checks.

        A scheduled EventBridge event carries nothing for us (its `detail` is empty), so the
        function's environment decides: `SMOKE_ENV`, `SMOKE_CHECKS`, `SMOKE_CONFIG_DIR`, ...
        """
        body = event if isinstance(event, dict) else {}
        environment = str(body.get("environment") or environ.get("SMOKE_ENV") or "")
        if not environment:
            raise UsageError(
                "no environment to run: set SMOKE_ENV on the function (or send "
                '{"environment": "production"} as the event)'
            )
        checks = body.get("checks", environ.get("SMOKE_CHECKS", ""))
        if isinstance(checks, str):
            checks = [c for c in _SPLIT.split(checks) if c]
        if not isinstance(checks, list) or not all(isinstance(c, str) for c in checks):
            raise UsageError('"checks" in the event must be a list of check ids')
        region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
        if not region:
            raise UsageError("AWS_REGION is not set; is this running inside Lambda?")
        args = environ.get("SMOKE_CHROMIUM_ARGS")
        return cls(
            environment=environment,
            checks=tuple(checks),
            region=region,
            config_dir=Path(environ.get("SMOKE_CONFIG_DIR") or "config"),
            root=Path(environ.get("SMOKE_LAMBDA_ROOT") or DEFAULT_ROOT),
            bucket=environ.get("SMOKE_ARTIFACT_BUCKET") or None,
            prefix=(environ.get("SMOKE_ARTIFACT_PREFIX") or DEFAULT_PREFIX).strip("/"),
            secrets=environ.get("SMOKE_SECRETS", ""),
            chromium_args=tuple(args.split()) if args is not None else LAMBDA_CHROMIUM_ARGS,
            adhoc=bool(body.get("adhoc")) or bool(body.get("checks")),
        )
