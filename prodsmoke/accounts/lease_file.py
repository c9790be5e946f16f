"""Leases as `flock` locks on files in one folder: exclusive across processes on one host.

The kernel drops a lock when its holder's file is closed, so a crashed run never leaves an
account leased and nothing expires. `flock` (not `lockf`) locks belong to the open file, so two
leases on one account conflict inside one process too. Lock files are left in place: deleting
one while another run waits on it would let two runs lock two different files.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from prodsmoke.accounts.lease_backend import Busy
from prodsmoke.errors import AccountError


def default_folder() -> Path:
    """`prodsmoke-leases` in the temporary folder."""
    return Path(tempfile.gettempdir()) / "prodsmoke-leases"


class FileLeases:
    """One lock file per lease key under `folder`."""

    expires = False

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder else default_folder()
        self._held: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def path(self, key: str) -> Path:
        """The lock file of `key` (keys are already file-name safe)."""
        return self.folder / f"{key}.lock"

    def try_acquire(self, key: str, holder: str, ttl_s: float) -> Busy | None:
        """Lock the key's file without waiting; on success note who holds it and since when."""
        path = self.path(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise AccountError(
                f"cannot open lease file {path}: {exc.strerror}; "
                "set account_lease.folder to a writable folder"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            busy = _read_holder(fd)
            os.close(fd)
            return busy
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"holder": holder, "since": time.time()}).encode(), 0)
        with self._lock:
            self._held[(key, holder)] = fd
        return None

    def renew(self, key: str, holder: str, ttl_s: float) -> bool:
        """A file lock never expires: still ours while we hold it."""
        with self._lock:
            return (key, holder) in self._held

    def release(self, key: str, holder: str) -> None:
        """Clear the holder note and unlock (closing the file unlocks it)."""
        with self._lock:
            fd = self._held.pop((key, holder), None)
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)


def _read_holder(fd: int) -> Busy:
    try:
        note = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        note = {}
    if not isinstance(note, dict) or not isinstance(note.get("holder"), str):
        # The holder locked the file but has not written its note yet.
        return Busy("unknown (just started)")
    since = note.get("since")
    held = time.time() - since if isinstance(since, int | float) else None
    return Busy(note["holder"], held_for_s=held)
