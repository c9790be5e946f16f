"""A local fake of GitHub's REST API for check runs, accepting what the real one accepts.

`POST /repos/{owner}/{repo}/check-runs` (API version 2022-11-28): a `User-Agent` header (GitHub
refuses requests without one), `Authorization: Bearer <token>` (or `token <token>`) with the
token it knows; the body's `name` and `head_sha` required, `head_sha` a commit of the repository;
`status` queued|in_progress|completed; `conclusion` one of action_required, cancelled, failure,
neutral, success, skipped, timed_out, and required with `status: completed` or `completed_at`;
timestamps ISO 8601; `output` with `title` and `summary` (each at most 65535 characters, as
`text`), at most 50 annotations. Answers 201 with the check run; 401 bad credentials; 403 a
token without `checks: write` ("Resource not accessible by integration"); 404 an unknown
repository; 422 "Validation Failed" with the errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tests.loopback_http import JsonHandler, serving

TOKEN = "ghs_fakeInstallationToken0123456789abcdef"
REPOSITORY = "acme/shop"
COMMIT = "9c1d3f2a" * 5
CONCLUSIONS = {
    "action_required",
    "cancelled",
    "failure",
    "neutral",
    "success",
    "skipped",
    "timed_out",
}
OUTPUT_MAX = 65535


@dataclass
class GitHub:
    """What the fake received and how it answers."""

    url: str = ""
    check_runs: list[dict[str, Any]] = field(default_factory=list)
    refused: list[tuple[int, Any]] = field(default_factory=list)
    commits: set[str] = field(default_factory=lambda: {COMMIT})
    can_write_checks: bool = True
    headers: list[dict[str, str]] = field(default_factory=list)

    def reset(self) -> None:
        self.check_runs.clear()
        self.refused.clear()
        self.headers.clear()
        self.can_write_checks = True


def _iso(value: Any) -> bool:
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def validate(body: Any, commits: set[str]) -> list[dict[str, str]]:
    """GitHub's 422 errors for a create-check-run body."""
    if not isinstance(body, dict):
        return [{"resource": "CheckRun", "code": "invalid", "field": "body"}]
    errors = []

    def bad(name: str, code: str = "invalid") -> None:
        errors.append({"resource": "CheckRun", "code": code, "field": name})

    if not isinstance(body.get("name"), str) or not body["name"]:
        bad("name", "missing_field")
    sha = body.get("head_sha")
    if not isinstance(sha, str) or not sha:
        bad("head_sha", "missing_field")
    elif sha not in commits:
        bad("head_sha")  # "No commit found for SHA"
    status = body.get("status", "queued")
    if status not in ("queued", "in_progress", "completed"):
        bad("status")
    conclusion = body.get("conclusion")
    if (status == "completed" or "completed_at" in body) and conclusion is None:
        bad("conclusion", "missing_field")
    if conclusion is not None and conclusion not in CONCLUSIONS:
        bad("conclusion")
    for stamp in ("started_at", "completed_at"):
        if stamp in body and not _iso(body[stamp]):
            bad(stamp)
    output = body.get("output")
    if output is not None:
        if not isinstance(output, dict):
            bad("output")
        else:
            for key in ("title", "summary"):
                if not isinstance(output.get(key), str) or not output[key]:
                    bad(f"output.{key}", "missing_field")
            for key in ("summary", "text"):
                if len(str(output.get(key, ""))) > OUTPUT_MAX:
                    bad(f"output.{key}")
            if len(output.get("annotations", [])) > 50:
                bad("output.annotations")
    if "details_url" in body and not str(body["details_url"]).startswith(("http://", "https://")):
        bad("details_url")
    return errors


@contextmanager
def serve_github() -> Iterator[GitHub]:
    """The fake on a loopback port; its `url` is what $GITHUB_API_URL would be."""
    github = GitHub()

    class Handler(JsonHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            github.headers.append(dict(self.headers))
            if not self.headers.get("User-Agent"):
                return self._refuse(403, "Request forbidden by administrative rules. Please make "
                                         "sure your request has a User-Agent header")  # fmt: skip
            auth = self.headers.get("Authorization", "")
            if auth not in (f"Bearer {TOKEN}", f"token {TOKEN}"):
                return self._refuse(401, "Bad credentials")
            if self.path != f"/repos/{REPOSITORY}/check-runs":
                return self._refuse(404, "Not Found")
            if not github.can_write_checks:
                return self._refuse(403, "Resource not accessible by integration")
            try:
                doc = json.loads(body)
            except ValueError:
                return self._refuse(400, "Problems parsing JSON")
            errors = validate(doc, github.commits)
            if errors:
                github.refused.append((422, errors))
                return self._answer(422, {"message": "Validation Failed", "errors": errors})
            number = len(github.check_runs) + 1
            github.check_runs.append(doc)
            return self._answer(
                201,
                {"id": number, "head_sha": doc["head_sha"], "name": doc["name"],
                 "status": doc.get("status", "queued"), "conclusion": doc.get("conclusion"),
                 "html_url": f"https://github.com/{REPOSITORY}/runs/{number}"},
            )  # fmt: skip

        def _refuse(self, status: int, message: str) -> None:
            github.refused.append((status, message))
            self._answer(status, {"message": message})

    with serving(Handler) as base:
        github.url = base
        yield github
