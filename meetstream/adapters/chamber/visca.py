"""PTZ preset recall over VISCA-over-IP (Sony's UDP encapsulation of VISCA).

Sources (each rule below names its own):
  [SONY] Sony SRG-300H/SRG-360SHE technical manual, "VISCA over IP" command list: header, payload
         types, RESET control command, delivery confirmation (manualshive.com, sony srg300h 400108,
         p. 31-32); the same section is reprinted word for word by PTZ makers (Everet EVP230N p. 38-41,
         Telycam TLC-300 p. 34).
  [VISCA] The VISCA command set as Sony's camera manuals give it: CAM_Memory Recall
         8x 01 04 3F 02 pp FF; ACK z0 4y FF, Completion z0 5y FF, errors z0 6y ee FF.
  [NDI]  vwout/obs-visca-control issue 7 and Aurora Multimedia's note "VISCA Control Sequence ID":
         some cameras (NewTek NDI PTZ1) mishandle sequence numbers; sending 0 always works with them.
         Hence `sequence_zero`.
The PyPI package `visca-over-ip` does the same for Sony cameras; it is not used because it has no
sequence-zero mode and blocks without a deadline on a lost reply, and the protocol is forty lines.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass

from meetstream.adapters.chamber.errors import ViscaError

VISCA_PORT = 52381  # [SONY] "UDP port 52381"
RAW_VISCA_PORT = 1259  # GUESS-ish: PTZOptics and others take header-less VISCA on this port (vendor notes)

# [SONY] payload types, bytes 0-1 of the header
VISCA_COMMAND = 0x0100
VISCA_INQUIRY = 0x0110
VISCA_REPLY = 0x0111
VISCA_DEVICE_SETTING = 0x0120
CONTROL_COMMAND = 0x0200
CONTROL_REPLY = 0x0201
CONTROL_RESET = b"\x01"  # [SONY] RESET: "Resets the sequence number to 0"
CONTROL_ACK = b"\x01"  # [SONY] control reply "Acknowledge ... Reply for RESET"
HEADER = struct.Struct(">HHI")  # [SONY] payload type (2), payload length (2), sequence number (4), big-endian
MAX_SEQUENCE = 0xFFFFFFFF  # [SONY] "If the sequence number reaches the limit, next value will be 0"


def preset_recall(preset: int, address: int = 1) -> bytes:
    """[VISCA] CAM_Memory Recall: 8x 01 04 3F 02 pp FF (x = camera address 1-7, pp = preset)."""
    if not 0 <= preset <= 0xFF:
        raise ValueError(f"preset {preset} is out of range (0-255)")
    if not 1 <= address <= 7:
        raise ValueError(f"VISCA address {address} is out of range (1-7)")
    return bytes([0x80 | address, 0x01, 0x04, 0x3F, 0x02, preset, 0xFF])


def packet(payload_type: int, payload: bytes, sequence: int) -> bytes:
    """[SONY] header + payload; the payload is 1-16 bytes."""
    if not 1 <= len(payload) <= 16:
        raise ValueError("a VISCA-over-IP payload is 1 to 16 bytes")
    return HEADER.pack(payload_type, len(payload), sequence & MAX_SEQUENCE) + payload


def parse(data: bytes) -> tuple[int, int, bytes]:
    """A datagram -> (payload type, sequence number, payload); ValueError if it is not one."""
    if len(data) < HEADER.size:
        raise ValueError("shorter than the 8-byte VISCA-over-IP header")
    ptype, length, seq = HEADER.unpack_from(data)
    payload = data[HEADER.size:HEADER.size + length]
    if len(payload) != length:
        raise ValueError("payload shorter than the header's length")
    return ptype, seq, payload


def reply_kind(payload: bytes) -> str:
    """[VISCA] z0 4y FF -> 'ack', z0 5y FF -> 'completion', z0 6y ee FF -> 'error'."""
    if len(payload) >= 3 and payload[-1] == 0xFF and payload[0] & 0x8F == 0x80:
        nibble = payload[1] & 0xF0
        return {0x40: "ack", 0x50: "completion", 0x60: "error"}.get(nibble, "unknown")
    return "unknown"


ERRORS = {  # [VISCA] error codes (byte 2 of z0 6y ee FF)
    0x01: "message length error",
    0x02: "syntax error",
    0x03: "command buffer full",
    0x04: "command cancelled",
    0x05: "no socket",
    0x41: "command not executable",
}


@dataclass(frozen=True)
class RecallResult:
    preset: int
    sequence: int
    acked_after: float  # seconds from sending to ACK
    completed_after: float | None  # seconds from sending to Completion (None: not waited for)
    resends: int


class ViscaCamera:
    """One PTZ camera over VISCA-over-IP (or raw VISCA with `header=False`).

    `recall(preset)` sends the recall, waits for the ACK (resending with the same sequence number
    after `ack_timeout`, as [SONY] "Delivery confirmation" says) and, with `wait=True`, for the
    Completion, which the camera sends when it has arrived. A service that must not block calls it
    with wait=False and later `wait_completion()`, or feeds the director a CameraReady when it comes.
    """

    def __init__(self, host: str, port: int = VISCA_PORT, *, address: int = 1, sequence_zero: bool = False,
                 header: bool = True, ack_timeout: float = 0.5, retries: int = 2, name: str | None = None):
        self.host, self.port, self.address = host, port, address
        self.sequence_zero, self.header = sequence_zero, header
        self.ack_timeout, self.retries = ack_timeout, retries
        self.name = name or f"{host}:{port}"
        self._seq = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.connect((host, port))
        self._pending: tuple[int, float] | None = None  # (sequence, sent at) of a recall awaiting completion

    def close(self) -> None:
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _next_sequence(self) -> int:
        if self.sequence_zero:
            return 0  # [NDI]
        self._seq = (self._seq + 1) & MAX_SEQUENCE
        return self._seq

    def _send(self, ptype: int, payload: bytes, seq: int) -> None:
        self._sock.send(packet(ptype, payload, seq) if self.header else payload)

    def _receive(self, deadline: float) -> tuple[int | None, bytes] | None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        self._sock.settimeout(remaining)
        try:
            data = self._sock.recv(64)
        except socket.timeout:
            return None
        except ConnectionRefusedError:
            raise ViscaError(f"camera {self.name} refused VISCA (is VISCA over IP on, and the port {self.port}?)") from None
        if not self.header:
            return None, data
        try:
            ptype, seq, payload = parse(data)
        except ValueError:
            return self._receive(deadline)  # not ours: keep listening until the deadline
        if ptype == CONTROL_REPLY and payload[:1] == b"\x0f":
            raise ViscaError(f"camera {self.name} reports a sequence/message abnormality ({payload.hex()}); "
                             "try `sequence_zero: true` for this camera")
        return seq, payload

    def reset_sequence(self) -> None:
        """[SONY] the RESET control command: the camera's expected sequence number back to 0."""
        self._seq = 0
        self._send(CONTROL_COMMAND, CONTROL_RESET, 0)
        deadline = time.monotonic() + self.ack_timeout
        while (got := self._receive(deadline)) is not None:
            if got[1] == CONTROL_ACK:
                return
        raise ViscaError(f"camera {self.name} did not acknowledge RESET within {self.ack_timeout}s")

    def recall(self, preset: int, *, wait: bool = True, timeout: float = 15.0) -> RecallResult:
        command = preset_recall(preset, self.address)
        seq = self._next_sequence()
        sent = time.monotonic()
        acked = None
        for attempt in range(self.retries + 1):
            self._send(VISCA_COMMAND, command, seq)  # [SONY] a resend keeps the sequence number
            deadline = time.monotonic() + self.ack_timeout
            while (got := self._receive(deadline)) is not None:
                rseq, payload = got
                if rseq not in (None, seq):
                    continue  # a late reply to an earlier command
                kind = reply_kind(payload)
                if kind == "error":
                    code = payload[2] if len(payload) > 3 else 0
                    raise ViscaError(f"camera {self.name} refused preset {preset}: {ERRORS.get(code, hex(code))}")
                if kind in ("ack", "completion"):
                    acked = time.monotonic() - sent
                    if kind == "completion":  # some cameras skip the ACK
                        return RecallResult(preset, seq, acked, acked, attempt)
                    break
            if acked is not None:
                break
        if acked is None:
            raise ViscaError(f"camera {self.name} did not acknowledge preset {preset} "
                             f"({self.retries + 1} tries, {self.ack_timeout}s each): check its address and VISCA port")
        self._pending = (seq, sent)
        if not wait:
            return RecallResult(preset, seq, acked, None, attempt)
        done = self.wait_completion(timeout)
        return RecallResult(preset, seq, acked, done, attempt)

    def wait_completion(self, timeout: float) -> float:
        """Seconds from sending the last recall to its Completion; ViscaError if none in `timeout`."""
        if self._pending is None:
            raise ViscaError(f"camera {self.name}: no recall is waiting for completion")
        seq, sent = self._pending
        deadline = time.monotonic() + timeout
        while (got := self._receive(deadline)) is not None:
            rseq, payload = got
            if rseq in (None, seq) and reply_kind(payload) == "completion":
                self._pending = None
                return time.monotonic() - sent
            if rseq in (None, seq) and reply_kind(payload) == "error":
                self._pending = None
                code = payload[2] if len(payload) > 3 else 0
                raise ViscaError(f"camera {self.name} stopped: {ERRORS.get(code, hex(code))}")
        raise ViscaError(f"camera {self.name} did not report arriving within {timeout}s")
