"""Which reporters a run publishes to, beyond results.json and the console.

`configured_reporters` reads `config/monitoring-integration.yaml` (defaults: `history`,
`github_summary` and `github_checks`) and keeps each listed reporter whose credentials are present:

| name             | runs when                                                                  |
| ---------------- | -------------------------------------------------------------------------- |
| `history`        | always (`history.url`, `$PRODSMOKE_HISTORY_URL`; default SQLite in --output) |
| `github_summary` | `$GITHUB_STEP_SUMMARY` is set                                              |
| `github_checks`  | inside Actions with `$GITHUB_TOKEN`: a deploy run's check run on its commit |
| `datadog`        | `datadog.api_key` or `$DD_API_KEY` is set                                  |
| `newrelic`       | `newrelic.license_key` or `$NEW_RELIC_LICENSE_KEY` is set                  |
| `cloudwatch`     | inside Lambda (EMF on stdout), `mode: emf`, or AWS credentials and a region |

Each factory imports its module, and so its SDK, only when selected. To add a reporter: write a
module with a class that has `name` and `report(run)`, add a factory here, and its name to
`ReporterName` in prodsmoke/config/monitoring.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prodsmoke import redact
from prodsmoke.backends.aws import has_credentials

if TYPE_CHECKING:
    from pathlib import Path

    from prodsmoke.config.models import Settings
    from prodsmoke.config.monitoring import Monitoring
    from prodsmoke.maintenance.providers import Providers
    from prodsmoke.options import RunOptions
    from prodsmoke.reporters.base import Reporter
    from prodsmoke.reporters.delivery import Sender, TimeShare

LOCAL = ("history", "github_summary", "github_checks")


@dataclass(frozen=True, slots=True)
class Context:
    """What a factory may use."""

    monitoring: Monitoring
    settings: Settings
    options: RunOptions
    environ: Mapping[str, str]
    config_dir: Path | None = None


def configured_reporters(  # noqa: PLR0913 - the run's parts, by keyword
    config_dir: Path,
    settings: Settings,
    options: RunOptions,
    *,
    environ: Mapping[str, str] | None = None,
    monitoring: Monitoring | None = None,
    share: TimeShare | None = None,
) -> list[Reporter]:
    """The reporters this run should publish to, besides results.json and the console.

    `monitoring` is the already-validated monitoring-integration.yaml, when the caller loaded it
    up front; otherwise it is loaded here. `share` splits the deadline's rest among the remote
    reporters (and the notifiers, when the caller passes it to `configured_notifiers` too).
    """
    from prodsmoke.config.monitoring import load_monitoring
    from prodsmoke.reporters.delivery import TimeShare

    env = os.environ if environ is None else environ
    if monitoring is None:
        monitoring = load_monitoring(config_dir, environ=env)
    context = Context(monitoring, settings, options, env, config_dir)
    names = [n for n in LOCAL if n in monitoring.reporters]
    names += [n for n in monitoring.reporters if n not in LOCAL]
    if share is None:
        share = TimeShare(settings.deadline_s, monitoring.delivery.keep_back_s)
    reporters: list[Reporter] = []
    for name in dict.fromkeys(names):
        reporter = FACTORIES[name](context, share)
        if reporter is not None:
            reporters.append(reporter)
    return reporters


def time_share(settings: Settings, monitoring: Monitoring) -> TimeShare:
    """One run's split of what is left of its deadline among its remote reporters."""
    from prodsmoke.reporters.delivery import TimeShare

    return TimeShare(settings.deadline_s, monitoring.delivery.keep_back_s)


def configured_notifiers(  # noqa: PLR0913 - the run's parts, by keyword
    config_dir: Path,
    settings: Settings,
    options: RunOptions,
    *,
    monitoring: Monitoring,
    share: TimeShare,
    environ: Mapping[str, str] | None = None,
) -> list[Reporter]:
    """The notifiers (`notifiers:` in monitoring-integration.yaml), published after the
    reporters; none when none is configured (`prodsmoke.reporters.notify`)."""
    if not monitoring.notifiers:
        return []
    from prodsmoke.reporters.notify import notifiers

    env = os.environ if environ is None else environ
    return notifiers(config_dir, settings, options, monitoring=monitoring, environ=env, share=share)


