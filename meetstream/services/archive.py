"""The archive keeps the council's promises: `meetstream archive` applies the retention policy
(settings.archive.retention) to the meetings' videos on YouTube.

Rules, per committee (the first named rule, else "*"; no rule: the video is kept):
- `keep_months: N`: due N calendar months after the meeting's date (31 Jan + 1 month = 28/29 Feb);
- `until: minutes_approved`: a meeting's minutes are approved at the next meeting of the same
  committee, so the video is due at the end of that next meeting, once it has taken place (a
  cancelled meeting approves nothing; until there is a next meeting, nothing is due).
Then `unlist` (privacyStatus unlisted: only people with the link can watch), `private`, or `delete`.
A stronger action replaces a weaker one already done (unlisted, then deleted); nothing is done twice.

A pass: the due list from the store (no call); YouTube asked for the due videos' privacy (videos.list,
1 unit per 50: a video unlisted or deleted by hand in Studio is logged, not touched again); the
quota checked for the whole pass before anything is written (videos.update 50 + the list, or
videos.delete 50); then each action, logged as it is done. A second pass finds nothing due and
makes no call. The published site and feeds stop linking a video once its action is logged.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Protocol

from meetstream.core.domain import Meeting
from meetstream.core.quota import cost
from meetstream.errors import MeetstreamError
from meetstream.services.publish.facts import read_facts

STRENGTH = {"unlist": 1, "private": 2, "delete": 3, "gone": 3}
PRIVACY = {"unlist": "unlisted", "private": "private"}
UNITS = {"unlist": cost("videos.update"), "private": cost("videos.update"), "delete": cost("videos.delete")}
LIST_UNITS = cost("videos.list")  # per 50 videos


class QuotaShort(MeetstreamError):
    """Today's quota cannot pay for the pass: nothing was changed."""


class Archive(Protocol):
    """meetstream.adapters.youtube.archive.VideoArchive."""

    def privacy(self, video_ids: list[str]) -> dict: ...  # id -> VideoPrivacy(video_id, privacy, status)
    def set_privacy(self, current, privacy: str): ...
    def delete(self, video_id: str) -> bool: ...


@dataclass(frozen=True)
class Due:
    meeting: Meeting
    video_id: str
    action: str  # unlist / private / delete
    reason: str  # the rule, in words: "Planning Committee: kept 6 months"
    due: datetime  # when the rule made it due (UTC)

    @property
    def units(self) -> int:
        return UNITS[self.action]


def add_months(at: datetime, months: int) -> datetime:
    y, m = divmod(at.month - 1 + months, 12)
    year, month = at.year + y, m + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def _minutes_approved(meeting: Meeting, others: list[Meeting]) -> Meeting | None:
    """The meeting at which this one's minutes are approved: the next of the same committee."""
    name = meeting.committee.strip().casefold()
    later = [o for o in others if o.committee.strip().casefold() == name and not o.cancelled and o.start > meeting.start]
    return min(later, key=lambda o: o.start, default=None)


def policy(settings, store, now: datetime) -> tuple[list[Due], list[Due]]:
    """(due now and not yet done, falling due later). Reads the store only."""
    every = store.meetings(None, None, include_cancelled=True, webcast_only=False)
    done = store.archive_states()
    due, later = [], []
    for f in read_facts(store):
        if not f.webcast or f.off_air is None or not f.video_id:
            continue
        rule = settings.archive.rule_for(f.meeting.committee)
        if rule is None:
            continue
        who = f.meeting.committee if rule.committee.strip() != "*" else f"{f.meeting.committee} (any committee)"
        if rule.keep_months is not None:
            when = add_months(f.meeting.start, rule.keep_months)
            reason = f"{who}: kept {rule.keep_months} month{'s' if rule.keep_months != 1 else ''}"
        else:
            nxt = _minutes_approved(f.meeting, every)
            if nxt is None:
                continue  # no next meeting yet: the minutes cannot have been approved
            when = nxt.end
            reason = f"{who}: kept until the minutes were approved (next meeting {nxt.start:%Y-%m-%d})"
        state = done.get(f.meeting.id)
        if state is not None and state[1] == f.video_id and STRENGTH[state[0]] >= STRENGTH[rule.then]:
            continue  # done already (or gone)
        (due if when <= now else later).append(Due(f.meeting, f.video_id, rule.then, reason, when))
    return due, sorted(later, key=lambda d: d.due)


def pass_units(due: list[Due]) -> int:
    """The most the pass can cost: the list (per 50) and every action."""
    if not due:
        return 0
    return LIST_UNITS * ((len(due) + 49) // 50) + sum(d.units for d in due)


def check_quota(due: list[Due], remaining: int) -> None:
    need = pass_units(due)
    if need > remaining:
        raise QuotaShort(f"this archive pass needs {need} YouTube quota units and today has {remaining} left: "
                         "nothing was changed; run it again after midnight Pacific time (see `meetstream youtube quota`)")


@dataclass
class Outcome:
    done: list[tuple[Due, str]]  # (what was due, what was done: unlist/private/delete/gone/"already unlisted" …)


def apply(due: list[Due], archive: Archive, store, *, remaining: Callable[[], int],
          progress: Callable[[Due, str], None] = lambda d, what: None) -> Outcome:
    """Carry out the due actions, each logged as it is done. Refuses the whole pass (QuotaShort)
    before any call when today's quota cannot pay for it."""
    check_quota(due, remaining())
    out = Outcome([])
    if not due:
        return out
    now_privacy = archive.privacy([d.video_id for d in due])
    for d in due:
        current = now_privacy.get(d.video_id)
        if current is None:  # deleted already (in Studio, or by an earlier pass that was cut short)
            what, units = "gone", 0
        elif d.action == "delete":
            what, units = ("delete", d.units) if archive.delete(d.video_id) else ("gone", d.units)
        elif STRENGTH.get(_action_of(current.privacy), 0) >= STRENGTH[d.action]:
            what, units = d.action, 0  # already so (changed by hand): logged, not written again
        else:
            archive.set_privacy(current, PRIVACY[d.action])
            what, units = d.action, d.units
        store.record_archive_action(d.meeting.id, d.video_id, what, d.reason, d.due, units)
        out.done.append((d, what))
        progress(d, what)
    return out


def _action_of(privacy: str) -> str | None:
    return {"unlisted": "unlist", "private": "private"}.get(privacy)
