"""One obs-websocket v5 connection: matched requests, RequestBatch, reconnect.

obsws-python does the handshake (Hello / Identify with the salted challenge). After that we
own the socket: obsws-python matches a response to "the next message" and has no RequestBatch,
so requests here carry a unique id and wait for the answer with that id.

The password lives only in `_password`; nothing here logs it, and `repr()` leaves it out.
obsws-python itself logs it at INFO, so its logger is silenced before a client is made.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from meetstream.errors import ObsError
from meetstream import secrets
from meetstream.adapters.obs.sdk import quiet_obsws

log = logging.getLogger(__name__)

MIN_WEBSOCKET_MAJOR = 5

# Request status codes we name (obs-websocket protocol.md, RequestStatus).
NOT_READY = 207
RESOURCE_NOT_FOUND = 600
RESOURCE_ALREADY_EXISTS = 601
INVALID_INPUT_KIND = 605
OUTPUT_RUNNING = 500
OUTPUT_NOT_RUNNING = 501


class ObsRequestError(ObsError):
    """OBS answered a request with a failure status."""

    def __init__(self, request_type: str, code: int, comment: str | None):
        self.request_type, self.code, self.comment = request_type, code, comment
        super().__init__(f"OBS refused {request_type} (code {code}{': ' + comment if comment else ''})")


class ObsConnectionLost(ObsError):
    """The socket to OBS dropped and could not be re-established."""


@dataclass(frozen=True)
class Request:
    type: str
    data: dict | None = None

    def wire(self, request_id: str) -> dict:
        d: dict[str, Any] = {"requestType": self.type, "requestId": request_id}
        if self.data is not None:
            d["requestData"] = self.data
        return d


@dataclass(frozen=True)
class Result:
    type: str
    ok: bool
    code: int
    comment: str | None = None
    data: dict = field(default_factory=dict)

    def raise_for_status(self) -> "Result":
        if not self.ok:
            raise ObsRequestError(self.type, self.code, self.comment)
        return self


class ObsConnection:
    """Use `connect()` (or a `with` block); then `call`, `request` and `batch`.

    After the socket drops, the next call reconnects (for up to `reconnect_for` seconds), runs
    every `on_reconnect` hook (the director re-asserts a private session there), then retries.
    """

    def __init__(self, host: str, port: int, password: str | None, *, timeout: float = 5.0, reconnect_for: float = 30.0):
        self.host, self.port, self.timeout, self.reconnect_for = host, port, timeout, reconnect_for
        self._password = password or ""
        secrets.register(password)
        self._client = None
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self.on_reconnect: list[Callable[["ObsConnection"], None]] = []
        self.reconnects = 0
        self.version: dict = {}
        self._in_hook = False

    def __repr__(self) -> str:
        return f"ObsConnection({self.host}:{self.port})"

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    # --- lifecycle ----------------------------------------------------------------------------

    def connect(self) -> "ObsConnection":
        with self._lock:
            self._open()
            # An OBS still starting (just restarted after a crash, say) answers NotReady until
            # its scene collection is loaded: whoever connects first re-asserts the recorded
            # state, which needs the scenes there.
            self._wait_until_ready(time.monotonic() + self.reconnect_for)
            self.version = self.call("GetVersion")
            major = int(str(self.version.get("obsWebSocketVersion", "0")).split(".")[0] or 0)
            if major < MIN_WEBSOCKET_MAJOR:
                raise ObsError(f"OBS at {self.where} has obs-websocket {self.version.get('obsWebSocketVersion')}; meetstream needs 5.x (OBS 28 or newer)")
        return self

    def _open(self) -> None:
        quiet_obsws()
        from obsws_python.baseclient import ObsClient
        from obsws_python.error import OBSSDKError
        from websocket import WebSocketException, WebSocketTimeoutException

        self._close_socket()
        hint = "is OBS running with Tools → WebSocket Server Settings → Enable WebSocket server on?"
        try:
            client = ObsClient(host=self.host, port=self.port, password=self._password, timeout=self.timeout)
        except (ConnectionRefusedError, ConnectionResetError) as err:
            raise ObsError(f"OBS is not reachable at {self.where} ({hint})") from err
        except (TimeoutError, WebSocketTimeoutException) as err:
            raise ObsError(f"OBS at {self.where} did not greet as obs-websocket 5 within {self.timeout:g}s (OBS too old? meetstream needs OBS 28 or newer)") from err
        except (OSError, WebSocketException, ValueError) as err:
            raise ObsError(f"cannot connect to OBS at {self.where}: {type(err).__name__} ({hint})") from err
        hello = client.server_hello if isinstance(client.server_hello, dict) else {}
        d = hello.get("d") or {}
        if hello.get("op") != 0 or int(d.get("rpcVersion", 0)) < 1:
            client.ws.close()
            raise ObsError(f"OBS at {self.where} does not speak obs-websocket 5 (OBS too old? meetstream needs OBS 28 or newer)")
        if "authentication" in d and not self._password:
            client.ws.close()
            raise ObsError(f"OBS at {self.where} wants a password: set it in the environment variable named by obs.password_env (default MEETSTREAM_OBS_PASSWORD) or the keyring")
        try:
            client.authenticate()
        except (OBSSDKError, WebSocketException, OSError, json.JSONDecodeError) as err:
            client.ws.close()
            raise ObsError(f"OBS at {self.where} refused the password (check MEETSTREAM_OBS_PASSWORD against Tools → WebSocket Server Settings)") from err
        client.ws.settimeout(self.timeout)
        self._client = client

    def _close_socket(self) -> None:
        if self._client is not None:
            try:
                self._client.ws.close()
            except Exception:
                pass
            self._client = None

    def close(self) -> None:
        with self._lock:
            self._close_socket()

    def __enter__(self) -> "ObsConnection":
        return self.connect()

    def __exit__(self, *exc) -> None:
        self.close()

    def listen(self, on_change):
        """A second, listen-only connection to the same OBS, calling `on_change(event, data)` when
        something a private session depends on changes (meetstream.adapters.obs.events); started."""
        from meetstream.adapters.obs.events import ObsEventWatch

        return ObsEventWatch(self.host, self.port, self._password, on_change).start()

    def sibling(self, *, reconnect_for: float = 2.0) -> "ObsConnection":
        """Another connection to the same OBS, not yet open (it opens on its first request), for work
        that must not hold this one's lock: each connection answers one request at a time."""
        return ObsConnection(self.host, self.port, self._password, timeout=self.timeout, reconnect_for=reconnect_for)

    @property
    def connected(self) -> bool:
        return self._client is not None

    # --- requests -----------------------------------------------------------------------------

    def call(self, request_type: str, data: dict | None = None) -> dict:
        """One request; its responseData, or ObsRequestError."""
        return self.request(Request(request_type, data)).raise_for_status().data

    def request(self, req: Request) -> Result:
        rid = f"m{next(self._ids)}"
        reply = self._exchange({"op": 6, "d": req.wire(rid)}, want_op=7, rid=rid)
        return _result(reply)

    def batch(self, requests: list[Request], *, halt_on_failure: bool = True, execution_type: int = 0) -> list[Result]:
        """RequestBatch (op 8): one round trip, run in order (SerialRealtime unless told otherwise).

        With halt_on_failure, OBS skips the rest after a failure; the skipped ones come back
        missing, and are returned here as failures with code 0 so callers see every request.
        """
        if not requests:
            return []
        rid = f"b{next(self._ids)}"
        body = {
            "requestId": rid,
            "haltOnFailure": halt_on_failure,
            "executionType": execution_type,
            "requests": [r.wire(f"{rid}.{i}") for i, r in enumerate(requests)],
        }
        reply = self._exchange({"op": 8, "d": body}, want_op=9, rid=rid)
        by_id = {r.get("requestId"): r for r in reply.get("results", [])}
        out = []
        for i, r in enumerate(requests):
            raw = by_id.get(f"{rid}.{i}")
            out.append(_result(raw) if raw else Result(r.type, False, 0, "not run: an earlier request in the batch failed"))
        return out

    def send_nowait(self, requests: list[Request]) -> None:
        """A batch whose answer nobody waits for (it is dropped when it arrives): for work that
        must not add to an action's latency. Best effort: a dropped socket loses it."""
        from websocket import WebSocketException

        rid = f"n{next(self._ids)}"
        body = {"requestId": rid, "haltOnFailure": False, "executionType": 0,
                "requests": [r.wire(f"{rid}.{i}") for i, r in enumerate(requests)]}
        with self._lock:
            if self._client is None:
                return
            try:
                self._client.ws.send(json.dumps({"op": 8, "d": body}))
            except (WebSocketException, OSError):
                self._close_socket()

    def batch_ok(self, requests: list[Request]) -> list[Result]:
        """A batch where every request must succeed; raises on the first failure."""
        results = self.batch(requests, halt_on_failure=True)
        for r in results:
            r.raise_for_status()
        return results

    def _exchange(self, message: dict, *, want_op: int, rid: str) -> dict:
        from websocket import WebSocketConnectionClosedException, WebSocketTimeoutException

        with self._lock:
            for attempt in (1, 2):
                if self._client is None:
                    self._reconnect()
                try:
                    self._client.ws.send(json.dumps(message))
                    while True:
                        frame = self._client.ws.recv()
                        if not frame:
                            raise WebSocketConnectionClosedException("closed")
                        msg = json.loads(frame)
                        if msg.get("op") == want_op and msg.get("d", {}).get("requestId") == rid:
                            return msg["d"]
                        # Anything else (an event, a stale answer to a timed-out request) is dropped.
                except WebSocketTimeoutException as err:
                    # A late answer would be mistaken for the next one's, so start a fresh socket.
                    self._close_socket()
                    raise ObsError(f"OBS at {self.where} did not answer within {self.timeout:g}s") from err
                except (WebSocketConnectionClosedException, ConnectionError, OSError) as err:
                    log.warning("lost the connection to OBS at %s (%s)", self.where, type(err).__name__)
                    self._close_socket()
                    if attempt == 2:
                        raise ObsConnectionLost(f"lost the connection to OBS at {self.where}") from err
        raise AssertionError("unreachable")

    def _reconnect(self) -> None:
        deadline = time.monotonic() + self.reconnect_for
        delay = 0.1
        while True:
            try:
                self._open()
                self._wait_until_ready(deadline)
                break
            except ObsError as err:
                if time.monotonic() + delay > deadline:
                    raise ObsConnectionLost(f"lost the connection to OBS at {self.where} and could not reconnect within {self.reconnect_for:g}s: {err}") from err
                time.sleep(delay)
                # Short steps: while OBS is back but not yet re-asserted, the room sees its saved scene.
                delay = min(delay * 2, 0.5)
        self.reconnects += 1
        log.warning("reconnected to OBS at %s", self.where)
        if self._in_hook:
            return
        self._in_hook = True
        try:
            for hook in list(self.on_reconnect):
                hook(self)
        except BaseException:
            # The recorded state is not back in OBS: drop the socket so the next call reconnects
            # and runs the hooks again, rather than carrying on as if all were well.
            self._close_socket()
            raise
        finally:
            self._in_hook = False

    def _wait_until_ready(self, deadline: float) -> None:
        """A restarted OBS answers NotReady (207) until it has loaded its scene collection."""
        from websocket import WebSocketException

        while True:
            try:
                reply = _result(self._exchange_once({"op": 6, "d": Request("GetCurrentProgramScene").wire("ready")}, "ready"))
            except (WebSocketException, OSError, ValueError) as err:
                self._close_socket()
                raise ObsError(f"OBS at {self.where} dropped the connection while starting") from err
            if reply.code != NOT_READY:
                return
            if time.monotonic() > deadline:
                raise ObsError(f"OBS at {self.where} is still loading")
            time.sleep(0.1)

    def _exchange_once(self, message: dict, rid: str) -> dict:
        self._client.ws.send(json.dumps(message))
        while True:
            msg = json.loads(self._client.ws.recv() or "{}")
            if msg.get("op") == 7 and msg.get("d", {}).get("requestId") == rid:
                return msg["d"]


def _result(raw: dict) -> Result:
    status = raw.get("requestStatus", {})
    return Result(
        type=raw.get("requestType", "?"),
        ok=bool(status.get("result")),
        code=int(status.get("code", 0)),
        comment=status.get("comment"),
        data=raw.get("responseData") or {},
    )


def connect_room(settings, room_key: str, *, timeout: float | None = None) -> ObsConnection:
    """A connected ObsConnection for a configured room (built by meetstream.bootstrap)."""
    room = settings.room(room_key)
    password = secrets.get_secret(room.obs.password_env, f"obs:{room_key}")
    conn = ObsConnection(room.obs.host, room.obs.port, password, timeout=timeout or room.obs.timeout)
    return conn.connect()
