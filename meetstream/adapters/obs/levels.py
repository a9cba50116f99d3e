"""Programme audio levels from OBS: a third, listen-only connection subscribed to obs-websocket's
high-volume `InputVolumeMeters` event (EventSubscription bit 1 << 16), which OBS sends every 50 ms
with each active input's levels.

Each input's `inputLevelsMul` is one row per channel of [magnitude, peak, input peak] as
multipliers (0..1; dBFS = 20·log10). The first two are after the input's fader and mute (what goes
into the mix, and so onto the stream); the third is before them. Read on OBS 29.0.2: an input
muted in OBS keeps its input peak and reports 0.0 for the other two; an audio capture with no
device (a headless PC) reports an empty list. So "programme audio" here is the post-fader peak.

Nothing here decides what silence means on the night (meetstream.services.watchdog does): this
only remembers, per input, when its programme peak was last above the threshold. Its own
connection, so 20 events a second never sit in front of the director's requests or the
watchdog's events, and it comes back by itself when OBS restarts.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from typing import Callable, Iterable

from meetstream import secrets

log = logging.getLogger(__name__)

INPUT_VOLUME_METERS = 1 << 16  # high-volume: never part of obs-websocket's "All" subscription
PROGRAMME_PEAK = 1  # [magnitude, peak, input peak]: the post-fader peak


def to_dbfs(mul: float) -> float:
    return 20 * math.log10(mul) if mul > 0 else -math.inf


def programme_peak_db(levels: list) -> float:
    """The loudest channel's post-fader peak in dBFS; -inf for no data (no device, muted)."""
    peaks = [ch[PROGRAMME_PEAK] for ch in levels or () if isinstance(ch, (list, tuple)) and len(ch) > PROGRAMME_PEAK]
    return to_dbfs(max(peaks)) if peaks else -math.inf


class ObsLevels:
    """`heard_at(name)`: when `name`'s programme peak was last above `threshold_db` (the clock's
    time, None if never since the watch began); `alive(within)`: a meter event arrived lately.
    `start()` / `stop()`."""

    def __init__(self, host: str, port: int, password: str | None, inputs: Iterable[str], *, threshold_db: float = -50.0,
                 clock: Callable[[], float] = time.monotonic, retry_every: float = 0.5):
        self.host, self.port, self.threshold_db, self.clock, self.retry_every = host, port, threshold_db, clock, retry_every
        self.inputs = set(inputs)
        self._password = password or ""
        secrets.register(password)
        self._heard: dict[str, float] = {}
        self._peak: dict[str, float] = {}
        self._last_event: float | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ws = None
        self.events = 0

    def __repr__(self) -> str:
        return f"ObsLevels({self.host}:{self.port})"

    # --- what the watchdog reads --------------------------------------------------------------

    def heard_at(self, name: str) -> float | None:
        with self._lock:
            return self._heard.get(name)

    def peak_db(self, name: str) -> float:
        with self._lock:
            return self._peak.get(name, -math.inf)

    def alive(self, within: float = 3.0) -> bool:
        with self._lock:
            return self._last_event is not None and self.clock() - self._last_event <= within

    def take(self, data: dict) -> None:
        """One InputVolumeMeters event's data (also how tests feed it)."""
        now = self.clock()
        with self._lock:
            self._last_event = now
            self.events += 1
            for entry in data.get("inputs") or ():
                name = entry.get("inputName")
                if name not in self.inputs:
                    continue
                peak = programme_peak_db(entry.get("inputLevelsMul") or [])
                self._peak[name] = peak
                if peak > self.threshold_db:
                    self._heard[name] = now

    # --- the connection -----------------------------------------------------------------------

    def start(self) -> "ObsLevels":
        self._thread = threading.Thread(target=self._run, name="obs-levels", daemon=True)
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

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._open()
            except Exception:  # OBS not there (yet), or restarting: keep trying
                self._stop.wait(self.retry_every)
                continue
            self._listen()

    def _open(self) -> None:
        from obsws_python.baseclient import ObsClient

        from meetstream.adapters.obs.sdk import quiet_obsws

        quiet_obsws()
        client = ObsClient(host=self.host, port=self.port, password=self._password, subs=INPUT_VOLUME_METERS, timeout=2)
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
            if msg.get("op") == 5 and d.get("eventType") == "InputVolumeMeters":
                try:
                    self.take(d.get("eventData") or {})
                except Exception:  # a malformed event must not end the watch
                    log.exception("reading InputVolumeMeters")
        try:
            self._ws.close()
        except Exception:
            pass


def listen_levels(conn, inputs: Iterable[str], *, threshold_db: float = -50.0) -> ObsLevels:
    """Levels of `inputs` on the OBS that `conn` (an ObsConnection) talks to, on their own
    connection; started."""
    return ObsLevels(conn.host, conn.port, conn._password, inputs, threshold_db=threshold_db).start()
