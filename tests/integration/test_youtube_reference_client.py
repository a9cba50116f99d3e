"""meetstream's YouTube code against the simulator's reference rules (test_youtube_reference_rules.py):
writes that keep what the officer set in YouTube Studio, the rate limit retried within the ledger,
completing a broadcast that is still starting, and at most one auto-start broadcast bound to a
room's stream at any moment, from `schedule` through a whole night and the hand-over to the next."""

import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from meetstream.errors import YouTubeError
from meetstream.services.night import end_meeting, start_meeting
from meetstream.services.schedule import schedule
from meetstream.services.session import LiveSession
from meetstream.adapters.youtube.golive import LiveControl
from meetstream.services.onair import YouTubeOnAir
from meetstream.core.quota import QuotaLedger

from fakes import FakeDirector, FakeOutputs
from youtube_fixtures import meeting, settings_for, youtube, youtube_sandbox, youtube_settings  # noqa: F401

CHAPTERS = "0:00 Opening of the meeting\n0:45 1. Apologies for absence\n12:10 2. Minutes"


def key_of(sim, stream_id):
    return sim.streams[stream_id]["cdn"]["ingestionInfo"]["streamName"]


def bound(sim, store, meeting_id):
    return sim.broadcasts[store.get_broadcast(meeting_id).broadcast_id]["contentDetails"].get("boundStreamId")


def onair(youtube, store, settings):
    return YouTubeOnAir(youtube, store, settings, live=LiveControl(youtube, sleep=lambda s: None))


class SimClock:
    """Epoch seconds shared by the simulator and the client's waits: sleeping moves it on."""

    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class StreamingOutputs(FakeOutputs):
    """OBS's stream output as the ingest sees it: starting publishes the key, stopping ends the publish."""

    def __init__(self, sim):
        super().__init__()
        self.sim, self.key = sim, None

    def set_target(self, server, key):
        self.key = key
        return super().set_target(server, key)

    def start_stream(self):
        super().start_stream()
        self.sim.publish(self.key)

    def stop_stream(self):
        super().stop_stream()
        self.sim.publish_done(self.key)


# --- writes keep what the officer set in YouTube Studio --------------------------------------


def test_chapters_change_only_the_description_and_keep_tags_language_and_category(store, youtube_sandbox, youtube_settings, youtube):
    store.upsert_meeting(meeting("m1"))
    schedule(youtube_settings, store, client=youtube)
    b = store.get_broadcast("m1")
    youtube_sandbox.edit_in_studio(b.broadcast_id, video_snippet={"tags": ["planning", "Example Borough"], "defaultLanguage": "en-GB",
                                                                  "defaultAudioLanguage": "en-GB", "categoryId": "29"})
    youtube_sandbox.publish(key_of(youtube_sandbox, b.stream_id))
    port = onair(youtube, store, youtube_settings)
    port.go_live(b.broadcast_id, b.stream_id)
    ended = port.complete(b.broadcast_id)
    port.write_chapters(b.broadcast_id, CHAPTERS, ended.get("snippet"))  # as meetstream.services.night does
    video = youtube_sandbox.videos[b.broadcast_id]["snippet"]
    assert video["tags"] == ["planning", "Example Borough"]
    assert video["defaultLanguage"] == video["defaultAudioLanguage"] == "en-GB"
    assert video["categoryId"] == "29"  # the officer's choice, not youtube.category_id
    assert video["title"] == b.title and "1. Apologies for absence" in video["description"]
    assert video["description"].endswith("Chapters\n" + CHAPTERS)
    assert [c.method for c in youtube_sandbox.calls[-2:]] == ["videos.list", "videos.update"]


