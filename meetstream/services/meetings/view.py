"""A meeting as the commands print it for other programs (`calendar list --json`)."""

from __future__ import annotations

from meetstream.core.domain import Meeting
from meetstream.services.meetings.lookup import short_ref
from meetstream.core.timefmt import local, utc_text


def as_json(meeting: Meeting, zone: str, votes=()) -> dict:
    """`votes`: the meeting's recorded votes (Store.votes), as the minutes take them: an exempt
    item's title and motion never."""
    from meetstream.core.resolutions import privacy_summary, standing
    from meetstream.core.votes import vote_record

    return {
        "id": meeting.id,
        "ref": short_ref(meeting.id),
        "committee": meeting.committee,
        "title": meeting.title,
        "start": utc_text(meeting.start),
        "end": utc_text(meeting.end),
        "start_local": local(meeting.start, zone).isoformat(),
        "room": meeting.room,
        "location": meeting.location,
        "cancelled": meeting.cancelled,
        "join_url": meeting.join_url,
        # public_title() is the one place that decides what of an item may be shown; its number
        # prefix is dropped here because "number" is a field of its own.
        "agenda": [{"number": i.number, "title": i.public_title().removeprefix(f"{i.number}. "),
                    "exempt": i.exempt, "reason": i.reason if i.exempt else None} for i in meeting.agenda],
        # Where the items stand on privacy: armed (private unless the meeting resolves to stay
        # public), or public with an exempt appendix; numbers and reasons, never titles.
        "privacy": {"summary": privacy_summary(meeting.agenda),
                    "items": [{"number": i.number, "armed": i.exempt, "appendix": i.appendix,
                               "paragraphs": list(i.paragraphs), "standing": standing(i)}
                              for i in meeting.agenda if i.exempt or i.appendix]},
        "members": [{"name": m.name, "lower_third": m.lower_third(), "email": m.email} for m in meeting.members],
        "warnings": list(meeting.warnings),
        "votes": [vote_record(meeting, v) for v in votes],
        # Where each fact came from: the calendar, unless a modern.gov sync says otherwise.
        "sources": {"agenda": "calendar", "time": "calendar", "Teams link and attendees": "calendar"} | dict(meeting.sources),
    }
