"""Televic on loopback: the camera-control UDP sender (Confidea G3 WCAP and D-Cerno formats) and a
CoCon room server's REST interface (Connect, Subscribe, Notification long-poll, Microphone/SetState).

Rules and sources as cited in meetstream.adapters.chamber.televic. The UDP sender writes the bytes as
the manuals print them ({"UID": 7,"status": 2}; the D-Cerno form with its `"totalMicReq",0`).
CoCon: every body is a JSON string holding JSON [COCON §3.4][PY]; a notification poll is held until
news or `poll_timeout` (30 s in the document) then 408 "Notification request timeout"; an unknown id
is 400 with "(\"Notification\" : \"Error 400\")" as §3.3 words it (GUESS on the exact body bytes).
"""

from __future__ import annotations

import json
import queue
import socket
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from meetstream.sandbox.loopback import LoopbackServer


@dataclass
class TelevicCameraSender:
    """Sends camera datagrams to (host, port) as a Confidea WCAP or a D-Cerno CU does."""

    port: int
    host: str = "127.0.0.1"
    _sock: socket.socket = field(default_factory=lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))

    def raw(self, data: bytes) -> None:
        self._sock.sendto(data, (self.host, self.port))

    def confidea(self, uid: int, status: int) -> None:
        self.raw(f'{{"UID": {uid},"status": {status}}}'.encode())  # [G3] the example's spacing

    def dcerno(self, serial: str, status: int, total_on: int = 0, total_req: int = 0) -> None:
        self.raw(f'{{"serial": "{serial}","status": {status},"totalMicOn": {total_on},"totalMicReq",{total_req}}}'.encode())  # [DC]

    def close(self) -> None:
        self._sock.close()


def _wrapped(doc) -> bytes:
    return json.dumps(json.dumps(doc, separators=(",", ":"))).encode()  # [COCON] JSON in a JSON string


class _CoConHandler(BaseHTTPRequestHandler):
    simulator: "CoConSimulator"

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (http.server's name)
        sim = self.simulator
        parts = urlsplit(self.path)
        path, query = parts.path.rstrip("/"), {k: v[0] for k, v in parse_qs(parts.query).items()}
        sim.requests_seen.append(self.path)
        if path == "/CoCon/Connect":
            cid = str(uuid.uuid4())
            sim.clients[cid] = queue.Queue()
            return self._send(200, _wrapped({"Connect": True, "id": cid}))
        if path.startswith("/CoCon/Notification/id="):
            cid = path.split("id=", 1)[1]
            q = sim.clients.get(cid)
            if q is None:
                return self._send(400, json.dumps('("Notification" : "Error 400")').encode())
            try:
                doc = q.get(timeout=sim.poll_timeout)
            except queue.Empty:
                return self._send(408, json.dumps("Notification request timeout").encode())
            return self._send(200, _wrapped(doc))
        if path == "/CoCon/Subscribe" or path == "/CoCon/Unsubscribe":
            ok = query.get("id") in sim.clients
            return self._send(200 if ok else 400, _wrapped({path.rsplit("/", 1)[1]: ok}))
        if path == "/CoCon/Disconnect":
            sim.clients.pop(query.get("id", ""), None)
            return self._send(200, _wrapped({"Disconnect": True}))
        if path == "/CoCon/Microphone/SetState":
            seat, state = query.get("SeatNr"), query.get("State")
            if not (seat and seat.isdigit() and state in ("On", "Off", "Request")):
                return self._send(200, b"1")  # [COCON] §3.4.3: 1 = incorrect parameter
            sim.set_state(int(seat), state)
            return self._send(200, b"0")  # [COCON] 0 = received and handled
        return self._send(404, b'"unknown"')


@dataclass
class CoConSimulator(LoopbackServer):
    poll_timeout: float = 30.0  # [COCON] 408 after 30 s
    speakers: list[int] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    clients: dict[str, queue.Queue] = field(default_factory=dict)
    requests_seen: list[str] = field(default_factory=list)
    thread_name = "cocon-sim"

    def __post_init__(self):
        self._lock = threading.Lock()

    def _handler_class(self):
        return _CoConHandler

    def _notify(self) -> None:
        doc = {"MicrophoneState": {"Speakers": list(self.speakers), "Requests": list(self.requests), "Replies": []}}
        for q in self.clients.values():
            q.put(doc)

    def set_state(self, seat: int, state: str) -> None:
        with self._lock:
            for lst in (self.speakers, self.requests):
                if seat in lst:
                    lst.remove(seat)
            if state == "On":
                self.speakers.append(seat)
            elif state == "Request":
                self.requests.append(seat)
            self._notify()

    def other_model(self, doc: dict) -> None:
        """News from another model, which a client must skip (e.g. {"MicrophoneMode": {...}})."""
        for q in self.clients.values():
            q.put(doc)
