"""Graph requests and wall time for a calendar sync, against the Graph simulator with added latency.

Run: python bench/graph_sync.py [--meetings 600] [--latency-ms 50] [--page-sizes 10,100,250,1000]
No network: the simulator runs on loopback and sleeps --latency-ms before answering each request
(a stand-in for Graph's round trip). Prints figures; asserts nothing.

  first sync   a year's calendar (--meetings webcast meetings over 365 days, the council's
               `days_ahead: 365`) read as the first round of calendarView/delta, paging through
               @odata.nextLink until the delta link; one row per calendar.page_size.
  delta sync   the stored delta link, nothing changed in the calendar.
  minimum      the fewest requests that can carry the events: ceil(events / page size). The
               "Graph max" figure uses the largest page the simulator serves (1000, a guess: the
               reference does not state Outlook's largest page for delta).
Sign-in (msal device code) happens before timing; token requests are not counted.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from meetstream import bootstrap  # noqa: E402
from meetstream.config import Settings  # noqa: E402
from meetstream.services.meetings.sync import sync_calendar  # noqa: E402
from meetstream.sandbox.graph import MAX_PAGE, GraphSimulator  # noqa: E402
from meetstream.store import Store  # noqa: E402
from meetstream.adapters.teams.auth import GraphAuth, token_cache_path  # noqa: E402

MAILBOX = "democratic.services@bench.example"


def year_of_meetings(sim: GraphSimulator, count: int) -> None:
    base = datetime.now(timezone.utc).replace(hour=18, minute=0, second=0, microsecond=0) + timedelta(days=1)
    fmt = "%Y-%m-%dT%H:%M:%S.0000000"
    committees = ["Full Council", "Cabinet", "Planning Committee", "Licensing Committee", "Audit Committee",
                  "Overview and Scrutiny Committee", "Standards Committee"]
    for i in range(count):
        start = base + timedelta(days=(i * 360) // count, minutes=30 * (i % 3))
        body = "<ol>" + "".join(f"<li>Item {n}</li>" for n in range(1, 9)) + "</ol><h3>Part 2</h3><ol start='9'><li>Exempt</li></ol>"
        sim.add_event(f"users/{MAILBOX}", {
            "subject": committees[i % len(committees)],
            "start": {"dateTime": start.strftime(fmt), "timeZone": "UTC"},
            "end": {"dateTime": (start + timedelta(hours=2)).strftime(fmt), "timeZone": "UTC"},
            "location": {"displayName": "Council Chamber"},
            "categories": ["Webcast"],
            "body": {"contentType": "html", "content": body},
            "attendees": [{"type": "required", "emailAddress": {"name": f"Cllr Member {n}", "address": f"m{n}@bench.example"}}
                          for n in range(12)],
        })


def run(meetings: int, latency: float, page_size: int) -> dict:
    sim = GraphSimulator(tenant="bench.example", users=[MAILBOX], device_interval=0).start()
    try:
        year_of_meetings(sim, meetings)
        with tempfile.TemporaryDirectory() as tmp:
            state = Path(tmp) / "state.sqlite3"
            settings = Settings.model_validate({
                "rooms": {"chamber": {"name": "Council Chamber", "scene_set": "scenes.yaml"}},
                "calendar": {"tenant": sim.tenant, "client_id": "bench", "authority_host": sim.url, "graph_url": sim.graph_url,
                             "mailbox": MAILBOX, "days_ahead": 365, "page_size": page_size},
            })
            GraphAuth(settings.calendar, token_cache_path(state)).sign_in_device(lambda m: None)
            with Store.open(state) as store:
                calendar = bootstrap.calendar(settings, state)
                sim.latency = latency
                t0 = time.perf_counter()
                first = sync_calendar(store, settings, calendar)
                t1 = time.perf_counter()
                delta = sync_calendar(store, settings, calendar)
                t2 = time.perf_counter()
                stored = len(store.meetings())
        return {"first": first, "first_s": t1 - t0, "delta": delta, "delta_s": t2 - t1, "stored": stored}
    finally:
        sim.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--meetings", type=int, default=600)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--page-sizes", default="10,100,250,1000")
    args = ap.parse_args()
    latency = args.latency_ms / 1000
    print(f"Graph calendar sync: {args.meetings} meetings over a year, {args.latency_ms:.0f} ms added per request")
    print(f"{'':18}{'page size':>10}{'requests':>10}{'minimum':>9}{'Graph max':>11}{'wall s':>9}{'stored':>8}")
    for size in [int(s) for s in args.page_sizes.split(",")]:
        r = run(args.meetings, latency, size)
        first, delta = r["first"], r["delta"]
        events = first.events
        print(f"{'first sync':18}{size:>10}{first.requests:>10}{math.ceil(events / min(size, MAX_PAGE)):>9}"
              f"{math.ceil(events / MAX_PAGE):>11}{r['first_s']:>9.2f}{r['stored']:>8}")
        print(f"{'delta, no change':18}{size:>10}{delta.requests:>10}{1:>9}{1:>11}{r['delta_s']:>9.2f}{'':>8}")
    print("default calendar.page_size is 250; `minimum` is ceil(events / page size), `Graph max` the same at 1000 a page")


if __name__ == "__main__":
    main()
