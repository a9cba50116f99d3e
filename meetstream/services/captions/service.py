"""The caption round for a recorded meeting, one step at a time, at the officer's pace:

    fetch    YouTube's automatic (ASR) track (captions.list + captions.download), or a file
    correct  the council's own words (vocab.py), and every private cue dropped (private.py)
    review   export the track to edit (WebVTT or SRT); import it back (private cues dropped again)
    upload   the reviewed track under its own name; a second upload replaces it (update), never
             duplicates it; an unchanged track is not sent again (no quota)
    status   each recording's caption state and the days left of the council's deadline

Handed a captions port (adapters.youtube.captions.CaptionTracks, built by meetstream.bootstrap) and the
store; builds no adapter. The state of each meeting's track is in the store's `captions` table.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from meetstream.services.captions.cues import CaptionFileError, Cue, detect_format, parse, to_vtt, write
from meetstream.services.captions.private import Dropped, drop_private
from meetstream.services.captions.vocab import Change, correct as correct_cues, vocabulary
from meetstream.core.domain import Meeting
from meetstream.errors import StateError, YouTubeError
from meetstream.core.timefmt import local, now_utc, parse_utc, utc_text
from meetstream.ports import Tracks

STATES = ("none", "fetched", "corrected", "reviewed", "uploaded")
DEADLINE_DAYS = 14  # default: the council's own target, from the end of the meeting
MAX_FILE = 20 * 1024 * 1024  # a caption file bigger than this is not a caption file


# --- settings (read defensively: `captions:` in meetstream.yaml is optional) -------------------

@dataclass(frozen=True)
class CaptionSettings:
    glossary: tuple[str, ...] = ()
    replacements: dict[str, str] = field(default_factory=dict)  # heard as -> written as
    deadline_days: int = DEADLINE_DAYS
    language: str = "en-GB"
    track_name: str = "English (reviewed by the council)"


def caption_settings(settings) -> CaptionSettings:
    """The `captions:` section of meetstream.yaml (config.CaptionsConfig), as the service uses it."""
    cfg = settings.captions
    terms: list[str] = []
    replacements: dict[str, str] = {}
    if isinstance(cfg.glossary, dict):  # {"heard as": "written as"} or {"Term": null}
        for heard, written in cfg.glossary.items():
            if written:
                replacements[heard] = written
                terms.append(written)
            else:
                terms.append(heard)
    else:
        terms = [g for g in cfg.glossary if g]
    name = cfg.track_name or f"English (reviewed by {settings.council.name})"[:150]  # captions resource: name <= 150
    return CaptionSettings(tuple(terms), replacements, cfg.deadline_days, cfg.language, name)


# --- fetch -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fetched:
    source: str
    cues: int
    units: int


def _recording(store, meeting: Meeting):
    b = store.find_broadcast(meeting.id)
    if b is None:
        raise StateError(f"{meeting.committee} has no YouTube broadcast in the store, so there is no video to caption")
    return b


def fetch(store, settings, meeting: Meeting, tracks: Tracks, *, source_file: Path | None = None, again: bool = False) -> Fetched:
    """The automatic track (or `source_file`, WebVTT or SRT) into the store as `fetched`."""
    record = store.caption_record(meeting.id)
    if record and record["state"] in ("reviewed", "uploaded") and not again:
        raise StateError(f"the captions of {meeting.committee} are already {record['state']}; fetching again would "
                         "throw that work away: add --again if you mean it")
    b = _recording(store, meeting)
    before = tracks.units_spent()
    video_start, video_end = tracks.video_times(b.broadcast_id)
    if video_start is None:
        raise YouTubeError(f"the video of {meeting.committee} has not started on YouTube (no actualStartTime), so "
                           "there is nothing to caption yet")
    if source_file is not None:
        cues = read_file(source_file)
        source = f"file:{source_file.name}"
    else:
        cs = caption_settings(settings)
        found = tracks.list(b.broadcast_id)
        lang = cs.language.split("-")[0].casefold()
        asr = [t for t in found if t.kind == "ASR"]
        others = [t for t in found if t.kind == "standard" and t.name != cs.track_name]
        ordered = sorted(asr, key=lambda t: not t.language.casefold().startswith(lang)) + \
            sorted(others, key=lambda t: not t.language.casefold().startswith(lang))
        if not ordered:
            raise YouTubeError(f"YouTube has no automatic captions for {meeting.committee}'s video yet (they can take "
                               "hours after the broadcast); try again later, or use a transcript: "
                               "`meetstream captions fetch MEETING --from FILE`")
        track = ordered[0]
        cues = parse(tracks.download(track.id, "vtt"), "vtt", name=f"YouTube's {track.kind} track")
        source = f"youtube:{track.kind}:{track.language}:{track.id}"
    store.save_caption_record(meeting.id, state="fetched", video_id=b.broadcast_id, source=source,
                              video_start_utc=utc_text(video_start),
                              video_end_utc=utc_text(video_end) if video_end else None,
                              fetched=to_vtt(cues), corrected=None, reviewed=None)
    return Fetched(source, len(cues), tracks.units_spent() - before)


def read_file(path: Path) -> list[Cue]:
    try:
        if path.stat().st_size > MAX_FILE:
            raise CaptionFileError(f"{path}: {path.stat().st_size // 1_048_576} MB is too big for a caption file")
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise CaptionFileError(f"{path}: not UTF-8 text (save it as UTF-8 and try again)") from err
    except OSError as err:
        raise CaptionFileError(f"cannot read {path}: {err.strerror or err}") from err
    return parse(text, detect_format(text, path.name), name=str(path))


# --- correct ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Corrected:
    changes: list[Change]
    dropped: list[Dropped]
    cues: int


def _video_start(record: dict) -> datetime:
    if not record.get("video_start_utc"):
        raise StateError("the video's start is not known, so private sessions cannot be placed: run "
                         "`meetstream captions fetch MEETING` again")
    return parse_utc(record["video_start_utc"])


def _needs(store, meeting: Meeting, *states: str) -> dict:
    record = store.caption_record(meeting.id)
    if record is None:
        raise StateError(f"no captions fetched for {meeting.committee}: run `meetstream captions fetch MEETING` first")
    if record["state"] not in states:
        raise StateError(f"the captions of {meeting.committee} are {record['state']}: {_next_step(record['state'])}")
    return record


def _next_step(state: str) -> str:
    return {"none": "run `meetstream captions fetch MEETING`", "fetched": "run `meetstream captions correct MEETING`",
            "corrected": "review them: `meetstream captions review MEETING --export FILE`, then --import FILE",
            "reviewed": "upload them: `meetstream captions upload MEETING`", "uploaded": "nothing left to do"}[state]


def vocabulary_for(store, settings, meeting: Meeting, roster=None):
    """The terms for this meeting: its members and the roster's, wards, every committee in the
    store, this meeting's public agenda titles, and the glossary."""
    cs = caption_settings(settings)
    members = list(meeting.members)
    if roster is not None:
        members += [e.member for e in roster.entries]
    committees = {meeting.committee} | {m.committee for m in store.meetings(include_cancelled=True, webcast_only=False)}
    titles = [i.title for i in meeting.agenda if not i.exempt]  # an exempt title is never a correction
    return vocabulary(members=members, wards=[m.ward for m in members if m.ward], committees=sorted(committees),
                      titles=titles, glossary=cs.glossary)


