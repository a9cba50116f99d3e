"""What the modern.gov web service tells us, as plain data of this package's own.

These are not domain objects: `meetstream.adapters.moderngov.items.to_agenda` turns a meeting's items into
`meetstream.core.domain.AgendaItem`s, and the calendar sync (not this package) decides what a meeting
becomes in the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Committee:
    id: int
    title: str
    deleted: bool = False
    expired: bool = False  # a committee of a past term ("Finance Committee - Fifth Senedd")
    category: str | None = None


@dataclass(frozen=True)
class LinkedDocument:
    id: str | None  # attachmentid
    title: str
    url: str | None
    restricted: bool  # modern.gov withholds this paper from the public
    restriction: str | None = None  # restrictionsRef, when the site fills it in


@dataclass(frozen=True)
class ModernGovItem:
    id: str  # agendaitemid: stays the same when the item is renumbered
    number: str  # as printed ("1", "5a"): fulldisplaynumberformat without its full stop
    order: int  # agendaitemnumber: modern.gov's internal order, not the printed number
    title: str
    text: str = ""  # agendatext: the item's HTML on the agenda
    restricted: bool = False  # the item itself is marked restricted (exempt)
    restriction: str | None = None  # why, if modern.gov says (see parse._item_restriction)
    documents: tuple[LinkedDocument, ...] = ()
    withdrawn: bool = False  # the title says so (GUESS: see parse._WITHDRAWN)

    @property
    def restricted_papers(self) -> tuple[LinkedDocument, ...]:
        return tuple(d for d in self.documents if d.restricted)


@dataclass(frozen=True)
class MeetingSummary:
    """One meeting as GetMeetings lists it: enough to know it exists, when, and its state."""

    id: int
    committee_id: int
    committee_title: str
    start: datetime  # aware, UTC
    time_known: bool  # False: modern.gov gave no time; `start` is local midnight of the day
    status: str  # meetingstatus as modern.gov gives it ("Confirmed", "Cancelled", ...)
    cancelled: bool
    moved: bool  # the status says rescheduled/moved/postponed (GUESS: see parse._MOVED)
    webcast: bool | None = None


@dataclass(frozen=True)
class ModernGovMeeting:
    id: int
    committee_id: int | None
    committee_title: str | None
    start: datetime  # aware, UTC
    time_known: bool
    status: str
    cancelled: bool
    moved: bool
    location: str | None = None
    webcast: bool | None = None
    agenda_published: bool | None = None
    items: tuple[ModernGovItem, ...] = ()

    @property
    def committee(self) -> str | None:
        return self.committee_title
