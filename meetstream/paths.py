"""Where meetstream keeps its files: light enough for the `cue` fast path (no SQLite, no config)."""

from __future__ import annotations

import os
from pathlib import Path


def default_state_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("meetstream") / "state.sqlite3"


def state_path(given: str | Path | None = None) -> Path:
    """--state, else $MEETSTREAM_STATE, else the user data dir."""
    chosen = given or os.environ.get("MEETSTREAM_STATE")
    return Path(chosen) if chosen else default_state_path()


def serve_file(state: Path, room: str) -> Path:
    """Written by a running `meetstream serve` for `room`: where its API listens."""
    return Path(f"{state}.serve-{_safe(room)}.json")


def serve_key_file(state: Path, room: str) -> Path:
    """The room key: made by the room's first `meetstream serve` (mode 0600) and sent by meetstream's
    own clients on this PC (cue, live, end, `serve --pair`); never in the serve file."""
    return Path(f"{state}.serve-{_safe(room)}.key")


def serve_devices_file(state: Path, room: str) -> Path:
    """The browsers paired with the room's web console: each device token's hash (mode 0600)."""
    return Path(f"{state}.serve-{_safe(room)}.devices.json")


def serve_lock_file(state: Path, room: str) -> Path:
    return Path(f"{state}.serve-{_safe(room)}.lock")


def room_lock_file(state: Path, room: str) -> Path:
    return Path(f"{state}.room-{_safe(room)}.lock")


def _safe(room: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in room)


def example_scenes() -> Path:
    """The shipped example scene set's folder (council-chamber.yaml and its slates): scenes/ in a
    checkout, meetstream/scenes/ inside an installed wheel (setup.py maps one onto the other)."""
    from importlib.util import find_spec

    try:
        spec = find_spec("meetstream.scenes")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(__file__).resolve().parent.parent / "scenes"  # a checkout not installed since setup.py came


def example_scene_set() -> Path:
    return example_scenes() / "council-chamber.yaml"
