"""The report's deploys, flaky checks and errors (issue 22): deploys marked on the trend charts,
the flaky rate over the window worst first, failures grouped by fingerprint with first and
last seen, count, regions, and `new` for a fingerprint first seen in the last day."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from prodsmoke.cli import main
from prodsmoke.history import History
from prodsmoke.history.analytics import error_groups, flaky_checks
from prodsmoke.history.report import render
from prodsmoke.results import CheckKind, Status, Trigger
from tests.history.history_seed import NOW, result, run


def day_of_runs(history: History, tmp_path) -> None:
    """Two days from two regions: `login_flow` failing one way 40 h ago and another way an hour
    ago, `homepage_load` flaky one run in four, `api_health` flaky once; 1.4.1 deployed 30 h ago
    and 1.4.2 3 h ago."""
    runs = []
    for step in range(96):
        at = NOW - timedelta(hours=48) + timedelta(minutes=30 * step)
        for region in ("us-east-1", "eu-west-1"):
            old_outage = timedelta(hours=40) <= NOW - at <= timedelta(hours=41)
            new_outage = NOW - at <= timedelta(hours=1) and region == "eu-west-1"
            login = result("login_flow", Status.FAIL if old_outage or new_outage else Status.PASS,
                           420, kind=CheckKind.JOURNEY, key="login_ms")  # fmt: skip
            if new_outage:
                login = replace(
                    login, error=f"step 'log in': #user-email not visible after {step} s"
                )
            home = result("homepage_load", latency=650, kind=CheckKind.JOURNEY, key="page_load_ms",
                          attempts=2 if step % 4 == 0 else 1)  # fmt: skip
            home = replace(home, flaky=home.attempts > 1)
            api = result("api_health", latency=140, attempts=2 if step == 7 else 1)
            api = replace(api, flaky=api.attempts > 1)
            runs.append(run(at, (result("health", latency=30), api, home, login), region=region))
    for hours, version in ((30, "1.4.1"), (3, "1.4.2")):
        at = NOW - timedelta(hours=hours) + timedelta(minutes=5)
        checks = (
            result("health", latency=30),
            result("homepage_load", latency=900, kind=CheckKind.JOURNEY, key="page_load_ms"),
        )
        runs.append(replace(run(at, checks, run_id=f"deploy-{version}"), trigger=Trigger.DEPLOY,
                            version=version, commit="ab" * 20))  # fmt: skip
    history.extend(runs, tmp_path)


def test_flaky_checks_are_ranked_by_their_rate_over_the_window(tmp_path):
    history = History(tmp_path / "history.sqlite")
    day_of_runs(history, tmp_path)

    found = flaky_checks(history.runs())

    assert [(f.check, f.flaky, f.ran) for f in found] == [
        ("homepage_load", 48, 194),  # one run in four from each region, plus two deploy runs
        ("api_health", 2, 192),
    ]
    assert round(found[0].rate, 3) == 0.247
    assert found[1].regions == ("eu-west-1", "us-east-1")


def test_errors_are_grouped_by_fingerprint_and_a_recent_first_sighting_is_new(tmp_path):
    history = History(tmp_path / "history.sqlite")
    day_of_runs(history, tmp_path)

    groups = error_groups(history.runs(), now=NOW)

    assert [(g.check, g.count, sorted(g.regions), g.new) for g in groups] == [
        ("login_flow", 2, ["eu-west-1"], True),  # "after N s": one fingerprint, whatever N
        ("login_flow", 6, ["eu-west-1", "us-east-1"], False),
    ]
    newest, oldest = groups
    assert (newest.first_seen, newest.last_seen) == (
        NOW - timedelta(hours=1),
        NOW - timedelta(minutes=30),
    )
    assert oldest.error == "login_flow: GET /health answered HTTP 503"
    # the whole history's first sighting wins over the runs at hand
    earlier = {newest.fingerprint: NOW - timedelta(days=20)}
    assert not error_groups(history.runs(), now=NOW, first_seen=earlier)[0].new


def test_the_report_marks_deploys_on_the_trends_and_lists_flaky_checks_errors_and_deploys(
    tmp_path, capsys
):
    history = History(tmp_path / "out" / "history.sqlite")
    day_of_runs(history, tmp_path)
    page = render(history.runs(), out=tmp_path / "report.html", now=NOW)

    home = page.split("<code>homepage_load</code>", 1)[1].split("</tr>", 1)[0]
    marks = re.findall(r'<line [^>]*class="deploy"[^>]*><title>([^<]+)</title>', home)
    assert [m.split(" · ")[0] for m in marks] == ["deploy 1.4.1", "deploy 1.4.2"]
    flaky = page.split("<h3>Flaky checks</h3>", 1)[1].split("</table>", 1)[0]
    assert flaky.index("homepage_load") < flaky.index("api_health")
    assert '<td class="num bad">25%</td>' in flaky
    errors = page.split("<h3>Errors</h3>", 1)[1].split("</table>", 1)[0]
    assert errors.count("<tr>") == 3  # the head and two groups
    assert errors.count('<span class="pill fail">new</span>') == 1
    assert "#user-email not visible after" in errors
    deploys = page.split("<h3>Deploys", 1)[1].split("</table>", 1)[0]
    assert deploys.index("1.4.2") < deploys.index("1.4.1")  # newest first
    # the deploy runs are in no pass rate: the 24 h card counts scheduled runs only
    assert "94 of 96 runs passed" in page

    assert main(["report", "--output", str(tmp_path / "out")]) == 0
    assert "<h3>Errors</h3>" in (tmp_path / "out" / "report.html").read_text()
    capsys.readouterr()
