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
- A deliberate stop is never an outage: `end` clears "streaming expected" under the room's lock
  before it stops anything, and every outage decision here (an incident, a restart) is taken
  under the same lock with the flag read again, so End's own stop is never restarted.
- Silence is an outage too: on a public item (ON_AIR, on air), no programme audio above the room's
  threshold on any microphone of the scene set for `silence_seconds`, or a microphone muted by
  hand in OBS for as long, is an incident (meetstream.adapters.obs.levels reads the meters).
  Never during private, recess, holding or adjourned: silence is right there.
- A frozen picture is an outage too: on a public item, a camera, NDI feed or video on program
  whose picture has not changed for `frozen_seconds` (meetstream.adapters.obs.frames compares
  small screenshots every `frames_every` seconds) is an incident; when every moving picture on
  program is frozen, the webcast counts as down for the standing order.
- The council's standing order: when the webcast (the output, YouTube's view of the stream, or
  the programme audio) has been down continuously for its minutes, every surface shows its words
  with the time down, and the timeline records it once per outage.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Protocol

from meetstream.core.domain import SessionState
from meetstream.core.timefmt import utc_text
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
    # On a public item: {"silent_seconds", "muted": [inputs muted in OBS], "silence": bool (an incident)}
    audio: dict | None = None
    # On a public item: {"frozen": [moving-picture inputs on program frozen for the set time], "seconds"}
    picture: dict | None = None
    # The standing order reached: {"down_since" (UTC), "minutes" (down so far), "limit", "words", "why"}
    standing_order: dict | None = None


@dataclass(frozen=True)
class StandingOrder:
    """The council's rule (meetstream.config.StandingOrderConfig): `words` already filled in."""

    minutes: float
    words: str


class Levels(Protocol):
    """Programme audio per input (meetstream.adapters.obs.levels.ObsLevels)."""

    def heard_at(self, name: str) -> float | None: ...  # the clock's time it was last above the threshold
    def alive(self, within: float = 3.0) -> bool: ...  # meters arriving
    def stop(self) -> None: ...


class Frames(Protocol):
    """The moving pictures on program now (meetstream.adapters.obs.frames.ObsFrames)."""

    def program_prints(self, scene: str) -> dict[str, str]: ...  # input -> a digest of its picture
    def close(self) -> None: ...


# YouTube's liveStream status/healthStatus words (liveStreams resource) that mean viewers get nothing.
YOUTUBE_DOWN = ("inactive", "error", "nodata", "bad", "revoked")


def youtube_down(text: str | None) -> bool:
    """'active, good' is up; 'inactive, noData' or 'active, bad (…)' is down; 'unknown (…)' (the
    check failed) is not known to be down."""
    if not text or text.startswith("unknown"):
        return False
    head = text.split("(")[0].replace(",", " ").casefold().split()
    return any(w in YOUTUBE_DOWN for w in head)


def minutes_text(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60} min {s % 60:02d} s" if s >= 60 else f"{s} s"


