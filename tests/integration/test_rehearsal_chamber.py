"""The rehearsal's chambers (meetstream.sandbox.chamber.rehearsal): for each microphone system, a
seat switched on and off in the simulator reaches the real driver as ON then OFF."""

import time

import pytest

from meetstream.bootstrap import rehearsal_mics
from meetstream.core.chamber import MicState
from meetstream.sandbox.chamber.rehearsal import KINDS, RehearsalChamber


@pytest.mark.parametrize("kind", KINDS)
def test_a_seat_on_and_off_reaches_the_driver(kind):
    chamber = RehearsalChamber(kind, {"1": "Cllr Jane Smith", "2": "Cllr Amir Khan"})
    source = rehearsal_mics(chamber)
    try:
        got = []
        chamber.on("2")
        deadline = time.monotonic() + 5
        while MicState.ON not in [s for _, s in got] and time.monotonic() < deadline:
            got += [(e.mic_id, e.state) for e in source.read(0.1)]
        chamber.off("2")
        while MicState.OFF not in [s for _, s in got] and time.monotonic() < deadline + 5:
            got += [(e.mic_id, e.state) for e in source.read(0.1)]
        assert ("2", MicState.ON) in got and ("2", MicState.OFF) in got, got
    finally:
        source.close()
        chamber.close()
