"""`start` and `end` on fakes of OBS and YouTube: the night's decisions, in milliseconds."""

import pytest

from meetstream.core.domain import SessionState
from meetstream.errors import YouTubeError
from meetstream.services.night import end_meeting, on_air_record, start_meeting
from meetstream.services.session import LiveSession

from fakes import FakeDirector, FakeOnAir, FakeOutputs


@pytest.fixture
def night(store, sample_meeting):
    store.upsert_meeting(sample_meeting)
    return LiveSession(store, FakeDirector(), "chamber", sample_meeting), FakeOutputs(), FakeOnAir()


def kinds(store, meeting):
    return [e.kind for e in store.timeline(meeting.id)]


def test_start_puts_up_the_slate_then_the_output_then_goes_live(night, store, sample_meeting):
    session, outputs, youtube = night
    steps = []
    record = start_meeting(session, outputs, youtube, progress=lambda step, detail: steps.append(step))
    assert steps[0] == "OBS reachable" and steps[-1] == "On air"
    assert steps.index("Slate on program") < steps.index("OBS output started")
    assert session.state is SessionState.HOLDING and session.director.role == "holding"
    assert outputs.calls == ["set_target", "start_stream"] and youtube.calls == ["prepare", "go_live"]
    assert record["broadcast_id"] == "bc-1" and on_air_record(store, "chamber")["stream_id"] == "st-1"
    assert kinds(store, sample_meeting) == ["holding", "start"]
    assert "secret-key" not in " ".join(steps)


def test_a_start_youtube_never_sees_leaves_the_slate_up_and_stops_the_output_it_began(night, store):
    session, outputs, youtube = night
    youtube.never_active = True
    with pytest.raises(YouTubeError):
        start_meeting(session, outputs, youtube)
    assert outputs.calls[-1] == "stop_stream" and not outputs.streaming_now
    assert session.director.role == "holding"
    assert not store.streaming_expected("chamber")
    assert on_air_record(store, "chamber") is None


def test_end_completes_youtube_and_closes_the_local_side(night, store, sample_meeting):
    session, outputs, youtube = night
    start_meeting(session, outputs, youtube, record_backup=True)
    session.chamber()
    summary = end_meeting(session, outputs, youtube)
    assert summary.left == []
    assert youtube.calls[-1] == "complete" and outputs.calls[-2:] == ["stop_stream", "stop_record"]
    assert summary.recording == "/recordings/backup.mkv"
    assert session.director.role == "adjourned" and kinds(store, sample_meeting)[-1] == "end"
    assert on_air_record(store, "chamber") is None


def test_end_while_youtube_is_down_finishes_locally_says_what_is_left_and_a_second_end_does_only_that(night, store, sample_meeting):
    session, outputs, youtube = night
    start_meeting(session, outputs, youtube)
    youtube.down = True
    summary = end_meeting(session, outputs, youtube)
    assert not outputs.streaming_now and session.director.role == "adjourned"
    assert len(summary.left) == 1 and "bc-1 is not completed" in summary.left[0] and "meetstream end" in summary.left[0]
    assert kinds(store, sample_meeting).count("end") == 1
    assert on_air_record(store, "chamber")["broadcast_id"] == "bc-1"  # kept: the YouTube part is still to do
    youtube.down = False
    outputs.calls.clear()
    again = end_meeting(session, outputs, youtube)
    assert again.left == [] and youtube.calls[-1] == "complete"
    assert outputs.calls == []  # nothing local is done twice
    assert kinds(store, sample_meeting).count("end") == 1 and on_air_record(store, "chamber") is None


def test_end_when_obs_will_not_stop_the_output_still_records_the_end_and_says_so(night, store, sample_meeting):
    session, outputs, youtube = night
    start_meeting(session, outputs, youtube)
    outputs.fail_stop = True
    summary = end_meeting(session, outputs, youtube)
    assert any("stop streaming in OBS" in x for x in summary.left)
    assert kinds(store, sample_meeting)[-1] == "end"
    assert youtube.calls[-1] == "complete"


def test_a_watchdog_ticking_while_end_stops_the_output_does_not_start_it_again(night, store):
    """End's own stop is not an outage: the watchdog (serve's, the console's) ticks at the moment
    the output stops, and asks for no restart."""
    from meetstream.services.watchdog import Watchdog

    session, outputs, youtube = night
    start_meeting(session, outputs, youtube)
    session.chamber()

    class Status:
        reconnecting, program_scene, stream_bytes, skipped_frames, total_frames = False, "Chamber", 0, 0, 0

        def __init__(self, streaming):
            self.streaming = streaming

    class Watched:
        restarts = 0

        def status(self):
            return Status(outputs.streaming_now)

        def restart_stream(self):
            Watched.restarts += 1
            outputs.start_stream()

    dog = Watchdog(session, Watched())
    real_stop = outputs.stop_stream

    def stop_with_a_tick_after():
        real_stop()
        dog.tick()  # the watchdog's thread, between End's stop and the rest of End

    outputs.stop_stream = stop_with_a_tick_after
    end_meeting(session, outputs, youtube)
    dog.tick()
    assert Watched.restarts == 0 and not outputs.streaming_now
    assert not any(e.kind == "incident" for e in store.timeline(session.meeting.id))


def test_a_resumed_start_that_fails_leaves_a_private_session_private(night, store):
    """A start resuming a private night puts private back first; if YouTube then never sees the
    stream, backing off keeps the private slate (not the holding slate over a private session)."""
    session, outputs, youtube = night
    session.holding()
    session.private()
    youtube.never_active = True
    with pytest.raises(YouTubeError):
        start_meeting(session, outputs, youtube)
    assert session.director.role == "private" and not outputs.streaming_now
    assert store.session("chamber")["state"] is SessionState.PRIVATE
