"""A deliberate stop is never an outage (issue 24, part 1): End through `serve`'s API, the Textual
console (`e` then `y`) and `meetstream end` from another process, each while a watchdog ticks
(serve's; the console's own room control; a console's with the CLI acting from outside).

Watched independently: the test's own obs-websocket client polls OBS's outputs at 10 Hz
(GetStreamStatus, GetRecordStatus, GetOutputList) and the YouTube simulator's broadcasts: the
output stops once and never starts again; no broadcast goes live after End (the next meeting's
auto-start broadcast is bound to the room's stream by then, and a restarted stream would start it).
The timeline has no outage or restart after "adjourned", the summary shown is the End that did
the work, and the webcast report counts no output drop.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers import OBS_PASSWORD, console_ready, wait_until
from night_fixtures import night  # noqa: F401  (the fixture)
from private_observer import RawObs

pytestmark = [pytest.mark.obs, pytest.mark.rtmp]

MEETSTREAM = [sys.executable, "-m", "meetstream"]
LIVE = ("testStarting", "testing", "liveStarting", "live")


@dataclass
class Seen:
    t: float
    streaming: bool
    reconnecting: bool
    recording: bool
    active_outputs: tuple
    live_broadcasts: tuple


@dataclass
class OutputWatch:
    """OBS's outputs and the simulator's broadcasts, sampled at 10 Hz on the test's own connections."""

    port: int
    sim: object
    samples: list = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.raw = RawObs(self.port, OBS_PASSWORD)
        self._thread.start()
        wait_until("the first sample", lambda: self.samples)
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        self.raw.close()

    def _run(self):
        while not self._stop.wait(0.1):
            stream, record, outputs = self.raw.batch([("GetStreamStatus", None), ("GetRecordStatus", None), ("GetOutputList", None)])
            live = tuple(sorted(b["id"] for b in list(self.sim.broadcasts.values()) if b["status"]["lifeCycleStatus"] in LIVE))
            active = tuple(sorted(o["outputName"] for o in (outputs.get("responseData") or {}).get("outputs", []) if o.get("outputActive")))
            self.samples.append(Seen(time.monotonic(), stream["responseData"]["outputActive"], stream["responseData"]["outputReconnecting"],
                                     record["responseData"]["outputActive"], active, live))

    def starts_and_stops(self) -> tuple[int, int]:
        """(times the stream output went from off to on, from on to off) over the samples."""
        ups = downs = 0
        for a, b in zip(self.samples, self.samples[1:]):
            ups += (not a.streaming) and b.streaming
            downs += a.streaming and not b.streaming
        return ups, downs


def start_on_air(cli, night):
    started = cli("start", "next")
    assert started.code == 0, started
    live = [b for b in night.youtube_sim.broadcasts.values() if b["status"]["lifeCycleStatus"] == "live"]
    assert len(live) == 1
    assert cli("cue", "chamber").code == 0
    return live[0]["id"]


def after_end_checks(watch: OutputWatch, night, ended_at: float, broadcast_id: str, *, settle: float = 4.5):
    """The output stopped once and stays stopped; nothing goes live on YouTube; the timeline and the
    report have no outage after the close."""
    from meetstream.services.publish.facts import OUTPUT_DROP, incidents

    time.sleep(settle)  # several watchdog ticks, past the first restart back-off (2 s)
    after = [s for s in watch.samples if s.t >= ended_at]
    assert after and not any(s.streaming or s.reconnecting for s in after), "the stream output started again after End"
    assert not any("adv_stream" in s.active_outputs or "simple_stream" in s.active_outputs for s in after)
    assert watch.starts_and_stops() == (0, 1)  # on when watching began, stopped once, never started again
    assert not any(s.live_broadcasts for s in after), "a broadcast went (or stayed) live after End"
    assert night.youtube_sim.broadcasts[broadcast_id]["status"]["lifeCycleStatus"] == "complete"
    timeline = night.store.timeline(night.meeting.id)
    kinds = [e.kind for e in timeline]
    assert kinds.count("end") == 1 and kinds.count("adjourned") == 1
    closing = timeline[kinds.index("adjourned"):]
    assert [e for e in closing if e.kind == "incident"] == [], closing
    assert not any("restart" in str(e.detail.get("what", "")) for e in timeline if e.kind == "incident")
    assert OUTPUT_DROP not in [i.kind for i in incidents(timeline)]


