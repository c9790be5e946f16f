"""What the Web Vitals faults add to the demo (issue 14): each moves one vital on purpose.

- `late-hero[:ms]` (LCP): the homepage shows a large hero image (space reserved, so nothing
  shifts) whose response starts `ms` late; the largest paint, and the load event, wait for it.
- `layout-shift[:score]` (CLS): a promo banner injected at the top of the homepage without
  reserved space; its image arrives `BANNER_DELAY_MS` late, after the first paint, and pushes the
  page down. `static/layout-shift.js` sizes it so the shift scores about `score`.
- `slow-first-byte[:ms]` (TTFB): every HTML document's response starts `ms` late (the
  middleware's delays).
- `slow-click[:ms]` (INP): a click on `#enhance-button` runs a `ms` long task before the page can
  paint again (`static/slow-click.js`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import Response

from prodsmoke.demo import render

if TYPE_CHECKING:
    from starlette.requests import Request

    from prodsmoke.demo.faults import Faults

HERO_PATH = "/static/hero.svg"
BANNER_PATH = "/static/banner.svg"
BANNER_DELAY_MS = 300  # after the first paint (a shift before it is no shift)
HERO_SIZE = (1200, 400)
_SVG = "image/svg+xml"
_MAX_SIDE = 4000


def hero_tag(faults: Faults) -> str:
    """The hero image for the homepage (late-hero), or ''."""
    if faults.late_hero_ms is None:
        return ""
    width, height = HERO_SIZE
    return (
        f'<img id="hero" class="hero" src="{HERO_PATH}" alt="" width="{width}" '
        f'height="{height}" fetchpriority="high">'
    )


def scripts(faults: Faults) -> list[str]:
    """Inline scripts for the homepage: the banner (layout-shift), the long task (slow-click)."""
    out = []
    if faults.layout_shift is not None:
        out.append(
            render.inline_script("layout-shift.js", SCORE=faults.layout_shift, BANNER=BANNER_PATH)
        )
    if faults.slow_click_ms is not None:
        out.append(render.inline_script("slow-click.js", MS=faults.slow_click_ms))
    return out


def asset_delay_ms(faults: Faults, path: str) -> int:
    """How late the hero or the banner image answers (0 for anything else)."""
    if path == HERO_PATH:
        return faults.late_hero_ms or 0
    if path == BANNER_PATH and faults.layout_shift is not None:
        return BANNER_DELAY_MS
    return 0


def hero_svg() -> bytes:
    """A detailed picture (Chromium ignores a near-empty image as the largest paint)."""
    width, height = HERO_SIZE
    shapes = [
        f'<rect x="{(i * 37) % width}" y="{(i * 53) % height}" width="{24 + i % 60}" '
        f'height="{12 + i % 36}" rx="4" fill="#{(i * 2654435761) % 0xFFFFFF:06x}" '
        f'fill-opacity="0.55"/>'
        for i in range(320)
    ]
    return _svg(width, height, "#ede9fe", "".join(shapes))


def banner_svg(width: int, height: int) -> bytes:
    """A plain banner of exactly the size the layout-shift script asked for."""
    text = (
        f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle" font-size="20" '
        'font-family="sans-serif" fill="#4538c9">Spring sale: 20% off Pro</text>'
    )
    return _svg(width, height, "#fde68a", text)


def _svg(width: int, height: int, background: str, content: str) -> bytes:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><rect width="100%" height="100%" '
        f'fill="{background}"/>{content}</svg>'
    ).encode()


class VitalsRoutes:
    """`GET /static/hero.svg` and `GET /static/banner.svg?w=&h=`."""

    async def hero(self, request: Request) -> Response:
        """The hero image."""
        return Response(hero_svg(), media_type=_SVG, headers={"Cache-Control": "no-store"})

    async def banner(self, request: Request) -> Response:
        """The banner image, `w` x `h` pixels (bounded)."""
        width = _side(request.query_params.get("w"), 1280)
        height = _side(request.query_params.get("h"), 200)
        return Response(
            banner_svg(width, height), media_type=_SVG, headers={"Cache-Control": "no-store"}
        )


def _side(raw: str | None, default: int) -> int:
    return min(_MAX_SIDE, max(1, int(raw))) if raw and raw.isdigit() else default
