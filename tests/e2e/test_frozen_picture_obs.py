"""A frozen picture is an outage too (issue 24 part 3), on the real OBS with the room wired as
`serve` wires it: the chamber camera is a real moving video (ffmpeg's testsrc2, looping in an OBS
media input); the test's own obs-websocket client pauses it, as a capture card that stops
delivering frames would, and checks OBS's own media state; the incident must follow within the
set time, on the state JSON, the Textual console and the web console, and end when it plays
again. A moving camera over several times the set time is never taken for frozen; a frozen
camera in a private session is nothing.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from helpers import OBS_PASSWORD, wait_until
from private_observer import RawObs
from test_standing_order import api_state, console_health, incidents, room_on_air, web_console  # noqa: F401 (fixture)

pytestmark = [pytest.mark.obs, pytest.mark.rtmp]

CAMERA = "Chamber camera"
PAUSE = "OBS_WEBSOCKET_MEDIA_INPUT_ACTION_PAUSE"
PLAY = "OBS_WEBSOCKET_MEDIA_INPUT_ACTION_PLAY"
FROZEN_SECONDS = 3


@pytest.fixture
def moving_video(tmp_path):
    """testsrc2: a moving pattern and a frame counter, so no two frames are alike."""
    path = tmp_path / "camera.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=6",
                    "-pix_fmt", "yuv420p", str(path)], check=True, timeout=60)
    return path


def media_state(raw) -> str:
    return raw.call("GetMediaInputStatus", {"inputName": CAMERA})["mediaState"]


def open_with_camera(room_on_air, moving_video):
    return room_on_air(silence="silence_seconds: null", camera_file=moving_video, frozen=f"frozen_seconds: {FROZEN_SECONDS}")


def test_a_camera_that_stops_delivering_frames_is_an_incident_within_the_set_time_on_every_surface(
        room_on_air, moving_video, store, sample_meeting, obs_server):
    from playwright.sync_api import expect

    night, control, server = open_with_camera(room_on_air, moving_video)
    raw = RawObs(obs_server.port, OBS_PASSWORD)
    try:
        wait_until("the camera playing", lambda: media_state(raw) == "OBS_MEDIA_STATE_PLAYING", timeout=10)
        assert raw.call("GetCurrentProgramScene")["currentProgramSceneName"] == "Chamber"
        time.sleep(3 * FROZEN_SECONDS)  # a moving camera, three times the set time: nothing to say
        assert incidents(store, sample_meeting, "picture") == []
        health = api_state(server)["health"]
        assert health["picture"] == {"frozen": [], "seconds": 0}, health

        raw.call("TriggerMediaInputAction", {"inputName": CAMERA, "mediaAction": PAUSE})
        paused_at = time.monotonic()
        wait_until("OBS to say it is paused", lambda: media_state(raw) == "OBS_MEDIA_STATE_PAUSED", timeout=5)
        wait_until("an incident", lambda: incidents(store, sample_meeting, "picture"), timeout=FROZEN_SECONDS + 8)
        took = time.monotonic() - paused_at
        print(f"\ncamera frozen: incident after {took:.1f} s (set time {FROZEN_SECONDS} s, screenshots every 2 s)")
        assert took < FROZEN_SECONDS + 2 + 2  # the set time, a screenshot interval, a tick
        (entry,) = incidents(store, sample_meeting, "picture")
        assert entry.detail["picture"] == "start" and entry.detail["inputs"] == [CAMERA]
        health = api_state(server)["health"]
        assert health["picture"]["frozen"] == [CAMERA]
        assert any(p.startswith("PICTURE FROZEN") and CAMERA in p for p in health["problems"])
        assert "PICTURE FROZEN" in console_health(control)

        def problem(page):
            expect(page.locator("#problems")).to_contain_text("PICTURE FROZEN", timeout=10_000)

        web_console(server, problem)
        assert len(incidents(store, sample_meeting, "picture")) == 1  # however long it lasts

        raw.call("TriggerMediaInputAction", {"inputName": CAMERA, "mediaAction": PLAY})
        wait_until("the incident to end", lambda: len(incidents(store, sample_meeting, "picture")) == 2, timeout=8)
        end = incidents(store, sample_meeting, "picture")[-1]
        assert end.detail["picture"] == "end" and "moving again" in end.detail["what"]
        assert api_state(server)["health"]["picture"] == {"frozen": [], "seconds": 0}
    finally:
        raw.close()


def test_a_frozen_camera_in_a_private_session_is_nothing(room_on_air, moving_video, store, sample_meeting, obs_server):
    night, control, server = open_with_camera(room_on_air, moving_video)
    assert control.act("private").ok
    raw = RawObs(obs_server.port, OBS_PASSWORD)
    try:
        raw.call("TriggerMediaInputAction", {"inputName": CAMERA, "mediaAction": PAUSE})
        wait_until("OBS to say it is paused", lambda: media_state(raw) == "OBS_MEDIA_STATE_PAUSED", timeout=5)
        time.sleep(2 * FROZEN_SECONDS + 2)
    finally:
        raw.close()
    assert incidents(store, sample_meeting, "picture") == []
    health = api_state(server)["health"]
    assert health["picture"] is None and not any("FROZEN" in p for p in health["problems"])
