"""Meetings: where they come from, how an officer names one, and what goes out about them.

    sync.py     Graph calendar -> meetings in the store (first a full round, then the changes)
    lookup.py   a meeting from what the officer typed: an id, a short ref, "YYYY-MM-DD words", "next"
    links.py    Teams join links: making an event a Teams meeting, and mailing members their link
    view.py     a meeting as `calendar list --json` prints it (exempt titles never shown)

Services: they talk to Graph only through the calendar they are handed (adapters.teams.calendar.GraphCalendar,
built by meetstream.bootstrap), and to the store.
"""

from meetstream.services.meetings.lookup import next_meeting, resolve, resolve_meeting, resolve_room, short_ref

__all__ = ["next_meeting", "resolve", "resolve_meeting", "resolve_room", "short_ref"]
