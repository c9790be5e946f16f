"""A deploy run's verdict on its commit, as a GitHub check run (SPEC §17).

Inside GitHub Actions with a token (`$GITHUB_TOKEN`, given to the step as `${{ github.token }}`,
the job granted `checks: write`), a run with `--trigger deploy` posts one check run,
`prodsmoke · <env>`, on the commit it verified: conclusion success / failure (neutral inside a
maintenance window, skipped when nothing ran), the summary table of the job summary, and links
(the workflow run, the report, how to reproduce each failure). Other runs post nothing.

Why a check run rather than a commit status: a status carries 140 characters and a link, a
check run the whole table in markdown, and the job's own token can create it (a check run needs a
GitHub App token, which GITHUB_TOKEN is). `POST /repos/{owner}/{repo}/check-runs` with `name`,
`head_sha` (the full 40-digit SHA), `status: completed`, `conclusion`, `completed_at` and an
`output` of `title` and `summary` (at most 65535 characters each, as `text`). GitHub Enterprise
Server is reached through `$GITHUB_API_URL`, as Actions sets it.

A refusal (403: the job lacks `checks: write`; 422: the commit is not in the repository) is one
line; a server error is retried within the run's deadline. Nothing is spooled: the check belongs
to this deploy, and the job's machine is gone after it.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from prodsmoke import redact
from prodsmoke.errors import DeliveryError, SendError
from prodsmoke.reporters.github_summary import markdown
from prodsmoke.results import Status, Trigger

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import httpx

    from prodsmoke.reporters.delivery import TimeShare
    from prodsmoke.results import RunResult

API = "https://api.github.com"
API_VERSION = "2022-11-28"
OUTPUT_MAX = 65535
_FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
_REPOSITORY = re.compile(r"^[\w.-]+/[\w.-]+$")


def conclusion(run: RunResult) -> str:
    """The check run's conclusion for `run`."""
    if run.status is Status.SKIP:
        return "skipped"
    if run.maintenance is not None:
        return "neutral"
    return "success" if run.status.ok else "failure"


def check_run(
    run: RunResult, sha: str, *, details_url: str | None, report_url: str | None
) -> dict[str, Any]:
    """The body of `POST /repos/{owner}/{repo}/check-runs` for `run`."""
    counts = {s: sum(c.status is s for c in run.checks) for s in Status}
    parts = [f"{n} {s}" for s, n in counts.items() if n]
    version = f" · version {run.version}" if run.version else ""
    title = f"{str(run.status).upper()} ({', '.join(parts)}) on {run.env}{version}"
    text = ["### Links", ""]
    if details_url:
        text.append(f"- workflow run (results and artifacts): {details_url}")
    if report_url:
        text.append(f"- run history report: {report_url}")
    text.append(
        f"- compare with the version before: `smoke gate --env {run.env} --commit {sha[:12]}`"
    )
    if run.maintenance:
        text += ["", f"Inside a maintenance window ({redact.redact(run.maintenance)}): neutral."]
    finished = run.started_at + timedelta(milliseconds=run.duration_ms)
    body: dict[str, Any] = {
        "name": f"prodsmoke · {run.env}",
        "head_sha": sha,
        "status": "completed",
        "conclusion": conclusion(run),
        "started_at": _when(run.started_at),
        "completed_at": _when(finished),
        "external_id": run.run_id,
        "output": {
            "title": _cut(title, 255),
            "summary": _cut(redact.redact(markdown(run)), OUTPUT_MAX),
            "text": _cut(redact.redact("\n".join(text)), OUTPUT_MAX),
        },
    }
    if details_url:
        body["details_url"] = details_url
    return body


