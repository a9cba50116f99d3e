"""The live console, driven headless with Textual's pilot, against the real OBS and the store."""

import asyncio

from meetstream.console import LiveConsole
from meetstream.domain import SessionState
from meetstream.obs.output import ObsOutputs
from meetstream.session import LiveSession
from meetstream.watchdog import Watchdog


def program(obs):
    return obs.call("GetCurrentProgramScene")["currentProgramSceneName"]


def muted(obs, name="Chamber microphones"):
    return obs.call("GetInputMute", {"inputName": name})["inputMuted"]


def run(coro):
    return asyncio.run(coro)


def test_keys_drive_obs_and_private_asks_first(obs, director, store, sample_meeting):
    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, director, "chamber", sample_meeting)
    console = LiveConsole(session, Watchdog(session, ObsOutputs(obs)), refresh_every=0.2)

    async def drive():
        async with console.run_test() as pilot:
            await pilot.press("c")
            assert program(obs) == "Chamber"
            await pilot.press("n")
            assert session.item_number == "1"
            await pilot.press("1")
            assert program(obs) == "Speaker" and session.speaker_name == "Cllr Jane Smith"
            await pilot.press("x")  # asks first
            assert program(obs) == "Speaker"
            await pilot.press("n")  # "no"
            assert program(obs) == "Speaker" and session.state is SessionState.ON_AIR
            await pilot.press("x", "y")
            assert program(obs) == "Private session" and muted(obs)
            assert str(console.query_one("#banner").render()) == "PRIVATE"
            await pilot.press("2")  # a speaker in private: refused, shown, nothing changes
            assert program(obs) == "Private session"
            assert "private session" in str(console.query_one("#message").render())
            await pilot.press("u", "y")
            assert program(obs) == "Chamber" and not muted(obs)

    run(drive())
    kinds = [e.kind for e in store.timeline(sample_meeting.id)]
    assert kinds == ["chamber", "item", "speaker", "private", "public"]


def test_a_cue_from_another_process_shows_in_the_console(obs, director, store, sample_meeting, chamber_set):
    from meetstream.obs.director import Director

    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, director, "chamber", sample_meeting)
    session.chamber()
    console = LiveConsole(session, None, refresh_every=0.1)

    async def drive():
        async with console.run_test() as pilot:
            # What `meetstream cue recess` does: its own session object and director, same store.
            other = LiveSession(store, Director(obs, chamber_set).load(), "chamber")
            other.recess()
            await pilot.pause(0.4)
            assert session.state is SessionState.RECESS
            assert str(console.query_one("#banner").render()) == "RECESS"
            await pilot.press("s")
            assert program(obs) == "Chamber"

    run(drive())


def test_the_watchdog_restarts_a_dropped_output_and_puts_it_on_the_timeline(obs, director, store, sample_meeting, rtmp_server):
    from meetstream.obs.output import StreamTarget, set_stream_target, start_stream, stop_stream
    from meetstream.watchdog import STREAMING_KEY

    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, director, "chamber", sample_meeting)
    session.chamber()
    set_stream_target(obs, StreamTarget(rtmp_server.ingest_url, "watchdog-key-1"))
    start_stream(obs)
    store.set_value(STREAMING_KEY.format(room="chamber"), "1")
    dog = Watchdog(session, ObsOutputs(obs))
    try:
        assert dog.tick().streaming
        obs.call("StopStream")  # the output drops
        import time

        deadline = time.monotonic() + 10
        while obs.call("GetStreamStatus")["outputActive"]:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        health = dog.tick()
        assert "restart asked (attempt 1)" in " ".join(health.problems)
        deadline = time.monotonic() + 10
        while not obs.call("GetStreamStatus")["outputActive"]:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        dog.tick()
        whats = [e.detail["what"] for e in store.timeline(sample_meeting.id) if e.kind == "incident"]
        assert whats[:2] == ["stream output stopped: viewers see nothing", "stream output stopped; restart asked of OBS"]
        assert len(whats) == 3 and whats[2].startswith("stream output back after ")
    finally:
        stop_stream(obs)


def test_the_watchdog_puts_a_private_session_right_when_someone_clicks_in_obs(obs, director, store, sample_meeting):
    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, director, "chamber", sample_meeting)
    session.chamber()
    session.private()
    obs.call("SetCurrentProgramScene", {"sceneName": "Chamber"})
    obs.call("SetInputMute", {"inputName": "Teams audio", "inputMuted": False})
    health = Watchdog(session, ObsOutputs(obs)).tick()
    assert "private session changed in OBS: put right (program scene is 'Chamber'" in health.problems[0]
    assert program(obs) == "Private session" and muted(obs, "Teams audio")
    assert store.timeline(sample_meeting.id)[-1].kind == "incident"


def test_after_an_obs_restart_the_console_puts_back_the_recorded_state_it_never_cued_itself(obs, obs_server, store, sample_meeting, chamber_set):
    """A console started with --resume on a meeting that is on air with a speaker; OBS restarts."""
    from meetstream.obs.build import apply
    from meetstream.obs.director import Director

    from meetstream.obs.connection import ObsConnection

    from conftest import OBS_PASSWORD

    apply(obs, chamber_set)
    store.upsert_meeting(sample_meeting)
    with ObsConnection("127.0.0.1", obs_server.port, OBS_PASSWORD) as other:  # the earlier console's process
        first = LiveSession(store, Director(other, chamber_set).load(), "chamber", sample_meeting)
        first.chamber()
        first.speaker("Jane Smith")

    resumed = LiveSession(store, Director(obs, chamber_set).load(), "chamber")
    obs_server.kill()
    obs_server.start()
    Watchdog(resumed, ObsOutputs(obs)).tick()
    assert program(obs) == "Speaker"
    assert obs.call("GetInputSettings", {"inputName": "Lower third"})["inputSettings"]["text"].startswith("Cllr Jane Smith")


def test_end_asks_then_closes_the_meeting_and_shows_the_summary(obs, director, store, sample_meeting):
    from meetstream.night import end_meeting

    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, director, "chamber", sample_meeting)
    session.chamber()

    def on_end():
        summary = end_meeting(session, ObsOutputs(obs), None)
        return f"Ended after {summary.duration}"

    console = LiveConsole(session, None, on_end=on_end, refresh_every=3600)

    async def drive():
        async with console.run_test() as pilot:
            await pilot.press("e", "n")
            assert program(obs) == "Chamber"
            await pilot.press("e", "y")
            assert program(obs) == "Adjourned" and muted(obs)
            assert str(console.query_one("#banner").render()) == "ADJOURNED"
            assert "Ended after" in str(console.query_one("#message").render())

    run(drive())
    assert [e.kind for e in store.timeline(sample_meeting.id)][-2:] == ["adjourned", "end"]
