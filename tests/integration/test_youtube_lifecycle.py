"""The broadcast life cycle as the simulator enforces it, driven through the go-live helpers."""

import urllib.request

import pytest

from meetstream.errors import YouTubeError
from meetstream.services.schedule import schedule
from meetstream.adapters.youtube.golive import LiveControl, merge_chapters

from youtube_fixtures import meeting, settings_for, youtube, youtube_sandbox, youtube_settings  # noqa: F401


class FakeClock:
    """Simulated seconds: sleeping advances it, so a bounded wait ends without waiting."""

    def __init__(self):
        self.now, self.slept = 0.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def scheduled(store, settings, client):
    store.upsert_meeting(meeting("m1"))
    schedule(settings, store, client=client)
    return store.get_broadcast("m1")


def key_of(sim, stream_id):
    return sim.streams[stream_id]["cdn"]["ingestionInfo"]["streamName"]


def nginx_reports(sim, event, key):
    """What nginx-rtmp sends on a publish (GET with the stream name)."""
    with urllib.request.urlopen(f"{sim.rtmp_callback_url}/{event}?app=live2&name={key}&call=publish") as resp:
        return resp.status


def test_going_live_while_the_stream_is_inactive_is_refused_with_a_clear_line(store, youtube_sandbox, youtube_settings, youtube):
    b = scheduled(store, youtube_settings, youtube)
    with pytest.raises(YouTubeError, match="not receiving the room's stream"):
        LiveControl(youtube).transition(b.broadcast_id, "live")
    assert youtube_sandbox.broadcasts[b.broadcast_id]["status"]["lifeCycleStatus"] == "ready"
    assert youtube_sandbox.calls[-1].reason == "errorStreamInactive"


def test_completing_a_broadcast_that_never_went_live_is_refused(store, youtube_sandbox, youtube_settings, youtube):
    b = scheduled(store, youtube_settings, youtube)
    with pytest.raises(YouTubeError, match="refused to change the broadcast's status"):
        LiveControl(youtube).complete(b.broadcast_id)
    assert [c.reason for c in youtube_sandbox.calls if c.method == "liveBroadcasts.transition"] == ["invalidTransition"]
    assert youtube_sandbox.broadcasts[b.broadcast_id]["status"]["lifeCycleStatus"] == "ready"


def test_a_publish_reported_by_nginx_makes_the_stream_active_and_auto_start_takes_the_broadcast_live(store, youtube_sandbox, youtube_settings, youtube):
    b = scheduled(store, youtube_settings, youtube)
    assert nginx_reports(youtube_sandbox, "on_publish", key_of(youtube_sandbox, b.stream_id)) == 200
    live = LiveControl(youtube, sleep=lambda s: None)
    assert live.stream_health(b.stream_id).active
    assert live.go_live(b.broadcast_id, b.stream_id, auto_start=True) == "live"
    assert not any(c.method == "liveBroadcasts.transition" for c in youtube_sandbox.calls)  # auto-start did it, for free


def test_nginx_is_refused_a_publish_with_an_unknown_key(youtube_sandbox):
    with pytest.raises(urllib.error.HTTPError) as refused:
        nginx_reports(youtube_sandbox, "on_publish", "not-a-key")
    assert refused.value.code == 403


def test_with_the_monitor_stream_on_going_live_passes_through_testing(store, youtube_sandbox, youtube):
    settings = settings_for(youtube_sandbox.url, auto_start=False, monitor_stream=True)
    b = scheduled(store, settings, youtube)
    youtube_sandbox.publish(key_of(youtube_sandbox, b.stream_id))
    assert LiveControl(youtube, sleep=lambda s: None).go_live(b.broadcast_id, b.stream_id, auto_start=False, monitor_stream=True) == "live"
    targets = [c.params["broadcastStatus"] for c in youtube_sandbox.calls if c.method == "liveBroadcasts.transition"]
    assert targets == ["testing", "live"]


def test_going_live_straight_from_ready_is_refused_when_the_monitor_stream_is_on(store, youtube_sandbox, youtube):
    settings = settings_for(youtube_sandbox.url, auto_start=False, monitor_stream=True)
    b = scheduled(store, settings, youtube)
    youtube_sandbox.publish(key_of(youtube_sandbox, b.stream_id))
    with pytest.raises(YouTubeError, match="transition to testing first"):
        LiveControl(youtube).transition(b.broadcast_id, "live")


def test_a_redundant_transition_counts_as_success(store, youtube_sandbox, youtube_settings, youtube):
    settings = settings_for(youtube_sandbox.url, auto_start=False)
    b = scheduled(store, settings, youtube)
    youtube_sandbox.publish(key_of(youtube_sandbox, b.stream_id))
    live = LiveControl(youtube, sleep=lambda s: None)
    assert live.transition(b.broadcast_id, "live") == "liveStarting"
    assert live.transition(b.broadcast_id, "live") == "live"
    assert youtube_sandbox.calls[-1].reason == "redundantTransition"


