"""OBS streams to a real nginx-rtmp server; what a viewer pulls is what the director put on air."""

import shutil
import subprocess
import time

import pytest

from meetstream.adapters.obs.output import StreamTarget, set_stream_target, start_stream, stop_stream

from obs_helpers import average_rgb, close_to

pytestmark = [pytest.mark.obs, pytest.mark.rtmp]

PRIVATE_RED = (0x7A, 0x10, 0x20)
KEY = "abcd-efgh-ijkl-mnop"


def pull_frame_rgb(url: str) -> tuple[int, int, int]:
    """One frame from the RTMP stream, as a viewer's player would get it, via ffmpeg as a BMP."""
    out = subprocess.run(
        [shutil.which("ffmpeg"), "-loglevel", "error", "-rw_timeout", "10000000", "-i", url,
         "-frames:v", "1", "-vf", "scale=64:36", "-f", "image2pipe", "-vcodec", "bmp", "-"],
        capture_output=True, timeout=60, check=True,
    )
    return average_rgb(out.stdout)


def test_obs_publishes_to_the_rtmp_server_and_viewers_see_the_private_slate(obs, director, rtmp_server):
    director.private()
    assert set_stream_target(obs, StreamTarget(rtmp_server.ingest_url, KEY)) is True
    assert set_stream_target(obs, StreamTarget(rtmp_server.ingest_url, KEY)) is False  # already so: nothing sent
    start_stream(obs)
    try:
        deadline = time.monotonic() + 20
        while KEY not in rtmp_server.publishing():
            assert time.monotonic() < deadline, "nginx never saw the publish"
            time.sleep(0.2)
        assert close_to(pull_frame_rgb(rtmp_server.play_url(KEY)), PRIVATE_RED, tolerance=50)
        status = obs.call("GetStreamStatus")
        assert status["outputActive"] and not status["outputReconnecting"]
    finally:
        stop_stream(obs)
    deadline = time.monotonic() + 10
    while KEY in rtmp_server.publishing():
        assert time.monotonic() < deadline, "the publish did not end"
        time.sleep(0.2)
