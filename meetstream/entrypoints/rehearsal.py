"""`meetstream rehearse`: a whole meeting night against the simulators, with no real account.

The sample council's calendar is served by the Graph simulator and synced; its meetings are
scheduled on the YouTube simulator, whose ingestion points at a local nginx-rtmp (when it is
installed) so the stream goes active when OBS really publishes; OBS is the officer's own or,
with --headless, one started under Xvfb. `--script auto` then walks the agenda unattended,
Part 2 included, and ends the meeting: timeline, chapters, quota and a screenshot of the
program output at each state are saved in the rehearsal folder.

Meeting time runs on a rehearsal clock that moves on a few minutes at each step, so the
timeline and chapters look like a real evening's; the YouTube simulator shares that clock. Times
are shown in the council's zone.

The chamber camera is a moving test picture (ffmpeg's testsrc2 through OBS's media source), so
the stream visibly lives. On the officer's own OBS the rehearsal works in a scene collection of
its own and puts their collection and stream settings back afterwards; it says so first.
Each screenshot is taken once OBS has drawn the step's new title and lower third (OBS applies
text changes on its next video frame), and screenshots.json says what each one should show.
"""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from meetstream.adapters.obs.rehearsal import OverlayWatch, TestCameras, borrow_obs, program_png
from meetstream.errors import MeetstreamError, StateError
from meetstream.paths import example_scene_set
from meetstream.core.timefmt import local

SCENES = example_scene_set()
STEP = timedelta(minutes=4)
ZONE = "Europe/London"
# Dim moving pictures for the cameras (grey) and the captured screens (tinted: under Xvfb a screen
# capture would show OBS's own window): the stream visibly lives, and white titles stay readable.
TEST_PICTURES = {
    "camera": "testsrc2=size=640x360:rate=15,hue=s=0,eq=brightness=-0.3:contrast=0.5",
    "screen": "testsrc2=size=640x360:rate=15,hue=h=210:s=0.6,eq=brightness=-0.3:contrast=0.5",
}


def test_picture(kind: str) -> dict:
    """OBS media-source settings for a moving test picture made by ffmpeg's lavfi."""
    return {"is_local_file": False, "input_format": "lavfi", "input": TEST_PICTURES[kind], "looping": True,
            "close_when_inactive": False, "restart_on_activate": False}


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
    summaries: list = field(default_factory=list)  # each meeting's end, in order (--meetings N)


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


DEBATE_MINUTES = 3  # of the recorded debate, replayed at DEBATE_SCALE
DEBATE_SCALE = 10.0


def debate(kind: str, session, meeting, say: Callable[[str], None]) -> int:
    """A recorded debate through the chamber's microphones: the simulator of `kind`, its real
    driver, the automatic director, the room's control (each shot decided by the one rulebook).
    The turns are a real hearing's (meetstream/sandbox/data/debate-trace.json names its source),
    seated as the meeting's first members and replayed DEBATE_SCALE times faster. Returns how many
    automatic shots OBS took."""
    import json
    from datetime import timedelta

    from meetstream.core.autodirector import DirectorSettings, Seat, SeatMap
    from meetstream.sandbox.chamber.rehearsal import RehearsalChamber
    from meetstream.services.chamber import ChamberDirector, Reconnecting
    from meetstream.services.control import RoomControl

    doc = json.loads((Path(__file__).resolve().parents[1] / "sandbox" / "data" / "debate-trace.json").read_text())
    speakers = list(dict.fromkeys(t["speaker"] for t in doc["turns"]))
    members = list(meeting.members[:len(speakers)])
    if not members:
        say("  ! chamber: the meeting has no members to seat")
        return 0
    seat_of = {name: str(i + 1) for i, name in enumerate(speakers[:len(members)])}
    seats = {seat_of[name]: Seat(seat_of[name], m, priority=(i == 0)) for i, (name, m) in enumerate(zip(speakers, members))}
    begun = time.monotonic()
    t0 = datetime.now(timezone.utc)
    trace_clock = lambda: t0 + timedelta(seconds=(time.monotonic() - begun) * DEBATE_SCALE)  # noqa: E731
    chamber = RehearsalChamber(kind, {mic: seat.member.display_name() for mic, seat in seats.items()}, clock=trace_clock)
    control = RoomControl(session, None, tick_every=3600).start()
    from meetstream import bootstrap

    director = ChamberDirector(Reconnecting(lambda: bootstrap.rehearsal_mics(chamber), kind), SeatMap(seats), act=control.act,
                               session_state=lambda: session.state, settings=DirectorSettings(),
                               recent=lambda: session.store.timeline(session.timeline_id)[-10:],
                               version=lambda: control.version, tick_every=0.05, clock=trace_clock).start()
    say(f"  Chamber: {kind} simulator, {len(seats)} seats; the automatic director on for {DEBATE_MINUTES} minutes of "
        f"a recorded debate ({doc['source'].split(';')[0]}), {DEBATE_SCALE:g}x")
    try:
        control.act("auto", {"mode": "on"})
        cues = sorted([(t["on"], True, seat_of[t["speaker"]]) for t in doc["turns"] if t["speaker"] in seat_of]
                      + [(t["off"], False, seat_of[t["speaker"]]) for t in doc["turns"] if t["speaker"] in seat_of])
        cues = [c for c in cues if c[0] <= DEBATE_MINUTES * 60]
        begun = time.monotonic()
        for at, on, mic in cues:
            wait = begun + at / DEBATE_SCALE - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            (chamber.on if on else chamber.off)(mic)
        time.sleep(1.0)
        control.act("auto", {"mode": "off"})
    finally:
        director.stop()
        control.stop()
        chamber.close()
    taken = [e for e in session.store.timeline(session.timeline_id) if e.detail.get("auto")]
    say(f"  Chamber: {len([c for c in cues if c[1]])} turns, {len(taken)} automatic shots taken by OBS")
    return len(taken)


