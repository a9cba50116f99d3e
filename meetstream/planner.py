"""Meetings + the broadcasts already made -> a plan of YouTube actions. Pure: no I/O, no SDKs.

Each meeting that is to be webcast gets one broadcast. The plan says, per meeting, whether to
create one, update it (time, title, agenda or settings changed: the fingerprint of what we last
wrote differs), delete it (cancelled or no longer webcast, and it never went live) or do nothing.
`schedule.apply_plan` carries the actions out; `--dry-run` prints them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Literal

from meetstream.domain import Broadcast, Meeting
from meetstream.timefmt import local as to_local, utc_text
from meetstream.youtube.quota import ACTION_COST  # what each action costs in quota units: the one table

TITLE_MAX = 100  # characters (YouTube)
DESCRIPTION_MAX = 5000  # bytes (YouTube)
NOT_STARTED = ("created", "ready")
STALE_AFTER = timedelta(hours=12)  # a broadcast this long past its start that never went live is over


@dataclass(frozen=True)
class BroadcastOptions:
    """The settings every broadcast is written with (from the youtube: section of the config)."""

    privacy: str = "public"
    enable_dvr: bool = True
    record_from_start: bool = True
    auto_start: bool = True
    auto_stop: bool = False
    monitor_stream: bool = False
    timezone: str = "Europe/London"
    council: str = "Council"


@dataclass(frozen=True)
class BroadcastSpec:
    """Everything we write to YouTube for one meeting."""

    meeting_id: str
    room: str | None
    title: str
    description: str
    scheduled_start: datetime
    scheduled_end: datetime
    options: BroadcastOptions

    def fingerprint(self) -> str:
        doc = {
            "title": self.title,
            "description": self.description,
            "start": self.scheduled_start.isoformat(),
            "end": self.scheduled_end.isoformat(),
            "room": self.room,
            "privacy": self.options.privacy,
            "dvr": self.options.enable_dvr,
            "record": self.options.record_from_start,
            "autoStart": self.options.auto_start,
            "autoStop": self.options.auto_stop,
            "monitor": self.options.monitor_stream,
        }
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]

    def body(self) -> dict:
        """The liveBroadcast resource for insert/update (snippet, status, contentDetails)."""
        return {
            "snippet": {
                "title": self.title,
                "description": self.description,
                "scheduledStartTime": utc_text(self.scheduled_start),
                "scheduledEndTime": utc_text(self.scheduled_end),
            },
            "status": {"privacyStatus": self.options.privacy, "selfDeclaredMadeForKids": False},
            "contentDetails": {
                # Sent whole every time: an update without both monitorStream fields is refused.
                "monitorStream": {"enableMonitorStream": self.options.monitor_stream, "broadcastStreamDelayMs": 0},
                "enableDvr": self.options.enable_dvr,
                "recordFromStart": self.options.record_from_start,
                "enableAutoStart": self.options.auto_start,
                "enableAutoStop": self.options.auto_stop,
                "enableEmbed": True,
            },
        }


Kind = Literal["create", "update", "delete", "nothing"]


@dataclass(frozen=True)
class Action:
    kind: Kind
    meeting_id: str
    reason: str
    spec: BroadcastSpec | None = None
    broadcast: Broadcast | None = None
    rebind: bool = False  # the meeting moved room: bind the broadcast to the new room's stream

    @property
    def cost(self) -> int:
        return ACTION_COST[self.kind] + (ACTION_COST["rebind"] if self.rebind else 0)

    @property
    def label(self) -> str:
        if self.spec is not None:
            return self.spec.title
        return self.broadcast.title if self.broadcast else self.meeting_id


def _clean(text: str) -> str:
    # YouTube refuses < and > in titles and descriptions.
    return text.replace("<", "‹").replace(">", "›")


def broadcast_title(meeting: Meeting, zone: str) -> str:
    """'Planning Committee, Tuesday 3 March 2026' in the council's zone, at most 100 characters."""
    local = to_local(meeting.start, zone)
    date = f"{local:%A} {local.day} {local:%B %Y}"
    committee = _clean(" ".join(meeting.committee.split()))
    room = TITLE_MAX - len(date) - 2
    if len(committee) > room:
        committee = committee[: room - 1].rstrip() + "…"
    return f"{committee}, {date}"


