"""Web Vitals in the run history (issue 14): stored per page on both engines, migrated from a
0001 history, pruned with their run, and shown per check and page with a trend in the report."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import text

from prodsmoke.history import History
from prodsmoke.history.database import connect, migrate
from prodsmoke.history.report import render
from prodsmoke.history.rows import insertable, payload
from prodsmoke.history.schema import HEAD, metadata
from prodsmoke.results import CheckKind, PageVitals, Status
from tests.history.history_seed import NOW, result, run, simple

HOME = PageVitals(
    "/",
    {"ttfb_ms": 31, "fcp_ms": 96, "lcp_ms": 1708, "cls": 0.2499, "requests": 12,
     "transfer_bytes": 39069},
)  # fmt: skip
PAGES = (
    PageVitals("/login", {"ttfb_ms": 17, "fcp_ms": 84, "lcp_ms": 252, "cls": 0.0, "requests": 1,
                          "transfer_bytes": 4641}),
    PageVitals("/dashboard", {"ttfb_ms": 170, "cls": 0.0, "inp_ms": 48, "requests": 1,
                              "transfer_bytes": 4679}, loads=2),
)  # fmt: skip


def with_pages(at, **kwargs):
    checks = (
        result("health", latency=30),
        replace(
            result("homepage_load", latency=650, kind=CheckKind.JOURNEY, key="page_load_ms"),
            pages=(HOME,),
        ),
        replace(result("login_flow", latency=420, kind=CheckKind.JOURNEY, key="login_ms"),
                pages=PAGES),
    )  # fmt: skip
    return run(at, checks, **kwargs)


def count(history: History) -> int:
    with history.transaction(write=False) as conn:
        return int(conn.execute(text("SELECT count(*) FROM page_vitals")).scalar())


def test_each_page_comes_back_as_it_was_written(history, tmp_path):
    written = with_pages(NOW)

    history.append(written, tmp_path)

    (stored,) = history.runs()
    assert stored.checks == written.checks
    login = stored.checks[2]
    assert [p.path for p in login.pages] == ["/login", "/dashboard"]  # in the order loaded
    assert login.pages[1].vitals == {"ttfb_ms": 170, "cls": 0, "inp_ms": 48, "requests": 1,
                                     "transfer_bytes": 4679}  # fmt: skip
    assert isinstance(login.pages[1].vitals["ttfb_ms"], int)  # whole, as in results.json
    assert count(history) == 3


def test_pages_go_with_their_run_when_it_is_pruned(history, tmp_path):
    history.append(with_pages(NOW - timedelta(days=8), run_id="old"), tmp_path)
    history.append(with_pages(NOW - timedelta(days=1), run_id="recent"), tmp_path)
    history.retention_days = 7

    history.append(simple(NOW, run_id="new"), tmp_path)

    assert count(history) == 3


def test_a_payload_spooled_before_pages_were_kept_still_lands(history, tmp_path):
    doc = payload(with_pages(NOW), None)
    doc.pop("pages")  # what an older prodsmoke spooled

    assert history.insert([doc]).inserted == 1

    assert [c.pages for c in history.runs()[0].checks] == [(), (), ()]


def test_a_0001_history_is_migrated_keeping_its_runs_and_matches_the_schema(history, tmp_path):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext

    from prodsmoke.history.schema import checks, runs

    engine = connect(history.location, connect_timeout_s=5, statement_timeout_s=10)
    if history.path is not None:
        history.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with engine.begin() as conn:  # an existing history, written by the previous release
            config = Config()
            config.set_main_option("script_location", "prodsmoke.history:migrations")
            config.attributes["connection"] = conn
            command.upgrade(config, "0001")
            row, check_rows = insertable(payload(simple(NOW, run_id="before"), None), NOW)
            # the columns 0001 has (revision 0003 added commit_sha, version and fingerprint)
            row = {k: v for k, v in row.items() if k not in ("commit_sha", "version")}
            check_rows = [{k: v for k, v in c.items() if k != "fingerprint"} for c in check_rows]
            conn.execute(runs.insert().values(row))
            conn.execute(checks.insert(), check_rows)

        assert migrate(engine) == ("0001", HEAD)

        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert [d for d in diff if "page_vitals" in repr(d)] == []  # schema.py == the migrations
    history.append(with_pages(NOW, run_id="after"), tmp_path)
    stored = {r.run_id: r for r in history.runs()}
    assert [c.pages for c in stored["before"].checks] == [(), ()]
    assert stored["after"].checks[1].pages == (HOME,)


def test_the_report_shows_each_page_with_its_trend_and_p75_on_googles_scale(tmp_path):
    history = History(tmp_path / "history.sqlite")
    runs = []
    for step in range(48):  # a day of runs; the homepage's LCP grows, its CLS is poor
        at = NOW - timedelta(minutes=30 * (47 - step))
        slow = replace(HOME, vitals={**HOME.vitals, "lcp_ms": 2000 + 40 * step, "cls": 0.31})
        built = with_pages(at)
        checks = (built.checks[0], replace(built.checks[1], pages=(slow,)), built.checks[2])
        runs.append(replace(built, checks=checks))
    history.extend(runs, tmp_path)

    page = render(history.runs(), out=tmp_path / "report.html", now=NOW)

    section = page.split("<h3>Web Vitals</h3>", 1)[1].split("<h3>", 1)[0]
    rows = section.split("<tr>")[2:]
    named = [tuple(c.split("<")[0] for c in r.split("<code>")[1:3]) for r in rows]
    assert named == [("homepage_load", "/"), ("login_flow", "/login"), ("login_flow", "/dashboard")]
    home = rows[0]
    assert '<svg class="trend"' in home and "<polyline" in home  # LCP p50 in its p95 band
    cells = home.split("</td>")[2:9]  # TTFB FCP LCP CLS INP requests transfer size
    assert 'class="num good"' in cells[0] and cells[0].endswith(">31 ms")
    assert 'class="num ok"' in cells[2]  # LCP p75 ~3.4 s: needs improvement
    assert 'class="num bad"' in cells[3] and cells[3].endswith(">0.31")  # CLS over 0.25: poor
    assert "&ndash;" in cells[4]  # never interacted: no INP
    assert cells[6].endswith(">39.1 kB")
    assert 'title="latest 3880 ms · 48 runs"' in cells[2]
    dashboard = rows[2]
    assert "no paint measured" not in dashboard  # TTFB is drawn when there is no paint
    assert '<div class="muted">TTFB</div>' in dashboard


def test_no_section_without_pages(tmp_path):
    history = History(tmp_path / "history.sqlite")
    history.append(simple(NOW), tmp_path)

    assert "Web Vitals" not in render(history.runs(), out=tmp_path / "r.html", now=NOW)


def test_skipped_checks_add_nothing_to_the_section(tmp_path):
    history = History(tmp_path / "history.sqlite")
    built = with_pages(NOW)
    skipped = tuple(replace(c, status=Status.SKIP) for c in built.checks)
    history.append(replace(built, checks=skipped), tmp_path)

    assert "Web Vitals" not in render(history.runs(), out=tmp_path / "r.html", now=NOW)