def test_a_moved_meeting_updates_its_broadcast_and_keeps_captions_embedding_delay_and_latency(store, youtube_sandbox, youtube_settings, youtube):
    m = meeting("m1")
    store.upsert_meeting(m)
    schedule(youtube_settings, store, client=youtube)
    bid = store.get_broadcast("m1").broadcast_id
    youtube_sandbox.edit_in_studio(bid, content_details={
        "enableClosedCaptions": True, "closedCaptionsType": "closedCaptionsHttpPost", "enableEmbed": False,
        "monitorStream": {"broadcastStreamDelayMs": 30_000}, "latencyPreference": "low", "enableLowLatency": True})
    later = m.start + timedelta(hours=2)
    store.upsert_meeting(replace(m, start=later, end=later + timedelta(hours=3)))
    result = schedule(youtube_settings, store, client=youtube)
    assert [outcome for _, outcome in result.done] == ["updated"]
    b = youtube_sandbox.broadcasts[bid]
    assert b["snippet"]["scheduledStartTime"] == later.strftime("%Y-%m-%dT%H:%M:%SZ")
    cd = b["contentDetails"]
    assert (cd["enableClosedCaptions"], cd["closedCaptionsType"]) == (True, "closedCaptionsHttpPost")
    assert cd["enableEmbed"] is False and cd["monitorStream"]["broadcastStreamDelayMs"] == 30_000
    assert (cd["latencyPreference"], cd["enableLowLatency"]) == ("low", True)
    assert (cd["enableAutoStart"], cd["enableAutoStop"], cd["monitorStream"]["enableMonitorStream"]) == (True, False, False)  # ours
    assert b["status"]["privacyStatus"] == "public"
    # the read came with the status refresh every schedule makes: the update costs no extra call
    assert [c.method for c in youtube_sandbox.calls[-2:]] == ["liveBroadcasts.list", "liveBroadcasts.update"]
    assert result.units_spent == 51


# --- the rate limit ---------------------------------------------------------------------------


def test_the_live_apis_rate_limit_reason_is_retried_with_backoff_and_counted(store, youtube_sandbox, youtube_settings):
    from meetstream.bootstrap import youtube_client as build_client

    slept = []
    client = build_client(youtube_settings, store, sleep=slept.append)
    store.upsert_meeting(meeting("m1"))
    # errors page, liveBroadcasts.insert: rateLimitExceeded / userRequestsExceedRateLimit
    youtube_sandbox.fail_next("liveBroadcasts.insert", status=403, reason="userRequestsExceedRateLimit", domain="youtube.liveBroadcast",
                              message="The user has sent too many requests in a given timeframe.", count=2)
    result = schedule(youtube_settings, store, client=client)
    assert [o for _, o in result.done] == ["created"]
    assert [(c.status, c.reason) for c in youtube_sandbox.calls if c.method == "liveBroadcasts.insert"] == [
        (403, "userRequestsExceedRateLimit"), (403, "userRequestsExceedRateLimit"), (200, None)]
    assert slept == [1.0, 2.0]
    assert client.ledger.spent_today() == youtube_sandbox.spent_today()


def test_a_rate_limited_call_is_not_retried_past_what_the_ledger_has_left(store, youtube_sandbox, youtube_settings):
    from meetstream.bootstrap import youtube_client as build_client

    client = build_client(youtube_settings, store, sleep=lambda s: None)
    QuotaLedger(store, youtube_settings.youtube.daily_quota).record("liveBroadcasts.insert", youtube_settings.youtube.daily_quota - 1)
    youtube_sandbox.fail_next("liveBroadcasts.list", status=403, reason="rateLimitExceeded", domain="youtube.liveBroadcast", count=5)
    with pytest.raises(YouTubeError, match="too many requests .* today's quota"):
        client.call("liveBroadcasts.list", client.service.liveBroadcasts().list(part="id", mine=True))
    assert len(youtube_sandbox.calls) == 1 and client.ledger.remaining() == 0


# --- completing a broadcast that is still starting ----------------------------------------------


def test_ending_right_after_going_live_waits_for_live_then_completes(store):
    from meetstream.sandbox.youtube import YouTubeSandbox
    from meetstream.bootstrap import youtube_client as build_client

    clock = SimClock()
    sim = YouTubeSandbox(clock=clock, starting_seconds=12).start()
    try:
        settings = settings_for(sim.url, auto_start=False)
        client = build_client(settings, store, sleep=clock.sleep)
        store.upsert_meeting(meeting("m1"))
        schedule(settings, store, client=client)
        b = store.get_broadcast("m1")
        sim.publish(key_of(sim, b.stream_id))
        live = LiveControl(client, sleep=clock.sleep, clock=clock)
        assert live.transition(b.broadcast_id, "live") == "liveStarting"
        ended = live.complete(b.broadcast_id)
        assert ended["status"]["lifeCycleStatus"] == "complete" and ended["snippet"]["actualStartTime"]
        assert sim.broadcasts[b.broadcast_id]["status"]["lifeCycleStatus"] == "complete"
    finally:
        sim.stop()


