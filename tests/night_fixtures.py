"""A whole meeting night's peers: the Graph simulator with the sample council (synced into the
store), the YouTube simulator ingesting through a real nginx-rtmp, and the test OBS.

Import: `from night_fixtures import night`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from helpers import OBS_PASSWORD, REPO


@dataclass
class Night:
    settings: object
    config: Path
    store: object
    youtube_sim: object
    rtmp: object
    meeting: object
    session: object
    outputs: object
    onair: object
    clock: object


@pytest.fixture
def night(tmp_path, obs, obs_server, chamber_set, monkeypatch):
    from meetstream import bootstrap
    from meetstream.services.meetings.sync import sync_calendar
    from meetstream.adapters.obs.build import apply
    from meetstream.config import load_settings
    from meetstream.sandbox.graph import SAMPLE_COUNCIL, SAMPLE_ROSTER, GraphSimulator
    from meetstream.sandbox.rtmp import LocalRtmpServer
    from meetstream.sandbox.youtube import YouTubeSandbox
    from meetstream.services.schedule import schedule
    from meetstream.store import Store

    graph = GraphSimulator.from_file(SAMPLE_COUNCIL, device_interval=0).start()
    from meetstream.entrypoints.rehearsal import RehearsalClock

    clock = RehearsalClock()  # meeting time moves on when a test says so; the YouTube simulator shares it
    sim = YouTubeSandbox(clock=clock.epoch).start()
    rtmp = LocalRtmpServer(tmp_path / "nginx", callback_url=sim.rtmp_callback_url).start()
    sim.ingestion_address = rtmp.ingest_url
    config = tmp_path / "meetstream.yaml"
    config.write_text(
        "council: {name: Northdale District Council}\n"
        f"roster: {SAMPLE_ROSTER}\n"
        "rooms:\n"
        "  chamber:\n"
        "    name: Council Chamber\n"
        "    locations: [Council Chamber]\n"
        f"    obs: {{host: 127.0.0.1, port: {obs_server.port}, timeout: 10}}\n"
        f"    scene_set: {REPO / 'scenes' / 'council-chamber.yaml'}\n"
        "  committee1: {name: Committee Room 1, scene_set: " + str(REPO / "scenes" / "council-chamber.yaml") + "}\n"
        f"youtube: {{api_url: '{sim.url}', privacy: unlisted}}\n"
    )
    state = tmp_path / "state.sqlite3"
    monkeypatch.setenv("MEETSTREAM_OBS_PASSWORD", OBS_PASSWORD)
    monkeypatch.setenv("MEETSTREAM_CONFIG", str(config))
    monkeypatch.setenv("MEETSTREAM_STATE", str(state))
    store = Store.open(state)
    settings, calendar = bootstrap.sandbox_calendar(load_settings(config), graph, state)
    sync_calendar(store, settings, calendar)
    graph.stop()
    schedule(settings, store, days=60, open_client=lambda: bootstrap.youtube_client(settings, store))
    meeting = store.meetings(datetime.now(timezone.utc), room="chamber")[0]
    apply(obs, chamber_set)
    room = bootstrap.room(settings, store, "chamber", meeting.id, conn=obs, clock=clock.now, youtube_sleep=lambda s: None)
    yield Night(settings, config, store, sim, rtmp, meeting, room.session, room.outputs, room.youtube(), clock)
    if obs.connected and obs.call("GetStreamStatus")["outputActive"]:
        obs.call("StopStream")
    store.close()
    rtmp.stop()
    sim.stop()