def run_rehearsal(folder: Path, *, headless: bool, script: str | None, obs_settings=None,
                  say: Callable[[str], None] = print, pause: float = 0.5, stream_timeout: float = 60.0,
                  agendas: str = "calendar", meetings: int = 1, chamber: str | None = None) -> RehearsalReport:
    """The night; with `meetings` above 1, the chamber's next meetings one after another in the
    same room, OBS and store, each started, run and ended as on its own night."""
    from meetstream import bootstrap
    from meetstream.config import CouncilConfig, RoomConfig, Settings, YouTubeConfig
    from meetstream.config import AgendasConfig, ModernGovConfig
    from meetstream.services.meetings.sync import sync_meetings
    from meetstream.adapters.obs.headless import HeadlessObs
    from meetstream.sandbox.graph import SAMPLE_COUNCIL, SAMPLE_ROSTER, GraphSimulator
    from meetstream.sandbox.rtmp import LocalRtmpServer, nginx_available
    from meetstream.sandbox.youtube import YouTubeSandbox
    from meetstream.services.schedule import schedule
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

        scenes = rehearsal_scene_set(SCENES, folder / "scenes")
        settings = Settings(
            council=CouncilConfig(name="Northdale District Council (rehearsal)", timezone=ZONE),
            rooms={
                "chamber": RoomConfig(name="Council Chamber", locations=["Council Chamber", "Town Hall - Council Chamber"],
                                      scene_set=scenes),
                "committee1": RoomConfig(name="Committee Room 1", locations=["Committee Room 1"], scene_set=scenes),
            },
            roster=SAMPLE_ROSTER,
            youtube=YouTubeConfig(api_url=youtube_sim.url, privacy="unlisted"),
        )
        moderngov = None
        if agendas == "moderngov":
            from meetstream.sandbox.moderngov import ModernGovSimulator

            site = ModernGovSimulator.from_sample_council(SAMPLE_COUNCIL).start()
            stack.callback(site.stop)
            settings = settings.model_copy(update={"agendas": AgendasConfig(source="moderngov", moderngov=ModernGovConfig(
                base_url=site.url, committees=_sample_committee_rooms(settings), min_interval=0))})
            moderngov = bootstrap.moderngov(settings)
            say(f"Agendas: from the modern.gov simulator on {site.url} (the sample council's committees)")
        store = Store.open(folder / "state.sqlite3")
        stack.callback(store.close)

        settings, calendar = bootstrap.sandbox_calendar(settings, graph, folder / "state.sqlite3")
        synced, joined = sync_meetings(store, settings, calendar, moderngov)
        if joined is not None:
            say(f"modern.gov: {joined.meetings} meetings read ({joined.requests} requests), {joined.joined} joined with "
                f"the calendar, {joined.alone} from modern.gov only")
        say(f"Calendar: synced the sample council from the Graph simulator: {synced.events} events, "
            f"{synced.inserted} meetings stored, {synced.not_webcast} not webcast, {synced.requests} request(s)")
        for warning in synced.warnings:
            say(f"  warning: {warning}")
        result = schedule(settings, store, days=60, open_client=lambda: bootstrap.youtube_client(settings, store))
        say(f"YouTube: {len(result.done)} broadcast(s) scheduled on the simulator, {result.units_spent} quota units")
        upcoming = store.meetings(datetime.now(timezone.utc), room="chamber")
        if len(upcoming) < meetings:
            raise StateError(f"the sample council has {len(upcoming)} upcoming meeting(s) in the Council Chamber, not {meetings}")
        conn = bootstrap.obs_at(host, port, password)
        stack.callback(conn.close)
        if not headless:
            stack.callback(borrow_obs(conn, say))
        manifest: list[dict] = []
        for n, meeting in enumerate(upcoming[:meetings]):
            _rehearse_meeting(report, manifest, settings, store, meeting, conn, clock, youtube_sim, rtmp, folder,
                              script=script, say=say, pause=pause, stream_timeout=stream_timeout, first=n == 0,
                              last=n == meetings - 1, chamber=chamber)
        report.youtube_writes = [c.method for c in youtube_sim.write_calls()]
        (folder / "screenshots.json").write_text(json.dumps(manifest, indent=1) + "\n")
        (folder / "timeline.txt").write_text("\n".join(report.timeline) + "\n")
        (folder / "chapters.txt").write_text(report.chapters + "\n")
        _publish(settings, store, folder, clock.now(), say)
    return report


