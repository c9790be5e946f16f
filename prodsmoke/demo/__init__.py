"""The embedded demo target (SPEC §8): a small, real stand-in for BetterPrompts.

`DemoServer` serves it on a loopback port from a background thread (tests, `smoke demo`,
benchmarks); `serve()` runs it in the foreground (`smoke serve-demo`). `Faults` injects the
failures the suite must detect, and `GET /__demo__/audit` shows everything the app received
and changed, which is how tests prove a run was production safe.
"""

from __future__ import annotations

from prodsmoke.demo.app import create_app
from prodsmoke.demo.faults import FaultError, Faults
from prodsmoke.demo.server import DemoServer, serve

__all__ = ["DemoServer", "FaultError", "Faults", "create_app", "serve"]
