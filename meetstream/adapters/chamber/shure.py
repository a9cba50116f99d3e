"""Shure DDS 5900 / DCS 6000 / MXC (DIS-CCU) microphone events: the "External Control Protocol".

Sources:
  [DDS]  Shure DDS 5900 user manual, "External Control Protocol" (manualslib 1207558 p. 72-73;
         1879055 p. 46; 989584 p. 53): raw TCP socket, "Port Number = 3142"; lines
         <command><SP><data><CR><LF> from the CCU; the CCU accepts CR, LF or both and "is not sensitive
         to upper/lower case"; seat numbers 1-65535; the CCU replies only when it acts.
  [MXC]  pubs.shure.com/command-strings/MXC: the same protocol and port 3142 for the DIS-CCU.
  [DCS]  DCS 6000 manual (easymanua.ls dcs-6000 p. 58-60): mic_on / mic_off / mic_request_on /
         mic_request_off, mic_next_on, "mic_status" retrieves the system status as a stream of the
         same commands, seat_state <seat> <active|passive> <name>.
  [COMP] bitfocus/companion-module-shure-dis-ccu index.js: sends "mic_status\r\n" on connect, parses
         exactly these event lines — an independent implementation of the same bytes.
Port: the brief and chamber-and-archive.md say 2202; that is Shure's port for the newer MXA/MXW/P300
"< GET … >" strings. The DIS/DDS central units listen on 3142 [DDS][MXC], so 3142 is the default.
Priority: the protocol reports a seat's priority setting (mic_priority <seat> <0-5>), not a press of
the chairman's priority button, so a chair is marked `priority` in the seat map instead.
"""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime
from typing import Callable

from meetstream.adapters.chamber.errors import ChamberError
from meetstream.core.chamber import MicEvent, MicState

DIS_PORT = 3142  # [DDS][MXC]
SOURCE = "shure"

_EVENTS = {  # [DCS] command -> state
    "mic_on": MicState.ON,
    "mic_off": MicState.OFF,
    "mic_request_on": MicState.REQUEST,
    "mic_request_off": MicState.REQUEST_CANCEL,
}


def parse_line(line: str, at: datetime) -> MicEvent | tuple[str, str, str] | None:
    """One line from the CCU -> a MicEvent, ("seat", seat, name) for seat_state, or None."""
    parts = line.strip().split(" ", 1)
    command = parts[0].lower()  # [DDS] not case sensitive
    data = parts[1].strip() if len(parts) > 1 else ""
    if command in _EVENTS and data:
        seat = data.split()[0]
        if seat.isdigit() and 1 <= int(seat) <= 65535:
            return MicEvent(at, str(int(seat)), _EVENTS[command], SOURCE)
        return None
    if command == "seat_state" and data:
        bits = data.split(" ", 2)  # [DCS] seat_state <seat number> <seat state> <seat name>
        if len(bits) >= 2:
            return ("seat", bits[0], bits[2] if len(bits) > 2 else "")
    return None


class ShureDisClient:
    """A MicSource over the CCU's raw TCP socket. Connecting sends mic_status [DDS 11.1.6] so the
    events start from the system's present state."""

    source = SOURCE

    def __init__(self, host: str, port: int = DIS_PORT, *, connect_timeout: float = 5.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.host, self.port, self.clock = host, port, clock
        self.seat_names: dict[str, str] = {}
        self._buffer = b""
        try:
            self._sock = socket.create_connection((host, port), timeout=connect_timeout)
        except OSError as err:
            raise ChamberError(f"cannot reach the Shure central unit at {host}:{port} ({err.strerror or err}); "
                               "check its IP address and that external control is on (port 3142)") from None
        self.send("mic_status")

    def send(self, command: str) -> None:
        self._sock.sendall(command.encode("ascii") + b"\r\n")  # [DDS] CR LF is understood

    def read(self, timeout: float) -> list[MicEvent]:
        deadline = time.monotonic() + timeout
        events: list[MicEvent] = []
        while True:
            while b"\n" in self._buffer or b"\r" in self._buffer:
                cut = min(i for i in (self._buffer.find(b"\r"), self._buffer.find(b"\n")) if i >= 0)
                raw, self._buffer = self._buffer[:cut], self._buffer[cut + 1:]
                if not raw.strip():
                    continue
                got = parse_line(raw.decode("ascii", "replace"), self.clock())
                if isinstance(got, MicEvent):
                    events.append(got)
                elif got:
                    self.seat_names[got[1]] = got[2]
            remaining = deadline - time.monotonic()
            if events or remaining <= 0:
                return events
            self._sock.settimeout(remaining)
            try:
                chunk = self._sock.recv(4096)
            except socket.timeout:
                return events
            if not chunk:
                raise ChamberError(f"the Shure central unit at {self.host}:{self.port} closed the connection")
            self._buffer += chunk

    def close(self) -> None:
        self._sock.close()
