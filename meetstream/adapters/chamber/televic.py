"""Televic microphone events: the camera-control UDP datagrams (Confidea G3 / WCAP, D-Cerno) and the
CoCon REST interface (Plixus / Confidea with CoCon).

Sources:
  [G3]   Televic Confidea G3 online help, "Camera control" (tcs-assets-images.azurewebsites.net/
         ConfideaG3/Content/06_Configuration/13_CameraControl.htm) and Televic KB 13329: UDP to a
         destination set in the web server, default port 8000, "a port number larger than 3000";
         JSON {"UID": micnr, "status": x}, 0 off, 1 on, 2 request, 3 prior;
         example {"UID": 7,"status": 2}.
  [DC]   D-Cerno installation manual V0.4 §16 "Camera protocol" (manualslib 691800 p. 59; Televic KB
         13669): {"serial": "101008D2","status": 2,"totalMicOn": 1,"totalMicReq",0}; status 0 off,
         1 on, 2 request, 4 next in line, 8 prior; serial "00000000" after a conference mode change.
         The document's own example has `"totalMicReq",0` (a comma for a colon): the parser accepts it.
  [COMP] Huwenator/companion-module-televic-confidea reads `udpmessage.uid` (lower case): the key is
         read case-insensitively.
  [COCON] Televic "CoCon API Description" v6.9 (20 Nov 2024): §3.4 — GET /CoCon/Connect returns
         "{\"Connect\":true,\"id\":\"…\"}" (a JSON string holding JSON); GET /CoCon/Notification/id=<id>
         is held open until there is news (one notification per reply, then reopen within 60 s);
         408 "Notification request timeout" after 30 s; 400 for an expired/unknown id (expired after
         180 s without a poll); clients are subscribed to (almost) every model on connect;
         /CoCon/Subscribe/?Model=Microphone&id=…; §4.2.2.1 MicrophoneState:
         {"MicrophoneState":{"Speakers":[6],"Requests":[],"Replies":[]}}; port 8890.
  [PY]   3P-Technologies/cocon_client (Python): parses Connect and Notification bodies twice ("televic
         returns body as json but in quotes"), reconnects on 400, re-polls on 408.
"""

from __future__ import annotations

import json
import re
import socket
import time
from datetime import UTC, datetime
from typing import Callable

from meetstream.adapters.chamber.errors import ChamberError
from meetstream.core.chamber import MicEvent, MicState

CAMERA_PORT = 8000  # [G3] default
COCON_PORT = 8890  # [COCON]

_G3 = {0: MicState.OFF, 1: MicState.ON, 2: MicState.REQUEST, 3: MicState.PRIORITY_ON}  # [G3]
_DC = {0: MicState.OFF, 1: MicState.ON, 2: MicState.REQUEST, 4: MicState.REQUEST, 8: MicState.PRIORITY_ON}  # [DC]
RESET_SERIAL = "00000000"  # [DC] sent after a conference mode change


def parse_camera_datagram(data: bytes) -> tuple[str, MicState] | tuple[str, None] | None:
    """One datagram -> (mic id, state), (RESET_SERIAL, None) for a D-Cerno mode change, or None."""
    text = data.decode("utf-8", "replace").strip()
    text = re.sub(r'"totalMicReq"\s*,', '"totalMicReq":', text)  # [DC] the manual's own example
    text = text.replace("\u201c", '"').replace("\u201d", '"')  # typographic quotes, as the manuals print them
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    keys = {str(k).lower(): v for k, v in doc.items()}  # [COMP] "uid" as well as "UID"
    status = keys.get("status")
    if not isinstance(status, int):
        return None
    if "serial" in keys:
        serial = str(keys["serial"]).upper()
        if serial == RESET_SERIAL:
            return (RESET_SERIAL, None)
        state = _DC.get(status)
        return (serial, state) if state else None
    if "uid" in keys:
        state = _G3.get(status)
        return (str(keys["uid"]), state) if state else None
    return None


