"""The report's visual differences (SPEC §18): a journey's latest baseline difference, its images
side by side when the page can reach them, links when they are in S3 or on a CI run page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prodsmoke.history import visual_report
from prodsmoke.history.stats import Observation
from prodsmoke.results import CheckKind, CheckResult, Status

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
RUN = "artifacts/20261206T110000Z-abcdef/pricing_plans"


def seen(status: Status, artifacts: tuple[str, ...], *, url: str | None, ago: int) -> Observation:
    check = CheckResult(
        id="pricing_plans", kind=CheckKind.JOURNEY, status=status, duration_ms=500,
        error="screenshot 'pricing' differs from baselines/demo/pricing_plans/pricing-x.png: 4% "
        "of pixels" if artifacts else None, artifacts=artifacts,
    )  # fmt: skip
    return Observation(NOW - timedelta(minutes=ago), "r", "us-east-1", url, check)


IMAGES = tuple(f"{RUN}/pricing-{part}.png" for part in ("expected", "actual", "diff"))
ARIA = (f"{RUN}/main-nav-expected.aria.yml", f"{RUN}/main-nav-aria-diff.txt")


def link(url: str, artifact: str) -> str:
    return f"{url}|{artifact}"


def test_the_latest_difference_shows_expected_actual_and_diff_side_by_side() -> None:
    results = [
        seen(Status.WARN, (*IMAGES, *ARIA), url="/runs/out", ago=60),
        seen(Status.PASS, (), url="/runs/out", ago=30),
    ]
    html = visual_report.section({"pricing_plans": results}, link=link)
    assert "<h3>Visual differences</h3>" in html
    assert "since then it has not differed" in html
    for part in ("expected", "actual", "diff"):
        assert f'<img src="/runs/out|{RUN}/pricing-{part}.png" alt="{part}: pricing"' in html
    assert html.index("pricing-expected") < html.index("pricing-actual") < html.index("-diff.png")
    assert f'<a href="/runs/out|{RUN}/main-nav-aria-diff.txt">diff</a>' in html
    assert "differs from baselines/demo/pricing_plans/pricing-x.png" in html


def test_artifacts_in_s3_are_links_and_no_difference_is_no_section() -> None:
    s3 = [seen(Status.WARN, IMAGES, url="s3://bucket/runs/r", ago=5)]
    html = visual_report.section({"pricing_plans": s3}, link=link)
    assert "<img" not in html and f'href="s3://bucket/runs/r|{RUN}/pricing-diff.png">diff' in html
    assert "its latest result" in html
    clean = [seen(Status.PASS, (f"{RUN}/attempt-1/pricing-diff.png",), url="/x", ago=5)]
    assert visual_report.section({"pricing_plans": clean}, link=link) == ""
