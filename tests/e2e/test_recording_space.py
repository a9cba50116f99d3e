"""A recording that would fill the disk is refused before going on air: the real OBS records into a real
1 MiB tmpfs (its SimpleOutput FilePath), `meetstream start` reads OBS's record directory and bitrate over
obs-websocket and the folder's free space, and refuses in one line; OBS is left neither streaming nor
recording, YouTube's broadcast is not live, the timeline has no start. `start --no-record` then goes on
air without the recording, as the officer asked."""

import subprocess

import pytest

from night_fixtures import night  # noqa: F401  (fixture)

pytestmark = [pytest.mark.obs, pytest.mark.rtmp]


@pytest.fixture
def small_disk(tmp_path, obs):
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True).returncode != 0:
        pytest.fail("this test mounts a tmpfs (CI runs as root): mount failed")
    param = {"parameterCategory": "SimpleOutput", "parameterName": "FilePath"}
    before = obs.call("GetProfileParameter", param).get("parameterValue")
    obs.call("SetProfileParameter", {**param, "parameterValue": str(mount)})
    try:
        yield mount
    finally:
        obs.call("SetProfileParameter", {**param, "parameterValue": before})  # other tests record where they did
        if obs.call("GetRecordStatus")["outputActive"]:
            obs.call("StopRecord")
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_recording_that_cannot_fit_is_refused_before_going_on_air(night, cli, obs, small_disk):
    assert obs.call("GetRecordDirectory")["recordDirectory"] == str(small_disk)
    refused = cli("start", "next")
    assert refused.code == 2 and refused.err.count("\n") == 1, refused
    assert refused.err.startswith(f"Error: the recording would not fit: {small_disk}: ")
    assert "MB/min from OBS's bitrate" in refused.err and "`meetstream start --no-record`" in refused.err
    assert not obs.call("GetStreamStatus")["outputActive"] and not obs.call("GetRecordStatus")["outputActive"]
    b = night.store.get_broadcast(night.meeting.id)
    assert night.youtube_sim.broadcasts[b.broadcast_id]["status"]["lifeCycleStatus"] not in ("liveStarting", "live")
    assert "start" not in [e.kind for e in night.store.timeline(night.meeting.id)]
    assert not any(small_disk.iterdir())

    started = cli("start", "next", "--no-record")  # the officer's choice: on air without the backup
    assert started.code == 0, started
    assert obs.call("GetStreamStatus")["outputActive"] and not obs.call("GetRecordStatus")["outputActive"]
    assert "Local recording started" not in started.out
    assert cli("end").code == 0
