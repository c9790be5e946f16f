"""The production-safe guard: the one place a request is allowed or refused (SPEC §6).

Rules, in order: the scheme must be http(s) or ws(s); the host must be the target's or in
`allowed_hosts`; a method other than GET/HEAD/OPTIONS must be listed in `allowed_writes` for that
path on the target; a WebSocket must match `allowed_websockets`; and the rate budget must allow it.
Every refusal is recorded (check, method, URL, reason) for results.json's `safety.blocked`.

The guard is installed, never called from journeys: `e2e.http.GuardTransport` for HTTP checks and
`e2e.browser.new_context` for browser contexts both ask `Guard.decide` before a byte is sent.
Those two factories also take from here what the target may receive and send back: its basic-auth
credentials (to the target's own origin only) and the most bytes of a body we read from it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from prodsmoke import redact
from prodsmoke._version import __version__
from prodsmoke.e2e.budget import RateBudget
from prodsmoke.results import BlockRecord, BudgetReport, Refusal, RefusalKind, SafetyReport

if TYPE_CHECKING:
    from prodsmoke.config.models import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

NOT_ALLOWED_WRITE = Refusal(RefusalKind.WRITE, "not in allowed_writes")
NOT_ALLOWED_HOST = Refusal(RefusalKind.HOST, "host not in allowed_hosts")
NOT_ALLOWED_WEBSOCKET = Refusal(RefusalKind.WEBSOCKET, "websocket not in allowed_websockets")
DOWNLOAD_REFUSED = Refusal(RefusalKind.DOWNLOAD, "download refused")


def where(url: str) -> str:
    """Host and path, e.g. 'cdn.example.com/app.js': what a refusal message names."""
    parts = urlsplit(url)
    return f"{parts.netloc.rpartition('@')[2]}{parts.path or '/'}"


def origin(url: str) -> str:
    """`url`'s origin as browsers write it, e.g. https://app.example.com (default port left out)."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:
        return ""
    host = parts.hostname or ""
    shown = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown}" + ("" if port in (None, default) else f":{port}")


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    """True when `host` is one of `patterns` or under one of their `*.example.com` forms: the
    guard's host rule, also what `smoke run --base-url` asks before it moves the guard."""
    return any(p == host or (p.startswith("*.") and host.endswith(p[1:])) for p in patterns)


