"""What `smoke init` writes for one site, besides the deploy files: the environment (the guard
set from the URL, one health or page check, the home page's load), the monitoring, alert-rule
and schedule files, a Python journey of the home page, and a README.

`Findings` is what `smoke init --probe` saw (nothing, without it); every file is written from
it, so a probed project names the page's real title and landmark and the health endpoint that
answered, and an unprobed one asks only what any page has.
"""

from __future__ import annotations

import ipaddress
import json
import re
import textwrap
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import yaml

from prodsmoke.config.schedule import CronSchedule
from prodsmoke.errors import UsageError
from prodsmoke.scaffold.template import render

ENV_NAME = re.compile(r"[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?")
JOURNEY = "e2e/test_home.py"
README = "README.md"
MAX_NAME = 60  # characters of a heading used to find it (a substring match)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")


@dataclass(frozen=True, slots=True)
class Landmark:
    """A visible thing the home page has: a CSS selector for the page-load journey, and the
    Playwright locator the Python journey uses (by role, as a user sees it)."""

    selector: str  # e.g. "h1", "main"
    locator: str  # e.g. 'page.get_by_role("heading", name="Welcome", level=1)'
    words: str  # e.g. 'its heading "Welcome"'


ANY_HEADING = Landmark("body", 'page.get_by_role("heading").first', "a heading")


@dataclass(frozen=True, slots=True)
class Health:
    """A health endpoint that answered 200, and the `status` its JSON body reported, if any."""

    path: str
    status: str | None = None


@dataclass(frozen=True, slots=True)
class Findings:
    """What the probe saw; the defaults are what any page has."""

    title: str | None = None
    landmark: Landmark = ANY_HEADING
    health: Health | None = None
    probed: bool = False
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Site:
    """The site a project is for: its origin, the environment's name, what the probe found."""

    base_url: str
    env: str
    found: Findings = Findings()

    @property
    def host(self) -> str:
        """The site's host name, e.g. app.example.com."""
        return urlsplit(self.base_url).hostname or ""


def env_name(text: str) -> str:
    """`--env`: a name every runner accepts (a file name, a CloudFormation stack, a CronJob)."""
    if not ENV_NAME.fullmatch(text):
        raise UsageError(
            f"--env {text!r}: expected an environment name like production: lowercase letters, "
            "digits and dashes, starting with a letter, at most 32 (it names a file, a "
            "CloudFormation stack and a Kubernetes CronJob)"
        )
    return text


def site_origin(text: str) -> str:
    """`--base-url`: the site's origin, e.g. https://app.example.com (no path, query, or user)."""
    expected = "expected the site's http(s) URL, e.g. https://app.example.com"
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        raise UsageError(f"--base-url {text!r}: not a URL; {expected}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url {text!r}: {expected}")
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            "--base-url: a user name or password in the URL would be stored with every result; "
            "give the URL alone, then set http_credentials in the environment file"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UsageError(
            f"--base-url {text!r}: {expected}, without a path, query or fragment (checks name "
            "their paths from the site's root)"
        )
    host = parts.hostname
    if not (_HOST.fullmatch(host) or _is_ip(host)):
        raise UsageError(f"--base-url {text!r}: {host!r} is not a host name; {expected}")
    shown = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown}" + (f":{port}" if port is not None else "")


def env_file(site: Site) -> str:
    """Where the site's environment file goes, from the project's root."""
    return f"config/environments/{site.env}.yaml"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def schedule(site: Site) -> tuple[str, CronSchedule]:
    """config/cron-schedule.yaml's text, and the schedule it states."""
    text = render("cron-schedule.yaml", env=site.env)
    return text, CronSchedule.model_validate(yaml.safe_load(text))


def files(site: Site, *, version: str, playwright_version: str) -> dict[str, str]:
    """Path (from the project's root) -> text, for the config, the journey and the README."""
    found = site.found
    check = _http_check(found.health)
    every = schedule(site)[1].every_minutes
    return {
        env_file(site): render(
            "environment.yaml",
            env=site.env,
            base_url=site.base_url,
            version=version,
            host=site.host,
            http_check=check,
            selector=found.landmark.selector,
            visible=json.dumps(found.landmark.selector),
        ),
        "config/monitoring-integration.yaml": render(
            "monitoring-integration.yaml", service=json.dumps(site.host)
        ),
        "config/alert-rules.yaml": render(
            "alert-rules.yaml", env=site.env, every=str(every), host=site.host
        ),
        "config/cron-schedule.yaml": schedule(site)[0],
        JOURNEY: render(
            "test_home.py",
            summary=textwrap.fill(
                f"The home page of {site.base_url}: it has "
                + (f"the title {_quoted(found.title)}" if found.title else "a title")
                + f" and shows {found.landmark.words}.",
                width=99,
            ),
            version=version,
            env=site.env,
            title_pattern=_pattern(found.title),
            landmark_locator=found.landmark.locator,
        ),
        README: render(
            "README.md",
            host=site.host,
            base_url=site.base_url,
            version=version,
            probed=", after a look at the site (`--probe`)" if found.probed else "",
            env=site.env,
            http_check_id="health" if found.health else "homepage",
            playwright_version=playwright_version,
        ),
    }


def _http_check(health: Health | None) -> str:
    """The environment's one HTTP check: the health endpoint found, else the home page."""
    conditions = ["[STATUS] == 200", "[RESPONSE_TIME] < 1000"]
    if health is not None and health.status is not None:
        conditions.append(f"[BODY].status == {health.status}")
    shown = ", ".join(json.dumps(condition) for condition in conditions)
    if health is None:
        return render("check-homepage.yaml", conditions=shown).rstrip("\n")
    return render("check-health.yaml", path=health.path, conditions=shown).rstrip("\n")


def _quoted(text: str) -> str:
    """`text` in double quotes, as the probe prints it."""
    return json.dumps(text, ensure_ascii=False)


def _pattern(title: str | None) -> str:
    """The Python journey's title pattern: the title found (its regex characters escaped, a
    substring match), else any title that is not blank."""
    if title is None:
        return r'r"\S"'
    escaped = re.sub(r"([.^$*+?{}\[\]\\|()])", r"\\\1", title)
    if "\\" in escaped and '"' not in escaped:
        return f'r"{escaped}"'
    return json.dumps(escaped, ensure_ascii=False)
