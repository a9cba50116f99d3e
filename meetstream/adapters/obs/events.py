"""A second, listen-only connection to OBS: the moment anything that could break a private session
changes in OBS (a scene clicked, a source unmuted, added or shown, OBS restarted), the watchdog
is woken instead of waiting for its next once-a-second check.

It never sends a request: the director's connection does the work, so the events socket can
drop and come back (OBS restarting) without touching what an action is doing.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Callable

from meetstream import secrets
from meetstream.ports import OBS_CONNECTED as BACK

log = logging.getLogger(__name__)

# obs-websocket EventSubscription bits (protocol.md): Scenes, Inputs, SceneItems.
SUBSCRIPTIONS = (1 << 2) | (1 << 3) | (1 << 7)
# The events after which a private session may no longer be what it was.
WATCHED = {
    "CurrentProgramSceneChanged",
    "InputMuteStateChanged",
    "InputAudioTracksChanged",
    "InputCreated",
    "SceneItemCreated",
    "SceneItemEnableStateChanged",
    "SceneItemRemoved",
    "SceneItemListReindexed",
    "InputVolumeChanged",
}


class ObsListener:
    """A listen-only obs-websocket connection on its own thread, subscribed to `subs`, opened again
    whenever it drops (OBS restarting). Each event goes to `_event(type, data)`; `_opened(first)` is
    told each time the socket opens. `start()` / `stop()`; `connected` is set while it is open."""

    thread_name = "obs-listen"

    def __init__(self, host: str, port: int, password: str | None, *, subs: int, retry_every: float):
        self.host, self.port, self.subs, self.retry_every = host, port, subs, retry_every
        self._password = password or ""
        secrets.register(password)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ws = None
        self.connected = threading.Event()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.host}:{self.port})"

    def start(self):
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        ws = self._ws
        if ws is not None:
            try:
                ws.close()
            except Exception:
                pass
        if self._thread is not None:
            self._thread.join(timeout=3)

    def _opened(self, first: bool) -> None:
        pass

    def _event(self, event_type: str, data: dict) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                self._open()
            except Exception:  # OBS not there (yet), or restarting: keep trying
                self._stop.wait(self.retry_every)
                continue
            self.connected.set()
            self._opened(first)
            first = False
            self._listen()
            self.connected.clear()

    def _open(self) -> None:
        from obsws_python.baseclient import ObsClient

        from meetstream.adapters.obs.sdk import quiet_obsws

        quiet_obsws()
        client = ObsClient(host=self.host, port=self.port, password=self._password, subs=self.subs, timeout=2)
        client.authenticate()
        client.ws.settimeout(1.0)
        self._ws = client.ws

    def _listen(self) -> None:
        from websocket import WebSocketTimeoutException

        while not self._stop.is_set():
            try:
                frame = self._ws.recv()
            except WebSocketTimeoutException:
                continue
            except Exception:
                break
            if not frame:
                break
            try:
                msg = json.loads(frame)
            except ValueError:
                continue
            d = msg.get("d") or {}
            if msg.get("op") == 5 and isinstance(d.get("eventType"), str):
                self._event(d["eventType"], d.get("eventData") or {})
        try:
            self._ws.close()
        except Exception:
            pass


class ObsEventWatch(ObsListener):
    """Calls `on_change(event_type, data)` from its own thread for each WATCHED event, and
    `on_change(BACK, {})` each time the socket opens again after the first."""

    thread_name = "obs-events"

    def __init__(self, host: str, port: int, password: str | None, on_change: Callable[[str, dict], None],
                 *, retry_every: float = 0.1):
        super().__init__(host, port, password, subs=SUBSCRIPTIONS, retry_every=retry_every)
        self.on_change = on_change

    def _opened(self, first: bool) -> None:
        if not first:
            self._notify(BACK, {})

    def _event(self, event_type: str, data: dict) -> None:
        if event_type in WATCHED:
            self._notify(event_type, data)

    def _notify(self, event: str, data: dict) -> None:
        try:
            self.on_change(event, data)
        except Exception:  # the watchdog reports its own problems; this thread must live on
            log.exception("reacting to OBS event %s", event)


def wait_connected(watch: ObsEventWatch, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if watch.connected.wait(0.05):
            return True
    return False
