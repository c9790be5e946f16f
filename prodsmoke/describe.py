"""What a run would do, in words: the output of `smoke check-config --env NAME`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr

from prodsmoke.config.fields import size
from prodsmoke.config.journeys import JourneySpec
from prodsmoke.config.models import Account, HttpCheck, Settings
from prodsmoke.config.secret_refs import AwsSecretRef, SecretRef
from prodsmoke.config.vitals import LABELS, shown

if TYPE_CHECKING:
    from prodsmoke.e2e.plan import PlannedCheck


def budget_warning(settings: Settings, checks: list[PlannedCheck]) -> str | None:
    """A warning when the checks need more requests than the rate budget allows in a minute
    (each journey's `expected_requests`, one per HTTP check): the last ones would be skipped."""
    need = sum(c.expected_requests for c in checks)
    budget = settings.safety.rate_budget.max_requests_per_minute
    if need <= budget:
        return None
    return (
        f"the {len(checks)} checks need about {need} requests and the rate budget allows "
        f"{budget} per minute: the checks past it would be skipped, not sent (raise "
        "safety.rate_budget.max_requests_per_minute if the target allows it, or set a journey's "
        "expected_requests if it sends fewer)"
    )


def describe(settings: Settings, checks: list[PlannedCheck]) -> str:
    """A readable summary of one environment: guard, checks, accounts. Never a secret's value."""
    safety, retry = settings.safety, settings.retry
    budget = safety.rate_budget
    lines = [
        f"environment {settings.name} → {settings.base_url}",
        f"  deadline {settings.deadline_s:g} s · up to {retry.attempts} attempts "
        f"(backoff {retry.initial_delay_s:g} s, factor {retry.multiplier:g}, "
        f"max {retry.max_delay_s:g} s) · "
        f"warn over {settings.thresholds.warn_ratio:.0%} of a limit",
        "guard",
        "  hosts: " + ", ".join(dict.fromkeys((settings.host, *safety.allowed_hosts))),
        "  writes: "
        + (", ".join(f"{w.method} {w.path} ({w.reason})" for w in safety.allowed_writes) or "none"),
        "  websockets: " + (", ".join(safety.allowed_websockets) or "none"),
        f"  budget: {budget.max_requests_per_minute}/min and at most {budget.share_of_limit:.0%} "
        f"of the target's advertised limit · marker {safety.synthetic_marker.header}, "
        f"user agent + '{safety.synthetic_marker.user_agent_suffix}'",
        f"  bodies read up to {size(settings.max_body_bytes)} · "
        f"run folders kept: {settings.keep_runs}"
        + (
            f" · basic auth as {settings.http_credentials.username} (password hidden), "
            "to the target's origin only"
            if settings.http_credentials
            else ""
        ),
    ]
    need = sum(c.expected_requests for c in checks)
    lines.append(f"  requests a run needs: about {need} (a retry costs about as much again)")
    lines.append(f"checks ({len(checks)})")
    for check in checks:
        lines.append(f"  {check.kind!s:<8} {check.id:<22} {_what(check.spec, settings)}")
    if settings.accounts:
        lines.append("accounts")
        for name, account in settings.accounts.items():
            lines.append(f"  {name:<8} {account.username:<38} password: {_secret_source(account)}")
            lines += [f"  {'':<8} {extra}" for extra in _factors(account)]
    return "\n".join(lines)


def _factors(account: Account) -> list[str]:
    """Issue 21: what else the account carries (never a value)."""
    out = []
    if account.totp is not None:
        totp = account.totp
        shape = f"{totp.digits} digits, {totp.period_s} s, {totp.algorithm}"
        out.append(f"totp: {_source(totp.secret)} ({shape})")
    if account.passkey is not None:
        out.append(f"passkey: {_source(account.passkey)}")
    if account.session is not None:
        session = account.session

        def how(steps: object) -> str:
            return steps if isinstance(steps, str) else f"{len(steps)} steps"  # type: ignore[arg-type]

        out_steps = how(session.sign_out) if session.sign_out is not None else "none"
        out.append(
            f"session: signed in once per run ({how(session.sign_in)}), journeys start "
            f"signed in; sign_out: {out_steps}"
        )
    return out


def _what(spec: object, settings: Settings) -> str:
    if isinstance(spec, HttpCheck):
        return f"{spec.method} {spec.url}  " + " · ".join(c.source for c in spec.conditions)
    if isinstance(spec, JourneySpec):
        limits = [
            f"{LABELS[x.vital]} < {shown(x.vital, x.value)}"
            for x in spec.vitals.limits()
            if x.fails
        ]
        return f"{spec.kind}: {spec.summary()}" + (
            " · vitals " + ", ".join(limits) if limits else ""
        )
    return ""


def _secret_source(account: Account) -> str:
    return _source(account.password)


def _source(ref: SecretRef) -> str:
    if isinstance(ref, SecretStr):
        return "set (resolved from config/environment, hidden)"
    if isinstance(ref, AwsSecretRef):
        key = f" key {ref.key}" if ref.key else ""
        return f"AWS Secrets Manager {ref.aws_secret}{key} (read when a run leases the account)"
    return f"SSM Parameter Store {ref.ssm_parameter} (read when a run leases the account)"
