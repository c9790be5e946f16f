"""A team's own journeys (SPEC §11), in a real Chromium against the real demo target: each is a
check like the built-ins, under the same guard, and cannot get round it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from prodsmoke.demo import DemoServer
from tests.e2e.test_secret_leaks import everything, forms
from tests.smoke_cli import DEMO_CONFIG, REPO, clean_env, demo_config, smoke

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "correct-horse-battery-staple-42"  # tests/conftest.py's demo target


def team(tmp_path: Path, files: dict[str, str], yaml: str = "") -> Path:
    """The demo config plus `journeys/` (the team's files) and extra `journeys:` YAML."""
    folder = tmp_path / "journeys"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))

    def edit(text: str) -> str:
        text = text.replace("journeys:\n", "journey_paths: [e2e/, journeys/]\njourneys:\n", 1)
        return text.replace(
            "# A locked account", textwrap.indent(yaml, "  ") + "# A locked account"
        )

    return demo_config(tmp_path, edit)


def run(
    config: Path, target: DemoServer, *checks: str, output: Path, password: str = DEMO_PASSWORD
) -> subprocess.CompletedProcess[str]:
    argv = [f"--check={c}" for c in checks]
    return smoke(
        "run", "--env", "demo", "--config", str(config), "--output", str(output), *argv,
        env={"SMOKE_DEMO_URL": target.url, "SMOKE_TEST_PASSWORD": password},
    )  # fmt: skip


def results(output: Path) -> dict[str, Any]:
    return json.loads((output / "results.json").read_text())


def check(doc: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in doc["checks"] if c["id"] == check_id)


SNEAKY = """
    from playwright.sync_api import Page

    def test_sneaky_writes(page: Page, smoke) -> None:
        with smoke.step("open"):
            page.goto("/")
        with smoke.step("write"):
            page.evaluate("fetch('/api/v1/analytics', {method: 'POST', body: 'x'})")
            with page.expect_request("**/api/v1/sink/form"):
                page.evaluate('''() => {
                    const f = document.createElement("form");
                    f.method = "post"; f.action = "/api/v1/sink/form";
                    document.body.appendChild(f); f.submit();
                }''')
"""


