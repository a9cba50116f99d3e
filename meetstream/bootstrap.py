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
    """The room's watchdog, woken by OBS's events as well as once a second; `.stop()` it."""
    from meetstream.obs.output import ObsOutputs
    from meetstream.watchdog import Watchdog

    dog = Watchdog(session, ObsOutputs(session.director.conn), youtube_health=youtube_health(settings, store, session),
                   youtube_every=settings.youtube.health_every)
    return dog.watch_events(lambda on_change: obs_event_watch(settings, session.room, on_change))


def obs_event_watch(settings: Settings, room: str, on_change):
    from meetstream import secrets
    from meetstream.obs.events import ObsEventWatch

    obs = settings.room(room).obs
    return ObsEventWatch(obs.host, obs.port, secrets.get_secret(obs.password_env, f"obs:{room}"), on_change).start()


def youtube_onair(settings: Settings, store):
    from meetstream.youtube.client import build_client
    from meetstream.youtube.onair import YouTubeOnAir

    return YouTubeOnAir(build_client(settings, store), store, settings)


def youtube_health(settings: Settings, store, session):
    """A callable for the watchdog (1 unit a call), or None while the meeting is not on air."""
    from meetstream.night import on_air_record

    record = on_air_record(store, session.room)
    if not record or not session.meeting or record.get("meeting_id") != session.meeting.id:
        return None
    onair = youtube_onair(settings, store)
    return lambda: onair.health(record["stream_id"])


def end_action(settings: Settings, store, session):
    """What the console's End key does: the whole `meetstream end`, returning its summary line."""
    from meetstream.night import end_meeting, on_air_record
    from meetstream.obs.output import ObsOutputs

    def end() -> str:
        youtube = youtube_onair(settings, store) if on_air_record(store, session.room) else None
        summary = end_meeting(session, ObsOutputs(session.director.conn), youtube, quota_after=store.quota_after)
        line = f"Ended after {summary.duration}: {len(summary.items)} items, {len(summary.incidents)} incidents, {summary.quota_units} quota units."
        return line + ("".join(f" LEFT: {x}" for x in summary.left) if summary.left else "")

    return end


def room_control(settings: Settings, store, room: str, meeting_id: str | None = None):
    """The resident owner of a room's night (`meetstream serve`): its session, put back into the
    recorded state at once (a server restarted after a crash carries on), the watchdog woken by
    OBS's events, YouTube's health on its own thread, and `end`."""
    from zoneinfo import ZoneInfo

    from meetstream.control.room import RoomControl

    session = live_session(settings, store, room, meeting_id)
    session.reassert()
    dog = watchdog(settings, store, session)
    dog.youtube_health = None  # RoomControl checks YouTube on its own thread
    zone = ZoneInfo(settings.council.timezone)
    health = youtube_health(settings, store, session)
    return RoomControl(session, dog, on_end=end_action(settings, store, session), youtube_health=health,
                       youtube_every=settings.youtube.health_every, local_time=lambda dt: dt.astimezone(zone))