def _rehearse_meeting(report: RehearsalReport, manifest: list[dict], settings, store, meeting, conn, clock, youtube_sim,
                      rtmp, folder: Path, *, script: str | None, say: Callable[[str], None], pause: float,
                      stream_timeout: float, first: bool, last: bool, chamber: str | None = None) -> None:
    """One meeting of the rehearsal: the evening arrives, start, the script (or the console), end;
    with `chamber`, a recorded debate drives the picture at the first public item with a speaker."""
    from meetstream import bootstrap

    label = f"{meeting.committee}, {local(meeting.start, ZONE):%a %d %b %Y %H:%M} ({ZONE})"
    if first:
        report.meeting = label
    say(f"Meeting: {label}: {len(meeting.agenda)} agenda items "
        f"({sum(i.exempt for i in meeting.agenda)} exempt), {len(meeting.members)} members")
    lead_in = meeting.start - timedelta(minutes=5) - clock.now()
    if lead_in > timedelta(0):  # the evening arrives: the night runs at the meeting's own time
        clock.skip(lead_in)
    say(f"Clock: the rehearsal's own, from {local(clock.now(), ZONE):%H:%M} council time ({ZONE}), and accelerated: "
        f"each scripted step moves it on {STEP.seconds // 60} minutes, so the timeline and chapters look like a real evening's.")
    room = bootstrap.room(settings, store, "chamber", meeting.id, conn=conn, clock=clock.now, build_scenes=first,
                          outputs=None if rtmp else _TellingOutputs(bootstrap.obs_outputs(conn), youtube_sim))
    session, director = room.session, room.session.director

    shots = folder / "screenshots"
    shots.mkdir(exist_ok=True)
    camera = TestCameras(conn, director.ss)
    drawn = OverlayWatch(conn, director.ss)

    def shot(label: str) -> None:
        drawn.wait_until_drawn()
        scene = director.program_scene()
        path = shots / f"{len(report.screenshots) + 1:02d}-{label}.png"
        path.write_bytes(program_png(conn, scene))
        report.screenshots.append(path)
        manifest.append({"file": path.name, "step": label, "program": scene, "width": 640,
                         "overlays": drawn.shown_in(scene), "meeting": meeting.committee})
        drawn.remember()

    room.start(progress=lambda s, d: say(f"  ✓ {s}" + (f" — {d}" if d else "")), stream_timeout=stream_timeout)
    camera.say_if_live(say)
    drawn.remember()
    shot("holding")

    ended: list = []
    if script is None:
        from meetstream.entrypoints.console import LiveConsole

        def end() -> str:  # `e` ends the rehearsal's meeting exactly as on the night
            clock.skip()
            ended.append(room.end())
            return (f"Ended after {ended[-1].duration}: {len(ended[-1].items)} items; press q to "
                    + ("leave the rehearsal" if last else "go on to the next meeting"))

        control = room.control(on_end=end)
        try:
            LiveConsole(control).run()
        finally:
            control.stop()
    else:
        debated = chamber is None
        for label, method, arg in auto_script(meeting):
            clock.skip()
            try:
                getattr(session, method)(*([arg] if arg is not None else []))
            except MeetstreamError as err:
                say(f"  ! {label}: {err}")
                continue
            state = session.state.value.replace("_", " ").upper()
            say(f"  {local(clock.now(), ZONE):%H:%M} {state:9} {label}")
            shot(f"{session.state.value}-{_slug(label)}")
            time.sleep(pause)
            if not debated and method == "speaker" and session.state.value == "on_air":
                debated = True  # the first public item with a speaker: the chamber takes over for a while
                debate(chamber, session, meeting, say)
                shot(f"{session.state.value}-chamber-debate")
    clock.skip()
    session.reload()
    if session.ended is None:  # not ended from the console (`e`): end it as on the night
        ended.append(room.end(progress=lambda s, d: say(f"  ✓ {s}" + (f" — {d}" if d else ""))))
    shot("adjourned")
    for summary in ended:
        report.summaries.append(summary)
        report.summary = summary
        if summary.chapters:  # the first meeting's chapters as they are; each later one under its name
            report.chapters += (f"\n\n{meeting.committee}:\n" if report.chapters else "") + summary.chapters
        report.quota_units += summary.quota_units
    report.timeline += [timeline_line(e) for e in store.timeline(meeting.id)]


