"""Shared pieces of the bench scripts: paths, the demo target, timed processes, statistics."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import secrets
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from prodsmoke.demo import PROJECT
from prodsmoke.demo.faults import Faults
from prodsmoke.demo.process import DemoProcess

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SMOKE = ROOT / ".venv" / "bin" / "smoke"
PYTHON = ROOT / ".venv" / "bin" / "python"
WORK = BENCH / ".peers"  # git-ignored: run outputs, JSON figures
FIGURES = WORK / "figures"
DEFAULT_CHROMIUM = "/usr/bin/chromium-headless-shell"
# The demo target answering like a site across a real network: every HTML document 150 ms late,
# every static asset 50 ms, API and health 40 ms (issue 24's "remote-like target").
REMOTE = "slow-first-byte:150,slow-assets:50,slow-api:40"
# The demo project packaged with the demo target: environments/demo.yaml, and e2e/ beside it.
DEMO_CONFIG = PROJECT / "config"
RUN_DEMO = [str(SMOKE), "run", "--env", "demo", "--config", str(DEMO_CONFIG)]  # + --output …


class DemoTarget:
    """`smoke serve-demo --port 0 --quiet` in a child process; a context manager.

    `rate_limit`: the target's API requests per minute per client (`--rate-limit`; default 600).
    """

    def __init__(
        self, *, faults: str = "", assets: int = 10, rate_limit: int | None = None
    ) -> None:
        self.password = secrets.token_urlsafe(12)
        self._process = DemoProcess(
            faults=Faults.parse(faults), password=self.password, assets=assets
        )
        if rate_limit is not None:  # DemoProcess has no parameter for it: one more flag
            self._process._argv += ["--rate-limit", str(rate_limit)]
        self.url = ""

    def __enter__(self) -> DemoTarget:
        self.url = self._process.start().url
        self._client = httpx.Client(base_url=self.url, timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()
        self._process.stop()

    def reset(self) -> None:
        """Clear audit, lockouts, sessions and the rate limiter's history."""
        self._client.post("/__demo__/reset").raise_for_status()

    def set_faults(self, text: str) -> None:
        """Replace the injected faults ("" clears them)."""
        self._client.post("/__demo__/faults", json={"faults": text}).raise_for_status()

    def audit(self) -> dict[str, Any]:
        """The target's audit document."""
        response = self._client.get("/__demo__/audit")
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    def env(self, **extra: str) -> dict[str, str]:
        """The environment a contender runs with: target URL (both spellings) and password."""
        return {
            **os.environ,
            "SMOKE_DEMO_URL": self.url,
            "BENCH_TARGET_URL": self.url,
            "SMOKE_TEST_PASSWORD": self.password,
            **extra,
        }


@dataclass(frozen=True, slots=True)
class Timed:
    """One whole process, start to exit."""

    seconds: float
    returncode: int
    output: str

    @property
    def passed(self) -> bool:
        """Exit 0: only passing runs count."""
        return self.returncode == 0


def timed(argv: list[str], *, env: dict[str, str], cwd: Path = ROOT, timeout: float = 120) -> Timed:
    """Run `argv` to completion; wall time from spawn to exit, output kept for failures.

    A process still running after `timeout` seconds is killed and reported with exit code -9.
    """
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        out = _text(exc.stdout)[-4000:] + _text(exc.stderr)[-4000:]
        return Timed(time.perf_counter() - started, -9, f"{out}\n(killed after {timeout:g} s)")
    seconds = time.perf_counter() - started
    return Timed(seconds, proc.returncode, proc.stdout[-4000:] + proc.stderr[-4000:])


def _text(output: str | bytes | None) -> str:
    if isinstance(output, bytes):
        return output.decode(errors="replace")
    return output or ""


def byte_compiled() -> None:
    """Byte-compile prodsmoke's own modules, as installing its wheel does (and the Lambda image).

    An editable checkout is otherwise compiled afresh by every process wherever
    PYTHONDONTWRITEBYTECODE is set (as on this machine): ~0.2 s of CPU a run that no installed
    prodsmoke spends. The peers' packages come from wheels, already compiled.
    """
    subprocess.run([str(PYTHON), "-m", "compileall", "-q", str(ROOT / "prodsmoke")], check=True)


def load1() -> float:
    """The 1-minute load average now (printed next to figures: the machine is shared)."""
    return round(os.getloadavg()[0], 2)


def summary(values: list[float]) -> dict[str, float]:
    """Median, min, max and count."""
    if not values:
        return {"n": 0, "median": float("nan"), "min": float("nan"), "max": float("nan")}
    return {
        "n": len(values),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


def machine() -> dict[str, Any]:
    """Where and when a figure was taken."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "note": "shared machine: other jobs were running",
    }


def save(name: str, figures: dict[str, Any]) -> Path:
    """Write a figure set to bench/.peers/figures/<name>.json (RESULTS.md quotes them)."""
    FIGURES.mkdir(parents=True, exist_ok=True)
    path = FIGURES / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def verdict(ok: bool) -> str:
    """A target mark for printed figures."""
    return "MET" if ok else "NOT MET"


def chromium_from(results_json: Path) -> str:
    """The Chromium executable a prodsmoke run used, from its results.json `browser` label."""
    label = json.loads(results_json.read_text(encoding="utf-8")).get("browser") or ""
    # e.g. "Chromium 156.0.8078.79 (system: /usr/bin/chromium-headless-shell)"
    if ": " in label and label.endswith(")"):
        path = label.rsplit(": ", 1)[1][:-1]
        if os.path.exists(path):
            return path
    return DEFAULT_CHROMIUM
