"""A Shure DIS-CCU / DDS 5900 central unit's external control socket on loopback TCP.

Follows the External Control Protocol as cited in meetstream.adapters.chamber.shure: lines in end
with CR, LF or both and any case; lines out end CR LF; the CCU replies only when it acts (mic_on on a
microphone already on gets no reply); mic_on for a seat in the request list also sends
mic_request_off [DDS p. 73]; mic_status streams seat_state for every seat and mic_on / mic_request_on
for each microphone on or waiting [DCS]. The speak list holds `max_speakers` (a full list rejects
mic_on silently [DDS "Speak list is already full"]). Every event goes to every connected client.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

from meetstream.sandbox.loopback import TcpLoopback


@dataclass
class ShureCcuSimulator(TcpLoopback):
    seats: dict[int, str] = field(default_factory=dict)  # seat number -> name
    max_speakers: int = 4
    host: str = "127.0.0.1"
    speaking: list[int] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    _server: socket.socket | None = None
    _clients: list[socket.socket] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    thread_name = "shure-sim"

    def _take(self, conn: socket.socket):
        self._clients.append(conn)
        return lambda: self._serve(conn)

    def _close_all(self) -> None:
        for c in self._clients:
            c.close()
        self._clients.clear()

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        while True:
            try:
                chunk = conn.recv(4096)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while True:
                idx = [i for i in (buf.find(b"\r"), buf.find(b"\n")) if i >= 0]
                if not idx:
                    break
                line, buf = buf[:min(idx)], buf[min(idx) + 1:]
                if line.strip():
                    self.command(line.decode("ascii", "replace"), conn)

    def _send(self, text: str, only: socket.socket | None = None) -> None:
        data = text.encode("ascii") + b"\r\n"
        with self._lock:
            for c in ([only] if only else list(self._clients)):
                try:
                    c.sendall(data)
                except OSError:
                    pass

    # --- the protocol, and the delegates' buttons ---------------------------------------------

    def command(self, line: str, conn: socket.socket | None = None) -> None:
        self.received.append(line)
        parts = line.strip().split()
        cmd, args = parts[0].lower(), parts[1:]
        seat = int(args[0]) if args and args[0].isdigit() else None
        with self._lock:
            if cmd == "mic_on" and seat is not None:
                self.press(seat)
            elif cmd == "mic_off" and seat is not None:
                self.release(seat)
            elif cmd == "mic_request_on" and seat is not None:
                self.request(seat)
            elif cmd == "mic_request_off" and seat is not None:
                self.cancel(seat)
            elif cmd == "mic_status":
                for n, name in sorted(self.seats.items()):
                    self._send(f"seat_state {n} active {name}".rstrip(), conn)
                for n in self.speaking:
                    self._send(f"mic_on {n}", conn)
                for n in self.requests:
                    self._send(f"mic_request_on {n}", conn)
            else:
                self._send(f"command_error {line.strip()}", conn)  # [COMP] command_error lines (GUESS: wording)

    def press(self, seat: int) -> None:
        """A delegate presses the microphone button (or mic_on arrives)."""
        with self._lock:
            if seat in self.speaking or len(self.speaking) >= self.max_speakers:
                return  # [DDS] no action, no reply
            self.speaking.append(seat)
            self._send(f"mic_on {seat}")
            if seat in self.requests:
                self.requests.remove(seat)
                self._send(f"mic_request_off {seat}")

    def release(self, seat: int) -> None:
        with self._lock:
            if seat in self.speaking:
                self.speaking.remove(seat)
                self._send(f"mic_off {seat}")

    def request(self, seat: int) -> None:
        with self._lock:
            if seat not in self.requests and seat not in self.speaking:
                self.requests.append(seat)
                self._send(f"mic_request_on {seat}")

    def cancel(self, seat: int) -> None:
        with self._lock:
            if seat in self.requests:
                self.requests.remove(seat)
                self._send(f"mic_request_off {seat}")
