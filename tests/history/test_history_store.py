"""The history on both engines: a row per run and per check, idempotent, constrained, pruned."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from prodsmoke import redact
from prodsmoke.commands.history import row
from prodsmoke.errors import HistoryError
from prodsmoke.history import History
from prodsmoke.results import CheckKind, FailureClass, Status, Trigger
from tests.history.history_seed import NOW, result, run, simple


def test_a_run_and_each_check_come_back_as_they_were_written(history, tmp_path):
    written = replace(
        simple(NOW, Status.FAIL, region="eu-west-1"), trigger=Trigger.ADHOC, maintenance="db"
    )

    history.append(written, "s3://bucket/prodsmoke/production/eu-west-1/run-1/")

    (stored,) = history.runs()
    assert (stored.run_id, stored.env, stored.region) == (written.run_id, "production", "eu-west-1")
    assert stored.started_at == written.started_at
    assert (stored.status, stored.failure_class) == (Status.FAIL, FailureClass.PRODUCT)
    assert stored.artifacts_url == "s3://bucket/prodsmoke/production/eu-west-1/run-1/"
    assert (stored.trigger, stored.maintenance, stored.counts) == (Trigger.ADHOC, "db", False)
    assert stored.checks == written.checks


def test_a_run_written_twice_is_stored_once(history, tmp_path):
    first = history.append(simple(NOW, run_id="same"), tmp_path)
    again = history.extend([simple(NOW, run_id="same"), simple(NOW, run_id="other")], tmp_path)

    assert (first.inserted, first.duplicates) == (1, 0)
    assert (again.inserted, again.duplicates) == (1, 1)
    assert sorted(r.run_id for r in history.runs()) == ["other", "same"]
    assert [len(r.checks) for r in history.runs()] == [2, 2]


def test_retention_is_applied_on_write(history, tmp_path):
    history.append(simple(NOW - timedelta(days=8), run_id="old"), tmp_path)
    history.append(simple(NOW - timedelta(days=6), run_id="recent"), tmp_path)
    history.retention_days = 7

    written = history.append(simple(NOW, run_id="new"), tmp_path)

    assert written.pruned == 1
    assert [r.run_id for r in history.runs()] == ["recent", "new"]
    with history.transaction(write=False) as conn:  # the old run's checks went with it
        assert conn.execute(text("SELECT count(*) FROM checks")).scalar() == 4


def test_runs_filter_by_env_time_and_status(history, tmp_path):
    history.extend(
        [
            simple(NOW - timedelta(hours=2), run_id="a"),
            simple(NOW - timedelta(minutes=10), Status.FAIL, run_id="b"),
            simple(NOW - timedelta(minutes=5), run_id="c", env="staging"),
        ],
        tmp_path,
    )

    assert [r.run_id for r in history.runs(env="production")] == ["a", "b"]
    assert [r.run_id for r in history.runs(since=NOW - timedelta(hours=1))] == ["b", "c"]
    assert [r.run_id for r in history.runs(status=Status.FAIL)] == ["b"]
    assert history.envs() == ["production", "staging"]


def test_latest_is_the_newest_run_per_environment_and_region(history, tmp_path):
    history.extend(
        [
            simple(NOW - timedelta(hours=1), region="us-east-1", run_id="us-old"),
            simple(NOW, region="us-east-1", run_id="us-new"),
            simple(NOW - timedelta(minutes=3), region="eu-west-1", run_id="eu"),
            simple(NOW, env="staging", run_id="st"),
        ],
        tmp_path,
    )

    assert [(r.env, r.region, r.run_id) for r in history.latest()] == [
        ("production", "eu-west-1", "eu"),
        ("production", "us-east-1", "us-new"),
        ("staging", "us-east-1", "st"),
    ]
    assert [r.run_id for r in history.latest(env="staging")] == ["st"]


def test_latest_runs_carry_their_checks_so_the_failed_ones_can_be_named(history, tmp_path):
    history.extend([simple(NOW, Status.FAIL, run_id="broken")], tmp_path)

    (latest,) = history.latest()

    assert [(c.id, c.status) for c in latest.checks] == [
        ("health", Status.PASS),
        ("login_flow", Status.FAIL),
    ]
    assert row(latest)["failed"] == "login_flow"  # `smoke history latest`'s failed column


def test_secrets_in_errors_are_scrubbed_before_they_are_stored(history, tmp_path):
    redact.register_secret("s3cret-history-value")
    leaky = result("login_flow", Status.FAIL, 400, kind=CheckKind.JOURNEY, key="login_ms")
    leaky = replace(leaky, error="password s3cret-history-value rejected")

    history.append(run(NOW, (leaky,)), tmp_path)

    assert history.runs()[0].checks[0].error == "password [REDACTED] rejected"
    with history.transaction(write=False) as conn:
        stored = conn.execute(text("SELECT error FROM checks")).scalar()
    assert "s3cret-history-value" not in stored


def test_the_schema_refuses_an_unknown_status_and_indexes_failures(history, tmp_path):
    history.migrate()
    engine = create_engine(history.location.url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO runs (run_id, env, region, trigger, target, started_at, "
                    "duration_ms, status, requests, blocked, recorded_at) VALUES ('x', 'e', 'r', "
                    "'scheduled', 't', CURRENT_TIMESTAMP, 1, 'broken', 0, 0, CURRENT_TIMESTAMP)"
                )
            )
        indexes = {i["name"]: i for i in inspect(engine).get_indexes("runs")}
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                definition = conn.execute(
                    text("SELECT sql FROM sqlite_master WHERE name = 'ix_runs_failed'")
                ).scalar()
            else:
                definition = conn.execute(
                    text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_runs_failed'")
                ).scalar()
    finally:
        engine.dispose()
    assert {"ix_runs_env_started_at", "ix_runs_started_at", "ix_runs_failed"} <= set(indexes)
    assert isinstance(definition, str) and "WHERE" in definition and "fail" in definition


def test_migrate_is_idempotent_and_head_matches_the_scripts(history):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from prodsmoke.history.schema import HEAD

    config = Config()
    config.set_main_option("script_location", "prodsmoke.history:migrations")
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD
    assert history.migrate() == (None, HEAD)
    assert history.migrate() == (HEAD, HEAD)


def test_an_unwritable_history_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")

    with pytest.raises(HistoryError) as error:
        History(blocker / "history.sqlite").append(simple(NOW), tmp_path)

    assert str(error.value).startswith(f"run history {blocker}/history.sqlite: ")
    assert "history.url in monitoring-integration.yaml" in str(error.value)
    assert "\n" not in str(error.value)
    assert error.value.exit_code == 3


def test_an_unreachable_postgres_is_one_clear_error_without_the_password(tmp_path):
    from tests.pg_server import free_port

    url = f"postgresql://smoke:hunter2-pg-secret@127.0.0.1:{free_port()}/smoke"
    history = History(url, connect_timeout_s=2)

    with pytest.raises(HistoryError) as error:
        history.runs()

    message = str(error.value)
    assert message.startswith("run history postgresql://smoke:***@127.0.0.1:")
    assert "hunter2-pg-secret" not in message
    assert "\n" not in message


def test_a_missing_sqlite_history_reads_as_empty(tmp_path):
    assert History(tmp_path / "none.sqlite").runs() == []
    assert not (tmp_path / "none.sqlite").exists()


def test_a_damaged_sqlite_file_is_set_aside_and_the_run_kept(tmp_path):
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"this is not a database, it is a text file " * 200)
    history = History(path)

    with pytest.raises(HistoryError) as unreadable:
        history.runs()
    written = history.append(simple(NOW, run_id="kept"), tmp_path)

    assert "damaged" in str(unreadable.value) and unreadable.value.exit_code == 3
    (aside,) = tmp_path.glob("history.sqlite.corrupt-*")
    assert aside.read_bytes().startswith(b"this is not a database")
    assert written.inserted == 1
    assert written.note is not None
    assert written.note.startswith(f"run history {path} was damaged (DatabaseError: file is not")
    assert f"moved aside to {aside.name} and a fresh history started with this run" in written.note
    assert [r.run_id for r in history.runs()] == ["kept"]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (1,)
    history.close()


V1_SCHEMA = """
CREATE TABLE runs (run_id TEXT PRIMARY KEY, env TEXT NOT NULL, region TEXT NOT NULL,
  target TEXT NOT NULL, started_at REAL NOT NULL, duration_ms INTEGER NOT NULL,
  status TEXT NOT NULL, failure_class TEXT, output_dir TEXT NOT NULL, requests INTEGER NOT NULL,
  blocked INTEGER NOT NULL);
