"""login: a dedicated test account logs in, lands where it should, and logs out (its settings).

The built-in `login_flow` is one. It runs in `prodsmoke.e2e.journeys.login`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from prodsmoke.config.fields import Path, Selector, StrictModel, UrlGlob
from prodsmoke.config.journeys import JourneySpec


class LoginSuccess(StrictModel):
    """What a successful login looks like."""

    url: UrlGlob
    visible: Selector


class Logout(StrictModel):
    """How to end the session, and where it should land."""

    click: Selector
    success_url: UrlGlob


class LoginJourney(JourneySpec):
    """Log in with a dedicated test account, verify the redirect, always log out."""

    claims_ids: ClassVar[tuple[str, ...]] = ("login_flow",)

    kind: Literal["login"] = "login"
    account: str = Field(min_length=1, description="a key under accounts:, e.g. basic")
    url: Path = "/login"
    username: Selector
    password: Selector
    submit: Selector
    # Issue 21: the field a TOTP code goes in after the password (the account needs `totp:`),
    # and what submits it (default: Enter in the field).
    totp: Selector | None = None
    totp_submit: Selector | None = None
    success: LoginSuccess
    logout: Logout
    max_ms: int = Field(10000, gt=0, description="milliseconds, a whole number > 0")

    def summary(self) -> str:
        """E.g. '/login as basic → **/dashboard (#user-email), logout #logout → **/'."""
        second = f", TOTP in {self.totp}" if self.totp else ""
        return (
            f"{self.url} as {self.account}{second} → {self.success.url} "
            f"({self.success.visible}), "
            f"logout {self.logout.click} → {self.logout.success_url}"
        )

    def step_names(self) -> frozenset[str]:
        """The steps `run` times."""
        return frozenset({f"open {self.url}", "log in", "log out"})

    def metric_names(self) -> frozenset[str]:
        """What `run` measures."""
        return frozenset({"login_ms", "logout_ms", "console_errors"})
