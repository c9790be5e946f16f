"""`smoke alerts plan|apply`: alert rules and dashboards as code, from config/alert-rules.yaml."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from prodsmoke import redact
from prodsmoke.commands.common import config_flag
from prodsmoke.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from prodsmoke.alerts.cloudwatch_api import CloudWatchAlerts
    from prodsmoke.alerts.datadog_api import DatadogAlerts
    from prodsmoke.config.alert_rules import AlertRules
    from prodsmoke.config.monitoring import Monitoring

PROVIDERS = ("datadog", "cloudwatch")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke alerts`."""
    alerts = sub.add_parser("alerts", help="alert rules and dashboards as code")
    alerts.add_argument("action", choices=("plan", "apply"), help="show the changes, or make them")
    alerts.add_argument(
        "--provider",
        choices=PROVIDERS,
        help="one provider (default: each whose credentials are set)",
    )
    config_flag(alerts)
    alerts.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Plan (and with `apply`, make) the changes for each provider."""
    from prodsmoke.alerts.plan import plan, summary
    from prodsmoke.config.alert_rules import load_alert_rules
    from prodsmoke.config.monitoring import load_monitoring

    monitoring = load_monitoring(args.config)
    rules = load_alert_rules(args.config, monitoring)
    for target in _targets(args.provider, args.config, rules, monitoring, os.environ):
        desired = target.desired()
        changes = plan(desired, target.current())
        print(f"{target.name} ({target.where()}): {len(desired)} resources for env {rules.env}")
        for note in target.notes():
            print(f"  note: {note}")
        pending = [c for c in changes if c.action != "keep"]
        for change in changes:
            print(redact.redact(change.line()))
        if args.action == "apply" and pending:
            target.apply(pending)
            print(f"applied: {summary(changes)}")
        elif args.action == "apply":
            print(f"nothing to change: {summary(changes)}")
        else:
            print(f"plan: {summary(changes)}")
    return 0


def _targets(
    provider: str | None,
    config: Path,
    rules: AlertRules,
    monitoring: Monitoring,
    environ: Mapping[str, str],
) -> list[DatadogAlerts | CloudWatchAlerts]:
    from prodsmoke.alerts.cloudwatch_api import CloudWatchAlerts
    from prodsmoke.alerts.datadog_api import DatadogAlerts
    from prodsmoke.reporters.registry import AWS_CREDENTIALS

    dd = monitoring.datadog
    api_key = (dd.api_key.get_secret_value() if dd.api_key else "") or environ.get("DD_API_KEY")
    app_key = (dd.app_key.get_secret_value() if dd.app_key else "") or environ.get("DD_APP_KEY")
    for key in (api_key, app_key):
        if key:
            redact.register_secret(key)
    region = (
        monitoring.cloudwatch.region
        or environ.get("AWS_REGION")
        or environ.get("AWS_DEFAULT_REGION")
    )
    aws = bool(region) and any(environ.get(k) for k in AWS_CREDENTIALS)
    targets: list[DatadogAlerts | CloudWatchAlerts] = []
    if provider in (None, "datadog"):
        if api_key and app_key:
            targets.append(DatadogAlerts(rules, monitoring, api_key, app_key))
        elif provider:
            raise UsageError(
                "--provider datadog: set DD_API_KEY and DD_APP_KEY (monitors and dashboards "
                "need both)"
            )
    if provider in (None, "cloudwatch"):
        if region and (aws or provider):
            targets.append(CloudWatchAlerts(rules, monitoring, config, region))
        elif provider:
            raise UsageError(
                "--provider cloudwatch: no AWS region; set AWS_REGION or cloudwatch.region in "
                "monitoring-integration.yaml"
            )
    if not targets:
        raise UsageError(
            "no provider configured: set DD_API_KEY and DD_APP_KEY, or AWS credentials and "
            "AWS_REGION, or pass --provider"
        )
    return targets
