"""The demo target's audit log: what it received and changed, readable from any thread.

It records only what a test needs to prove (or disprove) that a run was production safe:
non-GET requests, WebSockets, logins, persisted changes, write-vector arrivals and traffic
volume. It never stores passwords, cookies, query strings or request bodies.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

WINDOW_SECONDS = 60.0


class _Volume:
    """A request count plus the most requests seen in any 60-second window."""

    def __init__(self) -> None:
        self.total = 0
        self.max_in_window = 0
        self._recent: deque[float] = deque()

    def add(self, t: float) -> None:
        # The busiest window always ends at some request, so checking at each arrival is exact.
        self.total += 1
        self._recent.append(t)
        while self._recent[0] <= t - WINDOW_SECONDS:
            self._recent.popleft()
        self.max_in_window = max(self.max_in_window, len(self._recent))


class Audit:
    """Thread-safe record of requests, sessions and side effects; `snapshot()` is the JSON doc."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._requests: list[dict[str, Any]] = []
        self._websockets: list[dict[str, Any]] = []
        self._logins: list[dict[str, Any]] = []
        self._logouts: list[dict[str, Any]] = []
        self._second_factor: list[dict[str, Any]] = []  # issue 21: TOTP codes, passkey assertions
        self._persisted: list[dict[str, Any]] = []
        self._sink: list[dict[str, Any]] = []
        self._unmarked: list[dict[str, Any]] = []
        self._all = _Volume()
        self._api = _Volume()
        self._status_429 = 0
        self._by_minute: dict[str, int] = {}

    def _now(self) -> float:
        return round(self._clock(), 3)

    def clear(self) -> None:
        """Forget everything recorded so far."""
        with self._lock:
            self._reset()

    def request(
        self, *, method: str, path: str, synthetic: bool, user_agent: str, api: bool
    ) -> None:
        """Count one received request (HTTP or WebSocket handshake); log it if it is not a GET,
        and under `unmarked` if it came without the synthetic marker header."""
        t = self._now()
        minute = datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M")
        with self._lock:
            self._all.add(t)
            if api:
                self._api.add(t)
            self._by_minute[minute] = self._by_minute.get(minute, 0) + 1
            if not synthetic:
                self._unmarked.append({"t": t, "method": method, "path": path})
            if method != "GET":
                self._requests.append(
                    {
                        "t": t,
                        "method": method,
                        "path": path,
                        "synthetic": synthetic,
                        "user_agent": user_agent,
                    }
                )

    def rate_limited(self) -> None:
        """Count one 429 answer."""
        with self._lock:
            self._status_429 += 1

    def websocket(self, *, path: str, synthetic: bool) -> dict[str, Any]:
        """Log an accepted WebSocket; the returned entry is passed to `websocket_message`."""
        entry = {"t": self._now(), "path": path, "synthetic": synthetic, "messages": 0}
        with self._lock:
            self._websockets.append(entry)
        return entry

    def websocket_message(self, entry: dict[str, Any]) -> None:
        """Count one message received on a logged WebSocket."""
        with self._lock:
            entry["messages"] += 1

    def login(self, *, account: str, ok: bool, status: int) -> None:
        """Log a login attempt that reached the login handler."""
        self._append(self._logins, {"account": account, "ok": ok, "status": status})

    def logout(self, *, account: str) -> None:
        """Log the end of a session."""
        self._append(self._logouts, {"account": account})

    def second_factor(self, *, account: str, kind: str, ok: bool) -> None:
        """Log one TOTP code or passkey assertion checked (never the code itself)."""
        self._append(self._second_factor, {"account": account, "kind": kind, "ok": ok})

    def persisted(self, *, kind: str, account: str) -> None:
        """Log a change the app stored on behalf of a logged-in user."""
        self._append(self._persisted, {"kind": kind, "account": account})

    def sink(self, *, method: str, vector: str, synthetic: bool) -> None:
        """Log a write-vector arrival (see `vectors.py`)."""
        self._append(self._sink, {"method": method, "vector": vector, "synthetic": synthetic})

    def _append(self, target: list[dict[str, Any]], fields: dict[str, Any]) -> None:
        entry = {"t": self._now(), **fields}
        with self._lock:
            target.append(entry)

    def _counts(self) -> dict[str, dict[str, int]]:
        """Per account: sessions opened, refused logins, logouts, second-factor attempts (call
        with the lock held)."""
        counts: dict[str, dict[str, int]] = {}

        def bump(account: str, what: str) -> None:
            row = counts.setdefault(
                account,
                {"logins": 0, "failed_logins": 0, "logouts": 0, "totp": 0, "passkey": 0},
            )
            row[what] += 1

        for entry in self._logins:
            bump(entry["account"], "logins" if entry["ok"] else "failed_logins")
        for entry in self._logouts:
            bump(entry["account"], "logouts")
        for entry in self._second_factor:
            bump(entry["account"], entry["kind"])
        return counts

    def snapshot(self) -> dict[str, Any]:
        """The audit document served at `GET /__demo__/audit` (a deep copy)."""
        with self._lock:

            def copy(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
                return [dict(e) for e in entries]

            return {
                "requests": copy(self._requests),
                "websockets": copy(self._websockets),
                "logins": copy(self._logins),
                "logouts": copy(self._logouts),
                "second_factor": copy(self._second_factor),
                "counts": self._counts(),
                "persisted": copy(self._persisted),
                "sink": copy(self._sink),
                "unmarked": copy(self._unmarked),
                "traffic": {
                    "total": self._all.total,
                    "max_in_any_60s": self._all.max_in_window,
                    "api_total": self._api.total,
                    "api_max_in_any_60s": self._api.max_in_window,
                    "status_429": self._status_429,
                    "by_minute": dict(self._by_minute),
                },
            }
