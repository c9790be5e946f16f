"""bench/peak_memory.py measures a whole process tree: children and grandchildren together."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("peak_memory", REPO / "bench" / "peak_memory.py")
assert _spec is not None and _spec.loader is not None
peak_memory = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("peak_memory", peak_memory)  # dataclasses look their module up there
_spec.loader.exec_module(peak_memory)

MIB = 1024 * 1024
# A child that allocates 80 MiB and starts a grandchild that allocates 120 MiB; both hold it.
GRANDCHILD = (
    "import time; b = bytearray(120 * 2**20); b[::4096] = b'x' * len(b[::4096]); time.sleep(1.5)"
)
CHILD = (
    "import subprocess, sys, time\n"
    "a = bytearray(80 * 2**20); a[::4096] = b'x' * len(a[::4096])\n"
    f"p = subprocess.Popen([sys.executable, '-c', {GRANDCHILD!r}, 'grandchild'])\n"
    "time.sleep(1.0); p.wait()\n"
)


def test_the_peak_includes_every_process_of_the_tree() -> None:
    peak = peak_memory.measure([sys.executable, "-c", CHILD])
    assert peak.exit_code == 0
    assert peak.processes >= 2
    assert peak.pss_bytes >= 190 * MIB  # 80 + 120, held at the same time
    assert peak.rss_bytes >= peak.pss_bytes
    assert peak.samples > 10


def test_excluded_processes_are_left_out() -> None:
    peak = peak_memory.measure([sys.executable, "-c", CHILD], exclude=r"\sgrandchild\s*$")
    assert 75 * MIB <= peak.pss_bytes < 190 * MIB


def test_the_cli_prints_one_line_and_the_breakdown(capsys) -> None:
    assert peak_memory.main(["--", sys.executable, "-c", "pass"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("peak PSS ")
    assert "at the peak, PSS MiB by process:" in out
