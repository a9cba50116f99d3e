"""Times, in one place: stored and sent in UTC as "2026-12-03T18:30:00Z", shown in the council's zone.

    utc_text(dt)            aware datetime -> "YYYY-MM-DDTHH:MM:SSZ" (the store, Graph, YouTube)
    parse_utc(text)         that text (or any ISO time with an offset) -> aware UTC datetime
    now_utc()               now, in UTC, to the second
    local(dt, zone)         dt in the council's zone (an IANA name such as "Europe/London")
    local_midnight(d, zone) the UTC instant at which day `d` begins in that zone

Pure standard library: the core and every adapter may import it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo


def utc_text(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("naive datetime: meetstream keeps only aware UTC times")
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def local(dt: datetime, zone: str | ZoneInfo) -> datetime:
    """`dt` as the clock on the wall in `zone` shows it (ZoneInfo caches zones: cheap to call)."""
    return dt.astimezone(zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone))


def local_midnight(day: date, zone: str | ZoneInfo) -> datetime:
    """The UTC instant at which `day` begins in `zone` (a council's "from" and "to" dates)."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    return datetime.combine(day, time(0), tz).astimezone(timezone.utc)
