"""A local stand-in for the YouTube Data API v3 (live streaming parts), for rehearsal and tests.

google-api-python-client talks to it unchanged: build the service with static discovery and
`client_options={"api_endpoint": sim.url}`; requests arrive as `/youtube/v3/<collection>...`.

What it serves: liveBroadcasts list/insert/update/delete/bind/transition, liveStreams
list/insert/update/delete, videos list/update/delete (privacy via status), plus nginx-rtmp's HTTP callbacks under
`/rtmp/on_publish` and `/rtmp/on_publish_done` so a stream goes active when the local RTMP
server (meetstream.sandbox.rtmp.LocalRtmpServer with `callback_url=sim.rtmp_callback_url`)
reports a publish of its key, and inactive when the publish ends.

Where each behaviour comes from is marked in the code:
  [ref]   the API reference (developers.google.com/youtube/v3/live/docs, the errors page, the
          discovery document shipped with google-api-python-client, the quota calculator)
  [comm]  reported by other projects (obs-studio, companion-module-youtube-live, yt-watchme)
  [guess] not documented; our best reading, kept simple on purpose

Rules taken from a reference page name it in the comment beside them (a URL, or "liveBroadcasts/update"
for https://developers.google.com/youtube/v3/live/docs/liveBroadcasts/update). Where YouTube's
behaviour is undocumented and matters to the night, the simulator takes the hostile reading on
purpose (marked GUESS, hostile): e.g. with two auto-start broadcasts bound to one stream, it starts
the wrong one. `sim.double_bindings` records every moment a stream had more than one auto-start
broadcast bound, so a test can prove meetstream never leaves it so.

Use `YouTubeSandbox().start()` / `.stop()` (or as a context manager); everything it keeps is
in memory. Tests and `meetstream rehearse` can read `sim.calls` (method, units, status) and
inject failures with `sim.fail_next(...)`. The clock is injectable (`clock=` returns epoch
seconds) so a benchmark can run three simulated hours in a moment.
"""

from __future__ import annotations

import json
import random
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from typing import Callable
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from meetstream.sandbox.loopback import LoopbackServer
from meetstream.sandbox.youtube_captions import CAPTION_COSTS, CAPTION_ROUTES, CaptionsSandbox, RawBody, answer_raw, captions_path, upload_body
# videos.insert by the resumable upload protocol (session URI, 308 Resume Incomplete, dropped connections).
from meetstream.sandbox.youtube_uploads import RESUMABLE_PATH, UPLOAD_COSTS, UPLOAD_ROUTES, UploadsSandbox, answer_resumable

# [ref] quota costs (quota calculator; live write costs [comm] as reported, list costs [ref]).
# Kept apart from meetstream.adapters.youtube.client.COSTS on purpose: this side stands for YouTube, so a
# mistake in the client's ledger shows as a mismatch in test_every_call_is_in_the_quota_ledger.
COSTS = {
    "liveBroadcasts.list": 1,
    "liveBroadcasts.insert": 50,
    "liveBroadcasts.update": 50,
    "liveBroadcasts.delete": 50,
    "liveBroadcasts.bind": 50,
    "liveBroadcasts.transition": 50,
    "liveStreams.list": 1,
    "liveStreams.insert": 50,
    "liveStreams.update": 50,
    "liveStreams.delete": 50,
    "videos.list": 1,
    "videos.update": 50,
    "videos.delete": 50,  # [ref] videos/delete: "a quota cost of 50 units"
}
COSTS.update(CAPTION_COSTS)  # [ref] captions list 50, download 200, insert 400, update 450, delete 50
COSTS.update(UPLOAD_COSTS)  # [ref] videos.insert 1,600 (sandbox.youtube_uploads)
PACIFIC = ZoneInfo("America/Los_Angeles")  # [ref] the daily quota resets at midnight Pacific time
CHANNEL_ID = "UCsandboxCouncilChannel0"

# Life cycle [ref]: created -> ready (bound) -> testStarting -> testing -> liveStarting -> live -> complete;
# revoked is set by YouTube (not reachable here).
TERMINAL = {"complete", "revoked"}
DEFAULT_PRIVACY = "private"  # GUESS, hostile: what an update that leaves privacyStatus out reverts to


class ApiError(Exception):
    """An error answer in YouTube's body shape [ref]."""

    def __init__(self, code: int, reason: str, message: str, domain: str = "youtube.liveBroadcast", **extra):
        self.code, self.reason, self.message, self.domain, self.extra = code, reason, message, domain, extra

    def body(self) -> dict:
        err = {"message": self.message, "domain": self.domain, "reason": self.reason, **self.extra}
        status = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}.get(self.code)
        body = {"code": self.code, "message": self.message, "errors": [err]}
        if status:
            body["status"] = status
        return {"error": body}


@dataclass
class Injected:
    method: str | None  # None = any method
    status: int
    reason: str
    message: str
    domain: str
    remaining: int


@dataclass
class Call:
    method: str
    units: int
    status: int
    reason: str | None = None
    params: dict = field(default_factory=dict)


