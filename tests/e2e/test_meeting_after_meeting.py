"""The life of a council's rooms: meeting after meeting in one room, and a meeting in each of two
rooms at once, through `serve` and directly, on two real headless OBS instances, nginx-rtmp and
the Graph and YouTube simulators.

Each OBS is watched by the test's own obs-websocket client at 10 Hz (tests/private_observer.py):
each OBS shows only its own room's state, and a private session has zero public samples.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from helpers import OBS_PASSWORD, wait_until
from night_fixtures import sample_council
from private_observer import Observer, RawObs

pytestmark = [pytest.mark.obs, pytest.mark.rtmp]

MEETSTREAM = [sys.executable, "-m", "meetstream"]


@pytest.fixture(scope="module")
def second_obs(tmp_path_factory):
    """Committee Room 1's OBS: a second real OBS Studio, headless, for this module's tests."""
    from meetstream.adapters.obs.headless import HeadlessObs

    server = HeadlessObs(tmp_path_factory.mktemp("obs-home-2"), password=OBS_PASSWORD)
    server.start()
    yield server
    server.stop()


@dataclass
class Rooms:
    store: object
    youtube_sim: object
    rtmp: object
    state: Path
    chamber_port: int
    committee1_port: int
    meetings: dict  # committee -> Meeting (the next of each)


@pytest.fixture
def rooms(tmp_path, obs, obs_server, second_obs, chamber_set, monkeypatch):
    """Two configured rooms, each with its own real OBS; the sample council synced and scheduled."""
    from meetstream.adapters.obs.build import apply
    from meetstream.adapters.obs.connection import ObsConnection

    with sample_council(tmp_path, monkeypatch, obs_server.port, committee1_port=second_obs.port) as (_, _, store, sim, rtmp):
        apply(obs, chamber_set)
        second = ObsConnection("127.0.0.1", second_obs.port, OBS_PASSWORD, timeout=10).connect()
        for output in ("Stream", "Record"):
            if second.call(f"Get{output}Status")["outputActive"]:
                second.call(f"Stop{output}")
        second.call("CreateSceneCollection", {"sceneCollectionName": f"rooms-{os.getpid()}-{time.monotonic_ns()}"})
        apply(second, chamber_set)
        meetings = {}
        for m in store.meetings(datetime.now(timezone.utc)):
            meetings.setdefault(m.committee, m)
        yield Rooms(store, sim, rtmp, tmp_path / "state.sqlite3", obs_server.port, second_obs.port, meetings)
        for conn in (obs, second):
            if conn.connected and conn.call("GetStreamStatus")["outputActive"]:
                conn.call("StopStream")
        second.close()


def ref(meeting) -> str:
    from meetstream.core.domain import short_ref

    return short_ref(meeting.id)


def kinds(store, meeting) -> list[str]:
    return [e.kind for e in store.timeline(meeting.id)]


def program(port: int) -> str:
    raw = RawObs(port, OBS_PASSWORD)
    try:
        return raw.call("GetCurrentProgramScene")["currentProgramSceneName"]
    finally:
        raw.close()


def obs_picture(port: int) -> dict:
    """What one OBS shows and sends, read by the test's own client: program, every input's mute,
    the private scene's items, the stream settings and whether the output runs."""
    raw = RawObs(port, OBS_PASSWORD)
    try:
        s = raw.sample()
        return {"program": s.program, "live_audio": sorted(s.live_audio), "private_items": s.items,
                "service": raw.call("GetStreamServiceSettings"), "streaming": raw.call("GetStreamStatus")["outputActive"]}
    finally:
        raw.close()


def cue(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*MEETSTREAM, "cue", *args], env=env or dict(os.environ), capture_output=True, text=True, timeout=90)


def without_obs_password() -> dict:
    """A cue that could only act through a server: acting on OBS directly needs the password."""
    env = dict(os.environ)
    env.pop("MEETSTREAM_OBS_PASSWORD")
    return env


