"""`smoke alerts plan|apply`: alert rules, dashboards and uptime checks as code.

From config/alert-rules.yaml, for each environment it names (or `--env NAME`) and each provider
(`--provider`, else every one whose credentials are set): Datadog monitors and dashboards,
CloudWatch alarms and dashboards, Pingdom and StatusCake uptime checks. `plan --offline` needs no
credentials and shows what each provider would get from an empty account; `--format json` says
the same for machines. Uptime checks no longer configured are deleted only with `--prune`.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import TYPE_CHECKING, Any

from prodsmoke import redact
from prodsmoke.commands.common import config_flag
from prodsmoke.errors import UsageError

if TYPE_CHECKING:
    from prodsmoke.alerts.plan import Change
    from prodsmoke.alerts.targets import Target

PROVIDERS = ("datadog", "cloudwatch", "pingdom", "statuscake")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke alerts`."""
    alerts = sub.add_parser("alerts", help="alert rules, dashboards and uptime checks as code")
    alerts.add_argument("action", choices=("plan", "apply"), help="show the changes, or make them")
    alerts.add_argument(
        "--provider",
        choices=PROVIDERS,
        help="one provider (default: each whose credentials are set)",
    )
    alerts.add_argument(
        "--env", help="one environment (default: every one config/alert-rules.yaml names)"
    )
    alerts.add_argument(
        "--offline",
        action="store_true",
        help="plan without credentials: what each provider would get from an empty account",
    )
    alerts.add_argument(
        "--prune",
        action="store_true",
        help="also delete prodsmoke's uptime checks that are no longer configured",
    )
    alerts.add_argument("--format", choices=("text", "json"), default="text", help="output")
    config_flag(alerts)
    alerts.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Plan (and with `apply`, make) the changes for each environment and provider."""
    from prodsmoke.alerts.plan import plan
    from prodsmoke.alerts.targets import targets
    from prodsmoke.config.alert_file import load_alert_rules
    from prodsmoke.config.monitoring import load_monitoring

    if args.offline and args.action == "apply":
        raise UsageError("--offline goes with plan: apply needs the providers' credentials")
    monitoring = load_monitoring(args.config, notifiers=False)
    file = load_alert_rules(args.config, monitoring)
    envs = file.selected(args.env)
    regressions = {e.env: tuple(r.id for r in e.rules if not r.monitored) for e in envs}
    chosen = targets(file, envs, args.provider, offline=args.offline, environ=os.environ)
    report: list[dict[str, Any]] = []
    for target in chosen:
        desired = target.desired()
        changes = plan(desired, [] if args.offline else target.current())
        changes, kept = _prune(target, changes, args.prune)
        pending = [c for c in changes if c.action != "keep"]
        entry = _entry(
            target,
            desired,
            changes,
            kept,
            detailed=args.offline,
            regressions=regressions.get(target.env, ()),
        )
        if args.format == "text":
            _print(entry, args.action, pending)
        if args.action == "apply" and pending:
            target.apply(pending)
            if args.format == "text":
                print(f"applied: {entry['_summary_line']}")
        report.append(entry)
    if args.format == "text" and len(report) > 1:
        from prodsmoke.alerts.plan import describe

        print(f"total: {describe(_total(report))} ({len(report)} provider-environment pairs)")
    if args.format == "json":
        doc = {
            "action": args.action,
            "offline": args.offline,
            "targets": [_public(e) for e in report],
            "summary": _total(report),
        }
        print(
            redact.redact(
                json.dumps(doc, indent=2, sort_keys=True, default=str, ensure_ascii=False)
            )
        )
    return 0


def _prune(target: Target, changes: list[Change], prune: bool) -> tuple[list[Change], list[str]]:
    """Without --prune, uptime checks no longer configured stay (and are listed)."""
    if prune or not getattr(target, "removal_needs_prune", False):
        return changes, []
    kept = [c.resource.name for c in changes if c.action == "remove"]
    return [c for c in changes if c.action != "remove"], kept


def _entry(  # noqa: PLR0913 - what one target's plan is built from
    target: Target,
    desired: list[Any],
    changes: list[Change],
    kept: list[str],
    *,
    detailed: bool,
    regressions: tuple[str, ...] = (),
) -> dict[str, Any]:
    from prodsmoke.alerts.plan import counts, summary

    notes = list(target.notes())
    notes += [
        f"{target.name}: rule {rule}: slower_than_previous is judged by `smoke gate --version`, "
        "not by a monitor"
        for rule in regressions
    ]
    if kept:
        notes.append(
            f"{target.name}: {len(kept)} prodsmoke uptime check(s) no longer configured, kept: "
            f"{', '.join(kept)} (apply --prune deletes them)"
        )
    return {
        "provider": target.name,
        "env": target.env,
        "where": target.where(),
        "resources": len(desired),
        "notes": notes,
        "changes": [
            {
                "action": c.action,
                "kind": c.resource.kind,
                "key": c.resource.key,
                "name": c.resource.name,
                "fields": list(c.fields),
                "details": target.details(c.resource) if c.action != "remove" else [],
                "_line": c.line(),
                "body": dict(c.resource.body),
            }
            for c in changes
        ],
        "_detailed": detailed,
        "_summary_line": summary(changes),
        "summary": counts(changes),
    }


def _print(entry: dict[str, Any], action: str, pending: list[Change]) -> None:
    offline = " (offline: compared with an empty account)" if entry["_detailed"] else ""
    lines = [
        f"{entry['provider']} ({entry['where']}): {entry['resources']} resources for env "
        f"{entry['env']}{offline}"
    ]
    lines += [f"  note: {note}" for note in entry["notes"]]
    for change in entry["changes"]:
        lines.append(change["_line"])
        if entry["_detailed"]:
            lines += [f"      {d}" for d in change["details"]]
    if action == "apply" and not pending:
        lines.append(f"nothing to change: {entry['_summary_line']}")
    elif action == "plan":
        lines.append(f"plan: {entry['_summary_line']}")
    print(redact.redact("\n".join(lines)))


def _public(value: Any) -> Any:
    """The JSON form: without the keys that only the text output uses (`_…`)."""
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


def _total(report: list[dict[str, Any]]) -> dict[str, int]:
    from prodsmoke.alerts.plan import SYMBOL

    return {a: sum(e["summary"][a] for e in report) for a in SYMBOL}
