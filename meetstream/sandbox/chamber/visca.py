"""A VISCA-over-IP PTZ camera on loopback UDP that takes time to move.

Follows Sony's "VISCA over IP" section (SRG-300H manual p. 31-32, cited in
meetstream.adapters.chamber.visca): 8-byte header, RESET control command answered with the control
ACK, replies carry the command's sequence number. A preset recall is acknowledged at once
(z0 41 FF) and completed (z0 51 FF) when the move is over, `travel` seconds later. A second command
while moving is answered as Sony's VISCA does with a free second socket (ACK 90 42 FF) — GUESS: real
cameras differ (some queue, some cancel the first with 90 61 04 FF); this one cancels the first move.
`only_sequence_zero` models cameras that ignore any other sequence number (NDI PTZ1, GUESS on the exact
failure: it stays silent).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

from meetstream.adapters.chamber import visca as v


@dataclass
class ViscaCameraSimulator:
    travel: float = 1.0  # seconds a preset recall takes
    only_sequence_zero: bool = False
    address: int = 1
    host: str = "127.0.0.1"
    preset: int | None = None  # where it is
    moving_to: int | None = None
    received: list[tuple[int, int, bytes]] = field(default_factory=list)  # (payload type, seq, payload), in order
    _sock: socket.socket | None = None
    _timer: threading.Timer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "ViscaCameraSimulator":
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((self.host, 0))
        threading.Thread(target=self._serve, name="visca-sim", daemon=True).start()
        return self

    @property
    def port(self) -> int:
        return self._sock.getsockname()[1]

    def stop(self) -> None:
        if self._timer:
            self._timer.cancel()
        if self._sock:
            self._sock.close()
            self._sock = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _reply(self, addr, ptype: int, seq: int, payload: bytes) -> None:
        if self._sock:
            self._sock.sendto(v.packet(ptype, payload, seq), addr)

    def _serve(self) -> None:
        while self._sock:
            try:
                data, addr = self._sock.recvfrom(64)
            except OSError:
                return
            try:
                ptype, seq, payload = v.parse(data)
            except ValueError:
                continue  # [SONY] gives no reply for a datagram it cannot read (GUESS)
            with self._lock:
                self.received.append((ptype, seq, payload))
            if self.only_sequence_zero and seq != 0:
                continue
            if ptype == v.CONTROL_COMMAND:
                if payload == v.CONTROL_RESET:
                    self._reply(addr, v.CONTROL_REPLY, 0, v.CONTROL_ACK)
                else:
                    self._reply(addr, v.CONTROL_REPLY, seq, b"\x0f\x02")  # [SONY] ERROR 0F02: message abnormal
                continue
            if ptype != v.VISCA_COMMAND:
                self._reply(addr, v.VISCA_REPLY, seq, b"\x90\x60\x02\xff")  # syntax error
                continue
            self._command(addr, seq, payload)

    def _command(self, addr, seq: int, payload: bytes) -> None:
        head = bytes([0x80 | self.address, 0x01, 0x04, 0x3F, 0x02])
        if len(payload) == 7 and payload[:5] == head and payload[6] == 0xFF:
            preset = payload[5]
            with self._lock:
                if self._timer:
                    self._timer.cancel()  # GUESS: the new recall replaces the move under way
                self.moving_to = preset
                self._timer = threading.Timer(self.travel, self._arrive, (addr, seq, preset))
                self._timer.daemon = True
            self._reply(addr, v.VISCA_REPLY, seq, b"\x90\x41\xff")  # ACK, socket 1
            self._timer.start()
            return
        self._reply(addr, v.VISCA_REPLY, seq, b"\x90\x60\x02\xff")  # [VISCA] syntax error: not a command we know

    def _arrive(self, addr, seq: int, preset: int) -> None:
        with self._lock:
            self.preset, self.moving_to = preset, None
        self._reply(addr, v.VISCA_REPLY, seq, b"\x90\x51\xff")  # Completion, socket 1

    def wait_still(self, timeout: float = 5.0) -> None:
        end = time.monotonic() + timeout
        while self.moving_to is not None and time.monotonic() < end:
            time.sleep(0.01)
