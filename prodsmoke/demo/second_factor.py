"""The second factors' routes (issue 21; accounts and checks in `demo.mfa`):

    GET  /login/verify                 `#otp`, `#verify`: the code after the mfa account's password
    POST /api/v1/auth/totp             the code (form `otp=` or JSON {"otp": …}) → /dashboard
    POST /api/v1/auth/passkey/options  a WebAuthn challenge (JSON)
    POST /api/v1/auth/passkey/verify   the signed assertion (JSON) → {"redirect": "/dashboard"}

Faults: `totp-broken` refuses every code, `passkey-broken` every assertion. Each attempt is in
the audit (`second_factor`), never its code or signature.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs

from starlette.responses import JSONResponse, RedirectResponse, Response

from prodsmoke.demo import render
from prodsmoke.demo.api import read_json
from prodsmoke.demo.mfa import PENDING_COOKIE, RP_ID

if TYPE_CHECKING:
    from starlette.requests import Request

    from prodsmoke.demo.state import DemoState

INVALID_CODE = "Invalid code"
CODE_LOCKED = "Account locked after too many wrong codes"


class SignsIn(Protocol):
    """What opens a session once every factor is checked (`SessionRoutes`)."""

    def signed_in(self, account: str, *, as_json: bool) -> Response:
        """The session cookie, and the way to the dashboard."""


def ask_for_code(state: DemoState, account: str, *, as_json: bool) -> Response:
    """The password was right: remember the login as pending and ask for the TOTP code."""
    token = state.mfa.pending(account)
    response: Response
    if as_json:
        response = JSONResponse({"ok": False, "second_factor": "totp", "next": "/login/verify"})
    else:
        response = RedirectResponse("/login/verify", status_code=303)
    response.set_cookie(PENDING_COOKIE, token, path="/", httponly=True, samesite="lax")
    return response


def verify_page(*, email: str, error: str = "", status: int = 200) -> Response:
    """The TOTP form, optionally with `#totp-error`."""
    error_html = (
        f'<p id="totp-error" class="alert" role="alert">{render.escape(error)}</p>' if error else ""
    )
    body = render.fill(
        "verify.html",
        header=render.header(login_link=False),
        error=error_html,
        email=render.escape(email),
    )
    return render.page(title=f"Verify · {render.TITLE}", body=body, status=status)


class SecondFactorRoutes:
    """The TOTP step and the passkey ceremony."""

    def __init__(self, state: DemoState, sessions: SignsIn) -> None:
        self._state = state
        self._sessions = sessions

    async def verify(self, request: Request) -> Response:
        """The code form of a pending login (back to /login without one)."""
        account = self._state.mfa.pending_account(request.cookies.get(PENDING_COOKIE))
        if account is None:
            return RedirectResponse("/login", status_code=303)
        return verify_page(email=account)

    async def totp(self, request: Request) -> Response:
        """Check the code; on success the session starts, else the form again (401 / 423)."""
        as_json = request.headers.get("content-type", "").startswith("application/json")
        code = await _code(request, as_json=as_json)
        token = request.cookies.get(PENDING_COOKIE) or ""
        mfa = self._state.mfa
        account = mfa.pending_account(token)
        if account is None:
            return _refused(as_json, 401, "no pending login; log in with the password first", "")
        outcome = mfa.check_code(token, code or "", broken=self._state.faults.totp_broken)
        self._state.audit.second_factor(account=account, kind="totp", ok=outcome == "ok")
        if outcome == "locked":
            return _refused(as_json, 423, CODE_LOCKED, account)
        if outcome != "ok":
            return _refused(as_json, 401, INVALID_CODE, account)
        response = self._sessions.signed_in(account, as_json=as_json)
        response.delete_cookie(PENDING_COOKIE, path="/", httponly=True, samesite="lax")
        return response

    async def passkey_options(self, request: Request) -> Response:
        """A challenge for a usernameless passkey sign-in."""
        from webauthn import generate_authentication_options, options_to_json

        options = generate_authentication_options(
            rp_id=RP_ID, challenge=self._state.mfa.challenge()
        )
        return Response(options_to_json(options), media_type="application/json")

    async def passkey_verify(self, request: Request) -> Response:
        """Verify the assertion; the session starts for the credential's account."""
        body = await read_json(request)
        origin = f"{request.url.scheme}://{request.url.netloc}"
        account, named = None, "unknown"
        if isinstance(body, dict):
            named = self._state.mfa.credential_account(body)
            account = self._state.mfa.verify_assertion(
                body, origin, broken=self._state.faults.passkey_broken
            )
        self._state.audit.second_factor(account=named, kind="passkey", ok=account is not None)
        if account is None:
            return JSONResponse({"error": "passkey not accepted"}, status_code=401)
        return self._sessions.signed_in(account, as_json=True)


async def _code(request: Request, *, as_json: bool) -> str | None:
    if as_json:
        body: Any = await read_json(request)
        value = body.get("otp") if isinstance(body, dict) else None
    else:
        fields = parse_qs((await request.body()).decode("utf-8", "replace"))
        value = fields.get("otp", [None])[0]
    return value if isinstance(value, str) else None


def _refused(as_json: bool, status: int, message: str, account: str) -> Response:
    if as_json:
        return JSONResponse({"error": message}, status_code=status)
    return verify_page(email=account, error=message, status=status)
