"""The calendar service: Graph calendar -> meetings in the store; join links out to members.

    calendar = open_calendar(settings, state_path)        # composition root (msal + requests)
    summary = sync_calendar(store, settings, calendar)    # first run: a full round; then delta

The first sync reads the whole window (now - 1 day .. now + calendar.days_ahead) as the first
round of calendarView/delta, paging through @odata.nextLink, and keeps the delta link it ends
with. Later syncs GET that link and see only what changed: edits, cancellations (isCancelled)
and removals (@removed). `sync_calendar(..., start=, end=)` reads an explicit window with a plain
calendarView ($select: only the fields used) and leaves the delta link alone.

Everything Graph returns is fetched before anything is written, and then written in one
transaction with the new delta link: a failed sync changes nothing, so no meeting and no delta
link is ever lost. A bad event never stops a sync: it is stored with a warning, or (when it has
no usable time at all) skipped and reported.

A meeting removed from the calendar is kept, marked cancelled with a warning, so the planner
cancels its broadcast and nothing about it is lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from meetstream.domain import Meeting, Member
from meetstream.errors import CalendarError, StateError
from meetstream.store import Store, now_utc

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

    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d["start"], d["end"] = self.start.isoformat(), self.end.isoformat()
        return d


def open_calendar(settings, state_path: Path | None, *, sleep=None, cache_path: Path | None = None):
    """The real adapters from config: msal auth, the Graph client, the configured calendar."""
    from meetstream.teams.auth import GraphAuth, token_cache_path
    from meetstream.teams.calendar import GraphCalendar
    from meetstream.teams.http import GraphClient

    cfg = settings.calendar
    auth = GraphAuth(cfg, cache_path or token_cache_path(state_path))
    kw = {"sleep": sleep} if sleep is not None else {}
    client = GraphClient(cfg.graph_url, auth.token, **kw)
    return GraphCalendar(client, cfg)


def sync_sandbox(store: Store, settings, sim, state_path: Path | None):
    """Rehearsal: point the calendar at a running Graph simulator, sign in to it, and sync.

    Returns (settings pointing at the simulator, SyncSummary). The simulator's tokens go in a
    cache of their own beside the state store, never in the real Microsoft token cache.
    The simulator should run with device_interval=0 (its device code is approved at once).
    """
    from meetstream.teams.auth import GraphAuth, token_cache_path

    cfg = settings.calendar.model_copy(update=sim.calendar_settings())
    settings = settings.model_copy(update={"calendar": cfg})
    cache = token_cache_path(state_path).with_name("msal-sandbox-cache.bin")
    GraphAuth(cfg, cache).sign_in_device(lambda message: None)
    return settings, sync_calendar(store, settings, open_calendar(settings, state_path, cache_path=cache))


def event_context(settings):
    from meetstream.agenda import load_overrides
    from meetstream.roster import load_roster
    from meetstream.teams.events import EventContext

    return EventContext.from_settings(settings, load_roster(settings.roster), load_overrides(settings.agendas))


def default_window(settings, now: datetime | None = None) -> tuple[datetime, datetime]:
    now = now or now_utc()
    return now - timedelta(days=1), now + timedelta(days=settings.calendar.days_ahead)


def _delta_key(source: str) -> str:
    return f"graph.delta:{source}"


def sync_calendar(store: Store, settings, calendar, *, start: datetime | None = None, end: datetime | None = None,
                  now: datetime | None = None) -> SyncSummary:
    """Bring the store up to date with the calendar. See the module docstring."""
    from meetstream.teams.http import DeltaExpired

    began = time.monotonic()
    counters = calendar.client.counters
    before = (counters.requests, counters.retries)
    ctx = event_context(settings)  # roster/agenda YAML errors surface before any request
    source = calendar.source_key
    page_size = settings.calendar.page_size

    if start is not None or end is not None:
        w_start, w_end = start or default_window(settings, now)[0], end or default_window(settings, now)[1]
        if w_end <= w_start:
            raise CalendarError("--to must be after --from")
        events, pages = calendar.view(w_start, w_end, page_size)
        summary = SyncSummary("window", source, w_start, w_end, pages=pages)
        _apply(store, calendar, ctx, source, events, summary, reconcile=True)
    else:
        stored = store.get_value(_delta_key(source))
        state = json.loads(stored) if stored else None
        want_start, want_end = default_window(settings, now)
        note = None
        if state and datetime.fromisoformat(state["end"]) < want_end - ROLL_MARGIN:
            state, note = None, "the sync window has moved on: read the whole calendar again"
        rnd = None
        if state:
            try:
                rnd = calendar.delta(link=state["link"], page_size=page_size)
                summary = SyncSummary("delta", source, datetime.fromisoformat(state["start"]), datetime.fromisoformat(state["end"]))
            except DeltaExpired:
                note = "Graph expired the delta link: read the whole calendar again"
                rnd = None
        if rnd is None:
            rnd = calendar.delta(start=want_start, end=want_end, page_size=page_size)
            summary = SyncSummary("full", source, want_start, want_end)
        summary.note = note
        summary.pages = rnd.pages
        link = json.dumps({"link": rnd.delta_link, "start": summary.start.isoformat(), "end": summary.end.isoformat()})
        _apply(store, calendar, ctx, source, rnd.events, summary, reconcile=summary.mode == "full", delta_link=link)

    summary.requests = counters.requests - before[0]
    summary.retries = counters.retries - before[1]
    summary.seconds = time.monotonic() - began
    return summary


def _apply(store: Store, calendar, ctx, source: str, events: list[dict], summary: SyncSummary, *,
           reconcile: bool, delta_link: str | None = None) -> None:
    from meetstream.teams.events import event_to_meeting, is_webcast, subject_of

    summary.events = len(events)
    # Partial delta items (Graph may send only the changed properties) are read whole first,
    # before the write transaction, so no request happens while the store is locked.
    full: list[dict] = []
    for ev in events:
        if isinstance(ev, dict) and "@removed" not in ev and ev.get("id") and "start" not in ev:
            try:
                ev = calendar.get_event(ev["id"])
            except CalendarError as err:
                summary.skipped += 1
                summary.warnings.append(f"event {ev['id'][:12]}…: could not be read ({err})")
                continue
        full.append(ev)

    seen: set[str] = set()
    with store.transaction():
        for ev in full:
            if not isinstance(ev, dict) or not ev.get("id"):
                summary.skipped += 1
                summary.warnings.append("Graph sent an event without an id; skipped")
                continue
            seen.add(ev["id"])
            if "@removed" in ev:
                if _mark_removed(store, ev["id"]):
                    summary.removed += 1
                continue
            if ev.get("type") == "seriesMaster":
                continue  # calendarView gives the occurrences; the master is not a meeting
            existing = store.find_meeting(ev["id"])
            if not is_webcast(ev, ctx):
                summary.not_webcast += 1
                if existing is not None and existing.webcast:
                    store.upsert_meeting(replace(existing, webcast=False))
                continue
            try:
                m = event_to_meeting(ev, ctx)
            except Exception as err:  # never crash the sync on one event
                summary.skipped += 1
                summary.warnings.append(f"{subject_of(ev) or ev['id'][:12] + '…'}: skipped: {err}")
                continue
            result = store.upsert_meeting(m)
            store.mark_calendar_event(m.id, source, ev.get("changeKey"))
            setattr(summary, result, getattr(summary, result) + 1)
            if m.cancelled and (existing is None or not existing.cancelled):
                summary.cancelled += 1
            if m.warnings and result != "unchanged":
                local = m.start.astimezone(ZoneInfo(ctx.council_zone)).strftime("%d %b %H:%M")
                summary.warnings.extend(f"{m.committee} {local}: {w}" for w in m.warnings)
        if reconcile:
            for meeting_id in store.calendar_event_ids(source) - seen:
                m = store.find_meeting(meeting_id)
                if m is not None and m.end > summary.start and m.start < summary.end and _mark_removed(store, meeting_id):
                    summary.removed += 1
        if delta_link is not None:
            store.set_value(_delta_key(source), delta_link)


def _mark_removed(store: Store, meeting_id: str) -> bool:
    m = store.find_meeting(meeting_id)
    if m is None or (m.cancelled and REMOVED_WARNING in m.warnings):
        return False
    store.upsert_meeting(replace(m, cancelled=True, warnings=m.warnings + (REMOVED_WARNING,)))
    return True


# --- finding a meeting from the command line -----------------------------------------------------


def short_ref(meeting_id: str) -> str:
    """A six-character handle for a Graph id (they are 150 characters and share long prefixes)."""
    return hashlib.sha1(meeting_id.encode()).hexdigest()[:6]


def resolve_meeting(store: Store, ref: str, zone: str = "Europe/London") -> Meeting:
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
        hits = [x for x in every if x.start.astimezone(ZoneInfo(zone)).date() == day
                and all(w in x.committee.casefold() for w in words)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            names = ", ".join(f"{short_ref(h.id)} {h.committee}" for h in hits)
            raise StateError(f"{ref!r} matches more than one meeting ({names}); use the ref")
    raise StateError(f"no meeting {ref!r} in the store (use a ref from `meetstream calendar list`, or YYYY-MM-DD and a committee name)")


# --- join links ------------------------------------------------------------------------------


def youtube_url(store: Store, meeting_id: str) -> str | None:
    """https://youtu.be/<broadcast id> once the meeting has a broadcast (the YouTube store block)."""
    find = getattr(store, "find_broadcast", None)
    if find is None:
        return None
    b = find(meeting_id)
    return f"https://youtu.be/{b.broadcast_id}" if b is not None else None


