"""Login and logout: `POST /api/v1/auth/login` (form or JSON) and `POST /api/v1/auth/logout`."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from starlette.responses import JSONResponse, RedirectResponse, Response

from prodsmoke.demo import render
from prodsmoke.demo.api import read_json
from prodsmoke.demo.auth import SESSION_COOKIE, LoginOutcome, normalize
from prodsmoke.demo.mfa import MFA_ACCOUNT
from prodsmoke.demo.pages import ACCOUNT_LOCKED, INVALID_CREDENTIALS, login_page
from prodsmoke.demo.second_factor import ask_for_code

if TYPE_CHECKING:
    from starlette.requests import Request

    from prodsmoke.demo.state import DemoState


def _is_json(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith("application/json")


async def _credentials(request: Request) -> tuple[str, str] | None:
    """(email, password) from a JSON or urlencoded body, or None if the body is malformed."""
    if _is_json(request):
        body = await read_json(request)
        if not isinstance(body, dict):
            return None
        email, password = body.get("email"), body.get("password")
    else:
        # parse_qs rather than request.form(): no python-multipart dependency for one form.
        fields = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
        email = fields.get("email", [None])[0]
        password = fields.get("password", [None])[0]
    if not isinstance(email, str) or not isinstance(password, str):
        return None
    return email, password


_REFUSALS = {
    LoginOutcome.LOCKED: (423, "account_locked", ACCOUNT_LOCKED),
    LoginOutcome.INVALID: (401, "invalid_credentials", INVALID_CREDENTIALS),
}


def _refuse(*, as_json: bool, status: int, error: str, message: str, email: str) -> Response:
    if as_json:
        return JSONResponse({"error": error}, status_code=status)
    return login_page(email=email, error=message, status=status)


def _broken(*, as_json: bool) -> Response:
    if as_json:
        return JSONResponse({"error": "login service unavailable"}, status_code=500)
    return render.message_page(
        heading="Login service unavailable",
        text="We could not sign you in right now. Please try again later.",
        status=500,
    )


class SessionRoutes:
    """Log in (with lockout after repeated failures) and log out."""

    def __init__(self, state: DemoState) -> None:
        self._state = state

    async def login(self, request: Request) -> Response:
        """Check credentials; on success set the session cookie and go to the dashboard."""
        as_json = _is_json(request)
        credentials = await _credentials(request)
        if credentials is None:
            return _refuse(
                as_json=as_json,
                status=400,
                error="email and password are required",
                message="Enter your email and password",
                email="",
            )
        email, password = credentials
        account = normalize(email)
        if self._state.faults.login_broken:
            self._state.audit.login(account=account, ok=False, status=500)
            return _broken(as_json=as_json)
        outcome = self._state.auth.attempt(email, password)
        if outcome is not LoginOutcome.OK:
            status, error, message = _REFUSALS[outcome]
            self._state.audit.login(account=account, ok=False, status=status)
            return _refuse(
                as_json=as_json, status=status, error=error, message=message, email=email
            )
        if account == MFA_ACCOUNT:  # issue 21: a TOTP code is next (demo.second_factor)
            return ask_for_code(self._state, account, as_json=as_json)
        return self.signed_in(account, as_json=as_json)

    def signed_in(self, account: str, *, as_json: bool) -> Response:
        """Open a session for `account` (its factors checked): the cookie, then the dashboard."""
        token = self._state.auth.open_session(account)
        response: Response
        if as_json:
            response = JSONResponse({"ok": True, "account": account, "redirect": "/dashboard"})
        else:
            response = RedirectResponse("/dashboard", status_code=303)
        self._state.audit.login(account=account, ok=True, status=response.status_code)
        response.set_cookie(SESSION_COOKIE, token, path="/", httponly=True, samesite="lax")
        return response

    async def logout(self, request: Request) -> Response:
        """End the session (if any), clear the cookie and go home."""
        account = self._state.auth.close_session(request.cookies.get(SESSION_COOKIE))
        if account is not None:
            self._state.audit.logout(account=account)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
        return response
