"""Where OBS records, how much room is left there, and how fast the recording grows.

The port meetstream.services.recording.RecordingDisk on a room's OBS:
  - GetRecordDirectory (obs-websocket 5, protocol.md "GetRecordDirectory": recordDirectory);
  - the folder's free space by statvfs (f_bavail × f_frsize: what a non-root writer such as OBS may use);
  - the rate from OBS's profile (GetProfileParameter, basic.ini): in the simple output mode with the
    recording quality "Stream" (same as the stream, OBS's default) the recording is the stream's
    video bitrate (SimpleOutput/VBitrate, kbit/s) plus its audio bitrate (SimpleOutput/ABitrate).
    Other qualities ("Small", "HQ", "Lossless") are constant-quality and the advanced mode keeps its
    bitrates in JSON files obs-websocket cannot read: then None, and the room's setting or a
    cautious default is used (meetstream.services.recording).
"""

from __future__ import annotations

import os

from meetstream.adapters.obs.connection import ObsConnection, ObsRequestError


class ObsRecordingDisk:
    def __init__(self, conn: ObsConnection):
        self.conn = conn

    def directory(self) -> str:
        return str(self.conn.call("GetRecordDirectory").get("recordDirectory") or "")

    def free_bytes(self, directory: str) -> int:
        return free_bytes(directory)

    def _param(self, category: str, name: str) -> str | None:
        try:
            got = self.conn.call("GetProfileParameter", {"parameterCategory": category, "parameterName": name})
        except ObsRequestError:
            return None
        value = got.get("parameterValue")
        return value if value not in (None, "") else got.get("defaultParameterValue")

    def mb_per_minute(self) -> float | None:
        if (self._param("Output", "Mode") or "Simple") != "Simple":
            return None
        if (self._param("SimpleOutput", "RecQuality") or "Stream") != "Stream":
            return None
        try:
            kbps = float(self._param("SimpleOutput", "VBitrate") or 2500) + float(self._param("SimpleOutput", "ABitrate") or 160)
        except ValueError:
            return None
        return round(kbps * 1000 / 8 * 60 / 1_000_000, 2)  # kbit/s -> MB a minute


def free_bytes(directory: str) -> int:
    """Free bytes where `directory` lives (the nearest folder that exists: OBS creates its folder when
    it first records)."""
    path = os.path.abspath(directory or ".")
    while not os.path.isdir(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize
