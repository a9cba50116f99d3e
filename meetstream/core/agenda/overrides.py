"""An agenda override as the core knows it: the items an officer's file gives a meeting, and which
meeting it is for. Reading the files is meetstream.services.meetings.overrides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from meetstream.core.domain import AgendaItem


@dataclass(frozen=True)
class AgendaOverride:
    source: str  # "file:line", for messages
    items: tuple[AgendaItem, ...]
    meeting: str | None = None  # a Graph event id or iCalUId
    committee: str | None = None
    on: date | None = None
    public: tuple[str, ...] = ()  # item numbers the file marks `exempt: false`: the only way to make an item public

    def applies_to(self, meeting_id: str, ical_uid: str | None, committee: str, day: date) -> bool:
        if self.meeting is not None:
            return self.meeting in (meeting_id, ical_uid)
        return (self.committee or "").casefold() == committee.casefold() and self.on == day
