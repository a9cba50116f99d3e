"""A Graph event (JSON as Graph sends it) -> a Meeting. Validated here, at the boundary.

Content problems never raise: an unknown room, a missing location, a body with no agenda, an
unknown time zone each become a warning carried on the Meeting, so a bad event is stored (and
shown by `calendar list`) instead of crashing the sync. Only an event with no usable start or end
raises EventError; the sync reports it and carries on.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from meetstream.core.agenda import parse_agenda
from meetstream.core.agenda.overrides import AgendaOverride
from meetstream.core.domain import Meeting, Member
from meetstream.errors import CalendarError
from meetstream.core.timefmt import local, local_midnight
from meetstream.ports import EventContext

# Graph fields the sync asks for ($select on calendarView; delta returns everything anyway).
SELECT = (
    "id,iCalUId,subject,start,end,isAllDay,location,isCancelled,isOnlineMeeting,onlineMeeting,"
    "onlineMeetingProvider,attendees,categories,body,type,seriesMasterId,originalStartTimeZone,organizer"
)

# What a delta item must carry to be made a meeting without losing anything stored (the join link,
# the agenda, the members, the committee): an item lacking any of these is read whole first.
NEEDED = ("subject", "start", "end", "isAllDay", "location", "isCancelled", "onlineMeeting", "attendees",
          "categories", "body", "type", "iCalUId")

# Windows time-zone names Exchange uses (originalStartTimeZone, or start.timeZone when no
# Prefer: outlook.timezone is sent) -> IANA. The CLDR windowsZones table, the zones a UK council
# is likely to meet: anything else falls back to UTC with a warning.
WINDOWS_ZONES = {
    "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "UTC": "UTC",
    "Coordinated Universal Time": "UTC",
    "W. Europe Standard Time": "Europe/Berlin",
    "Romance Standard Time": "Europe/Paris",
    "Central Europe Standard Time": "Europe/Budapest",
    "Central European Standard Time": "Europe/Warsaw",
    "GTB Standard Time": "Europe/Bucharest",
    "FLE Standard Time": "Europe/Kiev",
    "E. Europe Standard Time": "Europe/Chisinau",
    "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver",
    "Pacific Standard Time": "America/Los_Angeles",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "India Standard Time": "Asia/Kolkata",
}

CANCELLED_PREFIXES = ("Canceled: ", "Cancelled: ")  # Exchange prefixes a cancelled meeting's subject


class EventError(CalendarError):
    """A Graph event that cannot become a meeting at all (no start or end)."""


def zone_for(name: str | None) -> ZoneInfo | None:
    """An IANA zone for a Graph timeZone value (IANA or Windows name); None if unknown."""
    if not name:
        return ZoneInfo("UTC")
    name = name.strip()
    if name in WINDOWS_ZONES:
        return ZoneInfo(WINDOWS_ZONES[name])
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def graph_time(value: dict | None, warnings: list[str], what: str) -> datetime:
    """{"dateTime": "2026-12-03T18:30:00.0000000", "timeZone": "GMT Standard Time"} -> aware UTC."""
    if not isinstance(value, dict) or not value.get("dateTime"):
        raise EventError(f"event has no {what} time")
    text = str(value["dateTime"])
    # Graph sends seven fractional digits, more than fromisoformat takes.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        naive = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise EventError(f"event {what} time {value['dateTime']!r} is not a date-time") from None
    if naive.tzinfo is not None:
        return naive.astimezone(timezone.utc)
    zone = zone_for(value.get("timeZone"))
    if zone is None:
        warnings.append(f"unknown time zone {value.get('timeZone')!r}; {what} time read as UTC")
        zone = ZoneInfo("UTC")
    return naive.replace(tzinfo=zone).astimezone(timezone.utc)


def subject_of(event: dict) -> str:
    subject = " ".join(str(event.get("subject") or "").split())
    for prefix in CANCELLED_PREFIXES:
        if subject.startswith(prefix):
            subject = subject[len(prefix) :]
    return subject


def committee_of(subject: str, committees: tuple[str, ...]) -> str | None:
    """The configured committee named in the subject (longest match), or None."""
    found = [c for c in committees if c.casefold() in subject.casefold()]
    return max(found, key=len) if found else None


def is_webcast(event: dict, ctx: EventContext) -> bool:
    cats = {str(c).casefold() for c in event.get("categories") or []}
    if any(c.casefold() in cats for c in ctx.categories):
        return True
    return committee_of(subject_of(event), ctx.committees) is not None


def event_to_meeting(event: dict, ctx: EventContext) -> Meeting:
    """The Meeting for one Graph event. Raises EventError only when it has no usable times."""
    if not isinstance(event, dict) or not event.get("id"):
        raise EventError("event has no id")
    warnings: list[str] = []
    subject = subject_of(event)
    committee = committee_of(subject, ctx.committees) or subject or "(no subject)"
    if not subject:
        warnings.append("the event has no subject")

    if event.get("isAllDay"):
        # All-day events are floating dates: midnight to midnight in the council's zone.
        start = local_midnight(_day_of(event.get("start"), "start"), ctx.council_zone)
        end = local_midnight(_day_of(event.get("end"), "end"), ctx.council_zone)
        warnings.append("all-day event: set a start time in the calendar before it is webcast")
    else:
        start = graph_time(event.get("start"), warnings, "start")
        end = graph_time(event.get("end"), warnings, "end")
    if end <= start:
        warnings.append("the event ends before it starts; treated as two hours long")
        end = start + timedelta(hours=2)

    location = None
    loc = event.get("location")
    if isinstance(loc, dict):
        location = " ".join(str(loc.get("displayName") or "").split()) or None
    room = ctx.room_for_location(location) if location else None
    if location is None:
        warnings.append("the event has no location, so no room: set one in the calendar")
    elif room is None:
        warnings.append(f"location {location!r} is not a configured room (add it to a room's `locations:`)")

    join_url = None
    online = event.get("onlineMeeting")
    if isinstance(online, dict):
        join_url = online.get("joinUrl") or None
    if join_url is None and event.get("onlineMeetingUrl"):
        join_url = event["onlineMeetingUrl"]  # older events carry the link here

    members = _members(event, committee, ctx)

    body = event.get("body") if isinstance(event.get("body"), dict) else {}
    override = _override_for(event, committee, start, ctx)
    if override is not None:
        agenda = override.items
    else:
        try:
            parsed = parse_agenda(body.get("content"), body.get("contentType"))
            agenda = parsed.items
            warnings.extend(parsed.warnings)
        except Exception as err:  # a malformed body is a warning, never a crashed sync
            agenda = ()
            warnings.append(f"agenda could not be read from the event body ({type(err).__name__})")
        content = body.get("content")
        if not isinstance(content, str) or not content.strip():
            warnings.append("the event has no body, so no agenda (add one, or an agenda YAML file)")

    return Meeting(
        id=str(event["id"]),
        committee=committee,
        start=start,
        end=end,
        room=room,
        title=subject or None,
        cancelled=bool(event.get("isCancelled")),
        webcast=is_webcast(event, ctx),
        join_url=join_url,
        ical_uid=event.get("iCalUId"),
        location=location,
        agenda=tuple(agenda),
        members=members,
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _day_of(value, what: str) -> date:
    if not isinstance(value, dict) or not value.get("dateTime"):
        raise EventError(f"event has no {what} time")
    try:
        return date.fromisoformat(str(value["dateTime"])[:10])
    except ValueError:
        raise EventError(f"event {what} date {value['dateTime']!r} is not a date") from None


def _members(event: dict, committee: str, ctx: EventContext) -> tuple[Member, ...]:
    out: list[Member] = []
    seen: set[str] = set()
    for att in event.get("attendees") or []:
        if not isinstance(att, dict) or att.get("type") == "resource":
            continue  # rooms and equipment are attendees of type "resource"
        addr = att.get("emailAddress") or {}
        name, email = addr.get("name"), addr.get("address")
        if not name and not email:
            continue
        key = (email or name).casefold()
        if key in seen:
            continue
        seen.add(key)
        out.append(ctx.roster.member(name, email, committee))
    return tuple(out)


def _override_for(event: dict, committee: str, start: datetime, ctx: EventContext) -> AgendaOverride | None:
    if not ctx.overrides:
        return None
    day = local(start, ctx.council_zone).date()
    for o in ctx.overrides:
        if o.applies_to(str(event["id"]), event.get("iCalUId"), committee, day):
            return o
    return None
