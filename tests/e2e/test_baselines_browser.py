"""Baselines in a real Chromium against the real demo target (SPEC §18): each demo fault is
caught by the baseline meant for it and no other, a typed password never reaches a baseline or an
artifact, and `smoke baseline update` records only what changed."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from prodsmoke.demo import DemoServer, Faults
from tests.conftest import DEMO_PASSWORD
from tests.e2e.test_secret_leaks import everything, forms
from tests.smoke_cli import demo_config, smoke

pytestmark = pytest.mark.browser

BASELINE_CHECKS = {"homepage_looks", "pricing_plans", "dashboard_history"}
SAID_BY_BASELINES = ("baseline", "ARIA snapshot", "screenshot")


def results(output: Path) -> dict[str, Any]:
    return json.loads((output / "results.json").read_text())


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in doc["checks"]}


def differences(check: dict[str, Any]) -> set[str]:
    return {Path(a).name for a in check["artifacts"] if a.endswith(("-diff.png", "-diff.txt"))}


@pytest.mark.parametrize(
    ("fault", "caught_by", "status", "said", "kept"),
    [
        ("", None, None, None, None),
        (
            "nav-missing-item",
            "homepage_looks",
            "fail",
            "ARIA snapshot 'main-nav' differs from baselines/demo/homepage_looks/main-nav.aria.yml:"
            " missing '- link \"Examples\":'",
            "main-nav-aria-diff.txt",
        ),
        (
            "pricing-restyle",
            "pricing_plans",
            "warn",
            "screenshot 'pricing' differs from baselines/demo/pricing_plans/pricing-chromium-",
            "pricing-diff.png",
        ),
        (
            "banner-over-button",
            "homepage_looks",
            "warn",
            "screenshot 'home-card' differs from baselines/demo/homepage_looks/home-card-chromium-",
            "home-card-diff.png",
        ),
    ],
)
def test_each_fault_is_caught_by_the_baseline_meant_for_it_and_no_other(
    tmp_path: Path,
    fault: str,
    caught_by: str | None,
    status: str | None,
    said: str | None,
    kept: str | None,
) -> None:
    proc = smoke("demo", *(["--fault", fault] if fault else []), "--output", str(tmp_path))
    assert proc.returncode == (1 if status == "fail" else 0), proc.stdout + proc.stderr
    checks = by_id(results(tmp_path))
    assert set(checks) >= BASELINE_CHECKS
    for check_id, check in checks.items():
        if check_id == caught_by:
            assert check["status"] == status
            assert said is not None and said in check["error"], check["error"]
            assert kept is not None and kept in differences(check)
            name, kind = kept.split("-diff")[0].removesuffix("-aria"), kept.endswith(".png")
            suffix = ".png" if kind else ".aria.yml"
            assert {f"{name}-expected{suffix}", f"{name}-actual{suffix}"} <= {
                Path(a).name for a in check["artifacts"]
            }
            continue
        # every other check works; a timing may be over its warn threshold on a busy machine
        assert check["status"] in ("pass", "warn"), check
        assert not any(s in (check["error"] or "") for s in SAID_BY_BASELINES), check
        assert differences(check) == set()


PASSWORD = 'Sm0ke p@ss/"w+rd"&=é-42'  # every encoding treats one of these differently
LOOKS = """\
login_form_looks:
  account: basic
  steps:
    - goto: /login
    - fill: {"#email": "${account.username}", "#password": "${account.password}"}
    - expect_aria: {selector: "#login-form", baseline: login-form}
    - expect_screenshot: {selector: "#login-form", baseline: login-form}
pricing_strict:
  steps:
    - goto: /pricing
    - expect_screenshot: {selector: "#pricing", baseline: pricing, mask: [.price-updated-at],
                          on_diff: fail}
"""


def project(tmp_path: Path) -> Path:
    def edit(text: str) -> str:
        indented = "".join(f"  {line}\n" for line in LOOKS.splitlines())
        return text.replace("# A locked account", indented + "# A locked account")

    return demo_config(tmp_path, edit)


def run(
    command: str, config: Path, target: DemoServer, output: Path, *checks: str,
    password: str = DEMO_PASSWORD,
) -> Any:  # fmt: skip
    argv = [*command.split(), "--env", "demo", "--config", str(config), "--output", str(output)]
    return smoke(
        *argv, *(f"--check={c}" for c in checks),
        env={"SMOKE_DEMO_URL": target.url, "SMOKE_TEST_PASSWORD": password},
        timeout=180,
    )  # fmt: skip


def magenta_box(png: bytes) -> tuple[int, int]:
    """The width and height of the largest run of the mask colour (Playwright's #FF00FF)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    rows = [
        sum(image.getpixel((x, y)) == (255, 0, 255) for x in range(image.width))
        for y in range(image.height)
    ]
    return max(rows), sum(r > 0 for r in rows)


