"""Uptime checks at Pingdom (API 3.1), one per health check of an environment.

The API (https://docs.pingdom.com/api/, "Pingdom Public API (3.1)"; also
russellcardullo/go-pingdom, the client behind the Terraform provider): base
`https://api.pingdom.com/api/3.1`, header `Authorization: Bearer <token>`; parameters in a form
body (or JSON).

    GET    /checks?include_tags=true&tags=prodsmoke   {"checks": [{"id", "name", "tags":
             [{"name", "type", "count"}], …}], "counts": {"total", "limited", "filtered"}}
    GET    /checks/{id}?include_teams=true            {"check": {"id", "name", "hostname",
             "resolution", "type": {"http": {"url", "encryption", "port", "shouldcontain"}},
             "tags": [{"name"}], "userids": [], "teams": [{"id"}], "integrationids": []}}
    POST   /checks      name, host, type=http, url, encryption, port, resolution (1, 5, 15, 30
                        or 60 minutes), shouldcontain, tags (comma-separated), userids,
                        teamids, integrationids (comma-separated)  -> {"check": {"id", "name"}}
    PUT    /checks/{id} the same but type; an empty value clears a field  -> {"message": …}
    DELETE /checks/{id}                                                      -> {"message": …}
    errors: {"error": {"statuscode": 403, "statusdesc": "Forbidden", "errormessage": "…"}}

Pingdom takes any status below 400 as up: an exact expected status stays prodsmoke's, and a check
that expects 4xx/5xx cannot be an uptime check here. Checks are found by the `prodsmoke` and
`prodsmoke-<env>` tags; removing one that is no longer configured needs `--prune`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from prodsmoke.alerts.plan import Resource
from prodsmoke.alerts.uptime import OWNER_TAG, UptimeCheck, env_tag
from prodsmoke.alerts.uptime_http import UptimeProvider
from prodsmoke.errors import ConfigError

API_URL = "https://api.pingdom.com/api/3.1"
TOKEN_ENV = "PINGDOM_API_TOKEN"  # noqa: S105 - the variable's name, not a token
RESOLUTIONS = (1, 5, 15, 30, 60)  # minutes


def resolution(interval_s: int) -> int:
    """The slowest Pingdom resolution that is not slower than `interval_s`."""
    return max((r for r in RESOLUTIONS if r * 60 <= interval_s), default=RESOLUTIONS[0])


def field_errors(body: Any) -> list[str]:
    """`{"error": {"statuscode", "statusdesc", "errormessage"}}` -> ["Forbidden: …"]."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return []
    text = " ".join(str(error.get(k) or "") for k in ("statusdesc", "errormessage")).strip()
    return [text] if text else []