def timeline_line(e, zone: str = ZONE) -> str:
    extra = e.detail.get("member") or e.detail.get("what") or e.detail.get("reason") or ""
    return f"{local(e.at, zone):%H:%M:%S}  {e.kind:9} {('item ' + e.item_number) if e.item_number else '':8} {extra}".rstrip()


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:40]


class _TellingOutputs:
    """Without nginx-rtmp there is no ingest to publish to: tell the simulator directly."""

    def __init__(self, obs_outputs, sim):
        self._obs, self._sim, self._key, self._on = obs_outputs, sim, None, False

    def set_target(self, server, key):
        self._key = key
        return False

    def start_stream(self):
        self._sim.publish(self._key)
        self._on = True

    def restart_stream(self):
        self.start_stream()

    def stop_stream(self):
        self._sim.publish_done(self._key)
        self._on = False

    def streaming(self):
        # `end` stops only a stream it sees; the simulator must hear the publish end before the
        # room's next broadcast is bound (YouTubeOnAir.hand_over waits for the stream to go idle).
        return self._on

    def __getattr__(self, name):
        return getattr(self._obs, name)


def rehearsal_scene_set(source: Path, folder: Path) -> Path:
    """The shipped scene set with every camera and screen capture a moving test picture (its
    fallback kept, for an OBS without the media source), written beside the rehearsal; slates are
    referred to where they are."""
    import yaml

    data = yaml.safe_load(source.read_text(encoding="utf-8"))  # our own shipped file
    for spec in data["inputs"].values():
        if spec.get("kind") in TEST_PICTURES:
            spec.update(kind="media", settings=test_picture(spec["kind"]))
        if "file" in spec:
            spec["file"] = str((source.parent / spec["file"]).resolve())
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    target.write_text("# The rehearsal's copy of " + str(source) + ": cameras and screens are moving test pictures.\n"
                      + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


def _sample_committee_rooms(settings) -> dict[str, str]:
    """The sample council's webcast committees and the room each meets in (from its calendar)."""
    import yaml

    from meetstream.sandbox.graph import SAMPLE_COUNCIL

    rooms = {}
    for event in yaml.safe_load(SAMPLE_COUNCIL.read_text(encoding="utf-8")).get("events", []):
        room = settings.room_for_location(event.get("location"))
        if room and "Webcast" in event.get("categories", ["Webcast"]) and not event.get("all_day"):
            rooms.setdefault(event["subject"], room)
    return rooms


def _publish(settings, store, folder: Path, now: datetime, say: Callable[[str], None]) -> None:
    """What the council would put on its website after the night: the public site, and the
    webcast report (views read from the YouTube simulator, within the quota ledger)."""
    from meetstream import bootstrap
    from meetstream.services.publish.report import build_report, render
    from meetstream.services.publish.site import publish_site

    publish_site(settings, store, folder / "site", now=now)
    report = build_report(settings, store, now=now, views_factory=lambda: bootstrap.youtube_stats(settings, store))
    (folder / "report.html").write_text(render(report, "html"), encoding="utf-8")
    say(f"Published: the public site in {folder / 'site'}, the webcast report in {folder / 'report.html'}")

