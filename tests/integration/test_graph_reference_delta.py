"""Delta rounds as the Graph reference describes them, not as the client first assumed.

delta-query-overview ("Token duration", "Synchronization reset") and errors ("Code property"): an
expired sync state is a 40X with syncStateNotFound or resyncRequired, or a 410. delta-query-overview
("Resource representation in the delta query response"): an updated item carries at least the
changed properties, so it may lack the subject, the categories, the body, the attendees…
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from graph_fixtures import MAILBOX, graph, graph_config, graph_sim  # noqa: F401


SOURCE = f"users/{MAILBOX}"


@pytest.mark.parametrize("status, code", [(400, "syncStateNotFound"), (400, "resyncRequired"), (410, "syncStateNotFound")])
def test_an_expired_sync_state_of_any_documented_form_means_one_full_read_that_says_so(graph, status, code):
    graph.sync()
    [standards] = [e for e in graph.sim.events() if e["subject"] == "Standards Committee"]
    graph.sim.expire_delta_tokens(status=status, code=code)
    graph.sim.delete_event(standards["id"])
    graph.sim.reset_log()

    summary = graph.sync()

    assert summary.mode == "full" and "expired" in summary.note
    assert summary.removed == 1 and graph.store.get_meeting(standards["id"]).cancelled
    expired = [r for r in graph.sim.graph_requests() if r.status == status]
    assert len(expired) == 1  # the stored link is asked once, then a new round; no loop
    again = graph.sync()
    assert again.mode == "delta" and again.note is None and again.events == 0


def test_the_cli_says_the_calendar_was_read_again_after_a_400_sync_state_not_found(graph_sim, graph_config, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("MEETSTREAM_TOKEN_CACHE_PLAINTEXT", "1")
    state = tmp_path / "state.sqlite3"
    run = lambda *a: cli("--config", graph_config, "--state", state, *a)  # noqa: E731
    assert run("auth", "microsoft").code == 0
    assert run("calendar", "sync").code == 0
    graph_sim.expire_delta_tokens()  # 400 syncStateNotFound
    result = run("calendar", "sync")
    assert result.code == 0, result
    assert result.out.startswith("Read the whole calendar") and "Graph expired the delta link" in result.out
    assert run("calendar", "sync").out.startswith("Read the changes")


def test_the_simulator_sends_an_updated_event_as_its_changed_properties_only(graph):
    graph.sync()
    [planning] = [e for e in graph.sim.events() if e["subject"] == "Planning Committee"]
    graph.sim.update_event(planning["id"], {"location": {"displayName": "Committee Room 1"}})
    link = graph.store.calendar_delta(SOURCE).link
    page = graph.calendar.client.get(link, headers=graph.calendar.headers())
    [item] = page["value"]
    assert item["id"] == planning["id"] and item["location"]["displayName"] == "Committee Room 1"
    assert not {"subject", "categories", "body", "attendees", "start"} & set(item)


def test_a_meeting_moved_to_another_time_keeps_its_committee_agenda_members_and_link(graph):
    graph.sync()
    [planning] = [e for e in graph.sim.events() if e["subject"] == "Planning Committee"]
    before = graph.store.get_meeting(planning["id"])
    assert before.webcast and before.agenda and before.members and before.join_url
    hour_later = {k: {"dateTime": (t + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}
                  for k, t in (("start", before.start), ("end", before.end))}
    graph.sim.update_event(planning["id"], hour_later)

    summary = graph.sync()

    after = graph.store.get_meeting(planning["id"])
    assert (summary.updated, summary.not_webcast, summary.skipped) == (1, 0, 0)
    assert after.start == before.start + timedelta(hours=1)
    assert after.webcast and after.committee == before.committee and after.room == before.room
    assert after.agenda == before.agenda and after.members == before.members and after.join_url == before.join_url
    assert planning["id"] in {m.id for m in graph.store.meetings()}


def test_partial_items_are_read_again_in_batches_of_twenty(graph):
    from graph_fixtures import fill_calendar

    fill_calendar(graph.sim, 45)
    graph.sync()
    ids = [e["id"] for e in graph.sim.events() if e["subject"].startswith("Committee 00")]
    for event_id in ids:
        graph.sim.update_event(event_id, {"subject": "Renamed " + event_id[-6:]})
    graph.sim.reset_log()

    summary = graph.sync()

    assert summary.updated == len(ids) == 45 and summary.skipped == 0
    requests = graph.sim.graph_requests()
    batches = [r for r in requests if r.path == "/v1.0/$batch"]
    reads = [r for r in requests if "/events/" in r.path]
    assert len(batches) == 3 and len(reads) == 45  # 20 + 20 + 5, each event read once
    renamed = graph.store.get_meeting(ids[0])
    assert renamed.committee.startswith("Renamed ") and renamed.webcast and renamed.room == "chamber"


def test_an_event_that_cannot_be_read_again_keeps_the_old_delta_link(graph):
    graph.sync()
    link = graph.store.calendar_delta(SOURCE)
    [audit] = [e for e in graph.sim.events() if e["subject"] == "Audit Committee"]
    graph.sim.cancel_event(audit["id"])
    graph.sim.throttle(100, retry_after=0, after=1)  # the delta page passes, every re-read is throttled

    summary = graph.sync()

    assert summary.skipped == 1 and any("read again next sync" in w for w in summary.warnings)
    assert graph.store.calendar_delta(SOURCE) == link
    assert not graph.store.get_meeting(audit["id"]).cancelled
    graph.sim.calm()
    assert graph.sync().cancelled == 1 and graph.store.get_meeting(audit["id"]).cancelled


def test_needed_fields_are_all_in_what_calendar_view_selects():
    from meetstream.adapters.teams.events import NEEDED, SELECT

    assert set(NEEDED) <= set(SELECT.split(","))
