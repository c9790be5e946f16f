"""Run the demo app with uvicorn: `DemoServer` in a daemon thread, `serve()` in the foreground."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

import uvicorn

from prodsmoke.demo.app import DEFAULT_RATE_LIMIT, create_app, demo_state
from prodsmoke.demo.faults import Faults

if TYPE_CHECKING:
    from types import TracebackType

START_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 5.0


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when proto says
    # TCP, and without it every header+body response waits ~40 ms on a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


class DemoServer:
    """The demo target on a loopback port, served from a daemon thread; a context manager."""

    def __init__(
        self,
        *,
        faults: Faults | None = None,
        password: str,
        assets: int = 10,
        port: int = 0,
        host: str = "127.0.0.1",
        seed: int | None = None,
        rate_limit: int = DEFAULT_RATE_LIMIT,
        log_level: str = "warning",
    ) -> None:
        self.app = create_app(
            faults=faults or Faults(),
            password=password,
            assets=assets,
            rate_limit=rate_limit,
            seed=seed,
        )
        self._state = demo_state(self.app)
        self._host, self._port = host, port
        self._log_level = log_level
        self._url: str | None = None
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._crash: BaseException | None = None
        self._stopped = False

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. http://127.0.0.1:41234."""
        if self._url is None:
            raise RuntimeError("DemoServer.url is known only after start()")
        return self._url

    def start(self) -> DemoServer:
        """Bind the port and serve; returns once the server accepts connections."""
        if self._stopped or self._thread is not None:
            raise RuntimeError("a DemoServer starts once; create a new one to serve again")
        self._socket = _bind(self._host, self._port)
        port = self._socket.getsockname()[1]
        shown = f"[{self._host}]" if ":" in self._host else self._host
        # Quiet by default (tests, benchmarks); `serve()` asks for uvicorn's usual log lines.
        verbose = self._log_level in ("info", "debug", "trace")
        config = uvicorn.Config(
            self.app,
            log_level=self._log_level,
            access_log=verbose,
            log_config=uvicorn.config.LOGGING_CONFIG if verbose else None,
            lifespan="off",
            http="h11",
            # The sans-io implementation: the legacy one warns on import with websockets>=14.
            ws="websockets-sansio",
            # A backstop only: stop() releases stalled requests itself (see DemoState.stall).
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=f"demo-server-{port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if self._crash is not None or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"demo server failed to start: {self._crash!r}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"demo server did not start within {START_TIMEOUT_SECONDS}s")
            time.sleep(0.01)
        self._url = f"http://{shown}:{port}"
        return self

    def _run(self) -> None:
        server, sock = self._server, self._socket
        if server is None or sock is None:  # start() sets both before starting this thread
            return
        try:
            asyncio.run(self._serve(server, sock))
        except BaseException as exc:  # noqa: BLE001  # reported by start(); a thread can't raise
            self._crash = exc

    async def _serve(self, server: uvicorn.Server, sock: socket.socket) -> None:
        self._loop = asyncio.get_running_loop()
        await server.serve(sockets=[sock])

    def stop(self) -> None:
        """Stop serving; idempotent, and quick even with requests stalled by `hang`."""
        if self._stopped:
            return
        self._stopped = True
        if self._server is not None:
            self._server.should_exit = True
        loop = self._loop
        if loop is not None and not loop.is_closed():
            # RuntimeError: the loop closed between the check and the call; nothing to release.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._state.stopping.set)
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_SECONDS)
        if self._socket is not None:
            self._socket.close()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server has stopped (or `timeout` passes); True if it stopped."""
        # Polls with sleep() instead of Thread.join(): on Python 3.11 a Ctrl-C that interrupts
        # join() marks the thread as stopped while it still runs (bpo-45274's lock handling),
        # after which stop() would not wait for the server to finish.
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._thread is not None and self._thread.is_alive():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def audit(self) -> dict[str, Any]:
        """The audit document, as served at GET /__demo__/audit."""
        return self._state.audit.snapshot()

    def reset(self) -> None:
        """Clear audit, lockouts, sessions and rate-limit history."""
        self._state.reset()

    def set_faults(self, faults: Faults) -> None:
        """Change the injected faults; requests already stalled keep their old faults."""
        self._state.faults = faults

    @property
    def faults(self) -> Faults:
        """The faults in effect."""
        return self._state.faults

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    *,
    port: int,
    faults: Faults,
    password: str,
    assets: int = 10,
    host: str = "127.0.0.1",
    quiet: bool = False,
    parent: int | None = None,
    rate_limit: int = DEFAULT_RATE_LIMIT,
) -> None:
    """Serve the demo target in the foreground until Ctrl-C (for `smoke serve-demo`), or until
    process `parent` is gone (for `smoke demo`, which starts it)."""
    server = DemoServer(
        faults=faults,
        password=password,
        assets=assets,
        port=port,
        host=host,
        rate_limit=rate_limit,
        log_level="warning" if quiet else "info",
    )
    with server:
        active = f" with faults {faults}" if faults.names else ""
        print(f"BetterPrompts demo target at {server.url}{active} (Ctrl-C to stop)", flush=True)
        try:
            # Short waits so the main thread notices Ctrl-C (and a parent gone) promptly.
            while not server.wait(0.5):
                if parent is not None and os.getppid() != parent:
                    break  # quietly: its stdout went with it
        except KeyboardInterrupt:
            print("stopping demo target", flush=True)