# --- one auto-start broadcast per room's stream ------------------------------------------------


def test_schedule_binds_only_each_rooms_next_meeting_and_a_publish_starts_that_one(store, youtube_sandbox, youtube_settings, youtube):
    for m in (meeting("a", days=2), meeting("b", days=5), meeting("c", days=9), meeting("x", "Cabinet", days=4, room="committee-room")):
        store.upsert_meeting(m)
    result = schedule(youtube_settings, store, client=youtube)
    assert sorted(o for _, o in result.done) == ["created"] * 4
    chamber = store.room_streams()["chamber"][0]
    assert youtube_sandbox.bound_auto_start(chamber) == [store.get_broadcast("a").broadcast_id]
    assert bound(youtube_sandbox, store, "x") == store.room_streams()["committee-room"][0]
    assert bound(youtube_sandbox, store, "b") is None and bound(youtube_sandbox, store, "c") is None
    assert [store.get_broadcast(i).stream_id for i in "abc"] == [chamber, None, None]
    youtube_sandbox.publish(key_of(youtube_sandbox, chamber))
    live = LiveControl(youtube, sleep=lambda s: None)
    assert [live.status(store.get_broadcast(i).broadcast_id) for i in "abc"] == ["live", "created", "created"]
    assert youtube_sandbox.double_bindings == []
    # one insert per meeting, one bind per room: 4 x 50 + 2 x 50 + the two rooms' streams (2 x 51)
    assert result.units_spent == 402


def test_an_earlier_meeting_takes_the_binding_and_a_cancelled_one_hands_it_on_never_two_at_once(store, youtube_sandbox, youtube_settings, youtube):
    store.upsert_meeting(meeting("b", days=5))
    store.upsert_meeting(meeting("c", days=9))
    schedule(youtube_settings, store, client=youtube)
    chamber = store.room_streams()["chamber"][0]
    assert youtube_sandbox.bound_auto_start(chamber) == [store.get_broadcast("b").broadcast_id]

    store.upsert_meeting(meeting("a", days=2))  # added to the calendar, before the bound one
    result = schedule(youtube_settings, store, client=youtube)
    assert sorted(o for _, o in result.done) == ["created", "unbound"]
    assert youtube_sandbox.bound_auto_start(chamber) == [store.get_broadcast("a").broadcast_id]
    methods = [c.method for c in youtube_sandbox.calls if c.method in ("liveBroadcasts.bind", "liveBroadcasts.insert")][-3:]
    assert methods == ["liveBroadcasts.bind", "liveBroadcasts.insert", "liveBroadcasts.bind"]  # unbind first

    store.upsert_meeting(replace(store.get_meeting("a"), cancelled=True))  # calendar sync, then schedule
    result = schedule(youtube_settings, store, client=youtube)
    assert sorted(o for _, o in result.done) == ["bound", "deleted"]
    assert youtube_sandbox.bound_auto_start(chamber) == [store.get_broadcast("b").broadcast_id]
    assert youtube_sandbox.double_bindings == []
    again = schedule(youtube_settings, store, client=youtube)
    assert again.done == [] and again.units_spent == 1


def night_of(store, sim, settings, client, m):
    session = LiveSession(store, FakeDirector(), "chamber", m)
    return session, StreamingOutputs(sim), onair(client, store, settings)


