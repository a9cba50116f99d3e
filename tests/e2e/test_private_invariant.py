"""Private means private, against the real OBS, seen by an independent observer.

The observer (tests/private_observer.py) has its own obs-websocket client and samples, at 10 Hz,
the program scene, the mute of every input in OBS that carries sound (Desktop Audio and Mic/Aux
included) and the private scene's items. Each fault is injected just after a sample, so a repair
slower than the 100 ms sampling period would be seen; a sample that is not private while the
session is private fails the test. Exposure times are measured with a second client polling as
fast as it can, and printed (`pytest -s`).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest

from meetstream.core.domain import AgendaItem, SessionState
from meetstream.adapters.obs.build import apply
from meetstream.adapters.obs.director import Director
from meetstream.adapters.obs.events import ObsEventWatch, wait_connected
from meetstream.adapters.obs.output import ObsOutputs
from meetstream.services.session import LiveSession
from meetstream.services.watchdog import Watchdog

from helpers import OBS_PASSWORD
from obs_helpers import average_rgb, close_to
from private_observer import Observer, RawObs, desktop_collection, stopwatch_until_private

pytestmark = pytest.mark.obs

PRIVATE_RED = (0x7A, 0x10, 0x20)
_names = itertools.count(1)


@pytest.fixture
def raw(obs, obs_server):
    client = RawObs(obs_server.port, OBS_PASSWORD)
    yield client
    client.close()


@pytest.fixture
def desktop(raw, obs_server):
    """The name of a new scene collection like a desktop install's (global Desktop Audio and
    Mic/Aux, both live), now OBS's current one."""
    name = f"desktop-{next(_names)}-{os.getpid()}"
    desktop_collection(raw, obs_server.home, name)
    return name


@pytest.fixture
def room(obs, desktop, chamber_set, store, sample_meeting):
    """The chamber scene set on a desktop OBS, and a live session on a meeting whose items 5 and
    6 are both exempt."""
    apply(obs, chamber_set)
    meeting = replace(sample_meeting, agenda=sample_meeting.agenda[:5] + (
        AgendaItem("6", "Disposal of land at Hollis Lane", exempt=True), AgendaItem("7", "Any other business")))
    store.upsert_meeting(meeting)
    return LiveSession(store, Director(obs, chamber_set).load(), "chamber", meeting)


class RunningWatchdog:
    """The watchdog as `meetstream live` runs it: woken by OBS's events, and once a second."""

    def __init__(self, session, obs_server):
        self.dog = Watchdog(session, ObsOutputs(session.director.conn))
        self.watch = None

        def events(on_change):
            self.watch = ObsEventWatch("127.0.0.1", obs_server.port, OBS_PASSWORD, on_change).start()
            return self.watch

        self.dog.watch_events(events)
        assert wait_connected(self.watch)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._ticks, daemon=True)
        self._thread.start()

    def _ticks(self):
        while not self._stop.wait(1.0):
            self.dog.tick()

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=40)
        self.dog.stop()


@pytest.fixture
def watchdog(room, obs_server):
    running = RunningWatchdog(room, obs_server)
    yield running
    running.stop()


def incidents(store, meeting_id):
    return [e.detail["what"] for e in store.timeline(meeting_id) if e.kind == "incident"]


def test_private_mutes_every_input_that_carries_sound_the_global_ones_too(room, raw):
    room.chamber()
    assert set(raw.sample().live_audio) >= {"Desktop Audio", "Mic/Aux", "Chamber microphones", "Teams audio"}
    verified = room.private()
    assert set(verified.muted) >= {"Desktop Audio", "Mic/Aux", "Chamber microphones", "Teams audio"}
    assert raw.sample().private


