"""Issue 24 part 3, the picture: a camera, feed or video on program that stops moving on a public
item is one incident within the set time, ends when it moves again or leaves program, never
fires in private, counts for the standing order only when nothing on program moves, and is
counted by the report. On fakes of OBS's outputs and screenshots, in milliseconds; the real OBS
is in tests/e2e/test_frozen_picture_obs.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from meetstream.core.domain import SessionState, TimelineEntry
from meetstream.services.watchdog import StandingOrder, Watchdog
from test_silence import T0, Clock, Outputs, Session


class Frames:
    """What ObsFrames reports: each moving picture on program, and a digest that changes while it moves."""

    def __init__(self):
        self.on_program = {"Chamber camera"}
        self.frozen: set[str] = set()
        self.n = 0
        self.asks = 0

    def close(self):
        pass

    def program_prints(self, scene):
        self.asks += 1
        self.n += 1
        return {name: ("still" if name in self.frozen else f"frame {self.n}") for name in self.on_program}


@pytest.fixture
def rig():
    clock = Clock()
    session, outputs, frames = Session(clock), Outputs(), Frames()
    dog = Watchdog(session, outputs, clock=clock, frames=frames, frozen_seconds=10, frames_every=2,
                   standing_order=StandingOrder(0.5, "Down for 0.5 minutes: SO 19.4"))
    return dog, session, frames, clock


def run(dog, clock, until):
    h = None
    while clock.t < until:
        clock.t += 1
        h = dog.tick()
    return h


def pictures(session):
    return [(d["picture"], d.get("inputs")) for _, d in session.incidents if "picture" in d]


def test_a_camera_that_stops_moving_is_one_incident_within_the_set_time_and_ends_when_it_moves(rig):
    dog, session, frames, clock = rig
    h = run(dog, clock, 30)
    assert pictures(session) == [] and h.picture == {"frozen": [], "seconds": 0} and h.problems == []
    frames.frozen = {"Chamber camera"}
    froze_at = clock.t
    for _ in range(9):
        h = run(dog, clock, clock.t + 1)
        assert pictures(session) == [], clock.t
    h = run(dog, clock, froze_at + 14)  # the set time, plus up to two samples to notice
    assert pictures(session) == [("start", ["Chamber camera"])]
    assert h.picture["frozen"] == ["Chamber camera"] and h.picture["seconds"] >= 10
    assert any(p.startswith("PICTURE FROZEN for") and "Chamber camera" in p for p in h.problems)
    run(dog, clock, clock.t + 60)
    assert pictures(session) == [("start", ["Chamber camera"])]  # one incident, however long
    frames.frozen = set()
    h = run(dog, clock, clock.t + 3)
    assert pictures(session) == [("start", ["Chamber camera"]), ("end", ["Chamber camera"])]
    assert "moving again" in session.incidents[-1][0] and h.picture["frozen"] == []


def test_only_what_is_on_program_counts_and_a_frozen_feed_cut_away_from_ends_the_incident(rig):
    dog, session, frames, clock = rig
    frames.on_program = {"Chamber camera", "Feed - Jane Smith"}
    frames.frozen = {"Feed - Jane Smith"}
    h = run(dog, clock, 15)
    assert pictures(session) == [("start", ["Feed - Jane Smith"])]
    assert h.standing_order is None  # the chamber camera still moves: viewers see the room
    frames.on_program = {"Chamber camera"}
    run(dog, clock, 20)
    assert pictures(session)[-1] == ("end", ["Feed - Jane Smith"]) and "off program" in session.incidents[-1][0]
    frames.on_program = set()  # slides, a colour: nothing to watch
    frames.frozen = {"Chamber camera"}
    h = run(dog, clock, 100)
    assert len(pictures(session)) == 2 and h.picture == {"frozen": [], "seconds": 0}


def test_a_still_picture_everywhere_on_program_reaches_the_standing_order(rig):
    dog, session, frames, clock = rig
    frames.frozen = {"Chamber camera"}
    h = run(dog, clock, 25)
    assert h.standing_order is None
    h = run(dog, clock, 35)  # frozen since the first sample (t=1): 30 s of the standing order's 0.5 min
    assert h.standing_order is not None and h.standing_order["why"] == ["picture frozen"]
    assert [d.get("why") for _, d in session.incidents if "standing_order" in d] == [["picture frozen"]]


@pytest.mark.parametrize("state", [SessionState.PRIVATE, SessionState.RECESS, SessionState.HOLDING, SessionState.ADJOURNED])
def test_never_in_private_recess_holding_or_adjourned_and_no_screenshots_taken(rig, state):
    dog, session, frames, clock = rig
    session.state = state
    frames.frozen = {"Chamber camera"}
    h = run(dog, clock, 120)
    assert pictures(session) == [] and h.picture is None and frames.asks == 0


def test_leaving_the_public_item_while_frozen_closes_the_incident_and_off_air_nothing_is_watched(rig):
    dog, session, frames, clock = rig
    frames.frozen = {"Chamber camera"}
    run(dog, clock, 15)
    session.state = SessionState.PRIVATE
    run(dog, clock, 16)
    assert [k for k, _ in pictures(session)] == ["start", "end"]
    session.state, session.expected = SessionState.ON_AIR, False  # not on air: no stream to watch
    h = run(dog, clock, 60)
    assert len(pictures(session)) == 2 and h.picture is None


def test_screenshots_are_taken_every_frames_every_seconds_not_every_tick(rig):
    dog, session, frames, clock = rig
    run(dog, clock, 60)
    assert frames.asks == 30


def test_the_report_counts_a_frozen_picture_once_and_keeps_its_earlier_columns():
    from meetstream.services.publish.facts import FROZEN, INCIDENT_KINDS, STANDING_ORDER, incidents

    def entry(s, what, **detail):
        return TimelineEntry("m1", T0 + timedelta(seconds=s), "incident", None, {"what": what, **detail})

    found = [i.kind for i in incidents([
        entry(10, "picture frozen for 30 s on a public item: Chamber camera", picture="start", inputs=["Chamber camera"]),
        entry(40, "standing order reached: webcast down 30 s (picture frozen)", standing_order=0.5, why=["picture frozen"]),
        entry(70, "picture frozen no more after 60 s (Chamber camera moving again)", picture="end", inputs=["Chamber camera"]),
    ])]
    assert found == [FROZEN, STANDING_ORDER]
    assert INCIDENT_KINDS[:7] == ("OBS restart", "output drop", "YouTube failure", "private session put right",
                                  "no programme audio", "standing order reached", "other")


def test_the_setting_is_checked_and_can_turn_the_watch_off(tmp_path):
    from meetstream.config import RoomConfig

    room = {"name": "Chamber", "scene_set": "scenes/council-chamber.yaml"}
    assert RoomConfig(**room).frozen_seconds == 30.0
    assert RoomConfig(**room, frozen_seconds=None).frozen_seconds is None
    for bad in (0, -5, 7200):
        with pytest.raises(ValueError):
            RoomConfig(**room, frozen_seconds=bad)


def test_a_picture_watch_that_fails_never_stops_the_tick_or_the_private_check(rig):
    dog, session, frames, clock = rig
    checked = []
    session.keep_private = lambda: checked.append(clock.t)

    def broken(scene):
        raise KeyError("sceneItems")  # an answer not understood

    frames.program_prints = broken
    h = run(dog, clock, 10)
    assert len(checked) == 10 and h.picture == {"frozen": [], "seconds": 0} and pictures(session) == []
