"""`meetstream rehearse`: a whole meeting night against the simulators, with no real account.

The sample council's calendar is served by the Graph simulator and synced; its meetings are
scheduled on the YouTube simulator, whose ingestion points at a local nginx-rtmp (when it is
installed) so the stream goes active when OBS really publishes; OBS is the officer's own or,
with --headless, one started under Xvfb. `--script auto` then walks the agenda unattended,
Part 2 included, and ends the meeting: timeline, chapters, quota and a screenshot of the
program output at each state are saved in the rehearsal folder.

Meeting time runs on a rehearsal clock that moves on a few minutes at each step, so the
timeline and chapters look like a real evening's; the YouTube simulator shares that clock.
"""

from __future__ import annotations

import base64
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from meetstream.errors import MeetstreamError, StateError
from meetstream.paths import example_scene_set

SCENES = example_scene_set()
STEP = timedelta(minutes=4)


class RehearsalClock:
    """Real time plus whatever the script has skipped ahead."""

    def __init__(self):
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return (datetime.now(timezone.utc) + self.offset).replace(microsecond=0)

    def epoch(self) -> float:
        return (datetime.now(timezone.utc) + self.offset).timestamp()

    def skip(self, delta: timedelta = STEP) -> None:
        self.offset += delta


@dataclass
class RehearsalReport:
    folder: Path
    meeting: str = ""
    screenshots: list[Path] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)
    chapters: str = ""
    quota_units: int = 0
    summary: object = None
    youtube_writes: list[str] = field(default_factory=list)


# The unattended script: (what the officer does, the session method, its argument).
def auto_script(meeting) -> list[tuple[str, str, str | None]]:
    """Chamber, then every item in order with a speaker on each public one, the gallery, a recess;
    an exempt item goes private by itself, and the public is readmitted on the next public item."""
    steps: list[tuple[str, str, str | None]] = [("Chamber on air", "chamber", None)]
    members = list(meeting.members)
    private = False
    for n, item in enumerate(meeting.agenda):
        steps.append((f"Item {item.number}", "go_to_item", item.number))
        if item.exempt:
            private = True
            continue
        if private:
            steps.append(("Public readmitted", "public", None))
            private = False
        if members:
            m = members[n % len(members)]
            steps.append((f"Speaker: {m.display_name()}", "speaker", m.name))
        if n == 1:
            steps.append(("Teams gallery", "gallery", None))
        if n == 3:
            steps += [("Recess", "recess", None), ("Resume", "resume", None)]
    return steps


