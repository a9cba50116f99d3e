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


def serve_lock_file(state: Path, room: str) -> Path:
    return Path(f"{state}.serve-{_safe(room)}.lock")


def room_lock_file(state: Path, room: str) -> Path:
    return Path(f"{state}.room-{_safe(room)}.lock")


def _safe(room: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in room)
