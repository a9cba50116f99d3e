"""The meeting's timeline -> YouTube chapter lines. Pure.

YouTube shows chapters when the description lists at least three timestamps, the first at 0:00,
ascending, each chapter at least 10 seconds long. Times are relative to the start of the
archived video. Private sessions and recesses are labelled as such; an exempt item's title is
never published (AgendaItem.public_title() is the only title used). A public item with a recorded
vote carries its result: "5. Land at Station Road — carried 9–3–1" (the last vote on the item).
"""

from __future__ import annotations

from datetime import datetime

from meetstream.core.resolutions import decided, decided_meeting
from meetstream.core.domain import Meeting, TimelineEntry

MIN_SECONDS = 10
MIN_CHAPTERS = 3
OPENING = "Opening of the meeting"
PRIVATE = "Private session (public excluded)"
RECESS = "Recess"


def fmt(seconds: int) -> str:
    h, rest = divmod(max(0, seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def mode_after(mode: str, kind: str) -> str:
    """The session's mode ("public", "private" or "recess") after a timeline entry of `kind`."""
    if kind == "private":
        return "private"
    if kind in ("public", "resume"):
        return "public"
    if kind == "recess":
        return "recess"
    return mode


def labels(meeting: Meeting, timeline: list[TimelineEntry], video_start: datetime) -> list[tuple[int, str]]:
    """[(seconds from video start, label)]: the opening at 0, then what each timeline entry up to
    `adjourned`/`end` leaves on screen. No YouTube rules applied (chapters() applies them).
    Titles are the agenda's as the meeting decided it: an item it excluded the public for is
    never named, one it resolved to take in public is."""
    meeting = decided_meeting(meeting, decided(timeline))
    titles = {i.number: i.public_title() for i in meeting.agenda}
    for e in timeline:  # meetstream.core.votes.vote_line: the result and counts only, never the motion
        if e.kind == "vote" and e.item_number in titles and e.detail.get("line"):
            if not meeting.item(e.item_number).exempt:
                titles[e.item_number] = f"{meeting.item(e.item_number).public_title()} — {e.detail['line']}"
    raw: list[tuple[int, str]] = [(0, OPENING)]
    item_label: str | None = None
    mode = "public"
    for e in timeline:
        if e.kind in ("item", "private", "public", "chamber", "speaker") and e.item_number in titles:
            item_label = titles[e.item_number]
        if e.kind in ("adjourned", "end"):
            break
        mode = mode_after(mode, e.kind)
        label = PRIVATE if mode == "private" else RECESS if mode == "recess" else (item_label or OPENING)
        at = int((e.at - video_start).total_seconds())
        raw.append((max(0, at), label))
    return raw


def chapters(meeting: Meeting, timeline: list[TimelineEntry], video_start: datetime, video_end: datetime) -> list[tuple[int, str]]:
    """[(seconds from video start, label)]; [] when the meeting does not make three chapters."""
    raw = labels(meeting, timeline, video_start)
    end = int((video_end - video_start).total_seconds())
    out: list[tuple[int, str]] = []
    for at, label in raw:
        if at >= end:
            break
        if out and out[-1][1] == label:
            continue
        if out and at - out[-1][0] < MIN_SECONDS:
            # The previous chapter would be too short to show: this one takes its place.
            out[-1] = (out[-1][0], label)
            if len(out) > 1 and out[-2][1] == label:
                out.pop()
            continue
        out.append((at, label))
    while len(out) > 1 and end - out[-1][0] < MIN_SECONDS:
        out.pop()
    return out if len(out) >= MIN_CHAPTERS else []


def chapter_text(chs: list[tuple[int, str]]) -> str:
    return "\n".join(f"{fmt(at)} {label}" for at, label in chs)


def on_recording(at: float, kept: list[tuple[float, float]]) -> float:
    """A moment `at` seconds into a recording -> seconds into the cut made of its `kept` spans
    (seconds into the recording, in order). A moment inside a removed span lands where the cut
    joins across it; one before the first kept span at 0."""
    out = 0.0
    for start, end in kept:
        if at < start:
            return out
        if at < end:
            return out + (at - start)
        out += end - start
    return out


def retimed_chapters(meeting: Meeting, timeline: list[TimelineEntry], recording_start: datetime,
                     kept: list[tuple[float, float]]) -> list[tuple[int, str]]:
    """The chapters of a video cut from a local recording: each timeline moment moved onto the cut's
    own clock (the recording began at `recording_start`; the cut is its `kept` spans, the private
    session and what lay outside the on-air time removed), then YouTube's rules as for the live
    archive. A label that lands on a join with nothing of its own left (a private session cut out)
    gives way to the one after it, by the same rules."""
    from datetime import timedelta

    moved = [TimelineEntry(e.meeting_id, recording_start + timedelta(
                 seconds=on_recording((e.at - recording_start).total_seconds(), kept)), e.kind, e.item_number, e.detail)
             for e in timeline]
    total = sum(end - start for start, end in kept)
    return chapters(meeting, moved, recording_start, recording_start + timedelta(seconds=total))
