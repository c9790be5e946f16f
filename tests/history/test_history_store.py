"""The SQLite history: a row per run and per check, retention applied on every write."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from history_seed import NOW, result, run, simple

from prodsmoke import redact
from prodsmoke.history import History, HistoryError
from prodsmoke.results import CheckKind, FailureClass, Status


def test_a_run_and_each_check_come_back_as_they_were_written(history, tmp_path):
    written = simple(NOW, Status.FAIL, region="eu-west-1")

    history.append(written, tmp_path / "out")

    (stored,) = history.runs()
    assert (stored.run_id, stored.env, stored.region) == (written.run_id, "production", "eu-west-1")
    assert stored.started_at == written.started_at
    assert (stored.status, stored.failure_class) == (Status.FAIL, FailureClass.PRODUCT)
    assert stored.output_dir == str((tmp_path / "out").resolve())
    assert stored.checks == written.checks
    with sqlite3.connect(history.path) as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (1,)
        assert db.execute("SELECT check_id, status FROM checks ORDER BY position").fetchall() == [
            ("health", "pass"),
            ("login_flow", "fail"),
        ]


def test_retention_is_applied_on_write(tmp_path):
    before = History(tmp_path / "h.sqlite", retention_days=30)
    before.append(simple(NOW - timedelta(days=8), run_id="old"), tmp_path)
    before.append(simple(NOW - timedelta(days=6), run_id="recent"), tmp_path)
    history = History(tmp_path / "h.sqlite", retention_days=7)

    dropped = history.append(simple(NOW, run_id="new"), tmp_path)

    assert dropped == 1
    assert [r.run_id for r in history.runs()] == ["recent", "new"]
    with sqlite3.connect(history.path) as db:  # the old run's checks went with it
        assert db.execute("SELECT count(*) FROM checks").fetchone() == (4,)


def test_runs_filter_by_env_and_time(history, tmp_path):
    history.extend(
        [
            simple(NOW - timedelta(hours=2), run_id="a"),
            simple(NOW - timedelta(minutes=10), run_id="b"),
            simple(NOW - timedelta(minutes=5), run_id="c", env="staging"),
        ],
        tmp_path,
    )

    assert [r.run_id for r in history.runs(env="production")] == ["a", "b"]
    assert [r.run_id for r in history.runs(since=NOW - timedelta(hours=1))] == ["b", "c"]
    assert history.envs() == ["production", "staging"]


def test_secrets_in_errors_are_scrubbed_before_they_are_stored(history, tmp_path):
    redact.register_secret("s3cret-history-value")
    leaky = result("login_flow", Status.FAIL, 400, kind=CheckKind.JOURNEY, key="login_ms")
    leaky = type(leaky)(
        **{
            **{f: getattr(leaky, f) for f in leaky.__slots__},
            "error": "password s3cret-history-value rejected",
        }
    )

    history.append(run(NOW, (leaky,)), tmp_path)

    assert b"s3cret-history-value" not in history.path.read_bytes()
    assert history.runs()[0].checks[0].error == "password [REDACTED] rejected"


def test_an_unwritable_history_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")

    with pytest.raises(HistoryError) as error:
        History(blocker / "history.sqlite").append(simple(NOW), tmp_path)

    assert str(error.value).startswith(f"run history {blocker}/history.sqlite: ")
    assert "history.path in monitoring-integration.yaml" in str(error.value)
    assert "\n" not in str(error.value)


def test_a_missing_history_reads_as_empty(tmp_path):
    assert History(tmp_path / "none.sqlite").runs() == []
