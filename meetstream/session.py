"""The live meeting state machine: officer actions -> director actions -> the timeline.

Talks to OBS only through the `Director` protocol below. Every action holds the room's lock
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
from typing import Callable, Iterator, Protocol

from meetstream.domain import AgendaItem, Meeting, Member, SessionState, TimelineEntry, Vote, short_ref
from meetstream.errors import MeetstreamError, StateError
from meetstream.roomlock import room_lock
from meetstream.store import Store, now_utc
from meetstream.votes import VoteError, VoteRecorded, make_vote, overlay_text, timeline_detail

log = logging.getLogger(__name__)


class Director(Protocol):
    """What the session needs from OBS (meetstream.obs.director.Director is the real one).

    Each action returns the read-back (meetstream.obs.invariant.Verified) or raises NotVerified.
    """

    def show(self, role: str, *, item: AgendaItem | None = None): ...
    def agenda(self, item: AgendaItem, *, role: str): ...
    def speaker(self, member: Member, *, item: AgendaItem | None = None): ...
    def private(self, *, item: AgendaItem | None = None): ...
    def verify(self, role: str): ...
    def enforce(self, role: str): ...
    def program_scene(self) -> str: ...
    def ensure_scene_set(self) -> int: ...  # apply the scene set; the number of requests it took
    def show_vote(self, text: str): ...  # the vote overlay on, read back (meetstream.obs.director.VoteRead)
    def hide_vote(self): ...  # off everywhere and blanked, read back; None without a vote overlay
    def vote_seconds(self) -> int | None: ...  # how long a result stays up; None: no vote overlay
    def versions(self) -> dict: ...  # {"obsVersion": …, "obsWebSocketVersion": …}

    # After OBS comes back (restart, dropped socket), the director calls this to put the recorded
    # state back; the session sets it to its `reassert`.
    restore: Callable[[], object] | None


ROLE_STATE = {
    "holding": SessionState.HOLDING,
    "chamber": SessionState.ON_AIR,
    "gallery": SessionState.ON_AIR,
    "agenda": SessionState.ON_AIR,
    "speaker": SessionState.ON_AIR,
    "private": SessionState.PRIVATE,
    "recess": SessionState.RECESS,
    "adjourned": SessionState.ADJOURNED,
}


class _WouldAct(Exception):
    """Raised instead of acting while `check` asks whether an action would be refused."""


STATE_ROLE = {
    SessionState.HOLDING: "holding",
    SessionState.PRIVATE: "private",
    SessionState.RECESS: "recess",
    SessionState.ADJOURNED: "adjourned",
}


class RoomTaken(StateError):
    """Another meeting holds the room until it ends: nothing is done for this one."""

    def __init__(self, room: str, holder: Meeting, asked: Meeting | None = None):
        self.room, self.holder, self.asked = room, holder, asked
        for_what = f" for {asked.committee} ({short_ref(asked.id)})" if asked is not None else ""
        super().__init__(f"room {room!r} is running {holder.committee} ({short_ref(holder.id)}) until it ends: "
                         f"`meetstream end --room {room}` ends it, then try again{for_what}")


class MeetingEnded(StateError):
    """The meeting has ended (`end` released its room): nothing more is done on the night."""


def check_room_free(store: Store, room: str, meeting: Meeting | None) -> None:
    """Raise RoomTaken when another meeting, not ended, holds `room` (read from the store alone,
    before OBS is touched)."""
    saved = store.session(room)
    if meeting is None or not saved or saved["meeting_id"] in (None, meeting.id) or saved["ended"]:
        return
    holder = store.find_meeting(saved["meeting_id"]) or Meeting(saved["meeting_id"], "another meeting", meeting.start, meeting.end)
    raise RoomTaken(room, holder, meeting)


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
        self._dry = False
        director.restore = self.reassert
        self.asked: Meeting | None = meeting  # until the room holds it
        self.meeting: Meeting | None = None
        self.state: SessionState = SessionState.OFF_AIR
        self.item_number: str | None = None
        self.speaker_name: str | None = None
        self.ended: datetime | None = None  # when `end` released the room from this meeting
        self.taken_by: Meeting | None = None  # another meeting holding the room (asked sessions)
        self.reload()

    def reload(self) -> None:
        """Pick up what another process (`meetstream cue`, `start`, `end`) recorded for this room."""
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

    def refusal(self) -> RoomTaken | StateError | None:
        """Why no action may be taken in this room for this session's meeting now, or None."""
        if self.taken_by is not None:
            return RoomTaken(self.room, self.taken_by, self.meeting)
        if self.ended is not None and self.meeting is not None:
            return MeetingEnded(f"{self.meeting.committee} has ended: the room's next meeting starts with "
                                f"`meetstream start next --room {self.room}` (or name it with --meeting)")
        return None

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
        if self.meeting is None or self.item_number is None:
            return None
        return self.meeting.item(self.item_number)

    def _need_meeting(self) -> Meeting:
        if self.meeting is None:
            raise StateError(f"no meeting is in session in room {self.room!r}: name one with --meeting ID")
        return self.meeting

    # --- actions ------------------------------------------------------------------------------

    def holding(self):
        with self._action():
            self._refuse_in(SessionState.PRIVATE, "the holding slate")
            self._refuse_in(SessionState.ADJOURNED, "the holding slate")
            return self._do("holding", lambda: self.director.show("holding", item=self.item))

    def chamber(self):
        with self._action():
            self._refuse_public("show the chamber")
            return self._do("chamber", lambda: self.director.show("chamber", item=self.item), speaker=None)

    def gallery(self):
        with self._action():
            self._refuse_public("show the Teams gallery")
            return self._do("gallery", lambda: self.director.show("gallery", item=self.item), speaker=None)

    def agenda_card(self):
        with self._action():
            self._refuse_public("show the agenda card")
            return self._do("agenda", lambda: self.director.show("agenda", item=self.item), speaker=None)

    def speaker(self, name: str, *, item_number: str | None = None):
        with self._action():
            meeting = self._need_meeting()
            member = meeting.member(name)
            item = meeting.item(item_number) if item_number else self.item
            if item is not None and item.exempt:
                raise StateError(f"item {item.number} is exempt: speakers are not shown in a private session")
            self._refuse_public(f"show {member.display_name()}")
            return self._do(
                "speaker", lambda: self.director.speaker(member, item=item), speaker=member.display_name(),
                item_number=item.number if item else self.item_number,
                detail={"member": member.display_name(), "lower_third": member.lower_third()},
            )

    def speaker_oneoff(self, lower_third: str):
        """Someone not on the members list (a public speaker, an officer, the applicant): the
        chamber with the lower third as typed."""
        text = " ".join(str(lower_third).split())
        if not text:
            raise StateError("type the speaker's name (and role) for the lower third")
        if len(text) > 120:
            raise StateError("a lower third is one line: keep it under 120 characters")
        with self._action():
            if self.item is not None and self.item.exempt:
                raise StateError(f"item {self.item.number} is exempt: speakers are not shown in a private session")
            self._refuse_public(f"show {text}")
            guest = Member(text)
            return self._do("speaker", lambda: self.director.speaker(guest, item=self.item), speaker=text,
                            detail={"member": text, "lower_third": text, "oneoff": True})

    def go_to_item(self, number: str):
        """Move the agenda on. Reaching an exempt item goes private at once, without being asked."""
        with self._action():
            return self._go_to(number)

    def next_item(self):
        with self._action():
            return self._go_to(self._step(+1))

    def prev_item(self):
        with self._action():
            return self._go_to(self._step(-1))

    def _go_to(self, number: str):
        meeting = self._need_meeting()
        item = meeting.item(number)
        if self.state is SessionState.ADJOURNED:
            raise StateError("the meeting is adjourned")
        detail = {"title": item.public_title()}
        if self.state is SessionState.PRIVATE:
            # Whatever OBS shows now (someone may have clicked a scene), the item changes under
            # the private slate, and the whole private state is put back and read back.
            return self._do("private", lambda: self.director.private(item=item), kind="item",
                            item_number=item.number, speaker=None, detail=detail)
        if item.exempt:
            return self._do("private", lambda: self.director.private(item=item), item_number=item.number, speaker=None,
                            detail=detail | {"reason": f"item {item.number} is exempt"})
        if self.state is SessionState.ON_AIR:
            # A new item on air starts on the chamber: the last item's speaker is done.
            return self._do("chamber", lambda: self.director.show("chamber", item=item), kind="item",
                            item_number=item.number, speaker=None, detail=detail)
        # Recess or holding: the slate stays (put back whole), only the overlay text changes.
        role = STATE_ROLE.get(self.state, "holding")
        return self._do(role, lambda: self.director.agenda(item, role=role), kind="item", role_state=self.state,
                        item_number=item.number, speaker=self.speaker_name, detail=detail)

    def private(self):
        with self._action():
            if self.state is SessionState.ADJOURNED:
                raise StateError("the meeting is adjourned")
            return self._do("private", lambda: self.director.private(item=self.item), speaker=None)

    def public(self):
        with self._action():
            if self.state is not SessionState.PRIVATE:
                raise StateError("the meeting is not in private session")
            if self.item is not None and self.item.exempt:
                raise StateError(f"item {self.item.number} is exempt: move to a public item (`cue next` or `cue item N`) before readmitting the public")
            return self._do("chamber", lambda: self.director.show("chamber", item=self.item), kind="public", speaker=None)

    def recess(self):
        with self._action():
            if self.state is SessionState.PRIVATE:
                raise StateError("the meeting is in private session: a recess would return to public; stay private, or `cue public` first")
            self._refuse_in(SessionState.ADJOURNED, "a recess")
            return self._do("recess", lambda: self.director.show("recess"), speaker=None)

    def resume(self):
        with self._action():
            if self.state is not SessionState.RECESS:
                raise StateError("the meeting is not in recess")
            return self._do("chamber", lambda: self.director.show("chamber", item=self.item), kind="resume", speaker=None)

    def adjourn(self):
        with self._action():
            return self._do("adjourned", lambda: self.director.show("adjourned"), speaker=None)

    def vote(self, motion, votes_for, against, abstain=0, result="", named=None) -> VoteRecorded:
        """Record a vote on the current item, and show its result on the stream for the scene
        set's time. A vote in a private session is recorded too (it is on the record) but never
        shown; going private hides a result on screen in the slate's own batch. Bad input
        (meetstream.votes.VoteError) stores nothing."""
        with self._action():
            meeting = self._need_meeting()
            if self.state is SessionState.ADJOURNED:
                raise StateError("the meeting is adjourned: a vote is recorded while the meeting sits")
            item = self.item
            if item is None:
                raise StateError("no agenda item is current: move to the item the vote is on first (`cue item N`)")
            vote = make_vote(meeting, item.number, motion=motion, votes_for=votes_for, against=against, abstain=abstain,
                             result=result, named=named, at=self.clock())
            if self._dry:
                raise _WouldAct()
            return self._record_vote(vote)

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
        entry = TimelineEntry(self._meeting_id(), vote.at or self.clock(), "vote", vote.item_number, detail)
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
        self.store.append_timeline(TimelineEntry(self._meeting_id(), self.clock(), "incident", self.item_number, {"what": what} | detail))

    # --- machinery ----------------------------------------------------------------------------

    @contextmanager
    def _action(self) -> Iterator[None]:
        """An officer's action: its turn; the store proven writable before OBS is touched; and if
        it is refused during a private session, OBS is still checked (and put right) first."""
        with self.turn():
            refused = self.refusal()
            if refused is not None:
                raise refused
            if self._dry:
                yield
                return
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

    def check(self, action: Callable[[], object]) -> str | None:
        """Would `action` (a bound method of this session, with its arguments) be refused now?
        The refusal's text, or None. Nothing is sent to OBS or written: surfaces ask this before
        a confirmation, so nobody confirms something that is then refused."""
        self._dry = True
        try:
            action()
        except _WouldAct:
            return None
        except VoteError:
            raise  # bad input, not a refusal: the surface says so as it would on acting
        except StateError as err:
            return str(err)
        finally:
            self._dry = False
        return None

    def _refuse_in(self, state: SessionState, what: str) -> None:
        if self.state is state:
            raise StateError(f"the meeting is {state.value.replace('_', ' ')}: cannot show {what}")

    def _refuse_public(self, what: str) -> None:
        if self.state is SessionState.PRIVATE:
            raise StateError(f"the meeting is in private session: cannot {what} (readmit the public with `cue public` first)")
        if self.state is SessionState.RECESS:
            raise StateError(f"the meeting is in recess: cannot {what} (`cue resume` first)")
        if self.state is SessionState.ADJOURNED:
            raise StateError(f"the meeting is adjourned: cannot {what}")

    def _step(self, delta: int) -> str:
        meeting = self._need_meeting()
        if not meeting.agenda:
            raise StateError(f"{meeting.committee} has no agenda items")
        numbers = [i.number for i in meeting.agenda]
        if self.item_number is None:
            return numbers[0]
        at = numbers.index(self.item.number) + delta
        if not 0 <= at < len(numbers):
            raise StateError("already at the " + ("last" if delta > 0 else "first") + " agenda item")
        return numbers[at]

    def _meeting_id(self) -> str:
        return self.meeting.id if self.meeting else f"room:{self.room}"

    _UNSET = object()

    def _do(self, role: str, act, *, kind: str | None = None, role_state: SessionState | None = None,
            item_number=_UNSET, speaker=_UNSET, detail: dict | None = None):
        if self._dry:
            raise _WouldAct()
        new_state = role_state or ROLE_STATE[role]
        try:
            result = act()
        except MeetstreamError as err:
            if SessionState.PRIVATE in (self.state, new_state):
                self._fail_private(err, item_number)
            raise
        self.state = new_state
        if item_number is not LiveSession._UNSET:
            self.item_number = item_number
        if speaker is not LiveSession._UNSET:
            self.speaker_name = speaker
        entry = TimelineEntry(self._meeting_id(), self.clock(), kind or role, self.item_number, dict(detail or {}))
        self.store.record(self.room, meeting_id=self.meeting.id if self.meeting else None, state=self.state,
                          item_number=self.item_number, speaker=self.speaker_name, entry=entry)
        return result

    def _fail_private(self, err: MeetstreamError, item_number) -> None:
        """Going or being private failed: record private anyway (it is what was asked, and what
        the watchdog must keep enforcing), with the failure on the timeline."""
        self.state, self.speaker_name = SessionState.PRIVATE, None
        if item_number is not LiveSession._UNSET:
            self.item_number = item_number
        detail = {"what": "private session not verified", "problem": str(err)}
        try:
            self.director.enforce("private")
            detail["now"] = "private, read back from OBS"
        except MeetstreamError as again:
            detail["now"] = f"could not be put right: {again}"
        entry = TimelineEntry(self._meeting_id(), self.clock(), "incident", self.item_number, detail)
        self.store.record(self.room, meeting_id=self.meeting.id if self.meeting else None, state=self.state,
                          item_number=self.item_number, speaker=None, entry=entry)
