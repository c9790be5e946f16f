"""The `history` reporter: stored windows, artifacts URL, concurrent writers, a damaged file;
and `runner.annotate`, which marks a run with them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from prodsmoke.aws_lambda.upload import run_prefix
from prodsmoke.config.maintenance import MaintenanceWindow
from prodsmoke.errors import HistoryNote
from prodsmoke.history import History, MaintenanceLog
from prodsmoke.reporters.history import HistoryReporter, artifacts_url
from prodsmoke.reporters.spool import Spool
from prodsmoke.results import Trigger
from prodsmoke.runner import annotate
from tests.history.history_seed import NOW, simple


def reporter(history, tmp_path, **kwargs):
    return HistoryReporter(
        history, Spool(tmp_path / "spool" / "history"), env="production", **kwargs
    )


def test_runs_are_marked_adhoc_and_with_their_maintenance_window(history, tmp_path):
    noon = NOW.replace(hour=12)
    window = MaintenanceLog(history).add(
        "production",
        starts_at=noon - timedelta(minutes=5),
        ends_at=noon + timedelta(minutes=40),
        reason="database upgrade",
        created_by="ops",
    )
    nightly = (MaintenanceWindow(cron="0 3 * * *", duration="1h", reason="nightly vacuum"),)
    stored = reporter(history, tmp_path).stored_windows()

    inside = annotate(simple(noon), adhoc=False, stored=stored, recurring=nightly)
    by_hand = annotate(simple(noon + timedelta(hours=2)), adhoc=True, stored=stored)
    at_three = annotate(simple(NOW.replace(hour=3, minute=20)), adhoc=False, recurring=nightly)

    assert (inside.trigger, inside.maintenance) == (Trigger.SCHEDULED, window.reason)
    assert (by_hand.trigger, by_hand.maintenance) == (Trigger.ADHOC, None)
    assert at_three.maintenance == "nightly vacuum"
    assert annotate(simple(NOW), adhoc=True).trigger is Trigger.ADHOC


def test_the_artifacts_url_is_the_s3_prefix_the_run_page_or_the_folder(tmp_path):
    run = simple(NOW, region="eu-west-1")
    in_lambda = {
        "AWS_LAMBDA_FUNCTION_NAME": "prodsmoke-production",
        "SMOKE_ARTIFACT_BUCKET": "smoke-artifacts",
        "SMOKE_ARTIFACT_PREFIX": "prodsmoke",
    }
    actions = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_RUN_ID": "4242",
    }
    history = History(tmp_path / "h.sqlite")
    written = reporter(history, tmp_path, artifacts_url=artifacts_url(in_lambda, tmp_path))
    written.report(run)

    assert history.runs()[0].artifacts_url == (
        f"s3://smoke-artifacts/{run_prefix('prodsmoke', run)}/"
    )
    assert artifacts_url(actions, tmp_path) == "https://github.com/acme/shop/actions/runs/4242"
    assert artifacts_url({}, tmp_path / "out") == str((tmp_path / "out").resolve())
    history.close()


def test_a_damaged_history_costs_one_warning_and_keeps_the_run(tmp_path):
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"\x00garbage" * 500)
    mine = reporter(History(path), tmp_path)

    with pytest.raises(HistoryNote) as note:
        mine.report(simple(NOW, run_id="kept"))

    assert str(note.value).count("was damaged") == 1
    assert "\n" not in str(note.value)
    assert len(list(tmp_path.glob("history.sqlite.corrupt-*"))) == 1
    assert [r.run_id for r in History(path).runs()] == ["kept"]
    mine.report(simple(NOW, run_id="next"))  # then quiet again
    assert len(History(path).runs()) == 2


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import timedelta
    sys.path.insert(0, {seed!r})
    from tests.history.history_seed import NOW, simple
    from prodsmoke.history import History
    history = History({url!r})
    for i in range(20):
        history.append(simple(NOW - timedelta(minutes=i), region=sys.argv[1],
                              run_id=f"{{sys.argv[1]}}-{{i}}"), "/results")
    history.close()
    """
)


def test_three_runners_writing_at_once_all_land(history):
    url = history.location.given or history.location.url
    script = WRITER.format(seed=str(Path(__file__).parent), url=url)
    writers = [
        subprocess.Popen([sys.executable, "-c", script, region], stderr=subprocess.PIPE, text=True)
        for region in ("us-east-1", "us-west-2", "eu-west-1")
    ]  # a fresh database: the three also race to create the schema
    errors = [w.communicate(timeout=120)[1] for w in writers]

    assert [w.returncode for w in writers] == [0, 0, 0], errors
    history = History(url)
    runs = history.runs()
    history.close()
    assert len(runs) == 60 and len({r.run_id for r in runs}) == 60
    assert {r.region for r in runs} == {"us-east-1", "us-west-2", "eu-west-1"}
