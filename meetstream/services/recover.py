"""`meetstream recover MEETING`: the local recording becomes the meeting's video when YouTube's
archive is missing or has a hole.

    1. What YouTube has: the broadcast's status.recordingStatus and its video's processingDetails
       (2 units), and the outages on the timeline (the watchdog's "stream output …" incidents).
       A whole archive with no outage needs nothing (`--force` uploads all the same).
    2. The quota first: videos.insert costs 1,600 units and uploads have their own daily count
       (youtube.daily_uploads); without them nothing is cut or sent.
    3. The recording is cut before anything leaves the PC: the on-air time only, and every private
       session removed, WIDER never narrower: a private span [a, b] (widened by PRIVATE_BEFORE and
       PRIVATE_AFTER for the clocks' slack) goes from the keyframe at or before a to the keyframe at or
       after b (stream copy can only cut at keyframes). The cut is
       read back: its length, and the pictures either side of every join compared with the
       recording's own at the keyframes the plan chose.
    4. The chapters are re-timed to the cut's own clock (meetstream.core.chapters.retimed_chapters):
       the recording began when `start` noted it (the store), or, failing that, at its file time
       less its length.
    5. The cut is uploaded with the resumable protocol (adapters.youtube.upload, handed in): the
       session is kept in the store, so running `recover` again after a crash or a dropped network
       resumes the same upload (and spends no second insert); running it after success does nothing.
    6. The store records the recovered video; the published archive links to it
       (meetstream.services.publish.facts.read_facts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from meetstream.core.chapters import chapter_text, retimed_chapters
from meetstream.core.domain import Meeting, TimelineEntry
from meetstream.core.quota import COSTS, QuotaLedger
from meetstream.core.timefmt import now_utc, parse_utc, utc_text
from meetstream.errors import MeetstreamError, StateError

Progress = Callable[[str, str], None]
# Kinds that end a private session on the timeline (as meetstream.services.publish.facts reads them).
PRIVATE_ENDS = {"public", "resume", "recess", "adjourned", "end"}
# A private span is widened before it is cut at keyframes, because the timeline's times are not the
# recording's: an entry is written once OBS has read the change back (OBS went private a moment before
# the entry's time), the store keeps whole seconds (an end up to a second later than its time), and the
# recording's start is noted just after OBS began it (every moment computed a little early). Seconds:
PRIVATE_BEFORE, PRIVATE_AFTER = 2.0, 3.0
ARCHIVE_CHECK_UNITS = COSTS["liveBroadcasts.list"] + COSTS["videos.list"]
VIDEO_SUFFIXES = (".mkv", ".mp4", ".mov", ".flv", ".ts", ".m4v")


class RecoverRefused(MeetstreamError):
    """Recovery cannot go ahead as things stand (quota, no recording, the meeting not ended): nothing was uploaded."""


class CutNotVerified(MeetstreamError):
    """The cut file does not read back as the plan made it: nothing was uploaded."""


def _quiet(step: str, detail: str) -> None:
    pass


@dataclass
class Recovery:
    meeting: Meeting
    video_id: str | None = None
    privacy: str | None = None
    nothing_to_do: str | None = None  # why nothing was uploaded (the archive is whole, or already recovered)
    kept: list[tuple[float, float]] = field(default_factory=list)  # seconds of the recording
    removed: list[tuple[float, float]] = field(default_factory=list)
    private: list[tuple[float, float]] = field(default_factory=list)  # the private sessions as the timeline has them
    chapters: list[tuple[int, str]] = field(default_factory=list)
    cut_seconds: float = 0.0  # the uploaded file's length, read back
    on_air_seconds: float = 0.0
    units: int = 0
    resumed: bool = False

    @property
    def url(self) -> str | None:
        return f"https://www.youtube.com/watch?v={self.video_id}" if self.video_id else None


# --- the plan: pure -------------------------------------------------------------------------------------


def private_spans(timeline: list[TimelineEntry]) -> list[tuple[datetime, datetime | None]]:
    """Each private session: (from, to); to None when the timeline never ends it (then it runs to the end
    of the recording: when unsure, private)."""
    spans, since = [], None
    for e in timeline:
        if e.kind == "private" and since is None:
            since = e.at
        elif e.kind in PRIVATE_ENDS and since is not None:
            spans.append((since, e.at))
            since = None
    if since is not None:
        spans.append((since, None))
    return spans


def outages(timeline: list[TimelineEntry]) -> list[tuple[datetime, datetime | None]]:
    """The stream's outages as the watchdog recorded them (incident detail outage=start … outage=end)."""
    spans, since = [], None
    for e in timeline:
        if e.kind != "incident":
            continue
        mark = e.detail.get("outage")
        if mark == "start" and since is None:
            since = e.at
        elif mark == "end" and since is not None:
            spans.append((since, e.at))
            since = None
    if since is not None:
        spans.append((since, None))
    return spans


