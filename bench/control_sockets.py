"""An action through `meetstream serve`'s API while web consoles hold WebSockets open: median and
worst time of 40 actions with none open and with 150 open, side by side in one run, and the ratio
(goal: within 1.5x of the unloaded time on the real OBS; here OBS is the night's fake director, so
the figure is the server's own overhead, the harder case).

    .venv/bin/python bench/control_sockets.py [--sockets 150]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from fakes import FakeDirector  # noqa: E402

from meetstream.core.domain import AgendaItem, Meeting  # noqa: E402
from meetstream.entrypoints.http.server import start_server  # noqa: E402
from meetstream.services.control import RoomControl  # noqa: E402
from meetstream.services.session import LiveSession  # noqa: E402
from meetstream.store import Store  # noqa: E402


KEY: dict = {}  # the server's room key: every request carries it, as meetstream's clients do


def actions(port: int, n: int = 40) -> list[float]:
    out = []
    for i in range(n):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        t = time.perf_counter()
        conn.request("POST", "/api/cue/" + ("chamber" if i % 2 else "holding"), body="{}",
                     headers={"Content-Type": "application/json", **KEY})
        conn.getresponse().read()
        out.append(time.perf_counter() - t)
        conn.close()
    return out


async def with_sockets(port: int, n: int) -> list[float]:
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        socks = [await session.ws_connect(f"http://127.0.0.1:{port}/api/ws", headers=KEY) for _ in range(n)]

        async def drain(sock):
            async for _ in sock:
                pass

        readers = [asyncio.create_task(drain(s)) for s in socks]
        await asyncio.sleep(1.5)  # every socket has had its first state
        try:
            return await asyncio.to_thread(actions, port)
        finally:
            for s in socks:
                await s.close()
            await asyncio.gather(*readers, return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=150)
    n = parser.parse_args().sockets
    folder = Path(tempfile.mkdtemp())
    store = Store.open(folder / "state.sqlite3")
    start = datetime.now(timezone.utc) + timedelta(hours=1)
    meeting = Meeting("bench", "Planning Committee", start, start + timedelta(hours=2), room="chamber",
                      agenda=(AgendaItem("1", "Apologies"),))
    store.upsert_meeting(meeting)
    control = RoomControl(LiveSession(store, FakeDirector(), "chamber", meeting), None, tick_every=3600).start()
    server = start_server(control, host="127.0.0.1", port=0)
    KEY["Authorization"] = f"Bearer {server.access.key}"
    try:
        quiet = actions(server.port)
        loaded = asyncio.run(with_sockets(server.port, n))
    finally:
        server.stop()
        control.stop()
    ms = lambda xs: f"median {statistics.median(xs) * 1000:6.1f} ms, worst {max(xs) * 1000:7.1f} ms"  # noqa: E731
    print(f"no WebSocket open    : {ms(quiet)}")
    print(f"{n:3} WebSockets open  : {ms(loaded)}")
    print(f"ratio (medians)      : {statistics.median(loaded) / statistics.median(quiet):.2f}x (goal: within 1.5x on the real OBS)")


if __name__ == "__main__":
    main()
