"""`smoke init --probe`: a look at the site before its project is written.

GET only, through the guard the project will run under (its `allowed_hosts`, rate budget and
synthetic marker: the one httpx client factory, `e2e.http.client`), and a handful of requests:
the home page, for its title and a landmark a journey can wait for, then each of the usual
health paths, to find one that answers 200 with something other than an HTML page (a site's
catch-all route answers every path with its app shell). Redirects are followed on the site's
own origin only; one to another origin means `--base-url` should be that origin, and says so.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import httpx

from prodsmoke.e2e import http
from prodsmoke.e2e.guard import Guard, origin
from prodsmoke.errors import BlockedRequest, UsageError
from prodsmoke.scaffold.project import ANY_HEADING, MAX_NAME, Findings, Health, Landmark

if TYPE_CHECKING:
    from prodsmoke.config.models import Settings

HEALTH_PATHS = ("/health", "/healthz", "/api/health", "/status")
MAX_REDIRECTS = 3
TIMEOUT_S = 10.0
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_STATUS_WORDS = frozenset({"ok", "up", "healthy", "pass", "green", "alive", "ready"})
_OK = 200


@dataclass(frozen=True, slots=True)
class Probe:
    """What the probe found, and what it has to say (one line each)."""

    findings: Findings
    lines: tuple[str, ...]


def probe(settings: Settings) -> Probe:
    """Look at `settings.base_url` through a guard built from `settings`."""
    return asyncio.run(_probe(settings))


async def _probe(settings: Settings) -> Probe:
    guard = Guard(settings)
    async with http.client(guard, timeout_s=TIMEOUT_S) as client:
        home = await _get(client, guard, settings.base_url + "/")
        page = _Page.of(home)
        lines = [f"probe: GET / answered {home.status_code} {_kind(home)}{page.describe()}"]
        notes: list[str] = []
        if home.status_code == httpx.codes.UNAUTHORIZED:
            notes.append("the site asks for a login (401): set http_credentials in the file")
        elif home.status_code != _OK:
            notes.append(f"the home page answered {home.status_code}, not 200: is the URL right?")
        health: Health | None = None
        answers = []
        for path in HEALTH_PATHS:
            response = await _get(client, guard, settings.base_url + path)
            answers.append(f"{path} {response.status_code}{_html_note(response)}")
            if health is None and _is_health(response):
                health = Health(path, _body_status(response))
        lines.append("probe: " + " · ".join(answers))
    lines += [f"probe: {note}" for note in notes]
    report = guard.report()
    lines.append(
        f"probe: {report.requests} GET request(s), through the guard "
        f"({report.budget.budget_per_minute}/min budget), nothing else sent"
    )
    findings = Findings(
        title=page.title or None,
        landmark=page.landmark(),
        health=health,
        probed=True,
        notes=tuple(notes),
    )
    return Probe(findings, tuple(lines))


async def _get(client: httpx.AsyncClient, guard: Guard, url: str) -> httpx.Response:
    """GET `url`, following redirects on the site's own origin; errors are one usage line."""
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = await client.get(url)
        except BlockedRequest as exc:  # not for a GET to the site itself, but never sent
            raise UsageError(f"--probe: the guard refused GET {url}: {exc}") from None
        except httpx.HTTPError as exc:
            raise UsageError(
                f"--probe: GET {url}: {_failure(exc)}; is --base-url right (or leave out --probe)?"
            ) from None
        location = response.headers.get("location")
        if response.status_code not in _REDIRECTS or not location:
            return response
        target = urljoin(url, location)
        if origin(target) != guard.origin:
            raise UsageError(
                f"--probe: GET {url} redirects to {target}: the site is at {origin(target)}; "
                f"run smoke init again with --base-url {origin(target)}"
            )
        url = target
    raise UsageError(f"--probe: GET {url}: more than {MAX_REDIRECTS} redirects")


def _failure(exc: httpx.HTTPError) -> str:
    """Why a GET got no answer, in a few words."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {TIMEOUT_S:.0f} s"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect ({detail})"
    return detail


def _kind(response: httpx.Response) -> str:
    """The response's media type, e.g. 'text/html'."""
    kind = str(response.headers.get("content-type", "no content type"))
    return kind.split(";", maxsplit=1)[0].strip()


def _is_html(response: httpx.Response) -> bool:
    return _kind(response) in ("text/html", "application/xhtml+xml")


def _html_note(response: httpx.Response) -> str:
    if response.status_code == _OK and _is_html(response):
        return " (an HTML page: not a health endpoint)"
    return ""


def _is_health(response: httpx.Response) -> bool:
    """A 200 that is not a web page: JSON or plain text, as health endpoints answer."""
    return response.status_code == _OK and not _is_html(response)


def _body_status(response: httpx.Response) -> str | None:
    """`status` of a JSON body, when it is one plain word like ok or healthy."""
    try:
        doc = json.loads(response.content)
    except ValueError:
        return None
    status = doc.get("status") if isinstance(doc, dict) else None
    if isinstance(status, str) and status.lower() in _STATUS_WORDS:
        return status
    return None


class _Page(HTMLParser):
    """The title, the first h1's text and the landmarks of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.h1: str | None = None  # None: no h1; "": one without text (a logo, say)
        self.landmarks: list[str] = []
        self._in: str | None = None  # "title" or "h1", while inside the first of each

    @classmethod
    def of(cls, response: httpx.Response) -> _Page:
        """The page in `response` (empty when it is not HTML)."""
        page = cls()
        if _is_html(response):
            page.feed(response.text)
            page.close()
        return page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note landmarks; start reading the first title and the first h1."""
        role = dict(attrs).get("role")
        for name, roles in (("main", "main"), ("header", "banner"), ("nav", "navigation")):
            if (tag == name or role == roles) and name not in self.landmarks:
                self.landmarks.append(name)
        if tag == "title" and not self.title and self._in is None:
            self._in = "title"
        elif tag == "h1" and self.h1 is None and self._in is None:
            self._in, self.h1 = "h1", ""

    def handle_endtag(self, tag: str) -> None:
        """Stop reading at the end of the title or the h1."""
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        """Text of the title, and of the first h1 (spaces collapsed)."""
        if self._in == "title":
            self.title = " ".join(f"{self.title} {data}".split())
        elif self._in == "h1" and self.h1 is not None and len(self.h1) < MAX_NAME:
            self.h1 = " ".join(f"{self.h1} {data}".split())

    def landmark(self) -> Landmark:
        """What the journeys wait for: the first h1 by its text, else a landmark, else any
        heading (the page may build its content with JavaScript)."""
        if self.h1:
            name = json.dumps(self.h1[:MAX_NAME], ensure_ascii=False)
            return Landmark(
                "h1",
                f'page.get_by_role("heading", name={name}, level=1).first',
                f"its heading {name}",
            )
        if self.h1 is not None:
            return Landmark("h1", 'page.locator("h1").first', "its h1")
        for name, role, words in (
            ("main", "main", "its main content"),
            ("header", "banner", "its header"),
            ("nav", "navigation", "its navigation"),
        ):
            if name in self.landmarks:
                return Landmark(name, f'page.get_by_role("{role}").first', words)
        return ANY_HEADING

    def describe(self) -> str:
        """', title "…", heading "…"' for the probe's first line."""
        parts = [f", title {json.dumps(self.title, ensure_ascii=False)}"] if self.title else []
        if self.h1:
            parts.append(f", heading {json.dumps(self.h1, ensure_ascii=False)}")
        elif self.landmarks:
            parts.append(f", landmarks {', '.join(self.landmarks)}")
        return "".join(parts)
