"""The web console paired once per device: a short code shown by `meetstream serve` is exchanged for
a device cookie, whose token is kept only as a hash so a copy of the file lets no one in.

A code is six digits, lives ten minutes, is spent by its first use, and every outstanding code is
voided after ten wrong tries in all (from any address): a LAN guessing from many addresses at once
gets at most ten tries per code the officer asked for, one in 100,000 at best. The per-address
slow-down is meetstream.entrypoints.http.auth.Throttle's.

Device tokens survive a restart of `serve` (the file beside the state store, mode 0600); `serve
--devices` lists them and `serve --revoke ID` removes one. The file is re-read when it changes, so
a revocation made while `serve` runs takes effect at the device's next request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

CODE_DIGITS = 6
CODE_LIFETIME = 600.0  # seconds: long enough to walk to the tablet, short enough to be useless later
VOID_AFTER_WRONG = 10  # wrong tries in all, from anywhere, before every outstanding code is voided
MAX_CODES = 5  # outstanding at once; asking for another drops the oldest
NAME_MAX = 60


def normalise_code(typed: str) -> str:
    """What the officer typed, as a code: spaces and dashes are how it is shown, not part of it."""
    return "".join(ch for ch in str(typed) if ch not in " -\t")


class PairingCodes:
    """The codes `serve` has shown and not yet seen used; in memory only (a code outlives no
    restart: `serve` prints a fresh one when it starts)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._codes: dict[str, float] = {}  # code -> expiry
        self._wrong = 0
        self._lock = threading.Lock()

    def issue(self) -> str:
        with self._lock:
            self._expire()
            while len(self._codes) >= MAX_CODES:
                self._codes.pop(min(self._codes, key=self._codes.get))
            code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
            self._codes[code] = self._clock() + CODE_LIFETIME
            self._wrong = 0
            return code

    def redeem(self, typed: str) -> bool:
        """True once for a code shown and unexpired; the code is spent either way it matches."""
        given = normalise_code(typed).encode("utf-8", "surrogateescape")
        with self._lock:
            self._expire()
            match = None
            for code in self._codes:  # every code compared in constant time, none skipped early
                if hmac.compare_digest(given, code.encode()):
                    match = code
            if match is not None:
                del self._codes[match]
                return True
            self._wrong += 1
            if self._wrong >= VOID_AFTER_WRONG:
                self._codes.clear()  # somebody is guessing: the officer asks for a new one
            return False

    def outstanding(self) -> int:
        with self._lock:
            self._expire()
            return len(self._codes)

    def _expire(self) -> None:
        now = self._clock()
        for code in [c for c, until in self._codes.items() if until <= now]:
            del self._codes[code]


def _hash(token: str) -> str:
    # The token is 256 random bits: a plain SHA-256 is enough (no password to stretch).
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def clean_name(name: object, fallback: str) -> str:
    """A device's name as typed on the pairing page: text only, one short line."""
    text = "".join(ch for ch in str(name or "") if ch.isprintable()).strip()[:NAME_MAX]
    return text or fallback


class DeviceBook:
    """The paired devices: {"id", "name", "hash", "paired"} each, in `path` (mode 0600), or in
    memory when `path` is None (a server started by a test or a bench)."""

    def __init__(self, path: Path | None):
        self.path = path
        self._devices: list[dict] = []
        self._seen: tuple | None = None
        self._lock = threading.Lock()
        self._reload()

    def add(self, name: str) -> tuple[str, str]:
        """A new device: (its id, the cookie's value `id.token`), the token kept only hashed."""
        token = secrets.token_urlsafe(32)
        device_id = secrets.token_hex(4)
        with self._lock:
            self._reload()
            self._devices.append({"id": device_id, "name": name, "hash": _hash(token),
                                  "paired": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")})
            self._save()
        return device_id, f"{device_id}.{token}"

    def check(self, cookie: str | None) -> str | None:
        """The device id a cookie belongs to, or None."""
        if not cookie or "." not in cookie:
            return None
        device_id, _, token = cookie.partition(".")
        with self._lock:
            self._reload()
            devices = list(self._devices)
        wanted = _hash(token)
        found = None
        for d in devices:
            if d["id"] == device_id and hmac.compare_digest(d["hash"], wanted):
                found = d["id"]
        return found

    def listing(self) -> list[dict]:
        """Every device without its hash: id, name, paired (UTC)."""
        with self._lock:
            self._reload()
            return [{k: v for k, v in d.items() if k != "hash"} for d in self._devices]

    def revoke(self, device_id: str) -> bool:
        with self._lock:
            self._reload()
            kept = [d for d in self._devices if d["id"] != device_id]
            if len(kept) == len(self._devices):
                return False
            self._devices = kept
            self._save()
            return True

    def _reload(self) -> None:
        if self.path is None:
            return
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._devices, self._seen = [], None
            return
        seen = (st.st_mtime_ns, st.st_size, st.st_ino)
        if seen == self._seen:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            devices = [d for d in data.get("devices", []) if isinstance(d, dict) and {"id", "hash"} <= d.keys()]
        except (OSError, ValueError, AttributeError):
            # A damaged file pairs nobody: failing closed, every browser pairs again.
            devices = []
        self._devices, self._seen = devices, seen

    def _save(self) -> None:
        if self.path is None:
            return
        write_private(self.path, json.dumps({"devices": self._devices}, indent=1))
        self._seen = None
        self._reload()


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` as mode 0600 from the first byte (never readable by others, even for
    an instant), replacing it whole so a reader never sees half a file."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)  # os.open's mode is filtered by the umask, and an old tmp file keeps its mode
    os.replace(tmp, path)