def test_the_end_of_a_meeting_binds_the_next_one_only_once_obs_has_stopped_streaming(store, youtube_sandbox, youtube_settings, youtube):
    tonight = meeting("tonight", days=0, hours=3)
    tonight = replace(tonight, start=datetime.now(timezone.utc) + timedelta(minutes=2))
    store.upsert_meeting(tonight)
    store.upsert_meeting(meeting("next", days=7))
    schedule(youtube_settings, store, client=youtube)
    chamber = store.room_streams()["chamber"][0]
    assert youtube_sandbox.bound_auto_start(chamber) == [store.get_broadcast("tonight").broadcast_id]

    session, outputs, port = night_of(store, youtube_sandbox, youtube_settings, youtube, tonight)
    start_meeting(session, outputs, port)
    session.chamber()
    summary = end_meeting(session, outputs, port)
    assert summary.left == []
    nxt = store.get_broadcast("next")
    assert youtube_sandbox.bound_auto_start(chamber) == [nxt.broadcast_id] and nxt.stream_id == chamber
    assert youtube_sandbox.broadcasts[nxt.broadcast_id]["status"]["lifeCycleStatus"] == "ready"  # not started by the closing slate
    assert youtube_sandbox.double_bindings == []
    # the hand-over is one look at the stream and one bind, after the output stopped
    tail = [c.method for c in youtube_sandbox.calls if c.method in ("liveStreams.list", "liveBroadcasts.bind", "liveBroadcasts.transition")][-3:]
    assert tail == ["liveBroadcasts.transition", "liveStreams.list", "liveBroadcasts.bind"]
    assert schedule(youtube_settings, store, client=youtube).done == []  # schedule agrees


@pytest.mark.parametrize("obs", ["will not stop", "stopped, but YouTube still sees the stream"])
def test_while_the_stream_may_still_run_the_next_meeting_is_not_bound_and_end_says_who_will(obs, store, youtube_sandbox, youtube_settings, youtube):
    tonight = replace(meeting("tonight"), start=datetime.now(timezone.utc) + timedelta(minutes=2))
    store.upsert_meeting(tonight)
    store.upsert_meeting(meeting("next", days=7))
    schedule(youtube_settings, store, client=youtube)
    session, outputs, port = night_of(store, youtube_sandbox, youtube_settings, youtube, tonight)
    start_meeting(session, outputs, port)
    if obs == "will not stop":
        outputs.fail_stop = True
    else:
        outputs.sim = type("Late", (), {"publish_done": staticmethod(lambda key: None)})()  # the ingest has not noticed yet
    steps = []
    summary = end_meeting(session, outputs, port, progress=lambda step, detail: steps.append(f"{step}: {detail}"))
    note = next(x for x in steps if x.startswith("Next meeting's broadcast not bound yet"))
    assert "meetstream schedule" in note and "meetstream start" in note
    assert not any("next meeting" in x for x in summary.left)  # safe as it is: not this meeting's unfinished business
    nxt = store.get_broadcast("next")
    assert nxt.stream_id is None and youtube_sandbox.broadcasts[nxt.broadcast_id]["status"]["lifeCycleStatus"] == "created"
    completed_at = max(i for i, c in enumerate(youtube_sandbox.calls) if c.method == "liveBroadcasts.transition")
    looks = [c for c in youtube_sandbox.calls[completed_at:] if c.method == "liveStreams.list"]
    assert len(looks) == (0 if obs == "will not stop" else 5)  # a bounded look at the stream, then it gives up
    assert not any(c.method == "liveBroadcasts.bind" for c in youtube_sandbox.calls[completed_at:])
    youtube_sandbox.publish_done(key_of(youtube_sandbox, store.room_streams()["chamber"][0]))  # OBS is stopped after all
    schedule(youtube_settings, store, client=youtube)
    assert youtube_sandbox.bound_auto_start(store.room_streams()["chamber"][0]) == [nxt.broadcast_id]
    assert youtube_sandbox.double_bindings == []


def test_starting_a_meeting_out_of_turn_unbinds_the_room_s_next_one_first(store, youtube_sandbox, youtube_settings, youtube):
    store.upsert_meeting(meeting("first", days=1))
    store.upsert_meeting(meeting("second", days=2))
    schedule(youtube_settings, store, client=youtube)
    prepared = onair(youtube, store, youtube_settings).prepare("second", "chamber")
    assert prepared.bound_now
    chamber = store.room_streams()["chamber"][0]
    assert youtube_sandbox.bound_auto_start(chamber) == [store.get_broadcast("second").broadcast_id]
    assert store.get_broadcast("first").stream_id is None
    assert youtube_sandbox.double_bindings == []