class TelevicCameraListener:
    """A MicSource: binds the UDP port the central unit / WCAP sends camera data to.

    Status 0 means 'off' for a microphone that was on and 'request withdrawn' for one that was
    waiting (the datagram does not say which: the listener remembers each microphone's last state).
    A D-Cerno mode change (serial 00000000) turns every microphone off.
    """

    source = "televic-udp"

    def __init__(self, host: str = "0.0.0.0", port: int = CAMERA_PORT, *,
                 allowed_sender: str | None = None, clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        if port != 0 and port <= 3000 and port != CAMERA_PORT:
            raise ChamberError(f"Televic camera port {port}: the central unit only sends to 8000 or a port above 3000")
        self.clock, self.allowed_sender = clock, allowed_sender
        self.last: dict[str, MicState] = {}
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self._sock.bind((host, port))
        except OSError as err:
            raise ChamberError(f"cannot listen for Televic camera data on UDP {host}:{port} ({err.strerror})") from None

    @property
    def port(self) -> int:
        return self._sock.getsockname()[1]

    def _events(self, data: bytes) -> list[MicEvent]:
        got = parse_camera_datagram(data)
        if got is None:
            return []
        mic, state = got
        at = self.clock()
        if state is None:  # mode change: everything off
            out = [MicEvent(at, m, MicState.OFF if s in (MicState.ON, MicState.PRIORITY_ON) else MicState.REQUEST_CANCEL,
                            self.source) for m, s in self.last.items() if s != MicState.OFF]
            self.last.clear()
            return out
        if state == MicState.OFF and self.last.get(mic) == MicState.REQUEST:
            state = MicState.REQUEST_CANCEL
        self.last[mic] = MicState.OFF if state == MicState.REQUEST_CANCEL else state
        return [MicEvent(at, mic, state, self.source)]

    def read(self, timeout: float) -> list[MicEvent]:
        deadline = time.monotonic() + timeout
        events: list[MicEvent] = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return events
            self._sock.settimeout(remaining if not events else 0.0001)
            try:
                data, (sender, _port) = self._sock.recvfrom(2048)
            except (socket.timeout, BlockingIOError):
                return events
            if self.allowed_sender and sender != self.allowed_sender:
                continue  # only the central unit may direct the cameras
            events += self._events(data)

    def close(self) -> None:
        self._sock.close()


def _double_json(text: str):
    """[COCON][PY] a body that is a JSON string holding JSON; a plain JSON object is taken as is."""
    doc = json.loads(text)
    return json.loads(doc) if isinstance(doc, str) else doc


class CoConClient:
    """A MicSource over CoCon's REST long-poll. `read(timeout)` holds one notification request open
    for at most `timeout` seconds (the server answers 408 after 30 s on its own)."""

    source = "cocon"

    def __init__(self, base_url: str, *, session=None, clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        import requests

        self.base = base_url.rstrip("/") + "/CoCon"
        self.clock = clock
        self.http = session or requests.Session()
        self.speakers: set[str] = set()
        self.requests: set[str] = set()
        self.connection_id = self._connect()

    def _get(self, path: str, *, timeout: float = 10.0, params: dict | None = None):
        import requests

        try:
            return self.http.get(self.base + path, params=params, timeout=timeout)
        except requests.RequestException as err:
            raise ChamberError(f"cannot reach CoCon at {self.base} ({type(err).__name__}); check the room server "
                               "address and that its API (port 8890) is enabled") from None

    def _connect(self) -> str:
        resp = self._get("/Connect")
        if resp.status_code != 200:
            raise ChamberError(f"CoCon refused /CoCon/Connect (HTTP {resp.status_code})")
        doc = _double_json(resp.text)
        if not doc.get("Connect") or not doc.get("id"):
            raise ChamberError("CoCon answered /CoCon/Connect without a connection id")
        self._get("/Subscribe/", params={"Model": "Microphone", "id": doc["id"], "details": "true"})
        return doc["id"]

    def read(self, timeout: float) -> list[MicEvent]:
        import requests

        try:
            resp = self.http.get(f"{self.base}/Notification/id={self.connection_id}", timeout=max(timeout, 0.05))
        except requests.Timeout:
            return []
        except requests.RequestException as err:
            raise ChamberError(f"lost CoCon at {self.base} ({type(err).__name__})") from None
        if resp.status_code == 408:  # [COCON] nothing within 30 s: poll again
            return []
        if resp.status_code == 400:  # [COCON] expired or unknown id: connect again
            self.connection_id = self._connect()
            return []
        if resp.status_code != 200:
            raise ChamberError(f"CoCon notification failed (HTTP {resp.status_code})")
        try:
            doc = _double_json(resp.text)
        except ValueError:
            return []
        return self._apply(doc if isinstance(doc, list) else [doc])

    def _apply(self, docs: list) -> list[MicEvent]:
        at, out = self.clock(), []
        for doc in docs:
            state = doc.get("MicrophoneState") if isinstance(doc, dict) else None
            if not isinstance(state, dict):
                continue  # another model's news (the client is subscribed to most by default)
            speakers = {str(s) for s in state.get("Speakers") or []}
            requests = {str(s) for s in state.get("Requests") or []}
            out += [MicEvent(at, m, MicState.OFF, self.source) for m in sorted(self.speakers - speakers)]
            out += [MicEvent(at, m, MicState.REQUEST_CANCEL, self.source)
                    for m in sorted(self.requests - requests - speakers)]
            out += [MicEvent(at, m, MicState.REQUEST, self.source) for m in sorted(requests - self.requests)]
            out += [MicEvent(at, m, MicState.ON, self.source) for m in sorted(speakers - self.speakers)]
            self.speakers, self.requests = speakers, requests
        return out

    def close(self) -> None:
        try:
            self.http.get(f"{self.base}/Disconnect/?id={self.connection_id}", timeout=2)  # [COCON] 6.3.4b Disconnect
        except Exception:
            pass
        self.http.close()
