"""A DICENTIS server's Conference Protocol on loopback (plain ws://; the real one is wss:// on 31416).

A minimal RFC 6455 server (text frames, masking, ping/close) that asks for the "DICENTIS_1_0"
sub-protocol and answers the operations a camera/webcast client uses, as cited in
meetstream.adapters.chamber.dicentis: login (loggedIn true/false; everything else before login is an
error), RegisterEvents, GetDiscussionList ({discussionList, referenceTime}), GetSeats, and the
discussion itself (AddSeatToSpeakers, RemoveSeatFromDiscussionList, RequestSpeech). Operation names
are case-insensitive; events are fire-once: a registered event is sent once as
{"messageId": 0, "operation": "event", "parameters": {"events": ["DiscussionListChanged"]}} and
re-armed by fetching the list or registering again [EXT] (GUESS on which re-arms: both here).
Replies echo the request's messageId and operation.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
from dataclasses import dataclass, field

from meetstream.sandbox.loopback import TcpLoopback

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3


def _frame(payload: bytes, opcode: int = 0x1) -> bytes:
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 1 << 16:
        head += bytes([126]) + struct.pack(">H", n)
    else:
        head += bytes([127]) + struct.pack(">Q", n)
    return head + payload


class _Conn:
    def __init__(self, sim: "DicentisSimulator", sock: socket.socket):
        self.sim, self.sock = sim, sock
        self.logged_in = False
        self.armed: set[str] = set()
        self.lock = threading.Lock()

    def send(self, doc: dict) -> None:
        with self.lock:
            try:
                self.sock.sendall(_frame(json.dumps(doc).encode()))
            except OSError:
                pass

    def _read_exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError
            buf += chunk
        return buf

    def handshake(self) -> bool:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(4096)
            if not chunk:
                return False
            data += chunk
        lines = data.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ":" in ln)}
        path = lines[0].split(" ")[1] if len(lines[0].split(" ")) > 1 else ""
        protocols = [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",")]
        if path.lower() != "/dicentis/api" or "DICENTIS_1_0" not in protocols:
            self.sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return False
        accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + GUID).encode()).digest()).decode()
        self.sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: DICENTIS_1_0\r\n\r\n").encode())
        return True

    def serve(self) -> None:
        try:
            if not self.handshake():
                return
            while True:
                b1, b2 = self._read_exact(2)
                opcode, n = b1 & 0x0F, b2 & 0x7F
                if n == 126:
                    n = struct.unpack(">H", self._read_exact(2))[0]
                elif n == 127:
                    n = struct.unpack(">Q", self._read_exact(8))[0]
                mask = self._read_exact(4) if b2 & 0x80 else b"\0\0\0\0"
                payload = bytes(c ^ mask[i % 4] for i, c in enumerate(self._read_exact(n)))
                if opcode == 0x8:
                    with self.lock:
                        self.sock.sendall(_frame(payload[:2], 0x8))
                    return
                if opcode == 0x9:
                    with self.lock:
                        self.sock.sendall(_frame(payload, 0xA))
                    continue
                if opcode == 0x1:
                    self.sim._handle(self, payload.decode("utf-8", "replace"))
        except (ConnectionError, OSError, ValueError):
            return
        finally:
            self.sim._drop(self)
            self.sock.close()


@dataclass
class DicentisSimulator(TcpLoopback):
    seats: dict[str, str] = field(default_factory=dict)  # seatId -> screenLine
    user: str = "api"
    password: str = "secret"
    max_speakers: int = 4
    host: str = "127.0.0.1"
    discussion: list[dict] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)
    _server: socket.socket | None = None
    _conns: list[_Conn] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _tick: int = 0

    thread_name = "dicentis-sim"

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/Dicentis/API"

    def _take(self, sock: socket.socket):
        conn = _Conn(self, sock)
        self._conns.append(conn)
        return conn.serve

    def _close_all(self) -> None:
        for c in self._conns:
            c.sock.close()

    def _drop(self, conn: _Conn) -> None:
        with self._lock:
            if conn in self._conns:
                self._conns.remove(conn)

    # --- the protocol ---------------------------------------------------------------------------

    def _handle(self, conn: _Conn, text: str) -> None:
        try:
            msg = json.loads(text)
        except ValueError:
            conn.sock.close()  # malformed JSON closes the socket (GUESS, as the public mock does)
            return
        self.received.append(msg)
        mid, op, params = msg.get("messageId", msg.get("messageID")), str(msg.get("operation", "")), msg.get("parameters") or {}

        def reply(parameters: dict, operation: str | None = None) -> None:
            conn.send({"messageId": mid, "operation": operation or op, "parameters": parameters})

        name = op.lower()
        if name == "login":
            if conn.logged_in:
                return reply({"message": "Already logged in"}, "error")
            ok = params.get("user") == self.user and params.get("password") == self.password
            conn.logged_in = ok
            return reply({"loggedIn": ok} if ok else {"loggedIn": False, "token": ""})
        if not conn.logged_in:
            return reply({"message": "Please login first"}, "error")
        with self._lock:
            if name == "registerevents":
                conn.armed |= {str(e).lower() for e in params.get("events") or []}
                return reply({})
            if name == "getdiscussionlist":
                conn.armed.add("discussionlistchanged")
                self._tick += 1
                return reply({"discussionList": [dict(e) for e in self.discussion], "referenceTime": self._tick})
            if name == "getseats":
                return reply({"seats": [{"seatId": s, "seatName": f"Seat {s}", "screenLine": n} for s, n in self.seats.items()]})
            if name in ("addseattospeakers", "grantspeech"):
                for seat in params.get("seatIds") or [params.get("seatId")]:
                    self.speak(seat)
                return reply({})
            if name in ("removeseatfromdiscussionlist", "removespeech"):
                for seat in params.get("seatIds") or [params.get("seatId")]:
                    self.stop_speaking(seat)
                return reply({})
            if name == "requestspeech":
                for seat in params.get("seatIds") or []:
                    self.request(seat)
                return reply({})
        return reply({"message": f"{op.upper()} is an unknown operation"}, "error")

    def _fire(self) -> None:
        for conn in list(self._conns):
            if "discussionlistchanged" in conn.armed:
                conn.armed.discard("discussionlistchanged")  # fire-once
                conn.send({"messageId": 0, "operation": "event", "parameters": {"events": ["DiscussionListChanged"]}})

    def _entry(self, seat: str, kind: str) -> dict:
        return {"seatId": seat, "speakerType": kind, "microphoneState": "off" if kind == "isRequest" else "on",
                "screenLine": self.seats.get(seat, ""), "participantId": f"participant-{seat}"}

    # --- the delegates' buttons -------------------------------------------------------------------

    def speak(self, seat: str, *, priority: bool = False) -> None:
        with self._lock:
            self.discussion = [e for e in self.discussion if e["seatId"] != seat]
            speakers = [e for e in self.discussion if e["speakerType"] in ("isSpeaker", "isPrioritySpeaker")]
            kind = "isPrioritySpeaker" if priority else ("isSpeaker" if len(speakers) < self.max_speakers else "isRequest")
            self.discussion.append(self._entry(seat, kind))
            rank = {"isPrioritySpeaker": 0, "isSpeaker": 1, "isRequest": 4}
            self.discussion.sort(key=lambda e: rank.get(e["speakerType"], 3))
            self._fire()

    def request(self, seat: str) -> None:
        with self._lock:
            if not any(e["seatId"] == seat for e in self.discussion):
                self.discussion.append(self._entry(seat, "isRequest"))
                self._fire()

    def mute(self, seat: str) -> None:
        with self._lock:
            for e in self.discussion:
                if e["seatId"] == seat:
                    e["microphoneState"] = "mute"
            self._fire()

    def stop_speaking(self, seat: str) -> None:
        with self._lock:
            self.discussion = [e for e in self.discussion if e["seatId"] != seat]
            self._fire()
