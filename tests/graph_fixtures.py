"""Graph fixtures: the Graph simulator over loopback, a meetstream.yaml pointing at it, a signed-in
calendar. Import what a module needs:

    from graph_fixtures import graph_sim, graph_config, graph, fill_calendar, MAILBOX
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from meetstream.sandbox.graph import SAMPLE_COUNCIL, SAMPLE_ROSTER, GraphSimulator

MAILBOX = "democratic.services@northdale.example"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"


class Sleeps(list):
    """The clock the Graph client waits on: records each Retry-After wait instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def graph_sim():
    """The sample council calendar in the Graph simulator (device codes approved on the 2nd poll)."""
    sim = GraphSimulator.from_file(SAMPLE_COUNCIL, device_interval=0).start()
    yield sim
    sim.stop()


def write_config(directory: Path, sim: GraphSimulator, **calendar) -> Path:
    import yaml

    shutil.copy(SAMPLE_ROSTER, directory / "roster.yaml")
    cal = {"tenant": sim.tenant, "client_id": CLIENT_ID, "authority_host": sim.url, "graph_url": sim.graph_url,
           "mailbox": MAILBOX, "page_size": 100}
    cal.update(calendar)
    cal = {k: v for k, v in cal.items() if v is not None}
    doc = {
        "council": {"name": "Northdale District Council", "timezone": "Europe/London"},
        "rooms": {
            "chamber": {"name": "Council Chamber", "locations": ["Town Hall - Council Chamber"], "scene_set": "scenes.yaml"},
            "committee1": {"name": "Committee Room 1", "scene_set": "scenes.yaml"},
        },
        "roster": "roster.yaml",
        "calendar": cal,
    }
    path = directory / "meetstream.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


@pytest.fixture
def graph_config(tmp_path, graph_sim) -> Path:
    return write_config(tmp_path, graph_sim)


@dataclass
class Graph:
    sim: GraphSimulator
    settings: object
    store: object
    calendar: object
    sleeps: Sleeps

    def sync(self, **kw):
        from meetstream.services.meetings.sync import sync_calendar

        return sync_calendar(self.store, self.settings, self.calendar, **kw)


def sign_in(settings, state_path: Path) -> str:
    from meetstream.adapters.teams.auth import GraphAuth, token_cache_path

    return GraphAuth(settings.calendar, token_cache_path(state_path)).sign_in_device(lambda message: None)


@pytest.fixture
def graph(graph_sim, graph_config, store) -> Graph:
    """A signed-in calendar on the sample council, with the store it syncs into."""
    from meetstream import bootstrap
    from meetstream.config import load_settings

    settings = load_settings(graph_config)
    sign_in(settings, store.path)
    sleeps = Sleeps()
    return Graph(graph_sim, settings, store, bootstrap.calendar(settings, store.path, sleep=sleeps), sleeps)


def graph_event(subject: str, start: datetime, minutes: int = 120, *, location: str = "Council Chamber",
                categories=("Webcast",), body: str | None = None, zone: str = "UTC", **extra) -> dict:
    """An event in Graph's own shape, as a test adds it to the simulator."""
    end = start + timedelta(minutes=minutes)
    fmt = "%Y-%m-%dT%H:%M:%S.0000000"
    ev = {
        "subject": subject,
        "start": {"dateTime": start.strftime(fmt), "timeZone": zone},
        "end": {"dateTime": end.strftime(fmt), "timeZone": zone},
        "location": {"displayName": location, "locationType": "default"},
        "categories": list(categories),
        "body": {"contentType": "html", "content": body if body is not None else "<ol><li>Apologies</li><li>Minutes</li></ol>"},
    }
    ev.update(extra)
    return ev


def fill_calendar(sim: GraphSimulator, count: int, *, owner: str = f"users/{MAILBOX}", days: int = 85) -> list[dict]:
    """`count` webcast meetings spread over the next `days` days (several a day)."""
    base = datetime.now(timezone.utc).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    out = []
    for i in range(count):
        start = base + timedelta(days=i % days, minutes=15 * (i // days))
        out.append(sim.add_event(owner, graph_event(f"Committee {i:04d}", start, 60)))
    return out
