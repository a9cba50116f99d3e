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

from pathlib import Path
from typing import Callable

from meetstream.config import Settings


def scene_set_for(settings: Settings, room: str, override: Path | None = None):
    from meetstream.adapters.obs.sceneset import load_scene_set

    return load_scene_set(override or settings.room(room).scene_set)


def obs_connection(settings: Settings, room: str):
    """A connected adapters.obs.connection.ObsConnection for a configured room (close it, or use `with`)."""
    from meetstream.adapters.obs.connection import connect_room

    return connect_room(settings, room)


def obs_at(host: str, port: int, password: str | None, *, timeout: float = 10):
    """A connected ObsConnection to an OBS that is not in the config (a rehearsal's own)."""
    from meetstream.adapters.obs.connection import ObsConnection

    return ObsConnection(host, port, password, timeout=timeout).connect()


def obs_outputs(conn):
    """OBS's stream and record outputs (adapters.obs.output.ObsOutputs, the night's Outputs port)."""
    from meetstream.adapters.obs.output import ObsOutputs

    return ObsOutputs(conn)


def calendar(settings: Settings, state_path: Path | None, **kw):
    """The configured Graph calendar (adapters.teams.calendar.GraphCalendar), signed in with the token cache
    beside the state store; `sleep=` replaces the real back-off wait (tests, benches)."""
    from meetstream.adapters.teams.calendar import open_calendar

    return open_calendar(settings, state_path, **kw)


def sandbox_calendar(settings: Settings, sim, state_path: Path | None):
    """(settings pointing at a running Graph simulator, its calendar, signed in): rehearsal, tests,
    benches. The simulator's tokens never go in the real Microsoft token cache."""
    from meetstream.adapters.teams.calendar import open_sandbox_calendar

    return open_sandbox_calendar(settings, sim, state_path)


def moderngov(settings: Settings, **kw):
    """The council's modern.gov site (adapters.moderngov.site.ModernGovSite over its web service client) from agendas.moderngov;
    `sleep=` replaces the real waits (tests)."""
    from meetstream.adapters.moderngov import ModernGovClient
    from meetstream.adapters.moderngov.site import ModernGovSite

    cfg = settings.agendas.moderngov
    return ModernGovSite(ModernGovClient(cfg.base_url, timeout=cfg.timeout, retries=cfg.retries, min_interval=cfg.min_interval, **kw))


def youtube_client(settings: Settings, store, **kw):
    """The YouTube client (adapters.youtube.client.YouTubeClient): the real API with the stored
    sign-in, or the simulator that `youtube.api_url` names, counting every call in the store's
    quota ledger; `sleep=` replaces the real back-off wait."""
    from meetstream.adapters.youtube.client import build_client
    from meetstream.core.quota import QuotaLedger

    return build_client(settings, QuotaLedger(store, settings.youtube.daily_quota), **kw)


def youtube_stats(settings: Settings, store, **kw):
    """The report's views port (adapters.youtube.stats.VideoStats): videos.list statistics, 50 ids a call,
    counted in the quota ledger; built on `youtube_client`."""
    from meetstream.adapters.youtube.stats import VideoStats

    return VideoStats(youtube_client(settings, store, **kw))


def caption_tracks(settings: Settings, store, **kw):
    """The captions port (adapters.youtube.captions.CaptionTracks): captions list/download/insert/update/
    delete on `youtube_client`, so every call is in the quota ledger."""
    from meetstream.adapters.youtube.captions import CaptionTracks

    return CaptionTracks(youtube_client(settings, store, **kw))

def video_archive(settings: Settings, store, **kw):
    """The archive port (adapters.youtube.archive.VideoArchive): videos list/update/delete on
    `youtube_client`, so every call is in the quota ledger."""
    from meetstream.adapters.youtube.archive import VideoArchive

    return VideoArchive(youtube_client(settings, store, **kw))


def sign_in_microsoft(settings: Settings, state_path: Path | None, show: Callable[[str], None]):
    """Device-code (or app-only) sign-in to Microsoft 365; adapters.teams.auth.SignedIn."""
    from meetstream.adapters.teams.auth import sign_in

    return sign_in(settings, state_path, show=show)


