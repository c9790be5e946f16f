"""How different two screenshots are, as people see them: pixelmatch's measure, at C speed.

pixelmatch (mapbox's algorithm; the `pixelmatch` package on PyPI, pure Python, ISC) counts a
pixel as different when its colours differ perceptibly (a YIQ distance over `threshold`) and it
is not anti-aliasing (Vyšniauskas's detector), which is what makes a screenshot comparison
survive sub-pixel text rendering. Run as written, it costs ~3 µs a pixel in Python: a second
for an element, many for a full page, on the engine's loop. So Pillow does the bulk in C (decode,
the per-pixel YIQ distance over the whole image) and pixelmatch's own `color_delta` and
`antialiased` judge only the pixels whose colour changed; the result is pixelmatch's count. The
diff image is pixelmatch's too: the expected image faded to grey, differences red, anti-aliasing
yellow.

Both libraries are the `visual` extra (`pip install 'prodsmoke[visual]'`), imported here only
when two screenshots actually differ in their bytes: identical PNGs from one Chromium build are
byte-identical, so an unchanged page costs one `bytes` comparison and needs neither library.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image

DEFAULT_THRESHOLD = 0.2  # per-pixel YIQ threshold, 0-1: Playwright Test's toHaveScreenshot default
MAX_YIQ_DELTA = 35215.0  # the largest YIQ distance there is (pixelmatch)
# Past this many changed pixels, the rest count as different without a look for anti-aliasing
# (each look is ~20 µs of Python): the verdict is "different" long before that.
MAX_EXAMINED = 25_000
AA_REACH = 3  # the detector reads neighbours of neighbours: 2 pixels out, and an edge past them
FADE = 0.1  # the expected image's opacity in the diff image (pixelmatch's alpha)
DIFF_RGB = (255, 0, 0)
AA_RGB = (255, 255, 0)
INSTALL = "pip install 'prodsmoke[visual]'"
_ONE_TO_FF = bytes([0, 255] + [0] * 254)  # bytes.translate: a 0/1 mask to a 0/255 one


class DiffUnavailable(RuntimeError):
    """Pillow or pixelmatch is not installed (the `visual` extra)."""


@dataclass(frozen=True, slots=True)
class ImageDiff:
    """Two images compared: how many pixels differ, and the diff image when any change."""

    width: int
    height: int
    differing: int  # perceptibly different pixels, anti-aliasing not counted
    size_change: str | None = None  # e.g. "700x300 → 700x320" when the sizes differ
    diff_png: bytes | None = None  # pixelmatch's diff image; None when the bytes were equal

    @property
    def ratio(self) -> float:
        """The share of pixels that differ, 0-1."""
        return self.differing / max(1, self.width * self.height)


def libraries() -> tuple[Any, Any]:
    """(PIL.Image, pixelmatch), or DiffUnavailable saying how to install them."""
    try:
        import pixelmatch
        from PIL import Image
    except ImportError as exc:
        raise DiffUnavailable(
            f"comparing screenshots needs Pillow and pixelmatch ({exc.name} is missing): {INSTALL}"
        ) from None
    return Image, pixelmatch


def size_of(png: bytes) -> tuple[int, int]:
    """A PNG's width and height, read from its header (no decoding)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:  # noqa: PLR2004 - the IHDR's end
        raise ValueError("not a PNG image")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def compare(expected: bytes, actual: bytes, *, threshold: float = DEFAULT_THRESHOLD) -> ImageDiff:
    """Compare two PNG images (see the module docstring). CPU-bound: run it in a thread."""
    if expected == actual:
        width, height = size_of(actual)
        return ImageDiff(width, height, 0)
    image_module, pixelmatch = libraries()
    one = image_module.open(io.BytesIO(expected)).convert("RGBA")
    two = image_module.open(io.BytesIO(actual)).convert("RGBA")
    from PIL import ImageChops

    size_change, outside = None, None
    if one.size != two.size:  # what only one image has differs, as Playwright Test has it
        size_change = f"{one.width}x{one.height} → {two.width}x{two.height}"
        union = (max(one.width, two.width), max(one.height, two.height))
        overlap = (min(one.width, two.width), min(one.height, two.height))
        outside = image_module.new("L", union, 255)
        outside.paste(0, (0, 0, *overlap))
        one, two = _padded(image_module, one, union), _padded(image_module, two, union)
    width, height = one.size
    extra = 0 if outside is None else outside.histogram()[255]
    changed = ImageChops.difference(one, two).getbbox(alpha_only=False)
    if changed is None and outside is None:  # the same pixels, encoded differently
        return ImageDiff(width, height, 0)
    if changed is None:
        changed = (0, 0, 1, 1)
    # Only the changed box is examined, with a margin that holds every pixel the anti-aliasing
    # detector looks at (two neighbours out), so the count is the whole image's.
    box = (
        max(0, changed[0] - AA_REACH),
        max(0, changed[1] - AA_REACH),
        min(width, changed[2] + AA_REACH),
        min(height, changed[3] + AA_REACH),
    )
    first, second = one.crop(box), two.crop(box)
    red, yellow, differing = _judge(image_module, pixelmatch, first, second, threshold)
    masks = []
    for marks in (red, yellow):
        full = image_module.new("L", (width, height), 0)
        full.paste(marks, box[:2])
        masks.append(full)
    if outside is not None:  # every pixel only one image has differs, once
        differing = ImageChops.subtract(masks[0], outside).histogram()[255] + extra
        masks[0] = ImageChops.lighter(masks[0], outside)
    diff = _diff_image(image_module, one, masks[0], masks[1])
    return ImageDiff(width, height, differing, size_change, diff)