@dataclass(frozen=True)
class LinkPlan:
    member: Member
    action: str  # "send", "already sent", "no email"
    letter: object | None = None  # teams.mail.Letter when action == "send"


def plan_links(store: Store, settings, meeting: Meeting, *, resend: bool = False) -> list[LinkPlan]:
    """Who gets an email with which link. Pure apart from reading what was sent before."""
    from meetstream.teams.mail import join_letter

    if not meeting.join_url:
        raise StateError(f"{meeting.committee} has no Teams join link yet: run `meetstream teams create {short_ref(meeting.id)}`")
    if meeting.cancelled:
        raise StateError(f"{meeting.committee} is cancelled: no links are sent")
    sent = store.mail_sent(meeting.id)
    yt = youtube_url(store, meeting.id)
    out = []
    for member in meeting.members:
        if not member.email:
            out.append(LinkPlan(member, "no email"))
        elif not resend and sent.get(member.email.casefold(), (None,))[0] == meeting.join_url:
            out.append(LinkPlan(member, "already sent"))
        else:
            out.append(LinkPlan(member, "send", join_letter(meeting, member, yt, settings.council.timezone, settings.council.name)))
    return out


def send_links(store: Store, calendar, meeting: Meeting, plan: list[LinkPlan]) -> dict[str, str | None]:
    """Send the planned letters; each success is recorded at once, so a rerun never repeats it."""
    from meetstream.teams.mail import send_letters

    letters = [p.letter for p in plan if p.action == "send"]
    results = send_letters(calendar.client, calendar.mail_path, letters)
    for address, error in results.items():
        if error is None:
            store.record_mail_sent(meeting.id, address, meeting.join_url)
    return results


