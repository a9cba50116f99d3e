"""What the tests share besides fixtures: constants and small helpers. Import from here
(`from helpers import REPO`); tests/conftest.py holds only fixtures."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Callable

from meetstream.net import LOOPBACK_HOSTS

REPO = Path(__file__).resolve().parent.parent
OBS_PASSWORD = "test-obs-password-7f3a"  # the test OBS's websocket password (tests/conftest.py starts it)
LOOPBACK_ADDRESSES = (*LOOPBACK_HOSTS, "::ffff:127.0.0.1")  # what a test may connect to


def wait_until(what: str, check: Callable[[], object], timeout: float = 10.0, every: float = 0.05):
    """Poll `check` until it returns something true (and return that); fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}"
        time.sleep(every)


async def console_ready(console, pilot, timeout: float = 10.0) -> None:
    """The Textual console (LiveConsole under `run_test`) has had its first state from the control."""
    deadline = time.monotonic() + timeout
    while console.state is None:
        assert time.monotonic() < deadline, "the console never got the room's state"
        await pilot.pause(0.05)


def end_process(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    """A test's own observer process (ffmpeg, ffprobe) asked to stop, then killed if it will not."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


def chamber_config(folder: Path, monkeypatch, *, state: Path | None = None) -> Path:
    """A meetstream.yaml with the shipped chamber room (no OBS address: for commands that read
    the store only), made the one the CLI reads, with the state store beside it (or `state`)."""
    config = folder / "meetstream.yaml"
    config.write_text(f"rooms:\n  chamber:\n    name: Council Chamber\n    scene_set: {REPO / 'scenes' / 'council-chamber.yaml'}\n")
    monkeypatch.setenv("MEETSTREAM_CONFIG", str(config))
    monkeypatch.setenv("MEETSTREAM_STATE", str(state or folder / "state.sqlite3"))
    return config
