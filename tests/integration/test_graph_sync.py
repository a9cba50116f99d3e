"""Calendar sync against the Graph simulator over loopback: first sync, delta, odd events."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from graph_fixtures import MAILBOX, fill_calendar, graph, graph_config, graph_event, graph_sim  # noqa: F401

from meetstream.services.meetings.sync import REMOVED_WARNING
from meetstream.errors import CalendarError


def by_committee(store, committee):
    return [m for m in store.meetings(include_cancelled=True, webcast_only=False) if m.committee == committee]


def test_first_sync_of_2000_events_reads_every_page_once_and_keeps_a_delta_link(graph):
    fill_calendar(graph.sim, 2000 - 10)  # the sample council adds 10 webcast meetings and 1 that is not
    summary = graph.sync()
    assert summary.mode == "full"
    assert summary.inserted == len(graph.store.meetings()) == 2000
    assert summary.not_webcast == 1
    assert summary.pages == summary.requests == 21  # 2001 events at 100 a page
    delta_calls = [r for r in graph.sim.graph_requests() if r.path.endswith("/calendarView/delta")]
    assert len(delta_calls) == 21
    assert 'outlook.timezone="UTC"' in delta_calls[0].prefer
    assert "$deltatoken=" in graph.store.calendar_delta(f"users/{MAILBOX}").link


def test_a_delta_sync_with_nothing_changed_is_one_request_and_changes_nothing(graph):
    graph.sync()
    graph.sim.reset_log()
    summary = graph.sync()
    assert (summary.mode, summary.requests, summary.events) == ("delta", 1, 0)
    assert len(graph.sim.graph_requests()) == 1


def test_delta_sees_edits_cancellations_and_removals(graph):
    graph.sync()
    [planning] = [e for e in graph.sim.events() if e["subject"] == "Planning Committee"]
    [audit] = [e for e in graph.sim.events() if e["subject"] == "Audit Committee"]
    [standards] = [e for e in graph.sim.events() if e["subject"] == "Standards Committee"]
    graph.sim.update_event(planning["id"], {"location": {"displayName": "Committee Room 1"}})
    graph.sim.cancel_event(audit["id"])
    graph.sim.delete_event(standards["id"])

    summary = graph.sync()

    assert summary.mode == "delta"
    assert (summary.updated, summary.cancelled, summary.removed) == (2, 1, 1)
    assert graph.store.get_meeting(planning["id"]).room == "committee1"
    cancelled = graph.store.get_meeting(audit["id"])
    assert cancelled.cancelled and cancelled.committee == "Audit Committee"
    removed = graph.store.get_meeting(standards["id"])  # kept, so its broadcast can be cancelled
    assert removed.cancelled and REMOVED_WARNING in removed.warnings
    assert graph.sync().events == 0


def test_one_occurrence_of_a_recurring_meeting_is_cancelled_alone(graph):
    graph.sync()
    occurrences = by_committee(graph.store, "Licensing Sub-Committee")
    assert len(occurrences) >= 3
    assert len({m.id for m in occurrences}) == len(occurrences)
    assert all(m.start.astimezone().minute == 0 for m in occurrences)
    second = occurrences[1]
    graph.sim.delete_event(second.id)
    graph.sync()
    after = {m.id: m for m in by_committee(graph.store, "Licensing Sub-Committee")}
    assert after[second.id].cancelled
    assert [m.cancelled for i, m in enumerate(after.values()) if m.id != second.id] == [False] * (len(after) - 1)


def test_an_expired_delta_link_means_a_full_read_that_finds_what_was_deleted(graph):
    graph.sync()
    [standards] = [e for e in graph.sim.events() if e["subject"] == "Standards Committee"]
    graph.sim.expire_delta_tokens()
    graph.sim.delete_event(standards["id"])
    summary = graph.sync()
    assert summary.mode == "full" and "expired" in summary.note
    assert summary.removed == 1 and graph.store.get_meeting(standards["id"]).cancelled
    assert graph.sync().mode == "delta"


def test_the_odd_events_of_the_sample_council_are_all_stored(graph):
    graph.sync()
    [scrutiny] = by_committee(graph.store, "Overview and Scrutiny Committee")  # Windows zone, text body
    local = scrutiny.start.astimezone(__import__("zoneinfo").ZoneInfo("Europe/London"))
    assert (local.hour, local.minute) == (19, 0)
    assert [i.title for i in scrutiny.agenda] == ["Apologies", "Call-in: waste collection contract", "Work programme"]
    [budget] = by_committee(graph.store, "Budget Council (provisional)")  # all day
    assert budget.start.astimezone(__import__("zoneinfo").ZoneInfo("Europe/London")).hour == 0
    assert any("all-day" in w for w in budget.warnings)
    [standards] = by_committee(graph.store, "Standards Committee")  # no body
    assert standards.agenda == () and any("no body" in w for w in standards.warnings)
    [audit] = by_committee(graph.store, "Audit Committee")  # unknown room
    assert audit.room is None and any("not a configured room" in w for w in audit.warnings)
    assert by_committee(graph.store, "Group leaders' briefing") == []  # not webcast


def test_the_first_council_chamber_meeting_is_ready_for_a_live_session(graph):
    graph.sync()
    chamber = [m for m in graph.store.meetings() if m.room == "chamber"]
    full = chamber[0]
    assert full.committee == "Full Council" and full.start > datetime.now(timezone.utc)
    assert len(full.agenda) >= 6 and [i.number for i in full.agenda if i.exempt] == ["7"]
    assert len(full.members) >= 4 and full.member("Smith").lower_third() == "Cllr Jane Smith, Chair of the Council, Brimington North"
    assert full.join_url.startswith("https://teams.microsoft.com/l/meetup-join/")


def test_bad_events_are_stored_with_a_warning_and_the_sync_carries_on(graph):
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=3)
    sim = graph.sim
    broken = sim.add_event(f"users/{MAILBOX}", graph_event("Cabinet", start, location="Room 101", body="<ol><li>Budget<li><b>Fees</ol></td>&&<"))
    nowhere = sim.add_event(f"users/{MAILBOX}", graph_event("Employment Committee", start, location="", body="Papers to follow"))
    summary = graph.sync()
    assert summary.skipped == 0
    cabinet = graph.store.get_meeting(broken["id"])
    assert [i.title for i in cabinet.agenda] == ["Budget", "Fees"]
    assert any("'Room 101' is not a configured room" in w for w in cabinet.warnings)
    employment = graph.store.get_meeting(nowhere["id"])
    assert any("no location" in w for w in employment.warnings) and any("no numbered agenda" in w for w in employment.warnings)
    assert any(w.startswith("Cabinet ") for w in summary.warnings)


def test_an_event_that_stops_being_a_webcast_drops_out_of_the_list(graph):
    graph.sync()
    [planning] = [e for e in graph.sim.events() if e["subject"] == "Planning Committee"]
    graph.sim.update_event(planning["id"], {"categories": []})
    summary = graph.sync()
    assert summary.not_webcast == 1
    assert planning["id"] not in {m.id for m in graph.store.meetings()}
    assert not graph.store.get_meeting(planning["id"]).webcast


def test_a_window_sync_reads_calendar_view_with_select_and_leaves_the_delta_link_alone(graph):
    graph.sync()
    link = graph.store.calendar_delta(f"users/{MAILBOX}")
    graph.sim.reset_log()
    now = datetime.now(timezone.utc)
    summary = graph.sync(start=now, end=now + timedelta(days=12))
    assert summary.mode == "window" and summary.unchanged >= 3
    [req] = graph.sim.graph_requests()
    assert req.path.endswith("/calendarView") and "subject" in req.query["$select"]
    assert graph.store.calendar_delta(f"users/{MAILBOX}") == link


def test_a_failed_sync_loses_no_meeting_and_no_delta_link(graph):
    graph.sync()
    before = graph.store.meetings(include_cancelled=True)
    link = graph.store.calendar_delta(f"users/{MAILBOX}")
    [planning] = [e for e in graph.sim.events() if e["subject"] == "Planning Committee"]
    graph.sim.delete_event(planning["id"])
    graph.sim.throttle(50, retry_after=2, status=503)
    with pytest.raises(CalendarError, match="503 ServiceUnavailable"):
        graph.sync()
    assert graph.store.meetings(include_cancelled=True) == before
    assert graph.store.calendar_delta(f"users/{MAILBOX}") == link
    graph.sim.calm()
    assert graph.sync().removed == 1


def test_a_group_calendar_and_a_named_calendar_are_read_from_their_own_paths(graph_sim, tmp_path, store):
    from graph_fixtures import Sleeps, sign_in, write_config

    from meetstream import bootstrap
    from meetstream.config import load_settings
    from meetstream.services.meetings.sync import sync_calendar

    start = datetime.now(timezone.utc) + timedelta(days=2)
    graph_sim.add_event("groups/committee-services", graph_event("Licensing Committee", start))
    graph_sim.add_event(f"users/{MAILBOX}/calendars/webcasts", graph_event("Cabinet", start))
    for cal, committee in (({"mailbox": None, "group": "committee-services"}, "Licensing Committee"),
                           ({"calendar_id": "webcasts"}, "Cabinet")):
        settings = load_settings(write_config(tmp_path, graph_sim, **cal))
        sign_in(settings, store.path)
        calendar = bootstrap.calendar(settings, store.path, sleep=Sleeps())
        summary = sync_calendar(store, settings, calendar)
        assert summary.inserted == 1
        assert committee in {m.committee for m in store.meetings()}
    paths = {r.path for r in graph_sim.graph_requests()}
    assert "/v1.0/groups/committee-services/calendar/calendarView" in paths  # no delta for groups (event-delta, v1.0)
    assert "/v1.0/groups/committee-services/calendar/calendarView/delta" not in paths
    assert f"/v1.0/users/{MAILBOX}/calendars/webcasts/calendarView/delta" in paths


def test_rehearsal_loads_the_sample_council_and_finds_the_next_chamber_meeting(tmp_path, store):
    from meetstream import bootstrap
    from meetstream.config import Settings
    from meetstream.services.meetings.sync import sync_calendar
    from meetstream.sandbox.graph import SAMPLE_COUNCIL, SAMPLE_ROSTER, GraphSimulator
    from meetstream.adapters.teams.auth import token_cache_path

    settings = Settings.model_validate({
        "rooms": {"chamber": {"name": "Council Chamber", "scene_set": "s.yaml"},
                  "committee1": {"name": "Committee Room 1", "scene_set": "s.yaml"}},
        "roster": str(SAMPLE_ROSTER),
    })
    with GraphSimulator.from_file(SAMPLE_COUNCIL, device_interval=0) as sim:
        rehearsal, calendar = bootstrap.sandbox_calendar(settings, sim, store.path)
        summary = sync_calendar(store, rehearsal, calendar)
        assert rehearsal.calendar.graph_url == sim.graph_url and summary.inserted == 10
    meeting = store.meetings(datetime.now(timezone.utc), room="chamber")[0]
    assert meeting.committee == "Full Council" and len(meeting.agenda) == 8 and len(meeting.members) == 7
    assert not token_cache_path(store.path).exists()  # the real token cache is left alone
