"""YouTube fixtures: the simulator over loopback, settings pointing at it, a built client.

Import what a module needs: `from youtube_fixtures import youtube_sandbox, youtube_settings, youtube, meeting`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from meetstream.core.domain import AgendaItem, Meeting

NOW = datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture
def youtube_sandbox():
    """The YouTube simulator, running on a free loopback port."""
    from meetstream.sandbox.youtube import YouTubeSandbox

    sim = YouTubeSandbox().start()
    yield sim
    sim.stop()


def settings_for(api_url: str, **youtube):
    from meetstream.config import Settings

    return Settings.model_validate({
        "council": {"name": "Example Borough Council"},
        "rooms": {
            "chamber": {"name": "Council Chamber", "scene_set": "scenes/council-chamber.yaml"},
            "committee-room": {"name": "Committee Room 1", "scene_set": "scenes/council-chamber.yaml", "resolution": "720p"},
        },
        "youtube": {"api_url": api_url, **youtube},
    })


@pytest.fixture
def youtube_settings(youtube_sandbox):
    return settings_for(youtube_sandbox.url)


@pytest.fixture
def youtube(youtube_settings, store):
    """A YouTubeClient built with the real google-api-python-client against the simulator; no real sleeping."""
    from meetstream.bootstrap import youtube_client as build_client

    return build_client(youtube_settings, store, sleep=lambda s: None)


def meeting(id="m1", committee="Planning Committee", *, days=3, hours=3, room="chamber", **kw) -> Meeting:
    start = NOW + timedelta(days=days)
    kw.setdefault("agenda", (AgendaItem("1", "Apologies for absence"), AgendaItem("2", "Minutes"),
                             AgendaItem("3", "Sale of the depot site to a named bidder", exempt=True)))
    return Meeting(id=id, committee=committee, start=start, end=start + timedelta(hours=hours), room=room, **kw)


def write_config(tmp_path: Path, api_url: str, extra: str = "") -> Path:
    path = tmp_path / "meetstream.yaml"
    path.write_text(
        "council:\n  name: Example Borough Council\n"
        "rooms:\n  chamber:\n    name: Council Chamber\n    scene_set: scenes/council-chamber.yaml\n"
        f"youtube:\n  api_url: {api_url}\n{extra}"
    )
    return path
