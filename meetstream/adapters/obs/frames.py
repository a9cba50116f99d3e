"""Is the picture moving? A small screenshot of each moving-picture input on program, compared
with the last one.

A live camera, an NDI feed or a playing video never gives two identical frames: sensor noise
alone changes pixels from one frame to the next. A feed that stopped delivering (a capture card
holding its last frame, an NDI sender gone, a paused or finished video, an unplugged camera
showing black) gives exactly the same pixels every time, and OBS renders them the same way, so
the screenshot's bytes are identical. So "frozen" here is "byte-identical screenshots": no
threshold to tune, and a still room with a working camera is never taken for frozen.

obs-websocket's GetSourceScreenshot renders the named source on demand at the size asked
(obs-websocket protocol.md, Sources requests: sourceName, imageFormat, imageWidth; any source,
not only scenes). At 96 px wide one screenshot is a few kilobytes of PNG, but it waits for OBS's
graphics thread: 17 ms at the median, up to 75 ms (bench/picture_watch.py). So the watch has its
own connection (ObsConnection.sibling), and a director action never waits behind a screenshot.

Only inputs the scene set gives a moving-picture role (camera, ndi, media) and that OBS really
built as one (an input that fell back to a colour on a rehearsal PC is not watched), and only
while they are visible on program: a camera off program may be frozen without anyone seeing it.
A camera or feed with no picture at all (OBS cannot render a source of size 0: a device gone)
counts as frozen; a media input with none is an audio file, not a picture.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Callable

from meetstream.adapters.obs.connection import ObsConnection, ObsRequestError
from meetstream.adapters.obs.kinds import CANDIDATES

log = logging.getLogger(__name__)

MOVING = ("camera", "ndi", "media")
INVALID_RESOURCE_TYPE = 602  # obs-websocket RequestStatus: "not a video source"
PROCESSING_FAILED = 702  # "Failed to render screenshot": a source of size 0
NO_PICTURE = "no picture"
WIDTH = 96


def moving_kinds() -> set[str]:
    return {kind for role in MOVING for kind in CANDIDATES[role]}


class ObsFrames:
    """`program_prints(scene)`: {input on program that should move: a digest of its picture now}."""

    def __init__(self, conn: ObsConnection, inputs: dict[str, str], *, recheck_every: float = 60.0,
                 clock: Callable[[], float] = time.monotonic):
        """`inputs`: the scene set's moving pictures, name -> role kind (camera, ndi, media)."""
        self.conn, self.clock, self.recheck_every = conn, clock, recheck_every
        self.candidates = dict(inputs)
        self._watched: set[str] = set()
        self._checked_at: float | None = None
        self._no_video: set[str] = set()  # an audio-only media file: nothing to see

    def _watched_now(self) -> set[str]:
        if not self.conn.connected and not self.conn.version:
            self.conn.connect()  # the first look (later drops reconnect by themselves)
        # Read again now and then: OBS may have restarted and rebuilt an input as its fallback.
        now = self.clock()
        if self._checked_at is None or now - self._checked_at >= self.recheck_every:
            kinds = moving_kinds()
            listed = self.conn.call("GetInputList").get("inputs", [])
            self._watched = {i["inputName"] for i in listed if i["inputName"] in self.candidates and i.get("inputKind") in kinds}
            self._checked_at = now
        return self._watched - self._no_video

    def _visible(self, scene: str, depth: int = 0) -> set[str]:
        seen: set[str] = set()
        for item in self.conn.call("GetSceneItemList", {"sceneName": scene}).get("sceneItems", []):
            if not item.get("sceneItemEnabled"):
                continue
            name = item.get("sourceName", "")
            if item.get("isGroup") and depth < 2:
                for sub in self.conn.call("GetGroupSceneItemList", {"sceneName": name}).get("sceneItems", []):
                    if sub.get("sceneItemEnabled"):
                        seen.add(sub.get("sourceName", ""))
            elif item.get("sourceType") == "OBS_SOURCE_TYPE_SCENE" and depth < 2:
                seen |= self._visible(name, depth + 1)
            else:
                seen.add(name)
        return seen

    def close(self) -> None:
        self.conn.close()

    def program_prints(self, scene: str) -> dict[str, str]:
        watched = self._watched_now()
        if not watched or not scene:
            return {}
        prints: dict[str, str] = {}
        for name in sorted(self._visible(scene) & watched):
            try:
                data = self.conn.call("GetSourceScreenshot", {"sourceName": name, "imageFormat": "png", "imageWidth": WIDTH})
            except ObsRequestError as err:
                audio_file = self.candidates.get(name) == "media"
                if err.code == INVALID_RESOURCE_TYPE or (err.code == PROCESSING_FAILED and audio_file):
                    log.info("%s has no picture to watch (%s)", name, err)
                    self._no_video.add(name)
                elif err.code == PROCESSING_FAILED:
                    prints[name] = NO_PICTURE
                continue  # any other refusal: this sample only
            prints[name] = hashlib.sha256(str(data.get("imageData", "")).encode()).hexdigest()
        return prints