@dataclass
class GitHubChecksReporter:
    """Posts a deploy run's check run to the repository the workflow runs in."""

    api_url: str
    repository: str
    token: str
    share: TimeShare | None = None
    fallback_sha: str | None = None  # $GITHUB_SHA: the deployment's commit in deployment_status
    details_url: str | None = None
    report_url: str | None = None
    attempts: int = 3
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    name: str = field(default="github_checks", init=False)

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str], *, report_url: str | None = None
    ) -> GitHubChecksReporter | None:
        """The reporter inside GitHub Actions with a token and a repository; else None."""
        token = environ.get("GITHUB_TOKEN") or ""
        repository = environ.get("GITHUB_REPOSITORY") or ""
        if environ.get("GITHUB_ACTIONS") != "true" or not token or not repository:
            return None
        redact.register_secret(token)
        server = environ.get("GITHUB_SERVER_URL") or "https://github.com"
        run_id = environ.get("GITHUB_RUN_ID")
        details = f"{server}/{repository}/actions/runs/{run_id}" if run_id else None
        return cls(
            api_url=(environ.get("GITHUB_API_URL") or API).rstrip("/"),
            repository=repository,
            token=token,
            fallback_sha=environ.get("GITHUB_SHA") or None,
            details_url=details,
            report_url=report_url,
        )

    def report(self, run: RunResult) -> None:
        """Post the check run of a deploy run (nothing for other runs)."""
        if run.trigger is not Trigger.DEPLOY:
            return
        sha = (run.commit or self.fallback_sha or "").lower()
        if not _FULL_SHA.match(sha):
            given = f"got {sha[:12]!r}" if sha else "no commit given"
            raise DeliveryError(
                f"a check run needs the deployed commit's full SHA ({given}); pass --commit "
                "with 40 hex digits, or leave it to $GITHUB_SHA"
            )
        if not _REPOSITORY.match(self.repository):
            raise DeliveryError(f"$GITHUB_REPOSITORY {self.repository!r} is not OWNER/REPO")
        body = check_run(run, sha, details_url=self.details_url, report_url=self.report_url)
        until = self.share.take(run) if self.share else time.time() + 15
        self._post(body, until)

    def _post(self, body: dict[str, Any], until: float) -> None:
        url = f"{self.api_url}/repos/{self.repository}/check-runs"
        delay = 0.5
        for attempt in range(1, self.attempts + 1):
            try:
                self._send(url, body, max(min(10.0, until - time.time()), 0.5))
                return
            except SendError as exc:
                if not exc.retry or attempt == self.attempts or time.time() + delay > until:
                    tries = f" after {attempt} attempt{'s' if attempt > 1 else ''}"
                    raise DeliveryError(f"{exc}{tries}; no check run posted") from None
                self.sleep(delay)
                delay *= 2

    def _send(self, url: str, body: dict[str, Any], timeout_s: float) -> None:
        import httpx

        from prodsmoke import __version__

        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"prodsmoke/{__version__}",
            "Content-Type": "application/json",
        }
        where = f"POST {url.split('//', 1)[-1].split('/', 1)[0]}/repos/{self.repository}/check-runs"
        try:
            response = httpx.post(url, content=json.dumps(body), headers=headers, timeout=timeout_s)
        except httpx.TimeoutException:
            raise SendError(f"{where} timed out after {timeout_s:.1f} s") from None
        except httpx.HTTPError as exc:
            raise SendError(f"{where} failed: {type(exc).__name__}") from None
        if response.status_code == 201:  # noqa: PLR2004 - Created
            return
        raise _refusal(where, response)


def _refusal(where: str, response: httpx.Response) -> SendError:
    status = response.status_code
    try:
        doc = response.json()
    except ValueError:
        doc = {}
    said = str(doc.get("message") or "") if isinstance(doc, dict) else ""
    hint = {
        401: "the token was refused; give the step GITHUB_TOKEN: ${{ github.token }}",
        403: "the job's token needs `permissions: checks: write`",
        404: "no such repository for this token",
        422: "GitHub refused the check run (is the commit in this repository?)",
    }.get(status, "")
    detail = "; ".join(p for p in (said, hint) if p)
    message = redact.redact(f"{where} answered HTTP {status}" + (f" ({detail})" if detail else ""))
    retry = status >= 500 or status == 429  # noqa: PLR2004 - the server's errors, rate limits
    return SendError(message, retry=retry, keep=False)


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