def broadcast_description(meeting: Meeting, options: BroadcastOptions) -> str:
    """The agenda as the public may see it: exempt items by number only, within 5000 bytes."""
    local = to_local(meeting.start, options.timezone)
    head = [f"{options.council}: {meeting.committee}, {local:%A} {local.day} {local:%B %Y} at {local:%H:%M}."]
    lines = [_clean(line) for line in head]
    if meeting.agenda:
        lines += ["", "Agenda"]
        for item in meeting.agenda:
            lines.append(_clean(item.public_title()))
    lines += ["", "Part of the meeting may be held in private session, when the webcast shows a holding slate."]
    text = "\n".join(lines)
    if len(text.encode()) <= DESCRIPTION_MAX:
        return text
    tail = "\n… (the full agenda is on the council's website)"
    kept: list[str] = []
    for line in lines:
        if len("\n".join(kept + [line]).encode()) + len(tail.encode()) > DESCRIPTION_MAX:
            break
        kept.append(line)
    return "\n".join(kept) + tail


def broadcast_spec(meeting: Meeting, options: BroadcastOptions) -> BroadcastSpec:
    return BroadcastSpec(
        meeting_id=meeting.id,
        room=meeting.room,
        title=broadcast_title(meeting, options.timezone),
        description=broadcast_description(meeting, options),
        scheduled_start=meeting.start,
        scheduled_end=meeting.end,
        options=options,
    )


def plan(
    meetings: Iterable[Meeting],
    broadcasts: Iterable[Broadcast],
    *,
    options: BroadcastOptions,
    now: datetime,
    window_end: datetime | None = None,
    room_streams: dict[str, str] | None = None,
) -> list[Action]:
    """One action per meeting (and per broadcast whose meeting has gone), in start order.

    `meetings` should include cancelled and non-webcast ones in the window, so their broadcasts
    can be deleted. `room_streams` (room -> stream id) lets the plan notice a change of room.
    """
    by_meeting = {b.meeting_id: b for b in broadcasts}
    room_streams = room_streams or {}
    actions: list[Action] = []
    seen: set[str] = set()
    for m in sorted(meetings, key=lambda m: (m.start, m.id)):
        seen.add(m.id)
        b = by_meeting.get(m.id)
        wanted = m.webcast and not m.cancelled
        started = b is not None and b.life_cycle_status not in NOT_STARTED
        if not wanted:
            if b is None:
                continue
            why = "cancelled" if m.cancelled else "no longer to be webcast"
            if started:
                actions.append(Action("nothing", m.id, f"{why}, but the broadcast already went {b.life_cycle_status}", broadcast=b))
            else:
                actions.append(Action("delete", m.id, why, broadcast=b))
            continue
        if m.room is None:
            actions.append(Action("nothing", m.id, "no room for this meeting (set its location, or add it to a room's locations)", broadcast=b))
            continue
        spec = broadcast_spec(m, options)
        if b is None:
            if m.start <= now:
                actions.append(Action("nothing", m.id, "already started; too late to schedule", spec=spec))
            else:
                actions.append(Action("create", m.id, "new meeting", spec=spec))
            continue
        if started:
            actions.append(Action("nothing", m.id, f"broadcast is {b.life_cycle_status}", spec=spec, broadcast=b))
            continue
        stream = room_streams.get(m.room)
        rebind = b.stream_id is None or bool(stream and stream != b.stream_id)
        if b.fingerprint == spec.fingerprint() and not rebind:
            actions.append(Action("nothing", m.id, "up to date", spec=spec, broadcast=b))
        else:
            actions.append(Action("update", m.id, _what_changed(spec, b, rebind), spec=spec, broadcast=b, rebind=rebind))
    for b in by_meeting.values():
        if b.meeting_id in seen:
            continue
        # The meeting has left the calendar. Delete its broadcast only if it is one we would have
        # planned (upcoming, inside the window) and it never started.
        upcoming = b.scheduled_start > now and (window_end is None or b.scheduled_start < window_end)
        if upcoming and b.life_cycle_status in NOT_STARTED:
            actions.append(Action("delete", b.meeting_id, "meeting no longer in the calendar", broadcast=b))
        elif b.scheduled_start + STALE_AFTER < now and b.life_cycle_status in NOT_STARTED:
            # Still bound to the room's reusable stream with auto-start on: the next time OBS
            # streams to that key, YouTube might take this stale broadcast live instead.
            actions.append(Action("delete", b.meeting_id, "meeting is over and never went live", broadcast=b))
    return actions


def _what_changed(spec: BroadcastSpec, b: Broadcast, rebind: bool) -> str:
    changed = []
    if spec.scheduled_start != b.scheduled_start:
        changed.append("time")
    if spec.title != b.title:
        changed.append("title")
    if spec.options.privacy != b.privacy:
        changed.append("privacy")
    if rebind:
        changed.append("room")
    return ", ".join(changed) + " changed" if changed else "agenda or settings changed"


def plan_cost(actions: Iterable[Action]) -> int:
    return sum(a.cost for a in actions)


def writes(actions: Iterable[Action]) -> list[Action]:
    return [a for a in actions if a.kind != "nothing"]
