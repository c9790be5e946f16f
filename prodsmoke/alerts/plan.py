"""Desired against current: what `smoke alerts plan` shows and `smoke alerts apply` does.

A resource is a provider's JSON (a Datadog monitor or dashboard, a CloudWatch alarm or dashboard).
It is unchanged when every field we set has the value we want in what the provider returns: the
provider may add defaults and ids of its own (`differences` ignores what we do not set), so a
second `apply` finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Action = Literal["create", "update", "remove", "keep"]
SYMBOL = {"create": "+", "update": "~", "remove": "-", "keep": "="}


@dataclass(frozen=True, slots=True)
class Resource:
    """One thing a provider holds: its kind, our key for it, a display name and its body."""

    kind: str  # monitor, dashboard, alarm
    key: str
    name: str
    body: Mapping[str, Any]
    provider_id: str | None = None  # the provider's id for an existing resource


@dataclass(frozen=True, slots=True)
class Change:
    """One step of a plan."""

    action: Action
    resource: Resource
    current: Resource | None = None
    fields: tuple[str, ...] = field(default=())

    def line(self, *, done: bool = False) -> str:
        """`  ~ update  monitor    [prodsmoke] API slow (query, options.thresholds)`."""
        verb = {"create": "created", "update": "updated", "remove": "removed", "keep": "kept"}
        shown = verb[self.action] if done else self.action
        detail = f" ({', '.join(self.fields[:6])})" if self.fields else ""
        kind, name = self.resource.kind, self.resource.name
        return f"  {SYMBOL[self.action]} {shown:<8} {kind:<10} {name}{detail}"


def differences(want: Any, have: Any, path: str = "") -> list[str]:
    """Paths where `have` lacks what `want` sets (dicts: only `want`'s keys; lists: in order)."""
    if isinstance(want, Mapping):
        if not isinstance(have, Mapping):
            return [path or "."]
        out: list[str] = []
        for key, value in want.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in have:
                out.append(where)
            else:
                out += differences(value, have[key], where)
        return out
    if isinstance(want, list | tuple):
        if not isinstance(have, list | tuple) or len(want) != len(have):
            return [path]
        return [
            d
            for i, (w, h) in enumerate(zip(want, have, strict=True))
            for d in differences(w, h, f"{path}[{i}]")
        ][:1]
    if (
        isinstance(want, float | int)
        and isinstance(have, float | int)
        and not isinstance(want, bool)
    ):
        return [] if float(want) == float(have) else [path]
    return [] if want == have else [path]


def plan(desired: Sequence[Resource], current: Sequence[Resource]) -> list[Change]:
    """Create what is missing, update what differs, remove what we manage but no longer want."""
    have = {(r.kind, r.key): r for r in current}
    changes = []
    for resource in desired:
        existing = have.pop((resource.kind, resource.key), None)
        if existing is None:
            changes.append(Change("create", resource))
            continue
        found = differences(dict(resource.body), dict(existing.body))
        action: Action = "update" if found else "keep"
        changes.append(Change(action, resource, existing, _top(found)))
    changes += [Change("remove", r, r) for r in have.values()]
    return changes


def _top(paths: list[str]) -> tuple[str, ...]:
    """Field names people recognise: `options.thresholds`, not `options.thresholds.critical`."""
    return tuple(dict.fromkeys(".".join(p.split(".")[:2]).split("[")[0] for p in paths))


def counts(changes: Sequence[Change]) -> dict[str, int]:
    """How many changes of each action (`create`, `update`, `remove`, `keep`)."""
    return {a: sum(c.action == a for c in changes) for a in SYMBOL}


def describe(count: Mapping[str, int]) -> str:
    """`2 to create, 1 to change, 0 to remove, 5 unchanged`."""
    return (
        f"{count['create']} to create, {count['update']} to change, "
        f"{count['remove']} to remove, {count['keep']} unchanged"
    )


def summary(changes: Sequence[Change]) -> str:
    """`describe(counts(changes))`."""
    return describe(counts(changes))
