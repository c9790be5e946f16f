"""`smoke browser`: where Chromium is looked for, and what this machine has."""

from __future__ import annotations

import argparse


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
