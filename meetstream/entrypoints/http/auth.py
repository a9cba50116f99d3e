"""Who may use a room's control API, and what a wrong guess costs.

Every request proves it comes from a meetstream surface, on loopback too (docs/control-api.md):

- **the room key**: 256 random bits in a file of mode 0600 beside the state store, made by the
  room's first `meetstream serve`. meetstream's own clients on this PC (`cue`, `live`, `end`,
  `serve --pair`) read it and send `Authorization: Bearer KEY`; Companion is set up with it. It is
  never printed, logged, or written to the serve file.
- **the LAN token** (the environment variable named by control.token_env), when set:
  `Authorization: Bearer TOKEN` or `?token=TOKEN` (a tablet's bookmark), as before.
- **a paired device's cookie** (meetstream.entrypoints.http.pairing): the web console.

A web page the officer has open can send none of them: it cannot read the key file, cannot set an
Authorization header on another origin without a CORS preflight the server never grants, and a
device cookie riding along (same site on 127.0.0.1) is stopped by the Origin check in the server.

Failed attempts are slowed and logged per client address (Throttle): a good client is never
slowed, because credentials are checked first and only a failure waits.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from meetstream.errors import ConfigError
from meetstream.entrypoints.http.pairing import DeviceBook, PairingCodes, write_private

log = logging.getLogger("meetstream.http.auth")

KEY_BYTES = 32  # 256 bits; token_urlsafe makes 43 characters of it


def load_or_make_key(path: Path) -> str:
    """The room key in `path`: made (mode 0600, never readable by others) when there is none yet;
    an existing file readable by others is made private again, with a warning."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made meanwhile: read that one
            return load_or_make_key(path)
        try:
            os.write(fd, (key + "\n").encode("ascii"))
        finally:
            os.close(fd)
        return key
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read the room key {path} ({getattr(err, 'strerror', None) or err}): "
                          "run `meetstream serve` as the user who owns the state store") from None
    if len(text) < 32 or not all(ch.isalnum() or ch in "-_" for ch in text):
        raise ConfigError(f"the room key {path} is damaged: delete it and start `meetstream serve` again "
                          "(a new key is made; give Companion the new one)")
    if os.name == "posix":
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            os.chmod(path, 0o600)
            log.warning("the room key %s was readable by others (mode %o): made private (0600); "
                        "if others could read it, delete it and start serve again for a new key", path, mode)
    return text


@dataclass
class Who:
    """The credential a request proved: "key", "token" or "device"; `device` its id."""

    kind: str
    device: str | None = None


@dataclass
class Refusal:
    """Why a request proved nothing: `presented` is False when it carried no credential at all
    (a browser not yet paired), True when it carried a wrong one (a guess, or a revoked device)."""

    presented: bool
    what: str


class Access:
    """The room's credentials: its key, the LAN token (or None), the paired devices and the codes
    that pair new ones."""

    def __init__(self, key: str, *, token: str | None = None, devices: DeviceBook | None = None,
                 room: str = "room", clock: Callable[[], float] = time.monotonic):
        self.key = key
        self.token = token or None
        self.devices = devices if devices is not None else DeviceBook(None)
        self.codes = PairingCodes(clock)
        safe = "".join(ch if ch.isalnum() else "_" for ch in room)
        # Cookies are per host, not per port: two rooms' servers on one PC keep apart by name.
        self.cookie_name = f"meetstream_{safe}"
        self.throttle = Throttle(clock)

    @classmethod
    def for_room(cls, state: Path, room: str, token: str | None) -> "Access":
        from meetstream.paths import serve_devices_file, serve_key_file

        key = load_or_make_key(serve_key_file(state, room))
        return cls(key, token=token, devices=DeviceBook(serve_devices_file(state, room)), room=room)

    @classmethod
    def ephemeral(cls, token: str | None = None, room: str = "room") -> "Access":
        """A key and devices in memory only: a server a test or a bench starts by itself."""
        return cls(secrets.token_urlsafe(KEY_BYTES), token=token, room=room)

    def who(self, headers, query, cookies) -> Who | Refusal:
        header = headers.get("Authorization")
        if header is not None:
            scheme, _, given = header.partition(" ")
            if scheme.lower() != "bearer" or not given:
                return Refusal(True, "an Authorization header that is not `Bearer …`")
            # A header is whatever bytes a client sent: compared as bytes, never decoded into an error.
            raw = given.strip().encode("utf-8", "surrogateescape")
            if hmac.compare_digest(raw, self.key.encode()):
                return Who("key")
            if self.token and hmac.compare_digest(raw, self.token.encode("utf-8", "surrogateescape")):
                return Who("token")
            return Refusal(True, "a wrong bearer credential")
        if "token" in query:
            given = query.get("token") or ""
            if self.token and hmac.compare_digest(given.encode("utf-8", "surrogateescape"),
                                                  self.token.encode("utf-8", "surrogateescape")):
                return Who("token")
            return Refusal(True, "a wrong ?token=")
        cookie = cookies.get(self.cookie_name)
        if cookie is not None:
            device = self.devices.check(cookie)
            if device is not None:
                return Who("device", device)
            return Refusal(True, "a device cookie that is not (or no longer) paired")
        return Refusal(False, "no credential")


