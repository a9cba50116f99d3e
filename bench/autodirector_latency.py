"""Microphone on -> program with the right lower third, through the automatic director, against the
raw director speaker action, in the same run against the same headless OBS (issue 25).

Run: python bench/autodirector_latency.py [--runs 40]
Needs obs-studio and xvfb (it starts its own headless OBS). Prints figures and the ratio; asserts nothing.

  auto   the DICENTIS simulator switches a seat's microphone on; the driver reads the event, the
         automatic director decides, the room's control carries out the speaker action (the one
         rulebook, the store, OBS), until the test's own obs-websocket client sees the member's
         lower third shown on program
  raw    the director's speaker action called directly, until the same client sees the same
The director's minimum shot and hold are set to 0 here: the figure is the pipeline's latency, not
its editing rules (and camera travel is excluded: no PTZ seat). Goal: auto within 1.5x of raw.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from meetstream.adapters.chamber.dicentis import DicentisClient  # noqa: E402
from meetstream.adapters.obs.build import apply  # noqa: E402
from meetstream.adapters.obs.connection import ObsConnection  # noqa: E402
from meetstream.adapters.obs.director import Director  # noqa: E402
from meetstream.adapters.obs.headless import HeadlessObs  # noqa: E402
from meetstream.adapters.obs.sceneset import load_scene_set  # noqa: E402
from meetstream.core.autodirector import DirectorSettings, Seat, SeatMap  # noqa: E402
from meetstream.core.domain import AgendaItem, Meeting, Member  # noqa: E402
from meetstream.sandbox.chamber.dicentis import DicentisSimulator  # noqa: E402
from meetstream.services.chamber import ChamberDirector  # noqa: E402
from meetstream.services.control import RoomControl  # noqa: E402
from meetstream.services.session import LiveSession  # noqa: E402
from meetstream.store import Store  # noqa: E402

PASSWORD = "bench-pass"


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=40)
    args = p.parse_args()
    logging.getLogger("obsws_python").setLevel(logging.CRITICAL + 1)
    from datetime import datetime, timedelta, timezone

    from private_observer import RawObs

    # Two seats for the microphones, a third member for the raw action: every measured change
    # writes a lower third that differs from the one before it.
    members = (Member("Jane Smith", title="Cllr", role="Chair", ward="Brimington North"),
               Member("Amir Khan", title="Cllr", role="Vice-Chair", ward="Hasland"),
               Member("Peter Lowe", title="Cllr", ward="Dunston"))
    start = datetime.now(timezone.utc)
    meeting = Meeting("bench-meeting", "Planning Committee", start, start + timedelta(hours=2), room="chamber",
                      agenda=(AgendaItem("4", "Planning application"),), members=members)
    ss = load_scene_set(REPO / "scenes" / "council-chamber.yaml")
    with tempfile.TemporaryDirectory() as home, HeadlessObs(Path(home), password=PASSWORD) as server:
        conn = ObsConnection("127.0.0.1", server.port, PASSWORD, timeout=10).connect()
        apply(conn, ss)
        director = Director(conn, ss).load()
        store = Store.open(Path(home) / "state.sqlite3")
        store.upsert_meeting(meeting)
        session = LiveSession(store, director, "chamber", meeting)
        control = RoomControl(session, None, tick_every=3600).start()
        control.act("chamber")
        control.act("item", {"number": "4"})
        raw = RawObs(server.port, PASSWORD)

        def seen(text: str, since: float, timeout: float = 5.0) -> float:
            while time.perf_counter() - since < timeout:
                got = raw.batch([("GetCurrentProgramScene", None), ("GetInputSettings", {"inputName": "Lower third"})])
                program = got[0]["responseData"]["currentProgramSceneName"]
                if got[1]["responseData"]["inputSettings"].get("text") == text:
                    items = raw.batch([("GetSceneItemList", {"sceneName": program})])[0]["responseData"]["sceneItems"]
                    if any(i["sourceName"] == "Lower third" and i["sceneItemEnabled"] for i in items):
                        return time.perf_counter() - since
                time.sleep(0.002)
            raise RuntimeError(f"{text!r} never seen on program")

        with DicentisSimulator(seats={"s1": "Cllr Jane Smith", "s2": "Cllr Amir Khan"}) as sim:
            client = DicentisClient(sim.url, "api", "secret", timeout=5)
            chamber = ChamberDirector(client, SeatMap({"s1": Seat("s1", members[0]), "s2": Seat("s2", members[1])}),
                                      act=control.act, session_state=lambda: session.state,
                                      settings=DirectorSettings(min_shot=0, hold=0), auto=True, tick_every=0.01).start()
            auto, direct = [], []
            try:
                for i in range(args.runs):
                    m = i % 2
                    seat, other = ("s1", "s2") if m == 0 else ("s2", "s1")
                    # auto: the other seat off, this one on
                    sim.stop_speaking(other)
                    time.sleep(0.15)
                    t = time.perf_counter()
                    sim.speak(seat)
                    auto.append(seen(members[m].lower_third(), t))
                    sim.stop_speaking(seat)
                    time.sleep(0.15)
                    chamber.set_auto(False)
                    director.show("chamber")
                    t = time.perf_counter()
                    director.speaker(members[2])
                    direct.append(seen(members[2].lower_third(), t))
                    director.show("chamber")
                    chamber.set_auto(True)
                    time.sleep(0.1)
            finally:
                chamber.stop()
                control.stop()
                raw.close()
        store.close()
    a50, a95 = statistics.median(auto), pct(auto, 95)
    r50, r95 = statistics.median(direct), pct(direct, 95)
    print(f"microphone on -> program with the right lower third (seen by the test's own client), {args.runs} runs, ms")
    print(f"{'':28} {'p50':>8} {'p95':>8}")
    print(f"{'auto (mic -> rules -> OBS)':28} {a50 * 1000:8.1f} {a95 * 1000:8.1f}")
    print(f"{'raw director speaker':28} {r50 * 1000:8.1f} {r95 * 1000:8.1f}")
    print(f"ratio auto/raw: p50 {a50 / r50:.2f}x, p95 {a95 / r95:.2f}x (goal: within 1.5x)")


if __name__ == "__main__":
    main()
