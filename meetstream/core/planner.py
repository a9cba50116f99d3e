"""Meetings + the broadcasts already made -> a plan of YouTube actions. Pure: no I/O, no SDKs.

Each meeting that is to be webcast gets one broadcast. The plan says, per meeting, whether to
create one, update it (time, title, agenda or settings changed: the fingerprint of what we last
wrote differs), delete it (cancelled or no longer webcast, and it never went live), bind or unbind
it, or do nothing. `schedule.schedule` carries the actions out; `--dry-run` prints them.

One auto-start broadcast per room's stream. Every room streams to one reusable liveStream, and
which of several auto-start broadcasts bound to it YouTube starts when OBS publishes is not
documented. So at any moment only the room's next meeting is bound (`binding_targets`); the others
wait unbound, and the next one is bound when a meeting ends (YouTubeOnAir.hand_over) or is
cancelled (the next `schedule`). A room with a broadcast on air has none bound besides it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Literal

from meetstream.core.domain import Broadcast, Meeting
from meetstream.core.timefmt import local as to_local, utc_text
from meetstream.core.quota import ACTION_COST  # what each action costs in quota units: the one table

TITLE_MAX = 100  # characters (YouTube)
DESCRIPTION_MAX = 5000  # bytes (YouTube)
NOT_STARTED = ("created", "ready")
ON_AIR = ("testStarting", "testing", "liveStarting", "live")
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
        """The liveBroadcast resource for an insert (snippet, status, contentDetails)."""
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

    def body_over(self, current: dict) -> dict:
        """The update body: the broadcast as YouTube has it (`current`, read with snippet, status and
        contentDetails), with only the fields meetstream owns replaced.

        An update resets every settable property it leaves out of a part it names, privacy included
        (https://developers.google.com/youtube/v3/live/docs/liveBroadcasts/update), so the rest is
        sent back as read: what the officer set in YouTube Studio (captions, embedding, the stream
        delay, latency …) survives a change of time or agenda. Embedding and the delay are set at
        insert only; after that they are the officer's.
        """
        ours = self.body()
        body: dict = {"id": current["id"]}
        for part in ("snippet", "status", "contentDetails"):
            theirs = {k: v for k, v in (current.get(part) or {}).items() if k not in _READ_ONLY[part]}
            body[part] = {**theirs, **{k: v for k, v in ours[part].items() if k not in _INSERT_ONLY}}
        # Both monitorStream fields go back: an update without both is refused (community, see the simulator).
        monitor = {k: v for k, v in (current.get("contentDetails", {}).get("monitorStream") or {}).items() if k != "embedHtml"}
        monitor.setdefault("broadcastStreamDelayMs", 0)
        monitor["enableMonitorStream"] = self.options.monitor_stream
        body["contentDetails"]["monitorStream"] = monitor
        return body


# What YouTube reports but an update does not take (liveBroadcasts resource: not settable).
_READ_ONLY = {
    "snippet": {"publishedAt", "channelId", "thumbnails", "liveChatId", "actualStartTime", "actualEndTime", "isDefaultBroadcast"},
    "status": {"lifeCycleStatus", "recordingStatus", "madeForKids", "liveBroadcastPriority"},
    "contentDetails": {"boundStreamId", "boundStreamLastUpdateTimeMs"},
}
_INSERT_ONLY = {"enableEmbed", "monitorStream"}  # written at insert; afterwards the officer's (monitorStream is merged)

Kind = Literal["create", "update", "bind", "unbind", "delete", "nothing"]


@dataclass(frozen=True)
class Action:
    kind: Kind
    meeting_id: str
    reason: str
    spec: BroadcastSpec | None = None
    broadcast: Broadcast | None = None
    rebind: bool = False  # a create or update that also binds: it is (now) its room's next meeting
    unbind: bool = False  # an update that also unbinds: it is no longer its room's next meeting

    @property
    def cost(self) -> int:
        return ACTION_COST[self.kind] + (ACTION_COST["rebind"] if self.rebind else 0) + (ACTION_COST["unbind"] if self.unbind else 0)

    @property
    def releases(self) -> bool:
        """Frees a room's stream: applied before any action that binds, so two are never bound at once."""
        return self.kind in ("delete", "unbind") or self.unbind

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


def binding_targets(
    meetings: Iterable[Meeting],
    broadcasts: Iterable[Broadcast],
    *,
    now: datetime,
    room_streams: dict[str, str] | None = None,
) -> dict[str, str | None]:
    """room -> the meeting whose broadcast should be bound to the room's stream, or None for none.

    The room's next meeting: the earliest to be webcast whose broadcast exists and has not started,
    or is still to be made. None while one of the room's broadcasts is on air (testing or live):
    another bound beside it could start by itself on the stream that is already running.
    """
    by_meeting = {b.meeting_id: b for b in broadcasts}
    stream_rooms = {sid: room for room, sid in (room_streams or {}).items()}
    candidates: dict[str, list[Meeting]] = {}
    busy: set[str] = set()
    for b in by_meeting.values():
        if b.life_cycle_status in ON_AIR and stream_rooms.get(b.stream_id or ""):
            busy.add(stream_rooms[b.stream_id])
    for m in meetings:
        b = by_meeting.get(m.id)
        if b is not None and b.life_cycle_status in ON_AIR:
            if m.room:
                busy.add(m.room)
            continue
        if not m.webcast or m.cancelled or m.room is None:
            continue
        if (b is None and m.start <= now) or (b is not None and b.life_cycle_status not in NOT_STARTED):
            continue  # too late to make, or over
        candidates.setdefault(m.room, []).append(m)
    targets: dict[str, str | None] = {room: None for room in busy}
    for room, ms in candidates.items():
        if room not in busy:
            targets[room] = min(ms, key=lambda m: (m.start, m.id)).id
    return targets


def plan(
    meetings: Iterable[Meeting],
    broadcasts: Iterable[Broadcast],
    *,
    options: BroadcastOptions,
    now: datetime,
    window_end: datetime | None = None,
    room_streams: dict[str, str] | None = None,
    unconfirmed: set[str] | frozenset = frozenset(),
) -> list[Action]:
    """One action per meeting (and per broadcast whose meeting has gone), in start order.

    `meetings` should include cancelled and non-webcast ones in the window, so their broadcasts
    can be deleted. `room_streams` (room -> stream id) lets the plan notice a change of room and
    find the room of a broadcast whose meeting is not in `meetings`. `unconfirmed`: the meetings
    whose cancellation only one sync has seen; their broadcasts are kept until a second sync or
    the officer confirms it.
    """
    meetings = sorted(meetings, key=lambda m: (m.start, m.id))
    broadcasts = list(broadcasts)
    by_meeting = {b.meeting_id: b for b in broadcasts}
    room_streams = room_streams or {}
    stream_rooms = {sid: room for room, sid in room_streams.items()}
    targets = binding_targets(meetings, broadcasts, now=now, room_streams=room_streams)
    actions: list[Action] = []
    seen: set[str] = set()
    for m in meetings:
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
            elif m.cancelled and m.id in unconfirmed:
                # One sync's word is not enough to delete a broadcast (a source can answer oddly
                # once); the next sync, or the officer, confirms it.
                actions.append(Action("nothing", m.id, "cancelled in the last sync: the broadcast is kept until the next "
                                                       "sync confirms it (or `meetstream schedule --confirm-cancel "
                                                       "REF`)", broadcast=b))
            else:
                actions.append(Action("delete", m.id, why, broadcast=b))
            continue
        if m.room is None:
            if b is not None and not started and b.stream_id:
                actions.append(Action("unbind", m.id, "no room for this meeting: unbound so no room's stream starts it", broadcast=b))
            else:
                actions.append(Action("nothing", m.id, "no room for this meeting (set its location, or add it to a room's locations)", broadcast=b))
            continue
        spec = broadcast_spec(m, options)
        is_next = targets.get(m.room) == m.id
        if b is None:
            if m.start <= now:
                actions.append(Action("nothing", m.id, "already started; too late to schedule", spec=spec))
            else:
                actions.append(Action("create", m.id, "new meeting" + (", the room's next: bound" if is_next else ""), spec=spec, rebind=is_next))
            continue
        if started:
            actions.append(Action("nothing", m.id, f"broadcast is {b.life_cycle_status}", spec=spec, broadcast=b))
            continue
        stream = room_streams.get(m.room)
        bound_right = b.stream_id is not None and (stream is None or stream == b.stream_id)
        bind, unbind = is_next and not bound_right, not is_next and b.stream_id is not None
        if b.fingerprint != spec.fingerprint():
            actions.append(Action("update", m.id, _what_changed(spec, b, bind, unbind), spec=spec, broadcast=b, rebind=bind, unbind=unbind))
        elif bind:
            actions.append(Action("bind", m.id, "the room's next meeting: bound to the room's stream", spec=spec, broadcast=b))
        elif unbind:
            actions.append(Action("unbind", m.id, _NOT_NEXT, spec=spec, broadcast=b))
        else:
            actions.append(Action("nothing", m.id, "up to date", spec=spec, broadcast=b))
    for b in by_meeting.values():
        if b.meeting_id in seen:
            continue
        # The meeting has left the calendar. Delete its broadcast only if it is one we would have
        # planned (upcoming, inside the window) and it never started.
        upcoming = b.scheduled_start > now and (window_end is None or b.scheduled_start < window_end)
        if upcoming and b.life_cycle_status in NOT_STARTED:
            actions.append(Action("delete", b.meeting_id, "meeting no longer in the calendar", broadcast=b))
        elif b.scheduled_start + STALE_AFTER < now and b.life_cycle_status in NOT_STARTED:
            # A meeting long over that never went live: nothing to keep it for.
            actions.append(Action("delete", b.meeting_id, "meeting is over and never went live", broadcast=b))
        elif b.life_cycle_status in NOT_STARTED and b.stream_id:
            # Outside the window or just over: still bound, it must not stand beside the room's next
            # one. One beyond the window stays bound while its room has nothing sooner.
            room = stream_rooms.get(b.stream_id)
            if b.scheduled_start <= now or (room in targets and targets[room] != b.meeting_id):
                actions.append(Action("unbind", b.meeting_id, _NOT_NEXT, broadcast=b))
    return actions


_NOT_NEXT = "not the room's next meeting: unbound so auto-start cannot pick it"


def _what_changed(spec: BroadcastSpec, b: Broadcast, rebind: bool, unbind: bool = False) -> str:
    changed = []
    if spec.scheduled_start != b.scheduled_start:
        changed.append("time")
    if spec.title != b.title:
        changed.append("title")
    if spec.options.privacy != b.privacy:
        changed.append("privacy")
    if spec.room is not None and b.stream_id is not None and rebind:
        changed.append("room")
    text = ", ".join(changed) + " changed" if changed else "agenda or settings changed"
    if rebind:
        text += "; the room's next: bound"
    elif unbind:
        text += "; not the room's next: unbound"
    return text


def plan_cost(actions: Iterable[Action]) -> int:
    return sum(a.cost for a in actions)


def writes(actions: Iterable[Action]) -> list[Action]:
    return [a for a in actions if a.kind != "nothing"]
