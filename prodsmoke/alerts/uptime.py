"""External uptime checks, provider-neutral: one per health check of an environment (SPEC §14).

From the environment file: the URL (`base_url` + the check's `url`), the expected status (the
`[STATUS] == N` or `== any(N, M)` condition) and a keyword (the first `[BODY]` condition comparing
with text: `[BODY].status == healthy` wants `"healthy"` in the body, quotes included, so
`"unhealthy"` does not match; bare `[BODY] == OK` wants `OK`; `pat(*up*)` wants `up`). From
alert-rules.yaml: the interval (`uptime.every`, by default the period of config/cron-schedule.yaml,
never slower), the recipients (`uptime.notify`, else those of the rules that name the check, else
those of the critical rules) and which checks (`uptime.checks`, by default every enabled health
check). Providers (`pingdom`, `statuscake`) turn an `UptimeCheck` into their own fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from prodsmoke.config.monitoring import format_duration
from prodsmoke.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path

    from prodsmoke.config.alert_rules import AlertRules
    from prodsmoke.config.models import HttpCheck, Settings

OWNER_TAG = "prodsmoke"
DEFAULT_PERIOD_S = 1800  # cron-schedule.yaml's own default
_STATUS = re.compile(r"^\[STATUS\]\s*==\s*(?:(\d{3})|any\(([\d\s,]+)\))$")
_BODY = re.compile(r"^\[BODY\]((?:\.[^\s.\[\]()=!<>]+|\[\d+\])*)\s*==\s*(.+)$")
_LITERAL_WORDS = frozenset({"true", "false", "null"})
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


def env_tag(env: str) -> str:
    """The tag that says which environment a check belongs to."""
    return f"{OWNER_TAG}-{env}"


@dataclass(frozen=True, slots=True)
class UptimeCheck:
    """What one external uptime check must do."""

    env: str
    check_id: str
    url: str
    expected_status: tuple[int, ...]  # empty: any status below 400
    keyword: str | None
    interval_s: int
    recipients: tuple[str, ...]
    headers: bool  # the health check sends headers, which uptime checks leave out

    @property
    def name(self) -> str:
        """`prodsmoke production health`: how it is listed, and how prodsmoke finds it."""
        return f"{OWNER_TAG} {self.env} {self.check_id}"

    @property
    def tags(self) -> tuple[str, ...]:
        """The ownership tag and the environment's tag."""
        return (OWNER_TAG, env_tag(self.env))


def uptime_checks(
    rules: AlertRules,
    settings: Settings | None,
    *,
    schedule_period_s: int | None,
    file: str,
    where: Callable[[str], str],
) -> list[UptimeCheck]:
    """The uptime checks environment `rules.env` should have."""
    env_file = f"environments/{rules.env}.yaml"
    if settings is None:
        raise ConfigError(file, where("uptime"), f"uptime checks need {env_file}; it is missing")
    period = schedule_period_s or DEFAULT_PERIOD_S
    every = rules.uptime.every or period
    if every > period:
        raise ConfigError(
            file,
            where("uptime.every"),
            f"got {format_duration(every)}, expected at most the schedule's "
            f"{format_duration(period)} (config/cron-schedule.yaml): an uptime check slower "
            "than the suite adds nothing",
        )
    by_id = {c.id: c for c in settings.http_checks}
    ids = rules.uptime.checks or tuple(c.id for c in settings.health_checks if c.enabled)
    critical = tuple(
        dict.fromkeys(r for rule in rules.rules if rule.severity == "critical" for r in rule.notify)
    )
    out = []
    for check_id in ids:
        check = by_id[check_id]
        named = tuple(dict.fromkeys(r for rule in rules.rules_for(check_id) for r in rule.notify))
        out.append(
            UptimeCheck(
                env=rules.env,
                check_id=check_id,
                url=_url(settings.base_url, check.url),
                expected_status=expected_status(check),
                keyword=keyword(check),
                interval_s=every,
                recipients=rules.uptime.notify or named or critical,
                headers=bool(check.headers),
            )
        )
    return out


def schedule_period(config_dir: Path) -> int | None:
    """The schedule's period in seconds (config/cron-schedule.yaml), None without the file."""
    from prodsmoke.config.schedule import SCHEDULE_FILE, load_schedule

    if not (config_dir / SCHEDULE_FILE).is_file():
        return None
    return load_schedule(config_dir).every_minutes * 60


def _url(base_url: str, path: str) -> str:
    if urlsplit(path).scheme:
        return path
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def expected_status(check: HttpCheck) -> tuple[int, ...]:
    """The status codes a `[STATUS] ==` condition expects (empty when there is none)."""
    for condition in check.conditions:
        match = _STATUS.match(condition.source.strip())
        if match:
            codes = match.group(1) or match.group(2)
            return tuple(int(c) for c in codes.replace(" ", "").split(",") if c)
    return ()


def keyword(check: HttpCheck) -> str | None:
    """Text the body must contain, from the first `[BODY]` condition comparing with text."""
    for condition in check.conditions:
        match = _BODY.match(condition.source.strip())
        if not match:
            continue
        path, right = match.group(1), match.group(2).strip()
        if right.startswith("pat(") and right.endswith(")"):
            parts = [p for p in re.split(r"[*?]", right[4:-1]) if p.strip()]
            if parts:
                return max(parts, key=len)
            continue
        if right.startswith("any(") or right in _LITERAL_WORDS or _NUMBER.match(right):
            continue  # several values, or too short to say anything as a substring
        return f'"{right}"' if path else right
    return None