def correct(store, settings, meeting: Meeting, *, roster=None) -> Corrected:
    """The fetched track with the council's words put right and every private cue dropped."""
    record = _needs(store, meeting, "fetched", "corrected")
    cues = parse(record["fetched"], "vtt", name="the fetched track")
    terms = vocabulary_for(store, settings, meeting, roster)
    fixed, changes = correct_cues(cues, terms, caption_settings(settings).replacements)
    kept, dropped = drop_private(fixed, meeting, store.timeline(meeting.id), _video_start(record))
    store.save_caption_record(meeting.id, state="corrected", corrected=to_vtt(kept))
    gone = {(d.cue.start_ms, d.cue.end_ms) for d in dropped}
    # A change inside a dropped cue is not shown: its text is the private session's.
    shown = [c for c, f in zip(cues, fixed) if f.text != c.text and (f.start_ms, f.end_ms) not in gone]
    changes = [ch for ch in changes if any(ch.start_ms == c.start_ms and ch.before == c.text for c in shown)]
    return Corrected(changes, dropped, len(kept))


# --- review ----------------------------------------------------------------------------------

def export_review(store, meeting: Meeting, path: Path, fmt: str | None = None) -> int:
    """Write the track to review (the reviewed one if there is one) to `path`; returns its cues."""
    record = _needs(store, meeting, "corrected", "reviewed", "uploaded")
    cues = parse(record["reviewed"] or record["corrected"], "vtt", name="the stored track")
    fmt = fmt or ("srt" if path.suffix.lower() == ".srt" else "vtt")
    try:
        path.write_text(write(cues, fmt), encoding="utf-8")
    except OSError as err:
        raise StateError(f"cannot write {path}: {err.strerror or err}") from err
    return len(cues)


