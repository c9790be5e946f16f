"""The report's visual differences section (SPEC §18): each journey's latest baseline difference.

A journey whose screenshot differed from its baseline kept `<name>-expected.png`,
`<name>-actual.png` and `<name>-diff.png` with its artifacts; an ARIA difference kept
`<name>-expected.aria.yml`, `<name>-actual.aria.yml` and `<name>-aria-diff.txt`. Here the images
are shown side by side (expected · actual · diff, each a link to the full-size file), the ARIA
files linked, with what the check said and whether it still differs. Images are shown when the
artifacts are files the page can reach; for artifacts in S3 or on a CI run page, links only.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from prodsmoke import redact

if TYPE_CHECKING:
    from prodsmoke.history.stats import Observation

SCREENSHOT = ("expected", "actual", "diff")
ARIA = (
    ("expected", "-expected.aria.yml"),
    ("actual", "-actual.aria.yml"),
    ("diff", "-aria-diff.txt"),
)
CSS = """<style>
.visual { display: grid; gap: 14px; }
.visual .item { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
                padding: 12px 14px; }
.visual .shots { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; margin-top: 8px; }
.visual figure { margin: 0; }
.visual img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line);
              background: repeating-conic-gradient(#f1f5f9 0 25%, #fff 0 50%) 0 0 / 16px 16px; }
.visual figcaption { color: var(--muted); font-size: 12px; margin-top: 3px; }
</style>"""

Link = Callable[[str, str], str]  # (artifacts_url, artifact) → href


def section(by_check: dict[str, list[Observation]], *, link: Link) -> str:
    """The section's HTML; '' when no journey's baseline differed in the history shown."""
    items = []
    for check, results in by_check.items():
        latest = next((o for o in reversed(results) if _differences(o)), None)
        if latest is not None:
            items.append(_item(check, latest, still=latest is results[-1], link=link))
    if not items:
        return ""
    return (
        f"{CSS}<h3>Visual differences</h3>"
        '<p class="muted">Each journey\'s latest difference from its baselines: expected · '
        "actual · diff (red: pixels that differ, yellow: anti-aliasing, not counted). A screenshot "
        "difference warns unless the journey says <code>on_diff: fail</code>; an ARIA difference "
        "fails. A change that was meant: <code>smoke baseline update --env ENV --check ID</code>, "
        f'reviewed with the pull request.</p><div class="visual">{"".join(items)}</div>'
    )


def _differences(o: Observation) -> list[tuple[str, str]]:
    """(kind, baseline name) of each difference `o` kept files for."""
    found = []
    for artifact in o.check.artifacts:
        name = PurePosixPath(artifact).name
        if name.endswith("-diff.png") and "/attempt-" not in artifact:
            found.append(("screenshot", name.removesuffix("-diff.png")))
        elif name.endswith("-aria-diff.txt") and "/attempt-" not in artifact:
            found.append(("aria", name.removesuffix("-aria-diff.txt")))
    return found


def _item(check: str, o: Observation, *, still: bool, link: Link) -> str:
    status = o.check.status
    since = "its latest result" if still else "since then it has not differed"
    parts = [
        f'<div class="item"><div><code>{escape(check)}</code> '
        f'<span class="pill {status}">{status}</span> '
        f'<span class="muted">{o.at:%Y-%m-%d %H:%M} UTC · {escape(o.region)} · {since}</span></div>'
        f'<div class="muted">{escape(redact.redact(o.check.error or "")[:400])}</div>'
    ]
    folder = {PurePosixPath(a).name: a for a in o.check.artifacts if "/attempt-" not in a}
    for kind, name in _differences(o):
        if kind == "screenshot":
            parts.append(_shots(o, name, folder, link))
        else:
            links = " · ".join(
                f'<a href="{escape(link(o.artifacts_url, folder[name + suffix]))}">{label}</a>'
                for label, suffix in ARIA
                if o.artifacts_url and name + suffix in folder
            )
            parts.append(f"<div>ARIA <code>{escape(name)}</code>: {links or 'not kept'}</div>")
    parts.append("</div>")
    return "".join(parts)


def _shots(o: Observation, name: str, folder: dict[str, str], link: Link) -> str:
    url = o.artifacts_url
    files = [(label, folder.get(f"{name}-{label}.png")) for label in SCREENSHOT]
    if not url:
        return f"<div>screenshot <code>{escape(name)}</code>: artifacts not kept</div>"
    if url.startswith(("s3://", "http://", "https://")):  # a page cannot show those as images
        links = " · ".join(
            f'<a href="{escape(link(url, f))}">{label}</a>' for label, f in files if f is not None
        )
        return f"<div>screenshot <code>{escape(name)}</code>: {links}</div>"
    figures = "".join(
        f'<figure><a href="{escape(link(url, f))}"><img src="{escape(link(url, f))}" '
        f'alt="{label}: {escape(name)}" loading="lazy"></a>'
        f"<figcaption>{label}</figcaption></figure>"
        for label, f in files
        if f is not None
    )
    return f'<div>screenshot <code>{escape(name)}</code></div><div class="shots">{figures}</div>'