@dataclass
class PingdomAlerts(UptimeProvider):
    """The uptime checks of one environment at Pingdom."""

    token_env: ClassVar[str] = TOKEN_ENV
    path: ClassVar[str] = "/checks"
    noun: ClassVar[str] = "check"
    field_errors = staticmethod(field_errors)

    api_url: str = API_URL
    name: str = "pingdom"

    def notes(self) -> list[str]:
        """What Pingdom cannot express."""
        out = []
        exact = sorted({c for check in self.checks for c in check.expected_status})
        if exact:
            codes = ", ".join(map(str, exact))
            out.append(
                f"pingdom: checks pass on any status below 400; the exact status ({codes}) "
                "stays prodsmoke's to check"
            )
        return out + super().notes()

    def body(self, check: UptimeCheck) -> dict[str, Any]:
        """Our view of the Pingdom check for `check`."""
        down = [code for code in check.expected_status if code >= 400]
        if down:
            raise ConfigError(
                self.file,
                self.where_in_file("uptime.checks"),
                f"{check.check_id} expects HTTP {down[0]}; Pingdom takes any status below 400 "
                "as up and cannot expect it (leave it out of uptime.checks)",
            )
        parts = urlsplit(check.url)
        users: set[int] = set()
        teams: set[int] = set()
        integrations: set[int] = set()
        contacts = self.rules.pingdom.contacts if self.rules.pingdom else {}
        for recipient in check.recipients:
            if recipient not in contacts:
                raise ConfigError(
                    self.file,
                    self.where_in_file("pingdom.contacts"),
                    f"{recipient!r} has no Pingdom contact (it is told about "
                    f"{check.check_id}); add {recipient}: {{users: [ID]}}",
                )
            users.update(contacts[recipient].users)
            teams.update(contacts[recipient].teams)
            integrations.update(contacts[recipient].integrations)
        body: dict[str, Any] = {
            "name": check.name,
            "host": parts.hostname or "",
            "url": (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
            "encryption": parts.scheme == "https",
            "resolution": resolution(check.interval_s),
            "shouldcontain": check.keyword or "",
            "tags": sorted(check.tags),
            "userids": sorted(users),
            "teamids": sorted(teams),
            "integrationids": sorted(integrations),
        }
        if parts.port and parts.port not in (80, 443):
            body["port"] = parts.port
        return body

    def details(self, resource: Resource) -> list[str]:
        """The key fields of one check."""
        body = resource.body
        scheme = "https" if body["encryption"] else "http"
        port = f":{body['port']}" if body.get("port") else ""
        keyword = f" · must contain {body['shouldcontain']}" if body["shouldcontain"] else ""
        contacts = ", ".join(
            f"{k} {','.join(map(str, body[k]))}"
            for k in ("userids", "teamids", "integrationids")
            if body[k]
        )
        return [
            f"GET {scheme}://{body['host']}{port}{body['url']} every {body['resolution']}m"
            f"{keyword}",
            f"contacts: {contacts or 'none'} · tags: {', '.join(body['tags'])}",
        ]

    def current(self) -> list[Resource]:
        """The checks tagged as this environment's prodsmoke checks."""
        api = self.api()
        listed = api.call(
            "GET",
            "/checks",
            "list checks",
            params={"include_tags": "true", "tags": OWNER_TAG},
        )
        found = []
        mine = {OWNER_TAG, env_tag(self.env)}
        for item in (listed or {}).get("checks", []):
            tags = {t.get("name") for t in item.get("tags") or [] if isinstance(t, dict)}
            if not mine <= tags:
                continue
            detail = api.call(
                "GET",
                f"/checks/{item['id']}",
                f"read check {item.get('name')!r}",
                params={"include_teams": "true"},
            )["check"]
            body = _view(detail)
            found.append(Resource("uptime", body["name"], body["name"], body, str(detail["id"])))
        return found

    def create_form(self, body: Mapping[str, Any]) -> dict[str, str]:
        """An HTTP check's form fields."""
        return {**_form(body), "type": "http"}

    def update_form(self, body: Mapping[str, Any]) -> dict[str, str]:
        """The form fields (its type stays)."""
        return _form(body)


def _form(body: Mapping[str, Any]) -> dict[str, str]:
    """Our view of a check as Pingdom's form fields (lists comma-separated, booleans words)."""
    form = {}
    for key, value in body.items():
        if isinstance(value, bool):
            form[key] = "true" if value else "false"
        elif isinstance(value, list | tuple):
            form[key] = ",".join(map(str, value))
        else:
            form[key] = str(value)
    return form


def _view(check: Mapping[str, Any]) -> dict[str, Any]:
    """A check as Pingdom describes it, in the shape of `PingdomAlerts._body`."""
    http = (check.get("type") or {}).get("http") or {}
    body: dict[str, Any] = {
        "name": check.get("name", ""),
        "host": check.get("hostname", ""),
        "url": http.get("url", "/"),
        "encryption": bool(http.get("encryption", False)),
        "resolution": check.get("resolution"),
        "shouldcontain": http.get("shouldcontain") or "",
        "tags": sorted(t["name"] for t in check.get("tags") or [] if isinstance(t, dict)),
        "userids": sorted(check.get("userids") or []),
        "teamids": sorted(t["id"] for t in check.get("teams") or [] if isinstance(t, dict)),
        "integrationids": sorted(check.get("integrationids") or []),
    }
    if http.get("port") and http["port"] not in (80, 443):
        body["port"] = http["port"]
    return body
