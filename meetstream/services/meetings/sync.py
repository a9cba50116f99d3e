"""The calendar sync: Graph calendar -> meetings in the store.

    calendar = bootstrap.calendar(settings, state_path)   # or bootstrap.sandbox_calendar (rehearsal)
    summary = sync_calendar(store, settings, calendar)    # first run: a full round; then delta

The first sync reads the whole window (now - 1 day .. now + calendar.days_ahead) as the first
round of calendarView/delta, paging through @odata.nextLink, and keeps the delta link it ends
with (store.calendar_delta). Later syncs GET that link and see only what changed: edits,
cancellations (isCancelled) and removals (@removed). `sync_calendar(..., start=, end=)` reads an
explicit window with a plain calendarView ($select: only the fields used) and leaves the delta
link alone. An expired delta link (410, or a 40X syncStateNotFound/resyncRequired) means one new
full round, and the summary says so. A delta item that carries only what changed is read whole
first (batched). A group calendar has no delta in Graph v1.0: each sync reads its whole window
with calendarView and reconciles what is no longer there as removed.

Everything Graph returns is fetched before anything is written, and then written in one
transaction with the new delta link: a failed sync changes nothing, so no meeting and no delta
link is ever lost. A bad event never stops a sync: it is stored with a warning, or (when it has
no usable time at all) skipped and reported.

A meeting removed from the calendar is kept, marked cancelled with a warning, so the planner
cancels its broadcast and nothing about it is lost.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from meetstream.errors import CalendarError, DeltaExpired
from meetstream.ports import EventContext
from meetstream.store import DeltaState
from meetstream.core.timefmt import local, now_utc

log = logging.getLogger("meetstream.calendar")

REMOVED_WARNING = "removed from the calendar (deleted, or moved outside the sync window)"
ROLL_MARGIN = timedelta(days=7)  # start a new delta round when the window has slid this far


@dataclass
class SyncSummary:
    mode: str  # "full", "delta", "window"
    source: str
    start: datetime
    end: datetime
    events: int = 0  # items Graph returned (events and removals)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0  # newly cancelled in the calendar
    removed: int = 0  # newly removed from the calendar
    not_webcast: int = 0
    skipped: int = 0  # unusable events (no time at all)
    warnings: list[str] = field(default_factory=list)
    requests: int = 0
    retries: int = 0
    pages: int = 0
    seconds: float = 0.0
    note: str | None = None


def event_context(settings):
    """The roster and agenda overrides the events are read with (their YAML is checked here)."""
    from meetstream.services.meetings.overrides import load_overrides
    from meetstream.services.meetings.roster_file import load_roster
    return EventContext.from_settings(settings, load_roster(settings.roster), load_overrides(settings.agendas.overrides))


def default_window(settings, now: datetime | None = None) -> tuple[datetime, datetime]:
    now = now or now_utc()
    return now - timedelta(days=1), now + timedelta(days=settings.calendar.days_ahead)


def sync_calendar(store, settings, calendar, *, start: datetime | None = None,
                  end: datetime | None = None, now: datetime | None = None) -> SyncSummary:
    """Bring the store up to date with `calendar` (adapters.teams.calendar.GraphCalendar, from
    bootstrap.calendar). See the module docstring."""
    began = time.monotonic()
    ctx = event_context(settings)  # roster/agenda YAML errors surface before any request
    before = calendar.requests_made()
    source = calendar.source_key
    page_size = settings.calendar.page_size

    if start is not None or end is not None:
        w_start, w_end = start or default_window(settings, now)[0], end or default_window(settings, now)[1]
        if w_end <= w_start:
            raise CalendarError("--to must be after --from")
        events, pages = calendar.view(w_start, w_end, page_size)
        summary = SyncSummary("window", source, w_start, w_end, pages=pages)
        _apply(store, calendar, ctx, source, events, summary, reconcile=True)
    elif not calendar.has_delta:
        # No change tracking (a group calendar): every sync reads the whole window, paged, and
        # whatever is no longer in it is reconciled as removed, since nothing says "@removed".
        w_start, w_end = default_window(settings, now)
        events, pages = calendar.view(w_start, w_end, page_size)
        summary = SyncSummary("full", source, w_start, w_end, pages=pages)
        _apply(store, calendar, ctx, source, events, summary, reconcile=True)
    else:
        state = store.calendar_delta(source)
        want_start, want_end = default_window(settings, now)
        note = None
        if state and state.end < want_end - ROLL_MARGIN:
            state, note = None, "the sync window has moved on: read the whole calendar again"
        rnd = None
        if state:
            try:
                rnd = calendar.delta(link=state.link, page_size=page_size)
                summary = SyncSummary("delta", source, state.start, state.end)
            except DeltaExpired as err:
                # Once: a new round starts from nothing, so it cannot be expired; if it fails, that
                # failure is the error shown.
                log.info("delta link refused as expired: %s", err)
                note = "Graph expired the delta link: read the whole calendar again"
                rnd = None
        if rnd is None:
            rnd = calendar.delta(start=want_start, end=want_end, page_size=page_size)
            summary = SyncSummary("full", source, want_start, want_end)
        summary.note = note
        summary.pages = rnd.pages
        delta = DeltaState(source, rnd.delta_link, summary.start, summary.end)
        _apply(store, calendar, ctx, source, rnd.events, summary, reconcile=summary.mode == "full", delta=delta)

    after = calendar.requests_made()
    summary.requests, summary.retries = after[0] - before[0], after[1] - before[1]
    summary.seconds = time.monotonic() - began
    return summary


def _apply(store, calendar, ctx, source: str, events: list, summary: SyncSummary, *,
           reconcile: bool, delta: DeltaState | None = None) -> None:
    from meetstream.services.meetings.moderngov import keep_moderngov_facts

    summary.events = len(events)
    # Read (and whatever was only partly sent, read whole) before the write transaction: no
    # request while the store is locked.
    changes = calendar.changes(events, ctx)
    unread = {c.event_id for c in changes if c.kind == "unread"}  # keep the old delta link so they come again
    seen: set[str] = set(unread)  # not read is not removed
    with store.transaction():
        for c in changes:
            if c.kind in ("skipped", "unread"):
                summary.skipped += 1
                summary.warnings.append(c.warning)
                continue
            seen.add(c.event_id)
            if c.kind == "removed":
                if _mark_removed(store, c.event_id):
                    summary.removed += 1
                continue
            if c.kind == "ignored":
                continue
            existing = store.find_meeting(c.event_id)
            if c.kind == "not_webcast":
                summary.not_webcast += 1
                if existing is not None and existing.webcast:
                    store.upsert_meeting(replace(existing, webcast=False))
                continue
            m = keep_moderngov_facts(c.meeting, existing)
            result = store.upsert_meeting(m)
            store.mark_calendar_event(m.id, source, c.change_key)
            setattr(summary, result, getattr(summary, result) + 1)
            if m.cancelled and (existing is None or not existing.cancelled):
                summary.cancelled += 1
            if m.warnings and result != "unchanged":
                when = local(m.start, ctx.council_zone).strftime("%d %b %H:%M")
                summary.warnings.extend(f"{m.committee} {when}: {w}" for w in m.warnings)
        if reconcile:
            for meeting_id in store.calendar_event_ids(source) - seen:
                m = store.find_meeting(meeting_id)
                if m is not None and m.end > summary.start and m.start < summary.end and _mark_removed(store, meeting_id):
                    summary.removed += 1
        if delta is not None and not unread:
            store.set_calendar_delta(delta)


def _mark_removed(store, meeting_id: str) -> bool:
    m = store.find_meeting(meeting_id)
    if m is None or (m.cancelled and REMOVED_WARNING in m.warnings):
        return False
    store.upsert_meeting(replace(m, cancelled=True, warnings=m.warnings + (REMOVED_WARNING,)))
    return True


def sync_meetings(store, settings, calendar=None, moderngov=None, *, start: datetime | None = None,
                  end: datetime | None = None):
    """`calendar sync`: the Graph calendar (when handed one) and, with `agendas.source: moderngov`,
    the council's modern.gov site (its client handed in), joined. modern.gov is read first, so a
    site that cannot be read stops the sync before anything is written. Returns (SyncSummary or
    None, services.meetings.moderngov.ModernGovSummary or None)."""
    from meetstream.services.meetings.moderngov import apply_moderngov, read_moderngov

    found = read_moderngov(settings, moderngov) if moderngov is not None else None
    summary = sync_calendar(store, settings, calendar, start=start, end=end) if calendar is not None else None
    joined = apply_moderngov(store, settings, found) if found is not None else None
    # A cancellation seen once is not yet acted on: the next sync that still finds it cancelled
    # (or the officer) confirms it, and only then does `schedule` delete its broadcast.
    store.note_cancellations(store.clock())
    return summary, joined

