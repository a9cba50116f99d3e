"""The chamber drives the picture: the room's microphone events through the automatic director's
rules (meetstream.core.autodirector), carried out as the room's own actions.

`ChamberDirector` is handed a microphone source (a driver from meetstream.adapters.chamber, built
by meetstream.bootstrap), the seat map, the PTZ cameras and `act`, the room's one-action-at-a-time
entry (RoomControl.act). It never talks to OBS itself: each shot is a `speaker` or `chamber`
action marked automatic, decided by the same rulebook as a button press, so a private session,
a recess or an adjourned meeting refuses it like any surface's. The officer supervises:

- `auto on|off` (an action of the table, on the timeline) says whether its shots are taken at all;
  while off, microphones are still followed, so the map and the queue stay right;
- any cue of the officer's takes over until the next microphone change, or `override` seconds;
- `snapshot()` is the microphone map and the request queue every console shows.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Callable

from meetstream.core import autodirector as rules
from meetstream.core.autodirector import CameraReady, DirectorSettings, Queue, Recall, SeatMap, Show, ShowChamber, Tick
from meetstream.core.chamber import MicEvent, MicSource, MicState
from meetstream.core.domain import SessionState
from meetstream.core.timefmt import now_utc
from meetstream.errors import MeetstreamError

log = logging.getLogger(__name__)


class ChamberDirector:
    def __init__(self, source: MicSource, seat_map: SeatMap, *, act: Callable[[str, dict], object],
                 session_state: Callable[[], SessionState], settings: DirectorSettings | None = None,
                 cameras: dict | None = None, override: float = 30.0, auto: bool = False,
                 recent: Callable[[], list] | None = None, version: Callable[[], int] | None = None,
                 clock: Callable[[], datetime] = now_utc, tick_every: float = 0.25,
                 meeting: Callable[[], object] | None = None, seats_now: Callable[[], SeatMap] | None = None):
        self.source, self.act, self.session_state = source, act, session_state
        # The room's newest timeline entries, read when the room's version moves: an `auto` entry
        # (from any surface, any process) turns it on or off; a shot nobody marked automatic is
        # the officer's, and holds the picture.
        self.recent, self.version = recent, version
        self._version_seen: int | None = None
        self._entry_seen: int | None = None
        self.cameras, self.override, self.clock, self.tick_every = cameras or {}, override, clock, tick_every
        self.state = rules.start(seat_map, settings)
        # `meeting()` says which meeting holds the room, `seats_now()` reads the seat map for it: when
        # the room moves on to its next meeting, the seats are named from that meeting's members,
        # with that committee's roles.
        self.meeting, self.seats_now = meeting, seats_now
        self._meeting_seen = meeting() if meeting else None
        self.auto = auto
        self.manual_until: datetime | None = None  # the officer's cue holds the picture until then
        self.queue: tuple[str, ...] = ()
        self.seen: dict[str, tuple[str, datetime]] = {}  # mic -> (its state, since when): the map
        self.shots: list[tuple[datetime, str, str | None]] = []  # (when, action, member): what it asked for
        self.problem: str | None = None  # the microphone system's
        self.seat_problem: str | None = None  # the seat map's, for the room's new meeting
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- life ---------------------------------------------------------------------------------

    def start(self) -> "ChamberDirector":
        self._thread = threading.Thread(target=self._run, name="chamber", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self.source.close()
        except Exception as err:  # closing a dropped connection: nothing left to do
            log.debug("closing the microphone source: %s", err)

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                events = self.source.read(self.tick_every)
                self.problem, backoff = None, 0.5
            except Exception as err:  # the central unit away: say so, keep trying, never crash serve
                self.problem = f"microphone system: {err}"
                log.warning("the chamber's microphone system: %s", err)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            self.follow()
            for e in events:
                self.feed(e)
            self.feed(Tick(self.clock()))

    # --- what the officer does ------------------------------------------------------------------

    OFFICERS = frozenset({"chamber", "gallery", "agenda", "speaker", "holding", "item", "public", "resume",
                          "private", "recess"})

    def follow(self) -> None:
        """Take in what the room's timeline says since the last look: `auto` on or off, and the
        officer's own shots (each holds the picture until the next microphone change)."""
        if self.recent is None or self.version is None:
            return
        version = self.version()
        if version != self._version_seen:
            self._follow_meeting()
        if version == self._version_seen:
            return
        self._version_seen = version
        entries = [e for e in self.recent() if e.id is not None]
        if self._entry_seen is None:
            # Started now: the last `auto` entry says whether it is on; older shots are history.
            autos = [e for e in entries if e.kind == "auto"]
            if autos:
                self.set_auto(bool(autos[-1].detail.get("auto")))
            self._entry_seen = max((e.id for e in entries), default=0)
            return
        for e in entries:
            if e.id <= self._entry_seen:
                continue
            self._entry_seen = e.id
            if e.kind == "auto":
                self.set_auto(bool(e.detail.get("auto")))
            elif e.kind in self.OFFICERS and not e.detail.get("auto"):
                self.manual()

    def _follow_meeting(self) -> None:
        if self.meeting is None or self.seats_now is None:
            return
        meeting = self.meeting()
        if meeting == self._meeting_seen:
            return
        try:
            seats = self.seats_now()
        except MeetstreamError as err:  # the roster no longer names a seat's member: keep the last map
            self.seat_problem = f"seat map not read for the new meeting (the last one's is kept): {err}"
            log.warning("%s", self.seat_problem)
            return
        self._meeting_seen, self.seat_problem = meeting, None
        with self._lock:
            self.state = replace(self.state, seat_map=seats)

    def set_auto(self, on: bool) -> None:
        with self._lock:
            self.auto = on
            self.manual_until = None

    def manual(self) -> None:
        """The officer cued something: it holds until the next microphone change (or `override`)."""
        with self._lock:
            self.manual_until = self.clock() + timedelta(seconds=self.override)

    # --- the rules ------------------------------------------------------------------------------

    def feed(self, event: MicEvent | CameraReady | Tick) -> None:
        """One event through the rules; their shot decisions carried out when the director may act.

        The rules run under the lock; the actions do not (an officer's cue waiting on the room's
        worker may be asking `manual()` meanwhile)."""
        with self._lock:
            now = self.clock()
            if isinstance(event, MicEvent):
                self._track(event, now)
                if event.state in (MicState.ON, MicState.OFF, MicState.PRIORITY_ON):
                    self.manual_until = None  # a microphone change hands the picture back
            self.state, decisions = rules.step(self.state, event, now, self.session_state())
            held = not self.auto or (self.manual_until is not None and now < self.manual_until)
            todo = []
            for d in decisions:
                if isinstance(d, Queue):
                    self.queue = d.mic_ids
                elif isinstance(d, Recall):
                    self._recall(d)
                elif not held:
                    todo.append(d)
            if held and self.state.shot is not None:
                # Not the director's picture now: when it may act again it starts from the chamber
                # the officer (or the session) put up, not from a shot it never took.
                self.state = replace(self.state, shot=None)
        for d in todo:
            self._carry_out(d, now)

    def _track(self, e: MicEvent, now: datetime) -> None:
        if e.state == MicState.REQUEST_CANCEL:
            if self.seen.get(e.mic_id, ("",))[0] == "request":
                self.seen.pop(e.mic_id, None)
            return
        if e.state == MicState.OFF:
            self.seen.pop(e.mic_id, None)
            return
        self.seen[e.mic_id] = (e.state.value, now)

    def _carry_out(self, d, now: datetime) -> None:
        if isinstance(d, Show) and d.member is not None:
            action, body, who = "speaker", {"name": d.member.name, "auto": True}, d.member.display_name()
        elif isinstance(d, (Show, ShowChamber)):
            action, body, who = "chamber", {"auto": True}, None
        else:
            return
        self.shots.append((now, action, who))
        try:
            outcome = self.act(action, body)
            if getattr(outcome, "kind", "") == "not_found" and isinstance(d, Show):
                # A seat's member who is not on this meeting's list (a substitute, an officer):
                # the chamber shot with their lower third as the seat map has it.
                outcome = self.act("speaker", {"oneoff": d.member.lower_third(), "auto": True})
        except MeetstreamError as err:
            outcome = None
            log.warning("automatic %s not taken: %s", action, err)
        if outcome is None or getattr(outcome, "ok", True) is False:
            # Refused by the rules (private, recess …) or OBS failed: the picture is not ours.
            log.info("automatic %s not taken: %s", action, getattr(outcome, "message", ""))
            with self._lock:
                self.state = replace(self.state, shot=None)

    def _recall(self, d: Recall) -> None:
        camera = self.cameras.get(d.camera)
        if camera is None:
            return

        def move() -> None:
            try:
                camera.recall(d.preset, wait=True)
            except Exception as err:  # a camera that does not answer: the travel timeout covers it
                log.warning("camera %s preset %s: %s", d.camera, d.preset, err)
                return
            self.feed(CameraReady(d.camera, self.clock()))

        threading.Thread(target=move, name=f"ptz-{d.camera}", daemon=True).start()

    # --- what every console shows ---------------------------------------------------------------

    def snapshot(self) -> dict:
        with self._lock:
            seats = self.state.seat_map.seats
            now = self.clock()

            def who(mic: str) -> str | None:
                seat = seats.get(mic)
                return seat.member.display_name() if seat and seat.member else None

            held = self.manual_until is not None and now < self.manual_until
            return {
                "auto": self.auto,
                "held_by_officer": held,
                "source": getattr(self.source, "source", "chamber"),
                "problem": self.problem or self.seat_problem,
                "mics": [{"mic": mic, "member": who(mic), "state": st, "since": f"{since:%H:%M:%S}"}
                         for mic, (st, since) in sorted(self.seen.items(), key=lambda kv: kv[1][1])],
                "seats": [{"mic": mic, "member": who(mic), "state": self.seen.get(mic, ("off",))[0]}
                          for mic in seats],
                "queue": [{"mic": mic, "member": who(mic)} for mic in self.queue],
            }



