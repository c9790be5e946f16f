"""What a result amounts to: pure functions of a `RunResult` / `CheckResult`.

Reporters (metric points), the history and the release gate all read results the same way; these
functions live here, beside the values, so none of those layers imports another for them.
"""

from __future__ import annotations

from prodsmoke.results import CheckKind, CheckResult, FailureClass, RunResult, Status

HOMEPAGE_CHECK = "homepage_load"
# When a run fails for several reasons, the one to page about first.
_CLASS_ORDER = (FailureClass.PRODUCT, FailureClass.NETWORK, FailureClass.INFRASTRUCTURE)


def check_values(check: CheckResult) -> dict[str, float]:
    """The metric values (by suffix) one check contributes; empty for a skipped check."""
    if check.status is Status.SKIP:
        return {}
    ok = 1.0 if check.status.ok else 0.0
    values = {
        "success": ok,
        "failures": 1.0 - ok,
        "check.duration": float(check.duration_ms),
        "retries": float(max(check.attempts - 1, 0)),
    }
    if check.id == HOMEPAGE_CHECK and "page_load_ms" in check.metrics:
        values["homepage_load"] = float(check.metrics["page_load_ms"])
    if check.kind is CheckKind.API and "response_time_ms" in check.metrics:
        values["api_response"] = float(check.metrics["response_time_ms"])
    return values


def run_failure_class(run: RunResult) -> FailureClass | None:
    """The class a failed run is reported under: product over network over infrastructure."""
    classes = {c.failure_class for c in run.checks if c.status is Status.FAIL}
    return next((c for c in _CLASS_ORDER if c in classes), None)
