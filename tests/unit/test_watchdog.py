"""The watchdog's decisions on fakes of its ports, in milliseconds: outages as one incident with
a start and an end, restarts that back off and never give up, nothing restarted while a private
session is unverified."""

from dataclasses import dataclass

import pytest

from meetstream.errors import ObsError
from meetstream.services.watchdog import Watchdog


@dataclass
class Status:
    streaming: bool = True
    reconnecting: bool = False
    program_scene: str = "Chamber"
    stream_bytes: int = 0
    skipped_frames: int = 0
    total_frames: int = 0


class FakeOutputs:
    """OBS's outputs: `up` is what the output does; `server_up` decides whether a restart works."""

    def __init__(self):
        self.now = Status()
        self.server_up = True
        self.restart_asks = 0

    def status(self):
        return self.now

    def restart_stream(self):
        self.restart_asks += 1
        if not self.server_up:
            raise ObsError("OBS refused StartStream")
        self.now = Status(streaming=True)


class FakeSession:
    def __init__(self, private_ok=True):
        self.incidents = []
        self.private_ok = private_ok
        self.room = "chamber"
        self.store = self

    def streaming_expected(self, room):
        return True  # the meeting is on air: the output should be up

    def keep_private(self):
        if not self.private_ok:
            raise ObsError("PRIVATE NOT VERIFIED: OBS unreachable")
        return None

    def incident(self, what, **detail):
        self.incidents.append((what, detail))


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


@pytest.fixture
def rig():
    clock, outputs, session = Clock(), FakeOutputs(), FakeSession()
    return Watchdog(session, outputs, clock=clock), outputs, session, clock


def test_an_ingest_outage_is_one_incident_with_a_start_and_an_end(rig):
    dog, outputs, session, clock = rig
    dog.tick()
    outputs.now = Status(streaming=True, reconnecting=True)
    for t in range(1, 47):
        clock.t = t
        health = dog.tick()
    assert "STREAM RECONNECTING" in health.problems[0]
    assert outputs.restart_asks == 0  # OBS is retrying by itself
    outputs.now = Status(streaming=True)
    clock.t = 47
    dog.tick()
    assert [w for w, _ in session.incidents] == ["stream output reconnecting to the ingest server: viewers see nothing",
                                                 "stream output back after 46 s"]


def test_restarts_back_off_and_keep_trying_until_the_server_is_back(rig):
    dog, outputs, session, clock = rig
    outputs.now = Status(streaming=False)
    outputs.server_up = False
    asked_at = []
    for t in range(0, 200):
        clock.t = t
        before = outputs.restart_asks
        dog.tick()
        if outputs.restart_asks > before:
            asked_at.append(t)
    assert asked_at[:6] == [0, 2, 6, 14, 30, 60]  # 2, 4, 8, 16, then every 30 s
    assert len(asked_at) >= 8  # never gives up
    outputs.server_up = True
    clock.t = 300
    dog.tick()
    clock.t = 301
    dog.tick()
    assert session.incidents[-1][0] == "stream output back after 301 s"


def test_no_restart_while_the_private_session_is_not_verified():
    outputs, session, clock = FakeOutputs(), FakeSession(private_ok=False), Clock()
    outputs.now = Status(streaming=False)
    health = Watchdog(session, outputs, clock=clock).tick()
    assert outputs.restart_asks == 0
    assert "stays down until the private session is verified" in " ".join(health.problems)


def test_obs_coming_back_is_an_obs_restart_incident_and_a_whole_check():
    import threading

    from meetstream.services.watchdog import BACK

    clock, outputs, session = Clock(), FakeOutputs(), FakeSession()
    dog = Watchdog(session, outputs, clock=clock)
    checked = threading.Event()
    real_tick = dog.tick
    dog.tick = lambda: (real_tick(), checked.set())[0]
    handlers = []

    class Watch:
        def stop(self):
            pass

    dog.watch_events(lambda on_change: handlers.append(on_change) or Watch())
    try:
        handlers[0]("CurrentProgramSceneChanged", {})  # an ordinary change: a reaction, no incident
        handlers[0](BACK, {})
        assert checked.wait(5)
    finally:
        dog.stop()
    assert [d for _, d in session.incidents] == [{"obs": "restart"}]


def test_a_recording_running_out_of_space_is_said_once_and_kept_on_the_health_panel():
    from meetstream.services.recording import recording_space

    clock, outputs, session = Clock(), FakeOutputs(), FakeSession()
    outputs.recording = lambda: True
    free = {"mb": 100_000.0}
    asked = []

    def space():
        asked.append(clock.t)
        return recording_space(int(free["mb"] * 1_000_000), minutes=60, mb_per_minute=50, reserve_mb=1024,
                               warn_minutes=30, directory="/recordings")

    dog = Watchdog(session, outputs, clock=clock, recording_space=space, space_every=60)
    assert not any("recording" in p for p in dog.tick().problems)
    free["mb"] = 2_024.0  # 20 minutes left at 50 MB/min, after the reserve
    clock.t = 30
    dog.tick()  # not read again within the minute
    clock.t = 61
    health = dog.tick()
    assert asked == [0, 61]
    assert any(p.startswith("Recording space is running out: /recordings") for p in health.problems), health.problems
    clock.t = 122
    dog.tick()
    assert [w for w, d in session.incidents if d.get("recording") == "space"] == [
        "recording space is running out: /recordings: 2.0 GB free, about 20 min of recording left"]
    free["mb"] = 100_000.0  # space made: the warning goes
    clock.t = 183
    assert not any("ecording space" in p for p in dog.tick().problems)
