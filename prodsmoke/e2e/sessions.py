"""One sign-in per account per run, shared by its journeys (issue 21, SPEC §16).

Playwright's own pattern — sign in once in a set-up step, keep the storage state, start every
test from it — run inside the engine:

- An account with `session:` is signed in once, before the first journey that names it
  (`account: NAME`, for a pytest test in its `journeys:` settings) starts; journeys that start
  meanwhile wait for that one sign-in. Its steps (or `module:function` of the journey files) run
  in a guarded context of their own, labelled `session-NAME` (its requests, its refusals, and its
  artifacts when it fails, under `artifacts/<run>/session-NAME/`).
- The account is leased for the whole run from then on (`AccountBroker.hold_for_run`): no other
  run logs in as it meanwhile, and this run's journeys share the lease and the session.
- Every journey on the account then starts in contexts made from the storage state the sign-in
  left (cookies, local storage), so they go straight to the signed-in pages. The `login` kind is
  the exception: proving the login works is its job, so it starts signed out.
- A failed sign-in is one verdict, given to every journey on the account and never retried (a
  retried login is a lockout risk): "signing in as account 'mfa' failed: …".
- An account's passkey goes into every one of its journeys' contexts (the sign-in's too) as the
  storage state's `credentials`, which installs Playwright's virtual authenticator before the
  context's first page; each context gets a signature counter above any used before
  (`config.passkey.next_sign_count`).
- `close()` (the run's end, also after an interruption) signs out of each session, bounded by
  `SIGN_OUT_MAX_S`, then gives the leases back.

The storage state is a secret: it is kept in this object's memory only (never a file), its token-
like cookie and storage values are registered with the redactor, and nothing else keeps it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import importlib.util
import inspect
import sys
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from prodsmoke import redact
from prodsmoke.accounts.credentials import CODES_HANDED_OUT
from prodsmoke.config import passkey as passkeys
from prodsmoke.e2e import bridge, failures, seal, second_factor
from prodsmoke.e2e.journey_attempt import JourneyAttempt, RunContexts
from prodsmoke.e2e.journeys import steps as step_runs
from prodsmoke.e2e.journeys.base import JourneyRun
from prodsmoke.e2e.scrub import token_like
from prodsmoke.e2e.vitals import VitalsCollector
from prodsmoke.errors import AccountError, CheckFailure, SecondFactorFailure
from prodsmoke.results import FailureClass

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.async_api import Browser, Playwright

    from prodsmoke.accounts import AccountBroker, Credentials
    from prodsmoke.config.models import Settings
    from prodsmoke.e2e.artifacts import ArtifactPolicy
    from prodsmoke.e2e.guard import Guard
    from prodsmoke.e2e.journeys.base import Accounts

SIGN_OUT_MAX_S = 5.0  # at the run's end, per account: the reports are still to be written
LOGIN_KIND = "login"  # starts signed out: proving the login works is its job


def label(account: str) -> str:
    """The guard's and the artifacts' name for an account's sign-in (never a check id)."""
    return f"session-{account}"


@dataclass
class _Signed:
    """A session the run holds: its storage state, and what signs it out."""

    account: str
    credentials: Credentials
    state: dict[str, Any] = field(repr=False)
    url: str = ""  # where the sign-in ended: the sign-out starts there