class Guard:
    """Decides, records and marks every request a run sends."""

    def __init__(self, settings: Settings) -> None:
        safety = settings.safety
        self.target_host = settings.host
        self._hosts = (self.target_host, *safety.allowed_hosts)
        self._writes = {(w.method, w.path.rstrip("/") or "/") for w in safety.allowed_writes}
        self._websockets = safety.allowed_websockets
        self.origin = origin(settings.base_url)
        self.credentials = settings.http_credentials  # sent to `origin` only
        self.max_body_bytes = settings.max_body_bytes
        self.marker_header = safety.synthetic_marker.header
        self.ua_suffix = safety.synthetic_marker.user_agent_suffix
        self.budget = RateBudget(
            max_per_minute=safety.rate_budget.max_requests_per_minute,
            share_of_limit=safety.rate_budget.share_of_limit,
        )
        self.sent = 0
        self._sent_by_check: Counter[str] = Counter()
        self._blocked: list[BlockRecord] = []
        self._unrouted: list[BlockRecord] = []

    # -- decisions -----------------------------------------------------------------------------

    async def admit(
        self, method: str, url: str, check: str, *, resource: str | None = None
    ) -> Refusal | None:
        """`decide`, after the pilot rule: the bulk waits until the target's limit is known."""
        if not self.is_target(url):
            return self.decide(method, url, check, resource=resource)
        pilot = await self.budget.settled()
        refusal = self.decide(method, url, check, resource=resource)
        if pilot and refusal is not None:
            self.budget.settle()  # a refused pilot is never answered: nobody may wait for it
        return refusal

    def decide(
        self, method: str, url: str, check: str, *, resource: str | None = None
    ) -> Refusal | None:
        """Return why `method url` must not be sent (and record it), or None to send it.

        `resource` says what asked (a document, a fetch, a ping; `api` for an API request)."""
        refusal = self._policy(method.upper(), url)
        if refusal is None and self.is_target(url) and not self.budget.try_acquire(check):
            refusal = Refusal(
                RefusalKind.BUDGET, f"rate budget exhausted ({self.budget.limit_per_minute}/min)"
            )
        if refusal is None:
            self.sent += 1
            self._sent_by_check[check] += 1
            return None
        self.record(check, method, url, refusal, resource=resource)
        return refusal

    def sent_to(self, check: str) -> int:
        """Requests the guard has let `check` send so far."""
        return self._sent_by_check[check]

    def decide_websocket(self, url: str, check: str) -> Refusal | None:
        """Return why a WebSocket to `url` must not open (and record it), or None."""
        refusal = self._policy("GET", url)
        if refusal is None and not any(fnmatchcase(url, glob) for glob in self._websockets):
            refusal = NOT_ALLOWED_WEBSOCKET
        if refusal is None:
            self.sent += 1
            return None
        self.record(check, "WEBSOCKET", url, refusal)
        return refusal

    def observe_unrouted(self, method: str, url: str, check: str, *, counted: bool = False) -> None:
        """Account for a request the browser sent without asking (a redirect's follow-up).

        It is counted against the budget (unless it was when `decide` judged it beforehand),
        and noted in `unrouted` with what the policy would have said.
        """
        if not counted:
            self.sent += 1
            self._sent_by_check[check] += 1
            if self.is_target(url):
                self.budget.count()
        refusal = self._policy(method.upper(), url)
        verdict = refusal.reason if refusal else "allowed"
        kind = refusal.kind if refusal else None
        self._unrouted.append(BlockRecord(check, method.upper(), redact.redact(url), verdict, kind))

    def record(
        self, check: str, method: str, url: str, refusal: Refusal, *, resource: str | None = None
    ) -> None:
        """Record a refusal made here or by a browser setting (downloads, service workers)."""
        where = redact.redact(url)
        self._blocked.append(
            BlockRecord(check, method.upper(), where, refusal.reason, refusal.kind, resource)
        )

    def refused(self, check: str, kind: RefusalKind, *, since: int = 0) -> bool:
        """Whether `check` had a request refused by rule `kind` (after its first `since`)."""
        return any(b.kind is kind for b in self.blocked(check)[since:])

    def _policy(self, method: str, url: str) -> Refusal | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "ws", "wss"):
            return Refusal(RefusalKind.SCHEME, f"scheme not allowed ({parts.scheme or 'none'})")
        if not self._host_allowed(parts.hostname or ""):
            return NOT_ALLOWED_HOST
        if method in SAFE_METHODS:
            return None
        path = parts.path.rstrip("/") or "/"
        if (parts.hostname or "") == self.target_host and (method, path) in self._writes:
            return None
        return NOT_ALLOWED_WRITE

    def allows_host(self, url: str) -> bool:
        """True when `url`'s host is the target's or in `allowed_hosts`."""
        return self._host_allowed(urlsplit(url).hostname or "")

    def _host_allowed(self, host: str) -> bool:
        return host_allowed(host, self._hosts)

    def observe(self, url: str, status: int, headers: Mapping[str, str]) -> None:
        """Feed a response from the target back to the budget (advertised limit, 429)."""
        if self.is_target(url):
            self.budget.observe(status, headers)

    def failed(self, url: str) -> None:
        """A request to the target got no response (so it cannot be the pilot we wait for)."""
        if self.is_target(url):
            self.budget.settle()

    def is_origin(self, url: str) -> bool:
        """True when `url` is on the target's own origin (scheme, host and port): where its
        basic-auth credentials may go."""
        return origin(url) == self.origin

    def is_target(self, url: str) -> bool:
        """True when `url` is on the target's own host (it counts against the budget)."""
        return (urlsplit(url).hostname or "") == self.target_host

    # -- marking -------------------------------------------------------------------------------

    def user_agent(self, base: str) -> str:
        """`base` with the synthetic suffix appended once."""
        return base if base.endswith(self.ua_suffix) else f"{base} {self.ua_suffix}".strip()

    def marker(self) -> dict[str, str]:
        """The synthetic marker header, as a one-item mapping."""
        return {self.marker_header: f"prodsmoke/{__version__}"}

    def outgoing_headers(self, url: str, headers: Mapping[str, str]) -> dict[str, str]:
        """`headers` marked as synthetic: UA suffix everywhere, the marker header to the target
        and to no other host."""
        drop = {"user-agent", self.marker_header.lower()}
        out = {k: v for k, v in headers.items() if k.lower() not in drop}
        out["user-agent"] = self.user_agent(headers.get("user-agent", f"prodsmoke/{__version__}"))
        if self.is_target(url):
            out.update(self.marker())
        return out

    # -- reporting -----------------------------------------------------------------------------

    def blocked(self, check: str | None = None) -> list[BlockRecord]:
        """Refusals so far, for one check or all."""
        return [b for b in self._blocked if check is None or b.check == check]

    def report(self) -> SafetyReport:
        """The run's `safety` section."""
        budget = self.budget
        limit = budget.advertised or budget.limit_per_minute
        return SafetyReport(
            requests=self.sent,
            blocked=tuple(self._blocked),
            unrouted=tuple(self._unrouted),
            budget=BudgetReport(
                limit_per_minute=limit,
                used=budget.used,
                share=budget.used / limit,
                budget_per_minute=budget.limit_per_minute,
                advertised=budget.advertised is not None,
            ),
        )
