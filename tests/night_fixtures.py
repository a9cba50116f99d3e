"""A whole meeting night's peers: the Graph simulator with the sample council (synced into the
store), the YouTube simulator ingesting through a real nginx-rtmp, and the test OBS.

Import: `from night_fixtures import night`.
"""

from __future__ import annotations

from contextlib import contextmanager
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


@contextmanager
def sample_council(tmp_path, monkeypatch, chamber_port: int, *, committee1_port: int | None = None, clock=None,
                   chamber_extra: str = "", backup_ingest: str | None = None):
    """The sample council's peers, torn down afterwards: the Graph simulator's calendar synced into
    the store, the YouTube simulator ingesting through a real nginx-rtmp (broadcasts scheduled), and
    a meetstream.yaml whose chamber (and committee room 1, given a port) point at real OBS instances;
    `chamber_extra`: more of the chamber's settings, as YAML lines; `backup_ingest`: the backup
    ingestion address YouTube gives the room's stream (another nginx-rtmp).
    Yields (settings, config, store, youtube simulator, rtmp)."""
    from meetstream import bootstrap
    from meetstream.config import load_settings
    from meetstream.sandbox.graph import SAMPLE_COUNCIL, SAMPLE_ROSTER, GraphSimulator
    from meetstream.sandbox.rtmp import LocalRtmpServer
    from meetstream.sandbox.youtube import YouTubeSandbox
    from meetstream.services.meetings.sync import sync_calendar
    from meetstream.services.schedule import schedule
    from meetstream.store import Store

    scenes = REPO / "scenes" / "council-chamber.yaml"
    graph = GraphSimulator.from_file(SAMPLE_COUNCIL, device_interval=0).start()
    sim = YouTubeSandbox(**({"clock": clock.epoch} if clock else {})).start()
    rtmp = LocalRtmpServer(tmp_path / "nginx", callback_url=sim.rtmp_callback_url).start()
    sim.ingestion_address = rtmp.ingest_url
    sim.backup_ingestion_address = backup_ingest
    committee1 = ("  committee1:\n    name: Committee Room 1\n    locations: [Committee Room 1]\n"
                  f"    obs: {{host: 127.0.0.1, port: {committee1_port}, timeout: 10}}\n    scene_set: {scenes}\n"
                  if committee1_port else f"  committee1: {{name: Committee Room 1, scene_set: {scenes}}}\n")
    config = tmp_path / "meetstream.yaml"
    config.write_text(
        "council: {name: Northdale District Council}\n"
        f"roster: {SAMPLE_ROSTER}\n"
        "rooms:\n"
        "  chamber:\n"
        "    name: Council Chamber\n"
        "    locations: [Council Chamber]\n"
        f"    obs: {{host: 127.0.0.1, port: {chamber_port}, timeout: 10}}\n"
        f"    scene_set: {scenes}\n"
        + chamber_extra
        + committee1
        + f"youtube: {{api_url: '{sim.url}', privacy: unlisted}}\n"
    )
    state = tmp_path / "state.sqlite3"
    monkeypatch.setenv("MEETSTREAM_OBS_PASSWORD", OBS_PASSWORD)
    monkeypatch.setenv("MEETSTREAM_CONFIG", str(config))
    monkeypatch.setenv("MEETSTREAM_STATE", str(state))
    store = Store.open(state)
    try:
        settings, calendar = bootstrap.sandbox_calendar(load_settings(config), graph, state)
        sync_calendar(store, settings, calendar)
        graph.stop()
        schedule(settings, store, days=60, open_client=lambda: bootstrap.youtube_client(settings, store))
        yield settings, config, store, sim, rtmp
    finally:
        graph.stop()
        store.close()
        rtmp.stop()
        sim.stop()


@pytest.fixture
def night(tmp_path, obs, obs_server, chamber_set, monkeypatch):
    from meetstream import bootstrap
    from meetstream.adapters.obs.build import apply
    from meetstream.entrypoints.rehearsal import RehearsalClock

    clock = RehearsalClock()  # meeting time moves on when a test says so; the YouTube simulator shares it
    with sample_council(tmp_path, monkeypatch, obs_server.port, clock=clock) as (settings, config, store, sim, rtmp):
        meeting = store.meetings(datetime.now(timezone.utc), room="chamber")[0]
        apply(obs, chamber_set)
        room = bootstrap.room(settings, store, "chamber", meeting.id, conn=obs, clock=clock.now, youtube_sleep=lambda s: None)
        yield Night(settings, config, store, sim, rtmp, meeting, room.session, room.outputs, room.youtube(), clock)
        if obs.connected and obs.call("GetStreamStatus")["outputActive"]:
            obs.call("StopStream")
