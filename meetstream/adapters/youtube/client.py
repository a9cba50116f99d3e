"""The YouTube Data API client: one place that calls, counts quota, retries and maps errors.

googleapiclient is imported lazily, inside functions, so `meetstream --help` stays fast.
Every call goes through `YouTubeClient.call(method, request)`: it records the call's quota cost
in the store's ledger (the Pacific-time day, as YouTube counts), retries 5xx and rate limits with
backoff, and turns an HttpError into one YouTubeError line that says what to do.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from meetstream.errors import BroadcastGone, StreamGone, YouTubeError
from meetstream.net import is_loopback_url
from meetstream.adapters.youtube.auth import REAUTH
from meetstream.core.quota import COSTS, QuotaLedger

from meetstream.ports import BroadcastState, StreamInfo
from meetstream.adapters.youtube.refusals import ApiRefusal, RedundantTransition  # noqa: F401  (raised here; callers catch them from here)

log = logging.getLogger(__name__)


@dataclass
class CallRecord:
    method: str
    units: int
    ok: bool


@dataclass
class YouTubeClient:
    """A built googleapiclient service plus ledger, retries and error mapping.

    `service` is what `googleapiclient.discovery.build("youtube", "v3", ...)` returns; hand in one
    built against the simulator (see `build_service`) for rehearsal and tests.
    """

    service: Any
    ledger: QuotaLedger | None = None
    retries: int = 3
    sleep: Callable[[float], None] = time.sleep
    calls: list[CallRecord] = field(default_factory=list)

    def call(self, method: str, request) -> dict:
        """Execute one request built from `service` (e.g. service.liveBroadcasts().list(...))."""
        from googleapiclient.errors import HttpError

        delay = 1.0
        for attempt in range(self.retries + 1):
            try:
                result = request.execute(num_retries=0)
            except HttpError as err:
                status = int(err.resp.status)
                reason = _reason(err)
                units = 0 if reason == "quotaExceeded" else 1  # a refused request still costs a unit
                self._count(method, units, ok=False)
                if (status >= 500 or reason in RATE_LIMITED or status == 429) and attempt < self.retries:
                    if self.ledger is not None and self.ledger.remaining() < COSTS.get(method, 1):
                        # Another try would spend units today's quota does not have.
                        if reason in RATE_LIMITED or status == 429:
                            raise ApiRefusal(_RATE_LIMITED_NO_QUOTA, status=status, reason=reason, method=method) from err
                        raise map_http_error(err, method, status, reason) from err
                    log.info("YouTube %s answered %s %s; retrying in %.0fs", method, status, reason, delay)
                    self.sleep(delay)
                    delay = min(delay * 2, 30.0)
                    continue
                raise map_http_error(err, method, status, reason) from err
            except Exception as err:  # refresh failures and network errors
                mapped = _map_transport_error(err, method)
                if mapped is None:
                    raise
                raise mapped from err
            self._count(method, COSTS.get(method, 1), ok=True)
            return result if result is not None else {}
        raise AssertionError("unreachable")

    def _count(self, method: str, units: int, ok: bool) -> None:
        self.calls.append(CallRecord(method, units, ok))
        if self.ledger is not None:
            self.ledger.record(method, units, ok)

    def units_spent(self) -> int:
        return sum(c.units for c in self.calls)

    # --- what the services are handed: typed values, never the store (meetstream.ports) -------

    def broadcast_states(self, ids: list[str], *, whole: bool = False) -> dict[str, BroadcastState]:
        """The broadcasts YouTube still has among `ids` (1 unit per 50); `whole` reads the parts an
        update must send back (snippet, status, contentDetails)."""
        from meetstream.adapters.youtube.broadcasts import PARTS, get_broadcasts

        found = get_broadcasts(self, ids, part=PARTS if whole else "id,status,contentDetails")
        return {bid: _state(item) for bid, item in found.items()}

    def create_broadcast(self, spec) -> BroadcastState:
        from meetstream.adapters.youtube.broadcasts import insert_broadcast

        return _state(insert_broadcast(self, spec))

    def update_broadcast(self, broadcast_id: str, spec, current: BroadcastState | None = None) -> BroadcastState:
        from meetstream.adapters.youtube.broadcasts import update_broadcast

        return _state(update_broadcast(self, broadcast_id, spec, current.resource if current is not None else None))

    def delete_broadcast(self, broadcast_id: str) -> bool:
        """True if deleted, False if YouTube had no such broadcast any more."""
        from meetstream.adapters.youtube.broadcasts import delete_broadcast

        return delete_broadcast(self, broadcast_id)

    def bind_broadcast(self, broadcast_id: str, stream_id: str) -> BroadcastState:
        """Bound; StreamGone or BroadcastGone when YouTube no longer has the one or the other."""
        from meetstream.adapters.youtube.broadcasts import bind_broadcast

        try:
            return _state(bind_broadcast(self, broadcast_id, stream_id))
        except ApiRefusal as err:
            if err.reason == "liveStreamNotFound":
                raise StreamGone(str(err)) from err
            if err.reason == "liveBroadcastNotFound":
                raise BroadcastGone(str(err)) from err
            raise

    def unbind_broadcast(self, broadcast_id: str) -> BroadcastState:
        from meetstream.adapters.youtube.broadcasts import unbind_broadcast

        return _state(unbind_broadcast(self, broadcast_id))

    def streams(self) -> list[StreamInfo]:
        """Every reusable stream on the channel (1 unit per page of 50)."""
        from meetstream.adapters.youtube.streams import list_my_streams, stream_info

        return [stream_info(item) for item in list_my_streams(self)]

    def stream(self, stream_id: str) -> StreamInfo | None:
        from meetstream.adapters.youtube.streams import get_stream, stream_info

        item = get_stream(self, stream_id)
        return stream_info(item) if item is not None else None

    def create_stream(self, title: str, description: str, resolution: str, frame_rate: str) -> StreamInfo:
        """A reusable RTMP stream: 50 units."""
        from meetstream.adapters.youtube.streams import insert_stream, stream_info

        return stream_info(insert_stream(self, title, description, resolution, frame_rate))


def _state(item: dict) -> BroadcastState:
    return BroadcastState(item["id"], (item.get("status") or {}).get("lifeCycleStatus", "created"),
                          (item.get("contentDetails") or {}).get("boundStreamId"), item)



# Reasons that mean "slow down": the Data API's (rateLimitExceeded, userRateLimitExceeded) and the
# live API's own, documented for liveBroadcasts and liveStreams calls
# (https://developers.google.com/youtube/v3/live/docs/errors: rateLimitExceeded / userRequestsExceedRateLimit).
RATE_LIMITED = ("rateLimitExceeded", "userRateLimitExceeded", "userRequestsExceedRateLimit")
_RATE_LIMITED_NO_QUOTA = ("YouTube says too many requests in a short time, and today's quota has no units left to try again; "
                          "run it again after midnight Pacific time (see `meetstream youtube quota`)")


def _reason(err) -> str | None:
    import json

    try:
        body = json.loads(err.content.decode() if isinstance(err.content, bytes) else err.content)
        errors = body.get("error", {}).get("errors") or []
        if errors:
            return errors[0].get("reason")
        # Newer error bodies carry the reason only in details[].reason.
        for detail in body.get("error", {}).get("details") or []:
            if detail.get("reason"):
                return detail["reason"]
    except (ValueError, AttributeError):
        pass
    return None


_MESSAGES = {
    "quotaExceeded": "YouTube's daily API quota is used up; it resets at midnight Pacific time "
    "(see `meetstream youtube quota`, or ask Google for more quota)",
    "liveStreamingNotEnabled": "this YouTube channel is not enabled for live streaming; enable it at "
    "https://www.youtube.com/features (it takes up to 24 hours), then try again",
    "insufficientLivePermissions": "this Google account may not live stream on the channel; sign in with the "
    "channel's owner or manager (`meetstream auth youtube`)",
    "errorStreamInactive": "YouTube is not receiving the room's stream yet; start streaming in OBS (with the room's "
    "stream key) and try again",
    "invalidTransition": "YouTube refused to change the broadcast's status from where it is now",
    "liveBroadcastNotFound": "the YouTube broadcast no longer exists (deleted on YouTube?); run `meetstream schedule` to make a new one",
    "liveStreamNotFound": "the room's YouTube stream no longer exists; run `meetstream schedule` to create it again",
    "liveBroadcastDeletionNotAllowed": "YouTube will not delete a broadcast that has already started",
    "liveBroadcastBindingNotAllowed": "YouTube will not bind a stream to a broadcast that has already started",
    "invalidScheduledStartTime": "the meeting's start time is in the past or invalid, so YouTube will not schedule it",
    "invalidDescription": "YouTube refused the description (at most 5000 bytes, no < or >)",
    "invalidTitle": "YouTube refused the title (1-100 characters, no < or >)",
    "userBroadcastsExceedLimit": "the channel has reached YouTube's limit of scheduled broadcasts; delete old ones or schedule fewer days ahead",
    "insufficientPermissions": "the YouTube sign-in does not allow this; run `meetstream auth youtube` again",
    "forbidden": "YouTube refused the request for this account",
    "userRequestsExceedRateLimit": "YouTube says too many requests in a short time, even after waiting; try again in a few minutes",
    "rateLimitExceeded": "YouTube says too many requests in a short time, even after waiting; try again in a few minutes",
}


def map_http_error(err, method: str, status: int | None = None, reason: str | None = None) -> YouTubeError:
    """One HttpError -> one YouTubeError whose message is what an officer can act on."""
    status = status if status is not None else int(err.resp.status)
    reason = reason if reason is not None else _reason(err)
    detail = err.reason or ""
    if reason == "redundantTransition":
        return RedundantTransition("the broadcast is already in that status")
    if status == 401 or reason in ("authError", "invalid_grant"):
        return ApiRefusal(REAUTH, status=status, reason=reason, method=method)
    if reason in _MESSAGES:
        text = _MESSAGES[reason]
        if reason == "invalidTransition" and detail:
            text = f"{text} ({detail})"
        return ApiRefusal(text, status=status, reason=reason, method=method)
    if status >= 500:
        return ApiRefusal(f"YouTube is failing ({status} {reason or 'server error'} on {method}) after retries; try again in a few minutes",
                          status=status, reason=reason, method=method)
    return ApiRefusal(f"YouTube refused {method}: {status} {reason or ''} {detail}".rstrip(), status=status, reason=reason, method=method)


def _map_transport_error(err: Exception, method: str) -> YouTubeError | None:
    try:
        from google.auth.exceptions import RefreshError, TransportError
    except ImportError:  # pragma: no cover
        return None
    if isinstance(err, RefreshError):
        return ApiRefusal(REAUTH, status=401, reason="invalid_grant", method=method)
    try:
        from httplib2 import HttpLib2Error
    except ImportError:  # pragma: no cover
        HttpLib2Error = OSError
    if isinstance(err, (TransportError, OSError, HttpLib2Error)):
        return YouTubeError(f"cannot reach YouTube ({type(err).__name__}: {err}); check the network and try again")
    return None


def build_service(api_url: str | None = None, credentials=None):
    """The googleapiclient service: static discovery; `api_url` points it at the simulator."""
    from googleapiclient.discovery import build

    # googleapiclient warns about every refusal it sees; ours are mapped to one line already.
    if logging.getLogger("googleapiclient").getEffectiveLevel() > logging.INFO:
        logging.getLogger("googleapiclient.http").setLevel(logging.ERROR)
    if credentials is None:
        if not is_loopback_url(api_url):
            raise YouTubeError("no YouTube credentials; run `meetstream auth youtube`")
        from google.oauth2.credentials import Credentials

        credentials = Credentials(token="sandbox-token")  # the simulator does not check tokens
    options = {"api_endpoint": api_url} if api_url else None
    return build("youtube", "v3", credentials=credentials, client_options=options, cache_discovery=False, static_discovery=True)


def build_client(settings, ledger: QuotaLedger | None, *, credentials=None,
                 sleep: Callable[[float], None] = time.sleep) -> YouTubeClient:
    """The client from settings: the real API (stored sign-in), or the simulator at youtube.api_url;
    every call counted in `ledger` (built by meetstream.bootstrap over the store)."""
    yt = settings.youtube
    if credentials is None and not is_loopback_url(yt.api_url):
        from meetstream.adapters.youtube.auth import load_credentials

        credentials = load_credentials()
    service = build_service(yt.api_url, credentials)
    return YouTubeClient(service, ledger=ledger, sleep=sleep)
