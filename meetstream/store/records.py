"""The typed rows of the night's state that the services hand round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from meetstream.core.timefmt import parse_utc, utc_text


@dataclass(frozen=True)
class OnAirRecord:
    """What `start` left for `end` and the console: which broadcast the room is live on."""

    room: str
    meeting_id: str
    broadcast_id: str
    stream_id: str
    quota_mark: int = 0  # the quota ledger's bookmark when the night began (Store.quota_after)
    started: datetime | None = None
    completed: bool = False  # the broadcast is completed on YouTube, though `end` left something to do

    def as_dict(self) -> dict:
        """The record as `meetstream.services.night` hands it round: started as UTC text."""
        return {"meeting_id": self.meeting_id, "broadcast_id": self.broadcast_id, "stream_id": self.stream_id,
                "quota_mark": self.quota_mark, "started": utc_text(self.started) if self.started else None,
                "completed": self.completed}

    @classmethod
    def from_dict(cls, room: str, d: dict) -> "OnAirRecord":
        started = d.get("started")
        return cls(room, d["meeting_id"], d["broadcast_id"], d["stream_id"], int(d.get("quota_mark") or 0),
                   parse_utc(started) if isinstance(started, str) else started, bool(d.get("completed", False)))


@dataclass(frozen=True)
class DeltaState:
    """Where the last calendar sync of a source ended: Graph's delta link and the window it covers."""

    source: str
    link: str
    start: datetime
    end: datetime
