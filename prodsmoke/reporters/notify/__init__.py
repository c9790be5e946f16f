"""Notifiers (SPEC §17): a message when a check starts failing and when it passes again.

`notifiers:` in monitoring-integration.yaml lists them (`config.notifiers`); the runner publishes
them after the reporters, so the run's history row is written first:

    Alerts      judges the run on the history, once (`state`): which checks changed state
    Notifier    per service — `slack` (Block Kit), `pagerduty` (Events API v2), `webhook`
                (signed JSON) — sends those changes (`deliver`), or spools them

To add a service: a module with a class that has `name`, `max_age_s`, `payload(change,
wording)` and `send(payload, timeout_s)`, and a branch in `_service` below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prodsmoke import redact
from prodsmoke.config.notifiers import PagerDutyNotifier, SlackNotifier, WebhookNotifier

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from prodsmoke.config.alert_rules import AlertRules
    from prodsmoke.config.models import Settings
    from prodsmoke.config.monitoring import Monitoring
    from prodsmoke.config.notifiers import Notifier as NotifierConfig
    from prodsmoke.config.secret_refs import SecretRef
    from prodsmoke.options import RunOptions
    from prodsmoke.reporters.base import Reporter
    from prodsmoke.reporters.delivery import TimeShare
    from prodsmoke.reporters.notify.deliver import Service


def notifiers(  # noqa: PLR0913 - what the run knows, by keyword
    config_dir: Path,
    settings: Settings,
    options: RunOptions,
    *,
    monitoring: Monitoring,
    environ: Mapping[str, str],
    share: TimeShare,
) -> list[Reporter]:
    """`Alerts` and one `Notifier` per configured service; none when none is configured."""
    if not monitoring.notifiers:
        return []
    from prodsmoke.history import History
    from prodsmoke.reporters.delivery import Courier
    from prodsmoke.reporters.history import artifacts_url
    from prodsmoke.reporters.notify.deliver import Alerts, Notifier
    from prodsmoke.reporters.notify.message import Wording
    from prodsmoke.reporters.notify.state import Evaluation
    from prodsmoke.reporters.spool import Spool

    output = options.output_dir
    history = History.configured(monitoring.history, output, environ=environ)
    rules, problem = _rules(config_dir, settings.name, monitoring, environ)
    evaluation = Evaluation(history, rules, artifacts_url(environ, output))
    wording = Wording(monitoring.report_url, output)
    out: list[Reporter] = [Alerts(evaluation, problem)]
    for config in monitoring.notifiers:
        service, secret_problem = _service(config, environ)
        share.waiting += 1
        spool = Spool(
            output / "spool" / f"notify-{config.label}", monitoring.delivery.spool_max_files
        )
        courier = Courier(service, spool, monitoring.delivery)
        out.append(Notifier(service, courier, evaluation, wording, share, secret_problem))
    return out


def _rules(
    config_dir: Path, env: str, monitoring: Monitoring, environ: Mapping[str, str]
) -> tuple[AlertRules | None, str | None]:
    """This environment's alert rules (their N-of-M forms say how many failures page)."""
    from prodsmoke.config.alert_file import load_alert_rules
    from prodsmoke.errors import ConfigError

    try:
        return load_alert_rules(config_dir, monitoring, environ=environ).for_env(env), None
    except ConfigError as exc:
        return None, str(exc)


def _service(config: NotifierConfig, environ: Mapping[str, str]) -> tuple[Service, str | None]:
    """The service a notifier's config names, with its secrets read (an AWS reference may fail:
    the notifier then says so on every run, and spools its messages)."""
    from prodsmoke.reporters.notify.pagerduty import PagerDutyTransport
    from prodsmoke.reporters.notify.slack import SlackTransport
    from prodsmoke.reporters.notify.webhook import WebhookTransport

    problems: list[str] = []

    def secret(ref: SecretRef, key: str) -> str:
        value = _read(ref, f"notifier {config.label}: {key}", environ, problems)
        return value or "unreadable.invalid"

    if isinstance(config, SlackNotifier):
        service: Service = SlackTransport(config.label, secret(config.webhook_url, "webhook_url"))
    elif isinstance(config, PagerDutyNotifier):
        key = secret(config.routing_key, "routing_key")
        service = PagerDutyTransport(config.label, config.events_url, key, config.severity)
    else:
        assert isinstance(config, WebhookNotifier)
        url, key = secret(config.url, "url"), secret(config.secret, "secret")
        service = WebhookTransport(config.label, url, key)
    return service, ("; ".join(problems) or None)


def _read(ref: SecretRef, owner: str, environ: Mapping[str, str], problems: list[str]) -> str:
    from prodsmoke.accounts.sources import fetch_secret
    from prodsmoke.errors import AccountError

    try:
        value = fetch_secret(ref, owner, environ)
    except AccountError as exc:
        problems.append(str(exc).removeprefix(owner.split(":", maxsplit=1)[0] + ": "))
        return ""
    redact.register_secret(value)
    return value