def run_rehearsal(folder: Path, *, headless: bool, script: str | None, obs_settings=None,
                  say: Callable[[str], None] = print, pause: float = 0.5, stream_timeout: float = 60.0) -> RehearsalReport:
    from meetstream import bootstrap
    from meetstream.config import CouncilConfig, RoomConfig, Settings, YouTubeConfig
    from meetstream.meetings.sync import sync_calendar
    from meetstream.obs.headless import HeadlessObs
    from meetstream.sandbox.graph import SAMPLE_COUNCIL, SAMPLE_ROSTER, GraphSimulator
    from meetstream.sandbox.rtmp import LocalRtmpServer, nginx_available
    from meetstream.sandbox.youtube import YouTubeSandbox
    from meetstream.schedule import schedule
    from meetstream.store import Store

    folder.mkdir(parents=True, exist_ok=True)
    report = RehearsalReport(folder)
    clock = RehearsalClock()
    with ExitStack() as stack:
        graph = GraphSimulator.from_file(SAMPLE_COUNCIL, device_interval=0).start()
        stack.callback(graph.stop)
        youtube_sim = YouTubeSandbox(clock=clock.epoch).start()
        stack.callback(youtube_sim.stop)
        if nginx_available():
            rtmp = LocalRtmpServer(folder / "rtmp", callback_url=youtube_sim.rtmp_callback_url).start()
            stack.callback(rtmp.stop)
            youtube_sim.ingestion_address = rtmp.ingest_url
            say(f"RTMP ingest: nginx-rtmp on {rtmp.ingest_url}")
        else:
            rtmp = None
            say("RTMP ingest: nginx-rtmp is not installed; the YouTube simulator is told of the stream directly")

        if headless:
            obs_server = HeadlessObs(folder / "obs-home").start()
            stack.callback(obs_server.stop)
            host, port, password = "127.0.0.1", obs_server.port, obs_server.password
            say(f"OBS: headless under Xvfb on port {port}")
        else:
            if obs_settings is None:
                raise StateError("rehearsing with your own OBS needs a meetstream.yaml room; or pass --headless")
            from meetstream import secrets

            host, port = obs_settings.host, obs_settings.port
            password = secrets.get_secret(obs_settings.password_env, "obs:chamber")

        settings = Settings(
            council=CouncilConfig(name="Northdale District Council (rehearsal)"),
            rooms={
                "chamber": RoomConfig(name="Council Chamber", locations=["Council Chamber", "Town Hall - Council Chamber"],
                                      scene_set=SCENES),
                "committee1": RoomConfig(name="Committee Room 1", locations=["Committee Room 1"], scene_set=SCENES),
            },
            roster=SAMPLE_ROSTER,
            youtube=YouTubeConfig(api_url=youtube_sim.url, privacy="unlisted"),
        )
        store = Store.open(folder / "state.sqlite3")
        stack.callback(store.close)

        settings, calendar = bootstrap.sandbox_calendar(settings, graph, folder / "state.sqlite3")
        synced = sync_calendar(store, settings, calendar)
        say(f"Calendar: synced the sample council from the Graph simulator: {synced.events} events, "
            f"{synced.inserted} meetings stored, {synced.not_webcast} not webcast, {synced.requests} request(s)")
        for warning in synced.warnings:
            say(f"  warning: {warning}")
        result = schedule(settings, store, days=60, open_client=lambda: bootstrap.youtube_client(settings, store))
        say(f"YouTube: {len(result.done)} broadcast(s) scheduled on the simulator, {result.units_spent} quota units")
        upcoming = store.meetings(datetime.now(timezone.utc), room="chamber")
        if not upcoming:
            raise StateError("the sample council has no upcoming meeting in the Council Chamber")
        meeting = upcoming[0]
        report.meeting = f"{meeting.committee}, {meeting.start:%Y-%m-%d %H:%M} UTC"
        say(f"Meeting: {report.meeting}: {len(meeting.agenda)} agenda items "
            f"({sum(i.exempt for i in meeting.agenda)} exempt), {len(meeting.members)} members")

        conn = bootstrap.obs_at(host, port, password)
        stack.callback(conn.close)
        room = bootstrap.room(settings, store, "chamber", meeting.id, conn=conn, clock=clock.now, build_scenes=True,
                              outputs=None if rtmp else _TellingOutputs(bootstrap.obs_outputs(conn), youtube_sim))
        session, director = room.session, room.session.director

        shots = folder / "screenshots"
        shots.mkdir(exist_ok=True)

        def shot(label: str) -> None:
            scene = director.program_scene()
            data = conn.call("GetSourceScreenshot", {"sourceName": scene, "imageFormat": "png", "imageWidth": 640})["imageData"]
            path = shots / f"{len(report.screenshots) + 1:02d}-{label}.png"
            path.write_bytes(base64.b64decode(data.split(",", 1)[1]))
            report.screenshots.append(path)

        room.start(progress=lambda s, d: say(f"  ✓ {s}" + (f" — {d}" if d else "")), stream_timeout=stream_timeout)
        shot("holding")

        if script is None:
            from meetstream.console import LiveConsole

            def end() -> str:  # `e` ends the rehearsal's meeting exactly as on the night
                clock.skip()
                summary = room.end()
                return f"Ended after {summary.duration}: {len(summary.items)} items; press q to leave the rehearsal"

            control = room.control(on_end=end)
            try:
                LiveConsole(control).run()
            finally:
                control.stop()
        else:
            for label, method, arg in auto_script(meeting):
                clock.skip()
                try:
                    getattr(session, method)(*([arg] if arg is not None else []))
                except MeetstreamError as err:
                    say(f"  ! {label}: {err}")
                    continue
                state = session.state.value.replace("_", " ").upper()
                say(f"  {clock.now():%H:%M} {state:9} {label}")
                shot(f"{session.state.value}-{_slug(label)}")
                time.sleep(pause)
        clock.skip()
        summary = room.end(progress=lambda s, d: say(f"  ✓ {s}" + (f" — {d}" if d else "")))
        shot("adjourned")
        report.summary = summary
        report.chapters = summary.chapters
        report.quota_units = summary.quota_units
        report.timeline = [timeline_line(e) for e in store.timeline(meeting.id)]
        report.youtube_writes = [c.method for c in youtube_sim.write_calls()]
        (folder / "timeline.txt").write_text("\n".join(report.timeline) + "\n")
        (folder / "chapters.txt").write_text(report.chapters + "\n")
    return report


def timeline_line(e) -> str:
    extra = e.detail.get("member") or e.detail.get("what") or e.detail.get("reason") or ""
    return f"{e.at:%H:%M:%S}  {e.kind:9} {('item ' + e.item_number) if e.item_number else '':8} {extra}".rstrip()


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:40]


class _TellingOutputs:
    """Without nginx-rtmp there is no ingest to publish to: tell the simulator directly."""

    def __init__(self, obs_outputs, sim):
        self._obs, self._sim, self._key = obs_outputs, sim, None

    def set_target(self, server, key):
        self._key = key
        return False

    def start_stream(self):
        self._sim.publish(self._key)

    def restart_stream(self):
        self.start_stream()

    def stop_stream(self):
        self._sim.publish_done(self._key)

    def streaming(self):
        return False

    def __getattr__(self, name):
        return getattr(self._obs, name)
