"""A second ingest, supervised: where a room sets `backup_ingest: true`, OBS streams to a local relay
(meetstream.adapters.media.relay.FfmpegRelay, built by meetstream.bootstrap) that pushes the same
stream, copied, to YouTube's primary and backup ingestion addresses (liveStreams
cdn.ingestionInfo.ingestionAddress and backupIngestionAddress: "you have the option of
simultaneously streaming the content that you are sending to the ingestionAddress to this URL").

The relay is watched like OBS's output, once a second on its own thread:
- it dies: an incident, and it is started again on the same local address (OBS reconnects by
  itself), backing off 2, 4, 8 … seconds; a relay that stays up `stable_seconds` is well again;
- it cannot be started again (`max_restarts` tries in a row): OBS is pointed back at the primary
  ingestion address directly (output stopped, settings put back, output started) and the night
  carries on with one ingest; an incident says so;
- one ingest refuses or drops (ffmpeg says so): an incident, at most one a minute per ingest; the
  relay keeps feeding the other and reopens the lost one itself.
Nothing is done while the room is not meant to be streaming (`expected()` false): End's own stop
is never an outage.

Pure apart from the ports it is handed: the relay, OBS's outputs, the timeline's incident writer.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

from meetstream.errors import MeetstreamError
from meetstream.ports import Outputs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ingests:
    """YouTube's two addresses for the room's stream, and its key (a secret: never shown)."""

    primary: str
    backup: str | None
    key: str = field(repr=False)


class RelayProcess(Protocol):
    """The relay process (meetstream.adapters.media.relay.FfmpegRelay)."""

    def start(self, primary: str, backup: str | None, key: str): ...  # -> LocalIngest(server, key) for OBS
    def local(self): ...  # the LocalIngest of the relay last started, or None
    def running(self) -> bool: ...
    def stop(self) -> None: ...
    def messages(self) -> list[tuple[str | None, str]]: ...  # (which ingest or None, a scrubbed line)


Incident = Callable[..., None]  # incident(what, **detail): LiveSession.incident


class RelaySupervisor:
    """States: "off" (no relay asked for), "relay" (OBS streams through it), "restarting", "direct"
    (fallen back: OBS streams to the primary address itself)."""

    def __init__(self, relay: RelayProcess, outputs: Outputs, incident: Incident, expected: Callable[[], bool], *,
                 ingests: Callable[[], Ingests] | None = None, max_restarts: int = 3, max_backoff: float = 30.0,
                 stable_seconds: float = 10.0, every: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 message_every: float = 60.0):
        self.relay, self.outputs, self.incident, self.expected = relay, outputs, incident, expected
        self._ingests_port = ingests  # how to learn the addresses again (a relay adopted from `start`)
        self.max_restarts, self.max_backoff, self.stable_seconds = max_restarts, max_backoff, stable_seconds
        self.every, self.clock, self.message_every = every, clock, message_every
        self.state = "off"
        self.restarts = 0  # tries in a row since the relay was last well
        self._ingests: Ingests | None = None
        self._down_since: float | None = None
        self._next_try: float | None = None
        self._up_since: float | None = None
        self._said: dict[str, float] = {}  # ingest -> when its last incident was written
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- start and end -------------------------------------------------------------------------

    def begin(self, ingests: Ingests) -> tuple[str, str]:
        """Start the relay for this night: (server, key) to put in OBS's stream settings."""
        with self._lock:
            self._ingests = ingests
            local = self.relay.start(ingests.primary, ingests.backup, ingests.key)
            self.state, self.restarts, self._down_since, self._next_try = "relay", 0, None, None
            self._up_since = self.clock()
            return local.server, local.key

    def adopt(self) -> bool:
        """Watch a relay that `meetstream start` left running (this process is `serve` or `live`).
        True when there is one to watch."""
        with self._lock:
            if self.relay.local() is None:
                return False
            self.state, self._up_since = "relay", self.clock()
            return True

    def finish(self) -> None:
        """End of the night: stop watching, stop the relay. Called once OBS's output has stopped."""
        self.stop_watching()
        with self._lock:
            self.relay.stop()
            self.state = "off"

    # --- watching -------------------------------------------------------------------------------

    def watch(self) -> "RelaySupervisor":
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="relay-supervisor", daemon=True)
            self._thread.start()
        return self

    def stop_watching(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        self._thread = None

    def _loop(self) -> None:
        last = None
        while not self._stop.wait(self.every):
            try:
                self.tick()
                last = None
            except Exception as err:  # the supervisor must outlive any one bad tick
                if repr(err) != last:  # once per kind of failure, not once a second
                    log.exception("relay supervision failed")
                last = repr(err)

    def tick(self) -> str:
        """One look: restart, fall back, or report an ingest. Returns the state."""
        with self._lock:
            if self.state in ("off", "direct") or not self.expected():
                return self.state
            now = self.clock()
            if self.relay.running():
                self._well(now)
                return self.state
            if self._down_since is None:
                self._down_since, self._up_since = now, None
                self.state = "restarting"
                self.incident("backup-ingest relay stopped: YouTube gets nothing until it is back", relay="down")
            if self._next_try is not None and now < self._next_try:
                return self.state
            if self.restarts >= self.max_restarts:
                self._fall_back()
                return self.state
            self.restarts += 1
            self._next_try = now + min(2.0 ** self.restarts, self.max_backoff)
            try:
                ingests = self._known_ingests()
                self.relay.start(ingests.primary, ingests.backup, ingests.key)
                self.incident("backup-ingest relay restarted", relay="restart", attempt=self.restarts)
            except MeetstreamError as err:
                self.incident("backup-ingest relay could not be restarted", relay="restart_failed", attempt=self.restarts,
                              error=str(err))
            return self.state

    def _well(self, now: float) -> None:
        if self._up_since is None:
            self._up_since = now
        if self._down_since is not None:
            self.incident(f"backup-ingest relay back after {now - self._down_since:.0f} s", relay="up",
                          seconds=round(now - self._down_since, 1))
            self._down_since = None
            self.state = "relay"
        if now - self._up_since >= self.stable_seconds:
            self.restarts, self._next_try = 0, None
        for which, line in self.relay.messages():
            if which is None or "error" not in line.casefold() and "failed" not in line.casefold():
                continue
            last = self._said.get(which)
            if last is None or now - last >= self.message_every:
                self._said[which] = now
                self.incident(f"{which} ingest not receiving; the relay keeps the other and retries it", relay=which,
                              said=line[:200])

    def _known_ingests(self) -> Ingests:
        if self._ingests is None:
            if self._ingests_port is None:
                raise MeetstreamError("the relay's ingest addresses are not known in this process")
            self._ingests = self._ingests_port()
        return self._ingests

    def _fall_back(self) -> None:
        """The relay cannot be kept up: OBS streams to the primary address directly."""
        try:
            ingests = self._known_ingests()
        except MeetstreamError as err:
            self.incident("backup-ingest relay lost and the primary address is not known: point OBS at YouTube by hand",
                          relay="fallback_failed", error=str(err))
            self.state = "direct"
            return
        for attempt in range(3):
            try:
                if self.outputs.streaming():
                    self.outputs.stop_stream()
                self.outputs.set_target(ingests.primary, ingests.key)
                if self.expected() and not self.outputs.streaming():
                    self.outputs.start_stream()
                break
            except MeetstreamError as err:
                # OBS's own reconnect, or the watchdog's restart, may have started the output again
                # between the stop and the new settings: round again.
                log.warning("falling back to the primary ingest, try %d: %s", attempt + 1, err)
        else:
            self.incident("backup-ingest relay lost and OBS could not be pointed at the primary address",
                          relay="fallback_failed")
            self.state = "direct"
            return
        self.state = "direct"
        self.incident("backup-ingest relay could not be restarted: OBS streams to the primary ingest directly "
                      "(no backup ingest for the rest of the meeting)", relay="fallback")
