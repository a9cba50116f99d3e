"""The time to publish a year of meetings for ten committees, and to build the year's report.

Run: python bench/publish_year.py [--committees 10] [--meetings-each 12] [--runs 5]
Needs nothing outside Python (no OBS, no network): a store filled by meetstream.services.publish.sample
(each meeting with an agenda, an exempt item, a timeline with a private session and now and then
an output drop). Prints figures; asserts nothing. Measured:

  publish (first)     `meetstream publish` into an empty folder: every page and feed written
  publish (again)     the same store again: everything rendered, nothing written (idempotent)
  report html/csv/json  `meetstream report` for the year, views from a stand-in port (no YouTube)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main(committees: int, meetings_each: int, runs: int) -> None:
    from meetstream.config import Settings
    from meetstream.services.publish.report import build_report, render
    from meetstream.services.publish.sample import EXEMPT_TITLE_PREFIX, fill_year
    from meetstream.services.publish.site import publish_site
    from meetstream.store import Store

    settings = Settings.model_validate({"council": {"name": "Northdale Borough Council", "timezone": "Europe/London"},
                                        "rooms": {"chamber": {"name": "Council Chamber", "scene_set": "scenes.yaml"}}})
    now = datetime(2026, 2, 28, 12, tzinfo=timezone.utc)  # most of the year held, some still to come
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with Store.open(tmp / "state.sqlite3") as store:
            t = time.perf_counter()
            n = fill_year(store, committees=committees, meetings_each=meetings_each, start=datetime(2025, 4, 1, tzinfo=timezone.utc), now=now)
            print(f"store: {n} meetings for {committees} committees, filled in {time.perf_counter() - t:.2f} s")

            first, again = [], []
            for run in range(runs):
                out = tmp / f"site-{run}"
                t = time.perf_counter()
                done = publish_site(settings, store, out, now=now)
                first.append(time.perf_counter() - t)
                t = time.perf_counter()
                second = publish_site(settings, store, out, now=now)
                again.append(time.perf_counter() - t)
                assert not second.written.changed
            files = [p for p in out.rglob("*") if p.is_file()]
            size = sum(p.stat().st_size for p in files)
            leaked = [p for p in files if EXEMPT_TITLE_PREFIX.casefold() in p.read_text(encoding="utf-8").casefold()]
            print(f"site: {len(files)} files, {size / 1024:.0f} KiB; {done.upcoming} upcoming, {done.archived} archived; "
                  f"exempt titles found: {len(leaked)}")
            print(f"publish (first, empty folder): median {statistics.median(first) * 1000:.0f} ms  (min {min(first) * 1000:.0f}, max {max(first) * 1000:.0f}; {runs} runs)")
            print(f"publish (again, nothing written): median {statistics.median(again) * 1000:.0f} ms")

            views = lambda ids: {i: 100 + k for k, i in enumerate(ids)}  # noqa: E731
            for fmt in ("html", "csv", "json"):
                times = []
                for _ in range(runs):
                    t = time.perf_counter()
                    text = render(build_report(settings, store, date(2025, 4, 1), date(2026, 3, 31), views=views, now=now), fmt)
                    times.append(time.perf_counter() - t)
                print(f"report {fmt}: median {statistics.median(times) * 1000:.0f} ms, {len(text.encode()) / 1024:.0f} KiB")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--committees", type=int, default=10)
    ap.add_argument("--meetings-each", type=int, default=12)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    main(a.committees, a.meetings_each, a.runs)
