"""A local Pingdom API 3.1 (checks), strict where the real one is.

Bearer token (or Basic with the token as user) on every request, else 401; a read-only token gets
403 on writes. `/api/3.1/checks` GET (include_tags, tags: OR filter, limit, offset) and POST;
`/api/3.1/checks/{id}` GET (include_teams), PUT, DELETE. Parameters come as a form body, JSON or
the query string, as the real API takes them. POST needs name, host and type; resolution must be
1, 5, 15, 30 or 60; url must start with /; shouldcontain and shouldnotcontain exclude each other;
tags are at most 64 characters; userids, teamids and integrationids must exist in the account;
PUT cannot change the type, and an empty value clears a field. Answers carry what the real API
adds (ids, created, status, the bot's request headers, ports 80/443), errors are
`{"error": {"statuscode", "statusdesc", "errormessage"}}`. `throttle(n)` answers the next n
requests 429 with Retry-After, as the rate limiter does; `fail_next(status, body)` injects one.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.loopback_http import JsonHandler, serving

TOKEN = "pingdom-token-0123456789abcdef"
READ_ONLY_TOKEN = "pingdom-read-only-token-0123456789"
USERS = frozenset({10000001, 10000002})
TEAMS = frozenset({500})
INTEGRATIONS = frozenset({20000001})
RESOLUTIONS = {1, 5, 15, 30, 60}
TYPES = {"http", "httpcustom", "tcp", "ping", "dns", "udp", "smtp", "pop3", "imap"}
KNOWN = {
    "name",
    "host",
    "type",
    "paused",
    "resolution",
    "userids",
    "teamids",
    "integrationids",
    "url",
    "encryption",
    "port",
    "auth",
    "shouldcontain",
    "shouldnotcontain",
    "postdata",
    "requestheaders",
    "tags",
    "addtags",
    "probe_filters",
    "ipv6",
    "responsetime_threshold",
    "custom_message",
    "sendnotificationwhendown",
    "notifyagainevery",
    "notifywhenbackup",
    "verify_certificate",
    "ssl_down_days_before",
}


class Refused(Exception):
    def __init__(self, status: int, desc: str, message: str) -> None:
        self.status, self.desc, self.message = status, desc, message


@dataclass
class FakePingdom:
    url: str = ""
    checks: dict[int, dict[str, Any]] = field(default_factory=dict)
    writes: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    unknown_fields: list[str] = field(default_factory=list)
    throttled: int = 0
    retry_after: str = "1"
    injected: list[tuple[int, Any]] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: itertools.count(7000001))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.checks.clear()
            self.writes.clear()
            self.requests.clear()
            self.unknown_fields.clear()
            self.throttled = 0
            self.injected.clear()

    def throttle(self, times: int, retry_after: str = "1") -> None:
        self.throttled, self.retry_after = times, retry_after

    def fail_next(self, status: int, body: Any) -> None:
        self.injected.append((status, body))

    def add(self, params: dict[str, str]) -> int:
        """A check made by someone else (or earlier), through the same validation."""
        with self.lock:
            return self._create(params)

    def _create(self, params: dict[str, str]) -> int:
        for name in ("name", "host", "type"):
            if not params.get(name):
                raise Refused(400, "Bad Request", f"Missing required parameter: {name}")
        if params["type"] not in TYPES:
            raise Refused(400, "Bad Request", f"Invalid parameter value: type={params['type']}")
        check_id = next(self.ids)
        check = {
            "id": check_id,
            "name": "",
            "hostname": "",
            "resolution": 5,
            "type": params["type"],
            "created": 1795000000,
            "status": "unknown",
            "sendnotificationwhendown": 2,
            "notifyagainevery": 0,
            "notifywhenbackup": True,
            "http": {
                "url": "/",
                "encryption": False,
                "port": 80,
                "requestheaders": {
                    "User-Agent": "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)"
                },
            },
            "tags": [],
            "userids": [],
            "teamids": [],
            "integrationids": [],
        }
        self._set(check, params)
        self.checks[check_id] = check
        return check_id

    def _set(self, check: dict[str, Any], params: dict[str, str]) -> None:
        http = check["http"]
        for key, value in params.items():
            if key not in KNOWN:
                self.unknown_fields.append(key)
                continue
            if key == "name":
                check["name"] = value
            elif key == "host":
                check["hostname"] = value
            elif key == "resolution":
                if not value.isdigit() or int(value) not in RESOLUTIONS:
                    raise Refused(
                        400, "Bad Request", f"Invalid parameter value: resolution={value}"
                    )
                check["resolution"] = int(value)
            elif key == "url":
                if value and not value.startswith("/"):
                    raise Refused(400, "Bad Request", f"Invalid parameter value: url={value}")
                http["url"] = value or "/"
            elif key == "encryption":
                http["encryption"] = _bool(key, value)
                http["port"] = 443 if http["encryption"] else 80
            elif key == "port":
                if not value.isdigit() or not 1 <= int(value) <= 65535:
                    raise Refused(400, "Bad Request", f"Invalid parameter value: port={value}")
                http["port"] = int(value)
            elif key in ("shouldcontain", "shouldnotcontain"):
                http[key] = value
            elif key == "tags":
                tags = [t.strip() for t in value.split(",") if t.strip()]
                if any(len(t) > 64 for t in tags):
                    raise Refused(400, "Bad Request", "Invalid parameter value: tags")
                check["tags"] = tags
            elif key in ("userids", "teamids", "integrationids"):
                ids = _ints(key, value)
                known = {"userids": USERS, "teamids": TEAMS, "integrationids": INTEGRATIONS}[key]
                if not set(ids) <= known:
                    raise Refused(400, "Bad Request", f"Invalid parameter value: {key}={value}")
                check[key] = ids
        if http.get("shouldcontain") and http.get("shouldnotcontain"):
            raise Refused(
                400, "Bad Request", "shouldcontain and shouldnotcontain cannot both be set"
            )

    def listed(self, check: dict[str, Any], tags: bool) -> dict[str, Any]:
        item = {
            k: check[k]
            for k in ("id", "created", "name", "hostname", "resolution", "type", "status")
        }
        item |= {"lasttesttime": 1795000300, "lastresponsetime": 120, "ipv6": False}
        if tags:
            item["tags"] = [{"name": t, "type": "u", "count": 1} for t in check["tags"]]
        return item

    def detail(self, check: dict[str, Any], teams: bool) -> dict[str, Any]:
        http = {k: v for k, v in check["http"].items() if v != ""}
        body = {
            k: check[k]
            for k in (
                "id",
                "name",
                "hostname",
                "resolution",
                "created",
                "status",
                "sendnotificationwhendown",
                "notifyagainevery",
                "notifywhenbackup",
                "userids",
                "integrationids",
            )
        }
        body |= {
            "type": {check["type"]: http},
            "tags": [{"name": t, "type": "u", "count": 1} for t in check["tags"]],
            "ipv6": False,
            "responsetime_threshold": 30000,
            "custom_message": "",
            "probe_filters": [],
        }
        if teams:
            body["teams"] = [{"id": t, "name": f"Team {t}"} for t in check["teamids"]]
        return body


def _bool(key: str, value: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise Refused(400, "Bad Request", f"Invalid parameter value: {key}={value}")
    return value.lower() == "true"


def _ints(key: str, value: str) -> list[int]:
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise Refused(400, "Bad Request", f"Invalid parameter value: {key}={value}")
    return [int(p) for p in parts]


def _handler(fake: FakePingdom) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):
        def _params(self, query: dict[str, list[str]]) -> dict[str, str]:
            params = {k: v[-1] for k, v in query.items()}
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            kind = self.headers.get("Content-Type", "")
            if raw and kind.startswith("application/json"):
                body = json.loads(raw)
                params |= {
                    k: ",".join(map(str, v))
                    if isinstance(v, list)
                    else str(v).lower()
                    if isinstance(v, bool)
                    else str(v)
                    for k, v in body.items()
                }
            elif raw and kind.startswith("application/x-www-form-urlencoded"):
                params |= {
                    k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()
                }
            return params

        def _error(self, status: int, desc: str, message: str, **headers: str) -> None:
            data = json.dumps(
                {"error": {"statuscode": status, "statusdesc": desc, "errormessage": message}}
            ).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            with fake.lock:
                fake.requests.append((method, parts.path))
                if fake.throttled:
                    fake.throttled -= 1
                    self._error(
                        429,
                        "Too Many Requests",
                        "Rate limit exceeded",
                        Retry_After=fake.retry_after,
                    )
                    return
                auth = self.headers.get("Authorization", "")
                if auth not in (f"Bearer {TOKEN}", f"Bearer {READ_ONLY_TOKEN}"):
                    self._error(401, "Unauthorized", "Invalid token")
                    return
                if fake.injected:
                    status, body = fake.injected.pop(0)
                    self._answer(status, body)
                    return
                if method != "GET" and auth == f"Bearer {READ_ONLY_TOKEN}":
                    self._error(403, "Forbidden", "The token has read access only")
                    return
                segments = parts.path.strip("/").split("/")
                if segments[:3] != ["api", "3.1", "checks"] or len(segments) > 4:
                    self._error(404, "Not Found", "Unknown resource")
                    return
                try:
                    params = self._params(query) if method in ("POST", "PUT") else {}
                    if len(segments) == 3:
                        self._collection(method, query, params)
                    else:
                        self._one(method, segments[3], query, params)
                except Refused as exc:
                    self._error(exc.status, exc.desc, exc.message)

        def _collection(
            self, method: str, query: dict[str, list[str]], params: dict[str, str]
        ) -> None:
            if method == "GET":
                include_tags = query.get("include_tags", ["false"])[-1] == "true"
                wanted = {t for v in query.get("tags", []) for t in v.split(",") if t}
                found = [
                    fake.listed(c, include_tags)
                    for c in fake.checks.values()
                    if not wanted or wanted & set(c["tags"])
                ]
                counts = {"total": len(fake.checks), "limited": len(found), "filtered": len(found)}
                self._answer(200, {"checks": found, "counts": counts})
            elif method == "POST":
                fake.writes.append((method, self.path, params))
                check_id = fake._create(params)
                self._answer(
                    200, {"check": {"id": check_id, "name": fake.checks[check_id]["name"]}}
                )
            else:
                self._error(405, "Method Not Allowed", f"{method} is not allowed here")

        def _one(
            self, method: str, ident: str, query: dict[str, list[str]], params: dict[str, str]
        ) -> None:
            check = fake.checks.get(int(ident)) if ident.isdigit() else None
            if check is None:
                self._error(404, "Not Found", "Check not found")
                return
            if method == "GET":
                teams = query.get("include_teams", ["false"])[-1] == "true"
                self._answer(200, {"check": fake.detail(check, teams)})
            elif method == "PUT":
                fake.writes.append((method, self.urlpath(), params))
                if "type" in params:
                    raise Refused(400, "Bad Request", "The check type cannot be changed")
                updated = json.loads(json.dumps(check))
                fake._set(updated, params)
                fake.checks[check["id"]] = updated
                self._answer(200, {"message": "Modification of check was successful!"})
            elif method == "DELETE":
                fake.writes.append((method, self.urlpath(), {}))
                del fake.checks[check["id"]]
                self._answer(200, {"message": "Deletion of check was successful!"})
            else:
                self._error(405, "Method Not Allowed", f"{method} is not allowed here")

        def urlpath(self) -> str:
            return urlsplit(self.path).path

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PUT(self) -> None:
            self._route("PUT")

        def do_DELETE(self) -> None:
            self._route("DELETE")

    return Handler


@contextmanager
def fake_pingdom() -> Iterator[FakePingdom]:
    """The fake on a free loopback port until the block ends; `url` is the API base."""
    fake = FakePingdom()
    with serving(_handler(fake)) as url:
        fake.url = f"{url}/api/3.1"
        yield fake