CREATE INDEX runs_by_env_time ON runs (env, started_at);
CREATE INDEX runs_by_time ON runs (started_at);
CREATE TABLE checks (run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
  position INTEGER NOT NULL, check_id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
  duration_ms INTEGER NOT NULL, attempts INTEGER NOT NULL, flaky INTEGER NOT NULL,
  metrics TEXT NOT NULL, error TEXT, failure_class TEXT, artifacts TEXT NOT NULL,
  repro TEXT NOT NULL, PRIMARY KEY (run_id, check_id));
PRAGMA user_version = 1;
"""


def test_a_history_from_before_migrations_keeps_its_runs(tmp_path):
    path = tmp_path / "history.sqlite"
    old = NOW - timedelta(hours=3, microseconds=250)
    with sqlite3.connect(path) as db:
        db.executescript(V1_SCHEMA)
        db.execute(
            "INSERT INTO runs VALUES ('old-run', 'production', 'local', 'https://x', ?, 4100, "
            "'fail', 'product', '/home/qa/smoke-results', 57, 0)",
            (old.timestamp(),),
        )
        db.execute(
            "INSERT INTO checks VALUES ('old-run', 0, 'login_flow', 'journey', 'fail', 800, 2, 1, "
            "'{\"login_ms\": 640}', 'login: HTTP 500', 'product', "
            "'[\"artifacts/login_flow/trace.zip\"]', 'smoke repro --env production login_flow')"
        )
    history = History(path)

    history.append(simple(NOW, run_id="new-run"), tmp_path)

    old_run, new_run = history.runs()
    assert (old_run.run_id, new_run.run_id) == ("old-run", "new-run")
    assert old_run.started_at == old
    assert old_run.artifacts_url == "/home/qa/smoke-results"
    assert (old_run.trigger, old_run.status) == (Trigger.SCHEDULED, Status.FAIL)
    (check,) = old_run.checks
    assert (check.metrics, check.flaky, check.artifacts) == (
        {"login_ms": 640},
        True,
        ("artifacts/login_flow/trace.zip",),
    )
    history.close()