def _rfc3339(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse_time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _new_id(n: int = 11) -> str:
    return "".join(random.choices(string.ascii_letters + string.digits + "-_", k=n))


def _new_key() -> str:
    # [ref] stream names look like "abcd-efgh-ijkl-mnop-qrst".
    return "-".join("".join(random.choices(string.ascii_lowercase + string.digits, k=4)) for _ in range(5))


class YouTubeSandbox(CaptionsSandbox, UploadsSandbox, LoopbackServer):
    """The simulator's state and rules. `start()` serves it over HTTP on loopback."""

    thread_name = "youtube-simulator"
    api_error = ApiError  # how the captions mixin (sandbox.youtube_captions) answers an error

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        daily_quota: int = 10_000,
        clock: Callable[[], float] = time.time,
        ingestion_address: str = "rtmp://127.0.0.1:1935/live2",
        backup_ingestion_address: str | None = None,
        live_streaming_enabled: bool = True,
        starting_seconds: float = 0.0,
    ):
        self.host, self._port = host, port
        self.daily_quota = daily_quota
        self.clock = clock
        self.ingestion_address = ingestion_address
        # [guess] YouTube's backup ingest is another host (b.rtmp.youtube.com/live2?backup=1); None: the
        # primary's address with ?backup=1, as YouTube spells it.
        self.backup_ingestion_address = backup_ingestion_address
        self.live_streaming_enabled = live_streaming_enabled
        # [guess] how long testStarting/liveStarting last before testing/live; YouTube takes seconds.
        self.starting_seconds = starting_seconds
        self.broadcasts: dict[str, dict] = {}
        self.streams: dict[str, dict] = {}
        self.videos: dict[str, dict] = {}
        self.calls: list[Call] = []
        self.publishes: list[tuple[str, bool]] = []  # (stream key, let through?) for each publish the ingest reported
        self.spent: dict[str, int] = {}  # Pacific day -> units
        # (method, stream id, broadcast ids) after each call that left more than one auto-start
        # broadcast, not yet started or finished, bound to one stream.
        self.double_bindings: list[tuple[str, str, tuple[str, ...]]] = []
        self._injected: list[Injected] = []
        self._lock = threading.RLock()

    # --- running --------------------------------------------------------------------------

    def _handler_class(self):
        return _Handler

    @property
    def url(self) -> str:
        """The api_endpoint to hand google-api-python-client (and youtube.api_url in config)."""
        return f"http://{self.host}:{self.port}"

    @property
    def rtmp_callback_url(self) -> str:
        """Give this to LocalRtmpServer(callback_url=...)."""
        return f"{self.url}/rtmp"

    # --- test and rehearsal controls -----------------------------------------------------------

    def fail_next(self, method: str | None = None, *, status: int = 503, reason: str = "backendError",
                  message: str = "Backend Error", domain: str = "global", count: int = 1) -> None:
        """The next `count` calls of `method` (any method if None) answer with this error."""
        with self._lock:
            self._injected.append(Injected(method, status, reason, message, domain, count))

    def clear_failures(self) -> None:
        """YouTube answers again: injected failures not yet used are dropped."""
        with self._lock:
            self._injected.clear()

    def spent_today(self) -> int:
        return self.spent.get(self._day(), 0)

    def exhaust_quota(self) -> None:
        with self._lock:
            self.spent[self._day()] = self.daily_quota

    def write_calls(self) -> list[Call]:
        return [c for c in self.calls if not c.method.endswith(".list") and c.status < 400]

    def edit_in_studio(self, broadcast_id: str, *, video_snippet: dict | None = None, content_details: dict | None = None,
                       status: dict | None = None) -> None:
        """What an officer changes by hand in YouTube Studio (tags, language, captions, embedding, delay …)."""
        with self._lock:
            b, v = self.broadcasts[broadcast_id], self.videos[broadcast_id]
            v["snippet"].update(video_snippet or {})
            for k in ("title", "description"):
                b["snippet"][k] = v["snippet"][k]
            cd = dict(content_details or {})
            if "monitorStream" in cd:
                b["contentDetails"]["monitorStream"].update(cd.pop("monitorStream"))
            b["contentDetails"].update(cd)
            b["status"].update(status or {})

    def bound_auto_start(self, stream_id: str) -> list[str]:
        """Broadcasts that could still start by themselves when this stream goes active."""
        return sorted(b["id"] for b in self.broadcasts.values()
                      if b["contentDetails"].get("boundStreamId") == stream_id and b["contentDetails"].get("enableAutoStart")
                      and b["status"]["lifeCycleStatus"] in ("created", "ready", "testStarting", "testing"))

    def _observe_bindings(self, method: str) -> None:
        for sid in self.streams:
            bound = self.bound_auto_start(sid)
            if len(bound) > 1:
                self.double_bindings.append((method, sid, tuple(bound)))

    def stream_by_key(self, key: str) -> dict | None:
        return next((s for s in self.streams.values() if s["cdn"]["ingestionInfo"]["streamName"] == key), None)

    def publish(self, key: str) -> bool:
        """What nginx-rtmp's on_publish reports: the stream with this key starts receiving data."""
        with self._lock:
            stream = self.stream_by_key(key)
            self.publishes.append((key, stream is not None))
            if stream is None:
                return False
            self._set_stream_status(stream, "active")
            return True

    def publish_done(self, key: str) -> bool:
        with self._lock:
            stream = self.stream_by_key(key)
            if stream is None:
                return False
            self._set_stream_status(stream, "inactive")
            return True

    # --- internals ----------------------------------------------------------------------------

    def _day(self) -> str:
        return datetime.fromtimestamp(self.clock(), PACIFIC).date().isoformat()

    def _set_stream_status(self, stream: dict, status: str) -> None:
        now = self.clock()
        stream["status"]["streamStatus"] = status
        stream["status"]["healthStatus"] = {
            "status": "good" if status == "active" else "noData",
            "lastUpdateTimeSeconds": str(int(now)),
            "configurationIssues": [],
        }
        bound = [b for b in self.broadcasts.values() if b["contentDetails"].get("boundStreamId") == stream["id"]]
        for b in bound:
            self._settle(b)
        on_air = [b for b in bound if b["status"]["lifeCycleStatus"] in ("liveStarting", "live")]
        if status == "active" and not on_air:
            # [ref] enableAutoStart: the broadcast goes live by itself when the bound stream starts
            # (liveBroadcasts resource, contentDetails.enableAutoStart).
            # GUESS, hostile: which of several auto-start broadcasts bound to one stream starts is not
            # documented. Here the latest scheduled does, the wrong one for a council (the next
            # meeting is the earliest), so only a client that never leaves two bound gets it right.
            waiting = [b for b in bound if b["contentDetails"].get("enableAutoStart")
                       and b["status"]["lifeCycleStatus"] in ("ready", "testing")]
            if waiting:
                self._begin(max(waiting, key=lambda b: b["snippet"]["scheduledStartTime"]), "live")
        if status == "inactive":
            for b in on_air:
                # [ref] enableAutoStop: the broadcast completes when the stream stops ([comm]: for good).
                if b["contentDetails"].get("enableAutoStop"):
                    self._finish(b)

    def _begin(self, b: dict, target: str) -> None:
        # [ref] a transition answers with testStarting/liveStarting; [guess] the target status is
        # reached `starting_seconds` later (YouTube takes a few seconds), seen on the next read.
        b["status"]["lifeCycleStatus"] = "testStarting" if target == "testing" else "liveStarting"
        b["_target"] = target
        b["_settles_at"] = self.clock() + self.starting_seconds

    def _settle(self, b: dict) -> None:
        target = b.get("_target")
        if target and self.clock() >= b.get("_settles_at", 0) and b["status"]["lifeCycleStatus"] in ("testStarting", "liveStarting"):
            b["status"]["lifeCycleStatus"] = target
            b.pop("_target", None)
            if target == "live":
                now = _rfc3339(self.clock())
                b["snippet"]["actualStartTime"] = now
                b["status"]["recordingStatus"] = "recording"
                self.videos[b["id"]]["liveStreamingDetails"]["actualStartTime"] = now

    def _finish(self, b: dict) -> None:
        now = _rfc3339(self.clock())
        b["status"]["lifeCycleStatus"] = "complete"
        b["status"]["recordingStatus"] = "recorded"
        b["snippet"]["actualEndTime"] = now
        b.pop("_target", None)
        self.videos[b["id"]]["liveStreamingDetails"]["actualEndTime"] = now

    def _charge(self, method: str, units: int) -> None:
        day = self._day()
        self.spent[day] = self.spent.get(day, 0) + units

    def handle(self, verb: str, path: str, params: dict[str, str], body: dict | None) -> tuple[int, dict | None]:
        """One API request -> (status, JSON body). Thread-safe: one request at a time."""
        path, params = captions_path(verb, path, params)  # GET captions/{id} is captions.download
        route = {
            ("GET", "liveBroadcasts"): "liveBroadcasts.list",
            ("POST", "liveBroadcasts"): "liveBroadcasts.insert",
            ("PUT", "liveBroadcasts"): "liveBroadcasts.update",
            ("DELETE", "liveBroadcasts"): "liveBroadcasts.delete",
            ("POST", "liveBroadcasts/bind"): "liveBroadcasts.bind",
            ("POST", "liveBroadcasts/transition"): "liveBroadcasts.transition",
            ("GET", "liveStreams"): "liveStreams.list",
            ("POST", "liveStreams"): "liveStreams.insert",
            ("PUT", "liveStreams"): "liveStreams.update",
            ("DELETE", "liveStreams"): "liveStreams.delete",
            ("GET", "videos"): "videos.list",
            ("PUT", "videos"): "videos.update",
            ("DELETE", "videos"): "videos.delete",
            **CAPTION_ROUTES,
            **UPLOAD_ROUTES,
        }.get((verb, path))
        if route is None:
            return 404, ApiError(404, "notFound", f"No such method {verb} {path}", "global").body()
        with self._lock:
            cost = COSTS[route]
            # [ref] past the daily limit every call is refused with 403 quotaExceeded, and costs nothing.
            if self.spent.get(self._day(), 0) + cost > self.daily_quota:
                err = ApiError(403, "quotaExceeded",
                               "The request cannot be completed because you have exceeded your "
                               "<a href=\"/youtube/v3/getting-started#quota\">quota</a>.", "youtube.quota")
                self.calls.append(Call(route, 0, 403, "quotaExceeded", dict(params)))
                return 403, err.body()
            for inj in self._injected:
                if inj.remaining > 0 and inj.method in (None, route):
                    inj.remaining -= 1
                    # [ref] an invalid or failed request costs at least one unit; [guess] exactly one.
                    units = 0 if inj.reason == "quotaExceeded" else 1
                    self._charge(route, units)
                    self.calls.append(Call(route, units, inj.status, inj.reason, dict(params)))
                    return inj.status, ApiError(inj.status, inj.reason, inj.message, inj.domain).body()
            try:
                if route.startswith("live") and not self.live_streaming_enabled:
                    # [ref] reason liveStreamingNotEnabled under 403.
                    raise ApiError(403, "liveStreamingNotEnabled",
                                   "The user is not enabled for live streaming.", "youtube.liveBroadcast")
                handler = getattr(self, "_" + route.replace(".", "_"))
                status, result = handler(params, body or {})
            except ApiError as err:
                self._charge(route, 1)
                self.calls.append(Call(route, 1, err.code, err.reason, dict(params)))
                return err.code, err.body()
            self._charge(route, cost)
            self.calls.append(Call(route, cost, status, None, dict(params)))
            self._observe_bindings(route)
            return status, result

    # --- helpers for the methods --------------------------------------------------------------

    @staticmethod
    def _parts(params: dict, allowed: set[str]) -> list[str]:
        part = params.get("part")
        if not part:
            raise ApiError(400, "required", "Required parameter: part", "global", location="part", locationType="parameter")
        parts = [p.strip() for p in part.split(",") if p.strip()]
        bad = [p for p in parts if p not in allowed]
        if bad:
            raise ApiError(400, "unexpectedPart", f"'{bad[0]}'", "youtube.part", location="part", locationType="parameter")
        return parts

    @staticmethod
    def _view(resource: dict, parts: list[str]) -> dict:
        out = {k: resource[k] for k in ("kind", "etag", "id") if k in resource}
        for p in parts:
            if p in resource and p != "id":
                out[p] = json.loads(json.dumps(resource[p]))
        return out

    @staticmethod
    def _page(items: list[dict], params: dict, kind: str, default_max: int = 5) -> dict:
        try:
            max_results = int(params.get("maxResults", default_max))
        except ValueError:
            raise ApiError(400, "invalidValue", "Invalid value for maxResults", "global") from None
        if not 0 <= max_results <= 50:  # [ref] 0..50
            raise ApiError(400, "invalidValue", "maxResults must be between 0 and 50", "global")
        start = int(params.get("pageToken") or 0)
        page = items[start:start + max_results]
        out = {"kind": kind, "etag": _new_id(27), "pageInfo": {"totalResults": len(items), "resultsPerPage": max_results}, "items": page}
        if start + max_results < len(items):
            out["nextPageToken"] = str(start + max_results)  # [guess] opaque in YouTube; an offset here
        if start:
            out["prevPageToken"] = str(max(0, start - max_results))
        return out

    @staticmethod
    def _check_text(text: str, what: str, limit: int, reason: str, domain: str) -> None:
        # [ref] descriptions: at most 5000 bytes, and < > are not allowed.
        if len(text.encode()) > limit or "<" in text or ">" in text:
            raise ApiError(400, reason, f"The {what} is invalid (at most {limit} bytes, no < or >).", domain)

    def _broadcast(self, params: dict, key: str = "id") -> dict:
        bid = params.get(key)
        if not bid:
            raise ApiError(400, "idRequired", "Required parameter: id")
        b = self.broadcasts.get(bid)
        if b is None:
            raise ApiError(404, "liveBroadcastNotFound", "Broadcast not found")
        self._settle(b)
        return b

    # --- liveBroadcasts -----------------------------------------------------------------------

    BROADCAST_PARTS = {"id", "snippet", "contentDetails", "status", "monetizationDetails", "statistics"}

    def _liveBroadcasts_list(self, params: dict, body: dict) -> tuple[int, dict]:
        parts = self._parts(params, self.BROADCAST_PARTS)
        filters = [k for k in ("id", "mine", "broadcastStatus") if params.get(k)]
        if len(filters) != 1:  # [ref] exactly one filter: id, mine or broadcastStatus
            raise ApiError(400, "incompatibleParameters", "Specify exactly one of id, mine and broadcastStatus.")
        items = list(self.broadcasts.values())
        for b in items:
            self._settle(b)
        if params.get("id"):
            wanted = params["id"].split(",")
            items = [self.broadcasts[i] for i in wanted if i in self.broadcasts]
        else:
            # [ref] broadcastType defaults to "event"; ours are all events.
            status = params.get("broadcastStatus", "all")
            groups = {
                "all": None,
                "active": {"live", "liveStarting", "testing", "testStarting"},
                "upcoming": {"created", "ready"},
                "completed": {"complete", "revoked"},
            }
            if status not in groups:
                raise ApiError(400, "invalidValue", f"Invalid broadcastStatus {status!r}")
            if groups[status] is not None:
                items = [b for b in items if b["status"]["lifeCycleStatus"] in groups[status]]
            items.sort(key=lambda b: b["snippet"]["scheduledStartTime"])
        return 200, self._page([self._view(b, parts) for b in items], params, "youtube#liveBroadcastListResponse")

    def _broadcast_fields(self, body: dict, *, inserting: bool) -> tuple[dict, dict, dict]:
        snippet = body.get("snippet") or {}
        status = body.get("status") or {}
        cd = body.get("contentDetails") or {}
        title = snippet.get("title")
        if not title:
            raise ApiError(400, "titleRequired", "The broadcast title is required.")
        if len(title) > 100 or "<" in title or ">" in title:
            raise ApiError(400, "invalidTitle", "The broadcast title is invalid (1-100 characters, no < or >).")
        if not snippet.get("scheduledStartTime"):
            raise ApiError(400, "scheduledStartTimeRequired", "The scheduled start time is required.")
        try:
            start = _parse_time(snippet["scheduledStartTime"])
        except ValueError:
            raise ApiError(400, "invalidScheduledStartTime", "The scheduled start time is not a valid date-time.") from None
        if inserting and start < self.clock():
            raise ApiError(400, "invalidScheduledStartTime", "Scheduled start time must be in the future.")
        if snippet.get("scheduledEndTime"):
            if _parse_time(snippet["scheduledEndTime"]) <= start:
                raise ApiError(400, "invalidScheduledEndTime", "Scheduled end time must be after the start time.")
        self._check_text(snippet.get("description", ""), "description", 5000, "invalidDescription", "youtube.liveBroadcast")
        privacy = status.get("privacyStatus")
        # [ref] liveBroadcasts/insert: status.privacyStatus is one of the three properties an insert
        # must set. An update may leave it out (see _liveBroadcasts_update); a wrong value is a 400.
        if inserting and not privacy:
            raise ApiError(400, "privacyStatusRequired", "The privacy status is required.")
        if privacy is not None and privacy not in ("public", "unlisted", "private"):
            raise ApiError(400, "invalidPrivacyStatus", "A valid privacy status is required.")
        # [ref] liveBroadcasts/insert lists monitorStream.enableMonitorStream and
        # monitorStream.broadcastStreamDelayMs among the properties an insert *may* set, not must:
        # an insert that leaves either out is accepted and gets the default (see _content_details).
        # The update's stricter rule is in _liveBroadcasts_update.
        self._check_exclusive(cd)
        return snippet, status, cd

    @staticmethod
    def _check_exclusive(cd: dict) -> None:
        # [ref] discovery document, LiveBroadcastContentDetails: enableClosedCaptions "is mutually
        # exclusive with using the closed_captions_type property, and is equivalent to setting
        # closed_captions_type to CLOSED_CAPTIONS_HTTP_POST"; latencyPreference and enableLowLatency
        # "if both are set, they must match". GUESS: a contradicting pair is a 400 invalidValue.
        if "enableClosedCaptions" in cd and "closedCaptionsType" in cd:
            if bool(cd["enableClosedCaptions"]) != (cd["closedCaptionsType"] == "closedCaptionsHttpPost"):
                raise ApiError(400, "invalidValue", "enableClosedCaptions and closedCaptionsType disagree.")
        if "enableLowLatency" in cd and "latencyPreference" in cd:
            if bool(cd["enableLowLatency"]) != (cd["latencyPreference"] == "low"):
                raise ApiError(400, "invalidValue", "enableLowLatency and latencyPreference disagree.")

    def _liveBroadcasts_insert(self, params: dict, body: dict) -> tuple[int, dict]:
        parts = self._parts(params, self.BROADCAST_PARTS)
        snippet, status, cd = self._broadcast_fields(body, inserting=True)
        bid = _new_id()
        now = _rfc3339(self.clock())
        b = {
            "kind": "youtube#liveBroadcast",
            "etag": _new_id(27),
            "id": bid,
            "snippet": {
                "publishedAt": now,
                "channelId": CHANNEL_ID,
                "title": snippet["title"],
                "description": snippet.get("description", ""),
                "scheduledStartTime": snippet["scheduledStartTime"],
                **({"scheduledEndTime": snippet["scheduledEndTime"]} if snippet.get("scheduledEndTime") else {}),
                "isDefaultBroadcast": False,
                "liveChatId": "Kw" + _new_id(20),
            },
            "status": {
                "lifeCycleStatus": "created",
                "privacyStatus": status["privacyStatus"],
                "recordingStatus": "notRecording",
                "madeForKids": bool(status.get("selfDeclaredMadeForKids", False)),
                "selfDeclaredMadeForKids": bool(status.get("selfDeclaredMadeForKids", False)),
            },
            "contentDetails": self._content_details(cd, {}),
        }
        self.broadcasts[bid] = b
        # [ref] the broadcast id is also the id of its video.
        self.videos[bid] = {
            "kind": "youtube#video",
            "etag": _new_id(27),
            "id": bid,
            # GUESS: the video takes the channel's default category; "22" (People & Blogs) is
            # YouTube's own default. Tags and defaultLanguage are set later in Studio, if at all.
            "snippet": {"publishedAt": now, "channelId": CHANNEL_ID, "title": b["snippet"]["title"],
                        "description": b["snippet"]["description"], "categoryId": "22",
                        "liveBroadcastContent": "upcoming"},
            "status": {"privacyStatus": status["privacyStatus"], "uploadStatus": "uploaded"},
            "liveStreamingDetails": {"scheduledStartTime": snippet["scheduledStartTime"]},
        }
        return 200, self._view(b, parts)

    @staticmethod
    def _content_details(cd: dict, old: dict) -> dict:
        """The whole contentDetails part from what was sent: every settable property left out takes
        its default ([ref] liveBroadcasts/update: "this method will override the existing values for
        all of the mutable properties that are contained in any parts that the parameter value
        specifies"). Defaults [ref] discovery document: enableDvr and recordFromStart true, auto
        start and stop false, projection rectangular; GUESS: embedding on, captions off, normal
        latency, monitor stream on with no delay."""
        ms = cd.get("monitorStream") or {}
        if "closedCaptionsType" in cd:
            captions = cd["closedCaptionsType"]
        else:
            captions = "closedCaptionsHttpPost" if cd.get("enableClosedCaptions") else "closedCaptionsDisabled"
        if "latencyPreference" in cd:
            latency = cd["latencyPreference"]
        else:
            latency = "low" if cd.get("enableLowLatency") else "normal"
        out = {
            "monitorStream": {"enableMonitorStream": bool(ms.get("enableMonitorStream", True)),
                              "broadcastStreamDelayMs": int(ms.get("broadcastStreamDelayMs", 0)),
                              "embedHtml": "<iframe></iframe>"},
            "enableEmbed": bool(cd.get("enableEmbed", True)),
            "enableDvr": bool(cd.get("enableDvr", True)),
            "recordFromStart": bool(cd.get("recordFromStart", True)),
            "enableClosedCaptions": captions == "closedCaptionsHttpPost",
            "closedCaptionsType": captions,
            "enableLowLatency": latency == "low",
            "latencyPreference": latency,
            "enableContentEncryption": bool(cd.get("enableContentEncryption", False)),
            "startWithSlate": bool(cd.get("startWithSlate", False)),
            "projection": cd.get("projection", "rectangular"),
            "enableAutoStart": bool(cd.get("enableAutoStart", False)),
            "enableAutoStop": bool(cd.get("enableAutoStop", False)),
        }
        for k in ("boundStreamId", "boundStreamLastUpdateTimeMs"):
            if k in old:
                out[k] = old[k]
        return out

    def _liveBroadcasts_update(self, params: dict, body: dict) -> tuple[int, dict]:
        parts = self._parts(params, self.BROADCAST_PARTS)
        b = self._broadcast({"id": body.get("id")})
        if b["status"]["lifeCycleStatus"] in TERMINAL:
            # [guess] a completed broadcast's schedule cannot change.
            raise ApiError(403, "invalidTransition", "The broadcast is complete and cannot be changed.")
        # [ref] each named part is replaced whole: fields left out take their defaults.
        if "snippet" in parts:
            snippet, _, _ = self._broadcast_fields({"snippet": body.get("snippet")}, inserting=False)
            keep = {k: b["snippet"][k] for k in ("publishedAt", "channelId", "isDefaultBroadcast", "liveChatId", "actualStartTime", "actualEndTime") if k in b["snippet"]}
            b["snippet"] = {**keep, "title": snippet["title"], "description": snippet.get("description", ""),
                            "scheduledStartTime": snippet["scheduledStartTime"],
                            **({"scheduledEndTime": snippet["scheduledEndTime"]} if snippet.get("scheduledEndTime") else {})}
            v = self.videos[b["id"]]["snippet"]
            v["title"], v["description"] = b["snippet"]["title"], b["snippet"]["description"]
        if "status" in parts:
            status = body.get("status") or {}
            if status.get("privacyStatus") not in (None, "public", "unlisted", "private"):
                raise ApiError(400, "invalidPrivacyStatus", "A valid privacy status is required.")
            # [ref] liveBroadcasts/update, the part parameter: "If the request body does not specify a
            # value, the existing privacy setting will be removed and the broadcast will revert to the
            # default privacy setting." No error: the privacy silently changes.
            # GUESS, hostile: the default is "private", so a council's public meeting quietly vanishes.
            b["status"]["privacyStatus"] = status.get("privacyStatus") or DEFAULT_PRIVACY
            b["status"]["selfDeclaredMadeForKids"] = bool(status.get("selfDeclaredMadeForKids", False))
            self.videos[b["id"]]["status"]["privacyStatus"] = b["status"]["privacyStatus"]
        if "contentDetails" in parts:
            cd = body.get("contentDetails") or {}
            ms = cd.get("monitorStream")
            # [comm] on update, monitorStream must be sent with both of its fields, or 400
            # (streamlabs-obs and companion-module-youtube-live resend both for this reason).
            if not ms or "enableMonitorStream" not in ms or "broadcastStreamDelayMs" not in ms:
                raise ApiError(400, "invalidMonitorStream", "contentDetails.monitorStream needs enableMonitorStream and broadcastStreamDelayMs.")
            self._check_exclusive(cd)
            b["contentDetails"] = self._content_details(cd, b["contentDetails"])
        b["etag"] = _new_id(27)
        return 200, self._view(b, parts)

    def _liveBroadcasts_delete(self, params: dict, body: dict) -> tuple[int, None]:
        b = self._broadcast(params)
        # [comm] only a broadcast that never started can be deleted.
        if b["status"]["lifeCycleStatus"] not in ("created", "ready"):
            raise ApiError(403, "liveBroadcastDeletionNotAllowed", "The broadcast cannot be deleted in its current status.")
        del self.broadcasts[b["id"]]
        self.videos.pop(b["id"], None)
        return 204, None

    def _liveBroadcasts_bind(self, params: dict, body: dict) -> tuple[int, dict]:
        parts = self._parts(params, self.BROADCAST_PARTS)
        b = self._broadcast(params)
        life = b["status"]["lifeCycleStatus"]
        if life not in ("created", "ready"):
            # [ref] reason; [guess] exactly which states refuse it.
            raise ApiError(403, "liveBroadcastBindingNotAllowed", "The broadcast cannot be bound in its current status.")
        sid = params.get("streamId")
        cd = b["contentDetails"]
        if sid:
            if sid not in self.streams:
                raise ApiError(404, "liveStreamNotFound", "Stream not found", "youtube.liveStream")
            cd["boundStreamId"] = sid
            cd["boundStreamLastUpdateTimeMs"] = _rfc3339(self.clock())
            # GUESS: bound, the broadcast's settings are complete ("ready", liveBroadcasts resource).
            b["status"]["lifeCycleStatus"] = "ready"
            stream = self.streams[sid]
            others_on_air = any(o["contentDetails"].get("boundStreamId") == sid and o["status"]["lifeCycleStatus"] in ("liveStarting", "live")
                                for o in self.broadcasts.values() if o is not b)
            if stream["status"]["streamStatus"] == "active" and cd.get("enableAutoStart") and not others_on_air:
                # GUESS, hostile: an auto-start broadcast bound to a stream that is already receiving
                # data starts at once (undocumented), so binding the next meeting's broadcast while
                # OBS still streams the last one's closing slate would put the slate on it.
                self._begin(b, "live")
        else:
            # [ref] liveBroadcasts/bind, streamId: "If this parameter is omitted, the API will remove
            # any existing binding between the broadcast and a video stream."
            # GUESS: unbound, the broadcast's settings are incomplete again ("created").
            cd.pop("boundStreamId", None)
            cd.pop("boundStreamLastUpdateTimeMs", None)
            b["status"]["lifeCycleStatus"] = "created"
        return 200, self._view(b, parts)

    def _liveBroadcasts_transition(self, params: dict, body: dict) -> tuple[int, dict]:
        parts = self._parts(params, self.BROADCAST_PARTS)
        target = params.get("broadcastStatus")
        if not target:
            raise ApiError(400, "statusRequired", "Required parameter: broadcastStatus")
        if target not in ("testing", "live", "complete"):
            raise ApiError(400, "invalidValue", f"Invalid broadcastStatus {target!r}")
        b = self._broadcast(params)
        life = b["status"]["lifeCycleStatus"]
        in_progress = {"testing": "testStarting", "live": "liveStarting"}.get(target)
        if life == target or life == in_progress:
            raise ApiError(403, "redundantTransition", "The broadcast is already in the requested status or transitioning to it.")
        stream = self.streams.get(b["contentDetails"].get("boundStreamId") or "")
        monitor = b["contentDetails"]["monitorStream"]["enableMonitorStream"]
        if target == "complete":
            # [ref] errors page, liveBroadcasts.transition invalidTransition: "The live broadcast can't
            # transition from its current status to the requested status"; [comm] (the reference
            # notes in /work/shared/reference/youtube-live.md) only testing and live may complete. A
            # broadcast still in liveStarting or testStarting is refused: wait until it is live.
            if life not in ("testing", "live"):
                raise ApiError(403, "invalidTransition", "The broadcast can only be completed from testing or live.")
            self._finish(b)
            return 200, self._view(b, parts)
        if target == "testing":
            if life != "ready":
                raise ApiError(403, "invalidTransition", "Testing can only start from ready.")
            if not monitor:
                raise ApiError(403, "invalidTransition", "Testing needs the monitor stream enabled.")
        if target == "live":
            if life not in ("ready", "testing"):
                raise ApiError(403, "invalidTransition", "The broadcast cannot go live from its current status.")
            if life == "ready" and monitor:
                raise ApiError(403, "invalidTransition", "With the monitor stream enabled, transition to testing first.")
        if stream is None or stream["status"]["streamStatus"] != "active":
            raise ApiError(403, "errorStreamInactive", "Stream is inactive")
        self._begin(b, target)
        return 200, self._view(b, parts)

    # --- liveStreams --------------------------------------------------------------------------

    STREAM_PARTS = {"id", "snippet", "cdn", "contentDetails", "status"}

    def _liveStreams_list(self, params: dict, body: dict) -> tuple[int, dict]:
        parts = self._parts(params, self.STREAM_PARTS)
        if bool(params.get("id")) == bool(params.get("mine")):
            raise ApiError(400, "incompatibleParameters", "Specify exactly one of id and mine.", "youtube.liveStream")
        if params.get("id"):
            items = [self.streams[i] for i in params["id"].split(",") if i in self.streams]
        else:
            # [ref] non-reusable streams are left out of mine=true lists.
            items = [s for s in self.streams.values() if s["contentDetails"]["isReusable"]]
        return 200, self._page([self._view(s, parts) for s in items], params, "youtube#liveStreamListResponse")

    def _stream_fields(self, body: dict) -> tuple[dict, dict, dict]:
        snippet, cdn, cd = body.get("snippet") or {}, body.get("cdn") or {}, body.get("contentDetails") or {}
        title = snippet.get("title")
        if not title or len(title) > 128:
            raise ApiError(400, "titleRequired" if not title else "invalidTitle", "The stream title is required (1-128 characters).", "youtube.liveStream")
        if cdn.get("ingestionType") not in ("rtmp", "dash", "webrtc", "hls"):
            raise ApiError(400, "ingestionTypeRequired", "cdn.ingestionType is required.", "youtube.liveStream")
        if cdn.get("resolution") not in ("240p", "360p", "480p", "720p", "1080p", "1440p", "2160p", "variable"):
            raise ApiError(400, "resolutionRequired", "cdn.resolution is required.", "youtube.liveStream")
        if cdn.get("frameRate") not in ("30fps", "60fps", "variable"):
            raise ApiError(400, "frameRateRequired", "cdn.frameRate is required.", "youtube.liveStream")
        return snippet, cdn, cd

    def _liveStreams_insert(self, params: dict, body: dict) -> tuple[int, dict]:
        parts = self._parts(params, self.STREAM_PARTS)
        snippet, cdn, cd = self._stream_fields(body)
        sid = CHANNEL_ID[2:] + _new_id(16)
        s = {
            "kind": "youtube#liveStream",
            "etag": _new_id(27),
            "id": sid,
            "snippet": {"publishedAt": _rfc3339(self.clock()), "channelId": CHANNEL_ID, "title": snippet["title"],
                        "description": snippet.get("description", ""), "isDefaultStream": False},
            "cdn": {
                "ingestionType": cdn["ingestionType"],
                "resolution": cdn["resolution"],
                "frameRate": cdn["frameRate"],
                "ingestionInfo": {
                    "streamName": _new_key(),
                    "ingestionAddress": self.ingestion_address,
                    # [ref] liveStreams resource, cdn.ingestionInfo.backupIngestionAddress: "The backup
                    # ingestion URL ... You have the option of simultaneously streaming the content that
                    # you are sending to the ingestionAddress to this URL" (developers.google.com/youtube/
                    # v3/live/docs/liveStreams). A second ingest can be given its own server
                    # (`backup_ingestion_address=`), so a test can kill one and keep the other.
                    "backupIngestionAddress": self.backup_ingestion_address or self.ingestion_address + "?backup=1",
                    "rtmpsIngestionAddress": self.ingestion_address.replace("rtmp://", "rtmps://"),
                    "rtmpsBackupIngestionAddress": self.ingestion_address.replace("rtmp://", "rtmps://") + "?backup=1",
                },
            },
            # [ref] isReusable defaults to true.
            "contentDetails": {"isReusable": bool(cd.get("isReusable", True)), "closedCaptionsIngestionUrl": ""},
            # [guess] a new stream reports "ready" until data arrives.
            "status": {"streamStatus": "ready", "healthStatus": {"status": "noData", "configurationIssues": []}},
        }
        self.streams[sid] = s
        return 200, self._view(s, parts)

    def _liveStreams_update(self, params: dict, body: dict) -> tuple[int, dict]:
        parts = self._parts(params, self.STREAM_PARTS)
        s = self.streams.get(body.get("id") or "")
        if s is None:
            raise ApiError(404, "liveStreamNotFound", "Stream not found", "youtube.liveStream")
        snippet, cdn, _ = self._stream_fields(body)
        if s["status"]["streamStatus"] == "active" and (cdn["resolution"], cdn["frameRate"]) != (s["cdn"]["resolution"], s["cdn"]["frameRate"]):
            # [guess] the reference says cdn can't change while the stream is active.
            raise ApiError(403, "liveStreamModificationNotAllowed", "The stream is active.", "youtube.liveStream")
        s["snippet"]["title"] = snippet["title"]
        s["snippet"]["description"] = snippet.get("description", "")
        s["cdn"].update({"resolution": cdn["resolution"], "frameRate": cdn["frameRate"]})
        return 200, self._view(s, parts)

    def _liveStreams_delete(self, params: dict, body: dict) -> tuple[int, None]:
        sid = params.get("id")
        if sid not in self.streams:
            raise ApiError(404, "liveStreamNotFound", "Stream not found", "youtube.liveStream")
        for b in self.broadcasts.values():
            if b["contentDetails"].get("boundStreamId") == sid and b["status"]["lifeCycleStatus"] in ("testing", "live", "liveStarting", "testStarting"):
                raise ApiError(403, "liveStreamDeletionNotAllowed", "The stream is in use.", "youtube.liveStream")
        del self.streams[sid]
        return 204, None

    # --- videos -------------------------------------------------------------------------------

    VIDEO_PARTS = {"id", "snippet", "status", "liveStreamingDetails", "contentDetails", "statistics", "processingDetails"}  # [ref] videos resource parts

    def _videos_list(self, params: dict, body: dict) -> tuple[int, dict]:
        parts = self._parts(params, self.VIDEO_PARTS)
        for b in self.broadcasts.values():
            self._settle(b)
        ids = (params.get("id") or "").split(",")
        items = [self._view(self.videos[i], parts) for i in ids if i in self.videos]
        # [ref] videos/list, maxResults: "not supported for use in conjunction with the id parameter":
        # every id asked for (up to 50) comes back in one page.
        return 200, self._page(items, params, "youtube#videoListResponse", default_max=50 if params.get("id") else 5)

    def _videos_update(self, params: dict, body: dict) -> tuple[int, dict]:
        parts = self._parts(params, self.VIDEO_PARTS)
        v = self.videos.get(body.get("id") or "")
        if v is None:
            raise ApiError(404, "videoNotFound", "The video that you are trying to update cannot be found.", "youtube.video")
        if "snippet" in parts:
            snippet = body.get("snippet") or {}
            # [ref] videos/update: when the snippet is updated, snippet.title and snippet.categoryId
            # must be set; without them, 400 invalidVideoMetadata.
            if not snippet.get("title") or not snippet.get("categoryId"):
                raise ApiError(400, "invalidVideoMetadata", "The request metadata is invalid.", "youtube.video")
            self._check_text(snippet.get("description", ""), "description", 5000, "invalidDescription", "youtube.video")
            # [ref] videos/update: the part is replaced whole; "if your request does not specify a value
            # for a property that already has a value, the property's existing value will be deleted".
            # Settable in the snippet: title, description, categoryId, tags[], defaultLanguage
            # (videos/update request body); GUESS: defaultAudioLanguage too. Anything else is YouTube's.
            keep = {k: v["snippet"][k] for k in ("publishedAt", "channelId", "liveBroadcastContent") if k in v["snippet"]}
            settable = {k: snippet[k] for k in ("tags", "defaultLanguage", "defaultAudioLanguage") if snippet.get(k)}
            v["snippet"] = {**keep, "title": snippet["title"], "description": snippet.get("description", ""),
                            "categoryId": str(snippet["categoryId"]), **settable}
            b = self.broadcasts.get(v["id"])
            if b is not None:  # [ref] liveBroadcasts resource: the broadcast is exactly one video
                b["snippet"]["title"], b["snippet"]["description"] = v["snippet"]["title"], v["snippet"]["description"]
        if "status" in parts:
            self._video_status(v, body.get("status") or {})
        return 200, self._view(v, parts)

    # --- videos: the archive's privacy and deletion (meetstream archive) -----------------------

    def _video_status(self, v: dict, status: dict) -> None:
        privacy = status.get("privacyStatus")
        # [ref] videos resource, status.privacyStatus: "private", "public" or "unlisted"; videos/update:
        # the part is replaced whole, so a status without privacyStatus loses it. GUESS, hostile (as for
        # broadcasts, DEFAULT_PRIVACY): it falls back to private rather than being refused.
        if privacy is not None and privacy not in ("public", "unlisted", "private"):
            raise ApiError(400, "invalidPrivacyStatus", "A valid privacy status is required.", "youtube.video")
        v["status"] = {"uploadStatus": v["status"].get("uploadStatus", "processed"),
                       "privacyStatus": privacy or DEFAULT_PRIVACY,
                       **{k: status[k] for k in ("embeddable", "license", "publicStatsViewable", "selfDeclaredMadeForKids")
                          if k in status}}
        b = self.broadcasts.get(v["id"])
        if b is not None:  # [ref] liveBroadcasts resource: the broadcast is exactly one video
            b["status"]["privacyStatus"] = v["status"]["privacyStatus"]

    def _videos_delete(self, params: dict, body: dict) -> tuple[int, None]:
        # [ref] videos/delete (developers.google.com/youtube/v3/docs/videos/delete): DELETE ?id, 204 No
        # Content; 404 videoNotFound when there is no such video. GUESS: a video whose broadcast is
        # still on air is refused (403 forbidden, "the video ... cannot be deleted").
        vid = params.get("id")
        v = self.videos.get(vid or "")
        if v is None:
            raise ApiError(404, "videoNotFound", "The video that you are trying to delete cannot be found.", "youtube.video")
        b = self.broadcasts.get(vid)
        if b is not None and b["status"]["lifeCycleStatus"] in ("testStarting", "testing", "liveStarting", "live"):
            raise ApiError(403, "forbidden", "The video that you are trying to delete cannot be deleted.", "youtube.video")
        del self.videos[vid]
        self.broadcasts.pop(vid, None)  # [ref] the broadcast is its video: deleting one removes both
        return 204, None


