"""An independent observer of OBS for the private-session tests.

It shares no code with meetstream.adapters.obs: its own obs-websocket connection (obsws-python does the
handshake, the batches are its own), sampling at 10 Hz, for each sample, the program scene,
every input's mute (every input in OBS that carries sound, the global ones too) and the private
scene's items. A sample is private only if all three are exactly as a private session needs.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PRIVATE_SCENE = "Private session"
PRIVATE_ITEMS = [("Private slate", True)]
# The shipped chamber set's public scenes, and the cover meetstream puts on top of each (the
# names as the docs give them, not imported: the observer shares no code with meetstream).
PUBLIC_SCENES = ("Chamber", "Speaker", "Gallery", "Agenda")
COVER = "Private cover"


@dataclass
class Sample:
    t: float
    down: bool = False
    program: str = ""
    live_audio: list = field(default_factory=list)
    items: list = field(default_factory=list)

    @property
    def private(self) -> bool:
        return not self.down and self.program == PRIVATE_SCENE and not self.live_audio and self.items == PRIVATE_ITEMS


class RawObs:
    """A bare obs-websocket 5 client: connect, one request, one batch."""

    def __init__(self, port: int, password: str):
        from obsws_python.baseclient import ObsClient

        logging.getLogger("obsws_python").setLevel(logging.CRITICAL + 1)
        self.client = ObsClient(host="127.0.0.1", port=port, password=password, timeout=3)
        self.client.authenticate()
        self.ws = self.client.ws
        self.n = 0

    def batch(self, requests: list[tuple[str, dict | None]]) -> list[dict]:
        self.n += 1
        rid = f"obs-{self.n}"
        self.ws.send(json.dumps({"op": 8, "d": {"requestId": rid, "haltOnFailure": False, "requests": [
            {"requestType": t, "requestId": str(i), **({"requestData": d} if d is not None else {})} for i, (t, d) in enumerate(requests)]}}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("op") == 9 and msg["d"]["requestId"] == rid:
                by = {r["requestId"]: r for r in msg["d"]["results"]}
                return [by.get(str(i), {}) for i in range(len(requests))]

    def call(self, request_type: str, data: dict | None = None) -> dict:
        r = self.batch([(request_type, data)])[0]
        assert r["requestStatus"]["result"], r
        return r.get("responseData") or {}

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass

    def sample(self) -> Sample:
        head = self.batch([("GetCurrentProgramScene", None), ("GetInputList", None), ("GetSpecialInputs", None),
                           ("GetSceneItemList", {"sceneName": PRIVATE_SCENE})])
        names = [i["inputName"] for i in head[1].get("responseData", {}).get("inputs", [])]
        names += [n for n in (head[2].get("responseData") or {}).values() if n and n not in names]
        mutes = self.batch([("GetInputMute", {"inputName": n}) for n in names])
        live = [n for n, r in zip(names, mutes) if r["requestStatus"]["result"] and not r["responseData"]["inputMuted"]]
        raw_items = sorted((head[3].get("responseData") or {}).get("sceneItems", []), key=lambda i: i["sceneItemIndex"])
        return Sample(time.monotonic(), program=head[0]["responseData"]["currentProgramSceneName"], live_audio=live,
                      items=[(i["sourceName"], i["sceneItemEnabled"]) for i in raw_items])


def covers(raw: "RawObs", scenes=PUBLIC_SCENES) -> dict[str, tuple[bool, bool]]:
    """scene -> (its top item is the private cover, that item is shown)."""
    out = {}
    for scene, r in zip(scenes, raw.batch([("GetSceneItemList", {"sceneName": s}) for s in scenes])):
        items = (r.get("responseData") or {}).get("sceneItems", [])
        top = max(items, key=lambda i: i["sceneItemIndex"], default=None)
        out[scene] = (top is not None and top["sourceName"] == COVER, bool(top and top["sourceName"] == COVER and top["sceneItemEnabled"]))
    return out


class Observer:
    """Samples OBS at `hz` on its own thread until stopped; survives OBS going away."""

    def __init__(self, port: int, password: str, hz: float = 10.0):
        self.port, self.password, self.period = port, password, 1.0 / hz
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._sampled = threading.Condition()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.raw: RawObs | None = None

    def __enter__(self) -> "Observer":
        self._thread.start()
        self.wait_samples(1)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            try:
                if self.raw is None:
                    self.raw = RawObs(self.port, self.password)
                s = self.raw.sample()
            except Exception:
                if self.raw is not None:
                    self.raw.close()
                self.raw = None
                s = Sample(time.monotonic(), down=True)
            with self._sampled:
                self.samples.append(s)
                self._sampled.notify_all()
            next_at += self.period
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def wait_samples(self, n: int = 1, timeout: float = 10.0) -> None:
        """Return just after `n` more samples have been taken (a fault injected now lands
        between two samples, so only a repair slower than the sampling period can be seen)."""
        with self._sampled:
            want = len(self.samples) + n
            assert self._sampled.wait_for(lambda: len(self.samples) >= want, timeout), "the observer stopped sampling"

    def public_since(self, t0: float) -> list[Sample]:
        return [s for s in self.samples if s.t >= t0 and not s.down and not s.private]

    def count_since(self, t0: float) -> int:
        return sum(1 for s in self.samples if s.t >= t0 and not s.down)


def stopwatch_until_private(raw: RawObs, timeout: float = 5.0) -> float:
    """Seconds until OBS reads private again, polled as fast as one client can."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if raw.sample().private:
            return time.monotonic() - t0
    return float("inf")


def desktop_collection(raw: RawObs, obs_home: Path, name: str) -> None:
    """Switch OBS to a new collection that has the global Desktop Audio and Mic/Aux sources every
    desktop install has (OBS creates them from the audio devices; a headless OBS has none), both
    live. Written as OBS 29 writes its own collection files."""
    source = {"balance": 0.5, "enabled": True, "flags": 0, "mixers": 255, "monitoring_type": 0, "muted": False,
              "settings": {"device_id": "default"}, "sync": 0, "volume": 1.0, "private_settings": {}}
    doc = {
        "name": name, "current_scene": "Scene", "current_program_scene": "Scene", "current_transition": "Cut",
        "transition_duration": 300, "scene_order": [{"name": "Scene"}], "groups": [], "quick_transitions": [],
        "saved_projectors": [], "modules": {}, "transitions": [],
        "DesktopAudioDevice1": source | {"name": "Desktop Audio", "id": "pulse_output_capture", "versioned_id": "pulse_output_capture"},
        "AuxAudioDevice1": source | {"name": "Mic/Aux", "id": "pulse_input_capture", "versioned_id": "pulse_input_capture"},
        "sources": [{"name": "Scene", "id": "scene", "versioned_id": "scene", "enabled": True, "flags": 0, "mixers": 0,
                     "muted": False, "volume": 1.0, "settings": {"custom_size": False, "id_counter": 0, "items": []}}],
    }
    (obs_home / ".config" / "obs-studio" / "basic" / "scenes" / f"{name}.json").write_text(json.dumps(doc))
    # OBS lists collections from its menu, refreshed when one is created: make one, then switch.
    raw.call("CreateSceneCollection", {"sceneCollectionName": f"{name}-refresh"})
    raw.call("SetCurrentSceneCollection", {"sceneCollectionName": name})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        special = raw.call("GetSpecialInputs")
        if special.get("mic1") == "Mic/Aux" and special.get("desktop1") == "Desktop Audio":
            return
        time.sleep(0.1)
    raise AssertionError("OBS did not load the desktop collection's global audio")
