"""Start-up: the CPU seconds of `smoke check-config`, next to what Python and its libraries cost.

    .venv/bin/python bench/startup.py [--runs 15] [--baseline DIR]

Whole processes, alternating, user + system CPU of each (from the kernel's accounting of the
reaped child), medians. Projects: one `smoke init` writes (its example pytest journey taken out,
so nothing is collected by pytest), the same with its pytest journey, and the packaged demo
project. Floors: `python -c pass`; importing what every config load needs (pydantic's BaseModel
and yaml); the same plus one model class built and validated (pydantic builds its schema
machinery with the first class); importing `prodsmoke.config` (every config model built);
pytest collecting the scaffold's journey file with pytest-playwright loaded (what the pytest row
cannot do without). `--baseline DIR`: also `smoke check-config` of a checkout of an older commit
(installed in its own .venv) on its own config/. `--installed`: every row runs from a new
virtualenv with this checkout's wheel installed (no extras: what `pip install prodsmoke` and the
Lambda image have), not from the editable .venv (whose site start-up loads the editable finder,
and whose dev extras make httpx import its command line's click and rich). prodsmoke's modules
are byte-compiled first, as a wheel install has them.
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

from benchlib import DEMO_CONFIG, PYTHON, ROOT, SMOKE, byte_compiled, load1, machine, save


def cpu_of(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stdout}{done.stderr}")
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


ONE_MODEL = (
    "from pydantic import BaseModel; import yaml\n"
    "class M(BaseModel):\n    x: int = 0\n"
    "M.model_validate(yaml.safe_load('x: 1'))"
)


def installed(root: Path) -> tuple[Path, Path]:
    """A new virtualenv with this checkout's wheel (constraints.txt's releases): (python, smoke)."""
    wheels, venv = root / "wheel", root / "venv"
    pip = ["-m", "pip", "--disable-pip-version-check", "-q"]
    build = [str(PYTHON), *pip, "wheel", "--no-deps", "-w", str(wheels), str(ROOT)]
    subprocess.run(build, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    wheel = next(wheels.glob("prodsmoke-*.whl"))
    install = [str(venv / "bin/python"), *pip, "install", "-c", str(ROOT / "constraints.txt")]
    subprocess.run([*install, str(wheel)], check=True, capture_output=True)
    return venv / "bin/python", venv / "bin/smoke"


def projects(
    root: Path, python: Path = PYTHON, smoke: Path = SMOKE
) -> dict[str, tuple[list[str], Path]]:
    """The commands timed, by name: (argv, cwd)."""
    with_test = root / "scaffold"
    subprocess.run(
        [str(smoke), "init", str(with_test), "--base-url", "https://shop.example.org"],
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
    check = [str(smoke), "check-config"]
    return {
        "python -c pass": ([str(python), "-c", "pass"], root),
        "import pydantic.BaseModel + yaml": (
            [str(python), "-c", "from pydantic import BaseModel; import yaml"],
            root,
        ),
        "pydantic + yaml + one model class": ([str(python), "-c", ONE_MODEL], root),
        "import prodsmoke.config (its models)": (
            [str(python), "-c", "import prodsmoke.config"],
            root,
        ),
        "check-config: scaffold, no test files": (check, bare),
        "check-config: scaffold + its pytest journey": (check, with_test),
        "pytest --collect-only: the scaffold's journey": (
            [str(python), "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "e2e"],
            with_test,
        ),
        "check-config: the demo project": (
            [*check, "--config", str(DEMO_CONFIG), "--env", "demo"],
            root,
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--baseline", type=Path, help="a checkout of an older commit, with .venv")
    parser.add_argument("--installed", action="store_true", help="run from this checkout's wheel")
    args = parser.parse_args()
    byte_compiled()
    env = {**os.environ, "SMOKE_TEST_PASSWORD": "bench-only"}
    with tempfile.TemporaryDirectory() as tmp:
        tools = installed(Path(tmp)) if args.installed else (PYTHON, SMOKE)
        table = projects(Path(tmp), *tools)
        if args.baseline is not None:
            old = args.baseline.resolve()
            table["check-config: the baseline on its config/"] = (
                [str(old / ".venv/bin/smoke"), "check-config"],
                old,
            )
        samples: dict[str, list[float]] = {name: [] for name in table}
        for argv, cwd in table.values():  # warm-up; and a mistake shows here, once
            cpu_of(argv, cwd, env)
        loads = []
        for _ in range(args.runs):
            for name, (argv, cwd) in table.items():
                samples[name].append(cpu_of(argv, cwd, env))
            loads.append(load1())
    where = "a wheel install" if args.installed else "the editable .venv"
    print(
        f"start-up, CPU seconds (median of {args.runs}, {where}; "
        f"load {statistics.median(loads):.1f}):"
    )
    figures: dict[str, object] = {
        "machine": machine(),
        "runs": args.runs,
        "installed": args.installed,
        "cpu_s": {},
    }
    for name, values in samples.items():
        median = statistics.median(values)
        figures["cpu_s"][name] = median  # type: ignore[index]
        print(f"  {name:48} {median:6.3f}  (min {min(values):.3f})")
    print(f"figures: {save('startup', figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
