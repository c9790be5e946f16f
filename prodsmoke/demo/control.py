"""Test controls under `/__demo__/`: read the audit, reset, unlock, change faults.

These exist for tests and benchmarks only; the middleware never faults, limits or audits them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import JSONResponse, Response

from prodsmoke.demo.api import read_json
from prodsmoke.demo.auth import normalize
from prodsmoke.demo.faults import FaultError, Faults

if TYPE_CHECKING:
    from starlette.requests import Request

    from prodsmoke.demo.state import DemoState


class ControlRoutes:
    """`GET /__demo__/audit`, `POST /__demo__/{reset,unlock,faults}`, `GET /__demo__/faults`."""

    def __init__(self, state: DemoState) -> None:
        self._state = state

    async def audit(self, request: Request) -> Response:
        """The audit document."""
        return JSONResponse(self._state.audit.snapshot())

    async def reset(self, request: Request) -> Response:
        """Clear audit, lockouts, sessions and rate-limit history."""
        self._state.reset()
        return JSONResponse({"ok": True})

    async def unlock(self, request: Request) -> Response:
        """Unlock one account: `{"account": "<email>"}`."""
        body = await read_json(request)
        account = body.get("account") if isinstance(body, dict) else None
        if not isinstance(account, str) or not account.strip():
            return JSONResponse(
                {
                    "error": 'body must be {"account": "<email>"}, e.g. '
                    '{"account": "smoke-test-basic@betterprompts.com"}'
                },
                status_code=400,
            )
        was_locked = self._state.auth.unlock(account)
        was_locked = self._state.mfa.unlock(normalize(account)) or was_locked
        return JSONResponse({"ok": True, "account": normalize(account), "was_locked": was_locked})

    async def get_faults(self, request: Request) -> Response:
        """The faults in effect, in canonical form."""
        return JSONResponse({"faults": str(self._state.faults)})

    async def set_faults(self, request: Request) -> Response:
        """Replace the faults: `{"faults": "flaky:20"}` ("" clears them)."""
        body = await read_json(request)
        text = body.get("faults") if isinstance(body, dict) else None
        if not isinstance(text, str):
            return JSONResponse(
                {
                    "error": 'body must be {"faults": "<fault>[,<fault>...]"}, e.g. '
                    '{"faults": "flaky:20"}'
                },
                status_code=400,
            )
        try:
            faults = Faults.parse(text)
        except FaultError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        self._state.faults = faults
        return JSONResponse({"faults": str(faults)})
