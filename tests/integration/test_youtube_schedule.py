"""`schedule` against the YouTube simulator with the real google-api-python-client:
create, update, cancel, idempotence, one reusable stream per room, quota refusal."""

from dataclasses import replace
from datetime import timedelta

import pytest

from meetstream.errors import YouTubeError
from meetstream.services.schedule import schedule
from meetstream.bootstrap import youtube_client as build_client
from meetstream.core.quota import QuotaLedger

from youtube_fixtures import meeting, youtube, youtube_sandbox, youtube_settings  # noqa: F401


def bound_stream(sim, broadcast_id):
    return sim.broadcasts[broadcast_id]["contentDetails"].get("boundStreamId")


def test_schedule_creates_a_broadcast_per_meeting_one_stream_per_room_and_binds_each_rooms_next(store, youtube_sandbox, youtube_settings, youtube):
    store.upsert_meeting(meeting("m1", days=2))
    store.upsert_meeting(meeting("m2", "Licensing Committee", days=9))
    store.upsert_meeting(meeting("m3", "Cabinet", days=5, room="committee-room"))
    result = schedule(youtube_settings, store, client=youtube)
    assert sorted(outcome for _, outcome in result.done) == ["created"] * 3
    sim = youtube_sandbox
    assert len(sim.broadcasts) == 3 and len(sim.streams) == 2
    rows = {b.meeting_id: b for b in store.broadcasts()}
    assert bound_stream(sim, rows["m1"].broadcast_id) == rows["m1"].stream_id == store.room_streams()["chamber"][0]
    assert bound_stream(sim, rows["m2"].broadcast_id) is None and rows["m2"].stream_id is None  # waits for m1 to end
    assert bound_stream(sim, rows["m3"].broadcast_id) == rows["m3"].stream_id == store.room_streams()["committee-room"][0]
    b = sim.broadcasts[rows["m1"].broadcast_id]
    assert b["status"]["lifeCycleStatus"] == "ready"
    assert b["snippet"]["title"].startswith("Planning Committee, ")
    assert "Sale of the depot" not in b["snippet"]["description"]
    assert b["contentDetails"]["enableAutoStart"] is True and b["contentDetails"]["enableAutoStop"] is False
    assert b["status"]["selfDeclaredMadeForKids"] is False
    assert sim.streams[rows["m3"].stream_id]["cdn"]["resolution"] == "720p"


def test_a_second_schedule_with_nothing_changed_makes_no_write_call_and_spends_only_list_quota(store, youtube_sandbox, youtube_settings, youtube):
    store.upsert_meeting(meeting("m1"))
    store.upsert_meeting(meeting("m2", days=10))
    schedule(youtube_settings, store, client=youtube)
    calls_before = len(youtube_sandbox.calls)
    again = schedule(youtube_settings, store, client=youtube)
    second = youtube_sandbox.calls[calls_before:]
    assert again.done == []
    assert [c.method for c in second] == ["liveBroadcasts.list"]
    assert again.units_spent == 1


def test_a_moved_meeting_updates_its_broadcast_and_keeps_the_same_id(store, youtube_sandbox, youtube_settings, youtube):
    m = meeting("m1")
    store.upsert_meeting(m)
    schedule(youtube_settings, store, client=youtube)
    bid = store.get_broadcast("m1").broadcast_id
    later = m.start + timedelta(hours=2)
    store.upsert_meeting(replace(m, start=later, end=later + timedelta(hours=3)))
    result = schedule(youtube_settings, store, client=youtube)
    assert [outcome for _, outcome in result.done] == ["updated"]
    b = youtube_sandbox.broadcasts[bid]
    assert b["snippet"]["scheduledStartTime"] == later.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert b["contentDetails"]["boundStreamId"] == store.get_broadcast("m1").stream_id  # update did not unbind it
    assert store.get_broadcast("m1").scheduled_start == later
    assert len(youtube_sandbox.broadcasts) == 1


def test_a_cancelled_meeting_deletes_its_broadcast(store, youtube_sandbox, youtube_settings, youtube):
    m = meeting("m1")
    store.upsert_meeting(m)
    schedule(youtube_settings, store, client=youtube)
    store.upsert_meeting(replace(m, cancelled=True))
    result = schedule(youtube_settings, store, client=youtube)
    assert [outcome for _, outcome in result.done] == ["deleted"]
    assert youtube_sandbox.broadcasts == {} and store.broadcasts() == []


def test_a_cancellation_seen_by_one_sync_keeps_the_broadcast_until_the_next_sync_confirms_it(store, youtube_sandbox, youtube_settings, youtube):
    """Issue 23: a calendar that answers oddly once must not delete a council's broadcast. What a
    sync does at its end is `store.note_cancellations` (meetstream.services.meetings.sync)."""
    m, other = meeting("m1"), meeting("m2", days=4)
    store.upsert_meeting(m)
    store.upsert_meeting(other)
    store.note_cancellations(store.clock())  # a sync: nothing cancelled
    schedule(youtube_settings, store, client=youtube)
    bid = store.get_broadcast("m1").broadcast_id
    store.upsert_meeting(replace(m, cancelled=True))
    store.upsert_meeting(replace(other, cancelled=True))
    store.note_cancellations(store.clock())  # the sync that first sees them cancelled
    kept = schedule(youtube_settings, store, client=youtube)
    assert kept.done == [] and bid in youtube_sandbox.broadcasts
    [why] = [a.reason for a in kept.actions if a.label.startswith("Planning") and a.broadcast and a.broadcast.broadcast_id == bid]
    assert "kept until the next sync confirms it" in why
    # The next sync still finds m1 cancelled: confirmed, deleted. m2 came back: kept, not deleted.
    store.upsert_meeting(other)
    store.note_cancellations(store.clock())
    result = schedule(youtube_settings, store, client=youtube)
    assert [(a.meeting_id, outcome) for a, outcome in result.done] == [("m1", "deleted"), ("m2", "bound")]  # m2: the room's next now
    assert bid not in youtube_sandbox.broadcasts and store.get_broadcast("m2")
    # The officer can confirm one at once.
    store.upsert_meeting(replace(other, cancelled=True))
    store.note_cancellations(store.clock())
    assert schedule(youtube_settings, store, client=youtube).done == []
    store.confirm_cancellation("m2")
    assert [outcome for _, outcome in schedule(youtube_settings, store, client=youtube).done] == ["deleted"]


