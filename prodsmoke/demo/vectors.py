"""The write-vector test page (`GET /vectors`) and the sink its writes aim at.

The page tries every way a page can write, each to `/api/v1/sink/<vector>`; the audit's `sink`
list shows which arrived. An unguarded Chromium (Debian 'chromium-headless-shell' and 'chromium',
driven by Playwright) delivers all of VECTORS, with no extra flags: hyperlink auditing (a-ping)
is on by default, and Playwright's default --disable-popup-blocking lets the script-clicked
target=_blank link and window.open() open their windows. tests/demo/test_vectors_browser.py
checks this, so a guarded run that shows zero arrivals means the guard stopped them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from starlette.responses import PlainTextResponse, Response

from prodsmoke.demo import render

if TYPE_CHECKING:
    from starlette.requests import Request

    from prodsmoke.demo.state import DemoState

VECTORS = (
    "fetch-post",
    "fetch-put",
    "fetch-patch",
    "fetch-delete",
    "xhr-post",
    "xhr-put",
    "xhr-patch",
    "xhr-delete",
    "keepalive-fetch",
    "send-beacon",
    "a-ping",
    "form-iframe",
    "form-popup",
    "dedicated-worker",
    "shared-worker",
    "service-worker",
    "websocket",
    "download",
    "foreign-host",
    "form-top",
)
_VECTOR_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_WORKER_SCRIPTS = {
    "worker.js": "vectors-worker.js",
    "shared-worker.js": "vectors-shared-worker.js",
    "sw.js": "vectors-sw.js",
}


def is_vector_name(name: str) -> bool:
    """Whether `name` may be logged as a vector (keeps arbitrary input out of the audit)."""
    return _VECTOR_NAME.fullmatch(name) is not None


def _synthetic(request: Request) -> bool:
    return "x-smoke-test" in request.headers


def foreign_origin(request: Request) -> str:
    """The same server under another host name: localhost for 127.0.0.1 and vice versa."""
    host = "127.0.0.1" if request.url.hostname == "localhost" else "localhost"
    port = request.url.port
    return f"{request.url.scheme}://{host}" + (f":{port}" if port else "")


class VectorRoutes:
    """`/vectors`, its helper pages and scripts, `/vectors/download` and `/api/v1/sink/*`."""

    def __init__(self, state: DemoState) -> None:
        self._state = state

    async def page(self, request: Request) -> Response:
        """The page that fires every vector on load."""
        body = render.fill(
            "vectors.html",
            header=render.header(login_link=False),
            foreign_origin=render.escape(foreign_origin(request)),
            script=render.inline_script("vectors.js"),
        )
        return render.page(title=f"Write vectors · {render.TITLE}", body=body)

    async def frame(self, request: Request) -> Response:
        """Loaded in an iframe; its form auto-submits (vector form-iframe)."""
        return render.page(body=render.fill("autosubmit.html", vector="form-iframe"))

    async def popup(self, request: Request) -> Response:
        """Opened with window.open; its form auto-submits (vector form-popup)."""
        return render.page(body=render.fill("autosubmit.html", vector="form-popup"))

    async def blank(self, request: Request) -> Response:
        """Where the a-ping link navigates."""
        return render.message_page(
            heading="Ping target", text="The a-ping link opened this page.", status=200
        )

    async def script(self, request: Request) -> Response:
        """The worker, shared-worker and service-worker scripts."""
        name = _WORKER_SCRIPTS.get(request.path_params["name"])
        if name is None:
            return PlainTextResponse("Not Found", status_code=404)
        # Service workers must be served with a JavaScript MIME type; no-store so a re-run in
        # the same profile re-installs (and POSTs again) instead of reusing a cached script.
        return Response(
            render.static_text(name),
            media_type="text/javascript",
            headers={"Cache-Control": "no-store"},
        )

    async def download(self, request: Request) -> Response:
        """An attachment; fetching it at all is the write (vector download)."""
        self._state.audit.sink(
            method=request.method, vector="download", synthetic=_synthetic(request)
        )
        return PlainTextResponse(
            "prodsmoke demo download\n",
            headers={"Content-Disposition": 'attachment; filename="vectors-download.txt"'},
        )

    async def sink(self, request: Request) -> Response:
        """Any method: log the arrival under the vector named in the path."""
        vector = request.path_params["vector"]
        if not is_vector_name(vector):
            return PlainTextResponse("Not Found", status_code=404)
        await request.body()
        self._state.audit.sink(method=request.method, vector=vector, synthetic=_synthetic(request))
        return Response(status_code=204)
