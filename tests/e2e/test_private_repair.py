"""After OBS comes back from a crash on a public picture, every entry point puts the recorded
private session back before anything goes out; going private, the slate is up before any text
names the next item. Real OBS, real nginx-rtmp, and observers that share no code with meetstream:
tests/private_observer.py at 10 Hz, ffmpeg pulling every frame from nginx as a player would, and
a client reading the overlay and the program as fast as it can.

The exposure figures (program and stream, loaded and not) are bench/private_repair.py's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import pytest

from meetstream.core.domain import SessionState
from meetstream.services.night import on_air_record, start_meeting

from helpers import OBS_PASSWORD, end_process
from night_fixtures import night  # noqa: F401  (fixture)
from obs_helpers import close_to
from private_observer import Observer, RawObs

pytestmark = [pytest.mark.obs, pytest.mark.rtmp]

PRIVATE_RED = (0x7A, 0x10, 0x20)


class StreamFrames:
    """ffmpeg playing the stream from nginx; every decoded frame's mean colour. Turned away before
    OBS publishes, it asks again, as a player would."""

    W, H = 32, 18

    def __init__(self, url: str):
        self.url, self.frames, self.proc = url, [], None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        size, n = self.W * self.H * 3, self.W * self.H
        while not self._stop.is_set():
            self.proc = subprocess.Popen(
                [shutil.which("ffmpeg"), "-loglevel", "error", "-rw_timeout", "10000000", "-i", self.url, "-an",
                 "-vf", f"scale={self.W}:{self.H}", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            while len(buf := self.proc.stdout.read(size)) == size:
                self.frames.append((sum(buf[0::3]) // n, sum(buf[1::3]) // n, sum(buf[2::3]) // n))
            self.proc.wait()
            self._stop.wait(0.2)

    def wait_frames(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.frames) < count:
            assert time.monotonic() < deadline, f"{len(self.frames)} frames from nginx in {timeout} s"
            time.sleep(0.1)

    def stop(self) -> None:
        self._stop.set()
        if self.proc is not None:
            end_process(self.proc)
        self._thread.join(timeout=5)

    def not_the_slate(self) -> list:
        return [rgb for rgb in self.frames if not close_to(rgb, PRIVATE_RED, tolerance=50)]


def crash_back_public(obs, obs_server) -> None:
    """OBS killed, and started again on its collection as last saved before the crash: on the
    speaker, every microphone live (as if the private session had never been saved)."""
    collection = obs.call("GetSceneCollectionList")["currentSceneCollectionName"]
    obs_server.kill()
    scenes = obs_server.home / ".config" / "obs-studio" / "basic" / "scenes"
    saved = next(p for p in scenes.glob("*.json") if json.loads(p.read_text()).get("name") == collection)
    doc = json.loads(saved.read_text())
    doc["current_program_scene"] = doc["current_scene"] = "Speaker"
    for source in doc["sources"]:
        if source.get("id") != "scene":
            source["muted"] = False
    saved.write_text(json.dumps(doc))
    obs_server.start(collection=collection)


def private_on_air(night):
    """On air, then private for the exempt item: as the night was when OBS crashed."""
    s = night.session
    start_meeting(s, night.outputs, night.onair, stream_timeout=30)
    s.speaker(night.meeting.members[0].name)
    s.private()
    return s


def stream_key(night) -> str:
    record = on_air_record(night.store, "chamber")
    return night.youtube_sim.streams[record["stream_id"]]["cdn"]["ingestionInfo"]["streamName"]


def streaming_since(obs) -> float:
    status = obs.call("GetStreamStatus")
    assert status["outputActive"]
    return time.monotonic() - status["outputDuration"] / 1000 - 0.2  # 0.2 s to spare


def test_start_next_after_obs_came_back_public_streams_not_one_public_frame(night, obs, obs_server, cli):
    """The Done-when line of issue 22: every frame a player pulls from nginx, from the first, is
    the slate; no 10 Hz sample while streaming is public."""
    s = private_on_air(night)
    key = stream_key(night)
    crash_back_public(obs, obs_server)
    frames = StreamFrames(night.rtmp.play_url(key))  # waiting for the stream before it exists
    try:
        with Observer(obs_server.port, OBS_PASSWORD) as seen:
            seen.wait_samples(2)
            assert not seen.samples[-1].private and seen.samples[-1].live_audio  # public, as the crash left it
            started = cli("start", "next")
            assert started.code == 0, started
            raw = RawObs(obs_server.port, OBS_PASSWORD)
            try:
                since = streaming_since(raw)
            finally:
                raw.close()
            frames.wait_frames(60)
            seen.wait_samples(3)
    finally:
        frames.stop()
    while_streaming = [x for x in seen.samples if x.t >= since and not x.down]
    assert len(while_streaming) >= 5
    assert [x for x in while_streaming if not x.private] == []
    assert frames.not_the_slate() == [], f"{len(frames.not_the_slate())} of {len(frames.frames)} frames not the slate"
    assert s.store.session("chamber")["state"] is SessionState.PRIVATE
    assert any("put right" in e.detail.get("what", "") for e in s.store.timeline(night.meeting.id) if e.kind == "incident")


def test_serve_after_obs_came_back_public_restarts_the_stream_only_on_the_slate(night, obs, obs_server):
    """`serve` (and `live`, which runs the same room control) on an OBS that came back public,
    with the meeting on air: the session is put back first, then the watchdog starts the output."""
    from meetstream.entrypoints.http.run import serve_room
    from meetstream.store import Store

    private_on_air(night)
    key = stream_key(night)
    crash_back_public(obs, obs_server)  # from here on only independent clients ask OBS anything
    stop, failed = threading.Event(), []

    def serve():
        store = Store.open(night.store.path)
        try:
            serve_room(night.settings, store, "chamber", None, "127.0.0.1:0", say=lambda line: None, stop=stop)
        except BaseException as err:  # reported by the test, not lost in the thread
            failed.append(err)
        finally:
            store.close()

    frames = StreamFrames(night.rtmp.play_url(key))
    thread = threading.Thread(target=serve, daemon=True)
    try:
        with Observer(obs_server.port, OBS_PASSWORD) as seen:
            seen.wait_samples(2)
            assert not seen.samples[-1].private
            thread.start()
            raw = RawObs(obs_server.port, OBS_PASSWORD)
            try:
                deadline = time.monotonic() + 20
                while not raw.call("GetStreamStatus")["outputActive"]:
                    assert not failed, failed
                    assert time.monotonic() < deadline, "serve's watchdog did not start the output"
                    time.sleep(0.1)
                since = streaming_since(raw)
            finally:
                raw.close()
            frames.wait_frames(60)
            seen.wait_samples(3)
    finally:
        stop.set()
        thread.join(timeout=20)
        frames.stop()
    assert not failed, failed
    while_streaming = [x for x in seen.samples if x.t >= since and not x.down]
    assert len(while_streaming) >= 5
    assert [x for x in while_streaming if not x.private] == []
    assert frames.not_the_slate() == [], f"{len(frames.not_the_slate())} of {len(frames.frames)} frames not the slate"


def test_a_direct_cue_after_obs_came_back_public_puts_the_private_session_back_first(night, obs, obs_server, cli):
    """No `serve`, no console: the officer's next `cue` (here one the rules refuse in a private
    session) is the first to connect, and puts the slate back before anything else."""
    s = private_on_air(night)
    crash_back_public(obs, obs_server)
    with Observer(obs_server.port, OBS_PASSWORD) as seen:
        seen.wait_samples(2)
        assert not seen.samples[-1].private
        result = cli("cue", "chamber")
        t_done = time.monotonic()
        seen.wait_samples(3)
    assert result.code != 0, result  # refused: the public is excluded
    assert seen.public_since(t_done) == []
    assert seen.samples[-1].private
    assert s.store.session("chamber")["state"] is SessionState.PRIVATE
    assert any("put right" in e.detail.get("what", "") for e in s.store.timeline(night.meeting.id) if e.kind == "incident")


def test_going_private_puts_the_slate_up_before_any_text_names_the_exempt_item(obs, obs_server, chamber_set, store, sample_meeting):
    """A client reads the agenda overlay, then the program, as fast as it can while the session
    goes from a public item to the exempt one: the first program change it sees is the slate,
    and no look finds the exempt item's text while the program is anything else."""
    from meetstream.adapters.obs.build import apply
    from meetstream.adapters.obs.director import Director
    from meetstream.services.session import LiveSession

    apply(obs, chamber_set)
    store.upsert_meeting(sample_meeting)  # item 5 is exempt
    session = LiveSession(store, Director(obs, chamber_set).load(), "chamber", sample_meeting)
    session.chamber()
    session.go_to_item("4")
    raw = RawObs(obs_server.port, OBS_PASSWORD)
    stop = threading.Event()

    def look(looks):
        while not stop.is_set():
            text, program = raw.batch([("GetInputSettings", {"inputName": "Agenda overlay"}), ("GetCurrentProgramScene", None)])
            looks.append((text["responseData"]["inputSettings"].get("text", ""), program["responseData"]["currentProgramSceneName"]))

    rounds = []
    try:
        for _ in range(5):  # the window, when the order is wrong, is a few milliseconds: look at it a few times
            looks = []
            stop.clear()
            thread = threading.Thread(target=look, args=(looks,), daemon=True)
            thread.start()
            while len(looks) < 5:
                time.sleep(0.001)
            session.go_to_item("5")
            done = len(looks)
            while len(looks) < done + 3:  # and a few looks after it
                time.sleep(0.001)
            stop.set()
            thread.join(timeout=5)
            rounds.append(looks)
            session.go_to_item("4")
            session.public()
    finally:
        stop.set()
        raw.close()
    for looks in rounds:
        exempt_text = looks[-1][0]
        assert looks[-1][1] == "Private session" and looks[0][1] == "Chamber"
        programs = [p for _, p in looks]
        assert [b for a, b in zip(programs, programs[1:]) if a != b] == ["Private session"]
        early = [x for x in looks if x[0] == exempt_text and x[1] != "Private session"]
        assert early == [], f"{len(early)} looks found the overlay naming the exempt item on {early[0][1]!r} before the slate"