def _judge(
    image_module: Any, pixelmatch: Any, one: Image, two: Image, threshold: float
) -> tuple[Image, Image, int]:
    """pixelmatch's verdict on two images of one size: masks of the different (red) and the
    anti-aliased (yellow) pixels, and how many differ."""
    width, height = one.size
    max_delta = MAX_YIQ_DELTA * threshold * threshold
    over = _over(image_module, one, two, max_delta)
    a, b = one.tobytes(), two.tobytes()
    red, yellow = bytearray(over.translate(_ONE_TO_FF)), bytearray(width * height)
    differing = over.count(b"\x01")
    for index in _first_ones(over, MAX_EXAMINED):
        pos = index * 4
        if pixelmatch.color_delta(a, b, pos, pos) <= max_delta:  # under the cut, exactly
            red[index] = 0
            differing -= 1
            continue
        x, y = index % width, index // width
        if pixelmatch.antialiased(a, x, y, width, height, b) or pixelmatch.antialiased(
            b, x, y, width, height, a
        ):
            red[index], yellow[index] = 0, 255
            differing -= 1
    size = (width, height)
    return (
        image_module.frombytes("L", size, bytes(red)),
        image_module.frombytes("L", size, bytes(yellow)),
        differing,
    )


def _padded(image_module: Any, image: Image, size: tuple[int, int]) -> Image:
    canvas: Image = image_module.new("RGBA", size, (0, 0, 0, 0))
    canvas.paste(image, (0, 0))
    return canvas


def _over(image_module: Any, one: Image, two: Image, max_delta: float) -> bytes:
    """A byte per pixel, 1 where the YIQ distance is (about) over `max_delta`: computed in C."""
    from PIL import ImageMath

    white = image_module.new("RGBA", one.size, (255, 255, 255, 255))
    first = image_module.alpha_composite(white, one).convert("RGB").split()
    second = image_module.alpha_composite(white, two).convert("RGB").split()
    # Just under the exact cut: float32 rounding must not hide a pixel pixelmatch would count.
    cut = max_delta * 0.999

    def delta(v: dict[str, Any]) -> Any:
        dr = v["r1"] - v["r2"]
        dg = v["g1"] - v["g2"]
        db = v["b1"] - v["b2"]
        dy = dr * 0.29889531 + dg * 0.58662247 + db * 0.11448223
        di = dr * 0.59597799 - dg * 0.27417610 - db * 0.32180189
        dq = dr * 0.21147017 - dg * 0.52261711 + db * 0.31114694
        return (dy * dy * 0.5053 + di * di * 0.299 + dq * dq * 0.1957) > cut

    channels = dict(zip(("r1", "g1", "b1"), first, strict=True))
    channels.update(zip(("r2", "g2", "b2"), second, strict=True))
    return bytes(ImageMath.lambda_eval(delta, **channels).convert("L").tobytes())


def _first_ones(over: bytes, most: int) -> list[int]:
    """The indexes of the first `most` 1 bytes of `over`."""
    found: list[int] = []
    start = over.find(b"\x01")
    while start != -1 and len(found) < most:
        found.append(start)
        start = over.find(b"\x01", start + 1)
    return found


def _diff_image(image_module: Any, expected: Image, red: Image, yellow: Image) -> bytes:
    """pixelmatch's picture: the expected image faded to grey, red differences, yellow
    anti-aliasing."""
    white = image_module.new("RGBA", expected.size, (255, 255, 255, 255))
    grey = image_module.alpha_composite(white, expected).convert("L")
    faded = grey.point(lambda v: round(255 + (v - 255) * FADE)).convert("RGB")
    faded.paste(AA_RGB, mask=yellow)
    faded.paste(DIFF_RGB, mask=red)
    out = io.BytesIO()
    faded.save(out, format="PNG", compress_level=1)
    return out.getvalue()