def sign_in_youtube(settings: Settings, *, open_browser: bool = True, device: bool = False, timeout: float = 600,
                    show: Callable[[str], None] = print) -> Path:
    """Google sign-in for YouTube; returns the token file written (mode 0600). `device`: the
    device flow (a code entered on a laptop or phone, with the 'TVs and Limited Input devices'
    client of youtube.device_client_secrets, else youtube.client_secrets); otherwise the
    installed-app flow in a browser on this computer. Either gives up after `timeout` seconds."""
    from meetstream.adapters.youtube import auth

    yt = settings.youtube
    if device:
        return auth.sign_in_device(yt.device_client_secrets or yt.client_secrets, show=show, timeout=timeout)
    return auth.sign_in(yt.client_secrets, open_browser=open_browser, timeout=timeout)


def apply_scene_set(settings: Settings, key: str, override: Path | None = None, *, dry_run: bool = False):
    """`obs apply`: (scene set, adapters.obs.build.ApplyReport). The file is parsed before OBS is touched."""
    from meetstream.adapters.obs.build import apply

    ss = scene_set_for(settings, key, override)
    with obs_connection(settings, key) as conn:
        return ss, apply(conn, ss, dry_run=dry_run)


def check_scene_set(settings: Settings, key: str, override: Path | None = None):
    """`obs check`, the dry run of the plan: (scene set, what apply would change, one line each)."""
    from meetstream.adapters.obs.build import check

    ss = scene_set_for(settings, key, override)
    with obs_connection(settings, key) as conn:
        return ss, check(conn, ss)


def obs_status(settings: Settings, key: str):
    """(adapters.obs.status.ObsStatus, where OBS is): program, outputs and every input's mute."""
    from meetstream.adapters.obs.status import read_status

    with obs_connection(settings, key) as conn:
        return read_status(conn), conn.where


def director(settings: Settings, room: str, *, override: Path | None = None):
    """A loaded Director on the room's OBS (scene set parsed first: a bad file never touches OBS)."""
    from meetstream.adapters.obs.director import Director

    ss = scene_set_for(settings, room, override)
    return Director(obs_connection(settings, room), ss).load()


def serving(store, key: str) -> dict | None:
    """The one place the full command line decides "through `serve` or directly": the running
    `meetstream serve` for the room (its serve file, meetstream.entrypoints.http.client.find_server,
    which the thin `cue` path reads the same way), or None to act on OBS directly."""
    from meetstream.entrypoints.http.client import find_server

    return find_server(store.path, key)


def watch_settings(settings: Settings, key: str, ss, conn) -> dict:
    """What the room's watchdog is handed besides OBS's outputs: the council's standing order, and
    the programme audio watch (the scene set's microphones, their levels on their own connection),
    and the picture watch (its cameras, NDI feeds and videos)."""
    from meetstream.adapters.obs.frames import MOVING, ObsFrames
    from meetstream.services.watchdog import StandingOrder

    cfg = settings.room(key)
    out: dict = {"standing_order": StandingOrder(cfg.standing_order.minutes, cfg.standing_order.text())
                 if cfg.standing_order else None}
    mics = tuple(ss.microphones())
    if cfg.silence_seconds and mics:
        from meetstream.adapters.obs.levels import listen_levels

        out |= {"microphones": mics, "silence_seconds": cfg.silence_seconds,
                "levels": listen_levels(conn, mics, threshold_db=cfg.silence_db)}
    moving = {name: spec.kind for name, spec in ss.inputs.items() if spec.kind in MOVING}
    if cfg.frozen_seconds and moving:
        out |= {"frames": ObsFrames(conn.sibling(), moving), "frozen_seconds": cfg.frozen_seconds}
    return out


def recording_left(settings: Settings, key: str, session, conn):
    """The recording's disk against what is left of the meeting (at least half an hour: meetings
    overrun), for the watchdog's once-a-minute look (services.recording.space_now)."""
    from datetime import datetime, timezone

    from meetstream.adapters.obs.recording import ObsRecordingDisk
    from meetstream.services.recording import space_now

    meeting = session.meeting
    left = 30.0 if meeting is None else max(30.0, (meeting.end - datetime.now(timezone.utc)).total_seconds() / 60)
    return space_now(ObsRecordingDisk(conn), settings.room(key), left)


