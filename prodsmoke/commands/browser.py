"""`smoke browser`: where Chromium is looked for, and what this machine has; and the versions
`smoke --version` prints."""

from __future__ import annotations

import argparse
import platform


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke browser`."""
    browser = sub.add_parser("browser", help="show where Chromium is looked for, and what is here")
    browser.add_argument("--check", action="store_true", help="exit 3 when no Chromium is found")
    browser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the search order; with --check, exit 3 when nothing is found."""
    from prodsmoke.e2e.browser import describe_search, find_any

    print(describe_search())
    return 3 if args.check and find_any() is None else 0


def versions() -> str:
    """prodsmoke's version, Playwright's, and the Chromium a run here would use: found and
    started as a run does it (the first that launches), then closed; none is not an error."""
    import asyncio
    from importlib.metadata import version

    from playwright.async_api import async_playwright

    from prodsmoke._version import __version__
    from prodsmoke.e2e.browser import launch
    from prodsmoke.errors import BrowserNotFound

    async def chromium() -> str:
        async with async_playwright() as pw:
            try:
                browser, which = await launch(pw, None)
            except BrowserNotFound as exc:
                return f"Chromium: none that starts here ({exc})"
            await browser.close()
            return which

    return "\n".join(
        (
            f"prodsmoke {__version__}",
            f"Playwright {version('playwright')} (Python {platform.python_version()})",
            asyncio.run(chromium()),
        )
    )
