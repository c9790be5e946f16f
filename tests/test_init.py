"""`smoke init`: a project for a team's own site, against sites that are not the demo target."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from importlib.metadata import version
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from prodsmoke import __version__
from prodsmoke.config import load_settings
from prodsmoke.config.journey_files import scan
from prodsmoke.schedule import check, load_schedule
from tests.deploy.linters import linter, run
from tests.loopback_http import serving
from tests.smoke_cli import smoke

FILES = [
    "config/environments/production.yaml",
    "config/monitoring-integration.yaml",
    "config/alert-rules.yaml",
    "config/cron-schedule.yaml",
    "e2e/test_home.py",
    "README.md",
    ".github/workflows/production-smoke.yml",
    "deploy/lambda/Dockerfile",
    "deploy/lambda/Dockerfile.dockerignore",
    "deploy/lambda/template.yaml",
    "deploy/lambda/deploy.sh",
    "deploy/lambda/leases.yaml",
    "deploy/k8s/cronjob.yaml",
]
HOME = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Acme Widgets (shop)</title><link rel="icon" href="data:,"></head>
<body><header><nav><a href="/">Home</a></nav></header>
<main><h1>Widgets <em>for</em> everyone</h1><p>We make widgets.</p></main></body></html>
"""


class Site(BaseHTTPRequestHandler):
    """A stranger's site: a home page, a JSON /healthz, a catch-all /status, and a log of every
    request it received (method, path, the synthetic marker, the user agent)."""

    seen: ClassVar[list[dict[str, str]]] = []
    lock = threading.Lock()
    routes: ClassVar[dict[str, tuple[int, str, str]]] = {
        "/": (200, "text/html; charset=utf-8", HOME),
        "/healthz": (200, "application/json", json.dumps({"status": "ok", "db": "up"})),
        "/status": (200, "text/html", HOME),  # an app shell, as catch-all routes answer
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        with self.lock:
            self.seen.append(
                {
                    "method": "GET",
                    "path": self.path,
                    "marker": self.headers.get("X-Smoke-Test", ""),
                    "agent": self.headers.get("User-Agent", ""),
                }
            )
        status, kind, body = self.routes.get(self.path, (404, "text/plain", "not found"))
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # never expected: recorded, refused
        with self.lock:
            self.seen.append({"method": "POST", "path": self.path, "marker": "", "agent": ""})
        self.send_response(405)
        self.end_headers()


@pytest.fixture
def site() -> Iterator[str]:
    Site.seen.clear()
    with serving(Site) as url:
        yield url


def init(*argv: str):
    return smoke("init", *argv)


def one_line_exit_2(proc) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    return str(line)


def written(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_project_without_probe_sends_nothing_and_is_complete(site: str, tmp_path: Path) -> None:
    root = tmp_path / "shop-smoke"

    proc = init(str(root), "--base-url", site)

    assert proc.returncode == 0, proc.stderr
    assert Site.seen == []  # without --probe, nothing is sent
    assert written(root) == sorted(FILES)
    assert proc.stdout.splitlines()[-3:] == [
        f"  cd {root}",
        "  smoke check-config --env production",
        "  smoke run --env production",
    ]
    assert os.access(root / "deploy/lambda/deploy.sh", os.X_OK)
    settings = load_settings(root / "config", "production", environ={})
    host = site.removeprefix("http://").partition(":")[0]
    assert settings.base_url == site
    assert settings.safety.allowed_hosts == (host,)
    assert settings.safety.allowed_writes == ()
    budget = settings.safety.rate_budget
    assert (budget.max_requests_per_minute, budget.share_of_limit) == (60, 0.1)
    assert settings.safety.synthetic_marker.header == "X-Smoke-Test"
    assert [c.id for c in settings.http_checks] == ["homepage"]  # no health endpoint known
    assert settings.http_checks[0].url == "/"
    assert set(settings.journeys) == {"homepage_load", "home"}
    (journey,) = scan([root / "e2e"])
    assert (journey.id, journey.file.name) == ("home", "test_home.py")
    text = (root / "e2e/test_home.py").read_text()
    assert "from playwright.sync_api import Page, expect\n\nfrom prodsmoke import Smoke\n" in text
    assert "def test_home(page: Page, smoke: Smoke) -> None:" in text
    assert 'expect(page).to_have_title(re.compile(r"\\S"))' in text  # any title
    assert 'page.get_by_role("heading").first' in text  # any heading
    schedule = load_schedule(root / "config")
    assert check(schedule, root) == []
    assert schedule.targets("github_actions") == [("production", "gha")]


def test_the_project_validates_and_agrees_with_its_schedule(site: str, tmp_path: Path) -> None:
    assert init(str(tmp_path), "--base-url", site, "--env", "shop").returncode == 0

    checked = smoke("check-config", cwd=tmp_path)
    scheduled = smoke("schedule", "check", cwd=tmp_path)
    alerts = smoke("alerts", "plan", "--offline", cwd=tmp_path)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok  shop: " in checked.stdout
    assert scheduled.returncode == 0, scheduled.stdout
    assert alerts.returncode == 0, alerts.stdout + alerts.stderr
    assert "smoke_success_critical" in alerts.stdout
    assert Site.seen == []


def test_every_deploy_file_passes_the_linters_this_repository_runs(
    site: str, tmp_path: Path
) -> None:
    assert init(str(tmp_path), "--base-url", site).returncode == 0
    workflow = run(
        linter("actionlint"), "-no-color", ".github/workflows/production-smoke.yml", cwd=tmp_path
    )
    assert workflow.returncode == 0, workflow.stdout + workflow.stderr
    dockerfile = run(linter("hadolint"), str(tmp_path / "deploy/lambda/Dockerfile"))
    assert dockerfile.returncode == 0, dockerfile.stdout + dockerfile.stderr
    templates = [
        str(tmp_path / f"deploy/lambda/{name}") for name in ("template.yaml", "leases.yaml")
    ]
    cfn = run(linter("cfn-lint"), *templates)
    assert cfn.returncode == 0, cfn.stdout + cfn.stderr
    script = run(linter("shellcheck"), str(tmp_path / "deploy/lambda/deploy.sh"))
    assert script.returncode == 0, script.stdout + script.stderr
    # pinned: the image and the workflow install this release, on this Playwright
    image = (tmp_path / "deploy/lambda/Dockerfile").read_text()
    assert f"ARG PRODSMOKE_VERSION={__version__}\n" in image
    assert f"ARG PLAYWRIGHT_VERSION={version('playwright')}\n" in image
    assert '"prodsmoke[aws,datadog,postgres]==${PRODSMOKE_VERSION}"' in image
    assert "COPY config/ /app/config/\n" in image and "COPY e2e/ /app/e2e/\n" in image
    flow = yaml.safe_load((tmp_path / ".github/workflows/production-smoke.yml").read_text())
    steps = {s.get("name"): s for s in flow["jobs"]["smoke"]["steps"]}
    assert steps["Install prodsmoke"]["run"] == (
        f"python -m pip install 'prodsmoke[aws,datadog,postgres]=={__version__}' "
        f"'playwright=={version('playwright')}'"
    )
    assert steps["Install Chromium"]["run"] == "python -m playwright install --with-deps chromium"
    cronjob = yaml.safe_load((tmp_path / "deploy/k8s/cronjob.yaml").read_text())
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"


def test_probe_proposes_the_title_a_landmark_and_a_health_endpoint_with_gets_only(
    site: str, tmp_path: Path
) -> None:
    proc = init(str(tmp_path), "--base-url", site + "/", "--probe")

    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == (
        'probe: GET / answered 200 text/html, title "Acme Widgets (shop)", heading '
        '"Widgets for everyone"'
    )
    assert lines[1] == (
        "probe: /health 404 · /healthz 200 · /api/health 404 · "
        "/status 200 (an HTML page: not a health endpoint)"
    )
    assert lines[2] == (
        "probe: 5 GET request(s), through the guard (60/min budget), nothing else sent"
    )
    # through the guard: GET only, every request marked as synthetic
    assert [(r["method"], r["path"]) for r in Site.seen] == [
        ("GET", "/"),
        ("GET", "/health"),
        ("GET", "/healthz"),
        ("GET", "/api/health"),
        ("GET", "/status"),
    ]
    assert all(r["marker"] and r["agent"].endswith("prodsmoke") for r in Site.seen)
    settings = load_settings(tmp_path / "config", "production", environ={})
    (health,) = settings.http_checks
    assert (health.id, health.url) == ("health", "/healthz")
    assert "[BODY].status == ok" in [c.source for c in health.conditions]
    assert settings.journeys["homepage_load"].visible == ("h1",)  # type: ignore[attr-defined]
    journey = (tmp_path / "e2e/test_home.py").read_text()
    assert r'to_have_title(re.compile(r"Acme Widgets \(shop\)"))' in journey
    assert 'get_by_role("heading", name="Widgets for everyone", level=1).first' in journey
    assert "after a look at the site (`--probe`)" in (tmp_path / "README.md").read_text()


def test_probe_will_not_follow_the_site_to_another_origin(tmp_path: Path) -> None:
    class Moved(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(301)
            self.send_header("Location", "https://www.example.com/")
            self.send_header("Content-Length", "0")
            self.end_headers()

    with serving(Moved) as url:
        line = one_line_exit_2(init(str(tmp_path / "p"), "--base-url", url, "--probe"))

    assert line == (
        f"smoke: --probe: GET {url}/ redirects to https://www.example.com/: the site is at "
        "https://www.example.com; run smoke init again with --base-url https://www.example.com"
    )
    assert not (tmp_path / "p").exists()


def test_probe_of_a_site_that_does_not_answer_is_one_line_and_writes_nothing(
    tmp_path: Path,
) -> None:
    with serving(Site) as url:
        pass  # the port is closed again
    line = one_line_exit_2(init(str(tmp_path / "p"), "--base-url", url, "--probe"))
    assert line.startswith(f"smoke: --probe: GET {url}/: could not connect (")
    assert line.endswith("is --base-url right (or leave out --probe)?")
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--base-url", "ftp://shop.example"],
         "--base-url 'ftp://shop.example': expected the site's http(s) URL, e.g. "
         "https://app.example.com"),
        (["--base-url", "shop.example"], "--base-url 'shop.example': expected the site's"),
        (["--base-url", "https://shop.example/app"],
         "without a path, query or fragment (checks name their paths from the site's root)"),
        (["--base-url", "https://qa:s3cret@shop.example"],
         "--base-url: a user name or password in the URL would be stored with every result"),
        (["--base-url", "https://shop.example:99999"], "not a URL"),
        (["--base-url", "https://shop.example", "--env", "Prod"],
         "--env 'Prod': expected an environment name like production: lowercase letters, digits "
         "and dashes"),
        (["--base-url", "https://shop.example", "--env", "prod_eu"], "--env 'prod_eu'"),
        (["--env", "production"], "the following arguments are required: --base-url"),
    ],
)  # fmt: skip
def test_bad_arguments_are_one_line_exit_2_and_nothing_is_written(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    line = one_line_exit_2(init(str(tmp_path / "p"), *argv))
    assert message in line
    assert "s3cret" not in line
    assert not (tmp_path / "p").exists()


def test_it_never_overwrites_a_file_unless_forced_and_then_lists_each(
    site: str, tmp_path: Path
) -> None:
    (tmp_path / "README.md").write_text("# Our shop\n")
    (tmp_path / "config/environments").mkdir(parents=True)
    (tmp_path / "config/environments/production.yaml").write_text("name: production\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src/app.py").write_text("print('shop')\n")  # not in the way: kept as it is

    line = one_line_exit_2(init(str(tmp_path), "--base-url", site))

    assert line == (
        f"smoke: {tmp_path}: 2 of the files smoke init writes are there already "
        "(config/environments/production.yaml, README.md); pass --force to overwrite them, or "
        "pick another folder"
    )
    assert written(tmp_path) == ["README.md", "config/environments/production.yaml", "src/app.py"]
    assert (tmp_path / "README.md").read_text() == "# Our shop\n"

    forced = init(str(tmp_path), "--base-url", site, "--force")

    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.splitlines()[:2] == [
        "overwrote config/environments/production.yaml",
        "overwrote README.md",
    ]
    assert (tmp_path / "README.md").read_text().startswith("# Smoke tests for 127.0.0.1\n")
    assert (tmp_path / "src/app.py").read_text() == "print('shop')\n"


def test_a_folder_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    line = one_line_exit_2(init(str(tmp_path / "file"), "--base-url", "https://shop.example"))
    folder = tmp_path / "file"
    assert line == f"smoke: {folder}: is a file; expected a folder (new, or one with other files)"
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "config").write_text("")
    line = one_line_exit_2(init(str(tmp_path / "p"), "--base-url", "https://shop.example"))
    assert line.startswith(f"smoke: {tmp_path / 'p' / 'config'}: is a file; smoke init needs a")


@pytest.mark.browser
def test_a_probed_project_passes_its_first_run_against_the_site(site: str, tmp_path: Path) -> None:
    assert init(str(tmp_path), "--base-url", site, "--probe").returncode == 0
    Site.seen.clear()

    proc = smoke("run", "--env", "production", cwd=tmp_path, timeout=180)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads((tmp_path / "smoke-results/results.json").read_text())
    assert {c["id"]: c["status"] for c in doc["checks"]} == {
        "health": "pass",
        "homepage_load": "pass",
        "home": "pass",
    }
    home = next(c for c in doc["checks"] if c["id"] == "home")
    assert [s["name"] for s in home["steps"]] == ["open the home page", "see the page"]
    assert doc["safety"]["blocked"] == []
    assert {r["method"] for r in Site.seen} == {"GET"}
    assert all(r["marker"] for r in Site.seen)
    assert re.search(r"PASS \(3 pass\)", proc.stdout)
