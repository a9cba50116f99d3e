"""What a rehearsal asks of OBS besides the night's own requests: a scene collection of its own on
the officer's OBS (and theirs put back), the test cameras' state, a program picture, and when a
changed overlay has been drawn (OBS applies a text change on its next frame)."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Callable

from meetstream.errors import MeetstreamError

REHEARSAL_COLLECTION = "meetstream rehearsal"


def program_png(conn, scene: str, width: int = 640) -> bytes:
    """The scene as a PNG `width` pixels wide."""
    data = conn.call("GetSourceScreenshot", {"sourceName": scene, "imageFormat": "png", "imageWidth": width})["imageData"]
    return base64.b64decode(data.split(",", 1)[1])


def borrow_obs(conn, say: Callable[[str], None]) -> Callable[[], None]:
    """Rehearse on the officer's own OBS in a scene collection of its own; returns what puts their
    collection and stream settings (which belong to the profile, not the collection) back."""
    collections = conn.call("GetSceneCollectionList")
    theirs = collections["currentSceneCollectionName"]
    stream = conn.call("GetStreamServiceSettings")
    if REHEARSAL_COLLECTION in collections["sceneCollections"]:
        conn.call("SetCurrentSceneCollection", {"sceneCollectionName": REHEARSAL_COLLECTION})
    else:
        conn.call("CreateSceneCollection", {"sceneCollectionName": REHEARSAL_COLLECTION})
    say(f"OBS: your own OBS, in a scene collection of its own ({REHEARSAL_COLLECTION!r}); your collection "
        f"{theirs!r} and your stream settings are put back when the rehearsal ends")

    def put_back() -> None:
        # obs-websocket refuses an empty settings object; an OBS that had none gets empty values.
        settings = stream["streamServiceSettings"] or {"server": "", "key": ""}
        steps = [
            ("stop the rehearsal's stream", lambda: conn.call("GetStreamStatus").get("outputActive") and conn.call("StopStream")),
            ("your stream settings (Settings → Stream)", lambda: conn.call("SetStreamServiceSettings", {
                "streamServiceType": stream["streamServiceType"], "streamServiceSettings": settings})),
            (f"your scene collection {theirs!r} (Scene Collection menu)",
             lambda: conn.call("SetCurrentSceneCollection", {"sceneCollectionName": theirs})),
        ]
        failed = []
        for what, step in steps:
            try:
                step()
            except MeetstreamError as err:
                failed.append(f"{what}: {err}")
        if failed:
            say("OBS: could not put back, please do it by hand: " + "; ".join(failed))
        else:
            say(f"OBS: your scene collection {theirs!r} and stream settings are back as they were")

    return put_back


class TestCameras:
    def __init__(self, conn, ss):
        self.conn = conn
        self.names = [n for n, i in ss.inputs.items() if i.kind == "media" and i.settings.get("input_format") == "lavfi"]

    def say_if_live(self, say: Callable[[str], None]) -> None:
        for name in self.names:
            try:
                state = self.conn.call("GetMediaInputStatus", {"inputName": name}).get("mediaState", "")
            except MeetstreamError:
                state = "unknown"
            say(f"Camera: {name!r} is a moving test picture ({state.removeprefix('OBS_MEDIA_STATE_').lower()})")


class OverlayWatch:
    """OBS applies a text change on its next video frame, and a screenshot taken before that shows
    the last step's title. Remember how each overlay looked; after a step, wait (briefly) until
    every overlay whose text changed is drawn differently."""

    def __init__(self, conn, ss, wait: float = 3.0):
        self.conn, self.wait = conn, wait
        self.names = [n for n, i in ss.inputs.items() if i.overlay]
        self._seen: dict[str, tuple[str, str | None]] = {}

    def _look(self, name: str) -> tuple[str, str | None]:
        text = self.conn.call("GetInputSettings", {"inputName": name})["inputSettings"].get("text", "")
        try:
            image = self.conn.call("GetSourceScreenshot", {"sourceName": name, "imageFormat": "png"})["imageData"]
        except MeetstreamError:  # an empty text has no size to draw
            image = None
        return text, (hashlib.sha1(image.encode()).hexdigest() if image else None)

    def remember(self) -> None:
        self._seen = {n: self._look(n) for n in self.names}

    def wait_until_drawn(self) -> None:
        deadline = time.monotonic() + self.wait
        for name in self.names:
            text, picture = self._seen.get(name, ("", None))
            while True:
                now_text, now_picture = self._look(name)
                if now_text == text or now_picture != picture or now_picture is None or time.monotonic() > deadline:
                    break
                time.sleep(0.03)

    def shown_in(self, scene: str) -> dict:
        """Each overlay visible in `scene`: its text and where OBS draws it (for screenshots.json)."""
        items = self.conn.call("GetSceneItemList", {"sceneName": scene})["sceneItems"]
        out = {}
        for item in items:
            if item["sourceName"] in self.names and item["sceneItemEnabled"]:
                t = self.conn.call("GetSceneItemTransform", {"sceneName": scene, "sceneItemId": item["sceneItemId"]})["sceneItemTransform"]
                text = self.conn.call("GetInputSettings", {"inputName": item["sourceName"]})["inputSettings"].get("text", "")
                out[item["sourceName"]] = {"text": text, "x": t["positionX"], "y": t["positionY"], "scale": t["scaleX"]}
        return out