def plan_cut(duration: float, keyframes: tuple[float, ...], window: tuple[float, float],
             private: list[tuple[float, float]]) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(kept, removed), seconds of the recording. `window` is the on-air time; every `private` span is
    removed from the keyframe at or before its start to the keyframe at or after its end (or the end
    of the file): wider, never narrower. The window's ends move out to keyframes too (a few seconds
    more of the slate rather than less of the meeting). Each kept span starts on a keyframe."""
    keys = sorted(k for k in keyframes if 0 <= k < duration) or [0.0]

    def before(t: float) -> float:
        found = [k for k in keys if k <= t + 1e-6]
        return found[-1] if found else 0.0

    def after(t: float) -> float:
        return next((k for k in keys if k >= t - 1e-6), duration)

    lo, hi = before(max(window[0], keys[0])), after(min(window[1], duration))
    removed: list[tuple[float, float]] = []
    for a, b in sorted(private):
        span = (before(a) if a > keys[0] else 0.0, after(b) if b < duration else duration)
        if removed and span[0] <= removed[-1][1]:
            removed[-1] = (removed[-1][0], max(removed[-1][1], span[1]))
        else:
            removed.append(span)
    kept, at = [], lo
    for a, b in removed:
        if b <= at or a >= hi:
            continue
        if a > at:
            kept.append((at, a))
        at = max(at, b)
    if at < hi:
        kept.append((at, hi))
    return [(round(a, 6), round(b, 6)) for a, b in kept if b - a > 0.001], removed


def seconds_on(start: datetime, at: datetime | None, default: float) -> float:
    return default if at is None else (at - start).total_seconds()


# --- the command ----------------------------------------------------------------------------------------


def recover(store, settings, meeting: Meeting, uploads, media, *, recording: Path | None = None, force: bool = False,
            progress: Progress = _quiet, clock: Callable[[], datetime] = now_utc) -> Recovery:
    """The whole `meetstream recover`. `uploads` is adapters.youtube.upload.VideoUploads, `media`
    adapters.media.cut.MediaTools (both from meetstream.bootstrap.recovery)."""
    result = Recovery(meeting)
    row = store.recording(meeting.id) or {}
    if row.get("video_id"):
        result.video_id, result.privacy = row["video_id"], row.get("privacy")
        result.chapters = [tuple(c) for c in json.loads(row.get("chapters_json") or "[]")]
        result.nothing_to_do = f"already recovered as {result.url}"
        return result
    timeline = store.timeline(meeting.id)
    on_air = next((e.at for e in timeline if e.kind == "start"), None)
    off_air = store.meeting_ended(meeting.id)
    if on_air is None:
        raise RecoverRefused(f"{meeting.committee} on {meeting.start:%Y-%m-%d} never went on air: there is no webcast to recover")
    if off_air is None:
        raise RecoverRefused(f"{meeting.committee} has not ended: run `meetstream end` first (the recording is finished then)")
    result.on_air_seconds = (off_air - on_air).total_seconds()

    ledger = QuotaLedger(store, settings.youtube.daily_quota, clock=clock)
    resuming = bool(row.get("session_uri")) and row.get("cut_file") and Path(row["cut_file"]).is_file()
    if not resuming:
        need = COSTS["videos.insert"] + ARCHIVE_CHECK_UNITS
        if ledger.remaining() < need:
            raise RecoverRefused(f"recovering needs {need:,} units of YouTube quota (an upload is {COSTS['videos.insert']:,}) and today "
                                 f"has {ledger.remaining():,} left: run it again after midnight Pacific time; nothing was uploaded")
        uploads_today = ledger.by_method().get("videos.insert", (0, 0))[0]
        if uploads_today >= settings.youtube.daily_uploads:
            raise RecoverRefused(f"today's {settings.youtube.daily_uploads} uploads (youtube.daily_uploads) are used: run it again "
                                 "after midnight Pacific time; nothing was uploaded")
        broadcast = store.find_broadcast(meeting.id)
        broadcast_id = next((e.detail.get("broadcast_id") for e in timeline if e.kind == "start"), None) or (
            broadcast.broadcast_id if broadcast else None)
        holes = outages(timeline)
        if broadcast_id:
            archive = uploads.archive(broadcast_id)
            progress("What YouTube has", archive.words())
            whole = archive.whole
        else:
            whole = False
            progress("What YouTube has", "no broadcast is known for the meeting")
        if holes:
            progress("Outages on the timeline", "; ".join(_span_words(a, b, on_air) for a, b in holes))
        if whole and not holes and not force:
            result.nothing_to_do = ("YouTube's archive is whole (recorded, no outage on the timeline): nothing to recover "
                                    "(`--force` uploads the recording all the same)")
            result.units = uploads.units_spent()
            return result

    # The recording and when it began.
    path = Path(recording) if recording else (Path(row["file"]) if row.get("file") else _find_recording(row, on_air, off_air))
    probe = media.probe(path)
    if row.get("started_utc") and (recording is None or str(path) == row.get("file")):
        began, source = parse_utc(row["started_utc"]), "noted when OBS began it"
    else:
        began = datetime.fromtimestamp(path.stat().st_mtime, tz=on_air.tzinfo) - timedelta(seconds=probe.duration)
        source = "its file time less its length"
    progress("Local recording", f"{path} ({probe.duration / 60:.1f} min, began {began:%H:%M:%S} UTC: {source})")
    privates = [(seconds_on(began, a, 0.0), seconds_on(began, b, probe.duration)) for a, b in private_spans(timeline)]
    result.private = privates
    kept, removed = plan_cut(probe.duration, probe.keyframes, (seconds_on(began, on_air, 0.0), seconds_on(began, off_air, probe.duration)),
                             [(a - PRIVATE_BEFORE, b + PRIVATE_AFTER) for a, b in privates])
    if not kept:
        raise RecoverRefused(f"the recording {path} holds nothing of the meeting's public on-air time; nothing was uploaded")
    result.kept, result.removed = kept, removed
    result.chapters = retimed_chapters(meeting, timeline, began, kept)

    cut = Path(row["cut_file"]) if resuming else path.with_name(f"{path.stem}.recovered.mkv")
    if not resuming:
        progress("Cutting (stream copy)", f"keeping {len(kept)} span(s), removing {len(removed)} private span(s) from keyframe to keyframe")
        media.cut(path, kept, cut, media=probe)
    result.cut_seconds = verify_cut(media, probe, cut, kept)
    progress("Cut read back", f"{result.cut_seconds / 60:.1f} min; the pictures at every join are the recording's own, "
             "from outside the private sessions")
    store.save_recording(meeting.id, file=str(path), state="cut", cut_file=str(cut), cut_bytes=cut.stat().st_size,
                         kept_json=json.dumps(kept), removed_json=json.dumps(removed), chapters_json=json.dumps(result.chapters))

    privacy = settings.youtube.recover_privacy or settings.youtube.privacy
    body = {"snippet": {"title": _title(store, meeting), "description": _description(meeting, result.chapters),
                        "categoryId": settings.youtube.category_id},
            "status": {"privacyStatus": privacy, "selfDeclaredMadeForKids": False}}
    uri = row.get("session_uri") if resuming else None
    if uri:
        result.resumed = True
        progress("Resuming the upload", "the session an earlier run began (no second insert)")
    else:
        uri = uploads.start(body, cut.stat().st_size)
        store.save_recording(meeting.id, state="uploading", session_uri=uri)
    try:
        video = uploads.send(uri, cut)
    except MeetstreamError as err:
        if type(err).__name__ == "UploadSessionGone":
            store.save_recording(meeting.id, state="cut", session_uri=None)
        raise
    result.video_id = video["id"]
    result.privacy = (video.get("status") or {}).get("privacyStatus", privacy)
    store.save_recording(meeting.id, state="uploaded", video_id=result.video_id, privacy=result.privacy,
                         uploaded_utc=utc_text(clock()), session_uri=None)
    progress("Uploaded", f"{result.url} ({result.privacy})" + (f"; YouTube made it {result.privacy}, not {privacy} (an unverified "
             "API project's uploads are private)" if result.privacy != privacy else ""))
    result.units = uploads.units_spent()
    return result


def verify_cut(media, source, cut: Path, kept: list[tuple[float, float]]) -> float:
    """Read the cut back: its length is the kept spans' (joins cost a few frames each), and at every
    join the first picture is the recording's own at the kept span's keyframe and the last before it
    the recording's own just before the removed span. Its length, or CutNotVerified."""
    got = media.probe(cut)
    want = sum(b - a for a, b in kept)
    slack = max(0.3 + 0.15 * len(kept), 0.005 * want)
    if abs(got.duration - want) > slack:
        raise CutNotVerified(f"the cut {cut} is {got.duration:.2f} s long, the plan {want:.2f} s; nothing was uploaded")
    frame, first_key = source.frame_seconds, (got.keyframes[0] if got.keyframes else 0.0)
    at = 0.0
    for n, (a, b) in enumerate(kept):
        expected = at + first_key
        join = min(got.keyframes, key=lambda k: abs(k - expected), default=expected)
        if abs(join - expected) > max(0.5, 3 * frame):
            raise CutNotVerified(f"the cut {cut} has no keyframe where span {n + 1} should begin ({expected:.2f} s); nothing was uploaded")
        if media.frame_md5(cut, join, frame_seconds=frame) != media.frame_md5(source.path, a, frame_seconds=frame, start=source.start):
            raise CutNotVerified(f"the cut {cut} at {join:.2f} s is not the recording's picture at {a:.2f} s; nothing was uploaded")
        if n + 1 < len(kept):  # the last picture before the next join: the recording's just before what was removed
            if media.frame_md5(cut, join + (b - a) - frame, frame_seconds=frame) != media.frame_md5(
                    source.path, b - frame, frame_seconds=frame, start=source.start):
                raise CutNotVerified(f"the cut {cut} before {join + b - a:.2f} s is not the recording's picture before {b:.2f} s; "
                                     "nothing was uploaded")
        at += b - a
    return got.duration