def create_teams_meeting(store: Store, calendar, meeting: Meeting) -> tuple[str, bool]:
    """(join url, created?) — an event that already has a link is left alone."""
    from meetstream.teams.onlinemeeting import ensure_teams_meeting

    if meeting.join_url:
        return meeting.join_url, False
    url = ensure_teams_meeting(calendar, meeting.id)
    store.upsert_meeting(replace(meeting, join_url=url))
    return url, True


def as_json(meeting: Meeting, zone: str) -> dict:
    local = ZoneInfo(zone)
    return {
        "id": meeting.id,
        "ref": short_ref(meeting.id),
        "committee": meeting.committee,
        "title": meeting.title,
        "start": meeting.start.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "end": meeting.end.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "start_local": meeting.start.astimezone(local).isoformat(),
        "room": meeting.room,
        "location": meeting.location,
        "cancelled": meeting.cancelled,
        "join_url": meeting.join_url,
        # public_title() is the one place that decides what of an item may be shown; its number
        # prefix is dropped here because "number" is a field of its own.
        "agenda": [{"number": i.number, "title": i.public_title().removeprefix(f"{i.number}. "),
                    "exempt": i.exempt, "reason": i.reason if i.exempt else None} for i in meeting.agenda],
        "members": [{"name": m.name, "lower_third": m.lower_third(), "email": m.email} for m in meeting.members],
        "warnings": list(meeting.warnings),
    }
