"""The local recording's disk: will the meeting fit, and how long is left.

OBS records the meeting beside the stream (the archive's backup, used by `meetstream recover`). A
recording that fills the disk stops OBS's recording, and can take the state store with it when it
shares the disk, so `start` refuses one that cannot fit before anything goes on air, and the
watchdog warns while there is still time to act.

`recording_space()` is pure arithmetic: give it the free bytes and the rate, get a verdict with
its one line. `space_before_start()` and `space_now()` ask a `RecordingDisk` port (OBS's
recording folder through obs-websocket GetRecordDirectory, the folder's free space by statvfs,
and OBS's profile for the bitrate: meetstream.adapters.obs.recording.ObsRecordingDisk).

Where the watchdog calls it: once a minute is plenty (a recording grows a few MB a minute), e.g.
    space = space_now(disk, room_config, minutes_left)
    if space.warn: session.incident(space.line, recording="space")
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from meetstream.errors import MeetstreamError

MB = 1_000_000
# A guess for when neither the room nor OBS's profile gives a rate (OBS's advanced output mode keeps
# its recording bitrate in a JSON file obs-websocket cannot read): 60 MB a minute is 8 Mbit/s, more
# than OBS's "high quality" 1080p30 recordings usually take, so the guess errs towards refusing.
DEFAULT_MB_PER_MINUTE = 60.0


class RecordingDisk(Protocol):
    """What the space check asks of the recorder (meetstream.adapters.obs.recording.ObsRecordingDisk)."""

    def directory(self) -> str: ...  # where the recording is written
    def free_bytes(self, directory: str) -> int: ...  # free to an unprivileged writer (statvfs f_bavail)
    def mb_per_minute(self) -> float | None: ...  # from the recorder's settings, None when it cannot say


class RecordingSpaceError(MeetstreamError):
    """The meeting's recording would not fit: `start` refuses before going on air."""


@dataclass(frozen=True)
class RecordingSpace:
    directory: str
    free_mb: float
    mb_per_minute: float
    rate_from: str  # "the room's setting", "OBS's bitrate" or "a default guess"
    minutes_needed: float  # the meeting (or what is left of it) plus the margin
    reserve_mb: float
    warn_minutes: float

    @property
    def needed_mb(self) -> float:
        return self.minutes_needed * self.mb_per_minute + self.reserve_mb

    @property
    def minutes_fit(self) -> float:
        """Minutes of recording the free space holds, after the reserve."""
        return max(0.0, (self.free_mb - self.reserve_mb) / self.mb_per_minute)

    @property
    def fits(self) -> bool:
        return self.free_mb >= self.needed_mb

    @property
    def warn(self) -> bool:
        """On air: the free space will run out within the warning time."""
        return self.minutes_fit < self.warn_minutes

    @property
    def warn_line(self) -> str:
        """On air: how long the disk lasts (whether or not the rest of the meeting fits)."""
        return (f"recording space is running out: {self.directory}: {_size(self.free_mb)} free, about "
                f"{self.minutes_fit:.0f} min of recording left")

    @property
    def line(self) -> str:
        where = f"{self.directory}: {_size(self.free_mb)} free"
        if not self.fits:
            return (f"the recording would not fit: {where}, the meeting needs about {_size(self.needed_mb)} "
                    f"({self.minutes_needed:.0f} min at {self.mb_per_minute:g} MB/min from {self.rate_from}, with "
                    f"{_size(self.reserve_mb)} kept free); free space or point OBS's recording path at a bigger disk, "
                    f"or go on air without a recording with `meetstream start --no-record`")
        if self.warn:
            return f"recording space is running out: {where}, about {self.minutes_fit:.0f} min of recording left"
        return f"{where}, room for about {self.minutes_fit:.0f} min ({self.mb_per_minute:g} MB/min from {self.rate_from})"


def _size(mb: float) -> str:
    return f"{mb / 1000:.1f} GB" if mb >= 1000 else f"{mb:.0f} MB"


def recording_space(free_bytes: int, *, minutes: float, mb_per_minute: float, margin: float = 0.5,
                    reserve_mb: float = 1024, warn_minutes: float = 30, directory: str = "",
                    rate_from: str = "the room's setting") -> RecordingSpace:
    """The verdict for `minutes` more of recording at `mb_per_minute` against `free_bytes`; the
    margin (a share of the minutes) allows for the meeting running over. Pure."""
    return RecordingSpace(directory, free_bytes / MB, mb_per_minute, rate_from, max(0.0, minutes) * (1 + margin),
                          reserve_mb, warn_minutes)


def _rate(disk: RecordingDisk, room) -> tuple[float, str]:
    if room.recording_mb_per_minute:
        return float(room.recording_mb_per_minute), "the room's setting"
    from_obs = disk.mb_per_minute()
    if from_obs:
        return from_obs, "OBS's bitrate"
    return DEFAULT_MB_PER_MINUTE, "a default guess (set recording_mb_per_minute for the room)"


def space_now(disk: RecordingDisk, room, minutes_left: float) -> RecordingSpace:
    """The recording's disk now, for `minutes_left` more of the meeting (the room's settings:
    meetstream.config.RoomConfig recording_*)."""
    directory = disk.directory()
    rate, source = _rate(disk, room)
    return recording_space(disk.free_bytes(directory), minutes=minutes_left, mb_per_minute=rate,
                           margin=room.recording_margin, reserve_mb=room.recording_reserve_mb,
                           warn_minutes=room.recording_warn_minutes, directory=directory, rate_from=source)


def space_before_start(disk: RecordingDisk, room, meeting, now: datetime) -> RecordingSpace:
    """`start`'s check: the meeting's scheduled length (what is left of it when it already began,
    but never less than an hour: a late start still runs its agenda) must fit, or RecordingSpaceError."""
    scheduled = (meeting.end - meeting.start).total_seconds() / 60
    left = (meeting.end - max(now, meeting.start)).total_seconds() / 60
    space = space_now(disk, room, max(min(scheduled, max(left, 60.0)), 0.0))
    if not space.fits:
        raise RecordingSpaceError(space.line)
    return space
