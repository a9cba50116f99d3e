"""A local modern.gov web service (mgWebService.asmx) for rehearsal and tests.

meetstream.adapters.moderngov talks to it unchanged over loopback HTTP. It serves, as plain GET with XML:

    GET /mgWebService.asmx/GetCommittees
    GET /mgWebService.asmx/GetMeetings?lCommitteeId=&sFromDate=dd/mm/yyyy&sToDate=dd/mm/yyyy
    GET /mgWebService.asmx/GetMeeting?lMeetingId=

The shapes follow real responses (DemocracyClub/LGSF lgsf/minutes/tests/fixtures/*.xml, Manchester;
copied to tests/fixtures/moderngov with their sources). Each rule below says where it comes from;
where nothing public shows the behaviour, it is marked GUESS.

What tests and rehearsal change between syncs: add_committee/add_meeting/add_item, renumber_item,
withdraw_item, restrict_item, move_meeting, cancel_meeting; and the site's manners: latency and
slow(), malformed(), respond_raw() (any bytes, e.g. an XML attack), window_limit_days, and the
request log (requests(), count()).

    sim = ModernGovSimulator.from_sample_council().start()   # the Graph sample council's meetings
    client = ModernGovClient(sim.url, min_interval=0)
    sim.stop()
"""

from __future__ import annotations

import copy
import html
import re
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from meetstream.sandbox.graph import SAMPLE_COUNCIL, _zone
from meetstream.sandbox.loopback import LoopbackServer

SERVICE = "/mgWebService.asmx"
LONDON = ZoneInfo("Europe/London")


@dataclass
class SimDocument:
    id: int
    title: str
    restricted: bool = False
    restriction: str = ""  # restrictionsRef


@dataclass
class SimItem:
    id: int
    number: str  # printed: fulldisplaynumberformat gets a full stop after it ("1.")
    title: str
    order: int  # agendaitemnumber
    text: str = ""  # HTML
    restricted: bool = False
    documents: list[SimDocument] = field(default_factory=list)


@dataclass
class SimMeeting:
    id: int
    committee_id: int
    day: date
    time: str | None  # as modern.gov writes it: "10.00 am", "6.30 pm"
    location: str = ""
    status: str = "Confirmed"
    webcast: bool = True
    agenda_published: bool = True
    items: list[SimItem] = field(default_factory=list)


@dataclass
class SimCommittee:
    id: int
    title: str
    category: str = "Committees"
    deleted: bool = False
    expired: bool = False


@dataclass
class Request:
    operation: str
    params: dict
    status: int
    at: float


