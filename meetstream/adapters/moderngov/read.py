"""A year of meetings for the committees we webcast, with the fewest requests, and finding the
modern.gov meeting that a calendar event is.

Requests: GetCommittees once (only when a committee is named rather than numbered), GetMeetings once
per committee per window_days (a year is one window), and GetMeeting once per meeting that is not
cancelled. GetMeetings gives no location and no agenda, so GetMeeting cannot be skipped for a
meeting we may stream; a cancelled one needs nothing more than its list entry says.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from meetstream.adapters.moderngov.client import ModernGovClient, ModernGovError
from meetstream.adapters.moderngov.model import Committee, MeetingSummary, ModernGovMeeting


def read_meetings(client: ModernGovClient, committees: Iterable[str | int], start: date | datetime,
                  end: date | datetime) -> list[ModernGovMeeting]:
    """Every meeting of `committees` (titles as modern.gov writes them, or ids) from `start` to
    `end` (UK dates, both included), agendas included, sorted by start."""
    wanted = list(committees)
    resolved = resolve_committees(client, wanted)
    out: dict[int, ModernGovMeeting] = {}
    for committee in resolved:
        for summary in client.meetings(committee.id, start, end):
            if summary.id in out:
                continue
            if summary.cancelled:
                out[summary.id] = _from_summary(summary)
                continue
            # GetMeetings names the committee; GetMeeting does not (parse.parse_meeting).
            named = Committee(committee.id, summary.committee_title or committee.title)
            out[summary.id] = client.meeting(summary.id, named)
    return sorted(out.values(), key=lambda m: (m.start, m.id))


def resolve_committees(client: ModernGovClient, wanted: list[str | int]) -> list[Committee]:
    """Committees by id (no request) or by title (one GetCommittees for all of them)."""
    out: list[Committee] = []
    names = [w for w in wanted if not _is_id(w)]
    listed = client.committees() if names else []
    for w in wanted:
        if _is_id(w):
            out.append(Committee(int(w), ""))
            continue
        out.append(_by_title(listed, str(w), client))
    seen, unique = set(), []
    for c in out:
        if c.id not in seen:
            seen.add(c.id)
            unique.append(c)
    return unique


def _is_id(value: str | int) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


def _by_title(listed: list[Committee], title: str, client: ModernGovClient) -> Committee:
    matches = [c for c in listed if _norm(c.title) == _norm(title)]
    # A council keeps the committees of past terms ("... - Fifth Senedd", expired): the live one wins.
    live = [c for c in matches if not c.deleted and not c.expired]
    if len(live) == 1 or (not live and len(matches) == 1):
        return (live or matches)[0]
    where = client.site
    if not matches:
        near = [c.title for c in listed if _norm(title) in _norm(c.title) and not c.expired][:5]
        hint = f" (did you mean: {', '.join(near)}?)" if near else " (check the committee names in meetstream.yaml)"
        raise ModernGovError(f"modern.gov at {where} has no committee {title!r}{hint}")
    ids = ", ".join(str(c.id) for c in (live or matches))
    raise ModernGovError(f"modern.gov at {where} has more than one committee {title!r} (ids {ids}); give its id instead")


def _from_summary(s: MeetingSummary) -> ModernGovMeeting:
    return ModernGovMeeting(id=s.id, committee_id=s.committee_id, committee_title=s.committee_title, start=s.start,
                            time_known=s.time_known, status=s.status, cancelled=s.cancelled, moved=s.moved,
                            webcast=s.webcast)


def find_meeting(meetings: Iterable[ModernGovMeeting], committee: str, start: datetime,
                 within: timedelta = timedelta(minutes=90)) -> ModernGovMeeting | None:
    """The modern.gov meeting a calendar event is: the same committee title (case and spacing
    aside), starting within `within` of `start` (or on the same UK day when modern.gov gave no
    time). The nearest wins; a cancelled one only when nothing else fits."""
    from meetstream.adapters.moderngov.parse import LONDON

    name = _norm(committee)
    fits = []
    for m in meetings:
        if _norm(m.committee_title or "") != name:
            continue
        if m.time_known:
            gap = abs(m.start - start)
            if gap > within:
                continue
        elif m.start.astimezone(LONDON).date() != start.astimezone(LONDON).date():
            continue
        else:
            gap = within
        fits.append((m.cancelled, gap, m.id, m))
    return min(fits)[3] if fits else None
