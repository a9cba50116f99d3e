"""The live console, driven headless with Textual's pilot, as a surface of the room's control
(the same RoomControl `meetstream serve` runs), against the real OBS and the store."""

import asyncio
import time

import pytest

from meetstream.entrypoints.console import Confirm, LiveConsole
from meetstream.services.control import RoomControl
from meetstream.core.domain import SessionState
from meetstream.adapters.obs.output import ObsOutputs
from meetstream.services.session import LiveSession
from meetstream.services.watchdog import Watchdog

pytestmark = pytest.mark.obs


def program(obs):
    return obs.call("GetCurrentProgramScene")["currentProgramSceneName"]


def muted(obs, name="Chamber microphones"):
    return obs.call("GetInputMute", {"inputName": name})["inputMuted"]


def run(coro):
    return asyncio.run(coro)


async def settle(pilot, console, check=lambda: True, timeout=10.0):
    """Wait until the console's actions have come back (they run on worker threads) and `check`."""
    deadline = time.monotonic() + timeout
    while console.busy or not check():
        assert time.monotonic() < deadline, "the console did not settle"
        await pilot.pause(0.02)
    await pilot.pause(0.02)


def text(console, widget):
    return str(console.query_one(widget).render())


@pytest.fixture
def control(obs, director, store, sample_meeting):
    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, director, "chamber", sample_meeting)
    room = RoomControl(session, Watchdog(session, ObsOutputs(obs)), tick_every=3600)
    yield room
    room.stop()


def test_keys_drive_obs_and_private_asks_first(obs, control, store, sample_meeting):
    console = LiveConsole(control, refresh_every=0.2)

    async def drive():
        async with console.run_test() as pilot:
            await settle(pilot, console, lambda: console.state is not None)
            await pilot.press("c")
            await settle(pilot, console)
            assert program(obs) == "Chamber"
            await pilot.press("n")
            await settle(pilot, console)
            assert control.session.item_number == "1"
            await pilot.press("1")
            await settle(pilot, console)
            assert program(obs) == "Speaker" and control.session.speaker_name == "Cllr Jane Smith"
            await pilot.press("x")  # asks first
            await settle(pilot, console, lambda: isinstance(console.screen, Confirm))
            await pilot.press("n")  # "no"
            await settle(pilot, console)
            assert program(obs) == "Speaker" and control.session.state is SessionState.ON_AIR
            await pilot.press("x")
            await settle(pilot, console, lambda: isinstance(console.screen, Confirm))
            await pilot.press("y")
            await settle(pilot, console, lambda: text(console, "#banner") == "PRIVATE")
            assert program(obs) == "Private session" and muted(obs)
            await pilot.press("2")  # a speaker in private: refused, shown with the console's key
            await settle(pilot, console)
            assert program(obs) == "Private session"
            assert "readmit the public with u (Public) first" in text(console, "#message")
            await pilot.press("u")
            await settle(pilot, console, lambda: isinstance(console.screen, Confirm))
            await pilot.press("enter")  # public defaults to No
            await settle(pilot, console)
            assert program(obs) == "Private session"
            await pilot.press("u")
            await settle(pilot, console, lambda: isinstance(console.screen, Confirm))
            await pilot.press("y")
            await settle(pilot, console, lambda: text(console, "#banner") == "ON AIR")
            assert program(obs) == "Chamber" and not muted(obs)

    run(drive())
    kinds = [e.kind for e in store.timeline(sample_meeting.id)]
    assert kinds == ["chamber", "item", "speaker", "private", "public"]


def test_a_refused_readmission_is_said_before_any_question(obs, control):
    console = LiveConsole(control, refresh_every=3600)
    control.session.chamber()
    control.session.go_to_item("5")  # exempt: private

    async def drive():
        async with console.run_test() as pilot:
            await settle(pilot, console, lambda: console.state is not None)
            await pilot.press("u")
            await settle(pilot, console)
            assert not isinstance(console.screen, Confirm)
            assert "item 5 is exempt: move to a public item (n (Next item))" in text(console, "#message")

    run(drive())
    assert program(obs) == "Private session"


def test_speakers_by_type_ahead_and_one_off(obs, control):
    console = LiveConsole(control, refresh_every=3600)
    control.session.chamber()

    async def drive():
        async with console.run_test() as pilot:
            await settle(pilot, console, lambda: console.state is not None)
            await pilot.press("slash", *"Cllr Amir", "right", "enter")  # Tab/right completes the suggestion
            await settle(pilot, console)
            assert control.session.speaker_name == "Cllr Amir Khan"
            await pilot.press("o", *"Mr J Brown, Applicant", "enter")
            await settle(pilot, console)
            assert control.session.speaker_name == "Mr J Brown, Applicant"
            assert obs.call("GetInputSettings", {"inputName": "Lower third"})["inputSettings"]["text"] == "Mr J Brown, Applicant"
            assert "Mr J Brown, Applicant (one-off)" in text(console, "#members")

    run(drive())


