"""The one boundary where an error inside a journey becomes a verdict with a failure class.

Every journey attempt (built-in, YAML steps, or a team's Python file) ends here when it raises.
The class comes from the error's type and from what the page observer saw, never from the
wording of a message:

    CheckFailure (incl. JourneyViolation)  its own class: the journey decided
    AccountError                           infrastructure: our test account, not the product
    playwright TargetClosedError           infrastructure: the browser or its page went away
    playwright Error / TimeoutError        network when a document went unanswered or the
                                           network failed it (observer evidence), else product
    AssertionError (expect(), assert)      product: the page did not show what it must
    anything else                          infrastructure: the journey's own code failed
"""

from __future__ import annotations

from typing import Protocol

# Not exported by playwright.async_api in every release; one class in every API flavour.
from playwright._impl._errors import TargetClosedError
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from prodsmoke import redact
from prodsmoke.errors import AccountError, CheckFailure
from prodsmoke.results import FailureClass


class Evidence(Protocol):
    """What the page observer can tell about the network."""

    def network_error(self) -> str | None:
        """A document the network failed or never answered, or None."""


def verdict(  # noqa: PLR0911 - one return per row of the table above
    exc: BaseException, evidence: Evidence, *, doing: str | None = None
) -> CheckFailure:
    """`exc` as a `CheckFailure` with its failure class (see the module docstring)."""
    if isinstance(exc, CheckFailure):
        return exc
    what = f"{doing}: " if doing else ""
    if isinstance(exc, AccountError):
        return CheckFailure(str(exc), failure_class=FailureClass.INFRASTRUCTURE)
    if isinstance(exc, TargetClosedError):
        return CheckFailure(
            f"{what}browser failure: {first_line(exc)}", failure_class=FailureClass.INFRASTRUCTURE
        )
    if isinstance(exc, PlaywrightError):
        network = evidence.network_error()
        if network is not None:
            text = first_line(exc)
            if network.rsplit(": ", 1)[-1] not in text:
                text = f"{text} ({network})"
            return CheckFailure(f"{what}{text}", failure_class=FailureClass.NETWORK)
        how = "timed out" if isinstance(exc, PlaywrightTimeoutError) else "failed"
        return CheckFailure(f"{doing} {how}: {first_line(exc)}" if doing else first_line(exc))
    if isinstance(exc, AssertionError):
        return CheckFailure(f"{what}{assertion_text(exc)}")
    return CheckFailure(
        f"{what}the journey's code failed: {type(exc).__name__}: {first_line(exc)}",
        failure_class=FailureClass.INFRASTRUCTURE,
    )


def first_line(exc: BaseException) -> str:
    """The first line of an error's text, without Playwright's type prefix, redacted."""
    line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    line = line.removeprefix("Error: ").removeprefix("TimeoutError: ")
    return redact.redact(line)[:500]


def assertion_text(exc: AssertionError) -> str:
    """An assertion's message in one line: expect()'s headline and its 'Actual value'."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if not lines:
        return "assertion failed"
    head = lines[0]
    detail = next((line for line in lines[1:] if line.startswith("Error:")), None) or next(
        (line for line in lines[1:] if line.lower().startswith("actual")), None
    )
    return redact.redact(f"{head} ({detail})" if detail else head)[:500]
