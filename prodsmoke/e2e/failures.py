"""The one place a failure gets its class (`product`, `network`, `infrastructure`).

Every check attempt that fails ends here: a journey's error (built-in, YAML steps, or a team's
pytest test), an HTTP check's, a timeout, the deadline. The class comes from the error's type
and from what the guard and the page observer saw, never from the wording of a message.

A journey's error (`verdict`):

    CheckFailure (incl. JourneyViolation)  its own class: the journey decided
    BlockedRequest (an API request the     infrastructure: the guard refused what the journey
    guard refused, raised to the journey)    sent itself
    AccountError                           infrastructure: our test account, not the product
    playwright TargetClosedError           infrastructure: the browser or its page went away
    playwright Error / TimeoutError        network when a document went unanswered or the
                                           network failed it (observer evidence), else product
    AssertionError (expect(), assert)      product: the page did not show what it must
    anything else                          infrastructure: the journey's own code failed

then from what the guard saw during the attempt (`journey_attempt`):

    a request refused for the budget       infrastructure: we held our own request back
    the journey's own write or host        infrastructure, said first, not retried: the guard
    refused (a form post or navigation,      refused what the journey needed (the refusal is the
    an API request)                          news, not what went wrong after it)
    a TOTP code refused, or typed before   its own class, not retried (`SecondFactorFailure`:
    the attempt failed                       another attempt types another code: lockout)
    no request reached the target          a product failure becomes infrastructure: the test
                                             never reached the product (its own set-up failed)

and the rest:

    out of time (`timed_out`)              network when a request went unanswered or the
                                             network failed it, or nothing tells; product when
                                             the target answered and the page still did not
    an HTTP check's error (`http_error`)   network (connect, DNS, timeout); a guard refusal:
                                             infrastructure
    an HTTP status (`for_status`)          429: infrastructure (our own traffic tripped the
                                             limiter); any other failed condition: product
    cut off by the run deadline, our own   infrastructure (`cut_off`, `internal`, `suite`)
    code failing, no browser
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from prodsmoke import redact
from prodsmoke.e2e._playwright_private import target_closed_error
from prodsmoke.e2e.guard import where
from prodsmoke.errors import AccountError, BlockedRequest, CheckFailure, SecondFactorFailure
from prodsmoke.results import FailureClass, RefusalKind

if TYPE_CHECKING:
    from prodsmoke.e2e.guard import Guard
    from prodsmoke.results import BlockRecord

TargetClosedError = target_closed_error()
# What asked for a refused request when the journey itself made it: a navigation (a form post,
# a link) or an API request; a page's own fetch, beacon or ping may be background noise.
_OWN_RESOURCES = frozenset({"document", "api"})
_POLICY = frozenset({RefusalKind.WRITE, RefusalKind.HOST, RefusalKind.SCHEME})
TOO_MANY_REQUESTS = 429


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
    if isinstance(exc, BlockedRequest):
        return CheckFailure(
            f"{what}{refused(exc.method, exc.url, exc.reason)}",
            failure_class=FailureClass.INFRASTRUCTURE,
        )
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


def refused(method: str, url: str, reason: str) -> str:
    """'the guard refused POST app.example.com/login (not in allowed_writes)'."""
    return f"the guard refused {method} {where(url)} ({reason})"


@dataclass(frozen=True, slots=True)
class Seen:
    """What the guard saw of one attempt: its refusals and how many requests it let through."""

    refusals: tuple[BlockRecord, ...]
    sent: int


@dataclass(frozen=True, slots=True)
class Before:
    """The guard's counts for a check when its attempt began."""

    blocked: int
    sent: int

    @classmethod
    def of(cls, guard: Guard, check: str) -> Before:
        """Take the counts now."""
        return cls(len(guard.blocked(check)), guard.sent_to(check))

    def since(self, guard: Guard, check: str) -> Seen:
        """What the attempt added to them."""
        return Seen(tuple(guard.blocked(check)[self.blocked :]), guard.sent_to(check) - self.sent)


@dataclass(frozen=True, slots=True)
class AttemptVerdict:
    """A failed journey attempt's failure, and whether another attempt could help."""

    failure: CheckFailure
    final: bool = False


def journey_attempt(failure: CheckFailure, seen: Seen) -> AttemptVerdict:
    """A journey attempt's failure, given what the guard saw (see the module docstring)."""
    if any(r.kind is RefusalKind.BUDGET for r in seen.refusals):
        return AttemptVerdict(
            CheckFailure(
                f"the rate budget ran out during the attempt; {failure.message}",
                failure_class=FailureClass.INFRASTRUCTURE,
            )
        )
    own = [r for r in seen.refusals if r.kind in _POLICY and r.resource in _OWN_RESOURCES]
    if own:
        first = own[0]
        said = refused(first.method, first.url, first.reason)
        if failure.message.startswith(said):  # the refusal itself ended the journey
            return AttemptVerdict(failure, final=True)
        more = f" and {len(own) - 1} more" if len(own) > 1 else ""
        return AttemptVerdict(
            CheckFailure(
                f"{said}{more}; then: {failure.message}",
                failure_class=FailureClass.INFRASTRUCTURE,
            ),
            final=True,
        )
    if isinstance(failure, SecondFactorFailure):  # another attempt types another code
        return AttemptVerdict(failure, final=True)
    if seen.sent == 0 and failure.failure_class is FailureClass.PRODUCT:
        return AttemptVerdict(
            CheckFailure(
                f"{failure.message} (no request reached the target: the journey's own set-up "
                "did not get as far as the product)",
                failure_class=FailureClass.INFRASTRUCTURE,
            )
        )
    return AttemptVerdict(failure)


def timed_out(message: str, evidence: Evidence | None = None) -> CheckFailure:
    """A check out of time (see the module docstring)."""
    network = evidence is None or evidence.network_error() is not None
    return CheckFailure(
        message, failure_class=FailureClass.NETWORK if network else FailureClass.PRODUCT
    )


def http_error(message: str, exc: Exception) -> CheckFailure:
    """An HTTP check's request that ended in an error (see the module docstring)."""
    if isinstance(exc, BlockedRequest):
        return CheckFailure(message, failure_class=FailureClass.INFRASTRUCTURE)
    return CheckFailure(message, failure_class=FailureClass.NETWORK)


def for_status(status: int) -> FailureClass:
    """The class of an HTTP check whose conditions failed on a response with `status`."""
    return FailureClass.INFRASTRUCTURE if status == TOO_MANY_REQUESTS else FailureClass.PRODUCT


def cut_off(message: str) -> CheckFailure:
    """An attempt the run deadline stopped: we stopped it, the product might have answered."""
    return CheckFailure(message, failure_class=FailureClass.INFRASTRUCTURE)


def internal(exc: BaseException) -> CheckFailure:
    """prodsmoke's own code (or a journey's) failed outside anything the table knows."""
    return CheckFailure(
        redact.redact(f"internal error: {type(exc).__name__}: {first_line(exc)}"),
        failure_class=FailureClass.INFRASTRUCTURE,
    )


def suite(message: str) -> CheckFailure:
    """The suite itself could not run the check (no browser, unfinished at the deadline)."""
    return CheckFailure(redact.redact(message), failure_class=FailureClass.INFRASTRUCTURE)
