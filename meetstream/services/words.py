"""What each surface says, in one place: the banner for each state, a cue's result line, and
timeline entries as plain words for "last actions". Pure."""

from __future__ import annotations

from meetstream.core.domain import SessionState, TimelineEntry
from meetstream.core.resolutions import Resolution, Resolved
from meetstream.core.votes import VoteRecorded, recorded_line

# Red means private everywhere (a Stream Deck button, the tablet, the console); white text on
# each of these colours has a contrast of at least 4.5:1.
BANNERS = {
    SessionState.OFF_AIR: ("OFF AIR", "#6c757d"),
    SessionState.HOLDING: ("HOLDING", "#9c4f00"),
    SessionState.ON_AIR: ("ON AIR", "#1b7f3b"),
    SessionState.PRIVATE: ("PRIVATE", "#b00020"),
    SessionState.RECESS: ("RECESS", "#2a6f4e"),
    SessionState.ADJOURNED: ("ADJOURNED", "#343a40"),
}


def cue_line(session, verified) -> str:
    """'PRIVATE: program 'Private session', all 4 audio input(s) muted (read back from OBS); item 5. …'"""
    if isinstance(verified, VoteRecorded):
        line = recorded_line(verified)
        return line if verified.resolved is None else f"{line}. {cue_line(session, verified.resolved)}"
    if isinstance(verified, Resolved):
        return f"{verified.resolution.words()}. {cue_line(session, verified.seen)}"
    if type(verified).__name__ == "AutoSet":  # meetstream.services.session.AutoSet (no import cycle)
        head = ("AUTO DIRECTOR ON: the microphones pick the shot and the name (never in a private session)"
                if verified.on else "AUTO DIRECTOR OFF: every shot is yours")
        return f"{head}. {cue_line(session, None)}"
    line = session.state.value.replace("_", " ").upper()
    if verified is not None:
        line += f": program {verified.program_scene!r}, {_sound(verified)} (read back from OBS)"
    if session.item is not None:
        line += f"; item {session.item.public_title()}"
    if session.speaker_name:
        line += f"; speaker {session.speaker_name}"
    return line


def cue_record(session, verified) -> dict:
    """`cue --json` when it acted on OBS itself: the same keys as the control API's answer
    (docs/control-api.md), with the state trimmed to what a cue changes, and OBS's read-back."""
    banner, colour = BANNERS[session.state]
    item = session.item
    resolved = verified.resolved if isinstance(verified, VoteRecorded) else verified
    if isinstance(verified, Resolved):
        verified = verified.seen
    return {
        "ok": True,
        "message": cue_line(session, verified),
        "state": {
            "room": session.room, "state": session.state.value, "banner": banner, "colour": colour,
            "private": session.state is SessionState.PRIVATE,
            "item": None if item is None else {"number": item.number, "title": item.public_title(), "exempt": item.exempt},
            "speaker": session.speaker_name,
        },
        "read_back": _read_back(verified),
    } | ({"resolution": resolved.resolution.as_detail()} if isinstance(resolved, Resolved) else {}) | ({"vote": {"id": verified.vote.id, "item": verified.vote.item_number, "line": recorded_line(verified),
                   "shown": verified.shown, "seconds": verified.seconds}} if isinstance(verified, VoteRecorded) else {})


def _read_back(verified) -> dict | None:
    if verified is None:
        return None
    if isinstance(verified, VoteRecorded):
        return {"program": verified.program_scene, "vote_shown": verified.shown} if verified.shown else None
    return {"program": verified.program_scene, "all_muted": verified.all_muted, "live": verified.live}


def _sound(verified) -> str:
    if verified.all_muted:
        return f"all {len(verified.muted)} audio input(s) muted"
    live = verified.live
    mics = [m for m in verified.microphones if m in live]
    others = [n for n in live if n not in mics]
    text = f"microphones live: {', '.join(mics) or 'none'}"
    return text + (f"; also live: {', '.join(others)}" if others else "")


_WORDS = {
    "start": "Meeting started: on air",
    "holding": "Holding slate",
    "chamber": "Chamber on air",
    "gallery": "Teams gallery on air",
    "agenda": "Agenda card on air",
    "private": "PRIVATE session: public excluded, all sound muted",
    "public": "Public readmitted: chamber on air",
    "recess": "Recess",
    "resume": "Resumed after recess",
    "adjourned": "Meeting closed: adjourned slate",
    "end": "Meeting ended",
}


def action_words(e: TimelineEntry) -> str:
    if e.kind in ("chamber", "speaker") and e.detail.get("auto"):
        text = "Chamber on air" if e.kind == "chamber" else f"Speaker: {e.detail.get('member', '')}"
        return f"{text} (auto)"
    if e.kind == "item":
        return f"Item {e.item_number}"
    if e.kind == "speaker":
        return f"Speaker: {e.detail.get('member', '')}"
    if e.kind == "vote":
        return f"Vote on item {e.item_number}: {e.detail.get('line', '')}" + ("" if e.detail.get("shown") else " (not on screen)")
    if e.kind == "auto":
        return "Auto director " + ("on" if e.detail.get("auto") else "off")
    if e.kind == "resolution":
        return Resolution.from_detail(e.detail).words()
    if e.kind == "incident":
        return f"Incident: {e.detail.get('what', '')}"
    text = _WORDS.get(e.kind, e.kind)
    if e.kind == "private" and e.item_number:
        text += f" (item {e.item_number})"
    return text


def end_lines(summary) -> list[str]:
    """End's summary (meetstream.services.night.EndSummary) as every surface shows it: the CLI acting
    itself, the CLI through `serve`, the console and the web console say the same lines."""
    lines = [f"{summary.committee}: on air for {summary.duration}",
             f"Agenda items covered: {', '.join(summary.items) or 'none'}",
             f"Incidents: {len(summary.incidents)}", *(f"  {i}" for i in summary.incidents),
             f"YouTube quota used tonight: {summary.quota_units} units"]
    if summary.recording:
        lines.append(f"Backup recording: {summary.recording}")
    if summary.chapters:
        lines += ["Chapters:", *summary.chapters.splitlines()]
    if summary.left:
        lines += ["Closed here; still to do:", *(f"  {x}" for x in summary.left)]
    return lines


def end_text(summary) -> str:
    return "\n".join(end_lines(summary))


def end_record(summary) -> dict:
    """End's summary as data (the control API's `end` field): a client decides on `left`, never on words."""
    return {"committee": summary.committee, "broadcast_id": summary.broadcast_id, "duration": summary.duration,
            "items": list(summary.items), "incidents": list(summary.incidents), "quota_units": summary.quota_units,
            "recording": summary.recording, "chapters": summary.chapters, "left": list(summary.left),
            "lines": end_lines(summary)}
