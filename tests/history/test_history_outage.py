"""Nothing lost: a run whose database is down or silent ends by its checks, spools its row, and
the next run that reaches the database delivers it, once."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from prodsmoke.history import History
from tests.history.smoke_runs import DEMO_PASSWORD, config_root, smoke_in
from tests.pg_server import postgres_server


@pytest.fixture
def own_server(pg_server):
    """A PostgreSQL server of this test's own, to stop and start (skipped with the shared one)."""
    with postgres_server() as server:
        yield server


def test_a_run_with_the_database_down_spools_its_row_and_the_next_run_delivers_it(
    tmp_path, demo_target, own_server
):
    config = config_root(tmp_path)
    output = tmp_path / "out"
    url = own_server.create_database()
    env = {
        "SMOKE_DEMO_URL": demo_target.url,
        "SMOKE_TEST_PASSWORD": DEMO_PASSWORD,
        "PRODSMOKE_HISTORY_URL": url,
    }

    def run():
        proc = smoke_in(
            tmp_path,
            "run",
            "--env",
            "demo",
            "--config",
            str(config),
            "--output",
            str(output),
            env=env,
        )
        doc = json.loads((output / "results.json").read_text())
        return proc, doc

    first, _ = run()  # the database is up: it gets its schema and the row
    own_server.stop()
    try:
        down, down_doc = run()
        spooled = sorted((output / "spool" / "history").glob("*.json"))
    finally:
        own_server.start()
    up, up_doc = run()

    assert first.returncode == 0, first.stdout + first.stderr
    # down: the run ends by its checks, says where the row waits, without the password
    assert down.returncode == 0, down.stdout + down.stderr
    assert down_doc["status"] == "pass"
    said = " ".join(down.stderr.split())  # the console wraps long lines
    assert said.count("reporter history: HistoryNote: run history postgresql://smoke:***@") == 1
    assert "not written (OperationalError: connection failed:" in said
    assert "row spooled (1 waiting in" in said and "to be written by the next run" in said
    assert own_server.password not in down.stdout + down.stderr
    assert len(spooled) == 1 and down_doc["run_id"] in spooled[0].name
    # up again: the backlog is delivered, once, and the spool is empty
    assert up.returncode == 0, up.stdout + up.stderr
    assert "delivered 1 spooled row(s) from earlier runs" in " ".join(up.stderr.split())
    assert not list((output / "spool" / "history").glob("*.json"))
    history = History(url)
    stored = [r.run_id for r in history.runs(env="demo")]
    history.close()
    assert sorted(stored) == sorted({*stored})  # no duplicates
    assert down_doc["run_id"] in stored and up_doc["run_id"] in stored
    assert len(stored) == 3


@pytest.fixture
def silent_database():
    """A port that accepts connections and never answers (a database hung or behind a dead
    network path)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_database_that_never_answers_costs_the_run_seconds_not_its_deadline(
    tmp_path, demo_target, silent_database
):
    config = config_root(
        tmp_path, monitoring="reporters: [history]\nhistory: {connect_timeout_s: 2}\n"
    )
    output = tmp_path / "out"
    env = {
        "SMOKE_DEMO_URL": demo_target.url,
        "PRODSMOKE_HISTORY_URL": f"postgresql://smoke:pw@127.0.0.1:{silent_database}/smoke",
    }
    started = time.monotonic()
    proc = smoke_in(
        tmp_path, "run", "--env", "demo", "--config", str(config), "--output", str(output), env=env
    )
    took = time.monotonic() - started

    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads((output / "results.json").read_text())
    assert doc["status"] == "pass"
    assert len(list((output / "spool" / "history").glob("*.json"))) == 1
    said = " ".join(proc.stderr.split())
    assert "reporter history" in said and "row spooled" in said
    assert took < 20  # the environment's deadline_s: the history never holds the run past it
