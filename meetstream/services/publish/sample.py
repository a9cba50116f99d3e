"""A year of sample meetings in a store: for the publish bench, the browser tests and for trying
`meetstream publish` / `meetstream report` before a real year exists. Deterministic (seeded).

Every meeting has public items and one exempt item whose title is EXEMPT_TITLE_PREFIX…: a test
searches the written files for it, and it must never be found.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from meetstream.core.domain import AgendaItem, Broadcast, Meeting, TimelineEntry

LONDON = ZoneInfo("Europe/London")
EXEMPT_TITLE_PREFIX = "CONFIDENTIAL staffing matter"
COMMITTEES = ("Full Council", "Planning Committee", "Licensing Committee", "Cabinet", "Audit and Governance Committee",
              "Overview and Scrutiny Committee", "Standards Committee", "Health and Wellbeing Board",
              "Housing Committee", "Environment Committee", "Finance Committee", "Appeals Panel")
PUBLIC_ITEMS = ("Apologies for absence", "Declarations of interest", "Minutes of the last meeting",
                "Public questions", "Planning application 24/00123/FUL: land at Mill Lane",
                "Annual budget monitoring report", "Review of the licensing policy", "Any other business")


def fill_year(store, *, committees: int = 10, start: datetime | None = None, meetings_each: int = 12,
              now: datetime | None = None, seed: int = 14) -> int:
    """`meetings_each` meetings a year for each of `committees` committees, from `start`, at
    6:30pm UK time; those before `now` held (timeline with items, a private session, now and
    then an incident), one in twenty cancelled. Returns the number of meetings written."""
    rng = random.Random(seed)
    start = start or datetime(2025, 4, 1, tzinfo=timezone.utc)
    now = now or start + timedelta(days=300)
    n = 0
    with store.transaction():
        for c in range(committees):
            name = COMMITTEES[c % len(COMMITTEES)] + ("" if c < len(COMMITTEES) else f" {c // len(COMMITTEES) + 1}")
            for k in range(meetings_each):
                day = (start + timedelta(days=int(k * 365 / meetings_each) + c * 2)).astimezone(LONDON).date()
                begin = datetime.combine(day, time(18, 30), LONDON).astimezone(timezone.utc)
                mid = f"sample-{c:02d}-{k:02d}"
                agenda = tuple(AgendaItem(str(i + 1), t) for i, t in enumerate(PUBLIC_ITEMS[:6])) + (
                    AgendaItem("7", f"{EXEMPT_TITLE_PREFIX} {mid}", exempt=True, reason="paragraph 1"),
                    AgendaItem("8", PUBLIC_ITEMS[-1]))
                cancelled = rng.random() < 0.05
                m = Meeting(id=mid, committee=name, start=begin, end=begin + timedelta(hours=2, minutes=30),
                            room="chamber", cancelled=cancelled, agenda=agenda)
                store.upsert_meeting(m)
                bid = f"vid{c:02d}{k:02d}{rng.randrange(16 ** 4):04x}"[:11]
                store.save_broadcast(Broadcast(mid, bid, "stream-chamber", name, begin, "public",
                                               "complete" if begin < now else "ready"))
                if begin < now and not cancelled:
                    _night(store, m, bid, rng)
                n += 1
    return n


def _night(store, m: Meeting, broadcast_id: str, rng: random.Random) -> None:
    at = m.start + timedelta(seconds=rng.randrange(-120, 420))
    entries = [TimelineEntry(m.id, at - timedelta(minutes=5), "holding"),
               TimelineEntry(m.id, at, "start", detail={"broadcast_id": broadcast_id})]
    at += timedelta(minutes=2)
    for item in m.agenda:
        if item.exempt:
            entries.append(TimelineEntry(m.id, at, "private", item.number, {"title": item.public_title()}))
            at += timedelta(minutes=rng.randrange(5, 25))
            continue
        kind = "public" if entries[-1].kind == "private" else "item"
        if kind == "public":
            entries.append(TimelineEntry(m.id, at, "item", item.number, {"title": item.public_title()}))
            at += timedelta(seconds=5)
        entries.append(TimelineEntry(m.id, at, "item" if kind == "item" else "public", item.number, {"title": item.public_title()}))
        if rng.random() < 0.08:
            entries.append(TimelineEntry(m.id, at + timedelta(seconds=30), "incident", item.number,
                                         {"what": "stream output stopped: viewers see nothing", "outage": "start"}))
            entries.append(TimelineEntry(m.id, at + timedelta(seconds=50), "incident", item.number,
                                         {"what": "stream output back after 20 s", "outage": "end", "seconds": 20.0}))
        at += timedelta(minutes=rng.randrange(3, 30))
    entries.append(TimelineEntry(m.id, at, "adjourned"))
    entries.append(TimelineEntry(m.id, at + timedelta(seconds=40), "end"))
    for e in entries:
        store.append_timeline(e)
