"""prodsmoke's own exceptions, and the exit code each one means.

    SmokeError                      base; `exit_code` says how the CLI ends
    ├── UsageError                  bad flags or names on the command line          (exit 2)
    ├── ConfigError                 a config file, key or secret reference is wrong (exit 2)
    ├── SuiteError                  the suite itself cannot run                     (exit 3)
    │   └── BrowserNotFound         no usable Chromium in the documented places
    ├── BlockedRequest              the guard refused to send a request
    │   └── BudgetExhausted         the rate budget is spent
    ├── AccountError                a test account cannot be used
    │   └── AccountLocked           the product says the account is locked
    ├── HistoryError                the run history cannot be read or written       (exit 3)
    │   └── CorruptHistory          a SQLite history file that is not a sound database
    ├── HistoryNote                 something about the history a person should know
    ├── SendError                   one attempt to send a reporter's payload failed
    ├── DeliveryError               a reporter could not deliver (spooled or dropped)
    ├── MaintenanceError            a provider could not be silenced or restored
    └── AlertsError                 a provider refused what `smoke alerts` asked of it

    CheckFailure(AssertionError)    a check's verdict: title, message, failure class
    ├── JourneyViolation            a journey tried to get round the guard (infrastructure)
    ├── SecondFactorFailure         a TOTP code was refused, or an attempt failed after typing
    │                               one: never retried (each retry is a lockout risk)
    └── GuardOptionRefused          `e2e.journey_attempt`: an option that would weaken the guard
    JourneySkipped                  a journey chose not to run (pytest skip): `skip`

Third-party errors (Playwright, httpx, botocore) are translated into these at the boundary
that calls them, with `raise ... from exc`, so callers never see a library's exception type.
Every `SmokeError` subclass is defined here; every exception above is drawn under its base, with
the module it lives in when that is not this one (`tests/test_errors.py` holds both to the code).
"""

from __future__ import annotations

from prodsmoke.results import FailureClass


class SmokeError(Exception):
    """Base of every error prodsmoke raises on purpose."""

    exit_code = 1


class UsageError(SmokeError):
    """A command-line flag or name is wrong."""

    exit_code = 2


class ConfigError(SmokeError):
    """A configuration file, key, value or secret reference is wrong.

    The message is one line: file, key path, the bad value and the expected form.
    """

    exit_code = 2

    def __init__(self, file: str, path: str, problem: str) -> None:
        self.file = file
        self.path = path
        self.problem = problem
        where = f"{file}: {path}" if path else file
        super().__init__(f"{where}: {problem}")


class SuiteError(SmokeError):
    """The suite itself cannot run (no browser, output folder not writable)."""

    exit_code = 3


class BrowserNotFound(SuiteError):
    """No Chromium was found in any of the documented places."""


class BlockedRequest(SmokeError):
    """The production-safe guard refused to send a request."""

    def __init__(self, method: str, url: str, reason: str) -> None:
        self.method = method
        self.url = url
        self.reason = reason
        super().__init__(f"blocked {method} {url}: {reason}")


class BudgetExhausted(BlockedRequest):
    """The run's rate budget is spent; nothing more may be sent to the target."""


class AccountError(SmokeError):
    """A test account cannot be used (secret unresolvable, lease unavailable)."""


class AccountLocked(AccountError):
    """The product reports the test account as locked."""


class HistoryError(SmokeError):
    """The history cannot be read or written (exit 3: a gate or report cannot be evaluated).

    `where` and `reason` are the message's parts, for callers that say it their own way.
    """

    exit_code = 3

    def __init__(self, message: str, *, where: str = "", reason: str = "") -> None:
        self.where = where
        self.reason = reason
        super().__init__(message)


class CorruptHistory(HistoryError):
    """A SQLite history file that is not a (sound) database."""


class HistoryNote(SmokeError):
    """Something about the history a person should know (the run itself is kept)."""


class SendError(SmokeError):
    """One attempt failed. `retry`: worth trying again now; `keep`: worth spooling for later."""

    def __init__(self, message: str, *, retry: bool = True, keep: bool = True) -> None:
        self.retry = retry
        self.keep = keep
        super().__init__(message)


class DeliveryError(SmokeError):
    """A reporter could not deliver (its payload is spooled or, if refused, dropped)."""


class MaintenanceError(SmokeError):
    """A provider could not be silenced or restored (one line: which, and why)."""


class AlertsError(SmokeError):
    """A provider refused to list or change what `smoke alerts` manages."""


class CheckFailure(AssertionError):
    """A check did not hold. Carries a short title and the class of failure."""

    def __init__(
        self,
        message: str,
        *,
        failure_class: FailureClass = FailureClass.PRODUCT,
        title: str | None = None,
    ) -> None:
        self.message = message
        self.failure_class = failure_class
        self.title = title or message.split(":", 1)[0]
        super().__init__(message)


class JourneySkipped(Exception):
    """A journey decided not to run (a pytest skip or skipif): the check is `skip`, with why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class SecondFactorFailure(CheckFailure):
    """The target refused a TOTP code (or an attempt failed once it had typed one): another
    attempt would type another code, and a few wrong codes lock an account, so it is final."""


class JourneyViolation(CheckFailure):
    """A journey tried to send something the guard could not see: its own context, browser,
    HTTP client or connection, or `page.request` / `context.request`. Refused before sending."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} is not allowed in a journey: the production-safe guard must see every "
            "request, so a journey drives the page it is given (page.goto, clicks, or fetch() "
            "inside the page) and nothing was sent",
            failure_class=FailureClass.INFRASTRUCTURE,
            title="journey left the guard",
        )
