"""Agendas from modern.gov, joined onto the calendar's meetings.

    found = read_moderngov(settings, client)                  # network: before anything is written
    summary = apply_moderngov(store, settings, found)         # one transaction

modern.gov is where the clerk keeps the agenda: item numbers, titles, and which items (or papers)
are restricted. A meeting found there and in the calendar (same committee, starting within
`join_within_minutes`; or linked by an earlier sync) keeps the calendar's Teams link and attendees
and takes its agenda, and its time, from modern.gov. A meeting found only in modern.gov is stored
on its own (id "moderngov-<id>", the room from `committees:`), and gives way to a calendar event
for it when one appears. `Meeting.sources` says where each fact came from.

An item is exempt if modern.gov restricts it or one of its papers, or the text rules put it in
the private part (meetstream.adapters.moderngov.to_agenda), or an agenda override marks it exempt; only an
override's explicit `exempt: false` makes an item public. Nothing on a timeline is rewritten: the
store's timeline is separate from the agenda.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from meetstream.core.domain import AgendaItem, Meeting
from meetstream.core.timefmt import local, now_utc

PREFIX = "moderngov-"
NOTE = "modern.gov: "  # warnings this step adds start so; they are replaced, not piled up, at each sync


@dataclass
class ModernGovSummary:
    meetings: int = 0  # read from modern.gov
    joined: int = 0  # with a calendar meeting
    alone: int = 0  # found only in modern.gov
    changed: int = 0  # stored meetings whose agenda, time or state changed
    cancelled: int = 0
    requests: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ModernGovRead:
    """What one read of the site found: its meetings in the window, which committees they belong
    to, and the room each committee meets in."""

    meetings: tuple  # meetstream.adapters.moderngov.ModernGovMeeting
    rooms: dict[int, str]  # committee id -> room key
    start: datetime
    end: datetime
    requests: int
    base_url: str
    agendas: dict = field(default_factory=dict)  # meeting id -> ParsedAgenda, read by the site


def read_moderngov(settings, site, *, now: datetime | None = None) -> ModernGovRead:
    """Every meeting of the followed committees in the sync window (calendar.days_ahead), with
    its agenda, from `site` (adapters.moderngov.site.ModernGovSite, built by bootstrap). Raises
    (one line) when the site cannot be read: nothing is written then."""
    cfg = settings.agendas.moderngov
    now = now or now_utc()
    start, end = now - timedelta(days=1), now + timedelta(days=settings.calendar.days_ahead)
    before = site.counters.requests
    wanted = list(cfg.committees)
    committees = site.committees(wanted)
    if len(committees) != len(wanted):
        from meetstream.errors import ConfigError

        raise ConfigError("agendas.moderngov.committees names one committee twice (by name and by id, or two spellings)")
    rooms = {c.id: cfg.committees[w] for w, c in zip(wanted, committees)}
    found = site.meetings([c.id for c in committees], start, end)
    agendas = {m.id: site.agenda(m) for m in found}
    return ModernGovRead(tuple(found), rooms, start, end, site.counters.requests - before, cfg.base_url, agendas)


def apply_moderngov(store, settings, read: ModernGovRead) -> ModernGovSummary:
    from meetstream.services.meetings.overrides import load_overrides

    cfg = settings.agendas.moderngov
    within = timedelta(minutes=cfg.join_within_minutes)
    overrides = load_overrides(settings.agendas.overrides)
    summary = ModernGovSummary(meetings=len(read.meetings), requests=read.requests)
    zone = settings.council.timezone
    with store.transaction():
        stored = store.meetings(read.start - within, read.end + within, include_cancelled=True)
        seen: set[str] = set()
        for mg in read.meetings:
            committee = mg.committee or ""
            room = read.rooms.get(mg.committee_id)
            link = f"modern.gov meeting {mg.id}"
            ours = [m for m in stored if m.source_of("agenda") == link]
            calendar = [m for m in stored if not m.id.startswith(PREFIX) and m.id not in seen
                        and m.committee.casefold() == committee.casefold() and abs(m.start - mg.start) <= within]
            target = next((m for m in ours if not m.id.startswith(PREFIX)), None) or (calendar[0] if calendar else None)
            alone = next((m for m in ours if m.id.startswith(PREFIX)), None)
            if target is not None and alone is not None and alone.webcast:
                # The calendar now has this meeting (a Teams invitation was sent): one meeting, not two.
                store.upsert_meeting(replace(alone, webcast=False, warnings=alone.warnings + (
                    f"{NOTE}now joined with the calendar's meeting of {local(target.start, zone):%d %b %H:%M}",)))
            base = target or alone
            new = _joined(base, mg, read.agendas[mg.id], room, cfg, read.base_url, overrides, zone)
            seen.add(new.id)
            if base is None or base != new:
                result = store.upsert_meeting(new)
                summary.changed += result != "unchanged"
            if new.cancelled and (base is None or not base.cancelled):
                summary.cancelled += 1
            if target is not None:
                summary.joined += 1
            else:
                summary.alone += 1
            summary.warnings.extend(f"{committee} {local(new.start, zone):%d %b %H:%M}: {w.removeprefix(NOTE)}"
                                    for w in new.warnings if w.startswith(NOTE) and (base is None or w not in base.warnings))
        # A meeting stored from modern.gov alone that the site no longer lists in the window is kept
        # as it was: only modern.gov saying "cancelled" cancels it. A site that answers with nothing
        # (an odd answer, a committee renamed, a bad day) must not cancel a council's meetings, and
        # the schedule would delete their broadcasts.
        missing = [m for m in stored if m.id.startswith(PREFIX) and m.id not in seen
                   and read.start <= m.start < read.end and not m.cancelled]
        if missing and not read.meetings:
            summary.warnings.append(f"modern.gov listed no meetings at all for the followed committees; the "
                                    f"{len(missing)} stored from it are kept as they were (nothing is cancelled "
                                    "unless modern.gov says so)")
        else:
            summary.warnings.extend(f"{m.committee} {local(m.start, zone):%d %b %H:%M}: no longer listed by modern.gov; "
                                    "kept as it was (cancel it in modern.gov if it is cancelled)" for m in missing)
    return summary


def _joined(base: Meeting | None, mg, parsed, room: str | None, cfg, site: str, overrides, zone: str) -> Meeting:
    agenda, notes = _with_override(parsed.items, _override_for(base, mg, overrides, zone))
    warnings = [NOTE + w for w in (*parsed.warnings, *notes)]
    if not mg.items:
        warnings.append(NOTE + "no agenda published yet")
    sources = [("agenda", f"modern.gov meeting {mg.id}"), ("exempt markings", "modern.gov and the text rules")]
    start = mg.start if mg.time_known or base is None else base.start
    if base is None:
        if room is None:
            warnings.append(NOTE + f"committee {mg.committee!r} has no room in agendas.moderngov.committees")
        return Meeting(
            id=f"{PREFIX}{mg.id}", committee=mg.committee or "", start=start,
            end=start + timedelta(minutes=cfg.duration_minutes), room=room, title=mg.committee,
            cancelled=mg.cancelled, webcast=True, location=mg.location, agenda=agenda,
            warnings=tuple(warnings + [NOTE + "found only in modern.gov: no Teams link or attendees yet"]),
            sources=tuple(sources + [("time", "modern.gov"), ("room", "agendas.moderngov.committees")]),
        )
    if mg.time_known and abs(base.start - mg.start) >= timedelta(minutes=1) and not base.id.startswith(PREFIX):
        warnings.append(NOTE + f"the calendar says {local(base.start, zone):%a %d %b %H:%M}, modern.gov "
                               f"{local(mg.start, zone):%a %d %b %H:%M}: modern.gov's time is used")
    length = base.end - base.start
    kept = tuple(w for w in base.warnings if not w.startswith(NOTE))
    # modern.gov decides a meeting it alone knows of (a later good answer wins); a calendar's
    # meeting is cancelled by either source.
    cancelled = mg.cancelled if base.id.startswith(PREFIX) else base.cancelled or mg.cancelled
    return replace(
        base, start=start, end=start + length, cancelled=cancelled, agenda=agenda,
        warnings=kept + tuple(warnings), sources=tuple(sources + [("time", "modern.gov" if mg.time_known else "calendar")]
                                                       + ([] if base.id.startswith(PREFIX) else [("Teams link and attendees", "calendar")])),
    )


def keep_moderngov_facts(fresh: Meeting, stored: Meeting | None) -> Meeting:
    """A calendar sync's view of a meeting, keeping what the last modern.gov sync joined onto it
    (agenda, exempt markings, time, its notes): the calendar never takes back an agenda, even for
    a moment, so a modern.gov site that is down cannot cost an exempt marking."""
    if stored is None or not (stored.source_of("agenda") or "").startswith("modern.gov"):
        return fresh
    if stored.source_of("time") == "modern.gov":
        fresh = replace(fresh, start=stored.start, end=stored.start + (fresh.end - fresh.start))
    notes = tuple(w for w in stored.warnings if w.startswith(NOTE))
    # The calendar's notes on the agenda in its body no longer apply: that agenda is not used.
    own = tuple(w for w in fresh.warnings if "agenda" not in w and "no body" not in w)
    return replace(fresh, agenda=stored.agenda, sources=stored.sources, warnings=own + notes)


def _override_for(base: Meeting | None, mg, overrides, zone: str):
    day = local(mg.start, zone).date()
    ids = (base.id, base.ical_uid) if base is not None else (f"{PREFIX}{mg.id}", None)
    for o in overrides:
        if o.applies_to(ids[0], ids[1], mg.committee or "", day):
            return o
    return None


def _with_override(items: tuple[AgendaItem, ...], override) -> tuple[tuple[AgendaItem, ...], list[str]]:
    """modern.gov's items with an agenda override laid over them: an override can add an item or
    make one exempt; only its explicit `exempt: false` makes one public."""
    if override is None:
        return items, []
    theirs = {i.number.casefold(): i for i in override.items}
    public = {n.casefold() for n in override.public}
    out, notes = [], []
    for item in items:
        key = item.number.casefold()
        o = theirs.pop(key, None)
        if key in public:
            out.append(replace(item, exempt=False, reason=None))
            if item.exempt:
                notes.append(f"item {item.number} made public by {override.source} (modern.gov: {item.reason})")
        elif o is not None and o.exempt and not item.exempt:
            out.append(replace(item, exempt=True, reason=o.reason or f"marked exempt in {override.source}"))
        else:
            out.append(item)
    for o in theirs.values():
        out.append(o)
        notes.append(f"item {o.number} is only in {override.source}: added")
    return tuple(out), notes
