"""What a run leaves in `--output`: its own artifact folder, files written whole, nothing lost
when a file cannot be written or nobody reads stdout any more."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from prodsmoke.e2e import artifacts
from tests.smoke_cli import REPO, SMOKE, clean_env, demo_config, smoke

pytestmark = pytest.mark.browser


def results(folder: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((folder / "results.json").read_text())
    return doc


def history(folder: Path) -> list[str]:
    with sqlite3.connect(folder / "history.sqlite") as db:
        return sorted(r[0] for r in db.execute("SELECT run_id FROM runs"))


def homepage_artifacts(doc: dict[str, Any]) -> list[str]:
    (homepage,) = (c for c in doc["checks"] if c["id"] == "homepage_load")
    assert homepage["status"] == "fail" and homepage["failure_class"] == "product", homepage
    return list(homepage["artifacts"])


def test_a_second_run_in_the_same_folder_lists_only_its_own_artifacts(tmp_path: Path) -> None:
    first = smoke("demo", "--fault", "missing-element", "--output", str(tmp_path))
    assert first.returncode == 1, first.stderr
    one = results(tmp_path)
    second = smoke("demo", "--fault", "missing-element", "--output", str(tmp_path))
    assert second.returncode == 1, second.stderr
    two = results(tmp_path)
    assert one["run_id"] != two["run_id"]
    for doc in (one, two):
        listed = homepage_artifacts(doc)
        assert {"trace.zip", "screenshot.png"} <= {Path(a).name for a in listed}
        assert all(a.startswith(f"artifacts/{doc['run_id']}/homepage_load/") for a in listed)
        assert all((tmp_path / a).is_file() for a in listed)  # the first run's are untouched
        # only attempts the run made itself: attempt-<n>/ for each earlier attempt
        (homepage,) = (c for c in doc["checks"] if c["id"] == "homepage_load")
        earlier = {p for a in listed for p in a.split("/") if p.startswith("attempt-")}
        assert earlier <= {f"attempt-{n}" for n in range(1, homepage["attempts"])}
    assert history(tmp_path) == sorted([one["run_id"], two["run_id"]])


def test_runs_at_once_in_one_folder_keep_their_own_files(tmp_path: Path) -> None:
    def run() -> subprocess.CompletedProcess[str]:
        return smoke("demo", "--fault", "missing-element", "--output", str(tmp_path), timeout=180)

    with ThreadPoolExecutor(2) as pool:
        procs = list(pool.map(lambda _: run(), range(2)))
    assert [p.returncode for p in procs] == [1, 1], [p.stderr for p in procs]
    run_ids = [
        line.split()[1] for p in procs for line in p.stdout.splitlines() if line.startswith("run ")
    ]
    assert len(set(run_ids)) == 2
    assert history(tmp_path) == sorted(run_ids)
    for proc in procs:
        assert "internal error" not in proc.stdout  # e.g. a trace.zip the other run moved away
        assert "[product] step 'check the page': page /: header is not visible" in proc.stdout
    for run_id in run_ids:
        folder = tmp_path / "artifacts" / run_id / "homepage_load"
        assert {"trace.zip", "screenshot.png", "console.log"} <= {p.name for p in folder.iterdir()}
    doc = results(tmp_path)  # whole: one run's document, naming only that run's files
    assert doc["run_id"] in run_ids
    assert all(a.startswith(f"artifacts/{doc['run_id']}/") for a in homepage_artifacts(doc))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_old_run_folders_are_pruned_to_keep_runs(tmp_path: Path) -> None:
    config = demo_config(tmp_path)
    demo = config / "environments" / "demo.yaml"
    demo.write_text(demo.read_text() + "keep_runs: 1\n")
    output = tmp_path / "out"
    ids = []
    for _ in range(2):
        proc = smoke(
            "demo", "--fault", "missing-element", "--config", str(config), "--output", str(output)
        )
        assert proc.returncode == 1, proc.stderr
        ids.append(results(output)["run_id"])
    assert [p.name for p in (output / "artifacts").iterdir()] == [ids[1]]


def test_prune_keeps_the_newest_and_any_run_still_going(tmp_path: Path) -> None:
    names = ["20261121T100000Z-aaaaaa", "20261121T110000Z-bbbbbb", "20261121T120000Z-cccccc"]
    for name in names:
        (tmp_path / "artifacts" / name / "health").mkdir(parents=True)
    (tmp_path / "artifacts" / "homepage_load").mkdir()  # an older layout's folder: not ours
    (tmp_path / "artifacts" / names[0] / artifacts.RUNNING).write_text("1\n")  # still going
    assert artifacts.prune(tmp_path, keep=1) == [names[1]]
    left = sorted(p.name for p in (tmp_path / "artifacts").iterdir())
    assert left == [names[0], names[2], "homepage_load"]
    stale = time.time() - artifacts.RUNNING_MAX_S - 60  # a marker a killed run left behind
    os.utime(tmp_path / "artifacts" / names[0] / artifacts.RUNNING, (stale, stale))
    assert artifacts.prune(tmp_path, keep=1) == [names[0]]


@pytest.mark.parametrize("blocked", ["results.json", "junit.xml"])
def test_an_output_file_that_cannot_be_written_is_exit_3_and_nothing_else_is_lost(
    tmp_path: Path, blocked: str
) -> None:
    (tmp_path / blocked).mkdir()  # a folder where the file should go: it cannot be replaced
    proc = smoke("demo", "--output", str(tmp_path))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert f"cannot write {tmp_path / blocked}: is a directory" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    written = "junit.xml" if blocked == "results.json" else "results.json"
    assert (tmp_path / written).is_file()
    if written == "junit.xml":
        suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
        assert suite is not None and suite.get("tests") == "11"
    else:
        assert len(results(tmp_path)["checks"]) == 11
    assert len(history(tmp_path)) == 1  # the history row is kept
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_closed_stdout_pipe_changes_nothing(tmp_path: Path) -> None:
    # `smoke demo … | head -1`: the reader goes away after the first line
    proc = subprocess.Popen(
        [SMOKE, "demo", "--fault", "missing-element", "--output", str(tmp_path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"demo target: ")
    proc.stdout.close()
    code = proc.wait(timeout=120)
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    assert code == 1, stderr  # the run's own verdict: homepage_load failed
    assert "INTERNALERROR" not in stderr and "Traceback" not in stderr
    doc = results(tmp_path)
    assert len(doc["checks"]) == 11 and doc["status"] == "fail"
    assert ET.parse(tmp_path / "junit.xml").getroot().find("testsuite") is not None
    assert history(tmp_path) == [doc["run_id"]]
