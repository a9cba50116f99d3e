"""A group calendar: event-delta (v1.0) documents calendarView/delta for /me and /users/{id} only,
so a group calendar is read with paged calendarView over the whole window on every sync, and what
left the window is reconciled as removed (there are no @removed entries to say so)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from graph_fixtures import Sleeps, graph_event, graph_sim, sign_in, write_config  # noqa: F401

from meetstream.services.meetings.sync import REMOVED_WARNING, sync_calendar

GROUP = "groups/committee-services"


@pytest.fixture
def group(graph_sim, tmp_path, store):
    from meetstream import bootstrap
    from meetstream.config import load_settings

    def open_(**cal):
        settings = load_settings(write_config(tmp_path, graph_sim, mailbox=None, group="committee-services", **cal))
        sign_in(settings, store.path)
        calendar = bootstrap.calendar(settings, store.path, sleep=Sleeps())
        return lambda: sync_calendar(store, settings, calendar)

    return open_


def test_the_simulator_refuses_delta_on_a_group_calendar(graph_sim):
    from meetstream.errors import CalendarError
    from meetstream.adapters.teams.http import DeltaExpired

    graph_sim.add_event(GROUP, graph_event("Licensing Committee", datetime.now(timezone.utc) + timedelta(days=2)))
    client = _client(graph_sim)
    with pytest.raises(CalendarError, match="400") as err:
        client.get("groups/committee-services/calendar/calendarView/delta",
                   params={"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2026-02-01T00:00:00Z"})
    assert not isinstance(err.value, DeltaExpired)


def _client(sim):
    from meetstream.adapters.teams.http import GraphClient

    token = sim._issue("test", "democratic.services@northdale.example", "Calendars.Read", "127.0.0.1")["access_token"]
    return GraphClient(sim.graph_url, lambda: token, sleep=Sleeps())


def test_a_group_calendar_syncs_again_and_again_and_finds_what_was_deleted(graph_sim, group, store):
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=2)
    licensing = graph_sim.add_event(GROUP, graph_event("Licensing Committee", start))
    cabinet = graph_sim.add_event(GROUP, graph_event("Cabinet", start + timedelta(days=1)))
    sync = group()

    first = sync()
    assert (first.mode, first.inserted) == ("full", 2)
    graph_sim.update_event(cabinet["id"], {"location": {"displayName": "Committee Room 1"}})
    graph_sim.delete_event(licensing["id"])
    graph_sim.reset_log()

    second = sync()

    assert (second.mode, second.updated, second.removed) == ("full", 1, 1)
    gone = store.get_meeting(licensing["id"])
    assert gone.cancelled and REMOVED_WARNING in gone.warnings
    assert store.get_meeting(cabinet["id"]).room == "committee1"
    assert [r.path for r in graph_sim.graph_requests()] == ["/v1.0/groups/committee-services/calendar/calendarView"]
    assert sync().removed == 0  # a removal is reported once


def test_a_year_of_group_meetings_costs_a_page_per_page_size_on_every_sync(graph_sim, group):
    """The figure for the README: requests per sync of a group calendar holding a year of meetings."""
    base = datetime.now(timezone.utc).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    meetings = 600  # a busy council: about a dozen committee meetings a week
    for i in range(meetings):
        graph_sim.add_event(GROUP, graph_event(f"Committee {i:04d}", base + timedelta(days=i * 364 // meetings, minutes=i % 3 * 90), 60))
    sync = group(days_ahead=366, page_size=250)
    first = sync()
    graph_sim.reset_log()
    second = sync()
    expected = math.ceil(meetings / 250)
    assert first.requests == second.requests == second.pages == expected == 3
    assert second.unchanged == meetings and second.removed == 0