# --- the private covers: a public scene clicked by hand in a private session is the slate --------

CHAMBER_GREY = (0x2B, 0x2D, 0x42)  # the chamber camera's fallback colour (this machine has no camera)


def test_a_hand_switch_in_a_private_session_puts_only_the_slate_on_the_stream_and_public_uncovers(
        obs, obs_server, chamber_set, store, sample_meeting, rtmp_server):
    """No watchdog runs here: however long a hand switch to each public scene (with the microphones
    unmuted) stays on program, every frame a player pulls from nginx is the private slate, because
    every public scene is covered while private. Going public then uncovers: the chamber on the
    stream, its microphones live, no cover shown (all read by clients that share no meetstream code)."""
    from meetstream.adapters.obs.build import apply
    from meetstream.adapters.obs.director import Director
    from meetstream.adapters.obs.output import ObsOutputs
    from meetstream.services.session import LiveSession

    from private_observer import PUBLIC_SCENES, covers

    apply(obs, chamber_set)
    store.upsert_meeting(sample_meeting)  # item 5 is exempt
    session = LiveSession(store, Director(obs, chamber_set).load(), "chamber", sample_meeting)
    session.chamber()
    session.go_to_item("5")
    outputs = ObsOutputs(obs)
    outputs.set_target(rtmp_server.ingest_url, "covers")
    outputs.start_stream()
    frames = StreamFrames(rtmp_server.play_url("covers"))
    raw = RawObs(obs_server.port, OBS_PASSWORD)
    try:
        frames.wait_frames(30)
        assert covers(raw) == {s: (True, True) for s in PUBLIC_SCENES}
        start = len(frames.frames)
        for scene in PUBLIC_SCENES:
            raw.batch([("SetCurrentProgramScene", {"sceneName": scene}),
                       ("SetInputMute", {"inputName": "Chamber microphones", "inputMuted": False})])
            time.sleep(0.4)
            assert raw.call("GetCurrentProgramScene")["currentProgramSceneName"] == scene  # nothing put it right
        seen = session.keep_private()  # what the watchdog would have done at once
        assert any("program scene is 'Agenda'" in p for p in seen.put_right)
        frames.wait_frames(start + 90)  # the encoder and nginx hold a second or two: 3 s of frames after
        during = frames.frames[start:]
        assert len(during) >= 60
        assert frames.not_the_slate() == [], f"{len(frames.not_the_slate())} of {len(frames.frames)} frames not the slate"

        session.go_to_item("4")
        session.public()
        assert covers(raw) == {s: (True, False) for s in PUBLIC_SCENES}
        program = raw.call("GetCurrentProgramScene")["currentProgramSceneName"]
        assert program == "Chamber" and raw.call("GetInputMute", {"inputName": "Chamber microphones"})["inputMuted"] is False
        public_from = len(frames.frames)
        frames.wait_frames(public_from + 90)
        assert all(close_to(rgb, CHAMBER_GREY, tolerance=30) for rgb in frames.frames[-30:]), frames.frames[-30:]
    finally:
        raw.close()
        frames.stop()
        outputs.stop_stream()


