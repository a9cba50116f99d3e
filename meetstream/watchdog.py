"""Once a second during a meeting: stream health, and the safety checks nobody should have to
remember. Talks to OBS and YouTube only through the small ports below.

- OBS bitrate and dropped frames every tick; YouTube's view of the stream every
  `youtube.health_every` seconds (5 minutes by default, never more than once a minute: each
  liveStreams.list costs quota).
- A private session is re-verified every tick (someone may click in OBS); if OBS disagrees it is
  put right at once and the incident goes on the timeline.
- If OBS's stream output stops while the meeting is on air, it is restarted (a bounded number
  of times) and each incident goes on the timeline.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

from meetstream.domain import SessionState
from meetstream.errors import MeetstreamError, NotVerified

log = logging.getLogger(__name__)

STREAMING_KEY = "streaming:{room}"  # set by `start`, cleared by `end`: the output should be up


class Outputs(Protocol):
    def status(self): ...
    def restart_stream(self) -> None: ...


@dataclass
class Health:
    at: float
    streaming: bool = False
    expected: bool = False
    kbps: float | None = None
    skipped_frames: int = 0
    total_frames: int = 0
    reconnecting: bool = False
    program_scene: str = ""
    youtube: str | None = None  # "active / good", or why not known
    problems: list[str] = field(default_factory=list)


class Watchdog:
    def __init__(self, session, outputs: Outputs, *, youtube_health: Callable[[], str] | None = None,
                 youtube_every: float = 300.0, max_restarts: int = 3, clock: Callable[[], float] = time.monotonic):
        self.session, self.outputs, self.youtube_health = session, outputs, youtube_health
        self.youtube_every, self.max_restarts, self.clock = youtube_every, max_restarts, clock
        self.restarts = 0
        self._last_bytes: tuple[float, int] | None = None
        self._last_youtube: float | None = None
        self.youtube_text: str | None = None
        self.youtube_checks = 0

    def expect_streaming(self) -> bool:
        return self.session.store.get_value(STREAMING_KEY.format(room=self.session.room)) == "1"

    def tick(self) -> Health:
        now = self.clock()
        h = Health(at=now, expected=self.expect_streaming())
        try:
            st = self.outputs.status()
        except MeetstreamError as err:
            h.problems.append(f"OBS: {err}")
            return h
        h.streaming, h.program_scene = st.streaming, st.program_scene
        h.skipped_frames, h.total_frames, h.reconnecting = st.skipped_frames, st.total_frames, st.reconnecting
        if self._last_bytes and st.streaming and now > self._last_bytes[0]:
            h.kbps = max(0.0, (st.stream_bytes - self._last_bytes[1]) * 8 / 1000 / (now - self._last_bytes[0]))
        self._last_bytes = (now, st.stream_bytes) if st.streaming else None

        if self.session.state is SessionState.PRIVATE:
            self._keep_private(h)
        if h.expected and not st.streaming and not st.reconnecting:
            self._restart_output(h)
        if self.youtube_health and (self._last_youtube is None or now - self._last_youtube >= self.youtube_every):
            self._last_youtube = now
            self.youtube_checks += 1
            try:
                self.youtube_text = self.youtube_health()
            except MeetstreamError as err:
                self.youtube_text = f"unknown ({err})"
        h.youtube = self.youtube_text
        return h

    def _keep_private(self, h: Health) -> None:
        try:
            self.session.director.verify("private")
        except NotVerified as err:
            h.problems.append(str(err))
            self.session.incident("private session changed outside meetstream; re-asserted", problem=str(err))
            self.session.director.private()

    def _restart_output(self, h: Health) -> None:
        if self.restarts >= self.max_restarts:
            h.problems.append(f"OBS stream output is down; gave up after {self.restarts} restarts: restart it in OBS")
            return
        self.restarts += 1
        try:
            self.outputs.restart_stream()
            self.session.incident("stream output stopped; restarted", attempt=self.restarts)
            h.problems.append(f"stream output had stopped: restarted (attempt {self.restarts})")
        except MeetstreamError as err:
            self.session.incident("stream output stopped; restart failed", attempt=self.restarts, error=str(err))
            h.problems.append(f"stream output is down and did not restart: {err}")