def room(settings: Settings, store, key: str, meeting_id: str | None = None, *, conn=None, clock=None,
         outputs=None, youtube_sleep: Callable[[float], None] | None = None, build_scenes: bool = False):
    """A room wired for the night (meetstream.services.night.Night). `conn`, `clock`, `outputs` and
    `youtube_sleep` replace the real ones (tests, rehearsal, benches); the scene set is parsed
    before OBS is touched.
    `build_scenes` applies the scene set first (a fresh OBS: the rehearsal's, a bench's)."""
    from meetstream.adapters.obs.director import Director
    from meetstream.services.night import Night
    from meetstream.services.session import LiveSession, check_room_free

    ss = scene_set_for(settings, key)
    meeting = store.get_meeting(meeting_id) if meeting_id else None
    check_room_free(store, key, meeting)  # before OBS is touched
    conn = conn or obs_connection(settings, key)
    if build_scenes:
        Director(conn, ss).ensure_scene_set()
    session = LiveSession(store, Director(conn, ss).load(), key, meeting, **({"clock": clock} if clock else {}))

    def youtube():
        from meetstream.adapters.youtube.golive import LiveControl
        from meetstream.services.onair import YouTubeOnAir

        kw = {"sleep": youtube_sleep} if youtube_sleep else {}
        client = youtube_client(settings, store, **kw)
        return YouTubeOnAir(client, store, settings, live=LiveControl(client, **kw))

    def watchdog(events: bool = True):
        # Woken by OBS's own events too, on a second, listen-only connection.
        from meetstream.services.watchdog import Watchdog

        dog = Watchdog(session, obs_outputs(conn), **watch_settings(settings, key, ss, conn),
                       recording_space=lambda: recording_left(settings, key, session, conn))
        return dog.watch_events(conn.listen) if events else dog

    def recording_disk():
        from meetstream.adapters.obs.recording import ObsRecordingDisk

        return ObsRecordingDisk(conn)

    night_outputs = outputs or obs_outputs(conn)
    relay = None
    if settings.room(key).backup_ingest:
        def relay():
            return relay_supervisor(settings, store, key, session, night_outputs)

    chamber = None
    if settings.room(key).chamber is not None:
        chamber = lambda control: chamber_director(settings, store, key, session, control, conn)  # noqa: E731

    return Night(settings, store, key, session, night_outputs, youtube, watchdog, conn.close,
                 recording_disk=recording_disk, relay_port=relay, chamber_port=chamber)


def chamber_director(settings: Settings, store, key: str, session, control, conn, **kw):
    """The room's automatic director (services.chamber.ChamberDirector): its microphone system's
    driver (adapters.chamber, or OBS's own levels), made again whenever it fails; its PTZ cameras;
    the seat map with members from the meeting and the roster. `kw`: the director's knobs (tests)."""
    from meetstream.adapters.chamber.visca import ViscaCamera
    from meetstream.chamber_config import director_settings, seat_map
    from meetstream.core.roster import Roster, RosterEntry
    from meetstream.services.chamber import ChamberDirector, Reconnecting
    from meetstream.services.meetings.roster_file import load_roster
    from meetstream.yamlfile import load_yaml

    cfg = settings.room(key).chamber
    doc = load_yaml(cfg.seat_map)

    def seats_for(meeting):
        roster = load_roster(settings.roster)
        if meeting is not None:  # the meeting's own members first: their roles are this committee's
            roster = Roster(tuple(RosterEntry(m) for m in meeting.members) + roster.entries, source=roster.source)
        try:
            return seat_map(doc.data, roster, cfg.cameras, meeting.committee if meeting else None)
        except ValueError as err:
            from meetstream.errors import ConfigError

            raise ConfigError(f"{cfg.seat_map}: {err}") from None

    seats = seats_for(session.meeting)  # a mistake in the file stops `serve` here, with its line
    cameras = {name: ViscaCamera(c.host, c.port, address=c.address, sequence_zero=c.sequence_zero, header=c.header,
                                 name=name) for name, c in cfg.cameras.items()}
    source = Reconnecting(lambda: mic_source(cfg.system, conn), cfg.system.kind)
    # Meeting after meeting in one `serve`: the next committee's members and roles name the seats.
    return ChamberDirector(source, seats, act=control.act, session_state=lambda: session.state,
                           meeting=lambda: session.meeting.id if session.meeting else None,
                           seats_now=lambda: seats_for(session.meeting),
                           settings=director_settings(cfg), cameras=cameras, auto=cfg.auto,
                           recent=lambda: store.timeline(session.timeline_id)[-10:], version=lambda: control.version, **kw)


