"""One meeting as the site and the report see it: derived from the store alone, pure otherwise.

From the meeting's timeline: when it went on air (the `start` entry that `meetstream start`
writes once YouTube is live) and off air (the `end` entry), the minutes in private session, the
incidents sorted into kinds, and the agenda-indexed moments of the video (meetstream.core.chapters
computes them, as it does for YouTube's chapters). Titles come from AgendaItem.public_title()
only; an incident's own words are kept for the officer's report, never for the public site.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from meetstream.core.chapters import chapters, labels
from meetstream.core.domain import Meeting, TimelineEntry

WATCH = "https://youtu.be/{id}"

# Incident kinds, in the order the report lists them.
OBS_RESTART = "OBS restart"
OUTPUT_DROP = "output drop"
YOUTUBE = "YouTube failure"
PRIVATE_REPAIR = "private session put right"
NO_AUDIO = "no programme audio"  # silence, or microphones muted in OBS, on a public item
STANDING_ORDER = "standing order reached"  # the webcast down as long as the council's standing order allows
OTHER = "other"
FROZEN = "picture frozen"  # a camera, feed or video on program stopped moving, on a public item
# Last is newest: the report's CSV keeps its earlier columns where they were.
INCIDENT_KINDS = (OBS_RESTART, OUTPUT_DROP, YOUTUBE, PRIVATE_REPAIR, NO_AUDIO, STANDING_ORDER, OTHER, FROZEN)

# Kinds that end a private session on the timeline (meetstream.services.session: `public` readmits the
# public; a recess is refused while private; adjourned and end close the meeting).
_PRIVATE_ENDS = {"public", "resume", "recess", "adjourned", "end"}


@dataclass(frozen=True)
class Incident:
    at: datetime
    kind: str  # one of INCIDENT_KINDS
    what: str  # the words on the timeline: for the officer's report only


@dataclass(frozen=True)
class Moment:
    seconds: int  # from the start of the video
    label: str  # a public title, "Private session (public excluded)", "Recess" or "Opening of the meeting"


@dataclass(frozen=True)
class MeetingFacts:
    meeting: Meeting
    video_id: str | None
    on_air: datetime | None
    off_air: datetime | None
    private_seconds: int = 0
    incidents: tuple[Incident, ...] = ()
    moments: tuple[Moment, ...] = ()
    revision: datetime | None = None  # when the store last changed the meeting (the feed's SEQUENCE)
    first_at: datetime | None = None  # the meeting's first timeline entry (the night began)
    # What the retention policy did to the video (`meetstream archive`: unlist, private, delete, gone):
    # the site and the feeds no longer link it.
    archived: str | None = None

    @property
    def webcast(self) -> bool:
        return self.on_air is not None

    @property
    def watch_url(self) -> str | None:
        return WATCH.format(id=self.video_id) if self.video_id and not self.archived else None

    def moment_url(self, seconds: int) -> str | None:
        return f"{WATCH.format(id=self.video_id)}?t={max(0, int(seconds))}" if self.video_id and not self.archived else None

    @property
    def on_air_seconds(self) -> int:
        if self.on_air is None or self.off_air is None:
            return 0
        return max(0, int((self.off_air - self.on_air).total_seconds()))

    @property
    def delay_seconds(self) -> int | None:
        """From the scheduled start to on air (negative: on air early)."""
        if self.on_air is None:
            return None
        return int((self.on_air - self.meeting.start).total_seconds())

    def status(self, now: datetime) -> str:
        """webcast, cancelled, upcoming, live, or missed (past, never on air)."""
        if self.on_air is not None:
            return "webcast" if self.off_air is not None else "live"
        if self.meeting.cancelled:
            return "cancelled"
        if self.meeting.end > now:
            return "upcoming"
        return "missed"

    def is_past(self, now: datetime) -> bool:
        """In the archive: on air and over, or (never on air) its scheduled end has passed."""
        if self.on_air is not None:
            return self.off_air is not None
        return self.meeting.end <= now

    def incident_counts(self) -> dict[str, int]:
        counts = {k: 0 for k in INCIDENT_KINDS}
        for i in self.incidents:
            counts[i.kind] += 1
        return counts


def slug(meeting: Meeting) -> str:
    """A stable file name for a meeting's page: date, committee, and a short hash of its id."""
    words = re.sub(r"[^a-z0-9]+", "-", meeting.committee.casefold()).strip("-")[:60] or "meeting"
    digest = hashlib.sha256(meeting.id.encode()).hexdigest()[:8]
    return f"{meeting.start:%Y-%m-%d}-{words}-{digest}"