def test_a_team_journey_that_writes_is_refused_and_nothing_arrives(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    config = team(tmp_path, {"test_sneaky.py": SNEAKY})
    proc = run(config, demo_target, "sneaky_writes", output=tmp_path / "out")
    doc = results(tmp_path / "out")
    refused = {
        (b["check"], b["method"], b["url"].split("/", 3)[-1], b["reason"])
        for b in doc["safety"]["blocked"]
    }
    assert ("sneaky_writes", "POST", "api/v1/analytics", "not in allowed_writes") in refused, proc
    assert ("sneaky_writes", "POST", "api/v1/sink/form", "not in allowed_writes") in refused
    assert demo_target.audit()["requests"] == []  # not one write reached the target
    journey = check(doc, "sneaky_writes")
    assert [s["name"] for s in journey["steps"]] == ["open", "write"]


LEAKY = """
    from playwright.sync_api import Page, expect

    def test_leaky_login(page: Page, smoke) -> None:
        with smoke.account("basic") as account:
            page.goto("/login")
            page.fill("#email", account.username)
            page.fill("#password", account.password)
            print("typed", account.password)                  # the team's debugging print
            smoke.warn(f"password was {account.password}")
            page.click("#login-button")
            expect(page.locator("#user-email")).to_have_text("nobody", timeout=1500)
"""


def test_a_leased_password_never_leaves_the_process_in_any_form(tmp_path: Path) -> None:
    password = 'Sm0ke p@ss/"w+rd"&=é-42'  # every encoding treats one of these differently
    config = team(tmp_path, {"test_leaky.py": LEAKY})
    output = tmp_path / "out"
    with DemoServer(password=password) as demo_target:
        proc = run(config, demo_target, "leaky_login", output=output, password=password)
        logins = demo_target.audit()["logins"]
    doc = results(output)
    journey = check(doc, "leaky_login")
    assert journey["status"] == "fail" and journey["failure_class"] == "product", journey
    assert journey["error"].startswith("Locator expected to have text 'nobody'")
    assert {"trace.zip", "network.har", "screenshot.png", "console.log"} <= {
        Path(a).name for a in journey["artifacts"]
    }
    assert logins[0]["ok"]  # the password really was typed and sent
    blobs = everything(output, ("stdout", proc.stdout.encode()), ("stderr", proc.stderr.encode()))
    assert any(name.endswith("junit.xml") for name, _ in blobs)
    hits = [(name, form) for name, data in blobs for form, needle in forms(password).items()
            if needle in data]  # fmt: skip
    assert hits == []
    assert "typed [REDACTED]" in proc.stdout


VIOLATIONS = {
    "new_browser": "page.context.browser.browser_type.launch()",
    "httpx_client": "__import__('httpx').get(smoke.base_url + '/health')",
    "swallowed": "\n".join(
        ["try:", "    page.context.browser.browser_type.launch()", "except Exception:", "    pass"]
    ),
}


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_journey_that_leaves_the_guard_fails_as_infrastructure_and_sends_nothing(
    demo_target: DemoServer, tmp_path: Path, flavour: str
) -> None:
    files = {}
    for name, sync_call in VIOLATIONS.items():
        # in an async journey the page's calls are awaited; httpx's blocking get stays as it is
        awaited = flavour == "async" and name != "httpx_client"
        call = sync_call.replace("page.", "await page.") if awaited else sync_call
        body = textwrap.indent(call, "    ")
        prefix = "async " if flavour == "async" else ""
        files[f"test_{name}.py"] = f"{prefix}def test_{name}(page, smoke):\n{body}\n"
    config = team(tmp_path, files)
    proc = run(config, demo_target, *VIOLATIONS, output=tmp_path / "out")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = results(tmp_path / "out")
    for name in VIOLATIONS:
        verdict = check(doc, name)
        assert (verdict["status"], verdict["failure_class"]) == ("fail", "infrastructure"), verdict
        assert (
            "is not allowed in a journey: the production-safe guard must see every request"
            in (verdict["error"])
        ), verdict
        assert verdict["attempts"] == 1  # not retried: trying again cannot help
    assert demo_target.audit()["traffic"]["total"] == 0  # nothing reached the target


GUARDED = {
    # what a test makes itself goes through the guard: marked, counted, writes refused
    "page_request": """
        response = page.request.get("/health")
        assert response.status == 200
    """,
    "api_write": """
        page.request.post("/api/v1/analytics", data={"x": 1})
    """,
    "own_context": """
        other = page.context.browser.new_context()
        mine = other.new_page()
        mine.goto("/")
        mine.evaluate("fetch('/api/v1/analytics', {method: 'POST', body: 'x'})")
        mine.wait_for_timeout(200)
    """,
    "api_context": """
        api = playwright.request.new_context(base_url=smoke.base_url)
        assert api.get("/api/v1/test").status == 200
    """,
    "form_then_fails": """
        from playwright.sync_api import expect
        page.goto("/")
        page.evaluate('''() => {
            const f = document.createElement("form");
            f.method = "post"; f.action = "/api/v1/sink/form";
            document.body.appendChild(f); f.submit();
        }''')
        expect(page).to_have_title("Signed in", timeout=1500)
    """,
}


def test_what_a_test_makes_itself_is_guarded_too(demo_target: DemoServer, tmp_path: Path) -> None:
    files = {
        f"test_{name}.py": f"def test_{name}(page, smoke, playwright):\n"
        + textwrap.indent(textwrap.dedent(body).strip(), "    ")
        + "\n"
        for name, body in GUARDED.items()
    }
    config = team(tmp_path, files)
    proc = run(config, demo_target, *GUARDED, output=tmp_path / "out")
    doc = results(tmp_path / "out")
    statuses = {name: check(doc, name)["status"] for name in GUARDED}
    assert statuses == {
        "page_request": "pass",
        "api_write": "fail",
        "own_context": "pass",
        "api_context": "pass",
        "form_then_fails": "fail",
    }, proc.stdout + proc.stderr
    host = demo_target.url.removeprefix("http://")
    write = check(doc, "api_write")
    assert (write["failure_class"], write["attempts"]) == ("infrastructure", 1)  # not retried
    assert (
        write["error"] == f"the guard refused POST {host}/api/v1/analytics (not in allowed_writes)"
    )
    form = check(doc, "form_then_fails")
    assert (form["failure_class"], form["attempts"]) == ("infrastructure", 1)
    assert form["error"].startswith(
        f"the guard refused POST {host}/api/v1/sink/form (not in allowed_writes); then: "
        "Page title expected to be 'Signed in'"
    ), form["error"]
    blocked = {
        (b["check"], b["method"], b["url"].rsplit("/", 1)[-1]) for b in doc["safety"]["blocked"]
    }
    assert blocked == {
        ("api_write", "POST", "analytics"),
        ("own_context", "POST", "analytics"),
        ("form_then_fails", "POST", "form"),
    }
    audit = demo_target.audit()
    assert audit["requests"] == []  # no write arrived
    assert audit["unmarked"] == []  # every request carried the synthetic marker


@pytest.mark.parametrize(
    ("files", "yaml", "expected"),
    [
        (
            {"test_bad.py": "def test_bad(page, smoke)\n    pass\n"},
            "",
            "journeys/test_bad.py:1: syntax error: expected ':'",
        ),
        (
            {"test_imports.py": "import os\nimport no_such_module\n\ndef test_x(page): ...\n"},
            "",
            "journeys/test_imports.py:2: cannot import: ModuleNotFoundError: "
            "No module named 'no_such_module'",
        ),
        (
            {"test_fixture.py": "\n\ndef test_pricing(page, nosuch):\n    pass\n"},
            "",
            "journeys/test_fixture.py:3: test_pricing asks for fixture 'nosuch', which no "
            "conftest, plugin or module defines (available: ",
        ),
        (
            {"test_clash.py": "def test_example_search(page): ...\n"},
            "",
            "environments/demo.yaml: journeys.example_search: journey id 'example_search' is also "
            "the id of the pytest test at ",
        ),
        (
            {},
            "search: {steps: [{goto: /examples}, {clik: '#q'}]}\n",
            "environments/demo.yaml: journeys.search.steps[1]: unknown step 'clik'; did you mean "
            "'click'?",
        ),
        (
            {},
            "search: {steps: [{goto: /examples}, {expect_text: {'#q': '${account.password}'}}]}\n",
            "environments/demo.yaml: journeys.search.steps[1]: expect_text: ${account.*} may only "
            "be used in fill",
        ),
        (
            {},
            "search: {steps: [{fill: {'#q': '${account.password}'}}]}\n",
            "environments/demo.yaml: journeys.search: steps[0] uses ${account.*} but the journey "
            "has no account: key",
        ),
        (
            {},
            "search: {steps: [{expect_count: {'.example': 'many'}}]}\n",
            "environments/demo.yaml: journeys.search.steps[0]: expect_count .example: expected "
            "'== N', '>= N' or '<= N', got 'many'",
        ),
        (
            {},
            "search_page: {kind: page_lod, url: /examples}\n",
            "environments/demo.yaml: journeys.search_page.kind: got 'page_lod', expected one of: ",
        ),
    ],
)
def test_mistakes_in_a_teams_journeys_are_one_line_exit_2_also_from_check_config(
    demo_target: DemoServer, tmp_path: Path, files: dict[str, str], yaml: str, expected: str
) -> None:
    config = team(tmp_path, files, yaml)
    output = ["--output", str(tmp_path / "out")]
    for argv in (["check-config", "--env", "demo"], ["run", "--env", "demo", *output]):
        proc = smoke(
            *argv, "--config", str(config),
            env={"SMOKE_DEMO_URL": demo_target.url, "SMOKE_TEST_PASSWORD": DEMO_PASSWORD},
        )  # fmt: skip
        assert proc.returncode == 2, proc.stdout + proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert expected in lines[0], lines[0]
        assert "Traceback" not in proc.stderr
    assert demo_target.audit()["traffic"]["total"] == 0  # found before anything was sent


def test_check_config_lists_every_journey_with_its_kind(tmp_path: Path) -> None:
    proc = smoke(
        "check-config", "--env", "demo", "--config", str(DEMO_CONFIG),
        env={"SMOKE_TEST_PASSWORD": "x-123456"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = {line.split()[1]: line for line in proc.stdout.splitlines() if "journey  " in line}
    assert "page_load: / · load < 3000 ms" in lines["homepage_load"]
    assert "steps: goto /examples → fill #q → click #search-button" in lines["example_search"]
    assert "(6 steps; timed as 'search the examples') · within 5000 ms" in lines["example_search"]
    assert "e2e/test_pricing.py:" in lines["pricing_plans"]
    assert "(sync) · within 5000 ms" in lines["pricing_plans"]
    assert "(async) · within 8000 ms" in lines["dashboard_history"]


def test_pytest_with_the_plugin_runs_every_test_as_a_guarded_journey(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    # What a team already has: a plain pytest-playwright test that writes and fails.
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_plain.py").write_text(
        textwrap.dedent(
            """
            from playwright.sync_api import Page, expect

            def test_analytics(page: Page) -> None:
                page.goto("/")
                page.evaluate("fetch('/api/v1/analytics', {method: 'POST', body: 'x'})")

            def test_pricing_has_four_plans(page: Page) -> None:
                page.goto("/pricing")
                expect(page.locator(".plan")).to_have_count(4, timeout=1000)
            """
        )
    )
    config = demo_config(tmp_path)
    output = tmp_path / "out"
    old_runs = [output / "artifacts" / f"20260101T0000{i:02d}Z-a0a0a0" for i in range(25)]
    for folder in old_runs:  # earlier runs' folders: pruned to keep_runs (20) as by `smoke run`
        folder.mkdir(parents=True)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "prodsmoke.pytest_plugin", str(tests),
         "--smoke-env", "demo", "--smoke-config", str(config), "--smoke-results", str(output),
         "--tracing", "on", "--junitxml", str(tmp_path / "junit.xml"), "-p", "no:cacheprovider"],
        cwd=REPO, capture_output=True, text=True, timeout=180, check=False,
        env=clean_env(SMOKE_DEMO_URL=demo_target.url, SMOKE_TEST_PASSWORD=DEMO_PASSWORD),
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 failed, 1 passed" in proc.stdout
    doc = results(output)
    assert [(c["id"], c["status"]) for c in doc["checks"]] == [
        ("analytics", "pass"),
        ("pricing_has_four_plans", "fail"),
    ]
    assert check(doc, "pricing_has_four_plans")["failure_class"] == "product"
    blocked = [
        (b["check"], b["method"], b["url"].rsplit("/", 1)[-1]) for b in doc["safety"]["blocked"]
    ]
    assert blocked == [("analytics", "POST", "analytics")]
    assert demo_target.audit()["requests"] == []
    # pytest-playwright's --tracing on: a trace for the passing journey too
    assert any(a.endswith("trace.zip") for a in check(doc, "analytics")["artifacts"])
    # the requests were marked as synthetic, so the product can leave them out of analytics
    assert demo_target.audit()["traffic"]["total"] > 0
    cases = ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")
    # pytest-playwright's own names: the browser is a parameter of every test
    names = {c.get("name") for c in cases}
    assert names == {"test_analytics[chromium]", "test_pricing_has_four_plans[chromium]"}
    kept = sorted(p.name for p in (output / "artifacts").iterdir())
    assert kept == sorted([*(f.name for f in old_runs[-19:]), doc["run_id"]])
    assert not list((output / "artifacts").rglob(".running*"))  # the run is over
