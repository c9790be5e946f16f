"""The homepage's numbered static assets: tiny but real CSS, JS and PNG files.

Asset i lives at `/static/asset-<i>.<ext>` with ext cycling css, js, png, so N assets load
about N/3 of each kind; benchmarks vary N to vary the page weight.
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING

from starlette.responses import PlainTextResponse, Response

if TYPE_CHECKING:
    from starlette.requests import Request

    from prodsmoke.demo.state import DemoState

KINDS = ("css", "js", "png")
_MEDIA_TYPES = {"css": "text/css", "js": "text/javascript", "png": "image/png"}
# A valid 1x1 transparent PNG.
_PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
_NAME = re.compile(r"asset-(\d{1,6})\.(css|js|png)")


def asset_name(index: int) -> str:
    """The file name of asset `index`."""
    return f"asset-{index}.{KINDS[index % len(KINDS)]}"


def asset_tags(count: int) -> tuple[str, str]:
    """HTML for `count` assets: (tags for <head>, <img> tags for the body)."""
    head, images = [], []
    for index in range(count):
        name = asset_name(index)
        if name.endswith(".css"):
            head.append(f'<link rel="stylesheet" href="/static/{name}">')
        elif name.endswith(".js"):
            head.append(f'<script src="/static/{name}" defer></script>')
        else:
            images.append(f'<img src="/static/{name}" alt="" width="1" height="1">')
    return "\n".join(head), "".join(images)


def asset_body(index: int) -> bytes:
    """The content of asset `index`."""
    kind = KINDS[index % len(KINDS)]
    if kind == "css":
        rule = f".asset-{index} {{ --asset: {index}; }}"
        return f"/* BetterPrompts demo asset {index} */\n{rule}\n".encode()
    if kind == "js":
        # Counting loaded assets lets a browser test see that every script really ran.
        return f"window.__demoAssets = (window.__demoAssets || 0) + 1; // asset {index}\n".encode()
    return _PIXEL


class AssetRoutes:
    """`GET /static/{name}` for the configured number of assets."""

    def __init__(self, state: DemoState) -> None:
        self._state = state

    async def asset(self, request: Request) -> Response:
        """Serve one numbered asset, or 404."""
        match = _NAME.fullmatch(request.path_params["name"])
        if match is None:
            return PlainTextResponse("Not Found", status_code=404)
        index = int(match.group(1))
        if index >= self._state.assets or asset_name(index) != match.group(0):
            return PlainTextResponse("Not Found", status_code=404)
        return Response(
            asset_body(index),
            media_type=_MEDIA_TYPES[match.group(2)],
            headers={"Cache-Control": "public, max-age=300"},
        )
