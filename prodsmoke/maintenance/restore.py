"""Giving alerting back after windows that have closed: by `smoke maintenance end`, or by the
first run after a window. Of several runners finishing at once, the one that claims a window
restores it; a restore that fails is released for the next run (or `end`) to retry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from prodsmoke.history.windows import MaintenanceLog

if TYPE_CHECKING:
    from prodsmoke.history.store import History
    from prodsmoke.maintenance.providers import Providers


def restore_closed(
    history: History, env: str | None, providers: Providers, now: datetime | None = None
) -> tuple[list[str], list[str]]:
    """Restore every closed, unrestored window of `env` this process can; (done, problems)."""
    now = now or datetime.now(UTC)
    done: list[str] = []
    problems: list[str] = []
    log = MaintenanceLog(history)
    for window in log.unrestored(env, now):
        if not providers.can_restore(window.silenced):
            continue  # a runner without those credentials leaves it to one that has them
        if not log.claim_restore(window, now):
            continue
        failed = providers.restore(window.silenced)
        if failed:
            log.release_restore(window)
            problems += [f"maintenance window #{window.id} ({window.env}): {p}" for p in failed]
        else:
            done.append(
                f"maintenance window #{window.id} ({window.env}, {window.reason}) is over: "
                f"alerting restored at {', '.join(window.silenced)}"
            )
    return done, problems
