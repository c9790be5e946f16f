"""What a failed attempt leaves for QA: trace.zip, screenshot.png, console.log, network.har.

Files go to `<output>/artifacts/<check>/` (SPEC §3). When a check fails more than once, earlier
attempts move to `attempt-<n>/` beside the latest, so a flaky check keeps the attempt that failed.
Every kept folder is scrubbed of secrets (`e2e.scrub`) before anyone can read it.
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.async_api import Error as PlaywrightError

from prodsmoke import redact
from prodsmoke.e2e.scrub import scrub_folder

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page

    from prodsmoke.e2e.observe import PageObserver

TRACE_MODES = ("on", "off", "retain-on-failure")


@dataclass(frozen=True, slots=True)
class ArtifactPolicy:
    """Where artifacts go and when traces are recorded."""

    root: Path
    trace: str = "retain-on-failure"

    def folder(self, check: str) -> Path:
        """The check's artifact folder (not created)."""
        return self.root / "artifacts" / check

    def context_options(self, check: str, attempt: int) -> dict[str, object]:
        """Options for the attempt's browser context: record a HAR (bodies omitted)."""
        staging = self.root / ".staging"
        staging.mkdir(parents=True, exist_ok=True)
        return {
            "record_har_path": staging / f"{check}-{attempt}.har",
            "record_har_content": "omit",
        }

    async def start(self, context: BrowserContext) -> None:
        """Begin recording a trace when the policy wants one."""
        if self.trace != "off":
            await context.tracing.start(screenshots=True, snapshots=True)

    async def finish(
        self,
        context: BrowserContext,
        page: Page | None,
        observer: PageObserver,
        *,
        check: str,
        attempt: int,
        failed: bool,
    ) -> None:
        """Close the context; keep (and scrub) the attempt's artifacts when it failed or tracing
        is `on`, else drop them."""
        keep = failed or self.trace == "on"
        folder = self._fresh_folder(check, attempt) if keep else None
        if folder is not None:  # cheapest and surest first: what the page said
            lines = (redact.redact(line) for line in observer.console_lines)
            (folder / "console.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
        if folder is not None and page is not None and _has_content(page):
            # Short: after a hang the page may never paint, and the deadline is close.
            shot = folder / "screenshot.png"
            await _quietly(page.screenshot(path=shot, full_page=True, timeout=1000))
        if self.trace != "off":
            await _quietly(context.tracing.stop(path=folder / "trace.zip" if folder else None))
        await _quietly(context.close())  # writes the HAR
        har = Path(str(self.context_options(check, attempt)["record_har_path"]))
        if folder is None:
            har.unlink(missing_ok=True)
            return
        if har.exists():
            har.replace(folder / "network.har")
        await asyncio.to_thread(scrub_folder, folder)

    def save_text(self, check: str, attempt: int, name: str, text: str) -> None:
        """Keep one text artifact of a failed attempt (redacted, like every artifact)."""
        folder = self._fresh_folder(check, attempt)
        (folder / name).write_text(redact.redact(text), encoding="utf-8")

    def cleanup(self) -> None:
        """Remove the staging folder once no context is recording any more."""
        shutil.rmtree(self.root / ".staging", ignore_errors=True)

    def collect(self, check: str) -> tuple[str, ...]:
        """Every artifact kept for `check`, relative to the output root, latest attempt first."""
        folder = self.folder(check)
        if not folder.is_dir():
            return ()
        files = sorted(folder.rglob("*"), key=lambda p: (len(p.parts), str(p)))
        return tuple(str(p.relative_to(self.root)) for p in files if p.is_file())

    def _fresh_folder(self, check: str, attempt: int) -> Path:
        folder = self.folder(check)
        if folder.exists() and any(p.is_file() for p in folder.iterdir()):
            earlier = folder / f"attempt-{attempt - 1}"
            earlier.mkdir(exist_ok=True)
            for item in folder.iterdir():
                if item.is_file():
                    shutil.move(str(item), earlier / item.name)
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def _has_content(page: Page) -> bool:
    return not page.is_closed() and page.url not in ("", "about:blank")


async def _quietly(awaitable: object) -> bool:
    """Await an artifact step; a failure to save must never change the check's verdict."""
    try:
        await awaitable  # type: ignore[misc]
    except PlaywrightError:
        return False
    return True
