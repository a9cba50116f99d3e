"""Bosch DICENTIS microphone events over its Conference Protocol (JSON over WebSocket).

Sources:
  [MAN]  DICENTIS configuration manual V3.7 §10 "Conference protocol" (manualshive 39229 p. 101):
         WebSocket + HTTPS + JSON, served by the DICENTIS webserver on port 31416; documented in
         ConferenceProtocol.chm; "manage meeting" rights needed to manage the discussion.
  [COMP] bitfocus/companion-module-bosch-dicentis main.js: wss://<server>:31416/Dicentis/API with
         sub-protocol "DICENTIS_1_0"; {"operation": "login", "parameters": {"user", "password"}} answered
         with parameters.loggedIn; GetDiscussionList -> parameters.discussionList[] with seatId,
         microphoneState ("on"), screenLine; the server's certificate is self-signed
         (rejectUnauthorized: false) — here it is verified unless the room's settings say otherwise.
  [EXT]  an Extron Global Scripter driver for DICENTIS (Python, same protocol): messages carry
         messageID; RegisterEvents {"events": ["DiscussionListChanged"]}; on the event it fetches
         getDiscussionList and registers again ("Events need to be registered everytime again after it
         is returned"); entries carry speakerType "isSpeaker" (on) or a waiting type, and participantId.
  [WEB]  a public DICENTIS web client: unsolicited news arrives as {"operation": "event",
         "parameters": {"events": ["DiscussionListChanged", …]}}; speakerType "isPrioritySpeaker" for the
         chair's priority; microphoneState "on" / "mute" / "off"; isRequest entries are the waiting list.
This client logs in, registers DiscussionListChanged, fetches the list, and diffs each new list
against the last into MicEvents; it registers again after every fetch [EXT].
"""

from __future__ import annotations

import json
import ssl
import time
from datetime import UTC, datetime
from typing import Callable

from meetstream.adapters.chamber.errors import ChamberError
from meetstream.core.chamber import MicEvent, MicState

PORT = 31416  # [MAN]
PATH = "/Dicentis/API"  # [COMP]
SUBPROTOCOL = "DICENTIS_1_0"  # [COMP]
SOURCE = "dicentis"
EVENT = "DiscussionListChanged"  # [EXT][WEB]

SPEAKING = {"isSpeaker": MicState.ON, "isPrioritySpeaker": MicState.PRIORITY_ON, "isResponder": MicState.ON}
WAITING = {"isRequest", "isResponseRequest", "isImportant"}  # GUESS for the last two: request-like entries


def seat_states(discussion_list: list[dict]) -> dict[str, MicState]:
    """The discussion list -> {seatId: ON | PRIORITY_ON | REQUEST}; a muted speaker counts as off."""
    out: dict[str, MicState] = {}
    for entry in discussion_list or ():
        seat = entry.get("seatId")
        if not seat:
            continue
        kind, mic = entry.get("speakerType"), entry.get("microphoneState", "on")
        if kind in SPEAKING and mic == "on":
            out[str(seat)] = SPEAKING[kind]
        elif kind in WAITING:
            out[str(seat)] = MicState.REQUEST
    return out


def diff(before: dict[str, MicState], after: dict[str, MicState], at: datetime) -> list[MicEvent]:
    """Two lists' seat states -> the MicEvents between them (offs and cancels first, then new ons)."""
    out: list[MicEvent] = []
    for seat, was in sorted(before.items()):
        now = after.get(seat)
        if now == was:
            continue
        if was == MicState.REQUEST and now is None:
            out.append(MicEvent(at, seat, MicState.REQUEST_CANCEL, SOURCE))
        elif was in (MicState.ON, MicState.PRIORITY_ON) and now in (None, MicState.REQUEST):
            out.append(MicEvent(at, seat, MicState.OFF, SOURCE))
    for seat, now in sorted(after.items()):
        if before.get(seat) != now:
            out.append(MicEvent(at, seat, now, SOURCE))
    return out