class _Handler(BaseHTTPRequestHandler):
    simulator: YouTubeSandbox
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, keep-alive clients wait ~40 ms each.
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:  # quiet: request lines would carry stream keys
        pass

    def _answer(self, status: int, body: dict | None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def _dispatch(self, verb: str) -> None:
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if url.path == RESUMABLE_PATH and params.get("uploadType") == "resumable":
            answer_resumable(self, verb, params)  # reads the body itself: a test can drop the connection mid-chunk
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if url.path.startswith("/rtmp/"):
            self._rtmp(url.path[len("/rtmp/"):], params)
            return
        prefix = "/youtube/v3/"
        if url.path.startswith("/upload" + prefix):  # media uploads (captions.insert/update): multipart/related
            body = upload_body(self.headers.get("Content-Type", ""), raw)
            if body is None:
                self._answer(400, ApiError(400, "parseError", "Parse Error", "global").body())
                return
            status, result = self.simulator.handle(verb, url.path[len("/upload" + prefix):], params, body)
            self._answer(status, result)
            return
        if not url.path.startswith(prefix):
            self._answer(404, ApiError(404, "notFound", "Not Found", "global").body())
            return
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self._answer(400, ApiError(400, "parseError", "Parse Error", "global").body())
            return
        status, result = self.simulator.handle(verb, url.path[len(prefix):], params, body)
        if isinstance(result, RawBody):  # captions.download answers with the track, not JSON
            answer_raw(self, status, result)
            return
        self._answer(status, result)

    def _rtmp(self, event: str, params: dict) -> None:
        # nginx-rtmp's notify: any 2xx lets the publish go ahead, anything else refuses it.
        key = params.get("name", "")
        if event == "on_publish":
            ok = self.simulator.publish(key)
        elif event == "on_publish_done":
            ok = self.simulator.publish_done(key)
        else:
            ok = False
        # [guess] YouTube's ingest refuses an unknown key; so does ours.
        self._answer(200 if ok else 403, {"ok": ok})

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")
