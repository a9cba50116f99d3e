"""A running `meetstream serve` seen as a room control: the same `state`, `act` and `check` as
RoomControl, over the local API, for the console when a server owns the room."""

from __future__ import annotations

from urllib.parse import urlencode

from meetstream.entrypoints.http.client import request
from meetstream.services.control import Outcome
from meetstream.errors import ObsError
from meetstream.core.rules import Refused

KINDS = {200: "ok", 400: "bad_input", 409: "refused", 502: "failed", 503: "unavailable"}


def _refused(answer: dict):
    return Refused.from_json(answer["refusal"]) if isinstance(answer.get("refusal"), dict) else None


class RemoteControl:
    def __init__(self, server: dict):
        self.server = server

    def state(self) -> dict:
        status, answer = self._call("GET", "/api/state")
        if status != 200:
            raise ObsError(answer.get("error", f"the control server answered {status}"))
        return answer

    def act(self, action: str, body: dict | None = None) -> Outcome:
        status, answer = self._call("POST", f"/api/cue/{action}", body or {})
        return Outcome(status == 200, answer.get("message") or answer.get("error", ""), KINDS.get(status, "failed"),
                       end=answer.get("end"), refused=_refused(answer))

    def check(self, action: str, body: dict | None = None) -> Outcome:
        query = f"?{urlencode(body)}" if body else ""
        status, answer = self._call("GET", f"/api/check/{action}{query}")
        return Outcome(status == 200, answer.get("error", ""), KINDS.get(status, "failed"), refused=_refused(answer))

    def _call(self, method: str, path: str, body: dict | None = None):
        try:
            return request(self.server, method, path, body, timeout=60)
        except OSError as err:
            raise ObsError(f"the room's `meetstream serve` at {self.server.get('url')} is not answering ({err})") from err

    def stop(self) -> None:
        pass
