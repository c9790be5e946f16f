"""The `history` reporter: each run into the run history, without ever losing or failing it.

The database work runs on one background thread, started with the run: it connects, brings the
schema up to date, reads the environment's maintenance windows and gives alerting back after any
closed window, while the checks run. Then:

- `stored_windows()` gives the runner the stored maintenance windows (`smoke maintenance
  start`) that may cover the run (the runner marks the run: `runner.annotate`);
- `report(run)` writes the run's rows, waiting at most this reporter's share of what is left of
  the deadline. A database that is down or slow gets the row spooled under
  `<output>/spool/history/`; the next run that reaches the database inserts it (idempotent by
  run id, so a row written late and also spooled lands once).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from prodsmoke.errors import HistoryNote

if TYPE_CHECKING:
    from prodsmoke.history.store import History, Written
    from prodsmoke.history.windows import StoredWindow
    from prodsmoke.maintenance.providers import Providers
    from prodsmoke.reporters.delivery import TimeShare
    from prodsmoke.reporters.spool import Spool
    from prodsmoke.results import RunResult

STAMP_WAIT_S = 2.0  # how long results.json may wait for the maintenance windows, at most
MIN_WRITE_S = 1.0  # a write is always given at least this long
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the background thread found before the run ended."""

    windows: tuple[StoredWindow, ...] = ()
    notes: tuple[str, ...] = ()


class _Worker:
    """One daemon thread doing database work in order; a hung call never blocks the process.

    The thread leaves after `IDLE_S` without work (a warm Lambda container runs many reporters)
    and is started again by the next `submit`.
    """

    IDLE_S = 60.0

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._queue: list[tuple[Callable[[], Any], Future[Any]]] = []
        self._thread: threading.Thread | None = None

    def submit(self, fn: Callable[[], _T]) -> Future[_T]:
        future: Future[_T] = Future()
        with self._lock:
            self._queue.append((fn, future))
            self._lock.notify()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="prodsmoke-history", daemon=True
                )
                self._thread.start()
        return future

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._lock.wait(self.IDLE_S)
                if not self._queue:
                    self._thread = None
                    return
                fn, future = self._queue.pop(0)
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn())
                except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                    future.set_exception(exc)


