"""Maintenance windows as the history keeps them (SPEC §12).

A window belongs to one environment and spans `starts_at`..`ends_at` (or `ended_at` when ended
early). `silenced` records what `smoke maintenance start` silenced at each provider (a Datadog
downtime id, the CloudWatch alarms whose actions it disabled), so that `end`, or the first run
after the window, restores exactly that; `restored_at` says it was done. Claiming a restore is
one conditional UPDATE, so of several runners finishing at once only one restores.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from prodsmoke.history.store import History


@dataclass(frozen=True, slots=True)
class StoredWindow:
    """One maintenance window."""

    id: int
    env: str
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by: str
    created_at: datetime
    ended_at: datetime | None
    restored_at: datetime | None
    silenced: Mapping[str, Any]

    @property
    def end(self) -> datetime:
        """When the window closes (or closed)."""
        return min(self.ends_at, self.ended_at) if self.ended_at else self.ends_at

    def covers(self, when: datetime) -> bool:
        """True when `when` falls inside the window."""
        return self.starts_at <= when < self.end


@dataclass(frozen=True, slots=True)
class MaintenanceLog:
    """The maintenance windows of one history: `MaintenanceLog(history).find(env=...)`."""

    history: History

    def add(
        self,
        env: str,
        *,
        starts_at: datetime,
        ends_at: datetime,
        reason: str,
        created_by: str,
        silenced: Mapping[str, Any] | None = None,
    ) -> StoredWindow:
        """Store a new window."""
        from sqlalchemy import insert

        from prodsmoke.history.schema import maintenance_windows as table

        values: dict[str, Any] = {
            "env": env,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "reason": reason,
            "created_by": created_by,
            "created_at": datetime.now(UTC),
            "silenced": dict(silenced or {}),
        }
        with self.history.transaction(write=True) as conn:
            new_id = conn.execute(insert(table).values(values)).inserted_primary_key[0]
        return StoredWindow(
            id=int(new_id),
            env=env,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            created_by=created_by,
            created_at=values["created_at"],
            ended_at=None,
            restored_at=None,
            silenced=dict(silenced or {}),
        )

    def record_silenced(self, window: StoredWindow, silenced: Mapping[str, Any]) -> None:
        """Keep what was silenced for `window`, so it can be restored."""
        from sqlalchemy import update

        from prodsmoke.history.schema import maintenance_windows as table

        with self.history.transaction(write=True) as conn:
            conn.execute(
                update(table).where(table.c.id == window.id).values(silenced=dict(silenced))
            )

    def find(self, *, env: str | None = None, since: datetime | None = None) -> list[StoredWindow]:
        """Windows (oldest first) of one env or all, that end after `since`."""
        from sqlalchemy import select

        from prodsmoke.history.schema import maintenance_windows as table

        query = select(table).order_by(table.c.starts_at, table.c.id)
        if env is not None:
            query = query.where(table.c.env == env)
        if since is not None:
            query = query.where(table.c.ends_at > since)
        with self.history.transaction(write=False) as conn:
            if conn is None:
                return []
            return [_window(row) for row in conn.execute(query).mappings()]

    def end(self, env: str, when: datetime) -> list[StoredWindow]:
        """End every window of `env` open at `when`; returns them as ended."""
        from sqlalchemy import update

        from prodsmoke.history.schema import maintenance_windows as table

        open_now = [w for w in self.find(env=env, since=when) if w.covers(when)]
        if not open_now:
            return []
        with self.history.transaction(write=True) as conn:
            conn.execute(
                update(table).where(table.c.id.in_([w.id for w in open_now])).values(ended_at=when)
            )
        return [replace(w, ended_at=when) for w in open_now]

    def unrestored(self, env: str | None, when: datetime) -> list[StoredWindow]:
        """Closed windows whose providers were never given their alerting back."""
        from sqlalchemy import select

        from prodsmoke.history.schema import maintenance_windows as table

        query = select(table).where(table.c.restored_at.is_(None)).order_by(table.c.id)
        if env is not None:
            query = query.where(table.c.env == env)
        with self.history.transaction(write=False) as conn:
            if conn is None:
                return []
            found = [_window(row) for row in conn.execute(query).mappings()]
        return [w for w in found if w.end <= when and w.silenced]

    def claim_restore(self, window: StoredWindow, when: datetime) -> bool:
        """Mark `window` restored, if nobody has; True when this caller should restore it."""
        from sqlalchemy import update

        from prodsmoke.history.schema import maintenance_windows as table

        with self.history.transaction(write=True) as conn:
            claimed = conn.execute(
                update(table)
                .where(table.c.id == window.id, table.c.restored_at.is_(None))
                .values(restored_at=when)
            ).rowcount
        return bool(claimed)

    def release_restore(self, window: StoredWindow) -> None:
        """Undo a claim whose restore failed, so a later run or `end` tries again."""
        from sqlalchemy import update

        from prodsmoke.history.schema import maintenance_windows as table

        with self.history.transaction(write=True) as conn:
            conn.execute(update(table).where(table.c.id == window.id).values(restored_at=None))


def _window(row: Mapping[str, Any]) -> StoredWindow:
    return StoredWindow(
        id=int(row["id"]),
        env=row["env"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        reason=row["reason"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        ended_at=row["ended_at"],
        restored_at=row["restored_at"],
        silenced=row["silenced"] or {},
    )