def test_with_auto_stop_off_a_dropped_stream_leaves_the_broadcast_live(store, youtube_sandbox, youtube_settings, youtube):
    b = scheduled(store, youtube_settings, youtube)
    key = key_of(youtube_sandbox, b.stream_id)
    youtube_sandbox.publish(key)
    live = LiveControl(youtube, sleep=lambda s: None)
    live.go_live(b.broadcast_id, b.stream_id)
    nginx_reports(youtube_sandbox, "on_publish_done", key)
    assert live.stream_health(b.stream_id).status == "inactive"
    assert live.status(b.broadcast_id) == "live"


def test_with_auto_stop_on_a_dropped_stream_completes_the_broadcast_for_good(store, youtube_sandbox, youtube):
    settings = settings_for(youtube_sandbox.url, auto_stop=True)
    b = scheduled(store, settings, youtube)
    key = key_of(youtube_sandbox, b.stream_id)
    youtube_sandbox.publish(key)
    live = LiveControl(youtube, sleep=lambda s: None)
    live.go_live(b.broadcast_id, b.stream_id)
    youtube_sandbox.publish_done(key)
    youtube_sandbox.publish(key)
    assert live.status(b.broadcast_id) == "complete"
    with pytest.raises(YouTubeError, match="cannot go live again"):
        live.go_live(b.broadcast_id, b.stream_id)


def test_waiting_for_the_stream_gives_up_after_the_timeout_with_backoff(store, youtube_sandbox, youtube_settings, youtube):
    b = scheduled(store, youtube_settings, youtube)
    clock = FakeClock()
    live = LiveControl(youtube, sleep=clock.sleep, clock=clock)
    with pytest.raises(YouTubeError, match="did not see the room's stream within 60s"):
        live.wait_stream_active(b.stream_id, timeout=60)
    assert clock.slept == sorted(clock.slept) and clock.slept[0] == 2.0 and max(clock.slept) <= 15.0
    assert sum(clock.slept) <= 60
    polls = [c for c in youtube_sandbox.calls if c.method == "liveStreams.list" and c.params.get("id") == b.stream_id]
    assert len(polls) == len(clock.slept) + 1 < 12  # bounded: a handful of 1-unit calls, not one every 5 s


def test_complete_then_chapters_keep_title_the_videos_category_and_agenda(store, youtube_sandbox, youtube_settings, youtube):
    b = scheduled(store, youtube_settings, youtube)
    youtube_sandbox.publish(key_of(youtube_sandbox, b.stream_id))
    live = LiveControl(youtube, sleep=lambda s: None)
    live.go_live(b.broadcast_id, b.stream_id)
    ended = live.complete(b.broadcast_id)
    assert ended["status"]["lifeCycleStatus"] == "complete" and ended["snippet"]["actualStartTime"]
    live.write_chapters(b.broadcast_id, "0:00 Welcome\n0:45 1. Apologies\n12:10 2. Minutes", category_id="25")
    video = youtube_sandbox.videos[b.broadcast_id]["snippet"]
    # the category the video has (the channel's default, or the officer's in Studio); category_id only fills a missing one
    assert video["title"] == b.title and video["categoryId"] == "22"
    assert "1. Apologies for absence" in video["description"]  # the agenda written at scheduling is kept
    assert video["description"].endswith("Chapters\n0:00 Welcome\n0:45 1. Apologies\n12:10 2. Minutes")


def test_chapters_replace_earlier_chapters_and_fit_the_description_limit():
    once = merge_chapters("Agenda\n1. Apologies", "0:00 Start\n0:20 Item")
    twice = merge_chapters(once, "0:00 Start\n0:30 Item <1>")
    assert twice == "Agenda\n1. Apologies\n\nChapters\n0:00 Start\n0:30 Item ‹1›"
    long = merge_chapters("x" * 4990, "0:00 Start\n0:20 Item")
    assert len(long.encode()) <= 5000 and long.endswith("0:20 Item")


def test_a_publish_on_the_room_stream_auto_starts_the_next_meeting_the_only_one_bound(store, youtube_sandbox, youtube_settings, youtube):
    store.upsert_meeting(meeting("soon", days=1))
    store.upsert_meeting(meeting("later", days=8))
    schedule(youtube_settings, store, client=youtube)
    soon, later = store.get_broadcast("soon"), store.get_broadcast("later")
    assert soon.stream_id == store.room_streams()["chamber"][0] and later.stream_id is None
    youtube_sandbox.publish(key_of(youtube_sandbox, soon.stream_id))
    live = LiveControl(youtube, sleep=lambda s: None)
    assert (live.status(soon.broadcast_id), live.status(later.broadcast_id)) == ("live", "created")