@dataclass
class HistoryReporter:
    """Appends every run to the history; spools it when the database cannot take it."""

    history: History
    spool: Spool
    env: str
    share: TimeShare | None = None
    artifacts_url: str | None = None
    providers: Callable[[], Providers | None] = lambda: None
    name: str = field(default="history", init=False)
    _worker: _Worker = field(init=False)
    _prepared: Future[Prepared] = field(init=False)

    def __post_init__(self) -> None:
        self._worker = _Worker()
        self._prepared = self._worker.submit(self._prepare)

    def _prepare(self) -> Prepared:
        from prodsmoke.history.windows import MaintenanceLog
        from prodsmoke.maintenance.restore import restore_closed

        self.history.migrate()
        now = datetime.now(UTC)
        log = MaintenanceLog(self.history)
        windows = log.find(env=self.env, since=now - timedelta(days=1))
        notes: tuple[str, ...] = ()
        if any(w.silenced and w.restored_at is None and w.end <= now for w in windows):
            providers = self.providers()
            if providers is not None:
                done, problems = restore_closed(self.history, self.env, providers, now)
                notes = tuple(done + problems)
        return Prepared(tuple(windows), notes)

    def stored_windows(self) -> tuple[StoredWindow, ...]:
        """The maintenance windows stored in the history (`smoke maintenance start`) that may
        cover this run; none when the history could not be read in time."""
        try:
            return self._prepared.result(timeout=STAMP_WAIT_S).windows
        except (FutureTimeout, Exception):  # noqa: BLE001 - unreachable history: none stored
            return ()

    def report(self, run: RunResult) -> None:
        """Write `run` (else spool it), then what earlier runs spooled."""
        from prodsmoke.history.rows import payload

        doc = payload(run, _fill(self.artifacts_url, run))
        until = self._until(run)
        try:
            self._report(run, doc, until)
        finally:  # the last use: its connections close (a warm Lambda container runs many)
            self._worker.submit(self.history.close)

    def _report(self, run: RunResult, doc: dict[str, Any], until: float) -> None:
        try:
            written = self._wait(self._worker.submit(lambda: self._insert([doc])), until)
        except Exception as exc:  # noqa: BLE001 - any failure: keep the row for the next run
            self.spool.put(doc, label=run.run_id)
            raise HistoryNote(
                f"{_why(exc)}; row spooled ({len(self.spool)} waiting in {self.spool.folder}), "
                "to be written by the next run"
            ) from None
        notes = [written.note] if written.note else []
        notes += self._notes()
        notes += self._drain(until)
        if notes:
            raise HistoryNote("; ".join(notes))

    def _insert(self, docs: list[Any]) -> Written:
        """Insert, unless connecting already failed for this run (no second wait for it)."""
        from prodsmoke.errors import CorruptHistory

        failed = self._prepared.exception() if self._prepared.done() else None
        if failed is not None and not isinstance(failed, CorruptHistory):
            raise failed
        return self.history.insert(docs)

    def _notes(self) -> list[str]:
        if self._prepared.done() and self._prepared.exception() is None:
            return list(self._prepared.result().notes)
        return []

    def _drain(self, until: float) -> list[str]:
        pending = self.spool.pending()
        if not pending:
            return []
        docs = [item.payload for item in pending]
        try:
            written = self._wait(self._worker.submit(lambda: self._insert(docs)), until)
        except Exception as exc:  # noqa: BLE001 - the backlog waits for the next run
            return [f"{len(pending)} spooled row(s) still waiting: {_why(exc)}"]
        for item in pending:
            item.path.unlink(missing_ok=True)
        late = f", {written.duplicates} already there" if written.duplicates else ""
        return [f"delivered {written.inserted} spooled row(s) from earlier runs{late}"]

    def _until(self, run: RunResult) -> float:
        """Its share of the deadline, at most what the database is given to answer."""
        now = time.time()
        bound = now + self.history.connect_timeout_s + self.history.statement_timeout_s
        if self.share is None:
            return bound
        return max(min(self.share.take(run), bound), now + MIN_WRITE_S)

    @staticmethod
    def _wait(future: Future[_T], until: float) -> _T:
        try:
            return future.result(timeout=max(until - time.time(), 0.0))
        except FutureTimeout:
            raise TimeoutError("no answer in time") from None


def artifacts_url(environ: Mapping[str, str], output_dir: Path) -> str:
    """Where a run's artifacts can be found from elsewhere (SPEC §12).

    Inside Lambda with an artifact bucket: the run's `s3://` prefix (the layout of
    `prodsmoke.aws_lambda.upload.run_prefix`; `{env}`, `{region}` and `{run_id}` are filled in
    per run); in GitHub Actions: the workflow run's page; else the local results folder.
    """
    bucket = environ.get("SMOKE_ARTIFACT_BUCKET")
    if environ.get("AWS_LAMBDA_FUNCTION_NAME") and bucket:
        prefix = (environ.get("SMOKE_ARTIFACT_PREFIX") or "prodsmoke").strip("/")
        return f"s3://{bucket}/{prefix + '/' if prefix else ''}{{env}}/{{region}}/{{run_id}}/"
    if environ.get("GITHUB_ACTIONS") == "true" and environ.get("GITHUB_RUN_ID"):
        server = environ.get("GITHUB_SERVER_URL") or "https://github.com"
        repository = environ.get("GITHUB_REPOSITORY", "")
        return f"{server}/{repository}/actions/runs/{environ['GITHUB_RUN_ID']}"
    return str(output_dir.resolve())


def _fill(url: str | None, run: RunResult) -> str | None:
    if url is None or not url.startswith("s3://"):
        return url
    for key, value in (("{env}", run.env), ("{region}", run.region), ("{run_id}", run.run_id)):
        url = url.replace(key, value)
    return url


def _why(exc: BaseException) -> str:
    from prodsmoke.errors import HistoryError

    if isinstance(exc, HistoryError) and exc.reason:
        return f"run history {exc.where} not written ({exc.reason})"
    return f"run history not written ({str(exc) or type(exc).__name__})"
