"""The live meeting state machine: officer actions -> director actions -> the timeline.

Talks to OBS only through the `Director` port (meetstream.ports). Every action holds the room's lock
(meetstream.roomlock) from reading the state to recording the result, so actions from several
processes (Stream Deck cues, the console, the watchdog) run one at a time, each decided on the
state the last one left. It is checked against that state (nothing can put an exempt item on
air), carried out and verified by the director, then recorded: the new state and its timeline
entry in one transaction. State lives in the store, so another process carries on.

A private session fails safe: every action taken in it keeps it private and reads it back; a
refused action still puts right anything changed by hand in OBS; an action that fails while going
or being private leaves the session recorded as private (so the watchdog keeps enforcing it), an
incident on the timeline, and raises.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator

from dataclasses import dataclass, replace

from meetstream.core import resolutions, rules
from meetstream.core.cells import blank
from meetstream.core.actions import BY_NAME
from meetstream.core.domain import AgendaItem, Meeting, Member, SessionState, TimelineEntry, TimelineKind, Vote
from meetstream.errors import BadInput, MeetstreamError, Refusal, RoomTaken, StateError, StoreUnwritable
from meetstream.roomlock import room_lock
from meetstream.core.rules import KEEP, Now, Refused, Transition
from meetstream.ports import Director
from meetstream.core.timefmt import now_utc
from meetstream.store import Store
from meetstream.core.votes import VoteRecorded, make_vote, overlay_text, timeline_detail, vote_args

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AutoSet:
    """What `auto` did: the automatic director is now on (or off)."""

    on: bool


def check_room_free(store: Store, room: str, meeting: Meeting | None) -> None:
    """Raise RoomTaken when another meeting, not ended, holds `room` (read from the store alone,
    before OBS is touched)."""
    saved = store.session(room)
    if meeting is None or not saved or saved["meeting_id"] in (None, meeting.id) or saved["ended"]:
        return
    holder = store.find_meeting(saved["meeting_id"])
    refused = rules.room_refusal(Now(room, taken_by=rules.label(holder) if holder else saved["meeting_id"]), meeting)
    raise RoomTaken(refused)


class LiveSession:
    """One room's session. The room's row in the store names the meeting that holds the room,
    from its first recorded action until `end` releases it; a session follows that row.

    Asked for a meeting (`start MEETING`, `cue … --meeting`, `serve MEETING`), the session acts on
    that meeting: in a free room it takes the room with its first recorded action (and follows the
    row from then on); while another meeting holds the room, every action is refused with a line
    naming it and the command that ends it (`RoomTaken`).
    """

    def __init__(self, store: Store, director: Director, room: str, meeting: Meeting | None = None,
                 *, clock: Callable[[], datetime] = now_utc):
        self.store, self.director, self.room, self.clock = store, director, room, clock
        self.lock = room_lock(store.path, room)
        director.restore = self.reassert
        self.asked: Meeting | None = meeting  # until the room holds it
        self.meeting: Meeting | None = None
        self.state: SessionState = SessionState.OFF_AIR
        self.item_number: str | None = None
        self.speaker_name: str | None = None
        self.ended: datetime | None = None  # when `end` released the room from this meeting
        self.taken_by: Meeting | None = None  # another meeting holding the room (asked sessions)
        self.decided: dict[str, resolutions.Resolution] = {}  # the meeting's resolutions, by item
        self.reload()

    def reload(self) -> None:
        """Pick up what another process (`meetstream cue`, `start`, `end`) recorded for this room."""
        self._reload()
        self.decided = {} if self.meeting is None else resolutions.decided(self.store.resolutions(self.meeting.id))

    def _reload(self) -> None:
        saved = self.store.session(self.room)
        holds = saved["meeting_id"] if saved else None
        if self.asked is not None and holds == self.asked.id:
            if self.meeting is None or self.meeting.id != holds:
                self.meeting = self.asked
            self.asked = None  # the room holds it now: follow the room from here on
        self.taken_by = None
        if self.asked is not None:
            self.meeting = self.asked
            self.item_number, self.speaker_name = None, None
            self.ended = self.store.meeting_ended(self.asked.id)
            self.state = SessionState.ADJOURNED if self.ended else SessionState.OFF_AIR
            if holds and not saved["ended"]:
                self.taken_by = self.store.find_meeting(holds) or Meeting(holds, "another meeting", self.asked.start, self.asked.end)
            return
        if holds is None:
            return
        if self.meeting is None or self.meeting.id != holds:
            self.meeting = self.store.find_meeting(holds)
        self.state, self.item_number, self.speaker_name = saved["state"], saved["item_number"], saved["speaker"]
        self.ended = saved["ended"]

    def ask(self, meeting: Meeting | None) -> None:
        """Act on `meeting` from now on (None: on whatever holds the room); checked on each action."""
        self.asked = meeting
        self.reload()

    def now(self) -> Now:
        """The session as the rulebook (meetstream.core.rules) sees it."""
        return Now(self.room, self.state, self.item, ended=self.ended is not None,
                   taken_by=rules.label(self.taken_by) if self.taken_by is not None else None)

    def room_refusal(self) -> Refused | None:
        """Why nothing may be done in this room for this session's meeting now (another meeting
        holds the room, or this one has ended), or None."""
        return rules.room_refusal(self.now(), self.meeting)

    @contextmanager
    def turn(self) -> Iterator["LiveSession"]:
        """This room's turn: the lock held and the state as the last action left it."""
        with self.lock:
            self.reload()
            yield self

    @property
    def timeline_id(self) -> str:
        return self._meeting_id()

    # --- what the officer sees ----------------------------------------------------------------

    @property
    def item(self) -> AgendaItem | None:
        """The current item as the meeting has decided it (`exempt`: it goes, or stays, private)."""
        if self.meeting is None or self.item_number is None:
            return None
        return resolutions.as_decided(self.meeting.item(self.item_number), self.decided)

    @property
    def view(self) -> Meeting | None:
        """The meeting with its agenda as the meeting has decided it (what the rules and surfaces read)."""
        return None if self.meeting is None else resolutions.decided_meeting(self.meeting, self.decided)

    # --- actions: decided by the rulebook, carried out by the director, recorded -------------

    def act(self, action: str, body: dict | None = None):
        """Carry out `action` (a name in meetstream.core.actions) with the control API's body: {"number"}
        for item, {"name"} or {"oneoff"} (and "item") for speaker, the vote's fields for vote.
        Returns OBS's read-back (or the recorded vote). Raises Refusal (the rules say no), NotFound
        or BadInput (nothing is done), or an outside system's failure."""
        with self._action():
            decided = self._decide(action, dict(body or {}))
            if isinstance(decided, Refused):
                raise (RoomTaken if decided.code == "room_taken" else Refusal)(decided)
            return self._apply(decided)

    def check(self, action: str, body: dict | None = None) -> Refused | None:
        """Would `action` be refused now? Its refusal, or None; nothing is sent to OBS or written.
        Surfaces ask this before a confirmation, so nobody confirms something that is then refused.
        Bad input raises as it would on acting."""
        with self.turn():
            decided = self._decide(action, dict(body or {}), make=False)
            return decided if isinstance(decided, Refused) else None

    def _decide(self, action: str, body: dict, *, make: bool = True) -> Transition | Refused:
        if action not in BY_NAME or action == "end":
            raise BadInput(f"no action {action!r} (one of: {', '.join(BY_NAME)})")
        meeting, args = self.view, {}
        automatic = bool(body.pop("auto", False))  # a shot the automatic director chose
        if meeting is not None and self.room_refusal() is None:
            args = self._resolve(action, body, meeting)
        decided = rules.decide(self.now(), meeting, action, **args)
        if automatic and isinstance(decided, Transition) and decided.do in ("show_role", "show_member"):
            decided = replace(decided, detail=dict(decided.detail) | {"auto": True})
        if action == "vote" and isinstance(decided, Transition) and (make or body):
            # Made (and so checked) on a check too: bad input says so before a form is confirmed.
            fields = {k: v for k, v in body.items() if k not in ("exclusion", "paragraph")}
            vote = make_vote(meeting, self.item.number, **vote_args(fields), at=self.clock())
            resolution = self._on_exclusion(meeting, body, vote.result)
            if make:
                decided = replace(decided, vote=vote, resolution=resolution)
        return decided

    def _on_exclusion(self, meeting: Meeting, body: dict, result: str) -> resolutions.Resolution | None:
        """A vote on the motion to exclude the public carries the decision: carried, excluded;
        lost, the meeting stays public."""
        if body.get("exclusion") in (None, ""):
            if body.get("paragraph") not in (None, ""):
                raise BadInput("--paragraph goes with --exclusion (the items the motion excludes the public for)")
            return None
        items = resolutions.items_of(meeting, str(body["exclusion"]), self.item)
        if result.startswith("carried"):
            originals = [self.meeting.item(n) for n in items]
            return resolutions.Resolution(resolutions.EXCLUDE, items,
                                          resolutions.paragraphs_of(body.get("paragraph"), originals))
        return resolutions.Resolution(resolutions.PUBLIC, items, reason=resolutions.REASONS["lost"])

    def _resolve(self, action: str, body: dict, meeting: Meeting) -> dict:
        """The names in the body made into the meeting's items and members (NotFound, BadInput)."""
        resolves = BY_NAME[action].resolves
        if resolves is not None:
            if not body:
                return {}  # "would it be allowed?"
            items = resolutions.items_of(meeting, body.get("items"), self.item)
            if resolves == resolutions.EXCLUDE:
                originals = [self.meeting.item(n) for n in items]
                return {"resolution": resolutions.Resolution(
                    resolutions.EXCLUDE, items, resolutions.paragraphs_of(body.get("paragraph"), originals))}
            return {"resolution": resolutions.Resolution(resolutions.PUBLIC, items,
                                                         reason=resolutions.reason_of(body.get("reason")))}
        if action == "auto":
            mode = " ".join(str(body.get("mode") or "").split()).casefold()
            if mode not in ("", "on", "off"):
                raise BadInput(f"the automatic director is turned on or off, not {body.get('mode')!r}")
            return {"mode": mode or ("off" if self.auto_on() else "on")}  # none: the other way
        if action == "item":
            if body.get("number") in (None, ""):
                raise BadInput('say which item: {"number": "5"}')
            return {"item": meeting.item(str(body["number"]))}
        if action != "speaker":
            return {}
        item = meeting.item(str(body["item"])) if body.get("item") not in (None, "") else None
        if "oneoff" in body:
            text = " ".join(str(body["oneoff"] or "").split())
            if blank(text):
                raise BadInput("type the speaker's name (and role) for the lower third")
            if len(text) > 120:
                raise BadInput("a lower third is one line: keep it under 120 characters")
            return {"oneoff": text, "item": item}
        if body.get("name") in (None, ""):
            raise BadInput('say who: {"name": "Jane Smith"} or {"oneoff": "Mr J Brown, Applicant"}')
        return {"member": meeting.member(str(body["name"])), "item": item}

    def _apply(self, t: Transition):
        d = self.director
        if t.do == "record_vote":
            done = self._record_vote(t.vote)
            if t.resolution is not None:
                # The vote decided the motion: its resolution follows, on the state the vote left.
                res = replace(t.resolution, vote_id=done.vote.id)
                follow = rules.follows_vote(self.now(), self.view, res)
                done = replace(done, resolved=self._apply(replace(follow, resolution=res)))
            return done
        if t.resolution is not None:
            # The meeting's decision is on the record before OBS is asked to carry it out: if OBS
            # fails, what must be enforced is still known.
            self.store.append_timeline(TimelineEntry(self._meeting_id(), self.clock(), TimelineKind.RESOLUTION,
                                                     self.item_number, t.resolution.as_detail()))
            self.decided = resolutions.decided(self.store.resolutions(self.meeting.id))
            if t.do == "resolve":
                return resolutions.Resolved(t.resolution, None)
            return resolutions.Resolved(t.resolution, self._apply(replace(t, resolution=None)))
        if t.do == "auto":
            self.store.append_timeline(TimelineEntry(self._meeting_id(), self.clock(), TimelineKind.AUTO, self.item_number,
                                                     dict(t.detail)))
            return AutoSet(bool(t.detail["auto"]))
        if t.do == "overlay":
            return self._do(t, lambda: d.agenda(t.item, role=t.role))
        if t.do == "show_member":
            return self._do(t, lambda: d.speaker(t.member, item=t.item))
        if t.do == "go_private":
            return self._do(t, lambda: d.private(item=t.item))
        return self._do(t, lambda: d.show(t.role, item=t.item))

    def auto_on(self) -> bool:
        """Is the automatic director on for this meeting (its last `auto` on the timeline)?"""
        if self.meeting is None:
            return False
        last = [e for e in self.store.timeline(self.meeting.id) if e.kind == TimelineKind.AUTO]
        return bool(last and last[-1].detail.get("auto"))

    # The officer's actions by name (the rehearsal's script, the tests, code that reads better so).
    def holding(self):
        return self.act("holding")

    def chamber(self):
        return self.act("chamber")

    def gallery(self):
        return self.act("gallery")

    def agenda_card(self):
        return self.act("agenda")

    def speaker(self, name: str, *, item_number: str | None = None):
        return self.act("speaker", {"name": name} | ({"item": item_number} if item_number else {}))

    def speaker_oneoff(self, lower_third: str):
        """Someone not on the members list (a public speaker, an officer, the applicant): the
        chamber with the lower third as typed."""
        return self.act("speaker", {"oneoff": lower_third})

    def go_to_item(self, number: str):
        """Move the agenda on. Reaching an exempt item goes private at once, without being asked."""
        return self.act("item", {"number": number})

    def next_item(self):
        return self.act("next")

    def prev_item(self):
        return self.act("prev")

    def private(self):
        return self.act("private")

    def public(self):
        return self.act("public")

    def recess(self):
        return self.act("recess")

    def resume(self):
        return self.act("resume")

    def adjourn(self):
        return self.act("adjourned")

    def vote(self, motion, votes_for, against, abstain=0, result="", named=None) -> VoteRecorded:
        """Record a vote on the current item, and show its result on the stream for the scene
        set's time. A vote in a private session is recorded too (it is on the record) but never
        shown; going private hides a result on screen in the slate's own batch. Bad input
        (meetstream.core.votes.VoteError) stores nothing."""
        return self.act("vote", {"motion": motion, "for": votes_for, "against": against, "abstain": abstain,
                                 "result": result, "named": named})

    def _record_vote(self, vote: Vote) -> VoteRecorded:
        seconds, seen, why = self.director.vote_seconds(), None, None
        if self.state is SessionState.PRIVATE:
            why = "not shown on screen: the meeting is in private session (the vote is on the record)"
        elif self.state is not SessionState.ON_AIR:
            why = f"not shown on screen: the meeting is {self.state.value.replace('_', ' ')}"
        elif seconds is None:
            why = "not shown on screen: the scene set has no vote overlay"
        else:
            try:
                seen = self.director.show_vote(overlay_text(vote))
            except MeetstreamError as err:
                why = f"NOT shown on screen: {err}"
                self._hide_vote_quietly()  # whatever half of it reached OBS
        detail = timeline_detail(vote) | {"shown": seen is not None} | ({"not_shown": why} if why else {})
        entry = TimelineEntry(self._meeting_id(), vote.at or self.clock(), TimelineKind.VOTE, vote.item_number, detail)
        # The overlay's time is wall-clock time (a rehearsal's meeting clock may stand still),
        # rounded up to the whole second the store keeps: never taken off early.
        until = None
        if seen is not None:
            until = (datetime.now(timezone.utc) + timedelta(seconds=seconds, microseconds=999_999)).replace(microsecond=0)
        stored = self.store.record_vote(vote, entry, room=self.room, until=until)
        if seen is None:
            return VoteRecorded(stored, False, why)
        return VoteRecorded(stored, True, seconds=seconds, program_scene=seen.program_scene,
                            on_program=seen.program_scene in seen.shown)

    def vote_due(self, now: datetime | None = None) -> bool:
        """Is a vote result on screen whose time is up? (A store read only: asked every second.)"""
        shown = self.store.vote_overlay(self.room)
        return shown is not None and shown[1] <= (now or datetime.now(timezone.utc))

    def expire_vote(self, now: datetime | None = None):
        """Take a vote result off screen once its time is up, in this room's turn; the read-back,
        or None when nothing was due. OBS failing raises, and the next call tries again."""
        with self.turn():
            return self._expire_due(now)

    def _expire_due(self, now: datetime | None = None):
        if not self.vote_due(now):
            return None
        seen = None
        if self.state is not SessionState.PRIVATE:  # going private took it off already, verified
            seen = self.director.hide_vote()
        self.store.clear_vote_overlay(self.room)
        return seen

    def _hide_vote_quietly(self) -> None:
        try:
            self.director.hide_vote()
        except MeetstreamError as err:
            log.warning("the vote overlay could not be hidden: %s", err)

    def keep_private(self):
        """In a private session, read OBS and put right anything that breaks it (a scene clicked,
        a source unmuted or added, OBS restarted); each repair is an incident on the timeline.
        Returns the read-back, or None outside a private session. Raises NotVerified if OBS
        cannot be made private."""
        with self.turn():
            if self.state is not SessionState.PRIVATE:
                return None
            try:
                seen = self.director.enforce("private")
            except MeetstreamError as err:
                self.incident("private session could not be verified or put right", problem=str(err))
                raise
            if seen.put_right:
                self.incident("private session changed outside meetstream; put right", problem="; ".join(seen.put_right))
            return seen

    def reassert(self):
        """Put OBS back into the recorded state (after a restart, or when a console resumes).

        Reads the store without taking the room's lock: it runs inside the OBS connection's
        reconnect, which an action holding the lock may be waiting on.
        """
        self.reload()
        result = self._restore_state()
        if self.state is not SessionState.PRIVATE and self.store.vote_overlay(self.room) is not None:
            # A result that was on screen when OBS went away (or this process died) is not put
            # back: its time may be up. Going private took it off already.
            self._hide_vote_quietly()
        return result

    def _restore_state(self):
        s = self.state
        if s is SessionState.PRIVATE:
            return self.director.private(item=self.item)
        if s is SessionState.RECESS:
            return self.director.show("recess")
        if s is SessionState.ADJOURNED:
            return self.director.show("adjourned")
        if s is SessionState.HOLDING:
            return self.director.show("holding", item=self.item)
        if s is SessionState.ON_AIR:
            if self.speaker_name and self.meeting:
                return self.director.speaker(self._speaking(), item=self.item)
            return self.director.show("chamber", item=self.item)
        return None

    def _speaking(self) -> Member:
        try:
            return self.meeting.member(self.speaker_name)
        except StateError:  # a one-off speaker: the lower third is the name as typed
            return Member(self.speaker_name)

    def incident(self, what: str, **detail) -> None:
        self.store.append_timeline(TimelineEntry(self._meeting_id(), self.clock(), TimelineKind.INCIDENT, self.item_number, {"what": what} | detail))

    # --- machinery ----------------------------------------------------------------------------

    @contextmanager
    def _action(self) -> Iterator[None]:
        """An officer's action: its turn; the store proven writable before OBS is touched; and if
        it is refused during a private session, OBS is still checked (and put right) first."""
        with self.turn():
            self.store.probe_write()
            try:
                self._expire_due()
            except MeetstreamError as err:  # the action itself finds out about OBS
                log.warning("a vote result due off screen was not taken off: %s", err)
            try:
                yield
            except StateError:
                if self.state is SessionState.PRIVATE:
                    self.keep_private()
                raise

    def _meeting_id(self) -> str:
        return self.meeting.id if self.meeting else f"room:{self.room}"

    def _do(self, t: Transition, act):
        try:
            result = act()
        except MeetstreamError as err:
            if SessionState.PRIVATE in (self.state, t.state):
                self._fail_private(err, t.item_number)
            raise
        before = (self.state, self.item_number, self.speaker_name)
        self.state = t.state
        if t.item_number != KEEP:
            self.item_number = t.item_number
        if t.speaker != KEEP:
            self.speaker_name = t.speaker
        entry = TimelineEntry(self._meeting_id(), self.clock(), t.kind, self.item_number, dict(t.detail))
        try:
            self.store.record(self.room, meeting_id=self.meeting.id if self.meeting else None, state=self.state,
                              item_number=self.item_number, speaker=self.speaker_name, entry=entry)
        except StoreUnwritable:
            # The write probe passed but the record did not (SQLite reuses its journal's space, so
            # a full disk can show only now): OBS goes back to what the store says, never public
            # from private, so what is on air and what is recorded agree.
            if SessionState.PRIVATE not in (before[0], t.state):
                self.state, self.item_number, self.speaker_name = before
                try:
                    self._restore_state()
                except MeetstreamError as err:
                    log.warning("OBS could not be put back after the store refused the record: %s", err)
            raise
        return result

    def _fail_private(self, err: MeetstreamError, item_number) -> None:
        """Going or being private failed: record private anyway (it is what was asked, and what
        the watchdog must keep enforcing), with the failure on the timeline."""
        self.state, self.speaker_name = SessionState.PRIVATE, None
        if item_number != KEEP:
            self.item_number = item_number
        detail = {"what": "private session not verified", "problem": str(err)}
        try:
            self.director.enforce("private")
            detail["now"] = "private, read back from OBS"
        except MeetstreamError as again:
            detail["now"] = f"could not be put right: {again}"
        entry = TimelineEntry(self._meeting_id(), self.clock(), TimelineKind.INCIDENT, self.item_number, detail)
        self.store.record(self.room, meeting_id=self.meeting.id if self.meeting else None, state=self.state,
                          item_number=self.item_number, speaker=None, entry=entry)
