"""The JSON API: health, test, enhance, analytics, and the `/ws` WebSocket."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from prodsmoke.demo.auth import SESSION_COOKIE
from prodsmoke.demo.vectors import is_vector_name

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.requests import Request

    from prodsmoke.demo.state import DemoState

VERSION = "1.2.3"
MAX_PROMPT_CHARS = 10_000
ENDLESS_CHUNK = 64 * 1024


def enhance_prompt(prompt: str) -> str:
    """The demo's deterministic "enhancement": a structured rewrite of the prompt."""
    goal = " ".join(prompt.split()).rstrip(".!? ")
    return (
        "You are a careful expert assistant.\n"
        f"Task: {goal}.\n"
        "Before answering, restate the goal in one sentence and list any assumptions.\n"
        "Then answer step by step, in clear and well-structured prose, "
        "and finish with a two-line summary."
    )


async def read_json(request: Request) -> Any:
    """The request body as JSON, or None if it is not valid JSON."""
    try:
        return json.loads(await request.body())
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        return None


def _bad_request(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


class ApiRoutes:
    """Health endpoints, `/api/v1/test`, `/api/v1/enhance`, `/api/v1/analytics` and `/ws`."""

    def __init__(self, state: DemoState) -> None:
        self._state = state

    async def health(self, request: Request) -> Response:
        """Service health; `degraded-redis` and `health-down` change what it reports, and
        `endless-body` makes it a JSON document that never ends."""
        faults = self._state.faults
        if faults.endless_body:
            return StreamingResponse(self._endless(), media_type="application/json")
        services = {"database": "healthy", "redis": "healthy", "ml_service": "healthy"}
        status, code = "healthy", 200
        if faults.health_down:
            services = dict.fromkeys(services, "unhealthy")
            status, code = "unhealthy", 503
        elif faults.degraded_redis:
            services["redis"] = "degraded"
            status = "degraded"
        timestamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        document = {
            "status": status,
            "version": VERSION,
            "timestamp": timestamp,
            "services": services,
        }
        return JSONResponse(document, status_code=code)

    async def _endless(self) -> AsyncIterator[bytes]:
        """`{"status": "healthy", "padding": "xxxx…` for as long as anyone reads."""
        yield b'{"status": "healthy", "padding": "'
        chunk = b"x" * ENDLESS_CHUNK
        while not self._state.stopping.is_set():
            yield chunk
            await asyncio.sleep(0)  # let the server notice a client that went away

    async def test(self, request: Request) -> Response:
        """A cheap endpoint for rate-limit and reachability checks."""
        return JSONResponse({"ok": True})

    async def enhance(self, request: Request) -> Response:
        """Rewrite a prompt; store it only for a logged-in user."""
        if self._state.faults.enhance_error:
            return JSONResponse({"error": "enhancement service unavailable"}, status_code=500)
        body = await read_json(request)
        if not isinstance(body, dict):
            return _bad_request('body must be a JSON object like {"prompt": "..."}')
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            return _bad_request("'prompt' must be a non-empty string")
        if len(prompt) > MAX_PROMPT_CHARS:
            return _bad_request(f"'prompt' is longer than {MAX_PROMPT_CHARS} characters")
        account = self._state.auth.account_for(request.cookies.get(SESSION_COOKIE))
        if account is not None:
            self._state.audit.persisted(kind="enhancement", account=account)
        return JSONResponse({"enhanced": enhance_prompt(prompt)})

    async def analytics(self, request: Request) -> Response:
        """Accept an analytics event (fired by the `beacon` fault); the audit logs the POST."""
        await request.body()
        return Response(status_code=204)

    async def websocket(self, websocket: WebSocket) -> None:
        """Accept a WebSocket and count its messages; `?vector=` marks a write-vector probe."""
        synthetic = "x-smoke-test" in websocket.headers
        # Logged before accepting, so the entry exists by the time the client sees the socket open.
        entry = self._state.audit.websocket(path=websocket.url.path, synthetic=synthetic)
        vector = websocket.query_params.get("vector")
        if vector and is_vector_name(vector):
            # Logged on connect, not on the first message: opening the socket already escapes
            # a guard that was meant to stop it.
            self._state.audit.sink(method="WEBSOCKET", vector=vector, synthetic=synthetic)
        await websocket.accept()
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                self._state.audit.websocket_message(entry)
        except WebSocketDisconnect:
            return
