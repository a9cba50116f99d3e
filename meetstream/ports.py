"""The seams: what the services are handed, and the small typed values that cross them.

Each outside system's adapter (meetstream.adapters) implements one of these; meetstream.bootstrap
hands the real one to a service, and a test hands a simulator or a recording fake. Nothing here
does any I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Protocol

from meetstream.core.agenda.overrides import AgendaOverride
from meetstream.core.domain import AgendaItem, Meeting, Member
from meetstream.core.roster import Roster

# --- the night: OBS and YouTube ------------------------------------------------------------------

# The event an OBS connection reports when its socket (re)opens: the watchdog's cue to put the
# recorded state back before anything else.
OBS_CONNECTED = "ObsConnected"


class Director(Protocol):
    """What the session needs from OBS (meetstream.adapters.obs.director.Director is the real one).

    Each action returns the read-back (meetstream.adapters.obs.invariant.Verified) or raises NotVerified.
    """

    def show(self, role: str, *, item: AgendaItem | None = None): ...
    def agenda(self, item: AgendaItem, *, role: str): ...
    def speaker(self, member: Member, *, item: AgendaItem | None = None): ...
    def private(self, *, item: AgendaItem | None = None): ...
    def verify(self, role: str): ...
    def enforce(self, role: str): ...
    def program_scene(self) -> str: ...
    def ensure_scene_set(self) -> int: ...  # apply the scene set; the number of requests it took
    def show_vote(self, text: str): ...  # the vote overlay on, read back (meetstream.adapters.obs.director.VoteRead)
    def hide_vote(self): ...  # off everywhere and blanked, read back; None without a vote overlay
    def vote_seconds(self) -> int | None: ...  # how long a result stays up; None: no vote overlay
    def versions(self) -> dict: ...  # {"obsVersion": …, "obsWebSocketVersion": …}
    def screenshot(self, width: int) -> bytes: ...  # the program picture as JPEG

    # After OBS comes back (restart, dropped socket), the director calls this to put the recorded
    # state back; the session sets it to its `reassert`.
    restore: Callable[[], object] | None


class Outputs(Protocol):
    """OBS's stream and record outputs (meetstream.adapters.obs.output.ObsOutputs)."""

    def set_target(self, server: str, key: str) -> bool: ...
    def start_stream(self) -> None: ...
    def stop_stream(self) -> None: ...
    def start_record(self) -> None: ...
    def stop_record(self) -> str | None: ...
    def streaming(self) -> bool: ...
    def recording(self) -> bool: ...
    def status(self): ...  # program, output flags and counters (meetstream.adapters.obs.status.ObsStatus): the watchdog's read
    def restart_stream(self) -> None: ...  # ask OBS to start the output again, and return at once


class OnAir(Protocol):
    """YouTube as the night needs it (meetstream.services.onair.YouTubeOnAir)."""

    def prepare(self, meeting_id: str, room: str): ...
    def go_live(self, broadcast_id: str, stream_id: str, *, stream_timeout: float = 120.0) -> str: ...
    def complete(self, broadcast_id: str) -> dict: ...
    def write_chapters(self, video_id: str, text: str, snippet: dict | None = None) -> dict: ...
    def hand_over(self, room: str) -> str | None: ...
    def health(self, stream_id: str) -> str: ...


@dataclass(frozen=True)
class BroadcastState:
    """A liveBroadcast as YouTube has it now. `resource` is kept whole for an update to send back
    (an update resets every settable property it leaves out); the services read only the fields."""

    broadcast_id: str
    life_cycle_status: str
    stream_id: str | None  # contentDetails.boundStreamId
    resource: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class StreamInfo:
    """A reusable liveStream. `key` is the stream key: never printed unless the officer asks."""

    stream_id: str
    title: str
    status: str  # created/ready/active/inactive/error
    health: str | None = None
    ingestion_address: str | None = None
    key: str | None = field(default=None, repr=False)
    resolution: str | None = None
    frame_rate: str | None = None
    backup_ingestion_address: str | None = None  # cdn.ingestionInfo.backupIngestionAddress (a second ingest)