def test_a_set_applied_without_covers_is_covered_by_start_in_a_private_session(night, obs, obs_server, cli):
    """The week after an upgrade: OBS holds the scene set as the old version applied it (no
    covers), and the night resumes in a private session. `start next` puts the slate back, adds
    the covers, shown, and the set then checks clean; no sample of the 10 Hz observer is public."""
    from private_observer import PUBLIC_SCENES, covers

    private_on_air(night)
    raw = RawObs(obs_server.port, OBS_PASSWORD)
    try:
        # As the old version left OBS: no cover items, no cover scene. The items first: OBS 29
        # keeps a removed scene alive (off its list) while another scene still holds it.
        for scene in PUBLIC_SCENES:
            items = raw.call("GetSceneItemList", {"sceneName": scene})["sceneItems"]
            raw.call("RemoveSceneItem", {"sceneName": scene, "sceneItemId": next(i["sceneItemId"] for i in items if i["sourceName"] == "Private cover")})
        raw.call("RemoveScene", {"sceneName": "Private cover"})
        deadline = time.monotonic() + 10
        while "Private cover backdrop" in {i["inputName"] for i in raw.call("GetInputList")["inputs"]}:
            assert time.monotonic() < deadline  # OBS drops the backdrop with its last scene, a moment later
            time.sleep(0.05)
        assert covers(raw) == {s: (False, False) for s in PUBLIC_SCENES}
        assert cli("obs", "check").code == 1
        with Observer(obs_server.port, OBS_PASSWORD) as seen:
            t0 = time.monotonic()
            started = cli("start", "next")
            assert started.code == 0, started
            seen.wait_samples(3)
        assert seen.public_since(t0) == []
        assert covers(raw) == {s: (True, True) for s in PUBLIC_SCENES}
        checked = cli("obs", "check")
        assert checked.code == 0, checked
    finally:
        raw.close()