FAULTS = {
    "a hand switch to the chamber": lambda raw: raw.call("SetCurrentProgramScene", {"sceneName": "Chamber"}),
    "a hand unmute of Mic/Aux": lambda raw: raw.call("SetInputMute", {"inputName": "Mic/Aux", "inputMuted": False}),
    "a camera added to the private scene": lambda raw: raw.call(
        "CreateSceneItem", {"sceneName": "Private session", "sourceName": "Chamber camera"}),
    "a new unmuted audio input": lambda raw: raw.call(
        "CreateInput", {"sceneName": "Chamber", "inputName": "Hand-added mic", "inputKind": "pulse_input_capture", "inputSettings": {}}),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_private_session_changed_in_obs_is_put_right_before_the_observer_sees_it(room, raw, watchdog, obs_server, fault):
    room.go_to_item("5")
    with Observer(obs_server.port, OBS_PASSWORD) as observer:
        t0 = time.monotonic()
        observer.wait_samples(2)
        FAULTS[fault](raw)
        exposure = stopwatch_until_private(raw)
        observer.wait_samples(5)
    print(f"\n{fault}: exposed for {exposure * 1000:.0f} ms on program (one client polling)")
    assert observer.public_since(t0) == [], f"{fault}: {len(observer.public_since(t0))} of {observer.count_since(t0)} samples public"
    assert exposure < 1.0
    assert any("put right" in what for what in incidents(room.store, room.meeting.id))


def test_cue_next_onto_another_exempt_item_after_a_hand_switch_stays_private(room, raw, obs_server, cli, room_config):
    """No watchdog: only `meetstream cue` processes. The next cue puts the private state back."""
    room.go_to_item("5")
    raw.call("SetCurrentProgramScene", {"sceneName": "Chamber"})
    raw.call("SetInputMute", {"inputName": "Chamber microphones", "inputMuted": False})
    with Observer(obs_server.port, OBS_PASSWORD) as observer:
        result = cli("cue", "next")
        t_done = time.monotonic()
        observer.wait_samples(3)
    assert result.code == 0, result
    assert result.out.startswith("PRIVATE: program 'Private session', all ")
    assert "item 6. Exempt item (public excluded)" in result.out
    assert observer.public_since(t_done) == []
    assert raw.sample().private
    assert any("put right" in what for what in incidents(room.store, room.meeting.id))


@pytest.mark.rtmp
def test_obs_killed_while_private_comes_back_private_and_the_stream_shows_only_the_slate(
        room, raw, obs, obs_server, rtmp_server, watchdog, desktop, tmp_path):
    outputs = ObsOutputs(obs)
    key = "private-restart-test"
    outputs.set_target(rtmp_server.ingest_url, key)
    room.chamber()
    room.go_to_item("5")  # private, before the output starts
    outputs.start_stream()
    room.store.set_streaming("chamber", True)
    try:
        with Observer(obs_server.port, OBS_PASSWORD) as observer:
            observer.wait_samples(2)
            obs_server.kill()
            frames_file = tmp_path / "frames.rgb"
            # A viewer waiting on the stream: nginx-rtmp holds the player until OBS publishes again.
            viewer = subprocess.Popen(
                ["ffmpeg", "-loglevel", "error", "-i", rtmp_server.play_url(key), "-t", "4", "-vf", "fps=10,scale=16:9",
                 "-f", "rawvideo", "-pix_fmt", "rgb24", str(frames_file)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            t_back = time.monotonic()
            obs_server.start(collection=desktop)  # as the officer's OBS reopens the collection it had
            deadline = time.monotonic() + 40
            while key not in rtmp_server.publishing() and time.monotonic() < deadline:
                time.sleep(0.1)
            restarted_in = time.monotonic() - t_back
            assert key in rtmp_server.publishing(), "the watchdog did not restart the stream output"
            _, err = viewer.communicate(timeout=30)
            observer.wait_samples(3)
    finally:
        room.store.set_streaming("chamber", False)
    frames = frames_file.read_bytes()
    size = 16 * 9 * 3
    colours = [_mean(frames[i:i + size]) for i in range(0, len(frames) - size + 1, size)]
    not_slate = [c for c in colours if not close_to(c, PRIVATE_RED)]
    seen = observer.public_since(t_back)
    print(f"\nOBS restart: {len(seen)} of {observer.count_since(t_back)} program samples public; "
          f"{len(not_slate)} of {len(colours)} stream frames not the private slate; output back after {restarted_in:.1f} s")
    assert len(colours) >= 20, err
    assert not_slate == [], f"{len(not_slate)} of {len(colours)} frames on the stream were not the private slate"
    assert seen == []


def _mean(rgb: bytes) -> tuple[int, int, int]:
    n = len(rgb) // 3
    return tuple(sum(rgb[i::3]) // n for i in range(3))


PUBLIC_CUES = [["chamber"], ["gallery"], ["speaker", "Jane Smith"], ["agenda"], ["holding"]]


@pytest.mark.parametrize("round_", [1, 2])
def test_twenty_concurrent_cue_processes_never_undo_a_private_session(room, raw, obs_server, room_config, round_):
    room.chamber()
    before = len(room.store.timeline(room.meeting.id))
    cues = [PUBLIC_CUES[i % len(PUBLIC_CUES)] for i in range(19)]
    cues.insert(6 + round_, ["private"])
    env = dict(os.environ)
    with Observer(obs_server.port, OBS_PASSWORD) as observer:
        procs = [subprocess.Popen([sys.executable, "-m", "meetstream", "cue", *c], env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in cues]
        done: dict[int, float] = {}
        while len(done) < len(procs):
            for i, p in enumerate(procs):
                if i not in done and p.poll() is not None:
                    done[i] = time.monotonic()
            time.sleep(0.005)
        observer.wait_samples(3)
    private_at = cues.index(["private"])
    codes = [p.returncode for p in procs]
    assert codes[private_at] == 0, procs[private_at].stderr.read()
    assert set(codes) <= {0, 2}, [p.stderr.read() for p in procs if p.returncode not in (0, 2)]
    after_private = observer.public_since(done[private_at])
    print(f"\nround {round_}: {codes.count(0)} cues acted, {codes.count(2)} refused; "
          f"{len(after_private)} of {observer.count_since(done[private_at])} samples public after `cue private` returned")
    assert after_private == []
    assert room.store.session("chamber")["state"] is SessionState.PRIVATE
    assert raw.sample().private
    added = room.store.timeline(room.meeting.id)[before:]
    assert len([e for e in added if e.kind != "incident"]) == codes.count(0)  # every change is on the timeline
