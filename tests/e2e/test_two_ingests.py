"""A second ingest: OBS (the real one, headless) streams to the local relay, which copies the stream to
two real nginx-rtmp servers standing for YouTube's primary and backup ingestion addresses. An
independent observer (ffprobe on each server, as a viewer would pull it) counts the video frames
each one receives and their timestamps.

- kill -9 the primary's nginx: the backup keeps receiving, with no gap in the frame timestamps;
- kill the relay: the supervisor starts it again (an incident), OBS reconnects, frames flow again;
- make the relay impossible to start: OBS is pointed back at the primary address directly.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest
from helpers import end_process, wait_until

from meetstream.adapters.media.relay import FfmpegRelay
from meetstream.adapters.obs.output import ObsOutputs, StreamTarget, set_stream_target, start_stream, stop_stream
from meetstream.sandbox.rtmp import LocalRtmpServer
from meetstream.services.relay import Ingests, RelaySupervisor

pytestmark = [pytest.mark.obs, pytest.mark.rtmp]

KEY = "wxyz-abcd-efgh-ijkl-mnop"  # stands for YouTube's stream key
FRAME = 1 / 30  # OBS's default 30 fps


class FrameCounter:
    """ffprobe pulling one server's stream: each video packet's decoding timestamp (in stream order,
    unlike the presentation timestamp, which B-frames reorder), and when it arrived."""

    def __init__(self, url: str):
        self.frames: list[tuple[float, float]] = []  # (arrived, monotonic; decoding timestamp, seconds)
        # A short probe: OBS sends a static slate at ~3 Mbit/s, and ffprobe's default 5 MB probe would
        # hold back every line for 15 s. Probed that short, the video stream may be found only after
        # the audio, so every packet is shown with its type (-select_streams would miss it).
        cmd = ["ffprobe", "-v", "error", "-rw_timeout", "5000000", "-probesize", "20000000", "-analyzeduration", "10000000",
               "-show_entries", "packet=codec_type,dts_time", "-of", "csv=p=0", url]
        if shutil.which("stdbuf"):  # line by line, so each frame's arrival time is its own
            cmd = ["stdbuf", "-oL"] + cmd
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.err, text=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            kind, _, pts = line.strip().partition(",")
            try:
                if kind == "video":
                    self.frames.append((time.monotonic(), float(pts)))
            except ValueError:
                pass

    def stop(self) -> None:
        end_process(self.proc)
        self.thread.join(timeout=5)

    def after(self, t: float) -> list[float]:
        return [pts for at, pts in self.frames if at >= t]

    def max_gap(self, since: float = 0.0, until: float = float("inf")) -> float:
        pts = [p for at, p in self.frames if since <= at <= until]
        return max((b - a for a, b in zip(pts, pts[1:])), default=0.0)


@pytest.fixture
def ingests(tmp_path):
    primary = LocalRtmpServer(tmp_path / "primary").start()
    backup = LocalRtmpServer(tmp_path / "backup").start()
    yield primary, backup
    backup.stop()
    primary.stop()


@pytest.fixture
def relay_night(obs, director, ingests, tmp_path):
    """OBS streaming the private slate through the supervised relay to both ingests."""
    primary, backup = ingests
    incidents: list[tuple[str, dict]] = []
    relay = FfmpegRelay(tmp_path / "relay")
    sup = RelaySupervisor(relay, ObsOutputs(obs), lambda what, **d: incidents.append((what, d)), lambda: True,
                          max_restarts=2, max_backoff=1.0, stable_seconds=3.0, every=0.25)
    director.private()
    server, key = sup.begin(Ingests(primary.ingest_url, backup.ingest_url + "?backup=1", KEY))
    assert KEY not in server + key  # OBS gets the relay's own address and key, never YouTube's
    set_stream_target(obs, StreamTarget(server, key))
    start_stream(obs)
    wait_until("both ingests receive the stream", lambda: KEY in primary.publishing() and KEY in backup.publishing(),
               timeout=20, every=0.2)
    sup.watch()
    yield sup, relay, incidents
    sup.stop_watching()
    try:
        stop_stream(obs)
    finally:
        relay.stop()


def test_one_ingest_killed_the_other_keeps_every_frame(relay_night, ingests, capsys):
    sup, relay, incidents = relay_night
    primary, backup = ingests
    counters = {"primary": FrameCounter(primary.play_url(KEY)), "backup": FrameCounter(backup.play_url(KEY))}
    try:
        try:
            wait_until("frames on both ingests", lambda: all(len(c.frames) > 60 for c in counters.values()), timeout=25)
        except AssertionError:
            for c in counters.values():
                c.err.seek(0)
                print(len(c.frames), c.proc.poll(), c.err.read()[-3000:].decode())
            print(primary.stat()[-1500:])
            print((relay.folder / "relay.log").read_text()[-1500:])
            raise
        killed_at = time.monotonic()
        os.killpg(primary.proc.pid, signal.SIGKILL)  # the primary ingest dies, as a server does
        primary.proc.wait(timeout=5)
        time.sleep(5)
        backup_after = counters["backup"].after(killed_at)
        seen = {name: len(c.frames) for name, c in counters.items()}
    finally:
        for c in counters.values():
            c.stop()
    backup = counters["backup"]
    before = backup.max_gap(until=killed_at - 1)  # OBS itself skips a frame now and then on a loaded PC
    around = backup.max_gap(killed_at - 1, killed_at + 3)
    print(f"\nframes received: primary {seen['primary']} (then killed), backup {seen['backup']}; backup after the kill: "
          f"{len(backup_after)} in 5 s; largest step between backup frame timestamps (dts): {before * 1000:.0f} ms before, "
          f"{around * 1000:.0f} ms around the kill")
    steps = [(round(a2 - killed_at, 2), round(p2 - p1, 3)) for (a1, p1), (a2, p2) in zip(backup.frames, backup.frames[1:])
             if p2 - p1 > 1.5 * FRAME]
    print("backup steps over 1.5 frames (arrival after the kill, step):", steps)
    assert len(backup_after) >= 5 * 30 * 0.8, "the backup ingest stopped receiving when the primary died"
    # No gap: a reconnection would cost seconds; the relay never stops writing to the backup.
    assert around <= max(before, 4 * FRAME) + FRAME, f"a gap of {around:.3f} s in the backup's frame timestamps at the kill"
    assert relay.running() and sup.state == "relay"  # one dead ingest never stops the relay
    wait_until("the lost ingest on the timeline", lambda: sup.tick() and any(d.get("relay") == "primary" for _, d in incidents),
               timeout=5)
    assert not [w for w, d in incidents if d.get("relay") in ("down", "restart", "backup")]
    assert all(KEY not in w and KEY not in str(d) for w, d in incidents)


def test_relay_killed_is_restarted_and_unrestartable_falls_back_to_the_primary(relay_night, ingests, obs):
    sup, relay, incidents = relay_night
    primary, backup = ingests
    os.killpg(relay.pid(), signal.SIGKILL)
    wait_until("the relay restarted", lambda: any(d.get("relay") == "restart" for _, d in incidents), timeout=10)
    wait_until("OBS reconnects through the new relay to both ingests",
               lambda: KEY in primary.publishing() and KEY in backup.publishing(), timeout=30, every=0.2)
    counter = FrameCounter(backup.play_url(KEY))
    try:
        wait_until("frames again after the restart", lambda: len(counter.frames) > 30, timeout=15)
    finally:
        counter.stop()

    relay.ffmpeg = "/bin/false"  # from now on the relay cannot be started
    os.killpg(relay.pid(), signal.SIGKILL)
    wait_until("the fall-back to the primary address", lambda: sup.state == "direct", timeout=20)
    settings = obs.call("GetStreamServiceSettings")["streamServiceSettings"]
    assert settings["server"] == primary.ingest_url and settings["key"] == KEY
    wait_until("OBS publishes to the primary itself", lambda: KEY in primary.publishing(), timeout=20, every=0.2)
    kinds = [d.get("relay") for _, d in incidents]
    assert kinds.count("down") == 2 and "restart" in kinds and "restart_failed" in kinds and kinds[-1] == "fallback"
    assert all(KEY not in w and KEY not in str(d) for w, d in incidents)
