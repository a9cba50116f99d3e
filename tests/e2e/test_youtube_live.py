"""End to end: real OBS streams to a real nginx-rtmp with the room's YouTube key; nginx tells the
YouTube simulator, which sees the stream active; the broadcast goes live (auto-start) and completes."""

import time

import pytest

from meetstream.adapters.obs.output import StreamTarget, set_stream_target, start_stream, stop_stream
from meetstream.sandbox.rtmp import LocalRtmpServer, nginx_available
from meetstream.services.schedule import schedule
from meetstream.adapters.youtube.golive import LiveControl
from meetstream.services.streams import room_stream

from youtube_fixtures import meeting, youtube, youtube_sandbox, youtube_settings  # noqa: F401

pytestmark = [pytest.mark.obs, pytest.mark.rtmp, pytest.mark.skipif(not nginx_available(), reason="nginx-rtmp not installed")]


@pytest.fixture
def youtube_ingest(tmp_path, youtube_sandbox):
    """nginx-rtmp on loopback that reports publishes to the simulator; the simulator's streams point at it."""
    server = LocalRtmpServer(tmp_path / "yt-nginx", callback_url=youtube_sandbox.rtmp_callback_url).start()
    youtube_sandbox.ingestion_address = server.ingest_url
    yield server
    server.stop()


def wait_for(what, check, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_obs_streams_with_the_rooms_key_and_the_scheduled_broadcast_goes_live_and_completes(obs, store, youtube_sandbox, youtube_settings, youtube, youtube_ingest):
    store.upsert_meeting(meeting("m1"))
    schedule(youtube_settings, store, client=youtube)
    b = store.get_broadcast("m1")
    stream = room_stream(youtube, store, youtube_settings, "chamber")
    assert stream.ingestion_address == youtube_ingest.ingest_url and stream.status == "ready"

    set_stream_target(obs, StreamTarget(stream.ingestion_address, stream.key))
    start_stream(obs)
    try:
        live = LiveControl(youtube, first_delay=0.5, max_delay=2.0)
        assert live.go_live(b.broadcast_id, b.stream_id, auto_start=True, stream_timeout=30, live_timeout=15) == "live"
        assert stream.key in youtube_ingest.publishing()
        assert live.stream_health(b.stream_id).health == "good"
        assert not [c for c in youtube_sandbox.calls if c.method == "liveBroadcasts.transition"]  # auto-start did it
        ended = live.complete(b.broadcast_id)
        assert ended["status"]["lifeCycleStatus"] == "complete"
    finally:
        stop_stream(obs)
    wait_for("the simulator never saw the publish end",
             lambda: youtube_sandbox.streams[b.stream_id]["status"]["streamStatus"] == "inactive")
    assert youtube_sandbox.broadcasts[b.broadcast_id]["status"]["lifeCycleStatus"] == "complete"


def test_obs_streaming_with_a_wrong_key_is_refused_and_the_broadcast_stays_ready(obs, store, youtube_sandbox, youtube_settings, youtube, youtube_ingest):
    store.upsert_meeting(meeting("m1"))
    schedule(youtube_settings, store, client=youtube)
    b = store.get_broadcast("m1")
    set_stream_target(obs, StreamTarget(youtube_ingest.ingest_url, "wxyz-not-the-rooms-key"))
    obs.call("StartStream")  # nginx asks the simulator, which refuses the unknown key
    try:
        wait_for("nginx to ask the simulator about the key", lambda: ("wxyz-not-the-rooms-key", False) in youtube_sandbox.publishes)
        assert "wxyz-not-the-rooms-key" not in youtube_ingest.publishing()
        assert youtube_sandbox.streams[b.stream_id]["status"]["streamStatus"] == "ready"
        assert youtube_sandbox.broadcasts[b.broadcast_id]["status"]["lifeCycleStatus"] == "ready"
    finally:
        if obs.call("GetStreamStatus")["outputActive"]:
            stop_stream(obs)
