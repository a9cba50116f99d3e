"""OBS's stream and recording outputs: where it sends the picture, and starting/stopping it.

The stream key is a secret: it goes to OBS and nowhere else (registered for log scrubbing).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from meetstream import secrets
from meetstream.errors import ObsError
from meetstream.adapters.obs.connection import OUTPUT_NOT_RUNNING, OUTPUT_RUNNING, ObsConnection, ObsRequestError


@dataclass(frozen=True)
class StreamTarget:
    server: str  # rtmp://a.rtmp.youtube.com/live2
    key: str

    def __repr__(self) -> str:
        return f"StreamTarget({self.server!r}, key={secrets.redact(self.key)})"


def stream_target_matches(conn: ObsConnection, target: StreamTarget) -> bool:
    got = conn.call("GetStreamServiceSettings")
    settings = got.get("streamServiceSettings") or {}
    return got.get("streamServiceType") == "rtmp_custom" and settings.get("server") == target.server and settings.get("key") == target.key


def set_stream_target(conn: ObsConnection, target: StreamTarget) -> bool:
    """Point OBS's stream output at the target; returns False when it already was (nothing sent)."""
    secrets.register(target.key)
    if stream_target_matches(conn, target):
        return False
    if conn.call("GetStreamStatus").get("outputActive"):
        raise ObsError("OBS is streaming elsewhere: stop its stream before meetstream re-targets it")
    conn.call("SetStreamServiceSettings", {
        "streamServiceType": "rtmp_custom",
        "streamServiceSettings": {"server": target.server, "key": target.key, "use_auth": False},
    })
    return True


def _wait(conn: ObsConnection, status: str, active: bool, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        st = conn.call(status)
        if bool(st.get("outputActive")) == active:
            return st
        if time.monotonic() > deadline:
            raise ObsError(f"OBS output did not {'start' if active else 'stop'} within {timeout:g}s ({status})")
        time.sleep(0.1)


def _switch(conn: ObsConnection, output: str, on: bool, timeout: float) -> dict:
    """Start or stop the Stream or Record output and wait until OBS reports it so.

    Asking for the state it is already in is not a failure: start and end can be re-run.
    """
    try:
        answer = conn.call(f"{'Start' if on else 'Stop'}{output}")
    except ObsRequestError as err:
        if err.code != (OUTPUT_RUNNING if on else OUTPUT_NOT_RUNNING):
            raise
        answer = {}
    _wait(conn, f"Get{output}Status", on, timeout)
    return answer


def start_stream(conn: ObsConnection, timeout: float = 15.0) -> None:
    _switch(conn, "Stream", True, timeout)


def stop_stream(conn: ObsConnection, timeout: float = 15.0) -> None:
    _switch(conn, "Stream", False, timeout)


def start_record(conn: ObsConnection, timeout: float = 15.0) -> None:
    _switch(conn, "Record", True, timeout)


def stop_record(conn: ObsConnection, timeout: float = 15.0) -> str | None:
    """Stops recording; returns the file OBS wrote, if it says."""
    return _switch(conn, "Record", False, timeout).get("outputPath")


class ObsOutputs:
    """OBS's outputs as the live session's services see them (a port: see meetstream.services.night)."""

    def __init__(self, conn: ObsConnection):
        self.conn = conn

    def status(self):
        from meetstream.adapters.obs.status import read_status

        return read_status(self.conn)

    def set_target(self, server: str, key: str) -> bool:
        return set_stream_target(self.conn, StreamTarget(server, key))

    def start_stream(self) -> None:
        start_stream(self.conn)

    def restart_stream(self) -> None:
        """Ask OBS to start the output and return: the watchdog sees the result on its next tick
        (waiting here would stall it for as long as an unreachable server takes to fail)."""
        try:
            self.conn.call("StartStream")
        except ObsRequestError as err:
            if err.code != OUTPUT_RUNNING:
                raise

    def stop_stream(self) -> None:
        stop_stream(self.conn)

    def start_record(self) -> None:
        start_record(self.conn)

    def stop_record(self) -> str | None:
        return stop_record(self.conn)

    def streaming(self) -> bool:
        return bool(self.conn.call("GetStreamStatus").get("outputActive"))

    def recording(self) -> bool:
        return bool(self.conn.call("GetRecordStatus").get("outputActive"))
