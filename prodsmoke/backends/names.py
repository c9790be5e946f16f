"""The names prodsmoke gives what it creates at a provider, so every part finds its own."""

from __future__ import annotations

MANAGED_TAG = "managed-by:prodsmoke"  # on every Datadog monitor `smoke alerts` manages
ALARM_PREFIX = "prodsmoke"  # CloudWatch alarms: prodsmoke-<env>-<rule>


def alarm_prefix(env: str) -> str:
    """The name prefix of one environment's CloudWatch alarms, e.g. 'prodsmoke-production-'."""
    return f"{ALARM_PREFIX}-{env}-"