@dataclass(frozen=True)
class RoomStream:
    """A room's reusable stream as `youtube streams` and `start` see it."""

    room: str
    stream_id: str | None
    title: str
    status: str  # created/ready/active/inactive/error, or "missing" when not created yet
    health: str | None = None
    ingestion_address: str | None = None
    key: str | None = field(default=None, repr=False)  # never print without redact() unless asked (--show-key)
    resolution: str | None = None
    frame_rate: str | None = None
    backup_ingestion_address: str | None = None


# --- the calendar: Microsoft Graph ---------------------------------------------------------------

@dataclass(frozen=True)
class EventContext:
    """What turning a calendar event into a Meeting needs besides the event."""

    room_for_location: object  # callable: location -> room key or None (Settings.room_for_location)
    council_zone: str = "Europe/London"
    committees: tuple[str, ...] = ()
    categories: tuple[str, ...] = ("Webcast",)
    roster: Roster = field(default_factory=Roster)
    overrides: tuple[AgendaOverride, ...] = ()
    rooms_known: bool = True  # False when no rooms are configured at all

    @classmethod
    def from_settings(cls, settings, roster: Roster | None = None, overrides=()) -> "EventContext":
        return cls(
            room_for_location=settings.room_for_location,
            council_zone=settings.council.timezone,
            committees=tuple(settings.calendar.committees),
            categories=tuple(settings.calendar.categories),
            roster=roster or Roster(),
            overrides=tuple(overrides),
            rooms_known=bool(settings.rooms),
        )


@dataclass(frozen=True)
class CalendarChange:
    """One calendar event as the sync sees it, read by the calendar adapter (which handles Graph's
    @removed entries, partial delta items read whole through $batch, series masters and bad events).

    kind: "meeting" (a webcast meeting: `meeting`), "not_webcast", "removed", "skipped" (a bad
    event, or one gone since: `warning`), "unread" (could not be read now: kept for next time,
    `warning`), "ignored" (a series master: its occurrences come on their own).
    """

    kind: str
    event_id: str | None = None
    meeting: Meeting | None = None
    change_key: str | None = None
    warning: str | None = None


class CalendarRound(Protocol):
    events: list  # opaque to the services: handed back to Calendar.changes
    delta_link: str
    pages: int


class Calendar(Protocol):
    """The committee calendar (meetstream.adapters.teams.calendar.GraphCalendar)."""

    source_key: str
    has_delta: bool

    def view(self, start: datetime, end: datetime, page_size: int = 100) -> tuple[list, int]: ...
    def delta(self, *, start: datetime | None = None, end: datetime | None = None, link: str | None = None,
              page_size: int = 100) -> CalendarRound: ...
    def changes(self, events: list, ctx: EventContext) -> list[CalendarChange]: ...
    def ensure_teams_meeting(self, event_id: str) -> tuple[str, bool]: ...
    def send_letters(self, letters: list, on_sent: Callable[[str], None] | None = None) -> dict[str, str | None]: ...
    def requests_made(self) -> tuple[int, int]: ...  # (requests, retries) so far


# --- captions: YouTube's caption tracks ----------------------------------------------------------

class Tracks(Protocol):
    """The captions port: meetstream.adapters.youtube.captions.CaptionTracks implements it."""

    def list(self, video_id: str) -> list: ...
    def download(self, track_id: str, tfmt: str = "vtt") -> str: ...
    def insert(self, video_id: str, language: str, name: str, data: bytes, *, draft: bool = False): ...
    def update(self, track_id: str, data: bytes, *, draft: bool = False): ...
    def delete(self, track_id: str) -> None: ...
    def video_times(self, video_id: str) -> tuple[datetime | None, datetime | None]: ...
    def units_spent(self) -> int: ...
