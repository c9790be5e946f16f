"""`smoke check-config`: validate config and secret references; show what would run.

Every file of the config root is loaded through the loader a run (or `smoke alerts`, `smoke
schedule`) would use: the environments, `monitoring-integration.yaml`, `alert-rules.yaml` and
`cron-schedule.yaml` (the optional ones when present), so a typo in any of them fails here, not in
the middle of a run. A check whose URL names a host the guard would refuse is an error too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from prodsmoke.commands.common import config_flag
from prodsmoke.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from prodsmoke.config.models import Settings
    from prodsmoke.e2e.plan import PlannedCheck


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke check-config`."""
    check = sub.add_parser(
        "check-config", help="validate config and secret references; show what would run"
    )
    check.add_argument("--env", help="one environment (default: every file under DIR/environments)")
    config_flag(check)
    check.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Load one or every environment, then the other files; print a description or a line each."""
    from prodsmoke.config import available_environments, environment_file, load_settings
    from prodsmoke.describe import budget_warning, describe

    envs = [args.env] if args.env else available_environments(args.config)
    if not envs:
        raise UsageError(f"no environment files under {args.config}/environments")
    for env in envs:
        settings = load_settings(args.config, env)
        checks = planned(settings)
        check_hosts(str(environment_file(args.config, env)), settings, checks)
        print(describe(settings, checks) if args.env else f"ok  {env}: {settings.base_url}")
        warning = budget_warning(settings, checks)
        if warning is not None:
            print(f"smoke: warning: {env}: {warning}", file=sys.stderr)
    for line in other_files(args.config):
        print(line)
    return 0


def planned(settings: Settings) -> list[PlannedCheck]:
    """What a run of `settings` would run: its pytest files collected (by pytest), then closed."""
    from prodsmoke.config.journey_files import journey_files
    from prodsmoke.e2e.plan import all_checks

    if not journey_files(Path(p) for p in settings.journey_paths or ()):
        return all_checks(settings, {})
    from prodsmoke.suite import TeamSuite  # pytest: imported only when there are tests

    suite = TeamSuite.collect(settings)
    try:
        return all_checks(settings, suite.journeys(settings) if suite is not None else {})
    finally:
        if suite is not None:
            suite.close()


def other_files(config_dir: Path) -> list[str]:
    """Load every other config file with its own loader; one line about each."""
    from prodsmoke.config.alert_file import load_alert_rules
    from prodsmoke.config.alert_rules import ALERT_RULES_FILE
    from prodsmoke.config.monitoring import MONITORING_FILE, load_monitoring
    from prodsmoke.config.schedule import SCHEDULE_FILE, load_schedule

    lines = []
    monitoring = load_monitoring(config_dir)
    what = "reporters " + ", ".join(monitoring.reporters)
    if monitoring.notifiers:  # by name only: their URLs and keys are secrets
        what += "; notifiers " + ", ".join(n.label for n in monitoring.notifiers)
    lines.append(_line(config_dir, MONITORING_FILE, what))
    rules = load_alert_rules(config_dir, monitoring)
    counts = [f"{env} {len(rules.for_env(env).rules)}" for env in rules.names]
    what = "alert rules: " + ", ".join(counts) if counts else "alert rules for any environment"
    lines.append(_line(config_dir, ALERT_RULES_FILE, what))
    if (config_dir / SCHEDULE_FILE).is_file():
        schedule = load_schedule(config_dir)
        lines.append(_line(config_dir, SCHEDULE_FILE, f"every {schedule.every_minutes} min"))
    return lines


def _line(config_dir: Path, name: str, what: str) -> str:
    if not (config_dir / name).is_file():
        return f"ok  {name}: not present (defaults)"
    return f"ok  {name}: {what}"


def check_hosts(file: str, settings: Settings, checks: list[PlannedCheck]) -> None:
    """A check whose URL the guard would refuse (host outside allowed_hosts) is a config error."""
    from prodsmoke.e2e.guard import Guard

    guard = Guard(settings)
    for path, url in _check_urls(settings, [c.id for c in checks]):
        absolute = urljoin(settings.base_url + "/", url)
        if not guard.allows_host(absolute):
            host = urlsplit(absolute).hostname or absolute
            allowed = ", ".join(dict.fromkeys((settings.host, *settings.safety.allowed_hosts)))
            raise ConfigError(
                file,
                path,
                f"got {url!r}: its host {host} is neither the target's nor in "
                f"safety.allowed_hosts ({allowed}), so the guard would refuse it; add {host} "
                "to safety.allowed_hosts, or give a path on the target",
            )


def _check_urls(settings: Settings, enabled: list[str]) -> list[tuple[str, str]]:
    urls = []
    for key in ("health_checks", "api_checks"):
        for i, check in enumerate(getattr(settings, key)):
            if check.id in enabled:
                urls.append((f"{key}[{i}].url", check.url))
    for name, spec in settings.journeys.items():
        if name in enabled:
            urls += [(f"journeys.{name}.{key}", url) for key, url in spec.urls()]
    return urls