def test_the_rooms_stream_is_found_again_with_a_fresh_store_and_its_key_never_changes(tmp_path, youtube_sandbox, youtube_settings):
    from meetstream.store import Store

    with Store.open(tmp_path / "one.sqlite3") as first:
        first.upsert_meeting(meeting("m1"))
        schedule(youtube_settings, first, client=build_client(youtube_settings, first))
        sid = first.room_streams()["chamber"][0]
    key = youtube_sandbox.streams[sid]["cdn"]["ingestionInfo"]["streamName"]
    with Store.open(tmp_path / "two.sqlite3") as second:
        second.upsert_meeting(meeting("m2", days=8))
        schedule(youtube_settings, second, client=build_client(youtube_settings, second))
        assert second.room_streams()["chamber"][0] == sid
    assert len(youtube_sandbox.streams) == 1
    assert youtube_sandbox.streams[sid]["cdn"]["ingestionInfo"]["streamName"] == key


def test_a_plan_over_the_remaining_quota_is_refused_before_any_call(store, youtube_sandbox, youtube_settings, youtube):
    for i in range(5):
        store.upsert_meeting(meeting(f"m{i}", days=2 + i))
    ledger = QuotaLedger(store, youtube_settings.youtube.daily_quota)
    ledger.record("liveBroadcasts.insert", 9_700)  # spent earlier today
    # five inserts, one bind (only the room's next meeting is bound) and the room's stream: 5 x 50 + 50 + 51
    with pytest.raises(YouTubeError, match=r"needs about 351 YouTube quota units but only 300"):
        schedule(youtube_settings, store, client=youtube)
    assert youtube_sandbox.calls == [] and store.broadcasts() == []


def test_a_bind_that_keeps_failing_leaves_the_broadcast_stored_and_the_next_run_binds_it(store, youtube_sandbox, youtube_settings, youtube):
    store.upsert_meeting(meeting("m1"))
    youtube_sandbox.fail_next("liveBroadcasts.bind", status=503, count=4)  # first try + 3 retries
    with pytest.raises(YouTubeError, match="YouTube is failing"):
        schedule(youtube_settings, store, client=youtube)
    kept = store.get_broadcast("m1")
    assert kept.stream_id is None and kept.broadcast_id in youtube_sandbox.broadcasts
    result = schedule(youtube_settings, store, client=youtube)
    assert [outcome for _, outcome in result.done] == ["bound"]  # what was written stands: only the bind is left
    assert len(youtube_sandbox.broadcasts) == 1
    assert bound_stream(youtube_sandbox, kept.broadcast_id) == store.get_broadcast("m1").stream_id


def test_a_broadcast_deleted_in_youtube_studio_is_made_again(store, youtube_sandbox, youtube_settings, youtube):
    store.upsert_meeting(meeting("m1"))
    schedule(youtube_settings, store, client=youtube)
    old = store.get_broadcast("m1").broadcast_id
    del youtube_sandbox.broadcasts[old]
    result = schedule(youtube_settings, store, client=youtube)
    assert [outcome for _, outcome in result.done] == ["created"]
    assert store.get_broadcast("m1").broadcast_id != old
    assert list(youtube_sandbox.broadcasts) == [store.get_broadcast("m1").broadcast_id]


def test_a_broadcast_auto_started_on_youtube_is_not_updated_any_more(store, youtube_sandbox, youtube_settings, youtube):
    m = meeting("m1")
    store.upsert_meeting(m)
    schedule(youtube_settings, store, client=youtube)
    b = store.get_broadcast("m1")
    youtube_sandbox.publish(youtube_sandbox.streams[b.stream_id]["cdn"]["ingestionInfo"]["streamName"])
    store.upsert_meeting(replace(m, title="renamed", agenda=()))
    result = schedule(youtube_settings, store, client=youtube)
    assert result.done == []
    assert store.get_broadcast("m1").life_cycle_status == "live"


def test_every_call_is_in_the_quota_ledger(store, youtube_sandbox, youtube_settings, youtube):
    store.upsert_meeting(meeting("m1"))
    schedule(youtube_settings, store, client=youtube)
    by_method = QuotaLedger(store).by_method()
    assert by_method == {"liveBroadcasts.bind": (1, 50), "liveBroadcasts.insert": (1, 50),
                         "liveStreams.insert": (1, 50), "liveStreams.list": (1, 1)}
    assert QuotaLedger(store).spent_today() == youtube_sandbox.spent_today() == 151


def test_a_meeting_in_a_room_missing_from_the_config_is_refused_before_any_call(store, youtube_sandbox, youtube_settings, youtube):
    from meetstream.errors import ConfigError

    store.upsert_meeting(meeting("m1", room="old-chamber"))
    with pytest.raises(ConfigError, match="unknown room 'old-chamber'"):
        schedule(youtube_settings, store, client=youtube)
    assert youtube_sandbox.calls == []
