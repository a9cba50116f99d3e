"""A room's chamber settings (microphone system, PTZ cameras, the seat map file), validated.

Kept apart from meetstream.config so the room model gains one optional field when this is wired in:
`RoomConfig.chamber: ChamberConfig | None = None`. The seat map is its own YAML file (it changes
with every election and seating plan):

    seats:
      - mic: "1"                 # the system's id: seat number (Shure, CoCon, Confidea UID), D-Cerno serial, DICENTIS seatId
        member: Jane Smith       # a name in the roster (lower third); omit for a seat with no name
        scene: Chair             # the OBS scene for this seat's shot
        priority: true           # the chair: wins over other microphones
      - mic: "7"
        member: Ahmed Khan
        scene: PTZ 1
        camera: ptz1
        preset: 7
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from meetstream.core.autodirector import DirectorSettings, Seat, SeatMap
from meetstream.core.roster import Roster


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MicSystemConfig(_Model):
    kind: Literal["dicentis", "televic-udp", "cocon", "shure", "levels"]
    host: str | None = None  # the central unit / server; for televic-udp the address to listen on
    port: int | None = Field(None, ge=1, le=65535)  # default per kind: 31416, 8000, 8890, 3142
    user: str | None = None  # DICENTIS API user
    password_env: str = "MEETSTREAM_CHAMBER_PASSWORD"  # the password itself: env var or keyring, never the file
    verify_tls: bool = True  # DICENTIS serves a self-signed certificate: give ca_file rather than turning this off
    ca_file: Path | None = None
    inputs: list[str] = []  # levels: the OBS inputs that count as microphones
    threshold_db: float = Field(-40.0, ge=-100, le=0)

    @model_validator(mode="after")
    def _needs_host(self):
        if self.kind in ("dicentis", "cocon", "shure") and not self.host:
            raise ValueError(f"chamber system {self.kind!r} needs `host:` (the central unit or server address)")
        if self.kind == "dicentis" and not self.user:
            raise ValueError("DICENTIS needs `user:` (an API user with 'manage meeting' rights)")
        if self.kind == "televic-udp" and self.port is not None and self.port <= 3000 and self.port != 8000:
            raise ValueError("Televic sends camera data to port 8000 or a port above 3000")
        return self


class PtzCameraConfig(_Model):
    host: str
    port: int = Field(52381, ge=1, le=65535)
    address: int = Field(1, ge=1, le=7)
    sequence_zero: bool = False  # cameras that mishandle VISCA sequence numbers (NewTek NDI PTZ1)
    header: bool = True  # False: raw VISCA without the 8-byte header (often port 1259)
    scene: str | None = None  # the OBS scene showing this camera
    travel_timeout: float = Field(6.0, gt=0, le=60)


class ChamberConfig(_Model):
    system: MicSystemConfig
    seat_map: Path
    cameras: dict[str, PtzCameraConfig] = {}
    chamber_scene: str = "Chamber"
    auto: bool = False  # the auto-director starts off; the officer turns it on
    min_shot: float = Field(4.0, ge=0, le=60)
    hold: float = Field(2.5, ge=0, le=60)


class SeatEntry(_Model):
    mic: str
    member: str | None = None
    scene: str | None = None
    camera: str | None = None
    preset: int | None = Field(None, ge=0, le=255)
    priority: bool = False

    @model_validator(mode="after")
    def _camera_and_preset(self):
        if (self.camera is None) != (self.preset is None):
            raise ValueError(f"seat {self.mic}: give both camera and preset, or neither")
        return self


class SeatMapFile(_Model):
    seats: list[SeatEntry]


def seat_map(doc: dict, roster: Roster, cameras: dict[str, PtzCameraConfig], committee: str | None = None) -> SeatMap:
    """A seat map file's data -> SeatMap, members taken from the roster (ValueError naming the seat
    when a member or camera is unknown)."""
    parsed = SeatMapFile.model_validate(doc)
    seats: dict[str, Seat] = {}
    for e in parsed.seats:
        if e.mic in seats:
            raise ValueError(f"seat {e.mic} is in the seat map twice")
        member = None
        if e.member:
            entry = roster.find(name=e.member)
            if entry is None:
                raise ValueError(f"seat {e.mic}: {e.member!r} is not in the roster")
            member = entry.for_committee(committee)
        if e.camera and e.camera not in cameras:
            raise ValueError(f"seat {e.mic}: camera {e.camera!r} is not among the room's cameras ({', '.join(cameras) or 'none'})")
        scene = e.scene or (cameras[e.camera].scene if e.camera else None)
        seats[e.mic] = Seat(e.mic, member, scene, e.camera, e.preset, e.priority)
    return SeatMap(seats)


def director_settings(cfg: ChamberConfig) -> DirectorSettings:
    travel = max((c.travel_timeout for c in cfg.cameras.values()), default=6.0)
    return DirectorSettings(min_shot=cfg.min_shot, hold=cfg.hold, travel_timeout=travel)
