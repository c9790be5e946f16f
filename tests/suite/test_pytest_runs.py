"""How prodsmoke runs pytest tests (issue 18): at once, with ids for any name, their fixtures torn
down even when time runs out, the same artifacts under the plugin, a budget you see coming,
collection errors as configuration errors, and a `smoke` fixture that is inert under plain
pytest. Real Chromium against the real demo target."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from prodsmoke.demo import DemoServer
from tests.smoke_cli import clean_env, smoke
from tests.suite.test_team_suites import DEMO_PASSWORD, suite_config, verdicts, write

pytestmark = pytest.mark.browser


def run(
    config: Path, target: DemoServer, output: Path, *argv: str
) -> subprocess.CompletedProcess[str]:
    return smoke(
        "run", "--env", "demo", "--config", str(config), "--output", str(output), *argv,
        env={"SMOKE_DEMO_URL": target.url, "SMOKE_TEST_PASSWORD": DEMO_PASSWORD},
        timeout=240,
    )  # fmt: skip


def plugin(
    tmp_path: Path, target: DemoServer, *argv: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *argv],
        cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False,
        env=clean_env(SMOKE_DEMO_URL=target.url, SMOKE_TEST_PASSWORD=DEMO_PASSWORD, **(env or {})),
    )  # fmt: skip


def test_tests_run_at_once_each_with_its_own_page(demo_target: DemoServer, tmp_path: Path) -> None:
    body = """
        import json, time
        from pathlib import Path

        def record(name, page):
            began = time.time()
            page.goto("/pricing")
            page.wait_for_timeout(1500)
            Path(__file__).with_name(name + ".json").write_text(
                json.dumps({"began": began, "ended": time.time(), "page": id(page)})
            )
    """
    files = {"tests/timing.py": body}
    for n in range(3):
        files[f"tests/test_at_once_{n}.py"] = (
            f"from timing import record\n\ndef test_at_once_{n}(page):\n    record('t{n}', page)\n"
        )
    write(tmp_path, files)
    proc = run(suite_config(tmp_path), demo_target, tmp_path / "out")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    spans = [json.loads((tmp_path / "tests" / f"t{n}.json").read_text()) for n in range(3)]
    latest_start = max(s["began"] for s in spans)
    earliest_end = min(s["ended"] for s in spans)
    assert latest_start < earliest_end  # all three were running at one moment
    assert len({s["page"] for s in spans}) == 3  # each its own page


def test_the_same_test_name_in_two_files_gets_two_ids(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    write(
        tmp_path,
        {
            "tests/test_cart.py": "def test_open(page):\n    page.goto('/')\n",
            "tests/test_search.py": "def test_open(page):\n    page.goto('/examples')\n",
        },
    )
    proc = run(suite_config(tmp_path), demo_target, tmp_path / "out")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = verdicts(tmp_path / "out")
    assert {"cart__open", "search__open"} <= set(found)


def test_time_up_still_tears_the_fixtures_down(demo_target: DemoServer, tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tests/test_hang.py": """
                from pathlib import Path
                import pytest

                @pytest.fixture
                def tidy(page):
                    yield
                    Path(__file__).with_name("torn-down").write_text(page.url)

                def test_hangs(page, tidy):
                    page.goto("/")
                    page.wait_for_timeout(60_000)
            """
        },
    )
    config = suite_config(tmp_path)
    env_file = config / "environments" / "demo.yaml"
    env_file.write_text(
        env_file.read_text().replace("journeys:\n", "journeys:\n  hangs: {timeout_s: 4}\n", 1)
    )
    proc = run(config, demo_target, tmp_path / "out", "--check", "hangs")
    found = verdicts(tmp_path / "out")["hangs"]
    assert found["status"] == "fail", proc.stdout + proc.stderr
    assert found["error"].startswith("did not finish within 2.5 s"), found["error"]
    assert (tmp_path / "tests" / "torn-down").read_text().endswith("/")  # teardown ran


FAILING = {
    "tests/test_failing.py": """
        from playwright.sync_api import Page, expect

        def test_missing(page: Page) -> None:
            page.goto("/pricing")
            expect(page.locator("#no-such-thing")).to_be_visible(timeout=500)
    """
}


def test_the_plugin_keeps_trace_and_har_of_failed_attempts_by_default(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    write(tmp_path, FAILING)
    config = suite_config(tmp_path)
    output = tmp_path / "out"
    proc = plugin(
        tmp_path, demo_target, "tests", "--smoke-env", "demo", "--smoke-config", str(config),
        "--smoke-results", str(output),
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    check = verdicts(output)["missing"]
    names = {Path(a).name for a in check["artifacts"]}
    assert {"trace.zip", "network.har", "screenshot.png", "console.log"} <= names, names
    assert check["failure_class"] == "product"


def test_collection_errors_are_a_configuration_error_and_nothing_is_recorded(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    write(
        tmp_path,
        {
            "tests/test_broken.py": "import pytest\n\n"
            "@pytest.mark.parametrize('a', [1], ids=['x', 'y'])\ndef test_x(a): ...\n"
        },
    )
    config = suite_config(tmp_path)
    output = tmp_path / "out"
    proc = run(config, demo_target, output)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"smoke: {tmp_path}/tests/test_broken.py: In test_broken.py::test_x: 1 parameter "
        "sets specified, with different number of ids: 2"
    ]
    proc = plugin(
        tmp_path, demo_target, "tests", "--smoke-env", "demo", "--smoke-config", str(config),
        "--smoke-results", str(output),
    )  # fmt: skip
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "1 error during collection: nothing was run or recorded" in proc.stdout
    assert not (output / "results.json").exists()  # no run, no history row
    assert not (output / "history.sqlite").exists()
    assert demo_target.audit()["traffic"]["total"] == 0


def test_a_budget_too_small_is_seen_coming_and_the_run_says_it_was_incomplete(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    write(
        tmp_path,
        {
            # each loads the homepage: 11 requests, under the 15 a journey reserves
            f"tests/test_page_{n}.py": f"def test_page_{n}(page):\n    page.goto('/')\n"
            for n in range(12)
        },
    )
    config = suite_config(tmp_path)
    env_file = config / "environments" / "demo.yaml"  # back to the demo's own budget: 120/min
    env_file.write_text(
        env_file.read_text().replace(
            "share_of_limit: 0.60, max_requests_per_minute: 360",
            "share_of_limit: 0.20, max_requests_per_minute: 120",
        )
    )
    env = {"SMOKE_DEMO_URL": demo_target.url, "SMOKE_TEST_PASSWORD": DEMO_PASSWORD}
    checked = smoke("check-config", "--env", "demo", "--config", str(config), env=env)
    assert checked.returncode == 0, checked.stderr
    assert "smoke: warning: demo: the 20 checks need about" in checked.stderr
    assert "the rate budget allows 120 per minute" in checked.stderr
    proc = run(config, demo_target, tmp_path / "out")
    assert proc.stdout.count("INCOMPLETE (") == 1, proc.stdout
    assert "checks were not run: the rate budget (120/min) ran out" in proc.stdout


def test_a_journey_file_stays_a_pytest_file(demo_target: DemoServer, tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "conftest.py": """
                import pytest

                @pytest.fixture(scope="session")
                def browser_type_launch_args(browser_type_launch_args):
                    from prodsmoke.e2e.browser import find_any
                    return {**browser_type_launch_args, "executable_path": find_any(),
                            "args": ["--disable-background-networking",
                                     "--disable-component-update", "--disable-sync"]}
            """,
            "tests/test_plain.py": """
                def test_with_smoke(page, smoke):
                    with smoke.step("open pricing"):
                        page.goto("/pricing")
                    smoke.metric("plans_ms", 12.5)
                    print("base", smoke.base_url)
            """,
        },
    )
    proc = plugin(tmp_path, demo_target, "tests", "-s", "--base-url", demo_target.url)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "smoke step 'open pricing': " in proc.stdout
    assert "smoke metric plans_ms: 12.5" in proc.stdout
    assert f"base {demo_target.url}" in proc.stdout
    assert not (tmp_path / "smoke-results").exists()  # no prodsmoke run without --smoke-env


def _repro_trace(doc: dict[str, Any]) -> str:
    return doc["checks"][0]["repro"]


def test_smoke_repro_reruns_a_pytest_test_by_its_id(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    write(tmp_path, FAILING)
    config = suite_config(tmp_path)
    env = {"SMOKE_DEMO_URL": demo_target.url, "SMOKE_TEST_PASSWORD": DEMO_PASSWORD}
    proc = smoke(
        "repro", "--env", "demo", "--config", str(config), "missing", "--headless",
        "--slowmo", "0", "--output", str(tmp_path / "repro"), env=env,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "trace: " in proc.stdout and "/missing/trace.zip" in proc.stdout


def test_what_the_plugin_prints_reaches_the_terminal_for_every_test(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    write(
        tmp_path,
        {
            "tests/test_many.py": """
                import pytest

                @pytest.mark.parametrize("n", range(8))
                def test_visit(page, n):
                    page.goto("/pricing")
            """
        },
    )
    config = suite_config(tmp_path)
    proc = plugin(
        tmp_path, demo_target, "tests", "--smoke-env", "demo", "--smoke-config", str(config),
        "--smoke-results", str(tmp_path / "out"),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    progress = [line for line in proc.stdout.splitlines() if line.startswith("  PASS  visit_")]
    assert len(progress) == 8, proc.stdout  # none swallowed by pytest's output capture


def test_a_cookie_value_does_not_mask_check_ids(demo_target: DemoServer, tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tests/test_who.py": """
                import pytest
                from playwright.sync_api import expect

                @pytest.mark.parametrize("who", ["alice"])
                def test_profile(page, who):
                    page.goto("/")

                def test_sets_a_cookie_and_fails(page):
                    page.context.add_cookies([{"name": "who", "value": "alice",
                                               "url": page.context._impl_obj._options.get(
                                                   "baseURL", "") or "http://127.0.0.1"}])
                    page.goto("/")
                    expect(page.locator("#nope")).to_be_visible(timeout=300)
            """
        },
    )
    run(suite_config(tmp_path), demo_target, tmp_path / "out")
    assert "profile_alice" in verdicts(tmp_path / "out")


def test_an_api_request_the_network_fails_is_a_network_failure(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tests/test_down.py": """
                def test_api_down(page):
                    page.request.get("/health")
            """
        },
    )
    config = suite_config(tmp_path)
    with DemoServer(password=DEMO_PASSWORD) as target:
        url = target.url
    # the target has stopped: its port answers nothing
    proc = smoke(
        "run", "--env", "demo", "--config", str(config), "--output", str(tmp_path / "out"),
        "--check", "api_down",
        env={"SMOKE_DEMO_URL": url, "SMOKE_TEST_PASSWORD": DEMO_PASSWORD},
    )  # fmt: skip
    check = verdicts(tmp_path / "out")["api_down"]
    assert check["failure_class"] == "network", proc.stdout + proc.stderr


def test_a_conftest_base_url_is_named_and_the_contexts_go_to_the_environments_target(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    write(
        tmp_path,
        {
            "tests/conftest.py": """
                import pytest

                @pytest.fixture(scope="session")
                def base_url():
                    return "http://127.0.0.1:9"
            """,
            "tests/test_relative.py": """
                def test_relative(page):
                    page.goto("/pricing")
                    assert page.url.endswith("/pricing")
            """,
        },
    )
    proc = run(suite_config(tmp_path), demo_target, tmp_path / "out")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{tmp_path}/tests/conftest.py:3: overrides the base_url fixture" in proc.stderr
    assert verdicts(tmp_path / "out")["relative"]["status"] == "pass"


def test_a_test_that_never_reached_the_target_is_not_a_product_failure(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    write(
        tmp_path,
        {
            "tests/test_blank.py": """
                from playwright.sync_api import expect

                def test_forgot_to_open(page):
                    expect(page.locator("#prompt-input")).to_be_visible(timeout=300)
            """
        },
    )
    run(suite_config(tmp_path), demo_target, tmp_path / "out", "--check", "forgot_to_open")
    check = verdicts(tmp_path / "out")["forgot_to_open"]
    assert check["failure_class"] == "infrastructure", check
    assert "no request reached the target" in check["error"]
