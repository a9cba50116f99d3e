"""Once a second during a meeting: stream health, and the safety checks nobody should have to
remember. Talks to OBS and YouTube only through the small ports below.

- OBS bitrate and dropped frames every tick; YouTube's view of the stream every
  `youtube.health_every` seconds (5 minutes by default, never more than once a minute: each
  liveStreams.list costs quota).
- A private session is re-verified every tick against the whole private invariant
  (meetstream.adapters.obs.invariant: program, the private scene's items, every input that carries sound);
  if OBS disagrees it is put right at once and the incident goes on the timeline.
- If OBS's stream output stops while the meeting is on air, it is restarted (a bounded number
  of times) and each incident goes on the timeline. During a private session the output is only
  started again once the private state has been read back from OBS: after an OBS restart the
  viewers' first frame is the private slate.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from meetstream.errors import MeetstreamError
from meetstream.ports import OBS_CONNECTED, Outputs

log = logging.getLogger(__name__)


# Sent by the OBS event source that `watch_events` listens to when its socket (re)opens. Not an
# OBS event: OBS may have restarted, so everything is checked again.
BACK = OBS_CONNECTED  # the socket (re)opened


@dataclass
class Health:
    at: float
    streaming: bool = False
    expected: bool = False
    kbps: float | None = None
    skipped_frames: int = 0
    total_frames: int = 0
    reconnecting: bool = False
    program_scene: str = ""
    youtube: str | None = None  # "active / good", or why not known
    problems: list[str] = field(default_factory=list)


class Watchdog:
    def __init__(self, session, outputs: Outputs, *, youtube_health: Callable[[], str] | None = None,
                 youtube_every: float = 300.0, max_backoff: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self.session, self.outputs, self.youtube_health = session, outputs, youtube_health
        self.youtube_every, self.max_backoff, self.clock = youtube_every, max_backoff, clock
        self.restarts = 0
        self._next_restart: float | None = None
        self._outage_since: float | None = None
        self._last_bytes: tuple[float, int] | None = None
        self._last_youtube: float | None = None
        self.youtube_text: str | None = None
        self.youtube_checks = 0
        self.reactions = 0
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._back = False
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self._events = None

    # --- woken by OBS's own events ------------------------------------------------------------

    def watch_events(self, watch_factory: Callable[[Callable[[str, dict], None]], object]) -> "Watchdog":
        """Also react the moment OBS reports a change (see meetstream.adapters.obs.events), not only once
        a second. `watch_factory(on_change)` returns a started event watch."""
        self._worker = threading.Thread(target=self._react_loop, name="watchdog-react", daemon=True)
        self._worker.start()
        self._events = watch_factory(self._on_event)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._events is not None:
            self._events.stop()
        if self._worker is not None:
            self._worker.join(timeout=5)

    def _on_event(self, event: str, data: dict) -> None:
        if event == "InputMuteStateChanged" and data.get("inputMuted") is True:
            # A mute cannot break a private session. And every repair mutes every input, which
            # OBS reports even when nothing changed: woken by those, the watchdog would repair
            # for ever.
            return
        if event == BACK:
            self._back = True
        self._wake.set()  # a burst of events is one check: the worker coalesces them

    def _react_loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                return
            back, self._back = self._back, False
            try:
                if back:
                    # OBS went away and came back (it restarted, or the network between dropped):
                    # on the timeline, so the night's report counts it.
                    self.session.incident("OBS connection lost and back (OBS restarted or the network dropped); "
                                          "the recorded state is put back", obs="restart")
                    self.tick()  # reconnect, re-assert, and restart the output if due
                else:
                    self.react()
            except Exception:
                log.exception("watchdog reaction failed")

    def react(self) -> None:
        """Check the private session now (OBS reported a change); put it right if need be."""
        with self._lock:
            self.reactions += 1
            try:
                self.session.keep_private()
            except MeetstreamError as err:
                log.warning("private session not verified: %s", err)

    # --- once a second ------------------------------------------------------------------------

    def expect_streaming(self) -> bool:
        return self.session.store.streaming_expected(self.session.room)  # set by `start`, cleared by `end`

    def tick(self) -> Health:
        with self._lock:
            return self._tick()

    def _tick(self) -> Health:
        now = self.clock()
        h = Health(at=now, expected=self.expect_streaming())
        try:
            st = self.outputs.status()
        except MeetstreamError as err:
            h.problems.append(f"OBS: {err}")
            return h
        h.streaming, h.program_scene = st.streaming, st.program_scene
        h.skipped_frames, h.total_frames, h.reconnecting = st.skipped_frames, st.total_frames, st.reconnecting
        if self._last_bytes and st.streaming and now > self._last_bytes[0]:
            h.kbps = max(0.0, (st.stream_bytes - self._last_bytes[1]) * 8 / 1000 / (now - self._last_bytes[0]))
        self._last_bytes = (now, st.stream_bytes) if st.streaming else None

        private_ok = self._keep_private(h)
        self._track_outage(h, now)
        if h.expected and not st.streaming and not st.reconnecting:
            if not self.expect_streaming():
                pass  # `end` stopped it while this tick was reading: a deliberate stop, not an outage
            elif private_ok:
                self._restart_output(h, now)
            else:
                h.problems.append("stream output is down and stays down until the private session is verified")
        if self.youtube_health and (self._last_youtube is None or now - self._last_youtube >= self.youtube_every):
            self._last_youtube = now
            self.youtube_checks += 1
            try:
                self.youtube_text = self.youtube_health()
            except MeetstreamError as err:
                self.youtube_text = f"unknown ({err})"
        h.youtube = self.youtube_text
        return h

    def _keep_private(self, h: Health) -> bool:
        """True when OBS is verified private (after putting it right if need be)."""
        try:
            seen = self.session.keep_private()
        except MeetstreamError as err:
            h.problems.append(f"PRIVATE NOT VERIFIED: {err}")
            return False
        if seen is not None and seen.put_right:
            h.problems.append("private session changed in OBS: put right (" + "; ".join(seen.put_right) + ")")
        return True

    def _track_outage(self, h: Health, now: float) -> None:
        """An outage (OBS reconnecting to the ingest server, or the output down while it should be
        up) is one incident with a start and an end on the timeline."""
        out = h.expected and (h.reconnecting or not h.streaming)
        if out and self._outage_since is None:
            self._outage_since = now
            why = "reconnecting to the ingest server" if h.reconnecting else "stopped"
            self.session.incident(f"stream output {why}: viewers see nothing", outage="start")
        elif not out and self._outage_since is not None:
            lasted = now - self._outage_since
            self._outage_since, self.restarts, self._next_restart = None, 0, None
            if h.expected:
                self.session.incident(f"stream output back after {lasted:.0f} s", outage="end", seconds=round(lasted, 1))
        if out:
            lasted = now - self._outage_since
            state = "reconnecting (OBS retries by itself)" if h.reconnecting else "down"
            h.problems.append(f"STREAM {state.upper()} for {lasted:.0f} s")

    def _restart_output(self, h: Health, now: float) -> None:
        """Start the output again, backing off (2, 4, 8 … 30 s) and never giving up while the
        meeting should be on air: a server that comes back after ten minutes gets the stream."""
        if self._next_restart is not None and now < self._next_restart:
            h.problems.append(f"restarting the stream output in {self._next_restart - now:.0f} s (attempt {self.restarts + 1})")
            return
        self.restarts += 1
        self._next_restart = now + min(2 ** self.restarts, self.max_backoff)
        try:
            self.outputs.restart_stream()
            self.session.incident("stream output stopped; restart asked of OBS", attempt=self.restarts)
            h.problems.append(f"stream output had stopped: restart asked (attempt {self.restarts})")
        except MeetstreamError as err:
            self.session.incident("stream output stopped; restart failed", attempt=self.restarts, error=str(err))
            h.problems.append(f"stream output is down and did not restart: {err} (next try in {self._next_restart - now:.0f} s)")
