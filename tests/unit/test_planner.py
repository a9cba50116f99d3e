"""The planner: meetings + broadcasts already made -> create / update / delete / nothing."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from meetstream.core.domain import AgendaItem, Broadcast, Meeting
from meetstream.core.planner import BroadcastOptions, broadcast_spec, broadcast_title, plan, plan_cost, writes

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
OPTIONS = BroadcastOptions(council="Example Borough Council")


def meeting(id="m1", *, days=3, **kw) -> Meeting:
    start = NOW + timedelta(days=days)
    kw.setdefault("agenda", (AgendaItem("1", "Apologies"), AgendaItem("2", "Land sale to a named bidder", exempt=True)))
    return Meeting(id=id, committee=kw.pop("committee", "Planning Committee"), start=start, end=start + timedelta(hours=3),
                   room=kw.pop("room", "chamber"), **kw)


def made(m: Meeting, *, status="ready", stream="S1", options=OPTIONS) -> Broadcast:
    spec = broadcast_spec(m, options)
    return Broadcast(m.id, "B-" + m.id, stream, spec.title, spec.scheduled_start, options.privacy, status, spec.fingerprint())


def only(actions):
    assert len(actions) == 1, actions
    return actions[0]


def test_a_new_webcast_meeting_is_created_at_the_cost_of_insert_and_bind():
    action = only(plan([meeting()], [], options=OPTIONS, now=NOW))
    assert (action.kind, action.cost) == ("create", 100)


def test_an_unchanged_meeting_needs_nothing_and_costs_nothing():
    m = meeting()
    actions = plan([m], [made(m)], options=OPTIONS, now=NOW, room_streams={"chamber": "S1"})
    assert only(actions).kind == "nothing"
    assert plan_cost(actions) == 0 and writes(actions) == []


def test_a_moved_meeting_is_updated_and_the_reason_names_the_time():
    m = meeting()
    moved = replace(m, start=m.start + timedelta(hours=1), end=m.end + timedelta(hours=1))
    action = only(plan([moved], [made(m)], options=OPTIONS, now=NOW, room_streams={"chamber": "S1"}))
    assert (action.kind, action.cost, action.rebind) == ("update", 50, False)
    assert "time" in action.reason


def test_a_changed_agenda_is_an_update():
    m = meeting()
    longer = replace(m, agenda=m.agenda + (AgendaItem("3", "Any other business"),))
    assert only(plan([longer], [made(m)], options=OPTIONS, now=NOW, room_streams={"chamber": "S1"})).kind == "update"


def test_a_meeting_that_moves_room_is_rebound_to_the_new_rooms_stream():
    m = meeting()
    action = only(plan([replace(m, room="annex")], [made(m)], options=OPTIONS, now=NOW, room_streams={"chamber": "S1", "annex": "S2"}))
    assert action.kind == "update" and action.rebind and action.cost == 100


def test_a_cancelled_meeting_whose_broadcast_never_started_is_deleted():
    m = meeting()
    action = only(plan([replace(m, cancelled=True)], [made(m)], options=OPTIONS, now=NOW))
    assert (action.kind, action.reason) == ("delete", "cancelled")


def test_a_cancelled_meeting_whose_broadcast_went_live_is_left_alone():
    m = meeting()
    action = only(plan([replace(m, cancelled=True)], [made(m, status="live")], options=OPTIONS, now=NOW))
    assert action.kind == "nothing" and "live" in action.reason


def test_a_meeting_no_longer_webcast_loses_its_broadcast():
    m = meeting()
    assert only(plan([replace(m, webcast=False)], [made(m)], options=OPTIONS, now=NOW)).kind == "delete"


def test_a_meeting_gone_from_the_calendar_deletes_only_an_upcoming_unstarted_broadcast():
    upcoming, past = meeting("up"), meeting("past", days=-2)
    actions = plan([], [made(upcoming), made(past, status="complete")], options=OPTIONS, now=NOW, window_end=NOW + timedelta(days=60))
    assert [(a.kind, a.meeting_id) for a in actions] == [("delete", "up")]


def test_a_meeting_that_already_started_is_not_created():
    action = only(plan([meeting(days=-1)], [], options=OPTIONS, now=NOW))
    assert action.kind == "nothing" and "too late" in action.reason


def test_a_meeting_without_a_room_is_reported_not_created():
    action = only(plan([meeting(room=None)], [], options=OPTIONS, now=NOW))
    assert action.kind == "nothing" and "no room" in action.reason


def test_the_title_is_the_committee_and_the_date_in_the_councils_zone():
    # 23:30 UTC on 31 May is already 1 June in London (BST).
    m = Meeting(id="x", committee="Licensing Committee", start=datetime(2026, 5, 31, 23, 30, tzinfo=timezone.utc),
                end=datetime(2026, 6, 1, 1, 0, tzinfo=timezone.utc))
    assert broadcast_title(m, "Europe/London") == "Licensing Committee, Monday 1 June 2026"


def test_a_long_committee_name_is_cut_to_fit_youtubes_100_characters():
    title = broadcast_title(meeting(committee="Overview and Scrutiny " * 10), "Europe/London")
    assert len(title) <= 100 and title.endswith("2026")


def test_an_exempt_items_title_never_reaches_the_description():
    spec = broadcast_spec(meeting(), OPTIONS)
    assert "Land sale" not in spec.description
    assert "2. Exempt item (public excluded)" in spec.description
    assert "1. Apologies" in spec.description


def test_the_description_has_no_angle_brackets_and_fits_5000_bytes():
    agenda = tuple(AgendaItem(str(i), f"Report <draft> on ward £ matters number {i} " * 3) for i in range(200))
    spec = broadcast_spec(meeting(agenda=agenda, committee="Cabinet <special>"), OPTIONS)
    assert "<" not in spec.description and ">" not in spec.description and "<" not in spec.title
    assert len(spec.description.encode()) <= 5000
    assert spec.description.endswith("(the full agenda is on the council's website)")


def test_the_body_starts_itself_never_stops_itself_and_is_not_for_kids():
    body = broadcast_spec(meeting(), OPTIONS).body()
    cd = body["contentDetails"]
    assert cd["enableAutoStart"] is True and cd["enableAutoStop"] is False
    assert cd["monitorStream"] == {"enableMonitorStream": False, "broadcastStreamDelayMs": 0}
    assert body["status"] == {"privacyStatus": "public", "selfDeclaredMadeForKids": False}
    assert body["snippet"]["scheduledStartTime"].endswith("Z")


def test_a_change_of_privacy_in_config_changes_the_fingerprint():
    m = meeting()
    assert broadcast_spec(m, OPTIONS).fingerprint() != broadcast_spec(m, replace(OPTIONS, privacy="unlisted")).fingerprint()
    assert broadcast_spec(m, OPTIONS).fingerprint() == broadcast_spec(m, OPTIONS).fingerprint()


def test_a_past_meeting_whose_broadcast_never_went_live_is_deleted_so_auto_start_cannot_pick_it():
    stale, finished, tonight = meeting("stale", days=-2), meeting("done", days=-2), meeting("tonight", days=0)
    tonight = replace(tonight, start=NOW - timedelta(hours=1), end=NOW + timedelta(hours=2))
    actions = plan([tonight], [made(stale), made(finished, status="complete"), made(tonight)],
                   options=OPTIONS, now=NOW, window_end=NOW + timedelta(days=60))
    assert [(a.kind, a.meeting_id) for a in writes(actions)] == [("delete", "stale")]
    assert "never went live" in [a for a in actions if a.meeting_id == "stale"][0].reason
