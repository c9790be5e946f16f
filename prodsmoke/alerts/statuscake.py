"""Uptime checks at StatusCake (API v1), one per health check of an environment.

The API (https://developers.statuscake.com/api/, "StatusCake API" 1.x; also
StatusCakeDev/statuscake-go, generated from it): base `https://api.statuscake.com/v1`, header
`Authorization: Bearer <token>`; bodies are `application/x-www-form-urlencoded` only, arrays as
repeated `field[]=` parameters (an empty array is a single `field[]=`).

    GET    /uptime?tags=prodsmoke&page=&limit=   {"data": [{"id", "name", "tags"…}],
                                                  "metadata": {"page", "page_count", …}}
    GET    /uptime/{id}                          {"data": {"id", "name", "website_url",
             "test_type", "check_rate", "find_string", "do_not_find", "status_codes",
             "contact_groups", "tags", …}}
    POST   /uptime      name, test_type=HTTP, website_url, check_rate (0, 30, 60, 300, 900,
                        1800, 3600 or 86400 seconds) required; find_string, status_codes_csv
                        (the codes that mean DOWN), contact_groups[], tags[]
                        -> 201 {"data": {"new_id": "…"}}
    PUT    /uptime/{id} the same but test_type -> 204;  DELETE /uptime/{id} -> 204
    errors: {"message": "…", "errors": {"check_rate": ["…"]}}

The expected status becomes its complement: `status_codes_csv` lists every common code but the
expected ones. Checks are found by the `prodsmoke` and `prodsmoke-<env>` tags; removing one that is
no longer configured needs `--prune`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from prodsmoke.alerts.plan import Resource
from prodsmoke.alerts.uptime import OWNER_TAG, UptimeCheck, env_tag
from prodsmoke.alerts.uptime_http import UptimeProvider
from prodsmoke.errors import ConfigError

API_URL = "https://api.statuscake.com/v1"
TOKEN_ENV = "STATUSCAKE_API_TOKEN"  # noqa: S105 - the variable's name, not a token
CHECK_RATES = (30, 60, 300, 900, 1800, 3600, 86400)  # seconds (0, "constant", is never ours)
# The status codes StatusCake can be told mean "down" (its own default list and the rest of the
# registered 2xx-5xx codes); an expected code is left out, so it alone means up.
STATUS_CODES = (
    *range(200, 209), 226, *range(300, 309), *range(400, 419), *range(421, 427), 428, 429, 431,
    444, 451, 494, 495, 496, 499, *range(500, 512), *range(520, 525), 598, 599,
)  # fmt: skip
PAGE_SIZE = 100


SHOWN_CODES = 4  # status codes listed in a plan line before it says "any below 400"


def check_rate(interval_s: int) -> int:
    """The slowest StatusCake check rate that is not slower than `interval_s`."""
    return max((r for r in CHECK_RATES if r <= interval_s), default=CHECK_RATES[0])


def down_codes(expected: tuple[int, ...]) -> list[str]:
    """`status_codes_csv`: every code but the expected ones (without any: every code >= 400)."""
    if not expected:
        return [str(c) for c in STATUS_CODES if c >= 400]
    return [str(c) for c in STATUS_CODES if c not in expected]


def field_errors(body: Any) -> list[str]:
    """`{"message", "errors": {field: [problem]}}` -> ["field: problem", …] (or the message)."""
    if not isinstance(body, dict):
        return []
    errors = body.get("errors")
    if isinstance(errors, dict) and errors:
        return [
            f"{name}: {' '.join(map(str, problems)) if isinstance(problems, list) else problems}"
            for name, problems in errors.items()
        ]
    return [str(body["message"])] if body.get("message") else []


@dataclass
class StatusCakeAlerts(UptimeProvider):
    """The uptime checks of one environment at StatusCake."""

    token_env: ClassVar[str] = TOKEN_ENV
    path: ClassVar[str] = "/uptime"
    noun: ClassVar[str] = "uptime check"
    field_errors = staticmethod(field_errors)

    api_url: str = API_URL
    name: str = "statuscake"

    def body(self, check: UptimeCheck) -> dict[str, Any]:
        """Our view of the StatusCake check for `check`."""
        groups = self.rules.statuscake.contact_groups if self.rules.statuscake else {}
        contact_groups = set()
        for recipient in check.recipients:
            if recipient not in groups:
                raise ConfigError(
                    self.file,
                    self.where_in_file("statuscake.contact_groups"),
                    f"{recipient!r} has no StatusCake contact group (it is told about "
                    f"{check.check_id}); add {recipient}: GROUP_ID",
                )
            contact_groups.add(groups[recipient])
        return {
            "name": check.name,
            "test_type": "HTTP",
            "website_url": check.url,
            "check_rate": check_rate(check.interval_s),
            "find_string": check.keyword or "",
            "status_codes": down_codes(check.expected_status),
            "contact_groups": sorted(contact_groups),
            "tags": sorted(check.tags),
        }

    def details(self, resource: Resource) -> list[str]:
        """The key fields of one check."""
        body = resource.body
        keyword = f" · must contain {body['find_string']}" if body["find_string"] else ""
        up = [str(c) for c in STATUS_CODES if str(c) not in body["status_codes"]]
        shown = ", ".join(up) if len(up) <= SHOWN_CODES else "any code below 400"
        return [
            f"GET {body['website_url']} every {body['check_rate']}s · up on {shown}{keyword}",
            f"contact groups: {', '.join(body['contact_groups']) or 'none'} · "
            f"tags: {', '.join(body['tags'])}",
        ]

    def current(self) -> list[Resource]:
        """The checks tagged as this environment's prodsmoke checks."""
        api = self.api()
        found = []
        page, pages = 1, 1
        while page <= pages:
            listed = (
                api.call(
                    "GET",
                    "/uptime",
                    "list uptime checks",
                    params={
                        "tags": f"{OWNER_TAG},{env_tag(self.env)}",
                        "page": str(page),
                        "limit": str(PAGE_SIZE),
                    },
                )
                or {}
            )
            pages = int((listed.get("metadata") or {}).get("page_count") or 1)
            page += 1
            for item in listed.get("data", []):
                if not {OWNER_TAG, env_tag(self.env)} <= set(item.get("tags") or []):
                    continue  # `tags` filters on all of them; a check without both is not ours
                detail = api.call(
                    "GET", f"/uptime/{item['id']}", f"read uptime check {item.get('name')!r}"
                )["data"]
                body = _view(detail)
                found.append(Resource("uptime", body["name"], body["name"], body, str(item["id"])))
        return found

    def create_form(self, body: Mapping[str, Any]) -> dict[str, str | list[str]]:
        """The form fields of a new check."""
        return _form(body)

    def update_form(self, body: Mapping[str, Any]) -> dict[str, str | list[str]]:
        """The form fields of an update (StatusCake refuses a changed test_type)."""
        return {k: v for k, v in _form(body).items() if k != "test_type"}


def _form(body: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """Our view of a check as StatusCake's form fields."""
    return {
        "name": body["name"],
        "test_type": body["test_type"],
        "website_url": body["website_url"],
        "check_rate": str(body["check_rate"]),
        "find_string": body["find_string"],
        "do_not_find": "false",
        "status_codes_csv": ",".join(body["status_codes"]),
        # an empty array is one empty item (developers.statuscake.com/guides/api/parameters)
        "contact_groups[]": list(body["contact_groups"]) or [""],
        "tags[]": list(body["tags"]),
    }


def _view(check: Mapping[str, Any]) -> dict[str, Any]:
    """A check as StatusCake describes it, in the shape of `StatusCakeAlerts._body`."""
    return {
        "name": check.get("name", ""),
        "test_type": check.get("test_type", ""),
        "website_url": check.get("website_url", ""),
        "check_rate": check.get("check_rate"),
        "find_string": check.get("find_string") or "",
        "status_codes": sorted(map(str, check.get("status_codes") or []), key=int),
        "contact_groups": sorted(map(str, check.get("contact_groups") or [])),
        "tags": sorted(check.get("tags") or []),
    }
