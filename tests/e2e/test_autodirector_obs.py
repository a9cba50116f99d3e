"""The chamber drives the picture, on the real OBS: 20 minutes of a real hearing's speaker turns
(tests/fixtures/chamber: the UK Covid-19 Inquiry, 7 March 2024, turn order and lengths from its
published transcript) replayed through the DICENTIS simulator, read by the DICENTIS driver, decided
by the automatic director and carried out as the room's own actions.

Time runs SCALE times faster (the director's clock and the replay alike), so 20 minutes take two.
What OBS shows is sampled at 10 Hz by the test's own obs-websocket client (program scene and the
lower third's text), never by meetstream's read-back: each long turn shows its member and name,
no shot is shorter than the minimum, and a private session in the middle sees no automatic change."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from helpers import OBS_PASSWORD
from meetstream.adapters.chamber.dicentis import DicentisClient
from meetstream.core.autodirector import DirectorSettings, Seat, SeatMap
from meetstream.core.domain import SessionState
from meetstream.sandbox.chamber.dicentis import DicentisSimulator
from meetstream.services.chamber import ChamberDirector
from meetstream.services.control import RoomControl
from meetstream.services.session import LiveSession
from private_observer import RawObs

pytestmark = pytest.mark.obs

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "chamber"
SCALE = 10.0  # trace seconds per real second
MINUTES = 20
MIN_SHOT, HOLD = 4.0, 2.5  # trace seconds (the director's defaults)
PRIVATE = (600.0, 720.0)  # trace seconds: the public excluded for two minutes in the middle
# The hearing's speakers seated as the sample meeting's members (seat ids as DICENTIS has them).
SEATS = {"Lady Hallett": ("s1", "Jane Smith"), "Ms Hitchman": ("s2", "Amir Khan"), "Ms Jane Runeckles": ("s3", "Peter Lowe")}


class Sampler:
    """Program scene and the lower third's text as viewers see it (empty unless the Lower third
    item is shown in the program scene) at 20 Hz (time runs ten times faster here), on the test's
    own connection."""

    PERIOD = 0.05

    def __init__(self, port: int):
        self.raw = RawObs(port, OBS_PASSWORD)
        self.samples: list[tuple[float, str, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            at = time.monotonic()
            got = self.raw.batch([("GetCurrentProgramScene", None), ("GetInputSettings", {"inputName": "Lower third"})])
            program = got[0]["responseData"]["currentProgramSceneName"]
            items = self.raw.batch([("GetSceneItemList", {"sceneName": program})])[0].get("responseData") or {}
            shown = any(i["sourceName"] == "Lower third" and i["sceneItemEnabled"] for i in items.get("sceneItems", []))
            self.samples.append((at, program, got[1]["responseData"]["inputSettings"].get("text", "") if shown else ""))
            next_at += self.PERIOD
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)
        self.raw.close()


def test_a_recorded_debate_directs_the_picture_inside_the_rules(director, store, sample_meeting, obs_server):
    doc = json.loads((FIX / "inquiry_2024-03-07_trace.json").read_text())
    turns = [t for t in doc["turns"] if t["off"] <= MINUTES * 60]
    members = {m.name: m for m in sample_meeting.members}
    seat_map = SeatMap({seat: Seat(seat, members[name], priority=(seat == "s1")) for seat, name in SEATS.values()})
    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, director, "chamber", sample_meeting)
    control = RoomControl(session, None, tick_every=3600).start()
    assert control.act("chamber").ok and control.act("item", {"number": "4"}).ok
    assert control.act("auto", {"mode": "on"}).ok

    t0_real = time.monotonic()
    t0 = datetime(2024, 3, 7, 10, 0, tzinfo=timezone.utc)
    trace_now = lambda: t0 + timedelta(seconds=(time.monotonic() - t0_real) * SCALE)  # noqa: E731

    with DicentisSimulator(seats={seat: members[name].display_name() for seat, name in SEATS.values()}) as sim:
        client = DicentisClient(sim.url, "api", "secret", timeout=5)
        chamber = ChamberDirector(client, seat_map, act=control.act, session_state=lambda: session.state,
                                  settings=DirectorSettings(min_shot=MIN_SHOT, hold=HOLD),
                                  recent=lambda: store.timeline(sample_meeting.id)[-10:], version=lambda: control.version,
                                  clock=trace_now, tick_every=0.05).start()
        cues = sorted([(t["on"], "on", SEATS[t["speaker"]][0]) for t in turns]
                      + [(t["off"], "off", SEATS[t["speaker"]][0]) for t in turns]
                      + [(PRIVATE[0], "private", None), (PRIVATE[1], "public", None)])
        marks: dict[str, float] = {}
        try:
            with Sampler(obs_server.port) as seen:
                t0_real = time.monotonic()
                for at, what, seat in cues:
                    wait = t0_real + at / SCALE - time.monotonic()
                    if wait > 0:
                        time.sleep(wait)
                    if what == "on":
                        sim.speak(seat)
                    elif what == "off":
                        sim.stop_speaking(seat)
                    else:
                        marks[what] = time.monotonic()
                        assert control.act(what).ok  # the officer: exclude the public, then readmit it
                time.sleep((MIN_SHOT + HOLD + 1) / SCALE)
                end_real = time.monotonic()
        finally:
            chamber.stop()
            control.stop()
    samples = seen.samples
    lower = {m.name: m.lower_third() for m in sample_meeting.members}

    # Each turn long enough to be shown (minimum shot, hold, and a second to spare) shows its
    # member: that member's lower third on program for most of its second half.
    long_turns = [t for t in turns if t["off"] - t["on"] >= MIN_SHOT + HOLD + 1
                  and (t["off"] < PRIVATE[0] or t["on"] > PRIVATE[1] + MIN_SHOT + HOLD)]  # clear of the private session
    wrong = []
    for t in long_turns:
        a = t0_real + (t["on"] + (t["off"] - t["on"]) / 2) / SCALE
        b = t0_real + t["off"] / SCALE
        window = [s for s in samples if a <= s[0] <= b]
        want = lower[SEATS[t["speaker"]][1]]
        right = [s for s in window if s[2] == want]  # a member's feed, or the chamber camera, named
        if len(window) < 2 or len(right) < 0.8 * len(window):
            wrong.append((t, [(p, x) for _, p, x in window]))
    assert len(long_turns) >= 25
    assert not wrong, wrong[:3]

    # No shot shorter than the minimum, outside the officer's cues: a sample's slack either side,
    # and 50 ms for OBS's own time to carry out one cut against the next (it varies by 20-60 ms).
    runs: list[list] = []
    for s in samples:
        if runs and (runs[-1][1], runs[-1][2]) == (s[1], s[2]):
            runs[-1][3] = s[0]
        else:
            runs.append([s[0], s[1], s[2], s[0]])
    officer = list(marks.values())
    short = [r for r in runs[1:-1] if r[3] - r[0] + 2 * Sampler.PERIOD + 0.05 < MIN_SHOT / SCALE
             and not any(abs(r[0] - m) < 0.5 or abs(r[3] - m) < 0.5 for m in officer)]
    assert not short, short[:5]

    # The private session: every sample private, and not one automatic change recorded in it.
    inside = [s for s in samples if marks["private"] + 0.3 <= s[0] <= marks["public"] - 0.05]
    assert inside and all(s[1] == "Private session" for s in inside), {s[1] for s in inside}
    timeline = store.timeline(sample_meeting.id)
    private_id = next(e.id for e in timeline if e.kind == "private")  # ids, not times: the store keeps whole seconds
    public_id = next(e.id for e in timeline if e.kind == "public")
    automatic = [e for e in timeline if e.detail.get("auto")]
    assert len(automatic) >= 30 and not [e for e in automatic if private_id < e.id < public_id]
    assert end_real - t0_real < MINUTES * 60 / SCALE + 5
    assert session.state is SessionState.ON_AIR
