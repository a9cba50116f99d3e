"""YouTube quota units per meeting, all in, meetstream against the naive flow; both on the simulator.

Run: python bench/youtube_quota.py [--meetings 10] [--hours 3] [--health-every 300]
No network, no OBS: the YouTube simulator runs on loopback with a simulated clock, and "OBS starts
streaming" is nginx-rtmp's on_publish callback sent to the simulator 8 simulated seconds after
the meeting's start. Prints the units per phase and the ratio; asserts nothing.

meetstream  one `schedule` run for all meetings (one reusable stream for the room, made once;
            an insert per meeting, and a bind for the room's next meeting only), then per meeting
            what `start` and `end` spend through YouTubeOnAir: prepare (the stream and the
            broadcast looked at), go-live by enableAutoStart (we only watch, with backoff), a
            stream health check every --health-every seconds on air (OBS's own stats are read
            locally for free), complete, the hand-over once OBS has stopped (the stream seen idle,
            the next meeting's broadcast bound), chapters (videos.list, then videos.update with
            only the description changed).
naive       what many scripts do: a new stream per meeting, insert + bind, poll the stream every
            5 s until active, transition testing then live (monitor stream on, the API default),
            poll the broadcast until each status, poll the stream every 5 s while on air,
            complete, videos.list + videos.update for the chapters.
Costs are those the simulator charges: writes 50, lists 1 (YouTube's published costs).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from meetstream.config import Settings  # noqa: E402
from meetstream.core.domain import AgendaItem, Meeting  # noqa: E402
from meetstream.sandbox.youtube import YouTubeSandbox  # noqa: E402
from meetstream.services.schedule import schedule  # noqa: E402
from meetstream.store import Store  # noqa: E402
from meetstream.adapters.youtube.client import YouTubeClient, build_service  # noqa: E402
from meetstream.adapters.youtube.golive import LiveControl  # noqa: E402
from meetstream.adapters.youtube.onair import YouTubeOnAir  # noqa: E402

CHAPTERS = "0:00 Welcome\n2:10 1. Apologies\n5:30 2. Minutes\n14:00 3. Planning application 24/0101"


class SimClock:
    """Simulated epoch seconds; sleeping advances it and fires what is due (the RTMP publish)."""

    def __init__(self, start: float):
        self.now = start
        self.events: list[tuple[float, object]] = []

    def __call__(self) -> float:
        return self.now

    def at(self, when: float, action) -> None:
        self.events.append((when, action))

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        due = [e for e in self.events if e[0] <= self.now]
        self.events = [e for e in self.events if e[0] > self.now]
        for _, action in due:
            action()


def nginx_publish(sim: YouTubeSandbox, key: str) -> None:
    urllib.request.urlopen(f"{sim.rtmp_callback_url}/on_publish?app=live2&name={key}").close()


def units_since(sim: YouTubeSandbox, mark: int) -> int:
    return sum(c.units for c in sim.calls[mark:])


def run_meetstream(meetings: int, hours: float, health_every: float) -> dict[str, float]:
    clock = SimClock(time.time())
    sim = YouTubeSandbox(clock=clock, daily_quota=10**9).start()
    phases: dict[str, float] = defaultdict(float)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(Path(tmp) / "state.sqlite3")
            settings = Settings.model_validate({"rooms": {"chamber": {"name": "Council Chamber", "scene_set": "x.yaml"}},
                                                "youtube": {"api_url": sim.url}})
            client = YouTubeClient(build_service(sim.url), sleep=clock.sleep)
            base = datetime.fromtimestamp(clock.now, timezone.utc).replace(microsecond=0)
            for i in range(meetings):
                start = base + timedelta(days=1 + i)
                store.upsert_meeting(Meeting(id=f"m{i}", committee="Planning Committee", start=start,
                                             end=start + timedelta(hours=hours), room="chamber",
                                             agenda=(AgendaItem("1", "Apologies"), AgendaItem("2", "Minutes"))))
            mark = len(sim.calls)
            schedule(settings, store, client=client, now=base)
            phases["schedule"] += units_since(sim, mark)
            live = LiveControl(client, sleep=clock.sleep, clock=clock)
            onair = YouTubeOnAir(client, store, settings, live=live, now=lambda: datetime.fromtimestamp(clock.now, timezone.utc))
            for m in store.meetings(base):
                clock.now = m.start.timestamp() - 60  # the officer presses start a minute early
                mark = len(sim.calls)
                prepared = onair.prepare(m.id, "chamber")
                clock.at(clock.now + 8, lambda key=prepared.key: nginx_publish(sim, key))
                onair.go_live(prepared.broadcast_id, prepared.stream_id)
                phases["go live"] += units_since(sim, mark)
                mark = len(sim.calls)
                end = clock.now + hours * 3600
                while clock.now + health_every <= end:
                    clock.sleep(health_every)
                    live.stream_health(prepared.stream_id)
                phases["on air"] += units_since(sim, mark)
                mark = len(sim.calls)
                onair.complete(prepared.broadcast_id)
                sim.publish_done(prepared.key)  # OBS stops streaming
                onair.hand_over("chamber")
                onair.write_chapters(prepared.broadcast_id, CHAPTERS)
                phases["end + chapters"] += units_since(sim, mark)
            assert not sim.double_bindings, sim.double_bindings
            store.close()
    finally:
        sim.stop()
    return {k: v / meetings for k, v in phases.items()}


def run_naive(meetings: int, hours: float) -> dict[str, float]:
    clock = SimClock(time.time())
    sim = YouTubeSandbox(clock=clock, daily_quota=10**9).start()
    phases: dict[str, float] = defaultdict(float)
    try:
        client = YouTubeClient(build_service(sim.url), sleep=clock.sleep)
        svc = client.service
        base = clock.now
        for i in range(meetings):
            start = base + 86400 * (1 + i)
            iso = datetime.fromtimestamp(start, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            mark = len(sim.calls)
            stream = client.call("liveStreams.insert", svc.liveStreams().insert(part="id,snippet,cdn,contentDetails,status", body={
                "snippet": {"title": f"stream {i}"},
                "cdn": {"ingestionType": "rtmp", "resolution": "1080p", "frameRate": "30fps"},
                "contentDetails": {"isReusable": False}}))
            bc = client.call("liveBroadcasts.insert", svc.liveBroadcasts().insert(part="id,snippet,status,contentDetails", body={
                "snippet": {"title": f"Planning Committee {i}", "scheduledStartTime": iso},
                "status": {"privacyStatus": "public", "selfDeclaredMadeForKids": False}}))
            client.call("liveBroadcasts.bind", svc.liveBroadcasts().bind(part="id,status", id=bc["id"], streamId=stream["id"]))
            phases["schedule"] += units_since(sim, mark)

            clock.now = start - 60
            key = stream["cdn"]["ingestionInfo"]["streamName"]
            clock.at(clock.now + 8, lambda key=key: nginx_publish(sim, key))
            mark = len(sim.calls)

            def stream_status():
                page = client.call("liveStreams.list", svc.liveStreams().list(part="status", id=stream["id"]))
                return page["items"][0]["status"]["streamStatus"]

            def broadcast_status():
                page = client.call("liveBroadcasts.list", svc.liveBroadcasts().list(part="status", id=bc["id"]))
                return page["items"][0]["status"]["lifeCycleStatus"]

            while stream_status() != "active":
                clock.sleep(5)
            for target in ("testing", "live"):
                client.call("liveBroadcasts.transition", svc.liveBroadcasts().transition(part="status", id=bc["id"], broadcastStatus=target))
                while broadcast_status() != target:
                    clock.sleep(5)
            phases["go live"] += units_since(sim, mark)

            mark = len(sim.calls)
            end = clock.now + hours * 3600
            while clock.now + 5 <= end:
                clock.sleep(5)
                stream_status()
            phases["on air"] += units_since(sim, mark)

            mark = len(sim.calls)
            client.call("liveBroadcasts.transition", svc.liveBroadcasts().transition(part="status", id=bc["id"], broadcastStatus="complete"))
            video = client.call("videos.list", svc.videos().list(part="snippet", id=bc["id"]))["items"][0]["snippet"]
            client.call("videos.update", svc.videos().update(part="snippet", body={
                "id": bc["id"], "snippet": {"title": video["title"], "categoryId": "25", "description": CHAPTERS}}))
            phases["end + chapters"] += units_since(sim, mark)
            sim.publish_done(key)
    finally:
        sim.stop()
    return {k: v / meetings for k, v in phases.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=10, help="meetings in the run (the room's stream is made once for all)")
    parser.add_argument("--hours", type=float, default=3.0, help="time on air per meeting")
    parser.add_argument("--health-every", type=float, default=300.0, help="seconds between meetstream's YouTube health checks")
    parser.add_argument("--naive-meetings", type=int, default=None,
                        help="meetings for the naive flow (nothing is shared between its meetings, so its per-meeting "
                             "figure does not depend on this; ~2,200 calls each). Default: --meetings")
    args = parser.parse_args()
    started = time.perf_counter()
    ours = run_meetstream(args.meetings, args.hours, args.health_every)
    args.naive_meetings = args.naive_meetings or args.meetings
    naive = run_naive(args.naive_meetings, args.hours)
    print(f"YouTube quota units per meeting ({args.meetings} meetings for meetstream, {args.naive_meetings} naive, "
          f"{args.hours:g} h on air each, simulated clock)")
    print(f"{'phase':<16}{'meetstream':>12}{'naive':>10}")
    for phase in ("schedule", "go live", "on air", "end + chapters"):
        print(f"{phase:<16}{ours.get(phase, 0):>12.1f}{naive.get(phase, 0):>10.1f}")
    total_ours, total_naive = sum(ours.values()), sum(naive.values())
    print(f"{'all in':<16}{total_ours:>12.1f}{total_naive:>10.1f}")
    print(f"ratio naive/meetstream: {total_naive / total_ours:.1f}x; meetstream meetings per 10,000-unit day: "
          f"{int(10_000 // total_ours)} (naive: {int(10_000 // total_naive)})")
    print(f"(ran in {time.perf_counter() - started:.1f}s)")


if __name__ == "__main__":
    main()