@dataclass
class Sessions:
    """The run's sessions, one per account with `session:` (see the module docstring)."""

    settings: Settings
    broker: AccountBroker
    accounts: Accounts
    guard: Guard
    artifacts: ArtifactPolicy
    deadline: float  # monotonic seconds: when the run's checks must be done
    env: str = ""
    region: str = ""
    playwright: Callable[[], Playwright | None] = lambda: None
    _signing: dict[str, asyncio.Task[_Signed | CheckFailure]] = field(default_factory=dict)
    _leases: AsyncExitStack = field(default_factory=AsyncExitStack)
    _browser: Browser | None = None
    notes: list[str] = field(default_factory=list)  # what went wrong signing out

    # -- what a journey starts from ---------------------------------------------------------

    async def start_for(
        self, spec: object, browser: Browser
    ) -> dict[str, Any] | CheckFailure | None:
        """The storage state a journey's contexts start from (None: nothing to add), or the
        failure every journey on its account shares."""
        name = getattr(spec, "account", None)
        if not isinstance(name, str) or name not in self.settings.accounts:
            return None
        config = self.settings.accounts[name]
        state: dict[str, Any] = {}
        if config.session is not None and getattr(spec, "kind", "") != LOGIN_KIND:
            signed = await self._signed_in(name, browser)
            if isinstance(signed, CheckFailure):
                return signed
            state = {"cookies": signed.state["cookies"], "origins": signed.state["origins"]}
        if config.passkey is not None:
            try:
                credentials = await self.broker.credentials(name)
            except AccountError as exc:
                return CheckFailure(str(exc), failure_class=FailureClass.INFRASTRUCTURE)
            state.setdefault("cookies", [])
            state.setdefault("origins", [])
            state["credentials"] = self._passkey(credentials)
        return state or None

    def _passkey(self, credentials: Credentials) -> list[dict[str, Any]]:
        if credentials.passkey is None:
            return []
        return [credentials.passkey.virtual_credential(passkeys.next_sign_count())]

    async def _signed_in(self, name: str, browser: Browser) -> _Signed | CheckFailure:
        self._browser = browser
        if name not in self._signing:
            self._signing[name] = asyncio.create_task(
                self._sign_in(name, browser), name=f"sign in as {name}"
            )
        # Shielded: a journey cut off while it waits does not cancel the others' sign-in.
        return await asyncio.shield(self._signing[name])

    # -- signing in ---------------------------------------------------------------------------

    async def _sign_in(self, name: str, browser: Browser) -> _Signed | CheckFailure:
        config = self.settings.accounts[name].session
        assert config is not None
        who = f"signing in as account {name!r} (session.sign_in)"
        try:
            credentials = await self._leases.enter_async_context(self.broker.hold_for_run(name))
        except AccountError as exc:
            return _shared(f"{who} failed: {exc}", FailureClass.INFRASTRUCTURE)
        if credentials.totp_secret is not None:
            # A code typed already in this window (the run whose lease we waited for, or ours)
            # would be refused: the next window is waited for outside session.timeout_s.
            await second_factor.until_fresh(credentials)
        budget = self.guard.budget
        if not budget.reserve(label(name), config.expected_requests):
            return _shared(
                f"{who}: the rate budget has no room for its {config.expected_requests} requests "
                "(session.expected_requests); not sent",
                FailureClass.INFRASTRUCTURE,
            )
        start = {"cookies": [], "origins": [], "credentials": self._passkey(credentials)}
        timeout_s = max(1.0, min(config.timeout_s, self.deadline - time.monotonic()))
        j = self._run(name, browser, start, timeout_s)
        failure: CheckFailure | None = None
        handed: list[int] = []  # codes `account.totp()` gave a `module:function` sign-in
        codes = CODES_HANDED_OUT.set(handed)
        try:
            await self._drive(j, config.sign_in, credentials, timeout_s)
            state = dict(await j.page.context.storage_state())
            url = j.page.url
        except CheckFailure as exc:
            failure = exc
        finally:
            CODES_HANDED_OUT.reset(codes)
            budget.release(label(name))
            await j.attempt.close(failed=failure is not None)
        if failure is not None:
            said = f"{who} failed: {failure.message}{_after_code(handed, failure)}"
            return _shared(f"{said}{self._evidence(name)}", failure.failure_class)
        _register(state)
        return _Signed(name, credentials, state, url)

    def _evidence(self, name: str) -> str:
        kept = self.artifacts.collect(label(name))
        folder = str(Path(kept[0]).parent) if kept else ""
        return f" (its trace and screenshot: {folder}/)" if folder else ""

    def _run(
        self, name: str, browser: Browser, state: dict[str, Any], timeout_s: float, number: int = 1
    ) -> JourneyRun:
        """A guarded page's run for the sign-in (`number` 1) or the sign-out (2): their kept
        artifacts are the label's folder and its `attempt-1/`, like a retried check's."""
        attempt = JourneyAttempt(
            browser=browser,
            guard=self.guard,
            check=label(name),
            number=number,
            base_url=self.settings.base_url,
            work_s=timeout_s,
            artifacts=self.artifacts,
            vitals=VitalsCollector(self.settings.base_url, active=False),
            shared=RunContexts(),
            playwright=self.playwright(),
            storage_state=state,
        )
        return JourneyRun(
            check=label(name),
            attempt=attempt,
            base_url=self.settings.base_url,
            guard=self.guard,
            warn_ratio=self.settings.thresholds.warn_ratio,
            timeout_ms=timeout_s * 1000,
            accounts=self.accounts,
            env=self.env,
            region=self.region,
        )

    async def _drive(
        self,
        j: JourneyRun,
        how: tuple[Any, ...] | str,
        credentials: Credentials,
        timeout_s: float,
        url: str = "",
    ) -> None:
        """Run `how` (YAML steps, or a function of the journey files) on a new page of `j`
        (at `url` first, when given)."""
        try:
            async with asyncio.timeout(timeout_s):
                page = await j.attempt.open_page()
                if url.startswith(("http://", "https://")):
                    await page.goto(url, wait_until="domcontentloaded")
                if isinstance(how, str):
                    await self._call(j, how, credentials)
                else:
                    await step_runs.run_steps(j, how, credentials)
        except TimeoutError:
            raise failures.timed_out(
                f"did not finish within {timeout_s:.1f} s (session.timeout_s; at {j.where()})"
                f"{j.observer.failures_hint()}",
                j.observer,
            ) from None
        except CheckFailure:
            raise
        except Exception as exc:
            raise j.failure(exc) from exc

    async def _call(self, j: JourneyRun, ref: str, credentials: Credentials) -> None:
        """`module:function` of the journey files, given the page and the account (sync or
        async), sealed like a journey."""
        function = _function(ref, self.settings.journey_paths or ())
        seal.install()
        with seal.sealed(provider=j.attempt) as violations:
            context = contextvars.copy_context()
        if inspect.iscoroutinefunction(function):
            await asyncio.get_running_loop().create_task(
                function(j.page, credentials), context=context
            )
        else:
            bridge.install()
            await bridge.call_sync(
                function, bridge.sync_wrapper(j.page), credentials, context=context
            )
        if violations:
            raise violations[0]

    # -- the end of the run -------------------------------------------------------------------

    async def close(self) -> None:
        """Sign out of every session (each within SIGN_OUT_MAX_S), then give the leases back."""
        pending = [task for task in self._signing.values() if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        try:
            for task in self._signing.values():
                signed = None if task.cancelled() or task.exception() else task.result()
                if isinstance(signed, _Signed):
                    await self._sign_out(signed)
        finally:
            self._signing.clear()
            await self._leases.aclose()
        for note in self.notes:
            sys.stderr.write(f"smoke: {redact.redact(note)}\n")

    async def _sign_out(self, signed: _Signed) -> None:
        config = self.settings.accounts[signed.account].session
        if config is None or config.sign_out is None or self._browser is None:
            return
        timeout_s = min(config.timeout_s, SIGN_OUT_MAX_S)
        start = {**signed.state, "credentials": self._passkey(signed.credentials)}
        j = self._run(signed.account, self._browser, start, timeout_s, number=2)
        problem = None
        try:
            await self._drive(j, config.sign_out, signed.credentials, timeout_s, signed.url)
        except CheckFailure as exc:
            problem = exc.message
        except (PlaywrightError, asyncio.CancelledError):
            problem = "the browser went away"
        finally:
            with contextlib.suppress(Exception):
                await j.attempt.close(failed=problem is not None)
        if problem is not None:
            self.notes.append(
                f"signing out of account {signed.account!r} (session.sign_out) failed: "
                f"{problem}{self._evidence(signed.account)}"
            )


def _after_code(handed: list[int], failure: CheckFailure) -> str:
    """A hint when a sign-in of its own (`module:function`) failed after taking a TOTP code:
    prodsmoke cannot see where it was typed, so it cannot say the code was refused (the YAML
    steps and the `login` kind can: "TOTP code rejected")."""
    if not handed or isinstance(failure, SecondFactorFailure):
        return ""
    return (
        " - after it typed a TOTP code (account.totp()): if the product refused the code, "
        "the account's totp secret is wrong or this machine's clock is off"
    )


def _shared(message: str, failure_class: FailureClass) -> CheckFailure:
    return CheckFailure(
        redact.redact(f"{message}; not retried (every journey on the account shares it)"),
        failure_class=failure_class,
        title="sign-in failed",
    )


def _register(state: dict[str, Any]) -> None:
    """Scrub the session's cookie and storage values that look like tokens, from now on."""
    values = [c.get("value", "") for c in state.get("cookies", [])]
    for origin in state.get("origins", []):
        values += [item.get("value", "") for item in origin.get("localStorage", [])]
    for value in values:
        if isinstance(value, str) and token_like(value):
            redact.register_secret(value)


def _function(ref: str, journey_paths: tuple[str, ...]) -> Callable[..., Any]:
    """The function `module:function` names, from a file of the journey paths."""
    module, _, name = ref.partition(":")
    relative = Path(*module.split(".")).with_suffix(".py")
    candidates = [
        Path(p) / relative if Path(p).is_dir() else Path(p)
        for p in journey_paths
        if Path(p).is_dir() or Path(p).stem == module
    ]
    found = next((c for c in candidates if c.is_file()), None)
    if found is None:
        raise CheckFailure(
            f"session {ref!r}: no file {relative} in journey_paths "
            f"({', '.join(journey_paths) or 'none'})",
            failure_class=FailureClass.INFRASTRUCTURE,
        )
    spec = importlib.util.spec_from_file_location(f"prodsmoke_session.{module}", found)
    assert spec is not None
    assert spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(loaded)
    except Exception as exc:  # a team's file: its error is the verdict
        raise CheckFailure(
            f"session {ref!r}: importing {found} failed: {failures.first_line(exc)}",
            failure_class=FailureClass.INFRASTRUCTURE,
        ) from exc
    function = getattr(loaded, name, None)
    if not callable(function):
        raise CheckFailure(
            f"session {ref!r}: {found} has no function {name}(page, account)",
            failure_class=FailureClass.INFRASTRUCTURE,
        )
    return function  # type: ignore[no-any-return]