def uid(meeting: Meeting) -> str:
    """The feed's UID: stable for the meeting's whole life (its id never changes)."""
    return f"{hashlib.sha256(meeting.id.encode()).hexdigest()[:32]}@meetstream"


def classify(entry: TimelineEntry) -> str | None:
    """An incident entry's kind, or None when the entry is not an incident of its own (the end of
    an output drop, and each restart attempt, belong to the drop that began it)."""
    what = str(entry.detail.get("what", ""))
    low = what.casefold()
    keys = {str(k).casefold() for k in entry.detail}
    # The watchdog marks these by their details (meetstream.services.watchdog); their words may
    # name YouTube or the stream output, so they are read first.
    if "standing_order" in keys:
        return STANDING_ORDER
    if "silence" in keys or "muted" in keys:
        return NO_AUDIO if (entry.detail.get("silence") == "start" or entry.detail.get("muted") == "start") else None
    if "picture" in keys:
        return FROZEN if entry.detail.get("picture") == "start" else None
    if "youtube" in low or "youtube" in keys:
        return YOUTUBE
    if "obs restart" in low or "obs restarted" in low or "obs crashed" in low or entry.detail.get("obs") == "restart":
        return OBS_RESTART
    if "stream output" in low or "outage" in keys:
        outage = entry.detail.get("outage")
        if outage == "start":
            return OUTPUT_DROP
        return None  # "back after", and the restart attempts within one drop
    if "private session" in low:
        return PRIVATE_REPAIR
    return OTHER


def incidents(timeline: list[TimelineEntry]) -> tuple[Incident, ...]:
    found: list[Incident] = []
    open_drop = False
    closing = False
    for e in timeline:
        if e.kind == "adjourned":
            closing = True  # the closing slate: only `end` follows
        if e.kind == "incident":
            kind = classify(e)
            what = str(e.detail.get("what", ""))
            if closing and (kind == OUTPUT_DROP or (kind is None and "stream output" in what.casefold())):
                # End's own stop, taken for an outage by a watchdog before End stood it down first
                # (timelines recorded before that fix): a deliberate stop is never an outage.
                continue
            if kind == OUTPUT_DROP:
                open_drop = True
            elif kind is None and "stream output" in what.casefold():
                if e.detail.get("outage") == "end":
                    open_drop = False
                elif not open_drop:  # a restart with no drop recorded before it: the drop itself
                    found.append(Incident(e.at, OUTPUT_DROP, what))
                    open_drop = True
                continue
            if kind is not None:
                found.append(Incident(e.at, kind, what))
        elif e.kind == "end":
            # What `meetstream end` could not do: YouTube unreachable is a YouTube failure.
            for left in e.detail.get("left") or ():
                if "youtube" in str(left).casefold() or "chapters not written to the video" in str(left).casefold():
                    found.append(Incident(e.at, YOUTUBE, str(left)))
    return tuple(found)


def private_seconds(timeline: list[TimelineEntry], on_air: datetime | None, off_air: datetime | None) -> int:
    """Seconds in private session while on air (a private session before the start or after the
    end was never seen by viewers either way)."""
    if on_air is None:
        return 0
    total, since = 0.0, None
    for e in timeline:
        if e.kind == "private" and since is None:
            since = e.at
        elif e.kind in _PRIVATE_ENDS and since is not None:
            total += _overlap(since, e.at, on_air, off_air)
            since = None
        if e.kind == "end":
            break
    if since is not None and off_air is not None:
        total += _overlap(since, off_air, on_air, off_air)
    return int(round(total))


