"""Deploys in the run history (issue 22): commit, version and the deploy trigger on both engines,
a 0002 history migrated keeping every row (fingerprints of its failures computed), error
fingerprints, and the alert states' compare-and-set."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from prodsmoke.history.alert_states import AlertLog
from prodsmoke.history.database import connect, migrate
from prodsmoke.history.fingerprint import fingerprint, normalise
from prodsmoke.history.rows import insertable, payload
from prodsmoke.history.schema import HEAD, checks, metadata, page_vitals, runs
from prodsmoke.results import PageVitals, Status, Trigger
from tests.history.history_seed import NOW, simple


def deploy(at, version="1.4.2", commit="3f2a9c1d", **kwargs):
    return replace(simple(at, **kwargs), trigger=Trigger.DEPLOY, version=version, commit=commit)


def test_a_deploy_run_keeps_its_commit_and_version_and_counts_in_no_pass_rate(history, tmp_path):
    history.append(deploy(NOW), tmp_path)
    history.append(simple(NOW + timedelta(minutes=30)), tmp_path)

    stored = history.runs()
    assert [(r.trigger, r.version, r.commit, r.counts) for r in stored] == [
        (Trigger.DEPLOY, "1.4.2", "3f2a9c1d", False),
        (Trigger.SCHEDULED, None, None, True),
    ]


def test_a_failure_is_fingerprinted_and_the_same_failure_again_has_the_same_print(
    history, tmp_path
):
    first = simple(NOW, Status.FAIL, run_id="first")
    again = simple(NOW + timedelta(minutes=30), Status.FAIL, run_id="again")
    login = again.check("login_flow")
    again = replace(
        again,
        checks=(
            again.checks[0],
            replace(login, error=f"{login.error} (x-request-id header absent)"),
        ),
    )
    history.extend([first, again], tmp_path)

    prints = {r.run_id: r.fingerprints for r in history.runs()}
    assert prints["first"].keys() == {"login_flow"}  # the passing health check has none
    assert prints["first"]["login_flow"] != prints["again"]["login_flow"]  # more words
    assert history.seen_fingerprints(
        "production", [prints["first"]["login_flow"]], besides="again"
    ) == {prints["first"]["login_flow"]}
    assert (
        history.seen_fingerprints("production", [prints["again"]["login_flow"]], besides="again")
        == set()
    )


@pytest.mark.parametrize(
    ("error", "normalised"),
    [
        (
            "GET https://app.example.com:8443/orders/8412?token=x answered HTTP 503 in 3021 ms",
            "GET https://app.example.com/orders/:id answered HTTP 503 in N ms",
        ),
        (
            "request 550e8400-e29b-41d4-a716-446655440000 (trace 3fa2c1d9e8b7) took 1.5 s, "
            "status 404",
            "request <uuid> (trace <hex>) took N s, status 404",
        ),
        (
            "step 'open pricing': Timeout 5000ms exceeded waiting for locator(\"#plan-3\")",
            "step 'open pricing': Timeout Nms exceeded waiting for locator(\"#plan-N\")",
        ),
        ("session eyJhbGciOiJIUzI1NiJ9abcdef123456 expired", "session <id> expired"),
    ],
)
def test_the_normalised_message_strips_what_varies(error, normalised):
    assert normalise(error) == normalised
    assert fingerprint("x", error) == fingerprint("x", normalised)
    assert fingerprint("x", error) != fingerprint("y", error)  # one check's failure
    assert len(fingerprint("x", error) or "") == 12


def test_a_0002_history_is_migrated_keeping_its_rows_and_matches_the_schema(history, tmp_path):
    engine = connect(history.location, connect_timeout_s=5, statement_timeout_s=10)
    if history.path is not None:
        history.path.parent.mkdir(parents=True, exist_ok=True)
    old = simple(NOW, Status.FAIL, run_id="before")
    page = PageVitals("/login", {"lcp_ms": 252, "cls": 0.0})
    old = replace(old, checks=(old.checks[0], replace(old.checks[1], pages=(page,))))
    try:
        with engine.begin() as conn:  # a history the previous release wrote
            config = Config()
            config.set_main_option("script_location", "prodsmoke.history:migrations")
            config.attributes["connection"] = conn
            command.upgrade(config, "0002")
            doc = payload(old, "/results")
            row, check_rows = insertable(doc, NOW)
            row = {k: v for k, v in row.items() if k not in ("commit_sha", "version")}
            conn.execute(runs.insert().values(row))
            conn.execute(checks.insert(), [
                {k: v for k, v in c.items() if k != "fingerprint"} for c in check_rows
            ])  # fmt: skip
            conn.execute(page_vitals.insert(), doc["pages"])

        assert migrate(engine) == ("0002", HEAD)

        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert diff == []  # schema.py == the migrations, on both engines
    history.append(deploy(NOW + timedelta(hours=1), run_id="after"), tmp_path)
    stored = {r.run_id: r for r in history.runs()}
    before = stored["before"]
    assert (before.trigger, before.version, before.artifacts_url) == (
        Trigger.SCHEDULED,
        None,
        "/results",
    )
    assert before.checks[1].pages == (page,)  # the rebuilt tables kept their children
    assert before.fingerprints == {"login_flow": fingerprint("login_flow", old.checks[1].error)}
    assert stored["after"].trigger is Trigger.DEPLOY
    history.prune()  # the cascade still works after the rebuild
    assert {r.run_id for r in history.runs()} == {"before", "after"}


def test_a_payload_spooled_before_0003_lands_with_its_fingerprints(history, tmp_path):
    doc = payload(simple(NOW, Status.FAIL, run_id="old"), None)
    for key in ("commit_sha", "version"):
        doc["run"].pop(key)
    for check in doc["checks"]:
        check.pop("fingerprint")

    assert history.insert([doc]).inserted == 1
    assert history.runs()[0].fingerprints.keys() == {"login_flow"}


def test_a_state_changes_once_however_many_runners_see_it(history):
    alerts = AlertLog(history)
    history.migrate()
    since = NOW - timedelta(minutes=5)

    assert alerts.fire("production", "login_flow", since=since, run_id="a", severity="critical")
    assert not alerts.fire("production", "login_flow", since=since, run_id="b", severity=None)
    state = alerts.states("production")["login_flow"]
    assert (state.firing, state.since, state.run_id, state.severity) == (
        True,
        since,
        "a",
        "critical",
    )

    ended = alerts.resolve("production", "login_flow", run_id="c")
    assert ended is not None and ended.since == since
    assert alerts.resolve("production", "login_flow", run_id="d") is None
    assert alerts.states("production")["login_flow"].firing is False
    assert alerts.fire("production", "login_flow", since=NOW, run_id="e", severity=None)
    assert alerts.states("staging") == {}
