"""Constants and small helpers shared by the demo target's tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

PASSWORD = "correct horse battery staple"
BASIC = "smoke-test-basic@betterprompts.com"
PREMIUM = "smoke-test-premium@betterprompts.com"


def login(client: httpx.Client, account: str = BASIC, password: str = PASSWORD) -> httpx.Response:
    """Log in through the HTML form, as a browser would."""
    return client.post("/api/v1/auth/login", data={"email": account, "password": password})
