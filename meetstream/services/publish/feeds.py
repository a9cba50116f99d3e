"""The iCalendar feed (RFC 5545, built with icalendar) and the JSON feed (JSON Feed 1.1).

Every value comes from the store, so the same store gives the same bytes:
- UID: a hash of the meeting's id, stable for the meeting's whole life;
- DTSTAMP and LAST-MODIFIED: when the store last changed the meeting (RFC 5545 3.8.7.2: without a
  METHOD, DTSTAMP is when the information was last revised in the calendar store);
- SEQUENCE: that same revision, as seconds since 2020-01-01 UTC. It grows every time the meeting
  changes (moved, cancelled, agenda changed) and never when it does not; it stays inside the
  INTEGER range of RFC 5545 3.3.8 until 2088;
- STATUS:CANCELLED for a cancelled meeting (it stays in the feed so calendars drop it);
- exempt items only as AgendaItem.public_title() says them.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from meetstream.core.cells import printable
from meetstream.services.publish.facts import MeetingFacts, uid
from meetstream.services.publish.options import PublishOptions
from meetstream.services.publish.words import when
from meetstream.core.timefmt import utc_text

SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=timezone.utc)


def sequence(f: MeetingFacts) -> int:
    if f.revision is None:
        return 0
    return max(0, int((f.revision - SEQUENCE_EPOCH).total_seconds()))


def _description(f: MeetingFacts, page_url: str | None) -> str:
    lines = []
    if f.meeting.cancelled:
        lines.append("This meeting is cancelled.")
    if f.watch_url and not f.meeting.cancelled:
        lines.append(f"Watch: {f.watch_url}")
    if page_url:
        lines.append(f"Index of the video: {page_url}")
    if f.meeting.agenda:
        lines += ["", "Agenda:"] + [i.public_title() for i in f.meeting.agenda]
    return "\n".join(lines).strip()


def ics_feed(facts: list[MeetingFacts], opts: PublishOptions, pages: dict[str, str]) -> bytes:
    """`pages`: meeting id -> URL of its archive page (absolute when base_url is set)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", f"-//meetstream//{opts.council} webcasts//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{opts.council} webcasts")
    cal.add("x-wr-timezone", opts.timezone)
    for f in facts:
        m = f.meeting
        ev = Event()
        ev.add("uid", uid(m))
        stamp = f.revision or m.start
        ev.add("dtstamp", stamp.astimezone(timezone.utc))
        ev.add("last-modified", stamp.astimezone(timezone.utc))
        ev.add("sequence", sequence(f))
        ev.add("dtstart", m.start.astimezone(timezone.utc))
        ev.add("dtend", m.end.astimezone(timezone.utc))
        ev.add("summary", printable(f"{m.committee} (cancelled)" if m.cancelled else m.committee))
        room = opts.room_name(m.room, m.location)
        if room:
            ev.add("location", printable(room))
        link = f.watch_url or pages.get(m.id)
        if link and not m.cancelled:
            ev.add("url", link)
        ev.add("description", printable(_description(f, pages.get(m.id))))
        ev.add("status", "CANCELLED" if m.cancelled else "CONFIRMED")
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return cal.to_ical()


def json_feed(facts: list[MeetingFacts], opts: PublishOptions, pages: dict[str, str], now: datetime) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1), one item per meeting, soonest first; the
    structured facts under the `_meetstream` extension."""
    feed: dict = {"version": "https://jsonfeed.org/version/1.1", "title": f"{opts.council} webcasts", "language": "en-GB"}
    if opts.base_url:
        feed["home_page_url"] = opts.base_url
        feed["feed_url"] = opts.base_url + "meetings.json"
    items = []
    for f in facts:
        m = f.meeting
        item: dict = {"id": uid(m), "title": f"{m.committee}, {when(m.start, opts.timezone)}" + (" (cancelled)" if m.cancelled else "")}
        url = pages.get(m.id) or (f.watch_url if not m.cancelled else None)
        if url:
            item["url"] = url
        if f.watch_url and pages.get(m.id):
            item["external_url"] = f.watch_url
        item["content_text"] = printable(_description(f, None) or m.committee)
        if f.revision:
            item["date_modified"] = utc_text(f.revision)
        item["_meetstream"] = {
            "committee": m.committee,
            "start": utc_text(m.start),
            "end": utc_text(m.end),
            "room": opts.room_name(m.room, m.location),
            "status": f.status(now),
            "sequence": sequence(f),
            "video": f.watch_url if not m.cancelled else None,
            "agenda": [{"number": i.number, "title": i.public_title(), "exempt": i.exempt} for i in m.agenda],
            "moments": [{"seconds": x.seconds, "label": x.label, "url": f.moment_url(x.seconds)} for x in f.moments],
        }
        items.append(item)
    feed["items"] = items
    return (json.dumps(feed, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
