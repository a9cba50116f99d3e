"""Why a headless OBS did not come up, read from its own log (lines as OBS and xvfb-run write them)."""

import pytest

from meetstream.adapters.obs.headless import HeadlessObs, why_not_started
from meetstream.errors import ObsError

NOISE = ("error: Could not create dbus connection: Failed to execute child process \"dbus-launch\"\n"
         "warning: v4l2loopback not installed, virtual camera disabled\n"
         "error: pulse-input: Unable to get server info !\n")


@pytest.mark.parametrize("line, says", [
    ("warning: \n================================\nWarning: OBS is already running!\n", "another OBS is running"),
    ("xvfb-run: error: Xvfb failed to start\n", "Xvfb (the virtual screen) did not start"),
    ("error: Failed to create OpenGL context\n", "OpenGL context"),
])
def test_the_known_reasons_are_found_among_the_usual_noise(line, says):
    assert says in why_not_started(NOISE + line + "info: ==== Shutting down ====\n")


def test_otherwise_the_last_line_is_given_and_an_empty_log_says_so():
    assert why_not_started(NOISE).startswith("its log ends: 'error: pulse-input")
    assert why_not_started("") == "it wrote nothing to its log"


def test_an_obs_that_exits_at_once_is_one_error_naming_the_reason_and_the_log(tmp_path):
    fake = tmp_path / "obs-that-fails"
    fake.write_text("#!/bin/sh\necho 'xvfb-run: error: Xvfb failed to start'\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(ObsError) as err:
        HeadlessObs(tmp_path / "home", obs_binary=str(fake)).start(wait=10)
    assert "exited during start-up" in str(err.value) and "Xvfb (the virtual screen) did not start" in str(err.value)
    assert str(tmp_path / "home" / "obs.log") in str(err.value)