def rehearsal_mics(chamber):
    """The real driver for a rehearsal's simulated chamber (sandbox.chamber.rehearsal.RehearsalChamber)."""
    if chamber.kind == "dicentis":
        from meetstream.adapters.chamber.dicentis import DicentisClient

        return DicentisClient(chamber.url, chamber.user, chamber.password, timeout=5)
    if chamber.kind == "shure":
        from meetstream.adapters.chamber.shure import ShureDisClient

        return ShureDisClient("127.0.0.1", chamber.port)
    if chamber.kind == "televic":
        from meetstream.adapters.chamber.televic import TelevicCameraListener

        listener = TelevicCameraListener("127.0.0.1", 0)
        chamber.listening(listener.port)
        return listener
    from meetstream.core.chamber import LevelDetector, LevelSettings
    from meetstream.services.chamber import LevelMics

    return LevelMics(chamber.levels, LevelDetector(LevelSettings()), list(chamber.seats),
                     **({"clock": chamber.clock} if chamber.clock else {}))


def mic_source(system, conn):
    """The driver for a room's microphone system (chamber_config.MicSystemConfig); the password
    from the environment variable it names, never from the file."""
    import os

    kind = system.kind
    if kind == "dicentis":
        from meetstream.adapters.chamber.dicentis import PORT, DicentisClient

        scheme = "wss" if system.verify_tls or system.ca_file else "ws"
        url = f"{scheme}://{system.host}:{system.port or PORT}/Dicentis/API"
        return DicentisClient(url, system.user, os.environ.get(system.password_env, ""), verify_tls=system.verify_tls,
                              ca_file=str(system.ca_file) if system.ca_file else None)
    if kind == "shure":
        from meetstream.adapters.chamber.shure import DIS_PORT, ShureDisClient

        return ShureDisClient(system.host, system.port or DIS_PORT)
    if kind == "televic-udp":
        from meetstream.adapters.chamber.televic import CAMERA_PORT, TelevicCameraListener

        return TelevicCameraListener(system.host or "0.0.0.0", system.port or CAMERA_PORT)
    if kind == "cocon":
        from meetstream.adapters.chamber.televic import COCON_PORT, CoConClient

        return CoConClient(f"http://{system.host}:{system.port or COCON_PORT}")
    from meetstream.adapters.obs.levels import listen_levels
    from meetstream.core.chamber import LevelDetector, LevelSettings
    from meetstream.services.chamber import LevelMics

    levels = listen_levels(conn, system.inputs, threshold_db=system.threshold_db)
    return LevelMics(levels, LevelDetector(LevelSettings(threshold_db=system.threshold_db)), system.inputs)


def relay_supervisor(settings: Settings, store, key: str, session, outputs, **kw):
    """A room's second-ingest relay (adapters.media.relay.FfmpegRelay, its files in relay-<room>/ beside
    the store) under services.relay.RelaySupervisor, writing its incidents on the session's timeline.
    `kw`: the supervisor's knobs (tests: short back-off)."""
    from meetstream.adapters.media.relay import FfmpegRelay
    from meetstream.services.relay import Ingests, RelaySupervisor

    def ingests():  # a relay adopted from `meetstream start`: the addresses again (liveStreams.list, 1 unit)
        from meetstream.services.streams import room_stream

        rs = room_stream(youtube_client(settings, store), store, settings, key)
        return Ingests(rs.ingestion_address, rs.backup_ingestion_address, rs.key)

    folder = Path(store.path).parent / f"relay-{key}"
    return RelaySupervisor(FfmpegRelay(folder), outputs, session.incident,
                           lambda: store.streaming_expected(key), ingests=ingests, **kw)


def recovery(settings: Settings, store, **kw):
    """What `meetstream recover` is handed: (the archive port on the YouTube client, the resumable
    uploader, the media tools): adapters.youtube.upload.VideoUploads over `youtube_client` (every call
    in the quota ledger) and adapters.media.cut.MediaTools (ffmpeg/ffprobe)."""
    from meetstream.adapters.media.cut import MediaTools
    from meetstream.adapters.youtube.upload import VideoUploads
    from meetstream.core.quota import QuotaLedger

    client = youtube_client(settings, store, **{k: v for k, v in kw.items() if k == "sleep"})
    uploads = VideoUploads.for_client(client, settings, QuotaLedger(store, settings.youtube.daily_quota), **kw)
    return uploads, MediaTools()
