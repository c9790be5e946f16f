"""Baselines without a browser (SPEC §18): the image diff is pixelmatch's, names say the build,
`commit` records only what passed, and an ARIA snapshot never keeps a secret."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pixelmatch.contrib.PIL import pixelmatch

from prodsmoke import redact
from prodsmoke.e2e.baselines import imagediff
from prodsmoke.e2e.baselines.aria import mask_secrets, summary
from prodsmoke.e2e.baselines.store import BaselineStore, build_of, commit, update_hint
from prodsmoke.options import BaselineMode
from prodsmoke.results import CheckKind, CheckResult, Status


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def page(text_at: int = 0, *, size: tuple[int, int] = (320, 120), box: bool = False) -> Image.Image:
    image = Image.new("RGBA", size, "white")
    draw = ImageDraw.Draw(image)
    for row in range(4):
        draw.text((10 + text_at, 10 + 25 * row), f"Pro plan {row}: $12 / month", fill="black")
    if box:
        draw.rectangle((200, 20, 260, 60), fill="#5b4ee6")
    return image


def test_identical_images_cost_a_byte_comparison_and_need_no_library(monkeypatch) -> None:
    monkeypatch.setattr(imagediff, "libraries", lambda: pytest.fail("decoded identical bytes"))
    same = png(page())
    diff = imagediff.compare(same, same)
    assert (diff.differing, diff.ratio, diff.diff_png, diff.size_change) == (0, 0.0, None, None)
    assert (diff.width, diff.height) == (320, 120)


@pytest.mark.parametrize("threshold", [0.1, 0.2])
def test_the_count_is_pixelmatchs_own(threshold: float) -> None:
    before, after = page(), page(text_at=1, box=True)
    expected = pixelmatch(before, after, Image.new("RGBA", before.size), threshold=threshold)
    diff = imagediff.compare(png(before), png(after), threshold=threshold)
    assert diff.differing == expected > 0
    assert diff.ratio == pytest.approx(expected / (320 * 120))
    shown = Image.open(io.BytesIO(diff.diff_png or b""))
    assert shown.size == before.size
    assert shown.convert("RGB").getpixel((230, 40)) == (255, 0, 0)  # the new box: red


def test_a_size_change_is_said_and_counted() -> None:
    diff = imagediff.compare(png(page()), png(page(size=(320, 140))))
    assert diff.size_change == "320x120 → 320x140"
    assert (diff.width, diff.height) == (320, 140)
    assert diff.differing >= 320 * 20  # the new rows differ from nothing at all


def test_without_pillow_or_pixelmatch_it_says_how_to_install_them(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pixelmatch", None)
    with pytest.raises(imagediff.DiffUnavailable, match=r"pip install 'prodsmoke\[visual\]'"):
        imagediff.compare(png(page()), png(page(box=True)))


def test_screenshots_are_named_per_browser_major_version_and_platform(tmp_path: Path) -> None:
    store = BaselineStore(tmp_path / "baselines" / "prod", "prod")
    build = build_of("chromium", "156.0.8078.129")
    assert build == f"chromium-156-{'linux' if sys.platform.startswith('linux') else build[13:]}"
    path = store.screenshot_file("pricing_plans", "pricing", build)
    assert path == tmp_path / "baselines/prod/pricing_plans" / f"pricing-{build}.png"
    assert store.shown(path) == f"baselines/prod/pricing_plans/pricing-{build}.png"
    assert store.aria_file("x", "main-nav").name == "main-nav.aria.yml"
    path.parent.mkdir(parents=True)
    for other in (build, "chromium-145-linux", "chromium-150-darwin"):
        (path.parent / f"pricing-{other}.png").write_bytes(b"")
    (path.parent / "pricing-large-chromium-145-linux.png").write_bytes(b"")  # another baseline
    assert store.other_builds("pricing_plans", "pricing", build) == [
        "chromium-145-linux",
        "chromium-150-darwin",
    ]


def test_the_hint_names_the_runs_own_config_folder() -> None:
    hint = update_hint("smoke repro --env {env} --config ops/config {check}", "prod")
    assert hint.format(env="prod", check="x") == (
        "smoke baseline update --env prod --config ops/config --check x"
    )
    assert update_hint("something else {check}", "prod") == (
        "smoke baseline update --env {env} --check {check}"
    )


def result(check: str, status: Status, attempts: int = 1) -> CheckResult:
    return CheckResult(
        id=check, kind=CheckKind.JOURNEY, status=status, duration_ms=1, attempts=attempts,
        error="broke" if status is Status.FAIL else None,
    )  # fmt: skip


def test_commit_records_the_verdict_attempt_of_what_passed_only(tmp_path: Path) -> None:
    store = BaselineStore(
        tmp_path / "baselines" / "prod", "prod", BaselineMode.UPDATE, staging=tmp_path / "stage"
    )
    kept = store.aria_file("flaky", "nav")
    kept.parent.mkdir(parents=True)
    kept.write_text("old\n")
    store.stage("flaky", 1, kept, b"from the failed attempt\n")
    store.stage("flaky", 2, kept, b"new\n")
    store.stage("flaky", 2, store.screenshot_file("flaky", "card", "chromium-1-linux"), b"png")
    store.stage("steady", 1, store.aria_file("steady", "nav"), None)
    store.stage("broken", 1, store.aria_file("broken", "nav"), b"x\n")
    changes = commit(
        store,
        [result("flaky", Status.PASS, 2), result("steady", Status.WARN),
         result("broken", Status.FAIL), result("other", Status.PASS)],
    )  # fmt: skip
    assert kept.read_text() == "new\n"
    assert changes.changed == [kept]
    assert changes.new == [store.screenshot_file("flaky", "card", "chromium-1-linux")]
    assert changes.unchanged == [store.aria_file("steady", "nav")]
    assert changes.not_recorded == [("broken", "broke")]
    assert not store.aria_file("broken", "nav").exists()
    assert not (tmp_path / "stage").exists()


SECRET = "Sm0ke p@ss/w+rd-42"


def test_an_aria_snapshot_keeps_no_secret_but_still_matches_the_page() -> None:
    redact.register_secret(SECRET)
    snapshot = (
        '- textbox "Email": smoke@example.com\n'
        f'- textbox "Password": {SECRET}\n'
        f'- heading "Hello {SECRET}." [level=2]\n'
        f'- text: "note: {SECRET}"\n'
        '- button "Log in"\n'
    )
    masked = mask_secrets(snapshot)
    assert SECRET not in masked
    assert masked.splitlines() == [
        '- textbox "Email": smoke@example.com',
        '- textbox "Password": /.+/  # masked: it held a secret',
        "- heading /Hello .+\\./ [level=2]  # masked: it held a secret",
        "- text: /note: .+/  # masked: it held a secret",
        '- button "Log in"',
    ]
    assert mask_secrets(masked) == masked


def test_an_aria_difference_is_summed_up_in_a_line() -> None:
    diff = ["--- a", "+++ b", "@@ -1,3 +1,2 @@", " - navigation:", '-  - link "Examples"', "+  - x"]
    assert summary(diff) == "missing '- link \"Examples\"'; new '- x'"