def client_of(request) -> str:
    return request.remote or "unknown"


@dataclass
class _Address:
    failures: deque = field(default_factory=deque)
    waiting: int = 0
    lock: asyncio.Lock | None = None
    quiet_until: float = 0.0  # "no credential" is logged once a minute per address


class Throttle:
    """Failed authentication, per client address, within a ten-minute window: the first three
    failures are answered at once, then each waits 0.25 s, 0.5 s, 1 s, … up to 5 s, one at a time
    per address (so one address tests at most one guess per delay), and more than 16 waiting are
    answered 429 at once. From ten failures on, an address gets no pairing code checked at all
    until the window has passed (429). Nothing here ever delays a request whose credential is good."""

    WINDOW = 600.0
    FREE = 3
    FIRST_DELAY = 0.25
    MAX_DELAY = 5.0
    MAX_WAITING = 16
    PAIRING_LOCKOUT = 10
    MAX_ADDRESSES = 4096  # memory stays bounded whatever an attacker spoofs

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._by_address: dict[str, _Address] = {}

    def _entry(self, address: str) -> _Address:
        entry = self._by_address.get(address)
        if entry is None:
            if len(self._by_address) >= self.MAX_ADDRESSES:
                self._prune()
            entry = self._by_address[address] = _Address()
        now = self._clock()
        while entry.failures and entry.failures[0] <= now - self.WINDOW:
            entry.failures.popleft()
        return entry

    def _prune(self) -> None:
        now = self._clock()
        for address, entry in list(self._by_address.items()):
            if not entry.waiting and (not entry.failures or entry.failures[-1] <= now - self.WINDOW):
                del self._by_address[address]
        while len(self._by_address) >= self.MAX_ADDRESSES:  # still full: forget the oldest
            self._by_address.pop(next(iter(self._by_address)))

    def failures(self, address: str) -> int:
        return len(self._entry(address).failures)

    def record(self, address: str) -> int:
        entry = self._entry(address)
        entry.failures.append(self._clock())
        return len(entry.failures)

    def delay_for(self, failures: int) -> float:
        if failures <= self.FREE:
            return 0.0
        return min(self.FIRST_DELAY * 2 ** (failures - self.FREE - 1), self.MAX_DELAY)

    def locked_for_pairing(self, address: str) -> float:
        """Seconds until `address` may try a pairing code again (0: now)."""
        entry = self._entry(address)
        if len(entry.failures) < self.PAIRING_LOCKOUT:
            return 0.0
        return max(1.0, entry.failures[-self.PAIRING_LOCKOUT] + self.WINDOW - self._clock())

    def should_log_missing(self, address: str) -> bool:
        entry = self._entry(address)
        now = self._clock()
        if now < entry.quiet_until:
            return False
        entry.quiet_until = now + 60.0
        return True

    async def slow_down(self, address: str, failures: int) -> bool:
        """Wait this failure's turn; False when too many from the address already wait (answer 429)."""
        delay = self.delay_for(failures)
        if delay <= 0:
            return True
        entry = self._entry(address)
        if entry.waiting >= self.MAX_WAITING:
            return False
        if entry.lock is None:
            entry.lock = asyncio.Lock()
        entry.waiting += 1
        try:
            async with entry.lock:
                await asyncio.sleep(delay)
        finally:
            entry.waiting -= 1
        return True