def test_a_cue_from_another_process_shows_in_the_console(obs, control, store, chamber_set):
    from meetstream.adapters.obs.director import Director

    control.session.chamber()
    console = LiveConsole(control, refresh_every=0.1)

    async def drive():
        async with console.run_test() as pilot:
            # What `meetstream cue recess` does without a server: its own session and director, same store.
            other = LiveSession(store, Director(obs, chamber_set).load(), "chamber")
            other.recess()
            await settle(pilot, console, lambda: text(console, "#banner") == "RECESS")
            await pilot.press("s")
            await settle(pilot, console)
            assert program(obs) == "Chamber"

    run(drive())


@pytest.mark.rtmp
def test_the_watchdog_restarts_a_dropped_output_and_puts_it_on_the_timeline(obs, director, store, sample_meeting, rtmp_server):
    from meetstream.adapters.obs.output import StreamTarget, set_stream_target, start_stream, stop_stream

    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, director, "chamber", sample_meeting)
    session.chamber()
    set_stream_target(obs, StreamTarget(rtmp_server.ingest_url, "watchdog-key-1"))
    start_stream(obs)
    store.set_streaming("chamber", True)
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
    from meetstream.adapters.obs.build import apply
    from meetstream.adapters.obs.director import Director

    from meetstream.adapters.obs.connection import ObsConnection

    from helpers import OBS_PASSWORD

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


def test_end_asks_defaults_to_no_then_closes_the_meeting_and_shows_the_summary(obs, director, store, sample_meeting):
    from meetstream.services.night import end_meeting

    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, director, "chamber", sample_meeting)
    session.chamber()

    def on_end():
        summary = end_meeting(session, ObsOutputs(obs), None)
        return f"Ended after {summary.duration}"

    control = RoomControl(session, None, on_end=on_end)
    console = LiveConsole(control, refresh_every=3600)

    async def drive():
        async with console.run_test() as pilot:
            await settle(pilot, console, lambda: console.state is not None)
            await pilot.press("e")
            await settle(pilot, console, lambda: isinstance(console.screen, Confirm))
            await pilot.press("enter")  # No
            await settle(pilot, console)
            assert program(obs) == "Chamber"
            await pilot.press("e")
            await settle(pilot, console, lambda: isinstance(console.screen, Confirm))
            await pilot.press("y")
            await settle(pilot, console, lambda: text(console, "#banner") == "ADJOURNED")
            assert program(obs) == "Adjourned" and muted(obs)
            assert "Ended after" in text(console, "#message")

    run(drive())
    control.stop()
    assert [e.kind for e in store.timeline(sample_meeting.id)][-2:] == ["adjourned", "end"]


def test_staying_public_is_a_form_then_a_question_that_defaults_to_no(obs, control, store, sample_meeting):
    from meetstream.entrypoints.console import ResolutionForm

    console = LiveConsole(control, refresh_every=0.2)
    control.session.chamber()
    control.session.go_to_item("4")

    async def drive():
        async with console.run_test() as pilot:
            await settle(pilot, console, lambda: console.state is not None)
            assert "marked exempt: goes private unless the meeting resolves to stay public" in text(console, "#agenda")
            await pilot.press("n")  # item 5: armed, private without being asked
            await settle(pilot, console, lambda: text(console, "#banner") == "PRIVATE")
            assert program(obs) == "Private session" and muted(obs)
            await pilot.press("K")
            await settle(pilot, console, lambda: isinstance(console.screen, ResolutionForm))
            assert console.screen.query_one("#resolution-items").value == "5"  # the current item
            await pilot.press("enter", *"no_reference", "enter")
            await settle(pilot, console, lambda: isinstance(console.screen, Confirm))
            await pilot.press("enter")  # No by default: nothing recorded, still private
            await settle(pilot, console)
            assert program(obs) == "Private session" and store.resolutions(sample_meeting.id) == []
            await pilot.press("K")
            await settle(pilot, console, lambda: isinstance(console.screen, ResolutionForm))
            await pilot.press("enter", *"no_reference", "enter")
            await settle(pilot, console, lambda: isinstance(console.screen, Confirm))
            await pilot.press("y")
            await settle(pilot, console, lambda: text(console, "#banner") == "ON AIR")
            assert program(obs) == "Chamber" and not muted(obs)
            assert "stays public" in text(console, "#agenda") or "stay public" in text(console, "#agenda")

    run(drive())
    [r] = store.resolutions(sample_meeting.id)
    assert r.detail["resolution"] == "public" and r.detail["items"] == ["5"]