class Watchdog:
    def __init__(self, session, outputs: Outputs, *, youtube_health: Callable[[], str] | None = None,
                 youtube_every: float = 300.0, max_backoff: float = 30.0, clock: Callable[[], float] = time.monotonic,
                 standing_order: StandingOrder | None = None, levels: Levels | None = None,
                 microphones: tuple[str, ...] = (), silence_seconds: float | None = None,
                 recording_space: Callable[[], object] | None = None, space_every: float = 60.0,
                 frames: Frames | None = None, frozen_seconds: float | None = None, frames_every: float = 2.0):
        self.session, self.outputs, self.youtube_health = session, outputs, youtube_health
        self.youtube_every, self.max_backoff, self.clock = youtube_every, max_backoff, clock
        self.standing_order, self.levels = standing_order, levels
        self.microphones, self.silence_seconds = tuple(microphones), silence_seconds
        # The local recording's disk (services.recording.space_now for what is left of the meeting),
        # read once a minute while OBS records: a warning before it runs out, once per episode.
        self.recording_space, self.space_every = recording_space, space_every
        self._space_at: float | None = None
        self.frames, self.frozen_seconds, self.frames_every = frames, frozen_seconds, frames_every
        self._frames_at: float | None = None
        self._prints: dict[str, tuple[str, float]] = {}  # input -> (its last picture, when it last changed)
        self._on_program: set[str] = set()
        self._frozen: tuple[str, ...] = ()  # the open incident's inputs
        self._frozen_since: float | None = None
        self._space_line: str | None = None
        self._public_since: float | None = None
        self._muted_since: float | None = None
        self._muted_open = False
        self._silence_since: float | None = None  # the start of a silence that became an incident
        self._youtube_bad_since: float | None = None
        self._down_since: float | None = None
        self._down_wall: datetime | None = None
        self._standing_noted = False
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
        if self.levels is not None:
            self.levels.stop()
        if self.frames is not None:
            self.frames.close()
        if self._worker is not None:
            self._worker.join(timeout=5)

    def _on_event(self, event: str, data: dict) -> None:
        if event == "InputMuteStateChanged" and data.get("inputMuted") is True:
            # A mute cannot break a private session. And every repair mutes every input, which
            # OBS reports even when nothing changed: woken by those, the watchdog would repair
            # for ever.
            return
        if event == "InputAudioTracksChanged" and not any((data.get("inputAudioTracks") or {}).values()):
            return  # the same for an input taken off every track
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

    def youtube_seen(self, text: str | None) -> None:
        """YouTube's view of the stream, checked on another thread (meetstream.services.control):
        'inactive' or 'noData' while on air is the webcast down."""
        with self._lock:
            self.youtube_text = text
            if youtube_down(text):
                if self._youtube_bad_since is None:
                    self._youtube_bad_since = self.clock()
            else:
                self._youtube_bad_since = None

    def _tick(self) -> Health:
        now = self.clock()
        h = Health(at=now, expected=self.expect_streaming())
        try:
            st = self.outputs.status()
        except MeetstreamError as err:
            h.problems.append(f"OBS: {err}")
            if h.expected:  # OBS gone (crashed, the PC's link to it down): nothing reaches viewers
                self._standing_order(h, now, {"OBS not reachable": now})
            return h
        h.streaming, h.program_scene = st.streaming, st.program_scene
        h.skipped_frames, h.total_frames, h.reconnecting = st.skipped_frames, st.total_frames, st.reconnecting
        if self._last_bytes and st.streaming and now > self._last_bytes[0]:
            h.kbps = max(0.0, (st.stream_bytes - self._last_bytes[1]) * 8 / 1000 / (now - self._last_bytes[0]))
        self._last_bytes = (now, st.stream_bytes) if st.streaming else None

        self._recording(h, now)
        private_ok = self._keep_private(h)
        self._sample_frames(h, st, now)  # after the private session is checked: nothing may delay that
        with getattr(self.session, "lock", None) or nullcontext():  # a session without a room (tests' fakes): no lock
            # Read again under the room's lock: `end` (in any process) clears it under the same
            # lock before it stops anything, so End's own stop is neither an outage nor restarted.
            h.expected = self.expect_streaming()
            self._track_outage(h, now)
            if h.expected and not st.streaming and not st.reconnecting:
                if private_ok:
                    self._restart_output(h, now)
                else:
                    h.problems.append("stream output is down and stays down until the private session is verified")
            down = {}
            if h.expected and self._outage_since is not None:
                down["stream output " + ("reconnecting" if h.reconnecting else "down")] = self._outage_since
            silence = self._watch_audio(h, st, now)
            if h.expected and silence is not None:
                down["no programme audio"] = silence
            frozen = self._watch_picture(h, now)
            if h.expected and frozen is not None:
                down["picture frozen"] = frozen
            if h.expected and self._youtube_bad_since is not None:
                down[f"YouTube sees the stream {self.youtube_text}"] = self._youtube_bad_since
            self._standing_order(h, now, down if h.expected else {})
        if self.youtube_health and (self._last_youtube is None or now - self._last_youtube >= self.youtube_every):
            self._last_youtube = now
            self.youtube_checks += 1
            try:
                self.youtube_text = self.youtube_health()
            except MeetstreamError as err:
                self.youtube_text = f"unknown ({err})"
        h.youtube = self.youtube_text
        return h

    def _watch_audio(self, h: Health, st, now: float) -> float | None:
        """On a public item: silence and microphones muted by hand. Returns when the programme
        audio went silent if that silence is an incident now, else None."""
        if not self.silence_seconds or not self.microphones:
            return None
        public = h.expected and self.session.state is SessionState.ON_AIR
        if not public:
            # Silence is right in private, recess, holding and adjourned: the watch starts again
            # when the public item does.
            if self._silence_since is not None:
                self.session.incident(f"programme audio watch ends: the meeting left the public item after "
                                      f"{now - self._silence_since:.0f} s of silence", silence="end",
                                      seconds=round(now - self._silence_since, 1))
            self._public_since = self._muted_since = self._silence_since = None
            self._muted_open = False
            return None
        if self._public_since is None:
            self._public_since = now
        limit = self.silence_seconds
        muted = [m for m in self.microphones if st.audio.get(m)]
        if muted and self._muted_since is None:
            self._muted_since = now
        elif not muted:
            if self._muted_open:
                self.session.incident("microphones unmuted in OBS", muted="end", seconds=round(now - self._muted_since, 1))
            self._muted_since, self._muted_open = None, False
        heard = None
        if self.levels is not None and self.levels.alive():
            times = [t for t in (self.levels.heard_at(m) for m in self.microphones) if t is not None]
            heard = max([self._public_since, *times])
        elif len(muted) == len(self.microphones):
            heard = max(self._public_since, self._muted_since)  # every microphone muted: silent for certain
        silent_for = 0.0 if heard is None else max(0.0, now - heard)
        h.audio = {"silent_seconds": round(silent_for), "muted": muted, "silence": False}
        why = f" ({', '.join(muted)} muted in OBS)" if muted else ""
        if heard is not None and silent_for >= limit:
            if self._silence_since is None:
                self._silence_since = heard
                self.session.incident(f"no programme audio for {silent_for:.0f} s on a public item{why}",
                                      silence="start", seconds=round(silent_for, 1), muted_inputs=muted)
                self._muted_open = self._muted_open or bool(muted)  # the same incident: not counted twice
            h.audio["silence"] = True
            h.problems.append(f"NO PROGRAMME AUDIO for {minutes_text(silent_for)}{why}")
            return self._silence_since
        if self._silence_since is not None:
            lasted = now - self._silence_since
            self.session.incident(f"programme audio back after {lasted:.0f} s", silence="end", seconds=round(lasted, 1))
            self._silence_since = None
        if muted:
            muted_for = now - self._muted_since
            if muted_for >= limit and not self._muted_open:
                self._muted_open = True
                self.session.incident(f"{', '.join(muted)} muted in OBS on a public item for {muted_for:.0f} s",
                                      muted="start", inputs=muted, seconds=round(muted_for, 1))
            if muted_for >= limit:
                h.problems.append(f"MUTED IN OBS on a public item for {minutes_text(muted_for)}: {', '.join(muted)}")
        if self.levels is not None and not self.levels.alive() and len(muted) < len(self.microphones):
            h.problems.append("programme audio levels not read from OBS: silence is not being watched")
        return None

    def _picture_watched(self, h: Health) -> bool:
        return bool(self.frames and self.frozen_seconds and h.expected and self.session.state is SessionState.ON_AIR)

    def _sample_frames(self, h: Health, st, now: float) -> None:
        """Outside the room's lock: a screenshot each is a render in OBS."""
        if not self._picture_watched(h):
            self._on_program = set()
            return
        if self._frames_at is not None and now - self._frames_at < self.frames_every:
            return
        self._frames_at = now
        try:
            prints = self.frames.program_prints(st.program_scene)
        except Exception as err:  # OBS away, or an answer not understood: the picture watch never stops a tick
            log.debug("program pictures not read: %s", err)
            return
        for name, digest in prints.items():
            last = self._prints.get(name)
            if last is None or last[0] != digest:
                self._prints[name] = (digest, now)
        self._on_program = set(prints)

    def _watch_picture(self, h: Health, now: float) -> float | None:
        """On a public item: moving pictures on program that stopped moving. Returns since when the
        whole programme picture has been frozen if that is an incident now, else None."""
        if not self._picture_watched(h):
            if self._frozen:
                self.session.incident(f"picture watch ends: the meeting left the public item with {', '.join(self._frozen)} frozen",
                                      picture="end", inputs=list(self._frozen))
            self._frozen, self._frozen_since = (), None
            return None
        limit = self.frozen_seconds
        still = {n: now - self._prints[n][1] for n in self._on_program if n in self._prints}
        frozen = tuple(sorted(n for n, s in still.items() if s >= limit))
        if frozen:
            longest = max(still[n] for n in frozen)
            h.picture = {"frozen": list(frozen), "seconds": round(longest)}
            h.problems.append(f"PICTURE FROZEN for {minutes_text(longest)}: {', '.join(frozen)}")
            if not self._frozen:
                self._frozen_since = now - longest
                self.session.incident(f"picture frozen for {longest:.0f} s on a public item: {', '.join(frozen)}",
                                      picture="start", inputs=list(frozen), seconds=round(longest, 1))
            self._frozen = frozen
            if len(frozen) == len(still):  # nothing on program moves: viewers see a still
                return self._frozen_since
            return None
        if self._frozen:
            lasted = now - self._frozen_since if self._frozen_since is not None else 0.0
            moving = [n for n in self._frozen if n in still]
            gone = [n for n in self._frozen if n not in still]
            why = "; ".join(part for part in (f"{', '.join(moving)} moving again" if moving else "",
                                               f"{', '.join(gone)} off program" if gone else "") if part)
            self.session.incident(f"picture frozen no more after {lasted:.0f} s ({why})",
                                  picture="end", inputs=list(self._frozen), seconds=round(lasted, 1))
        h.picture = {"frozen": [], "seconds": 0}
        self._frozen, self._frozen_since = (), None
        return None

    def _recording(self, h: Health, now: float) -> None:
        if self.recording_space is None:
            return
        if self._space_at is None or now - self._space_at >= self.space_every:
            self._space_at = now
            try:
                recording = self.outputs.recording()
                space = self.recording_space() if recording else None
            except MeetstreamError as err:  # OBS away: the outage is said elsewhere
                log.debug("recording space not read: %s", err)
                return
            line = space.warn_line if space is not None and space.warn else None
            if line and self._space_line is None:
                self.session.incident(line, recording="space")
            self._space_line = line
        if self._space_line:
            h.problems.append(self._space_line.upper()[:1] + self._space_line[1:])

    def _standing_order(self, h: Health, now: float, down: dict[str, float]) -> None:
        """The webcast down (each reason with when it began): continuous down time against the
        council's standing order; once reached, its words on every surface and once on the timeline."""
        if not down:
            self._down_since, self._down_wall, self._standing_noted = None, None, False
            return
        if self.standing_order is None:
            return
        if self._down_since is None:
            self._down_since = min(down.values())
            self._down_wall = self.session.clock() - timedelta(seconds=max(0.0, now - self._down_since))
        lasted = now - self._down_since
        if lasted < self.standing_order.minutes * 60:
            return
        why = sorted(down)
        h.standing_order = {"down_since": self._down_wall, "minutes": round(lasted / 60, 2),
                            "limit": self.standing_order.minutes, "words": self.standing_order.words, "why": why}
        if not self._standing_noted:
            self._standing_noted = True
            self.session.incident(f"standing order reached: webcast down {minutes_text(lasted)} ({'; '.join(why)})",
                                  standing_order=self.standing_order.minutes, words=self.standing_order.words,
                                  down_since=utc_text(self._down_wall), why=why)

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
