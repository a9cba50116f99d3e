"""Dates, times and durations as a UK council page says them, in the council's zone.
English words on purpose: the system locale never changes what is published."""

from __future__ import annotations

from datetime import datetime

from meetstream.core.timefmt import local

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def long_date(dt: datetime, zone: str) -> str:
    """'Thursday 12 March 2026'."""
    d = local(dt, zone)
    return f"{DAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}"


def clock(dt: datetime, zone: str) -> str:
    """'6:30pm', '10am' (GOV.UK style), with the zone's abbreviation: '6:30pm GMT'."""
    d = local(dt, zone)
    h = d.hour % 12 or 12
    text = f"{h}:{d.minute:02d}" if d.minute else f"{h}"
    return f"{text}{'am' if d.hour < 12 else 'pm'} {d.tzname()}"


def when(dt: datetime, zone: str) -> str:
    return f"{long_date(dt, zone)}, {clock(dt, zone)}"


def month(dt: datetime, zone: str) -> str:
    d = local(dt, zone)
    return f"{MONTHS[d.month - 1]} {d.year}"


def iso_local(dt: datetime, zone: str) -> str:
    """For <time datetime=…>: the wall-clock time with its offset."""
    return local(dt, zone).isoformat(timespec="minutes")


def offset(seconds: int) -> str:
    """A moment in a video: '4:05', '1:02:09'."""
    h, rest = divmod(max(0, int(seconds)), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"

