"""The composition root: the one place that builds adapters and wires a room's night.

Everything else is handed what it needs. `room()` builds a Room from settings: the OBS connection
(or one handed in: the tests' headless OBS, a rehearsal's), the scene set, the Director, the live
session, OBS's outputs and, when first needed, the YouTube client (the real API, or the simulator
that `youtube.api_url` names in a rehearsal, a test or a bench). The commands (`cue`, `start`,
`end`, `live`, `serve`), the rehearsal, the tests and the benches all start from here.

The other builders hand a service its adapter: `calendar()` (Graph, signed in with the token
cache beside the state store), `sandbox_calendar()` (a Graph simulator, for rehearsal),
`youtube_client()`, and the one-shot OBS tasks behind `obs apply/check/status`. `cli/` imports
no adapter package: it comes here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from meetstream.config import Settings


def scene_set_for(settings: Settings, room: str, override: Path | None = None):
    from meetstream.obs.sceneset import load_scene_set

    return load_scene_set(override or settings.room(room).scene_set)


def obs_connection(settings: Settings, room: str):
    """A connected obs.connection.ObsConnection for a configured room (close it, or use `with`)."""
    from meetstream.obs.connection import connect_room

    return connect_room(settings, room)


def obs_at(host: str, port: int, password: str | None, *, timeout: float = 10):
    """A connected ObsConnection to an OBS that is not in the config (a rehearsal's own)."""
    from meetstream.obs.connection import ObsConnection

    return ObsConnection(host, port, password, timeout=timeout).connect()


def obs_outputs(conn):
    """OBS's stream and record outputs (obs.output.ObsOutputs, the night's Outputs port)."""
    from meetstream.obs.output import ObsOutputs

    return ObsOutputs(conn)


def calendar(settings: Settings, state_path: Path | None, **kw):
    """The configured Graph calendar (teams.calendar.GraphCalendar), signed in with the token cache
    beside the state store; `sleep=` replaces the real back-off wait (tests, benches)."""
    from meetstream.teams.calendar import open_calendar

    return open_calendar(settings, state_path, **kw)


def sandbox_calendar(settings: Settings, sim, state_path: Path | None):
    """(settings pointing at a running Graph simulator, its calendar, signed in): rehearsal, tests,
    benches. The simulator's tokens never go in the real Microsoft token cache."""
    from meetstream.teams.calendar import open_sandbox_calendar

    return open_sandbox_calendar(settings, sim, state_path)


def moderngov(settings: Settings, **kw):
    """The council's modern.gov web service (moderngov.ModernGovClient) from agendas.moderngov;
    `sleep=` replaces the real waits (tests)."""
    from meetstream.moderngov import ModernGovClient

    cfg = settings.agendas.moderngov
    return ModernGovClient(cfg.base_url, timeout=cfg.timeout, retries=cfg.retries, min_interval=cfg.min_interval, **kw)


def youtube_client(settings: Settings, store, **kw):
    """The YouTube client (youtube.client.YouTubeClient): the real API with the stored sign-in, or
    the simulator that `youtube.api_url` names; `sleep=` replaces the real back-off wait."""
    from meetstream.youtube.client import build_client

    return build_client(settings, store, **kw)


def youtube_stats(settings: Settings, store, **kw):
    """The report's views port (youtube.stats.VideoStats): videos.list statistics, 50 ids a call,
    counted in the quota ledger; built on `youtube_client`."""
    from meetstream.youtube.stats import VideoStats

    return VideoStats(youtube_client(settings, store, **kw))


def caption_tracks(settings: Settings, store, **kw):
    """The captions port (youtube.captions.CaptionTracks): captions list/download/insert/update/
    delete on `youtube_client`, so every call is in the quota ledger."""
    from meetstream.youtube.captions import CaptionTracks

    return CaptionTracks(youtube_client(settings, store, **kw))

def sign_in_microsoft(settings: Settings, state_path: Path | None, show: Callable[[str], None]):
    """Device-code (or app-only) sign-in to Microsoft 365; teams.auth.SignedIn."""
    from meetstream.teams.auth import sign_in

    return sign_in(settings, state_path, show=show)


def sign_in_youtube(settings: Settings, *, open_browser: bool = True, device: bool = False, timeout: float = 600,
                    show: Callable[[str], None] = print) -> Path:
    """Google sign-in for YouTube; returns the token file written (mode 0600). `device`: the
    device flow (a code entered on a laptop or phone, with the 'TVs and Limited Input devices'
    client of youtube.device_client_secrets, else youtube.client_secrets); otherwise the
    installed-app flow in a browser on this computer. Either gives up after `timeout` seconds."""
    from meetstream.youtube import auth

    yt = settings.youtube
    if device:
        return auth.sign_in_device(yt.device_client_secrets or yt.client_secrets, show=show, timeout=timeout)
    return auth.sign_in(yt.client_secrets, open_browser=open_browser, timeout=timeout)


def apply_scene_set(settings: Settings, key: str, override: Path | None = None, *, dry_run: bool = False):
    """`obs apply`: (scene set, obs.build.ApplyReport). The file is parsed before OBS is touched."""
    from meetstream.obs.build import apply

    ss = scene_set_for(settings, key, override)
    with obs_connection(settings, key) as conn:
        return ss, apply(conn, ss, dry_run=dry_run)


def check_scene_set(settings: Settings, key: str, override: Path | None = None):
    """`obs check`, the dry run of the plan: (scene set, what apply would change, one line each)."""
    from meetstream.obs.build import check

    ss = scene_set_for(settings, key, override)
    with obs_connection(settings, key) as conn:
        return ss, check(conn, ss)


def obs_status(settings: Settings, key: str):
    """(obs.status.ObsStatus, where OBS is): program, outputs and every input's mute."""
    from meetstream.obs.status import read_status

    with obs_connection(settings, key) as conn:
        return read_status(conn), conn.where


def director(settings: Settings, room: str, *, override: Path | None = None):
    """A loaded Director on the room's OBS (scene set parsed first: a bad file never touches OBS)."""
    from meetstream.obs.director import Director

    ss = scene_set_for(settings, room, override)
    return Director(obs_connection(settings, room), ss).load()


def room(settings: Settings, store, key: str, meeting_id: str | None = None, *, conn=None, clock=None,
         outputs=None, youtube_sleep: Callable[[float], None] | None = None, build_scenes: bool = False) -> "Room":
    """A room wired for the night. `conn`, `clock`, `outputs` and `youtube_sleep` replace the real
    ones (tests, rehearsal, benches); the scene set is parsed before OBS is touched.
    `build_scenes` applies the scene set first (a fresh OBS: the rehearsal's, a bench's)."""
    from meetstream.obs.director import Director
    from meetstream.session import LiveSession, check_room_free

    ss = scene_set_for(settings, key)
    meeting = store.get_meeting(meeting_id) if meeting_id else None
    check_room_free(store, key, meeting)  # before OBS is touched
    conn = conn or obs_connection(settings, key)
    if build_scenes:
        Director(conn, ss).ensure_scene_set()
    session = LiveSession(store, Director(conn, ss).load(), key, meeting, **({"clock": clock} if clock else {}))
    return Room(settings, store, key, session, outputs or obs_outputs(conn), youtube_sleep)


@dataclass
class Room:
    """One room's night: the session and the ports the night's services need."""

    settings: Settings
    store: object
    key: str
    session: object
    outputs: object
    youtube_sleep: Callable[[float], None] | None = None
    _youtube: object = field(default=None, repr=False)

    @property
    def conn(self):
        return self.session.director.conn

    def youtube(self):
        """The YouTube port (meetstream.youtube.onair.YouTubeOnAir), built once, when first needed."""
        if self._youtube is None:
            from meetstream.youtube.golive import LiveControl
            from meetstream.youtube.onair import YouTubeOnAir

            kw = {"sleep": self.youtube_sleep} if self.youtube_sleep else {}
            client = youtube_client(self.settings, self.store, **kw)
            self._youtube = YouTubeOnAir(client, self.store, self.settings, live=LiveControl(client, **kw))
        return self._youtube

    def start(self, **kw) -> dict:
        from meetstream.night import start_meeting

        return start_meeting(self.session, self.outputs, self.youtube(), record_backup=self.settings.room(self.key).record_backup, **kw)

    def end(self, **kw):
        """The whole `meetstream end`; YouTube is only called when this room went on air."""
        from meetstream.night import end_meeting, on_air_record

        youtube = self.youtube() if on_air_record(self.store, self.key) else None
        return end_meeting(self.session, self.outputs, youtube, quota_after=self.store.quota_after, **kw)

    def youtube_health(self) -> Callable[[], str] | None:
        """YouTube's view of the room's stream (1 unit a call), or None while not on air."""
        from meetstream.night import on_air_record

        record = on_air_record(self.store, self.key)
        if not record or not self.session.meeting or record.get("meeting_id") != self.session.meeting.id:
            return None
        youtube = self.youtube()
        return lambda: youtube.health(record["stream_id"])

    def watchdog(self, *, events: bool = True):
        """The watchdog on OBS's outputs, woken by OBS's own events too (a second, listen-only
        connection); `.stop()` it."""
        from meetstream.watchdog import Watchdog

        dog = Watchdog(self.session, obs_outputs(self.conn))
        return dog.watch_events(self.conn.listen) if events else dog

    def control(self, *, on_end: Callable[[], str] | None = None):
        """The room's resident control (what `meetstream serve` and the console run), started:
        OBS put back into the recorded state first, the watchdog, YouTube's health on its own
        thread, and End."""
        from meetstream.control.room import RoomControl
        from meetstream.timefmt import local

        self.session.reassert()
        zone = self.settings.council.timezone
        return RoomControl(self.session, self.watchdog(), on_end=on_end or self.end,
                           youtube_health=self.youtube_health(), youtube_every=self.settings.youtube.health_every,
                           local_time=lambda dt: local(dt, zone)).start()

    def close(self) -> None:
        self.conn.close()