class DicentisClient:
    """A MicSource: one WebSocket to the DICENTIS server (a user with 'manage meeting' rights)."""

    source = SOURCE

    def __init__(self, url: str, user: str, password: str, *, verify_tls: bool = True, ca_file: str | None = None,
                 timeout: float = 10.0, clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        import websocket

        self.clock = clock
        self.states: dict[str, MicState] = {}
        self._pending = False  # our event arrived while a call waited for its reply
        self.screen_lines: dict[str, str] = {}
        self._id = 0
        sslopt = {}
        if url.startswith("wss:"):
            sslopt = {"cert_reqs": ssl.CERT_REQUIRED if verify_tls else ssl.CERT_NONE}
            if ca_file:
                sslopt["ca_certs"] = ca_file
            if not verify_tls:
                sslopt["check_hostname"] = False
        try:
            self.ws = websocket.create_connection(url, subprotocols=[SUBPROTOCOL], sslopt=sslopt, timeout=timeout)
        except (OSError, websocket.WebSocketException) as err:
            raise ChamberError(f"cannot reach DICENTIS at {url} ({type(err).__name__}: {err}); check the server "
                               "address, port 31416 and its certificate (ca_file)") from None
        reply = self._call("login", {"user": user, "password": password}, timeout)
        if not (reply.get("parameters") or {}).get("loggedIn"):
            self.ws.close()
            raise ChamberError("DICENTIS refused the login: check the API user and its password "
                               "(a user with 'manage meeting' rights in the Meeting Application)")
        self._refresh(timeout)

    def _send(self, operation: str, parameters: dict | None = None) -> int:
        self._id += 1
        self.ws.send(json.dumps({"messageId": self._id, "operation": operation, "parameters": parameters or {}}))
        return self._id

    def _recv(self, timeout: float) -> dict | None:
        import websocket

        self.ws.settimeout(max(timeout, 0.001))
        try:
            raw = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return None
        except (OSError, websocket.WebSocketException) as err:
            raise ChamberError(f"lost DICENTIS ({type(err).__name__})") from None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def _call(self, operation: str, parameters: dict, timeout: float) -> dict:
        self._send(operation, parameters)
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            msg = self._recv(left)
            if msg and msg.get("operation") == "event" and self._is_ours(msg):
                self._pending = True  # the list changed while we waited for a reply: fetch again
                continue
            if msg and str(msg.get("operation", "")).lower() in (operation.lower(), "error"):
                if msg.get("operation") == "error":
                    raise ChamberError(f"DICENTIS refused {operation}: {(msg.get('parameters') or {}).get('message', '')}")
                return msg
        raise ChamberError(f"DICENTIS did not answer {operation} within {timeout}s")

    @staticmethod
    def _is_ours(msg: dict) -> bool:
        names = [str(n).lower() for n in (msg.get("parameters") or {}).get("events") or []]
        return EVENT.lower() in names

    def _refresh(self, timeout: float) -> list[MicEvent]:
        # Re-arm the fire-once event BEFORE fetching the list: a change between the two then fires
        # (and is fetched again) instead of falling into the gap until the next change. [EXT]
        self._pending = False
        self._call("RegisterEvents", {"events": [EVENT]}, timeout)
        reply = self._call("GetDiscussionList", {}, timeout)
        entries = (reply.get("parameters") or {}).get("discussionList") or []
        for e in entries:
            if e.get("seatId"):
                self.screen_lines[str(e["seatId"])] = e.get("screenLine") or ""
        new = seat_states(entries)
        events = diff(self.states, new, self.clock())
        self.states = new
        return events

    def read(self, timeout: float) -> list[MicEvent]:
        if self._pending:
            return self._refresh(2.0)
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            msg = self._recv(left)
            if msg and msg.get("operation") == "event" and self._is_ours(msg):
                return self._refresh(max(left, 2.0))
        return []

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass
