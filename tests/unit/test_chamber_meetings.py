"""Meeting after meeting in one `serve`: the automatic director names the seats from the meeting
that holds the room now, not from the one `serve` started with (Full Council's chair sits in a
seat Planning Committee gives to someone else). A seat map that cannot be read for the new
meeting keeps the last one, and says so on the consoles. On fakes of the microphone system and
the room's actions; the rules and the director are the real ones."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from meetstream.core.autodirector import DirectorSettings, Seat, SeatMap
from meetstream.core.chamber import MicEvent, MicState
from meetstream.core.domain import Member, SessionState
from meetstream.errors import ConfigError
from meetstream.services.chamber import ChamberDirector

T0 = datetime(2026, 12, 7, 19, 0, tzinfo=timezone.utc)
JANE = Member("Jane Smith", title="Cllr", role="Chair")
TOM = Member("Tom Okafor", title="Cllr", role="Chair")


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


class Room:
    """What the director sees of the room: the meeting holding it, its version, the actions taken."""

    def __init__(self):
        self.meeting, self.version, self.acts = "full-council", 1, []
        self.maps = {"full-council": SeatMap({"s1": Seat("s1", JANE), "s2": Seat("s2", TOM)}),
                     "planning": SeatMap({"s1": Seat("s1", TOM), "s2": Seat("s2", JANE)})}

    def act(self, action, body):
        self.acts.append((action, body.get("name")))

    def seats(self):
        if self.meeting not in self.maps:
            raise ConfigError(f"seats.yaml: seat s1: 'Cllr Nobody' is not in the roster ({self.meeting})")
        return self.maps[self.meeting]

    def move_on(self, meeting):
        self.meeting, self.version = meeting, self.version + 1


class Source:
    source = "trace"

    def read(self, timeout):
        return []

    def close(self):
        pass


def director(room, clock):
    return ChamberDirector(Source(), room.seats(), act=room.act, session_state=lambda: SessionState.ON_AIR,
                           settings=DirectorSettings(min_shot=0, hold=0), auto=True, clock=clock,
                           recent=lambda: [], version=lambda: room.version,
                           meeting=lambda: room.meeting, seats_now=room.seats)


def speak(d, clock, mic):
    clock.now += timedelta(seconds=5)
    d.feed(MicEvent(clock.now, mic, MicState.ON, "trace"))
    clock.now += timedelta(seconds=5)
    d.feed(MicEvent(clock.now, mic, MicState.OFF, "trace"))


def test_the_next_meeting_in_the_same_serve_names_its_own_members_in_the_seats():
    room, clock = Room(), Clock()
    d = director(room, clock)
    d.follow()
    speak(d, clock, "s1")
    assert ("speaker", "Jane Smith") in room.acts
    room.move_on("planning")  # `meetstream start next` from another process: the room's version moves
    d.follow()
    room.acts.clear()
    speak(d, clock, "s1")
    assert ("speaker", "Tom Okafor") in room.acts and ("speaker", "Jane Smith") not in room.acts
    seats = {s["mic"]: s["member"] for s in d.snapshot()["seats"]}
    assert seats == {"s1": "Cllr Tom Okafor", "s2": "Cllr Jane Smith"}


def test_a_seat_map_that_cannot_be_read_for_the_next_meeting_keeps_the_last_and_says_so():
    room, clock = Room(), Clock()
    d = director(room, clock)
    d.follow()
    room.move_on("standards")  # its roster lacks a member the seat map names
    d.follow()
    snap = d.snapshot()
    assert "seat map not read for the new meeting" in snap["problem"] and "Cllr Nobody" in snap["problem"]
    speak(d, clock, "s1")
    assert ("speaker", "Jane Smith") in room.acts  # the last map still drives the picture
    room.maps["standards"] = SeatMap({"s1": Seat("s1", TOM)})  # the roster put right
    room.version += 1
    d.follow()
    assert d.snapshot()["problem"] is None
    assert {s["mic"]: s["member"] for s in d.snapshot()["seats"]} == {"s1": "Cllr Tom Okafor"}
