"""The live meeting state machine: officer actions -> director actions -> the timeline.

Talks to OBS only through the `Director` protocol below. Every action is checked against the
session's state first (nothing can put an exempt item on air), then carried out and verified by
the director, then recorded: the new state and its timeline entry in one transaction. State
lives in the store, so another process (`meetstream cue`, a restarted console) carries on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Protocol

from meetstream.domain import AgendaItem, Meeting, Member, SessionState, TimelineEntry
from meetstream.errors import StateError
from meetstream.store import Store, now_utc


class Director(Protocol):
    def show(self, role: str, *, item: AgendaItem | None = None): ...
    def agenda(self, item: AgendaItem): ...
    def speaker(self, member: Member, *, item: AgendaItem | None = None): ...
    def private(self): ...


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


class LiveSession:
    def __init__(self, store: Store, director: Director, room: str, meeting: Meeting | None = None,
                 *, clock: Callable[[], datetime] = now_utc):
        self.store, self.director, self.room, self.clock = store, director, room, clock
        if hasattr(director, "restore"):
            director.restore = self.reassert
        saved = store.session(room)
        if meeting is None and saved and saved["meeting_id"]:
            meeting = store.find_meeting(saved["meeting_id"])
        self.meeting = meeting
        if saved and meeting and saved["meeting_id"] == meeting.id:
            self.state: SessionState = saved["state"]
            self.item_number: str | None = saved["item_number"]
            self.speaker_name: str | None = saved["speaker"]
        else:
            self.state, self.item_number, self.speaker_name = SessionState.OFF_AIR, None, None

    def reload(self) -> None:
        """Pick up what another process (`meetstream cue`) recorded for this room."""
        saved = self.store.session(self.room)
        if not saved:
            return
        if saved["meeting_id"] and (self.meeting is None or saved["meeting_id"] != self.meeting.id):
            self.meeting = self.store.find_meeting(saved["meeting_id"])
        if self.meeting is None or saved["meeting_id"] == self.meeting.id:
            self.state, self.item_number, self.speaker_name = saved["state"], saved["item_number"], saved["speaker"]

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
        self._refuse_in(SessionState.PRIVATE, "the holding slate")
        self._refuse_in(SessionState.ADJOURNED, "the holding slate")
        return self._do("holding", lambda: self.director.show("holding", item=self.item))

    def chamber(self):
        self._refuse_public("show the chamber")
        return self._do("chamber", lambda: self.director.show("chamber", item=self.item), speaker=None)

    def gallery(self):
        self._refuse_public("show the Teams gallery")
        return self._do("gallery", lambda: self.director.show("gallery", item=self.item), speaker=None)

    def agenda_card(self):
        self._refuse_public("show the agenda card")
        return self._do("agenda", lambda: self.director.show("agenda", item=self.item), speaker=None)

    def speaker(self, name: str, *, item_number: str | None = None):
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

    def go_to_item(self, number: str):
        """Move the agenda on. Reaching an exempt item goes private at once, without being asked."""
        meeting = self._need_meeting()
        item = meeting.item(number)
        if self.state is SessionState.ADJOURNED:
            raise StateError("the meeting is adjourned")
        detail = {"title": item.public_title()}
        if item.exempt and self.state is not SessionState.PRIVATE:
            return self._do("private", self.director.private, item_number=item.number, speaker=None,
                            detail=detail | {"reason": f"item {item.number} is exempt"})
        if self.state is SessionState.ON_AIR:
            # A new item on air starts on the chamber: the last item's speaker is done.
            return self._do("chamber", lambda: self.director.show("chamber", item=item), kind="item",
                            item_number=item.number, speaker=None, detail=detail)
        # Private, recess or holding: only the overlay text changes; nothing new goes to air.
        return self._do("item", lambda: self.director.agenda(item), kind="item", role_state=self.state,
                        item_number=item.number, speaker=self.speaker_name, detail=detail)

    def next_item(self):
        return self.go_to_item(self._step(+1))

    def prev_item(self):
        return self.go_to_item(self._step(-1))

    def private(self):
        if self.state is SessionState.ADJOURNED:
            raise StateError("the meeting is adjourned")
        return self._do("private", self.director.private, speaker=None)

    def public(self):
        if self.state is not SessionState.PRIVATE:
            raise StateError("the meeting is not in private session")
        if self.item is not None and self.item.exempt:
            raise StateError(f"item {self.item.number} is exempt: move to a public item (`cue next` or `cue item N`) before readmitting the public")
        return self._do("chamber", lambda: self.director.show("chamber", item=self.item), kind="public", speaker=None)

    def recess(self):
        if self.state is SessionState.PRIVATE:
            raise StateError("the meeting is in private session: a recess would return to public; stay private, or `cue public` first")
        self._refuse_in(SessionState.ADJOURNED, "a recess")
        return self._do("recess", lambda: self.director.show("recess"), speaker=None)

    def resume(self):
        if self.state is not SessionState.RECESS:
            raise StateError("the meeting is not in recess")
        return self._do("chamber", lambda: self.director.show("chamber", item=self.item), kind="resume", speaker=None)

    def adjourn(self):
        return self._do("adjourned", lambda: self.director.show("adjourned"), speaker=None)

    def reassert(self):
        """Put OBS back into the recorded state (after a restart, or when a console resumes)."""
        s = self.state
        if s is SessionState.PRIVATE:
            return self.director.private()
        if s is SessionState.RECESS:
            return self.director.show("recess")
        if s is SessionState.ADJOURNED:
            return self.director.show("adjourned")
        if s is SessionState.HOLDING:
            return self.director.show("holding", item=self.item)
        if s is SessionState.ON_AIR:
            if self.speaker_name and self.meeting:
                return self.director.speaker(self.meeting.member(self.speaker_name), item=self.item)
            return self.director.show("chamber", item=self.item)
        return None

    def incident(self, what: str, **detail) -> None:
        self.store.append_timeline(TimelineEntry(self._meeting_id(), self.clock(), "incident", self.item_number, {"what": what} | detail))

    # --- machinery ----------------------------------------------------------------------------

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
        result = act()
        self.state = role_state or ROLE_STATE[role]
        if item_number is not LiveSession._UNSET:
            self.item_number = item_number
        if speaker is not LiveSession._UNSET:
            self.speaker_name = speaker
        entry = TimelineEntry(self._meeting_id(), self.clock(), kind or role, self.item_number, dict(detail or {}))
        self.store.record(self.room, meeting_id=self.meeting.id if self.meeting else None, state=self.state,
                          item_number=self.item_number, speaker=self.speaker_name, entry=entry)
        return result
