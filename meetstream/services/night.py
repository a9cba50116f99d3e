"""`meetstream start` and `meetstream end`: the two big steps of a meeting night, as checklists.

Talks to OBS and YouTube through the ports meetstream.ports.Outputs and OnAir
(meetstream.adapters.obs.output.ObsOutputs and meetstream.services.onair.YouTubeOnAir are the real ones). Each step reports as it goes. A
failing start never leaves OBS on air half-configured: the holding slate goes up, the stream
output that this start began is stopped, and the error says what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from meetstream.core.resolutions import privacy_summary
from meetstream.core.chapters import chapter_text, chapters
from meetstream.core.domain import SessionState, TimelineEntry
from meetstream.core import rules
from meetstream.errors import MeetstreamError, Refusal, RoomTaken, StateError
from meetstream.core.rules import Now
from meetstream.core.timefmt import parse_utc, utc_text
from meetstream.ports import OnAir, Outputs
from meetstream.services.session import LiveSession
from meetstream.store import OnAirRecord


Progress = Callable[[str, str], None]


def _quiet(step: str, detail: str) -> None:
    pass


def on_air_record(store, room: str) -> dict | None:
    """{meeting_id, broadcast_id, stream_id, quota_mark, started, completed}: what `end` and the console need."""
    record = store.on_air(room)
    return record.as_dict() if record else None


def start_refusal(session: LiveSession) -> str | None:
    """Why `start` may not begin for the session's meeting in its room, or None. Asked before
    anything is written to YouTube or OBS, so a refused start leaves both as they were."""
    meeting = session.meeting
    if meeting is None:
        return "name the meeting to start: `meetstream start MEETING` (see `meetstream calendar list`)"
    refused = session.room_refusal()
    if refused is not None and refused.code == "room_taken":
        return refused.words()
    if refused is not None:
        return f"{meeting.committee} has already ended"
    if session.state is SessionState.ADJOURNED:
        return f"{meeting.committee} has been adjourned: `meetstream end --room {session.room}` closes it"
    if meeting.cancelled:
        return f"{meeting.committee} on {meeting.start:%Y-%m-%d} is cancelled in the calendar"
    if meeting.room and meeting.room != session.room:
        return f"{meeting.committee} is in room {meeting.room!r}, not {session.room!r}: start it with --room {meeting.room}"
    record = session.store.on_air(session.room)
    if record is not None and record.meeting_id != meeting.id:
        other = session.store.find_meeting(record.meeting_id)
        name = other.committee if other else record.meeting_id
        return (f"the end of {name} in room {session.room!r} is not finished (its broadcast {record.broadcast_id} is "
                f"not completed): run `meetstream end --room {session.room}` again first")
    return None


def start_meeting(session: LiveSession, outputs: Outputs, youtube: OnAir, *, record_backup: bool = False,
                  progress: Progress = _quiet, stream_timeout: float = 120.0, recording_dir: str | None = None,
                  relay=None) -> dict:
    """Preflight, then on air. Returns the on-air record (broadcast and stream ids).

    Everything that can refuse is checked before YouTube or OBS is written to."""
    with session.turn():
        pass  # the room as the last action (from any process) left it
    refused = start_refusal(session)
    if refused is not None:
        raise StateError(refused)
    meeting = session.meeting
    store, room = session.store, session.room
    quota_mark = store.quota_mark()
    if session.state is SessionState.PRIVATE:
        # Private first: OBS may have come back from a crash on what it last saved (a speaker,
        # the microphones live), even streaming it. The slate goes up before anything else is
        # asked of OBS; checking the scene set takes several round trips.
        try:
            session.keep_private()
        except MeetstreamError:
            pass  # its scenes may be what is missing: the scene set is applied, then it is put back below
    version = session.director.versions()
    progress("OBS reachable", f"OBS {version.get('obsVersion', '?')}, obs-websocket {version.get('obsWebSocketVersion', '?')}")
    sent = session.director.ensure_scene_set()
    progress("Scene set matches the file", f"applied ({sent} requests)" if sent else "already matched")
    # What goes private unless the meeting resolves otherwise, as the meeting has decided it so far.
    progress("Armed items go private unless the meeting resolves to stay public", privacy_summary(session.view.agenda))
    if session.state in (SessionState.OFF_AIR, SessionState.HOLDING):
        session.holding()
    else:  # a start that resumes a night (OBS restarted, the PC rebooted): the recorded state, private first
        session.reassert()
    progress("Slate on program" if session.state is SessionState.HOLDING else "Recorded state put back in OBS",
             session.director.program_scene())
    prepared = youtube.prepare(meeting.id, room)
    progress("Broadcast bound to the room's stream", f"{prepared.broadcast_id}, {prepared.status}" + (", bound now" if prepared.bound_now else ""))
    server, key = prepared.server, prepared.key
    if relay is not None:  # rooms.<key>.backup_ingest: OBS -> the local relay -> both of YouTube's ingests
        server, key = _relay_target(relay, prepared, progress)
    changed = outputs.set_target(server, key)
    progress("OBS stream settings", f"{server} with the room's key (hidden)" + ("" if changed else ", already set"))

    began_output = False
    try:
        if record_backup:
            if not outputs.recording():  # a start resuming the night keeps the recording, and when it began
                outputs.start_record()
                # When the recording began, on its own clock: `meetstream recover` times its chapters by it.
                store.save_recording(meeting.id, directory=recording_dir, started_utc=utc_text(session.clock()), state="recorded")
            progress("Local recording started", "backup copy in OBS's recording folder")
        if not outputs.streaming():
            outputs.start_stream()
            began_output = True
        store.set_streaming(room, True)
        progress("OBS output started", "streaming")
        status = youtube.go_live(prepared.broadcast_id, prepared.stream_id, stream_timeout=stream_timeout)
        progress("YouTube sees the stream; broadcast is live", status)
    except MeetstreamError:
        _back_off(session, outputs, began_output)
        if relay is not None:
            relay.finish()
        raise
    if relay is not None:
        relay.watch()
    record = {"meeting_id": meeting.id, "broadcast_id": prepared.broadcast_id, "stream_id": prepared.stream_id,
              "quota_mark": quota_mark, "started": utc_text(session.clock())}
    store.set_on_air(OnAirRecord.from_dict(room, record))
    store.append_timeline(TimelineEntry(meeting.id, session.clock(), "start", session.item_number, {"broadcast_id": prepared.broadcast_id}))
    progress("On air", "the holding slate shows until you cue the chamber" if session.state is SessionState.HOLDING
             else f"{session.state.value.replace('_', ' ')} as recorded")
    return record


def _relay_target(relay, prepared, progress: Progress) -> tuple[str, str]:
    """Start the second-ingest relay (meetstream.services.relay); where OBS should stream. Without a
    backup address, or when the relay cannot start, OBS streams to the primary directly: going on
    air matters more than the second ingest, and the officer is told."""
    from meetstream.services.relay import Ingests

    if not getattr(prepared, "backup", None):
        progress("Backup ingest", "YouTube gave no backup ingestion address: streaming to the primary only")
        return prepared.server, prepared.key
    try:
        server, key = relay.begin(Ingests(prepared.server, prepared.backup, prepared.key))
    except MeetstreamError as err:
        progress("Backup ingest NOT running", f"{err}; streaming to the primary only")
        return prepared.server, prepared.key
    progress("Backup ingest relay", "OBS streams to a local relay that copies it to YouTube's primary and backup ingests")
    return server, key


def _back_off(session: LiveSession, outputs: Outputs, began_output: bool) -> None:
    """Leave OBS on a slate, not on air half-configured: the holding slate, or the recorded state
    when the start was resuming a night (a private session stays private)."""
    try:
        if session.state in (SessionState.OFF_AIR, SessionState.HOLDING):
            session.director.show("holding")
        else:
            session.reassert()
    except MeetstreamError:
        pass
    session.store.set_streaming(session.room, False)
    if began_output:
        try:
            outputs.stop_stream()
        except MeetstreamError:
            pass


@dataclass
class EndSummary:
    committee: str
    broadcast_id: str | None
    started: datetime | None
    ended: datetime
    items: list[str] = field(default_factory=list)
    incidents: list[str] = field(default_factory=list)
    chapters: str = ""
    quota_units: int = 0
    recording: str | None = None
    left: list[str] = field(default_factory=list)  # what could not be done (YouTube away): and how to finish it

    @property
    def duration(self) -> str:
        if not self.started:
            return "?"
        s = int((self.ended - self.started).total_seconds())
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def end_meeting(session: LiveSession, outputs: Outputs, youtube: OnAir | None, *, progress: Progress = _quiet,
                quota_after: Callable[[int], int] | None = None) -> EndSummary:
    """Closing slate, broadcast completed, output and recording stopped, the room's next broadcast
    bound (only once the output has stopped), chapters written.

    The local side always finishes (slate, output, recording, timeline, summary), whatever YouTube
    or OBS does; what could not be done is in `EndSummary.left`, with the command that finishes it.
    Running it again does only what is left.
    """
    with session.turn():
        pass  # the room as the last action (from any process) left it
    meeting = session.meeting
    if meeting is None:
        raise Refusal(rules.decide(Now(session.room), None, "end"))
    refused = session.room_refusal()
    if refused is not None and refused.code == "room_taken":
        raise RoomTaken(refused)
    store, room = session.store, session.room
    record = on_air_record(store, room) or {}
    if record.get("meeting_id") not in (None, meeting.id):
        record = {}
    if session.ended is not None and not record:
        raise StateError(f"{meeting.committee} has already ended, with nothing left to do; the room's next meeting "
                         f"starts with `meetstream start next --room {room}`")
    # The watchdog stands down before End touches anything: the stream is no longer wanted, set
    # under the room's lock, which every watchdog (serve's, a console's, in any process) holds
    # while it decides on an outage or a restart. So End's own stop is never taken for an outage,
    # and nothing restarts the output after End (a restarted stream could start the next
    # meeting's auto-start broadcast once it is bound below).
    with session.turn():
        store.set_streaming(room, False)
    left: list[str] = []
    try:
        if session.state is not SessionState.ADJOURNED:
            session.adjourn()
        progress("Closing slate", session.director.program_scene())
    except MeetstreamError as err:
        left.append(f"closing slate not confirmed in OBS ({err}): check OBS shows the adjourned slate")

    snippet: dict = {}
    completed = record.get("completed", False)
    if youtube is not None and record.get("broadcast_id") and not completed:
        try:
            item = youtube.complete(record["broadcast_id"])
            snippet = item.get("snippet", {}) or {}
            completed = True
            progress("Broadcast completed", record["broadcast_id"])
        except MeetstreamError as err:
            left.append(f"YouTube broadcast {record['broadcast_id']} is not completed ({err}): run `meetstream end` again when YouTube answers")
    stopped = True
    try:
        if outputs.streaming():
            outputs.stop_stream()
        progress("OBS output stopped", "")
    except MeetstreamError as err:
        stopped = False
        left.append(f"OBS output not confirmed stopped ({err}): stop streaming in OBS")
    recording = None
    try:
        if outputs.recording():
            recording = outputs.stop_record()
            progress("Recording stopped", recording or "")
    except MeetstreamError as err:
        left.append(f"OBS recording not confirmed stopped ({err}): stop recording in OBS")
    if youtube is not None and record.get("broadcast_id") and completed:
        # Only one auto-start broadcast is ever bound to the room's stream, so the next meeting's
        # waits until now; bound while OBS still streamed the closing slate, it could start on it.
        # Not binding it is safe, and not this meeting's business: `schedule`, or the next
        # meeting's `start`, binds it. So a miss is said, not left to do.
        try:
            # Read again: a restart a watchdog asked just before End stood it down may only now
            # have connected (OBS reports an output active once connected); it is stopped first.
            if stopped and outputs.streaming():
                outputs.stop_stream()
            if not stopped or outputs.streaming():
                raise MeetstreamError("OBS may still be streaming")
            handed = youtube.hand_over(room)
            if handed:
                progress("Next meeting's broadcast bound to the room's stream", handed)
        except MeetstreamError as err:
            progress("Next meeting's broadcast not bound yet", f"{err}; `meetstream schedule` once OBS has stopped "
                     "streaming, or that meeting's `meetstream start`, binds it")

    ended = session.clock()
    started = parse_utc(snippet["actualStartTime"]) if snippet.get("actualStartTime") else (
        parse_utc(record["started"]) if record.get("started") else None)
    video_end = parse_utc(snippet["actualEndTime"]) if snippet.get("actualEndTime") else ended
    timeline = store.timeline(meeting.id)
    text = ""
    if started is not None:
        text = chapter_text(chapters(meeting, timeline, started, video_end))
    if text and youtube is not None and record.get("broadcast_id") and completed:
        try:
            youtube.write_chapters(record["broadcast_id"], text, snippet or None)
            progress("Chapters written to the video description", f"{text.count(chr(10)) + 1} chapters")
        except MeetstreamError as err:
            left.append(f"chapters not written to the video ({err}): run `meetstream end` again when YouTube answers")
    elif text and record.get("broadcast_id") and not completed:
        left.append("chapters not written yet: they follow once the broadcast is completed")
    elif not text:
        progress("Chapters", "fewer than three chapters: none written")
    if session.ended is None:  # the room is released: its next meeting can be started
        store.end_session(room, meeting.id, TimelineEntry(meeting.id, ended, "end", session.item_number,
                                                          {"left": list(left)} if left else {}))
        session.ended = ended
    if left and record:
        store.set_on_air(OnAirRecord.from_dict(room, record | {"completed": completed}))
    else:
        store.clear_on_air(room)

    items = []
    for e in timeline:
        if e.item_number and e.item_number not in items:
            items.append(e.item_number)
    incidents = [f"{e.at:%H:%M:%S} {e.detail.get('what', '')}" for e in timeline if e.kind == "incident"]
    units = quota_after(record["quota_mark"]) if (quota_after and "quota_mark" in record) else 0
    return EndSummary(meeting.committee, record.get("broadcast_id"), started, ended, items, incidents, text, units, recording, left)


@dataclass
class Night:
    """One room's night: the session and the ports its services need, handed in by
    meetstream.bootstrap.room(). Start, End, YouTube's view of the stream, the watchdog and the
    room's resident control (what `serve` and the console run) live here, not in the wiring."""

    settings: object
    store: object
    key: str
    session: LiveSession
    outputs: Outputs
    youtube_port: Callable[[], OnAir]  # builds the YouTube port: called once, when first needed
    watchdog_port: Callable[..., object]  # builds the watchdog on OBS's outputs (events=True: woken by OBS's events)
    close_obs: Callable[[], None]  # lets go of OBS
    recording_disk: Callable[[], object] | None = None  # the recorder's disk (services.recording.RecordingDisk)
    _youtube: OnAir | None = field(default=None, repr=False)
    # Builds the second-ingest relay's supervisor (meetstream.services.relay.RelaySupervisor) for a
    # room with backup_ingest; None: the room streams to YouTube directly.
    relay_port: Callable[[], object] | None = None
    _relay: object | None = field(default=None, repr=False)
    # Builds the automatic director (meetstream.services.chamber.ChamberDirector) for a room with a
    # microphone system, handed the control it acts through; None: every shot is the officer's.
    chamber_port: Callable[[object], object] | None = None

    def close(self) -> None:
        """This process lets go of the room: it stops watching the relay (the relay itself runs on,
        for `serve`, `live` or `end` to adopt), and lets go of OBS."""
        if self._relay is not None:
            self._relay.stop_watching()
        self.close_obs()

    def relay(self):
        if self.relay_port is None:
            return None
        if self._relay is None:
            self._relay = self.relay_port()
        return self._relay

    def youtube(self) -> OnAir:
        if self._youtube is None:
            self._youtube = self.youtube_port()
        return self._youtube

    def start(self, *, record: bool | None = None, **kw) -> dict:
        """`record=False`: on air without the local recording (`start --no-record`); None: as the room says."""
        room = self.settings.room(self.key)
        record, directory = (room.record_backup if record is None else record), None
        if record and self.recording_disk is not None and start_refusal(self.session) is None:
            from meetstream.services.recording import space_before_start  # refuses a recording that cannot fit

            space = space_before_start(self.recording_disk(), room, self.session.meeting, self.session.clock())
            directory = space.directory
            kw.get("progress", _quiet)("Room on disk for the recording", space.line)
        return start_meeting(self.session, self.outputs, self.youtube(), record_backup=record, recording_dir=directory,
                             relay=self.relay(), **kw)

    def end(self, **kw) -> EndSummary:
        """The whole `meetstream end`; YouTube is only called when this room went on air."""
        youtube = self.youtube() if on_air_record(self.store, self.key) else None
        summary = end_meeting(self.session, self.outputs, youtube, quota_after=self.store.quota_after, **kw)
        relay = self.relay()
        if relay is not None:  # after OBS's output has stopped: the relay (this process's, or left by `start`) goes too
            relay.finish()
        return summary

    def youtube_health(self) -> Callable[[], str] | None:
        """YouTube's view of the room's stream (1 unit a call), or None while not on air."""
        record = on_air_record(self.store, self.key)
        if not record or not self.session.meeting or record.get("meeting_id") != self.session.meeting.id:
            return None
        youtube = self.youtube()
        return lambda: youtube.health(record["stream_id"])

    def watchdog(self, *, events: bool = True):
        """The watchdog on OBS's outputs; `.stop()` it."""
        return self.watchdog_port(events)

    def control(self, *, on_end: Callable[[], object] | None = None):
        """The room's resident control, started: OBS put back into the recorded state first, the
        watchdog, YouTube's health on its own thread, and End."""
        from meetstream.core.timefmt import local
        from meetstream.services.control import RoomControl

        self.session.reassert()
        relay = self.relay()
        if relay is not None and relay.adopt():  # a relay `meetstream start` left running: watched from here on
            relay.watch()
        zone = self.settings.council.timezone
        control = RoomControl(self.session, self.watchdog(), on_end=on_end or self.end,
                              youtube_health=self.youtube_health(), youtube_every=self.settings.youtube.health_every,
                              local_time=lambda dt: local(dt, zone)).start()
        if self.chamber_port is not None:
            # A microphone system that cannot be reached now is retried by the director's own loop,
            # and every console says so meanwhile: the officer directs until it answers.
            control.chamber = self.chamber_port(control).start()
        return control
