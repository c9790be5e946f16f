"""A local StatusCake API v1 (uptime), strict where the real one is.

Shapes from StatusCake's own contract tests (StatusCakeDev/statuscake-go, pact) and its API
guides: `Authorization: Bearer <key>` (else 403 with `x-ext-authz: denied`, as the migration
guide says); bodies only as `application/x-www-form-urlencoded`, arrays as repeated `field[]=`
(one empty item empties it); POST /v1/uptime needs name, test_type, website_url and check_rate
(0, 30, 60, 300, 900, 1800, 3600 or 86400) and answers 201 `{"data": {"new_id"}}`; PUT answers
204, DELETE 204; GET one answers `{"data": {...}}`, the list `{"data": [...], "metadata": {page,
per_page, page_count, total_count}}` filtered by `tags` (all of them) with `page` and `limit`
(1-100). Invalid parameters: 400 `{"message": "The provided parameters are invalid. Check the
errors output for detailed information.", "errors": {field: [problem]}}`; unknown id: 404
`{"message": "No results found", "errors": {}}`. `throttle(n)` answers the next n requests 429
with Retry-After; `fail_next(status, body)` injects one answer.
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

TOKEN = "statuscake-token-abcdef0123456789"
CONTACT_GROUPS = frozenset({"300001", "300002", "300003"})
CHECK_RATES = {0, 30, 60, 300, 900, 1800, 3600, 86400}
TEST_TYPES = {"DNS", "HEAD", "HTTP", "PING", "SMTP", "SSH", "TCP"}
# StatusCake's own list of codes that mean down, for a check created without status_codes_csv
DEFAULT_STATUS_CODES = (
    "204,205,206,303,400,401,403,404,405,406,408,410,413,444,429,494,495,496,499,500,501,502,"
    "503,504,505,506,507,508,509,510,511,521,522,523,524,520,598,599"
)
INVALID = "The provided parameters are invalid. Check the errors output for detailed information."
KNOWN = {
    "name",
    "test_type",
    "website_url",
    "check_rate",
    "basic_username",
    "basic_password",
    "confirmation",
    "contact_groups[]",
    "contact_groups_csv",
    "custom_header",
    "do_not_find",
    "dns_ips[]",
    "dns_server",
    "enable_ssl_alert",
    "final_endpoint",
    "find_string",
    "follow_redirects",
    "host",
    "include_header",
    "paused",
    "port",
    "post_body",
    "post_raw",
    "regions[]",
    "status_codes_csv",
    "tags[]",
    "tags_csv",
    "timeout",
    "trigger_rate",
    "use_jar",
    "user_agent",
}


class Invalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors


@dataclass
class FakeStatusCake:
    url: str = ""
    tests: dict[str, dict[str, Any]] = field(default_factory=dict)
    writes: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    unknown_fields: list[str] = field(default_factory=list)
    throttled: int = 0
    retry_after: str = "1"
    injected: list[tuple[int, Any]] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: itertools.count(9100001))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.tests.clear()
            self.writes.clear()
            self.requests.clear()
            self.unknown_fields.clear()
            self.throttled = 0
            self.injected.clear()

    def throttle(self, times: int, retry_after: str = "1") -> None:
        self.throttled, self.retry_after = times, retry_after

    def fail_next(self, status: int, body: Any) -> None:
        self.injected.append((status, body))

    def add(self, form: dict[str, list[str]]) -> str:
        """A check made by someone else (or earlier), through the same validation."""
        with self.lock:
            return self._create(form)

    def _create(self, form: dict[str, list[str]]) -> str:
        errors = {
            name: [f"{name.replace('_', ' ').title()} is required"]
            for name in ("name", "test_type", "website_url", "check_rate")
            if not _one(form, name)
        }
        if errors:
            raise Invalid(errors)
        test_id = str(next(self.ids))
        test = {
            "id": test_id,
            "paused": False,
            "status": "up",
            "uptime": 100,
            "confirmation": 2,
            "timeout": 15,
            "trigger_rate": 0,
            "do_not_find": False,
            "follow_redirects": False,
            "include_header": False,
            "enable_ssl_alert": False,
            "use_jar": False,
            "processing": False,
            "servers": [],
            "dns_ips": [],
            "contact_groups": [],
            "tags": [],
            "status_codes": DEFAULT_STATUS_CODES.split(","),
        }
        self._set(test, form, creating=True)
        self.tests[test_id] = test
        return test_id

    def _set(self, test: dict[str, Any], form: dict[str, list[str]], *, creating: bool) -> None:
        errors: dict[str, list[str]] = {}
        for key, values in form.items():
            value = values[-1]
            if key not in KNOWN:
                self.unknown_fields.append(key)
            elif key == "name":
                test["name"] = value
            elif key == "test_type":
                if value not in TEST_TYPES:
                    errors[key] = ["Test Type is not a valid value"]
                elif creating:
                    test["test_type"] = value
            elif key == "website_url":
                if not value.startswith(("http://", "https://")) or " " in value or "," in value:
                    errors[key] = ["Website Url is not a valid URL"]
                test["website_url"] = value
            elif key == "check_rate":
                if not value.isdigit() or int(value) not in CHECK_RATES:
                    errors[key] = ["Check Rate is not a valid value"]
                else:
                    test["check_rate"] = int(value)
            elif key == "find_string":
                test["find_string"] = value
            elif key == "do_not_find":
                if value not in ("true", "false"):
                    errors[key] = ["Do Not Find must be a boolean"]
                test["do_not_find"] = value == "true"
            elif key == "status_codes_csv":
                codes = [c for c in value.split(",") if c]
                if not all(c.isdigit() and 100 <= int(c) <= 599 for c in codes):
                    errors[key] = ["Status Codes Csv must be a list of HTTP status codes"]
                test["status_codes"] = codes
            elif key in ("contact_groups[]", "contact_groups_csv"):
                groups = [g for v in values for g in v.split(",") if g]
                unknown = [g for g in groups if g not in CONTACT_GROUPS]
                if unknown:
                    errors["contact_groups"] = [f"Contact group {unknown[0]} does not exist"]
                test["contact_groups"] = groups
            elif key in ("tags[]", "tags_csv"):
                test["tags"] = [t for v in values for t in v.split(",") if t]
        if errors:
            raise Invalid(errors)


def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[-1]


def _handler(fake: FakeStatusCake) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):
        def _form(self) -> dict[str, list[str]]:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            if not self.headers.get("Content-Type", "").startswith(
                "application/x-www-form-urlencoded"
            ):
                return {}  # the API consumes URL-encoded bodies only
            return parse_qs(raw.decode(), keep_blank_values=True)

        def _empty(self, status: int, **headers: str) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _route(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            with fake.lock:
                fake.requests.append((method, parts.path))
                if fake.throttled:
                    fake.throttled -= 1
                    self._empty(429, Retry_After=fake.retry_after)
                    return
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._empty(403, x_ext_authz="denied")
                    return
                if fake.injected:
                    status, body = fake.injected.pop(0)
                    self._answer(status, body)
                    return
                segments = parts.path.strip("/").split("/")
                if segments[:2] != ["v1", "uptime"] or len(segments) > 3:
                    self._answer(404, {"message": "No results found", "errors": {}})
                    return
                try:
                    if len(segments) == 2:
                        self._collection(method, query)
                    else:
                        self._one(method, segments[2])
                except Invalid as exc:
                    self._answer(400, {"message": INVALID, "errors": exc.errors})

        def _collection(self, method: str, query: dict[str, list[str]]) -> None:
            if method == "POST":
                form = self._form()
                fake.writes.append((method, self.path, form))
                self._answer(201, {"data": {"new_id": fake._create(form)}})
                return
            if method != "GET":
                self._answer(405, {"message": "Method Not Allowed", "errors": {}})
                return
            wanted = {t for v in query.get("tags", []) for t in v.split(",") if t}
            page = int((query.get("page") or ["1"])[-1])
            limit = int((query.get("limit") or ["25"])[-1])
            if not 1 <= limit <= 100 or page < 1:
                raise Invalid({"limit": ["Limit must be between 1 and 100"]})
            found = [t for t in fake.tests.values() if wanted <= set(t["tags"])]
            keys = (
                "id",
                "name",
                "website_url",
                "test_type",
                "check_rate",
                "contact_groups",
                "paused",
                "status",
                "tags",
                "uptime",
            )
            shown = [{k: t[k] for k in keys} for t in found[(page - 1) * limit : page * limit]]
            pages = max(1, -(-len(found) // limit))
            metadata = {
                "page": page,
                "per_page": limit,
                "page_count": pages,
                "total_count": len(found),
            }
            self._answer(200, {"data": shown, "metadata": metadata})

        def _one(self, method: str, ident: str) -> None:
            test = fake.tests.get(ident)
            if test is None:
                self._answer(404, {"message": "No results found", "errors": {}})
            elif method == "GET":
                self._answer(200, {"data": test})
            elif method == "PUT":
                form = self._form()
                fake.writes.append((method, urlsplit(self.path).path, form))
                updated = json.loads(json.dumps(test))
                fake._set(updated, form, creating=False)
                fake.tests[ident] = updated
                self._empty(204)
            elif method == "DELETE":
                fake.writes.append((method, urlsplit(self.path).path, {}))
                del fake.tests[ident]
                self._empty(204)
            else:
                self._answer(405, {"message": "Method Not Allowed", "errors": {}})

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
def fake_statuscake() -> Iterator[FakeStatusCake]:
    """The fake on a free loopback port until the block ends; `url` is the API base."""
    fake = FakeStatusCake()
    with serving(_handler(fake)) as url:
        fake.url = f"{url}/v1"
        yield fake