def test_a_typed_password_is_masked_in_the_screenshot_and_absent_from_the_aria_file(
    tmp_path: Path,
) -> None:
    config = project(tmp_path)
    baselines = tmp_path / "baselines" / "demo"
    checks = ("login_form_looks", "dashboard_history")
    with DemoServer(password=PASSWORD) as target:
        recorded = run(
            "baseline update", config, target, tmp_path / "rec", *checks, password=PASSWORD
        )
        assert recorded.returncode == 0, recorded.stdout + recorded.stderr
        # the YAML journey's are new; the Python journey's (packaged) still hold: left alone
        assert "baselines (Chromium " in recorded.stdout and ": 2 written, 2 unchanged" in (
            recorded.stdout
        )
        assert f"  new      {baselines}/login_form_looks/login-form.aria.yml" in recorded.stdout
        again = run(
            "baseline update", config, target, tmp_path / "again", *checks, password=PASSWORD
        )
        assert ": 0 written, 4 unchanged" in again.stdout, again.stdout
    aria = (baselines / "login_form_looks" / "login-form.aria.yml").read_text()
    assert '- textbox "Password": /.+/  # masked: it held a secret' in aria
    assert "smoke-test-basic@betterprompts.com" in aria  # a user name is no secret
    (shot,) = (baselines / "login_form_looks").glob("login-form-chromium-*.png")
    width, height = magenta_box(shot.read_bytes())
    assert width > 250 and height > 30  # the password field, painted over whole
    leaks = [(name, form) for name, data in everything(tmp_path)
             for form, needle in forms(PASSWORD).items() if needle in data]  # fmt: skip
    assert leaks == []
    # Another password (another length): the baselines still hold; nothing of it is kept either.
    other = "another-Passw0rd-that-is-longer-than-the-first"
    with DemoServer(password=other) as target:
        proc = run("run", config, target, tmp_path / "cmp", *checks, password=other)
    doc = results(tmp_path / "cmp")
    assert [c["status"] for c in doc["checks"]] == ["pass", "pass"], proc.stdout
    assert not [n for n, d in everything(tmp_path) for f in forms(other).values() if f in d]


def test_a_missing_build_warns_how_to_record_it_and_on_diff_fail_fails(
    tmp_path: Path, demo_target: DemoServer
) -> None:
    config = project(tmp_path)
    pricing = tmp_path / "baselines" / "demo" / "pricing_plans"
    (current,) = pricing.glob("pricing-chromium-*.png")
    shutil.move(current, pricing / "pricing-chromium-1-linux.png")  # as after a Chromium upgrade
    proc = run("run", config, demo_target, tmp_path / "out", "pricing_plans", "pricing_strict")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checks = by_id(results(tmp_path / "out"))
    warned = checks["pricing_plans"]
    assert warned["status"] == "warn"
    assert warned["error"].startswith(
        f"no screenshot baseline 'pricing' for this browser build "
        f"(baselines/demo/pricing_plans/{current.name}; the page's is in the artifacts); there "
        "are baselines for chromium-1-linux; record it with: smoke baseline update --env demo "
        f"--config {config} --check pricing_plans"
    )
    assert {Path(a).name for a in warned["artifacts"]} == {"pricing-actual.png"}
    assert checks["pricing_strict"]["status"] == "warn"  # no baseline of its own yet
    recorded = run("baseline update", config, demo_target, tmp_path / "rec", "pricing_strict")
    assert recorded.returncode == 0 and "1 written" in recorded.stdout, recorded.stdout
    demo_target.set_faults(Faults(pricing_restyle=True))
    proc = run("run", config, demo_target, tmp_path / "strict", "pricing_strict")
    assert proc.returncode == 1
    strict = by_id(results(tmp_path / "strict"))["pricing_strict"]
    assert strict["status"] == "fail" and strict["failure_class"] == "product"
    assert (
        "screenshot 'pricing' differs from baselines/demo/pricing_strict/pricing-chromium-"
        in (strict["error"])
    )
    assert {"pricing-expected.png", "pricing-actual.png", "pricing-diff.png"} <= {
        Path(a).name for a in strict["artifacts"]
    }
