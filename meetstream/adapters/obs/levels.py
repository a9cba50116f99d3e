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

import logging
import math
import threading
import time
from typing import Callable, Iterable

from meetstream.adapters.obs.events import ObsListener

log = logging.getLogger(__name__)

INPUT_VOLUME_METERS = 1 << 16  # high-volume: never part of obs-websocket's "All" subscription
PROGRAMME_PEAK = 1  # [magnitude, peak, input peak]: the post-fader peak


def to_dbfs(mul: float) -> float:
    return 20 * math.log10(mul) if mul > 0 else -math.inf


def programme_peak_db(levels: list) -> float:
    """The loudest channel's post-fader peak in dBFS; -inf for no data (no device, muted)."""
    peaks = [ch[PROGRAMME_PEAK] for ch in levels or () if isinstance(ch, (list, tuple)) and len(ch) > PROGRAMME_PEAK]
    return to_dbfs(max(peaks)) if peaks else -math.inf


class ObsLevels(ObsListener):
    """`heard_at(name)`: when `name`'s programme peak was last above `threshold_db` (the clock's
    time, None if never since the watch began); `alive(within)`: a meter event arrived lately.
    `start()` / `stop()`."""

    thread_name = "obs-levels"

    def __init__(self, host: str, port: int, password: str | None, inputs: Iterable[str], *, threshold_db: float = -50.0,
                 clock: Callable[[], float] = time.monotonic, retry_every: float = 0.5):
        super().__init__(host, port, password, subs=INPUT_VOLUME_METERS, retry_every=retry_every)
        self.threshold_db, self.clock = threshold_db, clock
        self.inputs = set(inputs)
        self._heard: dict[str, float] = {}
        self._peak: dict[str, float] = {}
        self._last_event: float | None = None
        self._lock = threading.Lock()
        self.events = 0

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

    # --- the connection (meetstream.adapters.obs.events.ObsListener) --------------------------

    def _event(self, event_type: str, data: dict) -> None:
        if event_type == "InputVolumeMeters":
            try:
                self.take(data)
            except Exception:  # a malformed event must not end the watch
                log.exception("reading InputVolumeMeters")


def listen_levels(conn, inputs: Iterable[str], *, threshold_db: float = -50.0) -> ObsLevels:
    """Levels of `inputs` on the OBS that `conn` (an ObsConnection) talks to, on their own
    connection; started."""
    return ObsLevels(conn.host, conn.port, conn._password, inputs, threshold_db=threshold_db).start()
