"""What OBS is doing right now, in one round trip."""

from __future__ import annotations

from dataclasses import dataclass

from meetstream.adapters.obs.connection import ObsConnection, Request


@dataclass(frozen=True)
class ObsStatus:
    obs_version: str
    websocket_version: str
    program_scene: str
    streaming: bool
    stream_timecode: str
    stream_bytes: int
    skipped_frames: int
    total_frames: int
    reconnecting: bool
    recording: bool
    audio: dict[str, bool]  # input -> muted


def read_status(conn: ObsConnection) -> ObsStatus:
    first = conn.batch_ok([Request("GetCurrentProgramScene"), Request("GetStreamStatus"), Request("GetRecordStatus"),
                           Request("GetInputList"), Request("GetSpecialInputs")])
    scene, stream, record, inputs, special = (r.data for r in first)
    names = [i["inputName"] for i in inputs["inputs"]]
    names += [n for n in special.values() if isinstance(n, str) and n and n not in names]
    # Every input that answers GetInputMute carries sound (the others answer 604): no kind list
    # to fall out of date, and the global Desktop Audio and Mic/Aux are included.
    mutes = conn.batch([Request("GetInputMute", {"inputName": n}) for n in names], halt_on_failure=False)
    audio_inputs = names
    return ObsStatus(
        obs_version=conn.version.get("obsVersion", "?"),
        websocket_version=conn.version.get("obsWebSocketVersion", "?"),
        program_scene=scene["currentProgramSceneName"],
        streaming=stream.get("outputActive", False),
        stream_timecode=stream.get("outputTimecode", ""),
        stream_bytes=stream.get("outputBytes", 0),
        skipped_frames=stream.get("outputSkippedFrames", 0),
        total_frames=stream.get("outputTotalFrames", 0),
        reconnecting=stream.get("outputReconnecting", False),
        recording=record.get("outputActive", False),
        audio={n: bool(r.data.get("inputMuted")) for n, r in zip(audio_inputs, mutes) if r.ok},
    )
