"""A second ingest through the whole night, as the officer runs it (issue 24 part 5): a room with
`backup_ingest: true`, the YouTube simulator giving a backup ingestion address on a second real
nginx-rtmp, and the real CLI: `meetstream start next` starts the relay (a detached process that
outlives the command), both ingests receive the room's stream, the primary's nginx is killed with
kill -9 and the backup keeps receiving frames (ffprobe on it, as a viewer pulls it), and
`meetstream end`, a separate command, stops the relay it did not start: no relay process left,
no ingest still fed, the broadcast complete. The frame-by-frame gap at the kill is measured in
tests/e2e/test_two_ingests.py; this is the wiring, from the CLI to the processes.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from helpers import wait_until
from night_fixtures import sample_council
from test_two_ingests import FrameCounter

pytestmark = [pytest.mark.obs, pytest.mark.rtmp]


@pytest.fixture
def backed_up(tmp_path, obs, obs_server, chamber_set, monkeypatch):
    from meetstream.adapters.obs.build import apply
    from meetstream.sandbox.rtmp import LocalRtmpServer

    backup = LocalRtmpServer(tmp_path / "backup").start()
    try:
        # [ref] liveStreams cdn.ingestionInfo.backupIngestionAddress ("rtmp://b.rtmp.youtube.com/live2?backup=1"
        # on YouTube): the simulator gives the second nginx's.
        with sample_council(tmp_path, monkeypatch, obs_server.port, chamber_extra="    backup_ingest: true\n",
                            backup_ingest=backup.ingest_url + "?backup=1") as (settings, config, store, sim, primary):
            apply(obs, chamber_set)
            yield store, sim, primary, backup
            if obs.call("GetStreamStatus")["outputActive"]:
                obs.call("StopStream")
            from meetstream.adapters.media.relay import FfmpegRelay

            FfmpegRelay(Path(store.path).parent / "relay-chamber").stop()  # if the test failed before `end`
    finally:
        backup.stop()


def relay_pid(store) -> int | None:
    from meetstream.adapters.media.relay import FfmpegRelay

    return FfmpegRelay(Path(store.path).parent / "relay-chamber").pid()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text() if Path(f"/proc/{pid}/stat").exists() else ""
    return " Z " not in stat  # a zombie is gone


def test_start_runs_the_relay_to_both_ingests_a_killed_primary_leaves_the_backup_fed_and_end_stops_it(backed_up, cli, obs):
    store, sim, primary, backup = backed_up
    started = cli("start", "next")
    if started.code != 0:
        log = Path(store.path).parent / "relay-chamber" / "relay.log"
        print(started.out, started.err, log.read_text()[:2500] if log.exists() else "no relay log", primary.stat()[-1500:])
    assert started.code == 0, started
    assert "✓ Backup ingest relay" in started.out, started.out
    key = next(iter(sim.streams.values()))["cdn"]["ingestionInfo"]["streamName"]
    assert key not in started.out + started.err
    settings = obs.call("GetStreamServiceSettings")["streamServiceSettings"]
    assert settings["server"].startswith("rtmp://127.0.0.1:") and key not in settings["server"] + settings["key"]  # OBS feeds the relay

    pid = relay_pid(store)
    assert pid is not None and alive(pid)  # outlived the command that started it
    wait_until("both ingests receive the room's stream", lambda: key in primary.publishing() and key in backup.publishing(),
               timeout=20, every=0.2)
    assert cli("cue", "chamber").code == 0

    counter = FrameCounter(backup.play_url(key))
    try:
        wait_until("frames on the backup", lambda: len(counter.frames) > 60, timeout=25)
        killed_at = time.monotonic()
        os.killpg(primary.proc.pid, signal.SIGKILL)
        primary.proc.wait(timeout=5)
        time.sleep(5)
        after = counter.after(killed_at)
    finally:
        counter.stop()
    print(f"\nbackup frames in the 5 s after the primary was killed: {len(after)}")
    assert len(after) >= 5 * 30 * 0.8, "the backup ingest stopped receiving when the primary died"
    assert alive(pid)

    ended = cli("end")
    assert ended.code == 0, ended
    wait_until("the relay to be gone", lambda: not alive(pid), timeout=10)
    assert relay_pid(store) is None
    assert not obs.call("GetStreamStatus")["outputActive"]
    wait_until("no ingest fed", lambda: key not in backup.publishing(), timeout=10)
    (bc,) = [b for b in sim.broadcasts.values() if b["status"]["lifeCycleStatus"] in ("live", "complete")]
    assert bc["status"]["lifeCycleStatus"] == "complete"