def summary_did_the_work(lines: list[str], broadcast_id: str, record: dict | None = None):
    text = "\n".join(lines)
    assert ": on air for " in lines[0] and "Incidents: 0" in text, text
    assert "YouTube quota used tonight: 0 units" not in text  # an empty second End spends nothing
    if record is not None:
        assert record["broadcast_id"] == broadcast_id and record["left"] == [] and record["quota_units"] > 0


def test_end_through_serves_api_stops_once_and_nothing_goes_live(night, cli, obs, obs_server):
    broadcast_id = start_on_air(cli, night)
    state = Path(os.environ["MEETSTREAM_STATE"])
    serve = subprocess.Popen([*MEETSTREAM, "serve", "--listen", "127.0.0.1:0"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        record = Path(f"{state}.serve-chamber.json")
        wait_until("serve to start", lambda: record.exists() and json.loads(record.read_text() or "{}").get("pid") == serve.pid, timeout=30)
        url, key = json.loads(record.read_text())["url"], Path(f"{state}.serve-chamber.key").read_text().strip()
        with OutputWatch(obs_server.port, night.youtube_sim) as watch:
            time.sleep(2.5)  # serve's watchdog ticks while on air
            req = urllib.request.Request(url + "/api/cue/end", method="POST", data=b"{}",
                                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
            with urllib.request.urlopen(req, timeout=60) as r:
                answer = json.loads(r.read())
            ended_at = time.monotonic()
            after_end_checks(watch, night, ended_at, broadcast_id)
        summary_did_the_work(answer["end"]["lines"], broadcast_id, answer["end"])
        again = cli("end")
        assert again.code == 2 and "already ended, with nothing left to do" in again.err  # no second End to show
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=20)
        except subprocess.TimeoutExpired:
            serve.kill()


def test_end_from_the_console_e_then_y_stops_once_and_shows_that_ends_summary(night, cli, obs, obs_server):
    from meetstream import bootstrap
    from meetstream.entrypoints.console import Confirm, LiveConsole

    broadcast_id = start_on_air(cli, night)
    room = bootstrap.room(night.settings, night.store, "chamber", conn=obs)
    control = room.control()  # as `meetstream live` runs it without a serve: the watchdog ticking
    console = LiveConsole(control, refresh_every=0.3)
    try:
        with OutputWatch(obs_server.port, night.youtube_sim) as watch:
            async def drive():
                async with console.run_test() as pilot:
                    deadline = time.monotonic() + 10
                    await console_ready(console, pilot)
                    await pilot.pause(2.5)  # the watchdog ticks while on air
                    await pilot.press("e")
                    while not isinstance(console.screen, Confirm):
                        assert time.monotonic() < deadline + 5
                        await pilot.pause(0.05)
                    await pilot.press("y")
                    deadline = time.monotonic() + 60
                    while console.busy or "on air for" not in console.message:
                        assert time.monotonic() < deadline, console.message
                        await pilot.pause(0.05)
                    return console.message

            message = asyncio.run(drive())
            ended_at = time.monotonic()
            after_end_checks(watch, night, ended_at, broadcast_id)
        summary_did_the_work(message.splitlines(), broadcast_id)
    finally:
        control.stop()


def test_meetstream_end_from_another_process_while_a_console_watches(night, cli, obs, obs_server):
    from meetstream import bootstrap

    broadcast_id = start_on_air(cli, night)
    room = bootstrap.room(night.settings, night.store, "chamber", conn=obs)
    control = room.control()  # a console's room control (no serve): its watchdog ticks in this process
    try:
        with OutputWatch(obs_server.port, night.youtube_sim) as watch:
            time.sleep(2.5)
            ended = subprocess.run([*MEETSTREAM, "end"], capture_output=True, text=True, timeout=120)
            ended_at = time.monotonic()
            assert ended.returncode == 0, ended
            after_end_checks(watch, night, ended_at, broadcast_id)
        lines = ended.stdout.split("\n\n", 1)[1].strip().splitlines()  # the checklist, then the summary
        summary_did_the_work(lines, broadcast_id)
    finally:
        control.stop()
