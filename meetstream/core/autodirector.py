"""The automatic director's rules, pure: (state, event, now, session) -> (new state, decisions).

    one microphone on        -> that member's shot and lower third
    the chair's priority     -> the chair, whoever else is on
    several on at once       -> the chamber (after `hold`, so an overlap in a quick exchange is no cut)
    none on                  -> the chamber (after `hold`: the next speaker usually follows at once)
    a seat not in the map    -> the chamber, with no name
    a PTZ camera must move   -> it moves while it is not on program; if it is on program, program goes
                                to the chamber first, then cuts to the member when the camera is ready
                                (what Bosch DCN systems do themselves: LBB 3588 manual p. 23)
    every shot stays up at least `min_shot` seconds
    requests to speak        -> Queue(...) for the consoles, in the order pressed
    private, recess, holding, adjourned, off air -> microphone events are tracked (the queue and who
                                is on stay right) but no shot decision is ever returned

Time is handed in; nothing here reads a clock. The caller (a service) feeds every MicEvent, a
CameraReady when a camera reports VISCA completion, and a Tick a few times a second so that holds
and minimum shot lengths can expire. It carries out the decisions (through the room's one-action-at-
a-time control) and records them in the timeline as automatic.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from meetstream.core.chamber import MicEvent, MicState
from meetstream.core.domain import Member, SessionState

# --- the seat map ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    mic_id: str
    member: Member | None = None  # None: a seat with a shot but no name (a lectern, an officer's desk)
    scene: str | None = None  # the OBS scene that shows this seat (a fixed camera, or the PTZ camera's scene)
    camera: str | None = None  # a PTZ camera (meetstream.adapters.chamber.visca) and its preset for the seat
    preset: int | None = None
    priority: bool = False  # the chair's seat: its microphone wins even without the priority button


@dataclass(frozen=True)
class SeatMap:
    seats: dict[str, Seat] = field(default_factory=dict)

    def seat(self, mic_id: str) -> Seat | None:
        return self.seats.get(str(mic_id))


@dataclass(frozen=True)
class DirectorSettings:
    min_shot: float = 4.0  # seconds every shot stays up (GUESS: broadcast practice puts 3-5 s as the shortest comfortable shot)
    hold: float = 2.5  # seconds before leaving a speaker for the chamber (none on, or several on)
    travel_timeout: float = 6.0  # a PTZ camera that never reports completion is taken as arrived after this


# --- what goes in ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CameraReady:
    """A PTZ camera reported completion of its last preset recall (VISCA 'Completion' 9x 5y FF)."""

    camera: str
    at: datetime


@dataclass(frozen=True)
class Tick:
    at: datetime


# --- what comes out -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Show:
    """Program to this seat's shot with the member's lower third (no lower third when member is None)."""

    mic_id: str
    member: Member | None
    scene: str | None
    camera: str | None = None
    preset: int | None = None


@dataclass(frozen=True)
class ShowChamber:
    reason: str  # "none" | "several" | "unknown-mic" | "camera-moving" | "no-shot"


@dataclass(frozen=True)
class Recall:
    camera: str
    preset: int


@dataclass(frozen=True)
class Queue:
    mic_ids: tuple[str, ...]
    members: tuple[Member | None, ...]


Decision = Show | ShowChamber | Recall | Queue

CHAMBER = "chamber"


@dataclass(frozen=True)
class Shot:
    kind: str  # CHAMBER or "seat"
    mic_id: str | None
    since: datetime
    camera: str | None = None


@dataclass(frozen=True)
class DirectorState:
    seat_map: SeatMap = field(default_factory=SeatMap)
    settings: DirectorSettings = field(default_factory=DirectorSettings)
    on: tuple[tuple[str, datetime], ...] = ()  # microphones on, in the order they came on
    priority: frozenset[str] = frozenset()  # of those, the ones on by the priority button
    requests: tuple[str, ...] = ()  # the request queue, first pressed first
    shot: Shot | None = None  # what program shows, as far as the director knows; None: not the director's (off air, private…)
    target: tuple[str, str | None] | None = None  # (kind, mic or reason) wanted now
    target_since: datetime | None = None
    at_preset: tuple[tuple[str, int], ...] = ()  # camera -> the preset it is at (or last recalled and reported ready)
    moving: tuple[tuple[str, int, datetime], ...] = ()  # camera, preset, give-up deadline

    def preset_of(self, camera: str) -> int | None:
        return dict(self.at_preset).get(camera)

    def moving_to(self, camera: str) -> tuple[int, datetime] | None:
        for cam, preset, deadline in self.moving:
            if cam == camera:
                return preset, deadline
        return None


ACTIVE = SessionState.ON_AIR  # the only state in which the director may change the picture


def start(seat_map: SeatMap, settings: DirectorSettings | None = None) -> DirectorState:
    return DirectorState(seat_map=seat_map, settings=settings or DirectorSettings())


def step(state: DirectorState, event: MicEvent | CameraReady | Tick, now: datetime,
         session: SessionState) -> tuple[DirectorState, tuple[Decision, ...]]:
    """One event in, the new state and the decisions out. Pure."""
    decisions: list[Decision] = []
    if isinstance(event, MicEvent):
        state, queue_changed = _track(state, event, now)
        if queue_changed:
            decisions.append(Queue(state.requests, tuple(_member(state, m) for m in state.requests)))
    elif isinstance(event, CameraReady):
        state = _arrived(state, event.camera)
    state = _expire_moves(state, now)
    if session != ACTIVE:
        # Recorded, never shown: the picture belongs to the session's slate; forget what we showed.
        return replace(state, shot=None, target=None, target_since=None), tuple(decisions)
    if state.shot is None:
        # Back on air (resume, public): the session has just put the chamber up itself.
        state = replace(state, shot=Shot(CHAMBER, None, now))
    state, shot_decisions = _settle(state, now)
    return state, tuple(decisions) + shot_decisions


# --- microphone bookkeeping -----------------------------------------------------------------------


def _track(state: DirectorState, e: MicEvent, now: datetime) -> tuple[DirectorState, bool]:
    mic = str(e.mic_id)
    on, priority, requests = state.on, state.priority, state.requests
    if e.state in (MicState.ON, MicState.PRIORITY_ON):
        if mic not in dict(on):
            on = on + ((mic, now),)
        priority = priority | {mic} if e.state == MicState.PRIORITY_ON else priority - {mic}
        requests = tuple(r for r in requests if r != mic)  # granted: out of the queue
    elif e.state == MicState.OFF:
        on = tuple((m, t) for m, t in on if m != mic)
        priority = priority - {mic}
        requests = tuple(r for r in requests if r != mic)  # DICENTIS/CoCon: a seat leaving the list entirely
    elif e.state == MicState.REQUEST:
        if mic not in requests and mic not in dict(on):
            requests = requests + (mic,)
    elif e.state == MicState.REQUEST_CANCEL:
        requests = tuple(r for r in requests if r != mic)
    return replace(state, on=on, priority=priority, requests=requests), requests != state.requests


def _member(state: DirectorState, mic: str) -> Member | None:
    seat = state.seat_map.seat(mic)
    return seat.member if seat else None


def _wanted(state: DirectorState) -> tuple[str, str | None]:
    on = [m for m, _ in state.on]
    chair = [m for m in on if m in state.priority or (state.seat_map.seat(m) and state.seat_map.seat(m).priority)]
    if chair:
        return ("seat", chair[-1])  # the latest priority press wins among chairs (GUESS: rarely more than one)
    if not on:
        return (CHAMBER, "none")
    if len(on) > 1:
        return (CHAMBER, "several")
    if state.seat_map.seat(on[0]) is None:
        return (CHAMBER, "unknown-mic")
    return ("seat", on[0])


# --- cameras ---------------------------------------------------------------------------------------


def _arrived(state: DirectorState, camera: str) -> DirectorState:
    target = state.moving_to(camera)
    if target is None:
        return state
    at = dict(state.at_preset)
    at[camera] = target[0]
    return replace(state, at_preset=tuple(sorted(at.items())),
                   moving=tuple(m for m in state.moving if m[0] != camera))


def _expire_moves(state: DirectorState, now: datetime) -> DirectorState:
    for cam, _preset, deadline in state.moving:
        if now >= deadline:
            state = _arrived(state, cam)  # no completion heard: taken as there (travel_timeout)
    return state


def _recall(state: DirectorState, camera: str, preset: int, now: datetime) -> tuple[DirectorState, Recall]:
    deadline = now + timedelta(seconds=state.settings.travel_timeout)
    moving = tuple(m for m in state.moving if m[0] != camera) + ((camera, preset, deadline),)
    at = tuple((c, p) for c, p in state.at_preset if c != camera)
    return replace(state, moving=moving, at_preset=at), Recall(camera, preset)


# --- the picture -----------------------------------------------------------------------------------


def _settle(state: DirectorState, now: datetime) -> tuple[DirectorState, tuple[Decision, ...]]:
    s = state.settings
    wanted = _wanted(state)
    if wanted != state.target:
        state = replace(state, target=wanted, target_since=now)
    shot = state.shot
    assert shot is not None
    kind, what = wanted
    if kind == shot.kind and (kind == CHAMBER or what == shot.mic_id):
        return state, ()
    out: list[Decision] = []
    seat = state.seat_map.seat(what) if kind == "seat" else None
    needs_move = bool(seat and seat.camera and seat.preset is not None and state.preset_of(seat.camera) != seat.preset)
    if needs_move and shot.camera != seat.camera:
        moving = state.moving_to(seat.camera)
        if moving is None or moving[0] != seat.preset:
            # Not on program: it can travel now, while the current shot finishes its minimum.
            state, recall = _recall(state, seat.camera, seat.preset, now)
            out.append(recall)
    if kind == CHAMBER and what in ("none", "several") and shot.kind == "seat":
        if now - state.target_since < timedelta(seconds=s.hold):
            return state, tuple(out)  # a quick exchange: the next speaker usually comes within the hold
    if now - shot.since < timedelta(seconds=s.min_shot):
        return state, tuple(out)
    if kind == CHAMBER:
        out.append(ShowChamber(what or "none"))
        return replace(state, shot=Shot(CHAMBER, None, now)), tuple(out)
    if needs_move:
        if shot.camera == seat.camera:
            # The camera is on program: go to the chamber, then move it (never move a camera on air).
            state, recall = _recall(state, seat.camera, seat.preset, now)
            out += [ShowChamber("camera-moving"), recall]
            return replace(state, shot=Shot(CHAMBER, None, now)), tuple(out)
        if shot.kind != CHAMBER:
            out.append(ShowChamber("camera-moving"))
            return replace(state, shot=Shot(CHAMBER, None, now)), tuple(out)
        return state, tuple(out)  # on the chamber, waiting for the camera
    out.append(Show(what, seat.member, seat.scene, seat.camera, seat.preset))
    return replace(state, shot=Shot("seat", what, now, seat.camera)), tuple(out)


# --- replaying a recorded trace (tests, bench, rehearsal) ---------------------------------------------


def replay(state: DirectorState, events: list[MicEvent], *, end: datetime, session: SessionState = ACTIVE,
           tick: float = 0.25, travel: dict[str, float] | None = None) -> tuple[DirectorState, list[tuple[datetime, Decision]]]:
    """Feed a recorded trace through `step` with a Tick every `tick` seconds; a Recall is answered by a
    CameraReady `travel[camera]` seconds later (a camera that takes that long to move). Pure."""
    travel = travel or {}
    pending: list[tuple[datetime, CameraReady]] = []
    out: list[tuple[datetime, Decision]] = []
    queue = sorted(events, key=lambda e: e.at)
    now = queue[0].at if queue else end
    i = 0
    while now <= end:
        due = [e for e in queue[i:] if e.at <= now]
        i += len(due)
        ready = [c for t, c in pending if t <= now]
        pending = [(t, c) for t, c in pending if t > now]
        for ev in [*ready, *due, Tick(now)]:
            state, decisions = step(state, ev, now, session)
            for d in decisions:
                out.append((now, d))
                if isinstance(d, Recall) and d.camera in travel:
                    pending.append((now + timedelta(seconds=travel[d.camera]), CameraReady(d.camera, now)))
        now += timedelta(seconds=tick)
    return state, out


def program(decisions: list[tuple[datetime, Decision]], end: datetime) -> list[tuple[datetime, datetime, str | None]]:
    """The shots the decisions put on program: (from, to, mic id or None for the chamber)."""
    cuts = [(t, d.mic_id if isinstance(d, Show) else None) for t, d in decisions if isinstance(d, (Show, ShowChamber))]
    return [(t, cuts[k + 1][0] if k + 1 < len(cuts) else end, mic) for k, (t, mic) in enumerate(cuts)]
