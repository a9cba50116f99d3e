"""The chamber's microphones as a source of events: one common event type, the port a driver
implements, and the pure audio-level detector for rooms without a conference system.

Every driver (meetstream.adapters.chamber: DICENTIS, Televic UDP and CoCon, Shure DIS/DDS) and the
level detector below turn what their system says into `MicEvent`s; the auto-director
(meetstream.core.autodirector) reads only these. Pure: no I/O, no clock (times are handed in).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Protocol


class MicState(enum.StrEnum):
    ON = "on"
    OFF = "off"
    REQUEST = "request"  # a request to speak (queued, not on)
    PRIORITY_ON = "priority-on"  # the chair's priority button (Televic 'prior', DICENTIS isPrioritySpeaker)
    REQUEST_CANCEL = "request-cancel"  # a request withdrawn or granted (a grant is followed by ON)


@dataclass(frozen=True)
class MicEvent:
    at: datetime  # aware, UTC: when the driver received it
    mic_id: str  # the system's own id for the seat/microphone, as text ("7", "101008D2", a DICENTIS seatId)
    state: MicState
    source: str  # "dicentis", "televic-udp", "cocon", "shure", "levels", "trace"


class MicSource(Protocol):
    """What a service is handed to read microphone events (each driver in adapters/chamber is one).

    `read` blocks up to `timeout` seconds and returns the events that arrived, oldest first (an empty
    list on a quiet chamber); it raises the driver's ChamberError when the system is unreachable.
    """

    source: str

    def read(self, timeout: float) -> list[MicEvent]: ...
    def close(self) -> None: ...


# --- OBS audio levels -----------------------------------------------------------------------------

SILENCE_DBFS = -200.0  # what a zero multiplier becomes: below any threshold, and still a float


def mul_to_dbfs(mul: float) -> float:
    """obs-websocket reports levels as linear amplitude multipliers (1.0 = full scale); dBFS is
    20·log10(mul). Source: obs-websocket 5 protocol, event InputVolumeMeters ("inputLevelsMul");
    OBS's own meters draw the same conversion (libobs obs_mul_to_db)."""
    return 20.0 * math.log10(mul) if mul > 0 else SILENCE_DBFS


def levels_from_meters(event_data: dict) -> dict[str, float]:
    """An InputVolumeMeters event's data → {inputName: loudest channel magnitude in dBFS}.

    The event (sent every 50 ms to clients that opt in to the high-volume InputVolumeMeters
    subscription) carries `inputs: [{inputName, inputUuid, inputLevelsMul: [[magnitude, peak,
    inputPeak], …one per channel]}]`. Magnitude is the RMS-like level OBS's meter shows as the
    bar; peak jumps on every click, so the detector reads magnitude (index 0)."""
    out: dict[str, float] = {}
    for entry in event_data.get("inputs") or ():
        name = entry.get("inputName")
        channels = entry.get("inputLevelsMul") or ()
        mags = [ch[0] for ch in channels if isinstance(ch, (list, tuple)) and ch and isinstance(ch[0], (int, float))]
        if name:
            out[name] = mul_to_dbfs(max(mags)) if mags else SILENCE_DBFS
    return out


@dataclass(frozen=True)
class LevelSettings:
    threshold_db: float = -40.0  # speech in a close microphone sits well above; room noise below (GUESS, tune per room)
    attack: float = 0.4  # seconds above the threshold before it counts as a microphone on
    release: float = 1.5  # seconds below (threshold - hysteresis) before it counts as off: pauses between words
    hysteresis_db: float = 6.0


@dataclass
class _Input:
    on: bool = False
    above_since: datetime | None = None
    below_since: datetime | None = None


@dataclass
class LevelDetector:
    """"A level above a threshold for long enough is a microphone on." Fed (input, dBFS, time)
    samples in time order; returns the MicEvents the samples cause. Pure: the state is in the object,
    the clock is the samples' own times."""

    settings: LevelSettings = field(default_factory=LevelSettings)
    inputs: dict[str, _Input] = field(default_factory=dict)
    source: str = "levels"

    def feed(self, input_name: str, dbfs: float, at: datetime) -> list[MicEvent]:
        s, st = self.settings, self.inputs.setdefault(input_name, _Input())
        if not st.on:
            if dbfs >= s.threshold_db:
                st.above_since = st.above_since or at
                if at - st.above_since >= timedelta(seconds=s.attack):
                    st.on, st.below_since = True, None
                    return [MicEvent(at, input_name, MicState.ON, self.source)]
            else:
                st.above_since = None
            return []
        if dbfs < s.threshold_db - s.hysteresis_db:
            st.below_since = st.below_since or at
            if at - st.below_since >= timedelta(seconds=s.release):
                st.on, st.above_since = False, None
                return [MicEvent(at, input_name, MicState.OFF, self.source)]
        else:
            st.below_since = None
        return []

    def feed_meters(self, event_data: dict, at: datetime, wanted: Iterable[str] | None = None) -> list[MicEvent]:
        """One InputVolumeMeters event: every input (or only `wanted`) fed at `at`."""
        keep = set(wanted) if wanted is not None else None
        events: list[MicEvent] = []
        for name, db in levels_from_meters(event_data).items():
            if keep is None or name in keep:
                events += self.feed(name, db, at)
        return events