def _overlap(a: datetime, b: datetime, lo: datetime, hi: datetime | None) -> float:
    start = max(a, lo)
    end = min(b, hi) if hi else b
    return max(0.0, (end - start).total_seconds())


def moments(meeting: Meeting, timeline: list[TimelineEntry], on_air: datetime, off_air: datetime) -> tuple[Moment, ...]:
    """The agenda-indexed moments of the video. YouTube's chapters where the meeting makes them
    (meetstream.core.chapters: offsets from the on-air start, exempt titles never used); a short
    meeting that makes fewer than three chapters still gets its moments, by the same labels."""
    found = chapters(meeting, timeline, on_air, off_air)
    if not found:
        found = _few(meeting, timeline, on_air, off_air)
    return tuple(Moment(at, label) for at, label in found)


def _few(meeting: Meeting, timeline: list[TimelineEntry], on_air: datetime, off_air: datetime) -> list[tuple[int, str]]:
    raw = labels(meeting, timeline, on_air)
    out: list[tuple[int, str]] = raw[:1]
    end = int((off_air - on_air).total_seconds())
    for at, text in raw[1:]:
        if at >= end or out[-1][1] == text:
            continue
        if at == out[-1][0]:
            out[-1] = (at, text)
        else:
            out.append((at, text))
    return out


def meeting_facts(meeting: Meeting, timeline: list[TimelineEntry], broadcast_id: str | None,
                  revision: datetime | None = None, recovered: tuple[str, list] | None = None) -> MeetingFacts:
    """`recovered`: (video id, chapters) of the video `meetstream recover` made from the local recording,
    which then stands for the live archive (links and moments on its own clock)."""
    on_air = next((e.at for e in timeline if e.kind == "start"), None)
    off_air = None
    if on_air is not None:
        off_air = next((e.at for e in timeline if e.kind == "end" and e.at >= on_air), None)
    video_id = broadcast_id
    if on_air is not None:
        started = next(e for e in timeline if e.kind == "start")
        video_id = started.detail.get("broadcast_id") or broadcast_id
    found = moments(meeting, timeline, on_air, off_air) if on_air is not None and off_air is not None else ()
    if recovered is not None:
        video_id = recovered[0]
        found = tuple(Moment(int(at), str(label)) for at, label in recovered[1]) or found
    return MeetingFacts(meeting, video_id, on_air, off_air, private_seconds(timeline, on_air, off_air),
                        incidents(timeline), found, revision, min((e.at for e in timeline), default=None))


def read_facts(store, start: datetime | None = None, end: datetime | None = None) -> list[MeetingFacts]:
    """Every webcast meeting in the window (cancelled ones too), in order, with its facts."""
    revisions = store.meeting_revisions()
    recovered = store.recovered_videos()
    out = []
    for m in store.meetings(start, end, include_cancelled=True, webcast_only=True):
        b = store.find_broadcast(m.id)
        out.append(meeting_facts(m, store.timeline(m.id), b.broadcast_id if b else None, revisions.get(m.id), recovered.get(m.id)))
    return _archived(out, store.archive_states())


def _archived(facts: list[MeetingFacts], states: dict) -> list[MeetingFacts]:
    """The retention policy's actions (meetstream.services.archive): a video unlisted, made private or
    deleted is no longer linked, nor are its moments; the meeting's revision moves to when that was
    done, so the iCalendar feed's SEQUENCE grows and calendars drop the link."""
    from dataclasses import replace

    out = []
    for f in facts:
        state = states.get(f.meeting.id)
        if state is not None and f.video_id and state[1] == f.video_id:
            action, _, done = state
            out.append(replace(f, archived=action, moments=(), revision=max(f.revision or done, done)))
        else:
            out.append(f)
    return out
