"""The composition root: real adapters built from settings. Tests build the same objects from
their own peers (a headless OBS, the simulators) and pass them in instead."""

from __future__ import annotations

from pathlib import Path

from meetstream.config import Settings


def scene_set_for(settings: Settings, room: str, override: Path | None = None):
    from meetstream.obs.sceneset import load_scene_set

    return load_scene_set(override or settings.room(room).scene_set)


def obs_connection(settings: Settings, room: str):
    from meetstream.obs.connection import connect_room

    return connect_room(settings, room)


def director(settings: Settings, room: str, *, override: Path | None = None):
    """A loaded Director on the room's OBS (scene set parsed first: a bad file never touches OBS)."""
    from meetstream.obs.director import Director

    ss = scene_set_for(settings, room, override)
    conn = obs_connection(settings, room)
    return Director(conn, ss).load()


def live_session(settings: Settings, store, room: str, meeting_id: str | None = None):
    from meetstream.session import LiveSession

    meeting = store.get_meeting(meeting_id) if meeting_id else None
    d = director(settings, room)
    return LiveSession(store, d, room, meeting)


def watchdog(settings: Settings, store, session):
    from meetstream.obs.output import ObsOutputs
    from meetstream.watchdog import Watchdog

    return Watchdog(session, ObsOutputs(session.director.conn), youtube_health=youtube_health(settings, store, session))


def youtube_health(settings: Settings, store, session):
    """A callable for the watchdog, or None before YouTube is set up for this meeting."""
    return None


def end_action(settings: Settings, store, session):
    """What the console's End key does: the whole `meetstream end`."""
    return None