class Reconnecting:
    """A microphone source made when first read, and made again after it fails: a central unit
    that is off when `serve` starts, or restarts mid-meeting, is picked up without a restart."""

    def __init__(self, make: Callable[[], MicSource], source: str = "chamber"):
        self.make, self.source, self._current = make, source, None

    def read(self, timeout: float) -> list[MicEvent]:
        if self._current is None:
            self._current = self.make()
        try:
            return self._current.read(timeout)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        current, self._current = self._current, None
        if current is not None:
            try:
                current.close()
            except Exception as err:  # already gone
                log.debug("closing the microphone source: %s", err)


class LevelMics:
    """A room without a conference system: OBS's own audio levels (an adapters.obs.levels listener,
    handed in) through the pure level detector; each input a microphone ("Teams: Jane Smith" in
    the seat map for a member whose audio arrives as their own input)."""

    source = "levels"

    def __init__(self, levels, detector, inputs, *, clock: Callable[[], datetime] = now_utc):
        self.levels, self.detector, self.inputs, self.clock = levels, detector, list(inputs), clock
        self._stop = threading.Event()

    def read(self, timeout: float) -> list[MicEvent]:
        self._stop.wait(timeout)
        now = self.clock()
        out: list[MicEvent] = []
        for name in self.inputs:
            out += self.detector.feed(name, self.levels.peak_db(name), now)
        return out

    def close(self) -> None:
        self._stop.set()
        self.levels.stop()
