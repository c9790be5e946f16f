"""Which checks are paging: one `alert_states` row per environment and check (revision 0003).

A state changes by compare-and-set — `fire` only when the row is not firing, `resolve` only when
it is — in one statement each, so when several runners (three Lambda regions, a GitHub job)
evaluate the same failure at once, exactly one of them wins and sends the notification: "once
per state change" holds across every runner that writes the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Connection

    from prodsmoke.history.store import History


@dataclass(frozen=True, slots=True)
class AlertState:
    """One check's paging state."""

    env: str
    check_id: str
    firing: bool
    since: datetime  # when the failure began (firing), or when it was resolved
    changed_at: datetime
    run_id: str  # the run that changed it
    severity: str | None = None


class AlertLog:
    """The alert states kept in one history."""

    def __init__(self, history: History) -> None:
        self.history = history

    def states(self, env: str) -> dict[str, AlertState]:
        """Every check of `env` that has a state, by check id."""
        from sqlalchemy import select

        from prodsmoke.history.schema import alert_states

        with self.history.transaction(write=False) as conn:
            if conn is None:
                return {}
            rows = conn.execute(select(alert_states).where(alert_states.c.env == env)).mappings()
            return {row["check_id"]: _state(row) for row in rows.all()}

    def fire(
        self, env: str, check_id: str, *, since: datetime, run_id: str, severity: str | None
    ) -> bool:
        """Mark the check firing; True when this call changed the state (the caller notifies)."""
        return self._change(env, check_id, since=since, run_id=run_id, severity=severity)

    def resolve(self, env: str, check_id: str, *, run_id: str) -> AlertState | None:
        """Mark the check passing again; the firing state it ended, or None when it was not
        firing (or another runner resolved it first)."""
        before = self.states(env).get(check_id)
        if before is None or not before.firing:
            return None
        now = datetime.now(UTC)
        if not self._change(env, check_id, since=now, run_id=run_id, expect_since=before.since):
            return None
        return before

    def _change(  # noqa: PLR0913 - one row's whole new state, by keyword
        self,
        env: str,
        check_id: str,
        *,
        since: datetime,
        run_id: str,
        severity: str | None = None,
        expect_since: datetime | None = None,
    ) -> bool:
        """Fire (no `expect_since`) or resolve the firing state that began at `expect_since`."""
        firing = expect_since is None
        from sqlalchemy import update

        from prodsmoke.history.schema import alert_states

        table = alert_states.c
        values = {
            "firing": firing,
            "since": since,
            "changed_at": datetime.now(UTC),
            "run_id": run_id,
            "severity": severity,
        }
        with self.history.transaction(write=True) as conn:
            where = [table.env == env, table.check_id == check_id, table.firing == (not firing)]
            if expect_since is not None:
                where.append(table.since == expect_since)
            changed = conn.execute(update(alert_states).where(*where).values(values)).rowcount
            if changed:
                return True
            if not firing:
                return False
            row = {"env": env, "check_id": check_id, **values}
            inserted = conn.execute(_insert_new(conn, row).returning(table.check_id)).first()
            return inserted is not None


def _insert_new(conn: Connection, row: dict[str, Any]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING: the first runner to see a new check fail wins."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    from prodsmoke.history.schema import alert_states

    if conn.dialect.name == "postgresql":
        return (
            pg_insert(alert_states)
            .values(row)
            .on_conflict_do_nothing(index_elements=["env", "check_id"])
        )
    return (
        sqlite_insert(alert_states)
        .values(row)
        .on_conflict_do_nothing(index_elements=["env", "check_id"])
    )


def _state(row: Mapping[str, Any]) -> AlertState:
    return AlertState(
        env=row["env"],
        check_id=row["check_id"],
        firing=bool(row["firing"]),
        since=row["since"],
        changed_at=row["changed_at"],
        run_id=row["run_id"],
        severity=row["severity"],
    )
