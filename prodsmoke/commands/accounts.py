"""`smoke accounts check`: verify every test account's secret resolves, without logging in."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from prodsmoke.commands.common import config_flag
from prodsmoke.errors import ConfigError, UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke accounts check`."""
    accounts = sub.add_parser("accounts", help="test accounts: check that their secrets resolve")
    actions = accounts.add_subparsers(dest="accounts_command", required=True)
    check = actions.add_parser(
        "check", help="resolve every account's secret (env, Secrets Manager, SSM); no login"
    )
    check.add_argument("--env", help="one environment (default: every file under DIR/environments)")
    config_flag(check)
    check.set_defaults(handler=handle_check)
    passkey = actions.add_parser(
        "passkey",
        help="create a passkey for a smoke account (Playwright's virtual authenticator): the "
        "JSON its passkey: secret holds",
    )
    passkey.add_argument("--rp-id", required=True, help="the relying party id: the site's host")
    passkey.add_argument(
        "--enrol",
        metavar="URL",
        help="open URL in a browser window with the authenticator installed: sign in as the "
        "account and add a passkey on the product's own page, then close the window; the "
        "credential the page registered is the one written (needs a display)",
    )
    passkey.add_argument(
        "--to", type=Path, metavar="FILE", help="write the JSON to FILE (mode 0600), not stdout"
    )
    passkey.set_defaults(handler=handle_passkey)


def handle_check(args: argparse.Namespace) -> int:
    """One line per account: ok or FAIL, who, where the secret comes from, why not. Exit 0 or 2."""
    from prodsmoke import redact
    from prodsmoke.accounts.check import check_environment
    from prodsmoke.config import available_environments

    envs = [args.env] if args.env else available_environments(args.config)
    if not envs:
        raise UsageError(f"no environment files under {args.config}/environments")
    failed = False
    for env in envs:
        try:
            checks = check_environment(args.config, env, os.environ)
        except ConfigError as exc:
            print(redact.redact(f"FAIL  {env}: {exc}"))
            failed = True
            continue
        if not checks:
            print(f"-     {env}: no accounts configured")
        for c in checks:
            verdict = "ok  " if c.ok else "FAIL"
            line = f"{verdict}  {c.env}/{c.name}  {c.username}  from {c.source}"
            print(redact.redact(line if c.ok else f"{line}: {c.problem}"))
            failed = failed or not c.ok
    return 2 if failed else 0


_EXISTS = (
    "--to {}: the file exists (it may hold a passkey already enrolled, whose private key exists "
    "nowhere else); expected a new file: delete it first or name another"
)


def handle_passkey(args: argparse.Namespace) -> int:
    """Make (or enrol) a passkey; write its JSON. Exit 0, 2 (usage) or 3 (no browser)."""
    if args.to is not None and os.path.lexists(args.to):
        raise UsageError(_EXISTS.format(args.to))  # before the browser: nothing enrolled yet
    import asyncio  # here, not at the top: every command's start-up would pay for it

    credential = asyncio.run(_passkey(args.rp_id, args.enrol))
    text = json.dumps(credential, indent=2) + "\n"
    if args.to is None:
        print(text, end="")
    else:
        try:
            fd = os.open(args.to, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise UsageError(_EXISTS.format(args.to)) from None
        with os.fdopen(fd, "w") as out:
            out.write(text)
        print(f"wrote {args.to} (mode 0600): store it as the account's passkey secret, e.g.")
        print(
            f"  aws secretsmanager create-secret --name prod/smoke/passkey "
            f"--secret-string file://{args.to}"
        )
    return 0


async def _passkey(rp_id: str, enrol: str | None) -> dict[str, Any]:
    import asyncio

    from playwright.async_api import async_playwright

    from prodsmoke.e2e import browser as browsers

    async with async_playwright() as pw:
        browser, _ = await browsers.launch(pw, None, headless=enrol is None)
        try:
            context = await browser.new_context()
            if enrol is None:
                created = await context.credentials.create(rp_id)
                return {k: v for k, v in created.items() if k != "signCount"}
            await context.credentials.install()
            page = await context.new_page()
            await page.goto(enrol)
            closed = asyncio.Event()  # the person closed the window: enrolment is over
            page.on("close", lambda _: closed.set())
            await closed.wait()
            found = await context.credentials.get(rp_id=rp_id)
        finally:
            await browser.close()
    if not found:
        raise UsageError(
            f"no passkey for {rp_id} was registered in that window; add one on the product's "
            "passkey page before closing it"
        )
    return {k: v for k, v in found[-1].items() if k != "signCount"}