class Serve:
    def __init__(self, state: Path, room: str):
        from meetstream.adapters.obs.headless import free_port

        self.record = Path(f"{state}.serve-{room}.json")
        self.proc = subprocess.Popen([*MEETSTREAM, "serve", "--room", room, "--listen", f"127.0.0.1:{free_port()}"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def up():
            assert self.proc.poll() is None, f"serve exited {self.proc.returncode}: {self.proc.stderr.read()}"
            return self.record.exists() and json.loads(self.record.read_text() or "{}").get("pid") == self.proc.pid

        wait_until(f"serve for {room}", up, timeout=40)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def test_three_meetings_in_a_row_in_one_room(rooms, cli):
    """Full Council, Planning and Standards in the chamber, one after another, from one store:
    each starts, is cued, goes private, and ends; the observer sees each private session whole."""
    chamber = [rooms.meetings[c] for c in ("Full Council", "Planning Committee", "Standards Committee")]
    with Observer(rooms.chamber_port, OBS_PASSWORD) as seen:
        for meeting in chamber:
            started = cli("start", ref(meeting))
            assert started.code == 0, started
            assert f"Starting {meeting.committee} in Council Chamber" in started.out
            assert cli("cue", "chamber").code == 0
            went = cli("cue", "private")
            assert went.code == 0 and went.out.startswith("PRIVATE"), went
            seen.wait_samples(1)
            t0 = time.monotonic()
            seen.wait_samples(5)
            assert seen.public_since(t0) == [] and seen.count_since(t0) >= 5
            assert cli("cue", "public").code == 0
            assert program(rooms.chamber_port) == "Chamber"
            ended = cli("end")
            assert ended.code == 0, ended
            assert f"{meeting.committee}: on air for" in ended.out and "✓ Broadcast completed" in ended.out
            assert program(rooms.chamber_port) == "Adjourned"
    for meeting in chamber:
        assert kinds(rooms.store, meeting) == ["holding", "start", "chamber", "private", "public", "adjourned", "end"], meeting.committee
        b = rooms.store.get_broadcast(meeting.id)
        assert rooms.youtube_sim.broadcasts[b.broadcast_id]["status"]["lifeCycleStatus"] == "complete"
    assert rooms.youtube_sim.double_bindings == []


def test_a_refused_start_leaves_youtube_and_obs_as_they_were(rooms, cli):
    council, planning = rooms.meetings["Full Council"], rooms.meetings["Planning Committee"]
    assert cli("start", ref(council)).code == 0
    assert cli("cue", "chamber").code == 0
    obs_before = obs_picture(rooms.chamber_port)
    planning_broadcast = rooms.store.get_broadcast(planning.id).broadcast_id
    bound_before = {b["id"]: dict(b["contentDetails"]) for b in rooms.youtube_sim.broadcasts.values()}
    writes_before = len(rooms.youtube_sim.write_calls())

    refused = cli("start", ref(planning))
    assert refused.code == 2
    assert refused.err.strip() == (f"Error: room 'chamber' is running Full Council ({ref(council)}) until it ends: "
                                   f"`meetstream end --room chamber` ends it, then try again for Planning Committee ({ref(planning)})")
    # Seen from YouTube's side (the simulator) and OBS's (the test's own client): nothing moved.
    assert {b["id"]: dict(b["contentDetails"]) for b in rooms.youtube_sim.broadcasts.values()} == bound_before
    assert len(rooms.youtube_sim.write_calls()) == writes_before
    assert rooms.youtube_sim.broadcasts[planning_broadcast]["status"]["lifeCycleStatus"] != "live"
    assert obs_picture(rooms.chamber_port) == obs_before
    # A cue for the other meeting is refused the same way, and the live meeting carries on.
    other = cli("cue", "holding", "--meeting", ref(planning))
    assert other.code == 2 and "is running Full Council" in other.err and obs_picture(rooms.chamber_port) == obs_before
    assert kinds(rooms.store, planning) == []
    assert cli("end").code == 0


def test_a_meeting_in_each_of_two_rooms_at_once_through_serve_and_directly(rooms, cli):
    council, licensing = rooms.meetings["Full Council"], rooms.meetings["Licensing Sub-Committee"]
    exempt = next(i for i in council.agenda if i.exempt)
    served = Serve(rooms.state, "committee1")  # committee room 1 runs through its serve; the chamber directly
    try:
        # The meeting names its room: no --room for either start.
        assert cli("start", ref(council)).code == 0
        assert cli("start", ref(licensing)).code == 0
        assert rooms.store.session("committee1")["meeting_id"] == licensing.id
        with Observer(rooms.chamber_port, OBS_PASSWORD) as chamber_seen, Observer(rooms.committee1_port, OBS_PASSWORD) as room1_seen:
            assert cli("cue", "chamber").code == 0  # the default room, directly
            # Committee room 1's cues reach its serve (they could not act on OBS themselves).
            went = cue("private", "--room", "committee1", env=without_obs_password())
            assert went.returncode == 0 and went.stdout.startswith("PRIVATE"), went
            room1_seen.wait_samples(1)
            t_private = time.monotonic()
            # A meeting names its room: the cue goes to committee room 1's server, which refuses it.
            speaker = cue("speaker", "Helen Price", "--meeting", ref(licensing), env=without_obs_password())
            assert speaker.returncode == 2 and "the meeting is in private session" in speaker.stderr, speaker
            contradiction = cue("chamber", "--meeting", ref(licensing), "--room", "chamber")
            assert contradiction.returncode == 2
            assert "is in room 'committee1', not 'chamber': leave out --room, or use --room committee1" in contradiction.stderr
            # Meanwhile the chamber goes on: to its Part 2 item and back, directly.
            assert cli("cue", "item", exempt.number).out.startswith("PRIVATE")
            assert cli("cue", "item", council.agenda[-1].number).code == 0
            assert cli("cue", "public").code == 0
            assert cli("cue", "speaker", "Jane Smith").code == 0
            room1_seen.wait_samples(3)
            t_end = time.monotonic()
            assert program(rooms.committee1_port) == "Private session"
            ended = subprocess.run([*MEETSTREAM, "end", "--room", "committee1"], capture_output=True, text=True, timeout=120)
            assert ended.returncode == 0, ended
        # Each OBS showed only its own room's state.
        room1_private = [s for s in room1_seen.samples if t_private <= s.t <= t_end and not s.down]
        assert room1_private and all(s.private for s in room1_private)
        assert not any(s.program in ("Speaker", "Chamber") for s in room1_seen.samples if s.t >= t_private)
        chamber_after = [s for s in chamber_seen.samples if s.t >= t_private and not s.down]
        assert any(s.program == "Private session" for s in chamber_after)  # its own Part 2 item
        assert chamber_seen.samples[-1].program == "Speaker"
        # The end through serve prints the same summary as the direct one (the recording line too, when there is one).
        assert f"{licensing.committee}: on air for" in ended.stdout and "Agenda items covered:" in ended.stdout
        assert "YouTube quota used tonight:" in ended.stdout
        direct = cli("end")
        assert direct.code == 0
        same = [line.split(":")[0] for line in ended.stdout.splitlines() if ":" in line and not line.startswith(("  ", "Chapters"))]
        assert {"Agenda items covered", "Incidents", "YouTube quota used tonight"} <= set(same)
        assert set(same) <= {line.split(":")[0] for line in direct.out.splitlines()} | {licensing.committee}
    finally:
        served.stop()
    assert kinds(rooms.store, licensing) == ["holding", "start", "private", "adjourned", "end"]
    council_kinds = kinds(rooms.store, council)
    assert council_kinds[:3] == ["holding", "start", "chamber"] and council_kinds[-2:] == ["adjourned", "end"]
    assert "private" in council_kinds and "public" in council_kinds


def test_two_servers_each_take_their_own_rooms_cues_and_the_next_meeting_through_serve(rooms, cli):
    council, licensing, planning = (rooms.meetings[c] for c in ("Full Council", "Licensing Sub-Committee", "Planning Committee"))
    chamber_serve, room1_serve = Serve(rooms.state, "chamber"), Serve(rooms.state, "committee1")
    try:
        assert cli("start", ref(council)).code == 0
        assert cli("start", ref(licensing)).code == 0
        env = without_obs_password()
        # No --room with two servers running: the default room's server, never OBS directly.
        refused = cue("public", env=env)
        assert refused.returncode == 2 and refused.stderr.startswith("Error: the meeting is not in private session"), refused
        assert cue("chamber", env=env).returncode == 0
        assert cue("private", "--meeting", ref(licensing), env=env).stdout.startswith("PRIVATE")
        assert program(rooms.chamber_port) == "Chamber" and program(rooms.committee1_port) == "Private session"
        ended = subprocess.run([*MEETSTREAM, "end"], capture_output=True, text=True, timeout=120)
        assert ended.returncode == 0 and f"{council.committee}: on air for" in ended.stdout, ended
        # The chamber's next meeting, named on a cue, takes the room through the chamber's serve.
        took = cue("holding", "--meeting", ref(planning), env=env)
        assert took.returncode == 0 and took.stdout.startswith("HOLDING"), took
        assert rooms.store.session("chamber")["meeting_id"] == planning.id
        assert cli("start", ref(planning)).code == 0
        assert cue("chamber", env=env).stdout.startswith("ON AIR")
        assert program(rooms.committee1_port) == "Private session"  # committee room 1 untouched throughout
        assert subprocess.run([*MEETSTREAM, "end"], capture_output=True, text=True, timeout=120).returncode == 0
        assert subprocess.run([*MEETSTREAM, "end", "--room", "committee1"], capture_output=True, text=True, timeout=120).returncode == 0
    finally:
        chamber_serve.stop()
        room1_serve.stop()
    assert kinds(rooms.store, planning) == ["holding", "holding", "start", "chamber", "adjourned", "end"]
    assert kinds(rooms.store, council)[-2:] == ["adjourned", "end"]
