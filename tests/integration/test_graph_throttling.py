"""Throttling storms: 429/503/504 with Retry-After are waited out exactly as Graph asks."""

from __future__ import annotations

import pytest
from graph_fixtures import MAILBOX, fill_calendar, graph, graph_config, graph_sim  # noqa: F401

from meetstream.errors import CalendarError


def test_a_throttling_storm_is_waited_out_as_retry_after_says(graph):
    fill_calendar(graph.sim, 390)  # 401 events: 5 pages
    graph.sim.throttle(4, retry_after=7)
    summary = graph.sync()
    assert graph.sleeps == [7, 7, 7, 7]
    assert (summary.retries, summary.requests, summary.pages) == (4, 9, 5)
    assert len(graph.store.meetings()) == 400


@pytest.mark.parametrize("status", [503, 504])
def test_service_unavailable_and_gateway_timeout_are_retried_too(graph, status):
    graph.sim.throttle(2, retry_after=3, status=status)
    summary = graph.sync()
    assert graph.sleeps == [3, 3] and summary.inserted == 10


def test_a_storm_in_the_middle_of_paging_resumes_at_the_page_it_stopped(graph):
    fill_calendar(graph.sim, 290)  # 301 events: 4 pages
    graph.sim.throttle(3, retry_after=1, after=2)
    summary = graph.sync()
    assert summary.mode == "full" and summary.retries == 3 and graph.sleeps == [1, 1, 1]
    statuses = [r.status for r in graph.sim.graph_requests()]
    assert statuses == [200, 200, 429, 429, 429, 200, 200]
    assert summary.inserted == 300


def test_endless_throttling_ends_in_one_clear_error(graph):
    graph.sim.throttle(100, retry_after=1)
    with pytest.raises(CalendarError) as err:
        graph.sync()
    assert "429 TooManyRequests" in str(err.value) and "try again in a few minutes" in str(err.value)
    assert len(graph.sleeps) == graph.calendar.client.max_retries
    assert graph.store.meetings() == []


def test_a_retry_after_longer_than_we_wait_is_reported_not_slept(graph):
    graph.sim.throttle(1, retry_after=3600)
    with pytest.raises(CalendarError, match="wait 3600s"):
        graph.sync()
    assert graph.sleeps == []


def test_a_batch_retries_only_its_throttled_items(graph):
    graph.sync()
    client = graph.calendar.client
    requests_ = [{"id": str(i), "method": "GET", "url": f"/users/{MAILBOX}/events/{e['id']}?$select=subject"}
                 for i, e in enumerate(graph.sim.events()[:5])]
    graph.sim.reset_log()
    graph.sim.throttle(2, retry_after=5)
    results = client.batch(requests_)
    assert sorted(results) == ["0", "1", "2", "3", "4"]
    assert {r["status"] for r in results.values()} == {200}
    assert graph.sleeps == [5]
    event_gets = [r for r in graph.sim.log if "/events/" in r.path]
    assert len(event_gets) == 7  # 5, of which 2 throttled and asked again
