"""The auto-director on a recorded hearing: speaker turns against shot changes per hour, the shortest
shot, how many turns were shown with the right name. Pure replay (no OBS, no clock); the figures for
the issue's bench line "shot changes per hour on the trace against the number of speaker turns".

    .venv/bin/python bench/autodirector_trace.py [--min-shot 4] [--hold 2.5] [--travel 2]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from meetstream.chamber_config import PtzCameraConfig, seat_map  # noqa: E402
from meetstream.core import autodirector as ad  # noqa: E402
from meetstream.core.chamber import MicEvent, MicState  # noqa: E402
from meetstream.core.domain import Member  # noqa: E402
from meetstream.core.roster import Roster, RosterEntry  # noqa: E402

FIX = ROOT / "tests" / "fixtures" / "chamber"
SPEAKERS = {"Lady Hallett": "1", "Ms Hitchman": "2", "Ms Jane Runeckles": "3", "Ms Heaven": "4", "Ms Cowen": "5"}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--min-shot", type=float, default=4.0)
    p.add_argument("--hold", type=float, default=2.5)
    p.add_argument("--travel", type=float, default=2.0, help="seconds a PTZ preset recall takes")
    args = p.parse_args()
    doc = json.loads((FIX / "inquiry_2024-03-07_trace.json").read_text())
    roster = Roster(tuple(RosterEntry(Member(n)) for n in SPEAKERS))
    cams = {"ptz1": PtzCameraConfig(host="127.0.0.1"), "ptz2": PtzCameraConfig(host="127.0.0.1")}
    seats = seat_map(yaml.safe_load((FIX / "inquiry_seat_map.yaml").read_text()), roster, cams)
    t0 = datetime(2024, 3, 7, 10, 0, tzinfo=UTC)
    at = lambda s: t0 + timedelta(seconds=s)  # noqa: E731
    events = [MicEvent(at(x[k]), SPEAKERS[x["speaker"]], st, "trace") for x in doc["turns"]
              for k, st in (("on", MicState.ON), ("off", MicState.OFF))]
    end = at(doc["turns"][-1]["off"] + 10)
    settings = ad.DirectorSettings(min_shot=args.min_shot, hold=args.hold, travel_timeout=6.0)
    _, out = ad.replay(ad.start(seats, settings), events, end=end, travel={"ptz1": args.travel, "ptz2": args.travel})
    prog = ad.program(out, end)
    hours = (end - t0).total_seconds() / 3600
    turns = len(doc["turns"])
    changes = len(prog)
    shortest = min((b - a).total_seconds() for a, b, _ in prog[:-1])
    recalls = sum(isinstance(d, ad.Recall) for _, d in out)
    chamber = sum((b - a).total_seconds() for a, b, m in prog if m is None)
    long_turns = [x for x in doc["turns"] if x["off"] - x["on"] >= args.min_shot + args.travel + 1]
    right = 0
    for x in long_turns:
        a, b, mic = at(x["on"]), at(x["off"]), SPEAKERS[x["speaker"]]
        seen = sum(max(0.0, (min(b, y) - max(a, w)).total_seconds()) for w, y, m in prog if m == mic)
        right += seen >= 0.5 * (b - a).total_seconds()
    print(f"trace: {doc['source']}")
    print(f"length {hours * 60:.1f} min; settings min_shot={args.min_shot}s hold={args.hold}s PTZ travel={args.travel}s")
    print(f"speaker turns        {turns:5d}  ({turns / hours:.0f}/hour)")
    print(f"shot changes         {changes:5d}  ({changes / hours:.0f}/hour; {changes / turns:.2f} per turn)")
    print(f"PTZ recalls          {recalls:5d}")
    print(f"shortest shot        {shortest:7.2f} s")
    print(f"chamber on program   {chamber / 60:7.1f} min ({100 * chamber / (end - t0).total_seconds():.0f}%)")
    print(f"turns >= {args.min_shot + args.travel + 1:.0f} s shown with the right name: {right}/{len(long_turns)}")


if __name__ == "__main__":
    main()
