"""A cue through `meetstream serve`, side by side with acting on OBS directly.

Run: python bench/control_latency.py [--runs 60]
Needs obs-studio and xvfb (it starts its own headless OBS). Prints figures and ratios; asserts
nothing. Four paths, each switching program between Chamber and Gallery, measured interleaved in
one run so machine drift falls on all alike:

  raw director action    the Director's batch (change + read-back), in-process: no session, no store
  API cue                POST /api/cue/… to a running `meetstream serve` (a real process), answered
                         after the action is verified by OBS and recorded in the store
  raw one-shot script    a new Python process: obsws-python connects and sends SetCurrentProgramScene
  `meetstream cue`       a new process: the thin client posting to the running server

Goals (issue 9): the API cue within 1.5x of the raw director action; the `cue` process within
1.5x of the raw one-shot script.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ONE_SHOT = """
import logging, sys
logging.getLogger("obsws_python").setLevel(logging.CRITICAL + 1)
import obsws_python
c = obsws_python.ReqClient(host="127.0.0.1", port=int(sys.argv[1]), password=sys.argv[2], timeout=10)
c.set_current_program_scene(sys.argv[3])
"""


def main(runs: int) -> None:
    from meetstream.entrypoints.http.client import request
    from meetstream.adapters.obs.build import apply
    from meetstream.adapters.obs.connection import ObsConnection
    from meetstream.adapters.obs.director import Director
    from meetstream.adapters.obs.headless import HeadlessObs, free_port
    from meetstream.adapters.obs.sceneset import load_scene_set

    scenes = REPO / "scenes" / "council-chamber.yaml"
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        obs_server = HeadlessObs(tmp / "obs-home").start()
        serve = None
        try:
            ss = load_scene_set(scenes)
            conn = ObsConnection("127.0.0.1", obs_server.port, obs_server.password).connect()
            apply(conn, ss)
            director = Director(conn, ss).load()
            config = tmp / "meetstream.yaml"
            config.write_text(f"rooms:\n  chamber:\n    name: Council Chamber\n"
                              f"    obs: {{host: 127.0.0.1, port: {obs_server.port}, timeout: 10}}\n    scene_set: {scenes}\n")
            state = tmp / "state.sqlite3"
            env = dict(os.environ, MEETSTREAM_CONFIG=str(config), MEETSTREAM_STATE=str(state), MEETSTREAM_OBS_PASSWORD=obs_server.password)
            port = free_port()
            serve = subprocess.Popen([sys.executable, "-m", "meetstream", "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            record = Path(f"{state}.serve-chamber.json")
            deadline = time.monotonic() + 30
            while not record.exists():
                assert time.monotonic() < deadline and serve.poll() is None, "serve did not start"
                time.sleep(0.05)
            server = json.loads(record.read_text())
            server["key"] = Path(f"{state}.serve-chamber.key").read_text().strip()  # what `cue` sends, as it does
            assert request(server, "POST", "/api/cue/chamber", {})[0] == 200

            raw, api, shot, cue = [], [], [], []
            roles = ["gallery", "chamber"]
            scenes_by_role = {"gallery": "Gallery", "chamber": "Chamber"}
            for i in range(runs):
                role = roles[i % 2]
                t = time.perf_counter()
                director.show(role)
                raw.append(time.perf_counter() - t)
                t = time.perf_counter()
                status, _ = request(server, "POST", f"/api/cue/{role}", {})
                api.append(time.perf_counter() - t)
                assert status == 200
                if i % 4 == 0:  # new processes are slow: a quarter as many
                    t = time.perf_counter()
                    subprocess.run([sys.executable, "-c", ONE_SHOT, str(obs_server.port), obs_server.password, scenes_by_role[role]],
                                   check=True)
                    shot.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    subprocess.run([sys.executable, "-m", "meetstream", "cue", role], env=env, check=True, stdout=subprocess.DEVNULL)
                    cue.append(time.perf_counter() - t)
            conn.close()
        finally:
            if serve is not None:
                serve.terminate()
                serve.wait(timeout=20)
            obs_server.stop()

    m = statistics.median

    def ms(x):
        return f"{x * 1000:8.2f}"

    def p99(xs):
        return sorted(xs)[min(len(xs) - 1, int(len(xs) * 0.99))]

    print(f"Cue latency, ms (median, p99); {runs} in-process runs, {len(shot)} process runs, interleaved")
    print(f"  raw director action         {ms(m(raw))} {ms(p99(raw))}")
    print(f"  API cue (meetstream serve)  {ms(m(api))} {ms(p99(api))}   {m(api) / m(raw):5.2f}x the raw director action (goal 1.5x)")
    print(f"  raw obsws one-shot process  {ms(m(shot))} {ms(p99(shot))}")
    print(f"  `meetstream cue` process    {ms(m(cue))} {ms(p99(cue))}   {m(cue) / m(shot):5.2f}x the one-shot script (goal 1.5x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=60)
    main(parser.parse_args().runs)
