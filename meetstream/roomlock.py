"""One action at a time per room, across every process that acts on its session.

A Stream Deck pressed quickly starts many `meetstream cue` processes at once; the console and the
watchdog act too. Each holds the room's lock from reading the session's state to recording the
result, so an action is always decided on the state the previous one left: a stale `cue chamber`
can no longer undo a private session that finished while it was starting.

The lock is an OS file lock beside the state store (flock on POSIX, msvcrt on Windows): the OS
drops it when a process dies, even by kill -9, so a crash never leaves a room locked. Within a
process it is re-entrant and shared by threads through one RLock.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from meetstream.errors import StateError

_locks: dict[Path, "RoomLock"] = {}
_registry = threading.Lock()


def room_lock(state_path: Path, room: str, *, timeout: float = 30.0) -> "RoomLock":
    """The lock for `room` of the store at `state_path` (one object per process and file)."""
    from meetstream.paths import room_lock_file

    path = room_lock_file(Path(state_path), room).resolve()
    with _registry:
        lock = _locks.get(path)
        if lock is None:
            lock = _locks[path] = RoomLock(path, room, timeout=timeout)
        return lock


class RoomLock:
    def __init__(self, path: Path, room: str, *, timeout: float = 30.0):
        self.path, self.room, self.timeout = path, room, timeout
        self._thread = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def __enter__(self) -> "RoomLock":
        if not self._thread.acquire(timeout=self.timeout):
            raise StateError(f"room {self.room!r} is busy in this process; try again")
        try:
            if self._depth == 0:
                self._fd = self._acquire_file()
            self._depth += 1
        except BaseException:
            self._thread.release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None:
                _unlock(self._fd)
                os.close(self._fd)
                self._fd = None
        finally:
            self._thread.release()

    def _acquire_file(self) -> int:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as err:
            raise StateError(f"cannot open the room lock {self.path}: {err.strerror}") from err
        deadline = time.monotonic() + self.timeout
        delay = 0.002
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                os.close(fd)
                raise StateError(f"another meetstream process has held room {self.room!r} for {self.timeout:g}s "
                                 f"(is it stuck reconnecting to OBS?); try again")
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        return fd


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def hold_for_life(path: Path, what: str) -> int:
    """Take an exclusive lock on `path` for the rest of this process (the OS drops it when the
    process ends, however it ends); StateError naming the holder's pid if another has it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    if not _try_lock(fd):
        try:
            os.lseek(fd, 0, os.SEEK_SET)  # not os.pread: Windows has none
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
        except OSError:
            holder = "?"
        os.close(fd)
        raise StateError(f"{what} is already running (pid {holder}): stop it first, or use it")
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, str(os.getpid()).encode())
    return fd
