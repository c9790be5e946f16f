"""Which providers `smoke alerts` talks to, for which environments, with which credentials.

A target is one provider for one environment: `desired()` (needs no credentials, so an offline
plan can print it), `current()` and `apply()` (need them), `notes()` and `details()` for people.
Without `--provider`, every provider whose credentials are set takes part; offline, Datadog
always, CloudWatch when it has SNS topics or is a configured reporter, and Pingdom / StatusCake
for the environments with a `pingdom:` / `statuscake:` section. Tokens come from the environment
(`DD_API_KEY`/`DD_APP_KEY`, AWS credentials, `PINGDOM_API_TOKEN`, `STATUSCAKE_API_TOKEN`; the
uptime APIs' base URLs from `PINGDOM_API_URL` / `STATUSCAKE_API_URL` when set).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from prodsmoke import redact
from prodsmoke.errors import UsageError

if TYPE_CHECKING:
    from prodsmoke.alerts.plan import Change, Resource
    from prodsmoke.alerts.uptime import UptimeCheck
    from prodsmoke.config.alert_file import AlertRulesFile
    from prodsmoke.config.alert_rules import AlertRules
    from prodsmoke.config.monitoring import Monitoring

PROVIDERS = ("datadog", "cloudwatch", "pingdom", "statuscake")
UPTIME = ("pingdom", "statuscake")


class Target(Protocol):
    """One provider's resources for one environment."""

    name: str

    @property
    def env(self) -> str: ...
    def where(self) -> str: ...
    def notes(self) -> list[str]: ...
    def desired(self) -> list[Resource]: ...
    def current(self) -> list[Resource]: ...
    def apply(self, changes: list[Change]) -> None: ...
    def details(self, resource: Resource) -> list[str]: ...


@dataclass(frozen=True)
class _Credentials:
    """What the environment provides: keys, tokens, the AWS region."""

    api_key: str
    app_key: str
    tokens: Mapping[str, str]
    region: str | None
    aws: bool
    environ: Mapping[str, str]

    @classmethod
    def read(cls, monitoring: Monitoring, environ: Mapping[str, str]) -> _Credentials:
        from prodsmoke.backends.aws import has_credentials, region
        from prodsmoke.backends.datadog import keys

        api_key, app_key = keys(monitoring.datadog, environ)
        tokens = {p: environ.get(f"{p.upper()}_API_TOKEN", "") for p in UPTIME}
        for key in tokens.values():
            if key:
                redact.register_secret(key)
        aws_region = region(monitoring.cloudwatch.region, environ)
        aws = bool(aws_region) and has_credentials(environ)
        return cls(api_key, app_key, tokens, aws_region, aws, environ)


def targets(
    file: AlertRulesFile,
    envs: list[AlertRules],
    provider: str | None,
    *,
    offline: bool,
    environ: Mapping[str, str],
) -> list[Target]:
    """The targets to plan (and apply), environment by environment (regression rules left out:
    `smoke gate --version` judges them)."""
    envs = [rules.monitored_only() for rules in envs]
    creds = _Credentials.read(file.monitoring, environ)
    chosen: dict[str, list[AlertRules]] = {}
    for name in PROVIDERS:
        if provider in (None, name):
            chosen[name] = _environments(name, file, envs, creds, provider, offline=offline)
    if not any(chosen.values()):
        raise UsageError(
            "no provider configured: set DD_API_KEY and DD_APP_KEY, or AWS credentials and "
            "AWS_REGION, or PINGDOM_API_TOKEN / STATUSCAKE_API_TOKEN, or pass --provider; "
            "`smoke alerts plan --offline` needs none"
        )
    uptime: dict[str, list[UptimeCheck]] = {}
    return [
        _target(name, rules, file, creds, offline=offline, uptime=uptime)
        for rules in envs
        for name in PROVIDERS
        if any(r is rules for r in chosen.get(name, []))
    ]


def _environments(
    name: str,
    file: AlertRulesFile,
    envs: list[AlertRules],
    creds: _Credentials,
    provider: str | None,
    *,
    offline: bool,
) -> list[AlertRules]:
    """The environments provider `name` takes part in (a usage error if it was asked for but
    cannot)."""
    if name == "datadog":
        if offline or (creds.api_key and creds.app_key):
            return envs
        if provider:
            raise UsageError(
                "--provider datadog: set DD_API_KEY and DD_APP_KEY (monitors and dashboards "
                "need both)"
            )
        return []
    if name == "cloudwatch":
        if offline:
            used = provider or "cloudwatch" in file.monitoring.reporters
            return [r for r in envs if used or r.cloudwatch.sns_topics]
        if creds.region and (creds.aws or provider):
            return envs
        if provider:
            raise UsageError(
                "--provider cloudwatch: no AWS region; set AWS_REGION or cloudwatch.region in "
                "monitoring-integration.yaml"
            )
        return []
    return _uptime_environments(name, file, envs, creds, provider, offline=offline)


def _uptime_environments(
    name: str,
    file: AlertRulesFile,
    envs: list[AlertRules],
    creds: _Credentials,
    provider: str | None,
    *,
    offline: bool,
) -> list[AlertRules]:
    """Uptime providers take part for the environments with their section (who to notify)."""
    configured = [r for r in envs if getattr(r, name) is not None]
    if provider and not configured:
        raise UsageError(
            f"--provider {name}: no environment in {file.path.name} has a {name}: section "
            "(who its uptime checks notify)"
        )
    if offline or creds.tokens[name]:
        return configured
    if provider:
        raise UsageError(f"--provider {name}: set {name.upper()}_API_TOKEN")
    return []


def _target(
    name: str,
    rules: AlertRules,
    file: AlertRulesFile,
    creds: _Credentials,
    *,
    offline: bool,
    uptime: dict[str, list[UptimeCheck]],
) -> Target:
    where = file.key_path(rules.env)
    if name == "datadog":
        from prodsmoke.alerts.datadog_api import DatadogAlerts

        return DatadogAlerts(rules, file.monitoring, creds.api_key, creds.app_key)
    if name == "cloudwatch":
        from prodsmoke.alerts.cloudwatch_api import CloudWatchAlerts

        others = tuple(n for n in file.names if n != rules.env)
        return CloudWatchAlerts(
            rules,
            file.monitoring,
            str(file.path),
            creds.region or "<region>",
            where,
            others=others,
            offline=offline,
        )
    if rules.env not in uptime:
        from prodsmoke.alerts.uptime import schedule_period, uptime_checks
        from prodsmoke.config.catalog import read_environment

        uptime[rules.env] = uptime_checks(
            rules,
            read_environment(file.config_dir, rules.env),
            schedule_period_s=schedule_period(file.config_dir),
            file=str(file.path),
            where=where,
        )
    token = creds.tokens[name]
    if name == "pingdom":
        from prodsmoke.alerts.pingdom import API_URL, PingdomAlerts

        url = creds.environ.get("PINGDOM_API_URL") or API_URL
        return PingdomAlerts(rules, uptime[rules.env], str(file.path), where, token, url)
    from prodsmoke.alerts.statuscake import API_URL as SC_URL
    from prodsmoke.alerts.statuscake import StatusCakeAlerts

    url = creds.environ.get("STATUSCAKE_API_URL") or SC_URL
    return StatusCakeAlerts(rules, uptime[rules.env], str(file.path), where, token, url)
