"""The modern.gov web service client: plain HTTP GET, XML back, politely.

Every modern.gov site answers `<site>/mgWebService.asmx/<Operation>?<parameters>` with XML, no key
(the operation list: symroe/CouncillorData README.md; the parameters: DemocracyClub/LGSF
lgsf/minutes/scrapers.py and symroe/CouncillorData parameters.txt). We use three operations:

    GetCommittees                                    every committee: id, title, expired, deleted
    GetMeetings?lCommitteeId=&sFromDate=&sToDate=    one committee's meetings in a date window
    GetMeeting?lMeetingId=                           one meeting, its agenda items and their papers

Dates go as dd/mm/yyyy. An ISO date is not refused: the service ignores the window and answers with
every meeting (an NRLA Senedd monitor's regression test of GetAllMeetingsByDate: "ISO dates make the
service ignore the range"; a Lambeth budget note: an ISO window of four months returned "133 of
them, 2006 to 2026"). So the format is fixed here, and the answer is filtered by date again.

A council's site is shared public infrastructure, often slow: requests are spaced (min_interval),
time out (timeout), and are retried with backoff on network failures, time-outs, 429 and 502-504.
requests is imported lazily so `meetstream --help` never loads it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable
from urllib.parse import urlsplit

from meetstream.errors import CalendarError
from meetstream.adapters.moderngov.model import Committee, MeetingSummary, ModernGovMeeting
from meetstream.adapters.moderngov.parse import ShapeError, parse_committees, parse_meeting, parse_meetings
from meetstream.adapters.moderngov.xmlsafe import XmlRefused, parse_xml
from meetstream.net import is_loopback_host

log = logging.getLogger("meetstream.adapters.moderngov")

SERVICE = "mgWebService.asmx"
DATE_FORMAT = "%d/%m/%Y"
RETRY_STATUSES = (429, 502, 503, 504)
MAX_BYTES = 20_000_000  # a GetMeeting with every paper listed is a few hundred KB (Lambeth: 338 KB)
USER_AGENT = "meetstream (council meeting webcasts; reads the public modern.gov web service)"


class ModernGovError(CalendarError):
    """The modern.gov web service could not be reached, refused, or answered with something unreadable."""


class ModernGovTimeout(ModernGovError):
    """The site did not answer in time, every time we asked."""


class ModernGovXmlError(ModernGovError):
    """The answer was not well-formed XML of the expected shape, or declared what we never parse."""


@dataclass
class Counters:
    requests: int = 0  # HTTP requests sent, retries included
    retries: int = 0
    waited: float = 0.0  # seconds slept: backoff and spacing
    by_operation: dict[str, int] = field(default_factory=dict)


@dataclass
class ModernGovClient:
    """`base_url` is the site ("https://democracy.example.gov.uk") or its service URL
    (".../mgWebService.asmx"); a site in a folder ("https://x.gov.uk/democracy") works too."""

    base_url: str
    timeout: float = 30.0
    retries: int = 3  # after the first try
    backoff: float = 2.0  # seconds before the first retry; doubles each time
    max_backoff: float = 60.0
    min_interval: float = 1.0  # seconds between the starts of two requests to the site
    window_days: int = 366  # the longest date window asked of GetMeetings at once
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    session: Any = None
    user_agent: str = USER_AGENT
    counters: Counters = field(default_factory=Counters)
    _last: float | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        url = self.base_url.strip().rstrip("/")
        if url.lower().endswith("/" + SERVICE.lower()):
            url = url[: -len(SERVICE) - 1]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ModernGovError(f"moderngov base_url {self.base_url!r} is not a web address (use https://<site>)")
        if parts.scheme != "https" and not is_loopback_host(parts.hostname):
            raise ModernGovError(f"moderngov base_url {self.base_url} must be https (plain http is allowed only on loopback)")
        self.site = url
        self.service_url = f"{url}/{SERVICE}"
        if self.window_days < 1:
            raise ModernGovError("moderngov window_days must be at least 1")
        if self.session is None:
            import requests

            self.session = requests.Session()

    # --- operations ------------------------------------------------------------------------------

    def committees(self) -> list[Committee]:
        root = self._call("GetCommittees", {})
        return self._shape("GetCommittees", "", lambda: parse_committees(root))

    def meetings(self, committee_id: int, start: date, end: date) -> list[MeetingSummary]:
        """The committee's meetings from `start` to `end` (UK dates, both included). A window longer
        than window_days is asked for in parts, each part once."""
        start, end = _day(start), _day(end)
        if end < start:
            raise ModernGovError(f"moderngov: the window ends ({end}) before it starts ({start})")
        found: dict[int, MeetingSummary] = {}
        lo = start
        while lo <= end:
            hi = min(end, lo + timedelta(days=self.window_days - 1))
            params = {"lCommitteeId": str(int(committee_id)), "sFromDate": lo.strftime(DATE_FORMAT),
                      "sToDate": hi.strftime(DATE_FORMAT)}
            root = self._call("GetMeetings", params)
            listed = self._shape("GetMeetings", f" (committee {committee_id})", lambda: parse_meetings(root))
            for m in listed:
                # The site is the judge of its own window only in dd/mm/yyyy; we check again, so a
                # site that ignores the window cannot widen what we take.
                if lo <= _uk_day(m.start) <= hi and m.committee_id == int(committee_id):
                    found[m.id] = m
            lo = hi + timedelta(days=1)
        return sorted(found.values(), key=lambda m: (m.start, m.id))

    def meeting(self, meeting_id: int, committee: Committee | None = None) -> ModernGovMeeting:
        root = self._call("GetMeeting", {"lMeetingId": str(int(meeting_id))})
        return self._shape("GetMeeting", f" (meeting {meeting_id})", lambda: parse_meeting(root, committee))

    # --- HTTP ------------------------------------------------------------------------------------

    def _shape(self, operation: str, what: str, read):
        try:
            return read()
        except ShapeError as err:
            raise ModernGovXmlError(f"modern.gov {operation}{what} at {self._host()} answered XML we cannot read: {err}") from None

    def _host(self) -> str:
        return urlsplit(self.site).netloc

    def _space(self) -> None:
        # Politeness: never start two requests to the site closer together than min_interval,
        # retries included.
        if self._last is not None and self.min_interval > 0:
            wait = self._last + self.min_interval - self.clock()
            if wait > 0:
                self.counters.waited += wait
                self.sleep(wait)
        self._last = self.clock()

    def _call(self, operation: str, params: dict[str, str]):
        import requests

        url = f"{self.service_url}/{operation}"
        what = f"modern.gov {operation}" + (f" ({_describe(params)})" if params else "")
        attempt = 0
        while True:
            self._space()
            self.counters.requests += 1
            self.counters.by_operation[operation] = self.counters.by_operation.get(operation, 0) + 1
            problem, retry_after = None, None
            try:
                resp = self.session.get(url, params=params, timeout=self.timeout, stream=True,
                                        headers={"User-Agent": self.user_agent, "Accept": "text/xml, application/xml"})
                try:
                    status = resp.status_code
                    if status == 200:
                        body = _read_capped(resp)
                    elif status in RETRY_STATUSES:
                        problem = f"HTTP {status}"
                        retry_after = _seconds(resp.headers.get("Retry-After"))
                    else:
                        raise ModernGovError(f"{what} at {self._host()} answered HTTP {status}: {_first_line(resp)}")
                finally:
                    resp.close()
            except requests.Timeout:
                problem = f"no answer within {self.timeout:g} s"
            except requests.ConnectionError as err:
                problem = f"cannot connect ({_reason(err)})"
            except requests.RequestException as err:
                raise ModernGovError(f"{what} at {self._host()} failed: {type(err).__name__}") from None
            if problem is None:
                try:
                    return parse_xml(body)
                except XmlRefused as err:
                    raise ModernGovXmlError(f"{what} at {self._host()} sent malformed or unsafe XML: {err}") from None
            if attempt >= self.retries:
                tries = f"{attempt + 1} tr{'y' if attempt == 0 else 'ies'}"
                hint = "check moderngov base_url, the network, or try again later"
                cls = ModernGovTimeout if problem.startswith("no answer") else ModernGovError
                raise cls(f"{what} at {self._host()}: {problem} ({tries}); {hint}")
            wait = min(self.max_backoff, self.backoff * (2 ** attempt))
            if retry_after is not None:
                wait = min(self.max_backoff, max(wait, retry_after))
            attempt += 1
            self.counters.retries += 1
            self.counters.waited += wait
            log.info("%s: %s; retrying in %.1fs (attempt %d of %d)", what, problem, wait, attempt, self.retries)
            self.sleep(wait)


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return _uk_day(value) if value.tzinfo is not None else value.date()
    return value


def _uk_day(dt: datetime) -> date:
    from meetstream.adapters.moderngov.parse import LONDON

    return dt.astimezone(LONDON).date()


def _describe(params: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def _read_capped(resp) -> bytes:
    chunks, size = [], 0
    for chunk in resp.iter_content(65536):
        size += len(chunk)
        if size > MAX_BYTES:
            raise ModernGovXmlError(f"modern.gov sent more than {MAX_BYTES // 1_000_000} MB for one answer; refused")
        chunks.append(chunk)
    return b"".join(chunks)


def _first_line(resp) -> str:
    # ASMX answers a bad call with HTTP 500 and a .NET message ("System.InvalidOperationException:
    # Missing parameter: lCommitteeId."): its first line says what was wrong.
    try:
        text = resp.raw.read(2000, decode_content=True).decode("utf-8", "replace")
    except Exception:  # the body is only a courtesy in an error message
        text = ""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return (line[:200] + "...") if len(line) > 200 else (line or "no message")


def _reason(err: Exception) -> str:
    text = str(err)
    for key in ("Connection refused", "Name or service not known", "Temporary failure in name resolution",
                "Connection reset", "Read timed out", "certificate verify failed"):
        if key in text:
            return key
    return type(err).__name__


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