def _find_recording(row: dict, on_air: datetime, off_air: datetime) -> Path:
    """The video file in the recording folder that OBS finished nearest the end of the meeting (and after it went on air)."""
    folder = row.get("directory")
    if not folder or not Path(folder).is_dir():
        raise RecoverRefused("no recording is known for the meeting (was it recorded?): name the file with --recording FILE")
    found = []
    for p in Path(folder).iterdir():
        if p.suffix.lower() in VIDEO_SUFFIXES and ".recovered." not in p.name and p.is_file():
            done = datetime.fromtimestamp(p.stat().st_mtime, tz=on_air.tzinfo)
            if done >= on_air:
                found.append((abs((done - off_air).total_seconds()), p))
    if not found:
        raise RecoverRefused(f"no recording in {folder} was finished after the meeting went on air: name the file with --recording FILE")
    return min(found)[1]


def _span_words(a: datetime, b: datetime | None, on_air: datetime) -> str:
    start = int((a - on_air).total_seconds())
    return f"from {start // 60}:{start % 60:02d} " + (f"for {int((b - a).total_seconds())} s" if b else "to the end")


def _clean(text: str) -> str:
    return text.replace("<", "‹").replace(">", "›")  # YouTube refuses < and > in titles and descriptions


def _title(store, meeting: Meeting) -> str:
    broadcast = store.find_broadcast(meeting.id)
    title = broadcast.title if broadcast and broadcast.title else f"{meeting.committee} — {meeting.start:%d %B %Y}"
    return _clean(title)[:100]


def _description(meeting: Meeting, chs: list[tuple[int, str]]) -> str:
    text = (f"{meeting.committee}, {meeting.start:%d %B %Y}. The live webcast was interrupted; this is the council's own "
            "recording of the meeting, without the parts held in private session.")
    if chs:
        text += "\n\n" + chapter_text(chs)
    return _clean(text)[:4900]
