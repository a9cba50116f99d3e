"""YouTube quota units for a retention pass over a year of meetings, on the simulator.

Run: python bench/archive.py [--committees 6] [--per-year 11] [--keep-months 6]
No network: the YouTube simulator on loopback, a throw-away store. A council with --committees
committees, each meeting --per-year times a year, every meeting webcast; a year ago to today.
Policy: the first committee (Planning) keeps --keep-months months then unlists; every other committee
keeps its video until the minutes are approved (its next meeting) then deletes it. One pass applies
what is due (`meetstream archive --apply --yes`), then a second pass shows it does nothing.
Prints units per video and per pass, per method, as the simulator charged them; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from meetstream import bootstrap  # noqa: E402
from meetstream.config import Settings  # noqa: E402
from meetstream.core.domain import Meeting, TimelineEntry  # noqa: E402
from meetstream.core.quota import QuotaLedger  # noqa: E402
from meetstream.sandbox.youtube import YouTubeSandbox  # noqa: E402
from meetstream.services import archive  # noqa: E402
from meetstream.store import Store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--committees", type=int, default=6)
    ap.add_argument("--per-year", type=int, default=11)
    ap.add_argument("--keep-months", type=int, default=6)
    a = ap.parse_args()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    names = ["Planning Committee"] + [f"Committee {i}" for i in range(2, a.committees + 1)]
    with YouTubeSandbox() as sim, tempfile.TemporaryDirectory() as tmp:
        settings = Settings.model_validate({
            "rooms": {"chamber": {"name": "Council Chamber", "scene_set": "scenes/council-chamber.yaml"}},
            "youtube": {"api_url": sim.url},
            "archive": {"retention": [{"committee": names[0], "keep_months": a.keep_months, "then": "unlist"},
                                      {"committee": "*", "until": "minutes_approved", "then": "delete"}]}})
        store = Store.open(Path(tmp) / "state.sqlite3")
        n = 0
        for c, name in enumerate(names):
            for k in range(a.per_year):
                start = now - timedelta(days=365) + timedelta(days=int(365 * k / a.per_year) + c)
                mid, vid = f"m{c}-{k}", f"vid{c:02d}x{k:05d}"
                store.upsert_meeting(Meeting(id=mid, committee=name, start=start, end=start + timedelta(hours=2), room="chamber"))
                store.append_timeline(TimelineEntry(mid, start, "start", None, {"broadcast_id": vid}))
                store.append_timeline(TimelineEntry(mid, start + timedelta(hours=2), "end", None, {}))
                sim.videos[vid] = {"kind": "youtube#video", "etag": "e", "id": vid, "snippet": {"title": name},
                                   "status": {"privacyStatus": "public", "uploadStatus": "processed"}}
                n += 1
        ledger = QuotaLedger(store, settings.youtube.daily_quota)
        due, later = archive.policy(settings, store, now)
        planned = archive.pass_units(due)
        archive.apply(due, bootstrap.video_archive(settings, store), store, remaining=ledger.remaining)
        first = list(sim.calls)
        due2, _ = archive.policy(settings, store, now)
        archive.apply(due2, bootstrap.video_archive(settings, store), store, remaining=ledger.remaining)
        second = sim.calls[len(first):]
        acts = Counter(d.action for d in due)
        units = sum(c.units for c in first)
        by = Counter()
        for c in first:
            by[c.method] += c.units
        print(f"A year of meetings: {n} videos ({len(names)} committees x {a.per_year}); policy: {names[0]} "
              f"{a.keep_months} months then unlist, others until the minutes are approved then delete.")
        print(f"Due now: {len(due)} ({', '.join(f'{k} {v}' for k, v in sorted(acts.items()))}); later: {len(later)}.")
        print(f"First pass: {len(first)} calls, {units} units (planned at most {planned}); by method: "
              + ", ".join(f"{m} {u}" for m, u in sorted(by.items())))
        print(f"Units per video acted on: {units / max(1, len(due)):.1f} (unlist = videos.update 50, delete = videos.delete 50, "
              f"plus videos.list 1 per 50 videos)")
        print(f"Units per video in the archive: {units / n:.1f}; share of the 10,000-unit day: {units / 100:.1f}%")
        print(f"Second pass: {len(second)} calls, {sum(c.units for c in second)} units (nothing due)")
        store.close()


if __name__ == "__main__":
    main()
