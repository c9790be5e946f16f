"""Start-up: the CPU seconds of `smoke check-config`, next to what Python and its libraries cost.

    .venv/bin/python bench/startup.py [--runs 15]

Whole processes, alternating, user + system CPU of each (from the kernel's accounting of the
reaped child), medians. Projects: one `smoke init` writes (its example pytest journey taken out,
so nothing is collected by pytest), the same with its pytest journey, and the packaged demo
project. Floors: `python -c pass`, and importing what every config load needs (pydantic's
BaseModel and yaml). prodsmoke's modules are byte-compiled first, as a wheel install has them.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import DEMO_CONFIG, PYTHON, SMOKE, byte_compiled, load1, machine, save


def cpu_of(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stdout}{done.stderr}")
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def projects(root: Path) -> dict[str, tuple[list[str], Path]]:
    """The commands timed, by name: (argv, cwd)."""
    with_test = root / "scaffold"
    subprocess.run(
        [str(SMOKE), "init", str(with_test), "--base-url", "https://shop.example.org"],
        check=True,
        capture_output=True,
    )
    bare = root / "scaffold-no-tests"
    subprocess.run(["cp", "-r", str(with_test), str(bare)], check=True)
    for test in (bare / "e2e").glob("test_*.py"):
        test.unlink()
    env_file = next((bare / "config" / "environments").glob("*.yaml"))
    lines = env_file.read_text().splitlines(keepends=True)
    kept = [x for x in lines if "e2e/test_home.py" not in x and not x.startswith("  home:")]
    env_file.write_text("".join(kept))
    check = [str(SMOKE), "check-config"]
    return {
        "python -c pass": ([str(PYTHON), "-c", "pass"], root),
        "import pydantic.BaseModel + yaml": (
            [str(PYTHON), "-c", "from pydantic import BaseModel; import yaml"],
            root,
        ),
        "check-config: scaffold, no test files": (check, bare),
        "check-config: scaffold + its pytest journey": (check, with_test),
        "check-config: the demo project": (
            [*check, "--config", str(DEMO_CONFIG), "--env", "demo"],
            root,
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    byte_compiled()
    env = {**os.environ, "SMOKE_TEST_PASSWORD": "bench-only"}
    with tempfile.TemporaryDirectory() as tmp:
        table = projects(Path(tmp))
        samples: dict[str, list[float]] = {name: [] for name in table}
        for argv, cwd in table.values():  # warm-up; and a mistake shows here, once
            cpu_of(argv, cwd, env)
        loads = []
        for _ in range(args.runs):
            for name, (argv, cwd) in table.items():
                samples[name].append(cpu_of(argv, cwd, env))
            loads.append(load1())
    print(f"start-up, CPU seconds (median of {args.runs}; load {statistics.median(loads):.1f}):")
    figures: dict[str, object] = {"machine": machine(), "runs": args.runs, "cpu_s": {}}
    for name, values in samples.items():
        median = statistics.median(values)
        figures["cpu_s"][name] = median  # type: ignore[index]
        print(f"  {name:48} {median:6.3f}  (min {min(values):.3f})")
    print(f"figures: {save('startup', figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