@dataclass(frozen=True)
class Imported:
    cues: int
    dropped: list[Dropped]


def import_review(store, meeting: Meeting, path: Path) -> Imported:
    """The officer's edited file as the reviewed track; every private cue is dropped again, so a
    hand edit cannot bring one back."""
    record = _needs(store, meeting, "corrected", "reviewed", "uploaded")
    cues = read_file(path)
    if not cues:
        raise CaptionFileError(f"{path}: no cues in it; export the track again with --export")
    kept, dropped = drop_private(cues, meeting, store.timeline(meeting.id), _video_start(record))
    store.save_caption_record(meeting.id, state="reviewed", reviewed=to_vtt(kept))
    return Imported(len(kept), dropped)


# --- upload ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Uploaded:
    action: str  # inserted | updated | unchanged
    track_id: str | None
    name: str
    units: int
    dropped: list[Dropped]


def upload(store, settings, meeting: Meeting, tracks: Tracks, *, force: bool = False) -> Uploaded:
    """The reviewed track onto the video under the council's own track name: inserted the first
    time, updated (not duplicated) after; not sent at all when unchanged since the last upload."""
    record = _needs(store, meeting, "reviewed", "uploaded")
    cs = caption_settings(settings)
    cues = parse(record["reviewed"], "vtt", name="the reviewed track")
    # Once more, last thing before it leaves: the timeline may have been corrected since the review.
    kept, dropped = drop_private(cues, meeting, store.timeline(meeting.id), _video_start(record))
    data = to_vtt(kept).encode("utf-8")
    sha = hashlib.sha256(data + cs.track_name.encode()).hexdigest()
    if record["state"] == "uploaded" and record["uploaded_sha"] == sha and not force:
        return Uploaded("unchanged", record["track_id"], cs.track_name, 0, dropped)
    before = tracks.units_spent()
    video_id = record["video_id"]
    ours = [t for t in tracks.list(video_id) if t.kind != "ASR" and t.name == cs.track_name]
    if ours:
        keep = next((t for t in ours if t.id == record["track_id"]), ours[0])
        track = tracks.update(keep.id, data, draft=False)
        for extra in ours:  # left by an upload that failed half way: one track of ours, not two
            if extra.id != keep.id:
                tracks.delete(extra.id)
        action = "updated"
    else:
        track = tracks.insert(video_id, cs.language, cs.track_name, data, draft=False)
        action = "inserted"
    store.save_caption_record(meeting.id, state="uploaded", track_id=track.id, uploaded_sha=sha,
                              uploaded_utc=utc_text(now_utc()), reviewed=data.decode("utf-8"))
    return Uploaded(action, track.id, cs.track_name, tracks.units_spent() - before, dropped)


# --- status ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaptionStatus:
    meeting_id: str
    committee: str
    start: datetime
    video_id: str
    state: str  # none | fetched | corrected | reviewed | uploaded
    deadline: date  # in the council's zone
    days_left: int  # negative: overdue

    @property
    def overdue(self) -> bool:
        return self.state != "uploaded" and self.days_left < 0


def caption_states(store, settings, *, today: date | None = None) -> dict[str, CaptionStatus]:
    """meeting id -> its caption status, for every recording (a meeting whose broadcast is
    complete, or whose captions were started). For `report` to count."""
    zone = settings.council.timezone
    cs = caption_settings(settings)
    today = today or local(now_utc(), zone).date()
    rows = {}
    for b in store.broadcasts():
        record = store.caption_record(b.meeting_id)
        if b.life_cycle_status != "complete" and record is None:
            continue
        meeting = store.find_meeting(b.meeting_id)
        if meeting is None:
            continue
        end = parse_utc(record["video_end_utc"]) if record and record.get("video_end_utc") else meeting.end
        deadline = local(end, zone).date() + timedelta(days=cs.deadline_days)
        rows[meeting.id] = CaptionStatus(meeting.id, meeting.committee, meeting.start, b.broadcast_id,
                                         record["state"] if record else "none", deadline, (deadline - today).days)
    return rows


def status(store, settings, *, today: date | None = None) -> list[CaptionStatus]:
    """Every recording's caption state, the most urgent first."""
    rows = caption_states(store, settings, today=today).values()
    return sorted(rows, key=lambda r: (r.state == "uploaded", r.days_left, r.start))


def next_step(state: str) -> str:
    return _next_step(state)
