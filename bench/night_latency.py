"""Meeting-night latency: console key press and `meetstream cue` against the raw director action;
time from `start` to on air, minus the waits the simulators impose.

Run: python bench/night_latency.py [--runs 60]
Starts its own headless OBS, nginx-rtmp, Graph and YouTube simulators. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def ms(x: float) -> str:
    return f"{x * 1000:8.2f}"


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main(runs: int) -> None:
    import logging

    logging.getLogger("obsws_python").setLevel(logging.CRITICAL + 1)
    from meetstream import bootstrap
    from meetstream.config import load_settings
    from meetstream.entrypoints.console import LiveConsole
    from meetstream.services.meetings.sync import sync_calendar
    from meetstream.adapters.obs.headless import HeadlessObs
    from meetstream.sandbox.graph import SAMPLE_COUNCIL, SAMPLE_ROSTER, GraphSimulator
    from meetstream.sandbox.rtmp import LocalRtmpServer
    from meetstream.sandbox.youtube import YouTubeSandbox
    from meetstream.services.schedule import schedule
    from meetstream.store import Store

    scenes = REPO / "scenes" / "council-chamber.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        obs_server = HeadlessObs(tmp / "obs-home").start()
        sim = YouTubeSandbox().start()
        rtmp = LocalRtmpServer(tmp / "nginx", callback_url=sim.rtmp_callback_url).start()
        sim.ingestion_address = rtmp.ingest_url
        graph = GraphSimulator.from_file(SAMPLE_COUNCIL, device_interval=0).start()
        config = tmp / "meetstream.yaml"
        config.write_text(
            f"roster: {SAMPLE_ROSTER}\nrooms:\n  chamber:\n    name: Council Chamber\n"
            f"    obs: {{host: 127.0.0.1, port: {obs_server.port}, timeout: 10}}\n    scene_set: {scenes}\n"
            f"  committee1: {{name: Committee Room 1, scene_set: {scenes}}}\n"
            f"youtube: {{api_url: '{sim.url}'}}\n"
        )
        state = tmp / "state.sqlite3"
        store = Store.open(state)
        settings, calendar = bootstrap.sandbox_calendar(load_settings(config), graph, state)
        sync_calendar(store, settings, calendar)
        graph.stop()
        schedule(settings, store, days=60, open_client=lambda: bootstrap.youtube_client(settings, store))
        meeting = store.meetings(datetime.now(timezone.utc), room="chamber")[0]

        conn = bootstrap.obs_at("127.0.0.1", obs_server.port, obs_server.password)

        # --- start to on air ------------------------------------------------------------------
        slept: list[float] = []

        def sleep(s: float) -> None:
            slept.append(s)
            time.sleep(s)

        room = bootstrap.room(settings, store, "chamber", meeting.id, conn=conn, youtube_sleep=sleep, build_scenes=True)
        session, director = room.session, room.session.director
        marks: list[tuple[str, float]] = []
        t0 = time.perf_counter()
        room.start(progress=lambda step, d: marks.append((step, time.perf_counter() - t0)))
        total = time.perf_counter() - t0
        print("`start` to on air (real OBS, nginx-rtmp, YouTube simulator), s")
        last = 0.0
        for step, at in marks:
            print(f"  {at:7.3f}  (+{at - last:6.3f})  {step}")
            last = at
        print(f"  total {total:.3f} s, of which the go-live poll slept {sum(slept):.3f} s (the simulator's own waits)")
        print(f"  start minus the simulator's waits: {total - sum(slept):.3f} s")

        # --- key press / cue vs the raw director action ------------------------------------------
        session.chamber()
        raw, keys, idle_keys, cues_inproc, cues_proc = [], [], [], [], []
        roles = ["chamber", "gallery"]
        for i in range(runs):
            t = time.perf_counter()
            director.show(roles[i % 2])
            raw.append(time.perf_counter() - t)

        from meetstream.services.control import RoomControl

        control = RoomControl(session, None)
        console = LiveConsole(control, refresh_every=3600)

        async def press_keys():
            async with console.run_test() as pilot:
                while console.state is None:
                    await pilot.pause(0.01)
                for i in range(runs):
                    key = "g" if i % 2 == 0 else "c"
                    want = "Gallery" if key == "g" else "Chamber"
                    t = time.perf_counter()
                    await pilot.press(key)
                    while console.busy:  # the action runs on a worker thread; done when it reports back
                        await pilot.pause(0.001)
                    assert director.program_scene() == want
                    keys.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    await pilot.press("z")  # bound to nothing: what the pilot itself costs per key
                    idle_keys.append(time.perf_counter() - t)

        asyncio.run(press_keys())
        control.stop()

        from meetstream.entrypoints.cli.main import main as cli_main

        env = dict(os.environ, MEETSTREAM_CONFIG=str(config), MEETSTREAM_STATE=str(state), MEETSTREAM_OBS_PASSWORD=obs_server.password)
        os.environ.update(env)
        import contextlib
        import io

        for i in range(runs):
            cmd = "gallery" if i % 2 == 0 else "chamber"
            t = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                code = cli_main(["cue", cmd])
            cues_inproc.append(time.perf_counter() - t)
            assert code == 0
        for i in range(max(5, runs // 6)):
            cmd = "gallery" if i % 2 == 0 else "chamber"
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "meetstream", "cue", cmd], env=env, check=True, stdout=subprocess.DEVNULL)
            cues_proc.append(time.perf_counter() - t)

        m = statistics.median
        base = m(raw)
        print(f"\nAction to OBS confirming it (program scene and microphones read back), ms; {runs} runs")
        print(f"{'path':38} {'median':>9} {'p99':>9}   ratio to raw director")
        for name, xs in [("raw director action (one batch)", raw), ("console key press (Textual pilot)", keys),
                         ("  an unbound key, for scale (pilot only)", idle_keys),
                         ("`meetstream cue` in-process (connect+act)", cues_inproc),
                         ("`meetstream cue` as a new process", cues_proc)]:
            print(f"{name:38} {ms(m(xs))} {ms(pct(xs, 99))}   {m(xs) / base:8.2f}x")
        print("(a new process pays Python start-up, imports, config, the store and the websocket handshake;"
              " a Stream Deck button pays it once per press)")

        room.end()
        conn.close()
        store.close()
        rtmp.stop()
        sim.stop()
        obs_server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=60)
    main(parser.parse_args().runs)