def _history(context: Context, share: TimeShare) -> Reporter:
    from prodsmoke.history import History
    from prodsmoke.reporters.history import HistoryReporter, artifacts_url
    from prodsmoke.reporters.spool import Spool

    output = context.options.output_dir
    history = History.configured(context.monitoring.history, output, environ=context.environ)
    share.waiting += 1

    def providers() -> Providers:
        from prodsmoke.maintenance.providers import Providers

        return Providers.configured(context.monitoring, context.environ)

    return HistoryReporter(
        history,
        Spool(output / "spool" / "history", context.monitoring.delivery.spool_max_files),
        env=context.settings.name,
        share=share,
        artifacts_url=artifacts_url(context.environ, output),
        providers=providers,
    )


def _github_summary(context: Context, share: TimeShare) -> Reporter | None:
    from prodsmoke.reporters.github_summary import GitHubSummaryReporter

    return GitHubSummaryReporter.from_environment(context.environ)


def _github_checks(context: Context, share: TimeShare) -> Reporter | None:
    from prodsmoke.reporters.github_checks import GitHubChecksReporter

    found = GitHubChecksReporter.from_environment(
        context.environ, report_url=context.monitoring.report_url
    )
    if found is not None:
        share.waiting += 1
        found.share = share
    return found


def _datadog(context: Context, share: TimeShare) -> Reporter | None:
    from prodsmoke.backends.datadog import keys

    dd = context.monitoring.datadog
    key, _ = keys(dd, context.environ)
    if not key:
        return None
    from prodsmoke.reporters.datadog import DatadogSender

    sender = DatadogSender(dd, key, context.monitoring.metric_prefix, context.monitoring.tags)
    return _spooling(sender, context, share)


def _newrelic(context: Context, share: TimeShare) -> Reporter | None:
    nr = context.monitoring.newrelic
    own = nr.license_key.get_secret_value() if nr.license_key else None
    key = _secret(own, context, "NEW_RELIC_LICENSE_KEY")
    if not key:
        return None
    from prodsmoke.reporters.newrelic import NewRelicSender

    sender = NewRelicSender(nr, key, context.monitoring.metric_prefix, context.monitoring.tags)
    return _spooling(sender, context, share)


def _cloudwatch(context: Context, share: TimeShare) -> Reporter | None:
    cw = context.monitoring.cloudwatch
    env = context.environ
    in_lambda = bool(env.get("AWS_LAMBDA_FUNCTION_NAME"))
    if cw.mode == "emf" or (cw.mode == "auto" and in_lambda):
        from prodsmoke.reporters.cloudwatch import EmfReporter

        return EmfReporter(cw, context.monitoring.metric_prefix)
    from prodsmoke.backends.aws import region as aws_region

    region = aws_region(cw.region, env)
    credentials = in_lambda or cw.region is not None or has_credentials(env)
    if not (region and credentials):
        return None
    from prodsmoke.reporters.cloudwatch import CloudWatchSender

    return _spooling(CloudWatchSender(cw, context.monitoring.metric_prefix, region), context, share)


def _secret(configured: str | None, context: Context, variable: str) -> str | None:
    value = configured or context.environ.get(variable) or None
    if value:
        redact.register_secret(value)
    return value


def _spooling(sender: Sender, context: Context, share: TimeShare) -> Reporter:
    from prodsmoke.reporters.delivery import SpoolingReporter
    from prodsmoke.reporters.spool import Spool

    share.waiting += 1
    folder = context.options.output_dir / "spool" / sender.name
    spool = Spool(folder, context.monitoring.delivery.spool_max_files)
    return SpoolingReporter(sender, spool, context.monitoring.delivery, share)


FACTORIES: dict[str, Callable[[Context, TimeShare], Reporter | None]] = {
    "history": _history,
    "github_summary": _github_summary,
    "github_checks": _github_checks,
    "datadog": _datadog,
    "newrelic": _newrelic,
    "cloudwatch": _cloudwatch,
}
