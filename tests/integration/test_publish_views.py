"""Views per video for `meetstream report`: the real YouTubeClient (google-api-python-client, the
quota ledger) against a tiny stdlib HTTP stub of Google's videos.list, since the YouTube
simulator does not give statistics yet. The stub answers as the reference says
(https://developers.google.com/youtube/v3/docs/videos/list): `id` takes up to 50 ids, items carry
statistics.viewCount as a string, an unknown id is left out, a hidden count is absent."""

from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from meetstream import bootstrap
from meetstream.errors import YouTubeError
from meetstream.services.publish.report import build_report
from youtube_fixtures import settings_for


class StatsStub:
    def __init__(self, views: dict[str, int | None]):
        self.views, self.requests = views, []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                q = parse_qs(url.query)
                stub.requests.append((url.path, q))
                ids = q.get("id", [""])[0].split(",")
                if url.path != "/youtube/v3/videos" or q.get("part") != ["statistics"] or len(ids) > 50:
                    body, status = {"error": {"code": 400, "errors": [{"reason": "badRequest"}], "message": "bad"}}, 400
                else:
                    items = [{"kind": "youtube#video", "etag": "e", "id": i,
                              "statistics": {} if stub.views[i] is None else {"viewCount": str(stub.views[i]), "likeCount": "1"}}
                             for i in ids if i in stub.views]
                    body, status = {"kind": "youtube#videoListResponse", "etag": "e", "items": items,
                                    "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}}, 200
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    views = {f"v{n:03d}": n * 10 for n in range(120)}
    views["v007"] = None  # the owner hides its count
    s = StatsStub(views)
    yield s
    s.stop()


def test_views_are_asked_50_ids_a_call_and_counted_in_the_ledger(stub, store):
    stats = bootstrap.youtube_stats(settings_for(stub.url), store, sleep=lambda s: None)
    ids = [f"v{n:03d}" for n in range(120)] + ["gone-video"]
    got = stats.views(ids + ids[:5])  # a repeated id is asked once
    assert len(stub.requests) == 3
    assert [len(q["id"][0].split(",")) for _, q in stub.requests] == [50, 50, 21]
    assert all(q["part"] == ["statistics"] and "maxResults" not in q for _, q in stub.requests)
    assert got["v012"] == 120 and got["v119"] == 1190 and got["v000"] == 0
    assert got["v007"] is None and got["gone-video"] is None
    assert store.quota_by_method(stats.client.ledger.day()) == {"videos.list": (3, 3)}


def test_no_call_when_the_quota_left_cannot_pay(stub, store):
    stats = bootstrap.youtube_stats(settings_for(stub.url, daily_quota=2), store, sleep=lambda s: None)
    with pytest.raises(YouTubeError, match="2 units left and the view counts need 3"):
        stats.views([f"v{n:03d}" for n in range(120)])
    assert stub.requests == []


def test_the_report_shows_the_views_it_was_given(stub, store):
    from datetime import datetime, timedelta, timezone

    from meetstream.core.domain import Broadcast, Meeting, TimelineEntry

    begin = datetime(2026, 2, 10, 18, 30, tzinfo=timezone.utc)
    store.upsert_meeting(Meeting(id="m1", committee="Planning Committee", start=begin, end=begin + timedelta(hours=2), room="chamber"))
    store.save_broadcast(Broadcast("m1", "PASTVID0001", "s1", "Planning Committee", begin, "public", "complete"))
    store.append_timeline(TimelineEntry("m1", begin, "start", detail={"broadcast_id": "PASTVID0001"}))
    store.append_timeline(TimelineEntry("m1", begin + timedelta(minutes=75), "end"))
    stub.views["PASTVID0001"] = 4321
    settings = settings_for(stub.url)
    r = build_report(settings, store, date(2026, 2, 1), date(2026, 2, 28), now=begin + timedelta(days=30),
                     views_factory=lambda: bootstrap.youtube_stats(settings, store, sleep=lambda x: None))
    assert r.totals["views"] == 4321 and r.views_note is None and r.totals["on_air_minutes"] == 75
    assert len(stub.requests) == 1 and stub.requests[0][1]["id"] == ["PASTVID0001"]
