"""Finding a meeting from what the officer typed on the command line."""

from __future__ import annotations

import re
from datetime import date

from meetstream.core.domain import Meeting, short_ref
from meetstream.errors import StateError
from meetstream.core.timefmt import local, now_utc


def resolve_meeting(store, ref: str, zone: str = "Europe/London") -> Meeting:
    """A meeting by its id, its short ref (`calendar list`), or "YYYY-MM-DD [committee words]"."""
    ref = ref.strip()
    found = store.find_meeting(ref)
    if found is not None:
        return found
    every = store.meetings(include_cancelled=True, webcast_only=False)
    by_ref = [m for m in every if short_ref(m.id) == ref.lower()]
    if len(by_ref) == 1:
        return by_ref[0]
    m = re.match(r"^(\d{4}-\d{2}-\d{2})\s*(.*)$", ref)
    if m:
        day, words = date.fromisoformat(m.group(1)), m.group(2).casefold().split()
        hits = [x for x in every if local(x.start, zone).date() == day and all(w in x.committee.casefold() for w in words)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            names = ", ".join(f"{short_ref(h.id)} {h.committee}" for h in hits)
            raise StateError(f"{ref!r} matches more than one meeting ({names}); use the ref")
    raise StateError(f"no meeting {ref!r} in the store (use a ref from `meetstream calendar list`, or YYYY-MM-DD and a committee name)")


def next_meeting(store, room: str) -> Meeting:
    """The next webcast meeting in `room` that has not ended yet."""
    upcoming = store.meetings(now_utc(), room=room)
    if not upcoming:
        raise StateError(f"no upcoming webcast meeting in room {room!r} (run `meetstream calendar sync`)")
    return upcoming[0]


def resolve(store, settings, room: str, ref: str | None) -> str | None:
    """A meeting id from what the officer typed: an id, a short ref, a day and committee words, or
    "next" (the next one in `room`); None when nothing was typed."""
    if ref is None:
        return None
    if ref == "next":
        return next_meeting(store, room).id
    return resolve_meeting(store, ref, settings.council.timezone).id


def resolve_room(store, settings, room: str | None, ref: str | None) -> tuple[str, str | None]:
    """(room key, meeting id or None) for a command given `--room` and a meeting: a meeting names
    its room, so without --room the command acts there; a --room that contradicts it is refused.
    "next" (or no meeting) is the next meeting in --room, or in the default room."""
    if ref is None or ref == "next":
        key = settings.room_key(room)
        return key, resolve(store, settings, key, ref)
    meeting = resolve_meeting(store, ref, settings.council.timezone)
    if room is None:
        return settings.room_key(meeting.room), meeting.id
    key = settings.room_key(room)
    if meeting.room and meeting.room != key:
        raise StateError(f"{meeting.committee} ({short_ref(meeting.id)}) is in room {meeting.room!r}, not {key!r}: "
                         f"leave out --room, or use --room {meeting.room}")
    return key, meeting.id
