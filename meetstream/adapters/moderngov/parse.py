"""modern.gov web service XML -> this package's data (model.py). Pure: no I/O.

The shapes, and where each is seen in public (tests/fixtures/moderngov/README.md has the files):

GetCommittees  -- DemocracyClub/LGSF lgsf/minutes/tests/fixtures/committees.xml (Manchester):
    <committees><committeescount> 3</committeescount>
      <committee><committeeid/><committeetitle/><committeedeleted>False</committeedeleted>
                 <committeeexpired>True</committeeexpired><committeecategory/></committee>...

GetMeetings?lCommitteeId=&sFromDate=dd/mm/yyyy&sToDate=dd/mm/yyyy
               -- DemocracyClub/LGSF lgsf/minutes/tests/fixtures/meetings.xml (Manchester); the
                  parameters and the date format: LGSF lgsf/minutes/scrapers.py ModGovMinutesScraper
                  (DATE_FORMAT "%d/%m/%Y"); afdy/moderngov moderngov/api.py (get_meetings).
    <getmeetings><meetingscount> 2</meetingscount><committeescount> 1</committeescount>
      <committee><committeeid/><committeetitle/><committeemeetingcount/>
        <committeemeetings><meeting><meetingid/><meetingdate>13/01/2026</meetingdate>
          <meetingstatus>Cancelled</meetingstatus><meetingtime>10.00 am</meetingtime>
          <iswebcast>False</iswebcast></meeting>...

GetMeeting?lMeetingId=
               -- DemocracyClub/LGSF lgsf/minutes/tests/fixtures/meeting_with_minutes.xml and
                  meeting_no_minutes.xml (Manchester):
    <meeting><meetingid/><meetingdate/><meetingstatus/><meetingtime/><meetinglocation/>
      <iswebcast/><agendapublished/>
      <agendaitems><agendaitem><agendaitemid/><agendaitemtitle/><agendatext>(escaped HTML)
        <agendaitemnumber>4</agendaitemnumber><agendaitemsubnumber/>
        <fulldisplaynumberformat>1.</fulldisplaynumberformat><isrestricted>False</isrestricted>
        <linkeddocuments><linkeddoc><attachmentid/><title/><url/><isrestricted/>
          <restrictionsRef/>...

Text inside these elements can be HTML-escaped once more than XML needs ("Fees &amp;amp; Charges"
arrives for "Fees & Charges"): seen by the Lambeth budget tests quoted in the code corpus and by a
council-meetings reader ("Modern.gov double-encodes entities inside XML text (&amp;#39;)"), so
titles and places are unescaped once more after XML parsing.

Meeting times come as "10.00 am" (Manchester, above) or "13:30" (the Senedd's modern.gov, in an
NRLA monitor's tests of GetAllMeetingsByDate); both are read, in Europe/London.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from meetstream.adapters.moderngov.model import Committee, LinkedDocument, MeetingSummary, ModernGovItem, ModernGovMeeting

LONDON = ZoneInfo("Europe/London")  # modern.gov is a UK product: its dates and times are UK local

# GUESS: no public response we found shows a moved or withdrawn marking. Councils write these words
# into meetingstatus and item titles by hand; reading them is a hint for the officer, never what
# makes an item private.
_MOVED = re.compile(r"\b(?:re-?scheduled|moved|postponed|date\s+changed|new\s+date)\b", re.I)
_CANCELLED = re.compile(r"\b(?:cancell?ed|abandoned)\b", re.I)
_WITHDRAWN = re.compile(r"^\W*(?:item\s+)?withdrawn\b", re.I)


class ShapeError(ValueError):
    """The XML parsed but is not the shape the operation answers with."""


def _text(el: ET.Element | None, tag: str) -> str:
    if el is None:
        return ""
    found = el.find(tag)
    if found is None or found.text is None:
        return ""
    return found.text.strip()


def _clean(value: str) -> str:
    # Unescape the second layer of escaping modern.gov adds (see the module docstring), then
    # collapse the whitespace its pretty-printing leaves inside elements.
    return " ".join(html.unescape(value).split())


def _flag(value: str) -> bool | None:
    v = value.strip().lower()
    if v == "true":
        return True
    if v == "false":
        return False
    return None


def _int(value: str, what: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ShapeError(f"{what} is {value!r}, not a number") from None


def parse_day(value: str) -> date:
    """modern.gov's dd/mm/yyyy date."""
    try:
        return datetime.strptime(value.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise ShapeError(f"the date {value!r} is not dd/mm/yyyy") from None


_TIME = re.compile(r"^(?P<h>\d{1,2})(?:[.:](?P<m>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?$", re.I)


def parse_clock(value: str) -> time | None:
    """'10.00 am', '6.30 pm', '13:30', '10am' -> a time; '' -> None (modern.gov gave none)."""
    v = value.strip()
    if not v:
        return None
    m = _TIME.match(v)
    if m is None:
        raise ShapeError(f"the time {value!r} is not a clock time")
    hour, minute = int(m.group("h")), int(m.group("m") or 0)
    ampm = (m.group("ampm") or "").lower().replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise ShapeError(f"the time {value!r} is not a clock time")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ShapeError(f"the time {value!r} is not a clock time")
    return time(hour, minute)


def uk_start(day: date, clock: time | None) -> tuple[datetime, bool]:
    """(UTC start, whether the time was known). Without a time, the day's local midnight stands in
    so the meeting still sorts and joins by day."""
    local = datetime.combine(day, clock or time(0), LONDON)
    return local.astimezone(timezone.utc), clock is not None


def _status(value: str) -> tuple[str, bool, bool]:
    status = _clean(value)
    return status, bool(_CANCELLED.search(status)), bool(_MOVED.search(status))


# --- GetCommittees ---------------------------------------------------------------------------


def parse_committees(root: ET.Element) -> list[Committee]:
    if root.tag != "committees":
        raise ShapeError(f"expected <committees>, got <{root.tag}>")
    out = []
    for c in root.iter("committee"):
        cid = _text(c, "committeeid")
        if not cid:
            continue
        out.append(Committee(
            id=_int(cid, "committeeid"),
            title=_clean(_text(c, "committeetitle")),
            deleted=_flag(_text(c, "committeedeleted")) is True,
            expired=_flag(_text(c, "committeeexpired")) is True,
            category=_clean(_text(c, "committeecategory")) or None,
        ))
    return out


# --- GetMeetings -----------------------------------------------------------------------------


def parse_meetings(root: ET.Element) -> list[MeetingSummary]:
    if root.tag != "getmeetings":
        raise ShapeError(f"expected <getmeetings>, got <{root.tag}>")
    out = []
    for c in root.findall("committee"):
        cid = _int(_text(c, "committeeid"), "committeeid")
        title = _clean(_text(c, "committeetitle"))
        holder = c.find("committeemeetings")
        for m in (holder if holder is not None else c).findall("meeting"):
            mid = _text(m, "meetingid")
            if not mid:
                continue
            start, known = uk_start(parse_day(_text(m, "meetingdate")), parse_clock(_text(m, "meetingtime")))
            status, cancelled, moved = _status(_text(m, "meetingstatus"))
            out.append(MeetingSummary(
                id=_int(mid, "meetingid"), committee_id=cid, committee_title=title, start=start,
                time_known=known, status=status, cancelled=cancelled, moved=moved,
                webcast=_flag(_text(m, "iswebcast")),
            ))
    return out


# --- GetMeeting ------------------------------------------------------------------------------


def parse_meeting(root: ET.Element, committee: Committee | None = None) -> ModernGovMeeting:
    """A meeting and its agenda. GetMeeting names no committee of its own (Manchester's answers
    do not), so the caller passes the one GetMeetings listed it under; failing that, a
    <committeeid>/<committeetitle> at the top is used if the site sends one (GUESS)."""
    if root.tag != "meeting":
        raise ShapeError(f"expected <meeting>, got <{root.tag}>")
    mid = _text(root, "meetingid")
    if not mid or mid == "0":
        raise ShapeError("it names no meeting (no <meetingid>)")
    start, known = uk_start(parse_day(_text(root, "meetingdate")), parse_clock(_text(root, "meetingtime")))
    status, cancelled, moved = _status(_text(root, "meetingstatus"))
    if committee is not None:
        cid, ctitle = committee.id, committee.title
    else:
        raw = _text(root, "committeeid")
        cid = _int(raw, "committeeid") if raw else None
        ctitle = _clean(_text(root, "committeetitle")) or None
    holder = root.find("agendaitems")
    items = tuple(_item(el) for el in (holder.findall("agendaitem") if holder is not None else ()))
    return ModernGovMeeting(
        id=_int(mid, "meetingid"), committee_id=cid, committee_title=ctitle, start=start,
        time_known=known, status=status, cancelled=cancelled, moved=moved,
        location=_clean(_text(root, "meetinglocation")) or None,
        webcast=_flag(_text(root, "iswebcast")),
        agenda_published=_flag(_text(root, "agendapublished")),
        items=tuple(i for i in items if i is not None),
    )


def _number(el: ET.Element) -> str:
    # fulldisplaynumberformat is what the printed agenda shows ("1." for agendaitemnumber 4 in the
    # Manchester fixture). Present but empty, the entry has no printed number: a heading. Only a site
    # that sends no such element at all (GUESS: older installs) gets agendaitemnumber instead.
    if el.find("fulldisplaynumberformat") is not None:
        return _clean(_text(el, "fulldisplaynumberformat")).rstrip(".").strip()
    number = _clean(_text(el, "agendaitemnumber"))
    sub = _clean(_text(el, "agendaitemsubnumber"))
    return f"{number}{sub}" if number and number != "0" else ""


def _item(el: ET.Element) -> ModernGovItem | None:
    title = _clean(_text(el, "agendaitemtitle"))
    item_id = _text(el, "agendaitemid")
    if not title and not item_id:
        return None
    order_text = _text(el, "agendaitemnumber")
    try:
        order = int(order_text)
    except ValueError:
        order = 0
    docs = tuple(_document(d) for d in el.iter("linkeddoc"))
    restricted = _flag(_text(el, "isrestricted")) is True
    return ModernGovItem(
        id=item_id,
        number=_number(el),
        order=order,
        title=title,
        # agendatext is HTML carried as escaped text: XML parsing has already given the HTML back.
        text=_text(el, "agendatext"),
        restricted=restricted,
        restriction=_item_restriction(el, docs),
        documents=docs,
        withdrawn=bool(_WITHDRAWN.search(title)),
    )


def _item_restriction(el: ET.Element, docs: tuple[LinkedDocument, ...]) -> str | None:
    # GUESS: the public fixtures show restrictionsRef only on linked documents, and only empty.
    # An item-level <restrictionsref> or <restrictedreason>, if a site sends one, is taken first;
    # else the first restricted paper's reference.
    for tag in ("restrictionsref", "restrictedreason", "exemptreason"):
        value = _clean(_text(el, tag))
        if value:
            return value
    for d in docs:
        if d.restricted and d.restriction:
            return d.restriction
    return None


def _document(el: ET.Element) -> LinkedDocument:
    return LinkedDocument(
        id=_text(el, "attachmentid") or None,
        title=_clean(_text(el, "title")),
        url=_text(el, "url") or None,
        restricted=_flag(_text(el, "isrestricted")) is True,
        restriction=_clean(_text(el, "restrictionsref")) or None,
    )