class ModernGovSimulator(LoopbackServer):
    """The simulator. Thread-safe; every piece of state is inspectable and changeable by tests."""

    thread_name = "moderngov-simulator"

    def __init__(self, *, latency: float = 0.0, window_limit_days: int | None = None):
        self.latency = latency
        # GUESS: nothing public says modern.gov limits the GetMeetings window. Set, a longer window
        # is refused the way ASMX refuses a call (HTTP 500 with a .NET message), to test paging.
        self.window_limit_days = window_limit_days
        self.committees: dict[int, SimCommittee] = {}
        self.meetings: dict[int, SimMeeting] = {}
        self.log: list[Request] = []
        self.meta: dict = {}
        self._slow: list[float] = []
        self._fail: list[tuple[int, int | None]] = []
        self._raw: list[tuple[str | None, bytes]] = []  # (operation or None for any, body)
        self._ids = {"committee": 100, "meeting": 1000, "item": 5000, "document": 60000}
        self._lock = threading.RLock()

    # --- running ---------------------------------------------------------------------------------

    def _handler_class(self):
        return _Handler

    @property
    def url(self) -> str:
        """The site (use as moderngov base_url)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        return self.url + SERVICE

    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    # --- data ------------------------------------------------------------------------------------

    def add_committee(self, title: str, *, id: int | None = None, expired: bool = False,
                      deleted: bool = False, category: str = "Committees") -> int:
        with self._lock:
            cid = id if id is not None else self._next("committee")
            self.committees[cid] = SimCommittee(cid, title, category, deleted, expired)
            return cid

    def committee_id(self, title: str) -> int:
        for c in self.committees.values():
            if c.title == title and not c.expired and not c.deleted:
                return c.id
        raise KeyError(title)

    def add_meeting(self, committee: int | str, start: datetime, *, location: str = "",
                    items: list | None = None, status: str = "Confirmed", webcast: bool = True,
                    agenda_published: bool | None = None, time_known: bool = True) -> int:
        """`start`: naive UK local time, or aware (converted to UK local). `items`: strings
        "5. Title" / "Part 2 heading", or dicts {number, title, restricted, reason, text, papers}."""
        with self._lock:
            cid = committee if isinstance(committee, int) else self.committee_id(committee)
            local = start.astimezone(LONDON) if start.tzinfo else start
            mid = self._next("meeting")
            m = SimMeeting(mid, cid, local.date(), _clock(local) if time_known else None, location, status, webcast,
                           bool(items) if agenda_published is None else agenda_published)
            self.meetings[mid] = m
            for spec in items or []:
                self.add_item(mid, spec)
            return mid

    def add_item(self, meeting_id: int, spec: str | dict) -> int:
        with self._lock:
            m = self.meetings[meeting_id]
            if isinstance(spec, str):
                spec = _item_spec(spec)
            item = SimItem(self._next("item"), str(spec.get("number", "")), spec["title"],
                           order=(max((i.order for i in m.items), default=0) + 1), text=spec.get("text", ""),
                           restricted=bool(spec.get("restricted")))
            for paper in spec.get("papers", []):
                paper = {"title": paper} if isinstance(paper, str) else paper
                item.documents.append(SimDocument(self._next("document"), paper["title"], bool(paper.get("restricted")),
                                                  paper.get("reason", "")))
            if item.restricted and spec.get("reason") and not any(d.restricted for d in item.documents):
                # GUESS: where a site gives a restricted item's reason is not shown publicly; here
                # it rides on a restricted paper's restrictionsRef, the one field that exists for it.
                item.documents.append(SimDocument(self._next("document"), "Exempt report", True, spec["reason"]))
            m.items.append(item)
            return item.id

    def item(self, meeting_id: int, number: str) -> SimItem:
        for it in self.meetings[meeting_id].items:
            if it.number == number:
                return it
        raise KeyError(number)

    # What officers do in modern.gov between two syncs -----------------------------------------

    def renumber_item(self, meeting_id: int, item_id: int, number: str) -> None:
        """The item keeps its agendaitemid and its place; only the printed number changes
        (fulldisplaynumberformat and agendaitemnumber are separate fields: Manchester fixture)."""
        with self._lock:
            next(i for i in self.meetings[meeting_id].items if i.id == item_id).number = number

    def withdraw_item(self, meeting_id: int, item_id: int, *, remove: bool = False) -> None:
        """GUESS: a withdrawn item either disappears from the agenda (remove=True) or stays with
        "WITHDRAWN" before its title, as councils write it on their agenda pages."""
        with self._lock:
            m = self.meetings[meeting_id]
            it = next(i for i in m.items if i.id == item_id)
            if remove:
                m.items.remove(it)
            else:
                it.title = f"WITHDRAWN - {it.title}"

    def restrict_item(self, meeting_id: int, item_id: int, restricted: bool = True, reason: str = "") -> None:
        with self._lock:
            it = next(i for i in self.meetings[meeting_id].items if i.id == item_id)
            it.restricted = restricted
            if reason:
                it.documents.append(SimDocument(self._next("document"), "Exempt report", restricted, reason))

    def move_meeting(self, meeting_id: int, start: datetime, *, location: str | None = None, status: str | None = None) -> None:
        """GUESS: a moved meeting keeps its meetingid with a new date and time (the officer edits
        the meeting); `status` lets a test add words like "Rescheduled" as some councils do."""
        with self._lock:
            m = self.meetings[meeting_id]
            local = start.astimezone(LONDON) if start.tzinfo else start
            m.day, m.time = local.date(), _clock(local)
            if location is not None:
                m.location = location
            if status is not None:
                m.status = status

    def cancel_meeting(self, meeting_id: int) -> None:
        """meetingstatus "Cancelled", the meeting still listed (Manchester: meeting 4966)."""
        with self._lock:
            self.meetings[meeting_id].status = "Cancelled"

    # The site's manners -------------------------------------------------------------------------

    def slow(self, seconds: float, count: int = 1) -> None:
        """The next `count` requests take `seconds` longer to answer."""
        with self._lock:
            self._slow.extend([seconds] * count)

    def fail(self, count: int = 1, status: int = 503, retry_after: int | None = None) -> None:
        """The next `count` requests get `status` (an overloaded site: 503 from IIS, 429 from a
        firewall in front of it; GUESS which a given council's site sends)."""
        with self._lock:
            self._fail.extend([(status, retry_after)] * count)

    def malformed(self, count: int = 1, operation: str | None = None) -> None:
        """The next `count` answers (to `operation`, or any) are cut off mid-element."""
        with self._lock:
            self._raw.extend([(operation, b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<meeting><meetingid>1</meet")] * count)

    def respond_raw(self, body: bytes, operation: str | None = None) -> None:
        """The next answer (to `operation`, or any) is `body` with status 200, whatever was asked."""
        with self._lock:
            self._raw.append((operation, body))

    def requests(self, operation: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.log if operation is None or r.operation == operation]

    def count(self, operation: str | None = None) -> int:
        return len(self.requests(operation))

    def reset_log(self) -> None:
        with self._lock:
            self.log.clear()

    # --- loading ---------------------------------------------------------------------------------

    @classmethod
    def from_sample_council(cls, path: Path | str = SAMPLE_COUNCIL, *, today: date | None = None, **kw) -> "ModernGovSimulator":
        """The committees and meetings of the Graph simulator's sample council, so a rehearsal can
        join the two by committee name and start time: every webcast, timed event becomes a
        meeting of a committee named as its subject, on the same day and time, with the same
        agenda. An agenda line "(exempt: paragraph N ...)" becomes modern.gov's restricted flag
        with "Paragraph N" as its reason, and leaves the title (modern.gov keeps the reason out of
        the title: GUESS); a line with no number becomes an unnumbered heading entry (GUESS)."""
        import yaml

        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        sim = cls(**kw)
        sim.load(data, today=today)
        return sim

    def load(self, data: dict, *, today: date | None = None) -> list[int]:
        today = today or datetime.now(ZoneInfo(data.get("timezone", "Europe/London"))).date()
        self.meta = {k: v for k, v in data.items() if k not in ("events", "people")}
        added = []
        for spec in data.get("events", []):
            if spec.get("all_day") or "Webcast" not in spec.get("categories", ["Webcast"]):
                continue
            title = spec["subject"]
            try:
                cid = self.committee_id(title)
            except KeyError:
                cid = self.add_committee(title)
            day = date.fromisoformat(str(spec["date"])) if spec.get("date") else today + timedelta(days=int(spec.get("in_days", 0)))
            hh, mm = (int(x) for x in str(spec.get("time", "18:30")).split(":"))
            local = datetime(day.year, day.month, day.day, hh, mm, tzinfo=_zone(spec.get("zone", "Europe/London")))
            lines = list(spec.get("agenda") or [])
            if not lines and spec.get("body"):
                lines = [ln.strip() for ln in str(spec["body"]).splitlines()[1:] if ln.strip()]
            rec = spec.get("recurrence") or {}
            repeats = int(rec.get("count", 1)) if rec else 1
            step = timedelta(weeks=int(rec.get("interval", 1))) if rec.get("type", "weekly") == "weekly" else timedelta(days=int(rec.get("interval", 1)))
            for n in range(repeats):
                at = (local + step * n).astimezone(LONDON).replace(tzinfo=None)
                added.append(self.add_meeting(cid, at, location=spec.get("location") or "", items=lines,
                                              status="Cancelled" if spec.get("cancelled") else "Confirmed"))
        return added

    def populate(self, *, committees: int = 10, start: date, months: int = 12, items: int = 6) -> list[int]:
        """A council of `committees` committees meeting monthly from `start` (for request counts)."""
        ids = []
        for c in range(1, committees + 1):
            cid = self.add_committee(f"Committee {c}")
            for k in range(months):
                y, mth = divmod(start.month - 1 + k, 12)
                day = date(start.year + y, mth + 1, min(start.day + c, 28))
                ids.append(self.add_meeting(cid, datetime(day.year, day.month, day.day, 18, 30), location="Council Chamber",
                                            items=[f"{n}. Item {n}" for n in range(1, items + 1)]))
        return ids

    # --- serving ---------------------------------------------------------------------------------

    def handle(self, raw_path: str) -> tuple[int, str, bytes, dict]:
        """One GET -> (status, content type, body, extra headers)."""
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        # GUESS: ASP.NET binds query parameters case-insensitively (symroe/CouncillorData's notes
        # write lCommitteeID where LGSF writes lCommitteeId; both are said to work).
        query = {k.lower(): v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        operation = path[len(SERVICE) + 1:] if path.lower().startswith(SERVICE.lower() + "/") else ""
        with self._lock:
            delay = self.latency + (self._slow.pop(0) if self._slow else 0.0)
            failing = self._fail.pop(0) if self._fail else None
            raw = None
            if failing is None:
                raw = next(((i, b) for i, (op, b) in enumerate(self._raw) if op in (None, operation)), None)
                if raw is not None:
                    del self._raw[raw[0]]
        if delay:
            time.sleep(delay)
        headers: dict = {}
        if failing is not None:
            status, ctype, body = failing[0], "text/html; charset=utf-8", b"<html><body>Service Unavailable</body></html>"
            if failing[1] is not None:
                headers["Retry-After"] = str(failing[1])
        elif raw is not None:
            status, ctype, body = 200, "text/xml; charset=utf-8", raw[1]
        else:
            try:
                with self._lock:
                    status, ctype, body = 200, "text/xml; charset=utf-8", self._operation(operation, query)
            except _AsmxError as err:
                # GUESS (ASP.NET web services): a bad call is HTTP 500 with the .NET message as text.
                status, ctype, body = 500, "text/plain; charset=utf-8", str(err).encode()
        with self._lock:
            self.log.append(Request(operation or path, query, status, time.monotonic()))
        return status, ctype, body, headers

    def _operation(self, operation: str, query: dict) -> bytes:
        if operation == "GetCommittees":
            return _xml(self._committees())
        if operation == "GetMeetings":
            return _xml(self._meetings(query))
        if operation == "GetMeeting":
            return _xml(self._meeting(query))
        raise _AsmxError(f"System.InvalidOperationException: Request format is unrecognized for URL unexpectedly ending in '/{operation}'.")

    def _committees(self) -> ET.Element:
        # Shape: LGSF committees.xml. The count carries a leading space there too.
        root = ET.Element("committees")
        _sub(root, "committeescount", f" {len(self.committees)}")
        for c in self.committees.values():
            el = _sub(root, "committee")
            _sub(el, "committeeid", str(c.id))
            _sub(el, "committeetitle", _twice(c.title))
            _sub(el, "committeedeleted", _bool(c.deleted))
            _sub(el, "committeeexpired", _bool(c.expired))
            _sub(el, "committeecategory", _twice(c.category))
        return root

    def _meetings(self, query: dict) -> ET.Element:
        # Shape: LGSF meetings.xml (getmeetings > committee > committeemeetings > meeting).
        for name in ("lcommitteeid", "sfromdate", "stodate"):
            if name not in query:
                # jadu/modgov-mcp-cloudflare: the server "requires both sFromDate and sToDate even
                # though WSDL shows them as optional"; the wording of the refusal is a GUESS.
                proper = {"lcommitteeid": "lCommitteeId", "sfromdate": "sFromDate", "stodate": "sToDate"}[name]
                raise _AsmxError(f"System.InvalidOperationException: Missing parameter: {proper}.")
        try:
            cid = int(query["lcommitteeid"])
        except ValueError:
            raise _AsmxError("System.ArgumentException: Cannot convert to System.Int32.\r\nParameter name: type") from None
        lo, hi = _uk_date(query["sfromdate"]), _uk_date(query["stodate"])
        if lo and hi and self.window_limit_days and (hi - lo).days + 1 > self.window_limit_days:
            raise _AsmxError(f"System.ArgumentException: date range longer than {self.window_limit_days} days.")
        root = ET.Element("getmeetings")
        c = self.committees.get(cid)
        chosen = []
        if c is not None:
            for m in sorted(self.meetings.values(), key=lambda m: (m.day, m.id)):
                # A window in any format but dd/mm/yyyy is ignored, every meeting answered (the
                # Senedd monitor's and the Lambeth note's findings, quoted in moderngov/client.py).
                if m.committee_id == cid and (lo is None or hi is None or lo <= m.day <= hi):
                    chosen.append(m)
        _sub(root, "meetingscount", f" {len(chosen)}")
        _sub(root, "committeescount", f" {1 if c is not None else 0}")
        if c is not None:
            el = _sub(root, "committee")
            _sub(el, "committeeid", str(c.id))
            _sub(el, "committeetitle", _twice(c.title))
            _sub(el, "committeemeetingcount", f" {len(chosen)}")
            holder = _sub(el, "committeemeetings")
            for m in chosen:
                me = _sub(holder, "meeting")
                _sub(me, "meetingid", str(m.id))
                _sub(me, "meetingdate", m.day.strftime("%d/%m/%Y"))
                _sub(me, "meetingstatus", m.status)
                _sub(me, "meetingtime", m.time or "\n      ")
                _sub(me, "iswebcast", _bool(m.webcast))
        return root

    def _meeting(self, query: dict) -> ET.Element:
        # Shape: LGSF meeting_with_minutes.xml / meeting_no_minutes.xml; the fields meetstream
        # does not read (attendees, minutes) are left out.
        if "lmeetingid" not in query:
            raise _AsmxError("System.InvalidOperationException: Missing parameter: lMeetingId.")
        try:
            m = self.meetings.get(int(query["lmeetingid"]))
        except ValueError:
            raise _AsmxError("System.ArgumentException: Cannot convert to System.Int32.\r\nParameter name: type") from None
        root = ET.Element("meeting")
        if m is None:
            return root  # GUESS: an unknown id answers an empty meeting
        committee = self.committees.get(m.committee_id)
        _sub(root, "meetingid", str(m.id))
        _sub(root, "meetingdate", m.day.strftime("%d/%m/%Y"))
        _sub(root, "meetingstatus", m.status)
        _sub(root, "isdisplayallowed", "True")
        _sub(root, "meetingtime", m.time or "\n  ")
        _sub(root, "meetinglocation", _twice(m.location))
        _sub(root, "iswebcast", _bool(m.webcast))
        _sub(root, "agendaid", str(m.id))
        _sub(root, "agendapublished", _bool(m.agenda_published))
        holder = _sub(root, "agendaitems")
        if m.agenda_published:
            for it in m.items:
                el = _sub(holder, "agendaitem")
                _sub(el, "agendaitemid", str(it.id))
                _sub(el, "agendaitemtitle", _twice(it.title))
                _sub(el, "agendatext", it.text)
                _sub(el, "agendaitemnumber", str(it.order))
                _sub(el, "agendaitemsubnumber", "\n      ")
                _sub(el, "fulldisplaynumberformat", f"{it.number}." if it.number else "\n      ")
                _sub(el, "isrestricted", _bool(it.restricted))
                _sub(el, "meetingdate", m.day.strftime("%d/%m/%Y"))
                _sub(el, "meetingtime", m.time or "")
                _sub(el, "refertocommittee", _twice(committee.title if committee else ""))
                docs = _sub(el, "linkeddocuments")
                for d in it.documents:
                    de = _sub(docs, "linkeddoc")
                    _sub(de, "attachmentid", str(d.id))
                    _sub(de, "title", _twice(d.title))
                    _sub(de, "isurl", "False")
                    _sub(de, "url", f"{self.url}/mgConvert2PDF.aspx?ID={d.id}")
                    _sub(de, "isrestricted", _bool(d.restricted))
                    _sub(de, "restrictionsRef", d.restriction or "\n          ")
                    _sub(de, "committeetitle", _twice(committee.title if committee else ""))
        return root

    def snapshot(self) -> dict:
        """A deep copy of committees and meetings (tests compare before and after a change)."""
        with self._lock:
            return {"committees": copy.deepcopy(self.committees), "meetings": copy.deepcopy(self.meetings)}


class _AsmxError(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    simulator: ModernGovSimulator
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one write: sent apart, the client's delayed ACK holds the body
    # back ~40 ms on every keep-alive request.
    wbufsize = 1 << 16

    def log_message(self, *args) -> None:  # quiet: tests and rehearsal read sim.log instead
        pass

    def do_GET(self):
        try:
            status, ctype, body, headers = self.simulator.handle(self.path)
        except Exception as err:  # a simulator bug must still answer
            status, ctype, body, headers = 500, "text/plain; charset=utf-8", f"simulator error: {type(err).__name__}: {err}".encode(), {}
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a time-out test): nothing to answer


# --- helpers ---------------------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def _bool(value: bool) -> str:
    return "True" if value else "False"  # .NET's Boolean.ToString(), as in every fixture


def _twice(text: str) -> str:
    # modern.gov HTML-escapes text before XML escapes it again ("Fees &amp;amp; Charges": see
    # meetstream/moderngov/parse.py for the two public sources).
    return html.escape(text or "", quote=False)


def _clock(local: datetime) -> str:
    # "10.00 am" (Manchester). GUESS: hours are not zero-padded ("6.30 pm").
    hour = local.hour % 12 or 12
    return f"{hour}.{local.minute:02d} {'am' if local.hour < 12 else 'pm'}"


def _uk_date(text: str) -> date | None:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


_LINE = re.compile(r"^(?P<num>\d{1,3}[a-z]?)\s*[.)]\s+(?P<title>.+)$", re.I)
_EXEMPT = re.compile(r"\s*\(exempt:?\s*paragraph\s+(?P<para>\d+)[^)]*\)\s*$", re.I)


def _item_spec(line: str) -> dict:
    m = _LINE.match(line.strip())
    if m is None:
        return {"number": "", "title": line.strip()}
    title = m.group("title").strip()
    ex = _EXEMPT.search(title)
    if ex:
        return {"number": m.group("num"), "title": title[: ex.start()].strip(), "restricted": True,
                "reason": f"Paragraph {ex.group('para')}"}
    return {"number": m.group("num"), "title": title}
