"""The auto-director's rules (meetstream.core.autodirector), pure: hand-made cases, then a recorded
78-minute hearing replayed through them (tests/fixtures/chamber, cited there)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from meetstream.chamber_config import seat_map as load_seat_map
from meetstream.core import autodirector as ad
from meetstream.core.chamber import LevelDetector, LevelSettings, MicEvent, MicState, levels_from_meters, mul_to_dbfs
from meetstream.core.domain import Member, SessionState
from meetstream.core.roster import Roster, RosterEntry

T0 = datetime(2024, 3, 7, 10, 0, tzinfo=UTC)
FIX = Path(__file__).resolve().parents[1] / "fixtures" / "chamber"
CHAIR, ANN, BEN, CARL = (Member("Chair Person", title="Cllr", role="Chair"), Member("Ann Able", title="Cllr"),
                         Member("Ben Best", title="Cllr"), Member("Carl Cole", title="Cllr"))
SEATS = ad.SeatMap({
    "1": ad.Seat("1", CHAIR, "Chair", priority=True),
    "2": ad.Seat("2", ANN, "Seat 2"),
    "3": ad.Seat("3", BEN, "Seat 3"),
    "4": ad.Seat("4", CARL, "PTZ", camera="ptz1", preset=4),
    "5": ad.Seat("5", Member("Dee Dunn"), "PTZ", camera="ptz1", preset=5),
})
SETTINGS = ad.DirectorSettings(min_shot=4.0, hold=2.5, travel_timeout=6.0)


def t(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def ev(s: float, mic: str, state: MicState) -> MicEvent:
    return MicEvent(t(s), mic, state, "test")


def run(events, until: float, session=SessionState.ON_AIR, travel=None, settings=SETTINGS):
    state = ad.start(SEATS, settings)
    return ad.replay(state, events, end=t(until), session=session, travel=travel)


def shots(decisions):
    return [(round((at - T0).total_seconds(), 2), d) for at, d in decisions if isinstance(d, (ad.Show, ad.ShowChamber))]


def test_one_microphone_shows_that_member_and_none_returns_to_the_chamber_after_the_hold():
    _, out = run([ev(0, "2", MicState.ON), ev(20, "2", MicState.OFF)], 40)
    s = shots(out)
    assert s[0][1] == ad.Show("2", ANN, "Seat 2")  # the chamber was up at t=0 (on air): min shot first
    assert s[0][0] == 4.0
    assert s[1][1] == ad.ShowChamber("none") and s[1][0] == pytest.approx(22.5)


def test_a_quick_exchange_cuts_speaker_to_speaker_without_flashing_the_chamber():
    # B comes on 1 s after A goes off, and later they overlap for 1 s: no chamber in between.
    _, out = run([ev(0, "2", MicState.ON), ev(10, "2", MicState.OFF), ev(11, "3", MicState.ON),
                  ev(20, "2", MicState.ON), ev(21, "3", MicState.OFF), ev(30, "2", MicState.OFF)], 31)
    kinds = [d for _, d in shots(out)]
    assert [getattr(d, "mic_id", "chamber") for d in kinds] == ["2", "3", "2"]


def test_several_on_for_longer_than_the_hold_is_the_chamber():
    _, out = run([ev(0, "2", MicState.ON), ev(10, "3", MicState.ON), ev(30, "3", MicState.OFF)], 40)
    s = shots(out)
    assert [d for _, d in s][:2] == [ad.Show("2", ANN, "Seat 2"), ad.ShowChamber("several")]
    assert s[1][0] == 12.5
    assert s[2][1].mic_id == "2" and s[2][0] == 30  # alone again; the chamber has had its 4 s


def test_the_chairs_priority_wins_over_an_open_microphone():
    _, out = run([ev(0, "2", MicState.ON), ev(10, "1", MicState.ON), ev(15, "1", MicState.OFF)], 30)
    s = shots(out)
    assert [getattr(d, "mic_id", None) for _, d in s] == ["2", "1", "2"]
    # and the priority button wins for a seat not marked as the chair's
    _, out = run([ev(0, "2", MicState.ON), ev(10, "3", MicState.PRIORITY_ON)], 20)
    assert shots(out)[-1][1].mic_id == "3"


def test_an_unknown_microphone_is_the_chamber_with_no_name():
    _, out = run([ev(0, "2", MicState.ON), ev(10, "2", MicState.OFF), ev(10.5, "99", MicState.ON)], 20)
    assert [d for _, d in shots(out)][-1] == ad.ShowChamber("unknown-mic")


def test_no_shot_is_shorter_than_the_minimum():
    # a flurry: four speakers in nine seconds
    events = [ev(0, "2", MicState.ON), ev(1, "2", MicState.OFF), ev(1.5, "3", MicState.ON), ev(3, "3", MicState.OFF),
              ev(3.2, "2", MicState.ON), ev(5, "2", MicState.OFF), ev(5.5, "3", MicState.ON), ev(9, "3", MicState.OFF)]
    _, out = run(events, 30)
    prog = ad.program(out, t(30))
    assert all((b - a).total_seconds() >= SETTINGS.min_shot for a, b, _ in prog[:-1])


def test_a_ptz_camera_moves_off_air_or_behind_the_chamber_never_on_program():
    travel = {"ptz1": 3.0}
    # seat 4 (ptz1) speaks, then seat 5 on the same camera: program must leave ptz1 before it moves
    events = [ev(0, "4", MicState.ON), ev(20, "4", MicState.OFF), ev(20.5, "5", MicState.ON)]
    _, out = run(events, 45, travel=travel)
    seq = [(round((at - T0).total_seconds(), 2), d) for at, d in out if not isinstance(d, ad.Queue)]
    assert seq[0] == (0.0, ad.Recall("ptz1", 4))  # off air (program on the chamber): it moves at once
    assert seq[1][1] == ad.Show("4", CARL, "PTZ", "ptz1", 4) and seq[1][0] == 4.0  # arrived at 3 s; min shot 4 s
    recall_at = next(s for s, d in seq if d == ad.Recall("ptz1", 5))
    chamber_at = next(s for s, d in seq if d == ad.ShowChamber("camera-moving"))
    assert chamber_at <= recall_at  # the chamber is up before the camera on program moves
    show5 = next(s for s, d in seq if isinstance(d, ad.Show) and d.mic_id == "5")
    assert show5 >= recall_at + 3.0 and show5 >= chamber_at + SETTINGS.min_shot


def test_a_camera_that_never_reports_is_taken_as_arrived_after_its_timeout():
    _, out = run([ev(0, "4", MicState.ON)], 10, travel={})  # no CameraReady ever
    show = next((at - T0).total_seconds() for at, d in out if isinstance(d, ad.Show))
    assert show == pytest.approx(SETTINGS.travel_timeout)


@pytest.mark.parametrize("session", [SessionState.PRIVATE, SessionState.RECESS, SessionState.HOLDING,
                                     SessionState.ADJOURNED, SessionState.OFF_AIR])
def test_it_never_acts_outside_a_public_session_but_keeps_the_queue(session):
    state, out = run([ev(0, "2", MicState.ON), ev(1, "3", MicState.REQUEST), ev(5, "4", MicState.ON)], 30, session=session)
    assert not [d for _, d in out if not isinstance(d, ad.Queue)]  # no Show, ShowChamber or Recall
    assert state.requests == ("3",) and [m for m, _ in state.on] == ["2", "4"]  # recorded


def test_going_back_on_air_waits_the_minimum_then_shows_who_is_speaking():
    state = ad.start(SEATS, SETTINGS)
    state, d = ad.step(state, ev(0, "2", MicState.ON), t(0), SessionState.PRIVATE)
    assert not [x for x in d if not isinstance(x, ad.Queue)]
    state, d = ad.step(state, ad.Tick(t(10)), t(10), SessionState.ON_AIR)
    assert d == ()  # the session's own chamber shot has just gone up
    state, d = ad.step(state, ad.Tick(t(14)), t(14), SessionState.ON_AIR)
    assert d == (ad.Show("2", ANN, "Seat 2"),)


def test_requests_to_speak_are_a_queue_in_the_order_pressed():
    state = ad.start(SEATS, SETTINGS)
    queues = []
    for e in [ev(0, "3", MicState.REQUEST), ev(1, "4", MicState.REQUEST), ev(2, "2", MicState.REQUEST),
              ev(3, "4", MicState.REQUEST_CANCEL), ev(4, "3", MicState.ON)]:
        state, d = ad.step(state, e, e.at, SessionState.ON_AIR)
        queues += [x for x in d if isinstance(x, ad.Queue)]
    assert [q.mic_ids for q in queues] == [("3",), ("3", "4"), ("3", "4", "2"), ("3", "2"), ("2",)]
    assert queues[-1].members == (ANN,)


# --- audio levels ------------------------------------------------------------------------------------


def test_obs_meter_multipliers_are_dbfs_and_a_level_held_long_enough_is_a_microphone_on():
    assert mul_to_dbfs(1.0) == 0 and mul_to_dbfs(0.1) == pytest.approx(-20) and mul_to_dbfs(0) < -100
    data = {"inputs": [{"inputName": "Teams: Ann", "inputLevelsMul": [[0.05, 0.3, 0.3], [0.02, 0.1, 0.1]]},
                       {"inputName": "Desk", "inputLevelsMul": []}]}
    levels = levels_from_meters(data)
    assert levels["Teams: Ann"] == pytest.approx(-26.02, abs=0.01) and levels["Desk"] < -100
    det = LevelDetector(LevelSettings(threshold_db=-40, attack=0.4, release=1.5, hysteresis_db=6))
    got = []
    for i in range(100):  # 50 ms samples: loud for 1 s, a pause with a short sound in it, silence
        s = i * 0.05
        db = -25 if s < 1.0 else (-30 if 2.0 <= s < 2.2 else -60)
        got += det.feed("Teams: Ann", db, t(s))
    assert [(e.state, round((e.at - T0).total_seconds(), 2)) for e in got] == [(MicState.ON, 0.4), (MicState.OFF, 3.7)]  # the sound at 2.0 s kept it on
    det2 = LevelDetector()
    assert det2.feed("x", -30, t(0)) == [] and det2.feed("x", -30, t(0.2)) == []  # a blip shorter than the attack
    assert det2.feed("x", -60, t(0.3)) == [] and det2.inputs["x"].on is False


# --- the recorded hearing --------------------------------------------------------------------------


def _trace():
    doc = json.loads((FIX / "inquiry_2024-03-07_trace.json").read_text())
    speakers = {"Lady Hallett": "1", "Ms Hitchman": "2", "Ms Jane Runeckles": "3", "Ms Heaven": "4", "Ms Cowen": "5"}
    roster = Roster(tuple(RosterEntry(Member(n)) for n in speakers))
    cfg_cameras = {"ptz1": _cam(), "ptz2": _cam()}
    seats = load_seat_map(yaml.safe_load((FIX / "inquiry_seat_map.yaml").read_text()), roster, cfg_cameras)
    events = []
    for turn in doc["turns"]:
        mic = speakers[turn["speaker"]]
        events += [MicEvent(t(turn["on"]), mic, MicState.ON, "trace"), MicEvent(t(turn["off"]), mic, MicState.OFF, "trace")]
    return doc, seats, events, speakers


def _cam():
    from meetstream.chamber_config import PtzCameraConfig

    return PtzCameraConfig(host="127.0.0.1")


def test_the_recorded_hearing_shows_the_right_member_for_each_turn_and_no_short_shot():
    doc, seats, events, speakers = _trace()
    end = doc["turns"][-1]["off"] + 10
    assert end / 60 >= 20
    state = ad.start(seats, SETTINGS)
    _, out = ad.replay(state, events, end=t(end), travel={"ptz1": 2.0, "ptz2": 2.0})
    prog = ad.program(out, t(end))
    assert all((b - a).total_seconds() >= SETTINGS.min_shot - 1e-9 for a, b, _ in prog[:-1])
    # Every turn long enough to be shown (min shot + camera travel + a second) is on program, with the
    # right person, for most of it; shorter turns ("Yes.", "Thank you.") may be absorbed.
    long_enough = SETTINGS.min_shot + 2.0 + 1.0
    wrong, shown = [], 0
    for turn in doc["turns"]:
        if turn["off"] - turn["on"] < long_enough:
            continue
        a, b, mic = t(turn["on"]), t(turn["off"]), speakers[turn["speaker"]]
        on_screen = sum(max(0.0, (min(b, y) - max(a, x)).total_seconds()) for x, y, m in prog if m == mic)
        if on_screen >= 0.5 * (b - a).total_seconds():
            shown += 1
        else:
            wrong.append((turn["speaker"], turn["on"]))
        # and never another member's name while this one speaks (beyond the hand-over allowance)
        others = sum(max(0.0, (min(b, y) - max(a, x)).total_seconds()) for x, y, m in prog if m not in (mic, None))
        assert others <= SETTINGS.min_shot + SETTINGS.hold, (turn, others)
    assert not wrong, wrong
    assert shown >= 100


def test_the_recorded_hearing_in_private_session_changes_nothing():
    doc, seats, events, _ = _trace()
    _, out = ad.replay(ad.start(seats, SETTINGS), events[:200], end=events[199].at, session=SessionState.PRIVATE,
                       travel={"ptz1": 2.0, "ptz2": 2.0})
    assert [d for _, d in out if not isinstance(d, ad.Queue)] == []
