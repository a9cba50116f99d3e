"""The ingest server goes away mid-meeting (real nginx-rtmp stopped, real OBS streaming): the
outage is one incident with its start and end on the timeline, and the stream comes back by
itself, whether OBS was still retrying or had given up and stopped its output."""

from __future__ import annotations

import threading
import time

import pytest

from meetstream.adapters.obs.output import ObsOutputs, StreamTarget, set_stream_target, start_stream, stop_stream
from meetstream.services.session import LiveSession
from meetstream.services.watchdog import Watchdog

pytestmark = [pytest.mark.obs, pytest.mark.rtmp]


def wait_until(what, check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture
def on_air(obs, director, store, sample_meeting, rtmp_server):
    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, director, "chamber", sample_meeting)
    session.chamber()
    set_stream_target(obs, StreamTarget(rtmp_server.ingest_url, "outage-key"))
    start_stream(obs)
    store.set_streaming("chamber", True)
    dog = Watchdog(session, ObsOutputs(obs))
    stop = threading.Event()
    healths = []

    def ticks():
        while not stop.wait(1.0):
            healths.append(dog.tick())

    t = threading.Thread(target=ticks, daemon=True)
    t.start()
    yield session, healths
    stop.set()
    t.join(timeout=30)
    store.set_streaming("chamber", False)
    if obs.call("GetStreamStatus")["outputActive"]:
        stop_stream(obs)


def incidents(session):
    return [e.detail for e in session.store.timeline(session.meeting.id) if e.kind == "incident"]


def test_an_ingest_outage_is_on_the_timeline_from_start_to_end_and_the_stream_returns(on_air, rtmp_server, obs):
    session, healths = on_air
    wait_until("nginx to see the publish", lambda: "outage-key" in rtmp_server.publishing())
    rtmp_server.stop()
    wait_until("the watchdog to see the outage", lambda: any(i.get("outage") == "start" for i in incidents(session)))
    assert any("STREAM" in p for h in healths[-2:] for p in h.problems)  # every surface shows it
    time.sleep(4)  # an outage of several seconds, as a council's internet link drops
    rtmp_server.start()
    wait_until("the stream to be published again", lambda: "outage-key" in rtmp_server.publishing(), timeout=60)
    wait_until("the outage's end on the timeline", lambda: any(i.get("outage") == "end" for i in incidents(session)), timeout=30)
    start, end = [i for i in incidents(session) if i.get("outage")]
    assert start["outage"] == "start" and end["outage"] == "end" and end["seconds"] >= 4


def test_with_the_output_stopped_and_the_server_down_restarts_back_off_until_it_returns(on_air, rtmp_server, obs):
    session, healths = on_air
    rtmp_server.stop()
    obs.call("StopStream")  # OBS gave up (or someone stopped it) while the server is away
    wait_until("two failed restarts", lambda: sum("restart" in i["what"] for i in incidents(session)) >= 2, timeout=30)
    rtmp_server.start()
    wait_until("the stream to be published again", lambda: "outage-key" in rtmp_server.publishing(), timeout=60)
    wait_until("the outage's end on the timeline", lambda: any(i.get("outage") == "end" for i in incidents(session)), timeout=30)
