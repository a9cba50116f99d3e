"""Director action latency against the real OBS, beside a raw obsws-python loop; cold --help.

Run: python bench/obs_latency.py [--runs 200]
Needs obs-studio and xvfb (it starts its own headless OBS). Prints figures and ratios; asserts nothing.

For each action, three figures, measured in the same run, interleaved:
  meetstream   the director action: one RequestBatch carrying the changes and the read-backs
  raw loop     obsws-python ReqClient sending the same requests one by one
  raw one      obsws-python sending only the action's scene switch (ONE request round trip)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from meetstream.core.domain import AgendaItem, Member  # noqa: E402
from meetstream.adapters.obs.build import apply  # noqa: E402
from meetstream.adapters.obs.connection import ObsConnection  # noqa: E402
from meetstream.adapters.obs.director import Director  # noqa: E402
from meetstream.adapters.obs.headless import HeadlessObs  # noqa: E402
from meetstream.adapters.obs.sceneset import load_scene_set  # noqa: E402


class Recording(ObsConnection):
    last: list = []

    def batch(self, requests, **kw):
        Recording.last = list(requests)
        return super().batch(requests, **kw)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def ms(x):
    return f"{x * 1000:7.2f}"


def bench_actions(runs: int) -> None:
    import logging

    import obsws_python

    logging.getLogger("obsws_python").setLevel(logging.CRITICAL + 1)
    ss = load_scene_set(REPO / "scenes" / "council-chamber.yaml")
    with tempfile.TemporaryDirectory() as home, HeadlessObs(Path(home), password="bench-pass") as server:
        conn = Recording("127.0.0.1", server.port, "bench-pass", timeout=10).connect()
        apply(conn, ss)
        d = Director(conn, ss).load()
        raw = obsws_python.ReqClient(host="127.0.0.1", port=server.port, password="bench-pass", timeout=10)
        members = [Member("Jane Smith", title="Cllr", role="Chair", ward="Brimington North"),
                   Member("Tom Okafor", title="Cllr", role="Vice-Chair", ward="Hasland")]
        items = [AgendaItem("4", "Planning application CHE/22/00123"), AgendaItem("6", "Any other business")]

        def speaker(i):
            return d.speaker(members[i % 2], item=items[i % 2])

        def private(i):
            return d.private()

        def before_private(i):
            d.show("chamber")

        def before_speaker(i):
            d.show("chamber")

        cases = [("agenda+speaker", speaker, before_speaker, "Speaker"), ("private", private, before_private, "Private session")]
        print(f"Director actions against OBS {conn.version['obsVersion']} (obs-websocket {conn.version['obsWebSocketVersion']}), {runs} runs each, ms")
        print(f"{'action':16} {'requests':>8} | {'meetstream':>21} | {'raw loop':>21} | {'raw one':>21} | ratio vs loop | ratio vs one")
        print(f"{'':16} {'':>8} | {'median':>10} {'p99':>10} | {'median':>10} {'p99':>10} | {'median':>10} {'p99':>10} |")
        for name, act, reset, scene in cases:
            ours, loop, one = [], [], []
            act(0)
            requests = list(Recording.last)
            for i in range(runs):
                reset(i)
                t = time.perf_counter()
                act(i)
                ours.append(time.perf_counter() - t)
                reqs = list(Recording.last)
                reset(i)
                t = time.perf_counter()
                for r in reqs:
                    raw.send(r.type, r.data, raw=True)
                loop.append(time.perf_counter() - t)
                reset(i)
                t = time.perf_counter()
                raw.send("SetCurrentProgramScene", {"sceneName": scene}, raw=True)
                one.append(time.perf_counter() - t)
            m = statistics.median
            print(f"{name:16} {len(requests):>8} | {ms(m(ours))} {ms(pct(ours, 99))}    | {ms(m(loop))} {ms(pct(loop, 99))}    | "
                  f"{ms(m(one))} {ms(pct(one, 99))}    | {m(ours) / m(loop):12.2f}x | {m(ours) / m(one):11.2f}x")
        light = []
        for _ in range(runs):
            t = time.perf_counter()
            raw.send("GetVersion", raw=True)
            light.append(time.perf_counter() - t)
        print(f"(for scale: one raw GetVersion round trip, median {ms(statistics.median(light))} ms)")
        print("goal: agenda+speaker and private each within 1.3x of ONE raw request round trip")
        raw.disconnect()
        conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--help-runs", type=int, default=30)
    args = parser.parse_args()
    bench_actions(args.runs)
    from startup import bench_help

    bench_help(args.help_runs)
