"""The embedded demo target (SPEC §8): a small, real stand-in for BetterPrompts.

`DemoServer` serves it on a loopback port from a background thread (tests, `smoke demo`,
benchmarks); `serve()` runs it in the foreground (`smoke serve-demo`). `Faults` injects the
failures the suite must detect, and `GET /__demo__/audit` shows everything the app received
and changed, which is how tests prove a run was production safe.

`PROJECT` is the demo's own prodsmoke project, packaged with it: `config/environments/demo.yaml`
and, beside `config/`, the team journeys in `e2e/` (what `smoke demo` runs when the folder it is
started in has no demo environment of its own; tests and benchmarks read the same files).
"""

from __future__ import annotations

from pathlib import Path

from prodsmoke.demo.app import create_app
from prodsmoke.demo.faults import FaultError, Faults
from prodsmoke.demo.server import DemoServer, serve

__all__ = ["PROJECT", "DemoServer", "FaultError", "Faults", "create_app", "serve"]

PROJECT = Path(__file__).resolve().with_name("project")
