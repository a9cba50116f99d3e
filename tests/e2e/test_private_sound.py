"""Sound is covered in a private session (issue 22, the repair's last exposure): a microphone
unmuted by hand in OBS, on a public scene clicked by hand, reaches nothing, because going private
takes the scene set's sound off every mixer track; a public cue gives the tracks back.

On the real OBS streaming to a real nginx-rtmp. The chamber microphones are a real tone (an OBS
media input). The observers are the test's own: an obs-websocket client reading program, mute
and tracks, and ffmpeg pulling the stream from nginx as a viewer would, printing each audio
frame's peak level. No watchdog runs, so the hand change stays on air for the whole window:
only the tracks stand between the tone and the stream.
"""

from __future__ import annotations

import subprocess
import threading
import time

import pytest

from helpers import OBS_PASSWORD, REPO, end_process, wait_until
from private_observer import RawObs

pytestmark = [pytest.mark.obs, pytest.mark.rtmp]

MIC = "Chamber microphones"
KEY = "private-sound-key"
SILENT_DB = -60.0  # a 440 Hz tone at -18 dBFS is far above it; digital silence is -inf
ALL_OFF = {str(t): False for t in range(1, 7)}


class AudioPeaks:
    """ffmpeg pulling the stream from nginx: each audio frame's peak level (dBFS) and when it arrived."""

    def __init__(self, url: str):
        self.peaks: list[tuple[float, float]] = []
        self.proc = subprocess.Popen(
            # ametadata prints through ffmpeg's log (unbuffered, unlike its `file=`), so at info level on stderr.
            ["ffmpeg", "-nostdin", "-nostats", "-hide_banner", "-loglevel", "info", "-rw_timeout", "5000000", "-i", url, "-vn",
             "-af", "astats=metadata=1:reset=1,ametadata=mode=print:key=lavfi.astats.Overall.Peak_level",
             "-f", "null", "-"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            if "Peak_level=" in line:
                value = line.strip().split("=", 1)[1]
                self.peaks.append((time.monotonic(), float("-inf") if "inf" in value else float(value)))

    def between(self, start: float, end: float) -> list[float]:
        return [p for at, p in self.peaks if start <= at <= end]

    def stop(self) -> None:
        end_process(self.proc)
        self.thread.join(timeout=5)


@pytest.fixture
def tone_set(tmp_path):
    """The shipped chamber set with its microphones as a looping tone."""
    from meetstream.adapters.obs.sceneset import load_scene_set

    tone = tmp_path / "tone.wav"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=4", "-ac", "1", str(tone)],
                   check=True, timeout=30)
    src = REPO / "scenes" / "council-chamber.yaml"
    text = src.read_text().replace(f"  {MIC}:\n    kind: audio_input\n", f"  {MIC}:\n    kind: media\n    file: {tone}\n")
    assert f"file: {tone}" in text
    folder = tmp_path / "scenes"
    folder.mkdir()
    for part in src.parent.iterdir():
        (folder / part.name).symlink_to(part)
    (folder / "chamber-with-tone.yaml").write_text(text)
    return load_scene_set(folder / "chamber-with-tone.yaml")


def test_a_microphone_unmuted_by_hand_on_a_public_scene_while_private_reaches_no_viewer(obs, obs_server, rtmp_server, tone_set):
    from meetstream.adapters.obs.build import apply
    from meetstream.adapters.obs.director import Director
    from meetstream.adapters.obs.output import StreamTarget, set_stream_target, start_stream, stop_stream

    apply(obs, tone_set)
    director = Director(obs, tone_set).load()
    director.show("chamber")  # the tone on air: the observer hears it before anything else
    set_stream_target(obs, StreamTarget(rtmp_server.ingest_url, KEY))
    start_stream(obs)
    raw = RawObs(obs_server.port, OBS_PASSWORD)
    peaks = None
    try:
        wait_until("nginx to see the publish", lambda: KEY in rtmp_server.publishing(), timeout=15)
        peaks = AudioPeaks(rtmp_server.play_url(KEY))
        wait_until("audio frames from nginx", lambda: len(peaks.peaks) > 100, timeout=20)
        t = time.monotonic()
        time.sleep(3)
        heard = peaks.between(t, t + 3)
        assert heard and max(heard) > -40, f"the observer does not hear the tone on a public item: {max(heard, default=None)}"

        director.private()
        raw.batch([("SetCurrentProgramScene", {"sceneName": "Chamber"}), ("SetInputMute", {"inputName": MIC, "inputMuted": False})])
        by_hand = time.monotonic()
        assert raw.call("GetCurrentProgramScene")["currentProgramSceneName"] == "Chamber"
        assert raw.call("GetInputMute", {"inputName": MIC})["inputMuted"] is False  # unmuted, on a public scene, on air
        assert raw.call("GetInputAudioTracks", {"inputName": MIC})["inputAudioTracks"] == ALL_OFF
        time.sleep(6.5)
        private = peaks.between(by_hand + 3, by_hand + 6)  # after the pull's own latency
        print(f"\nprivate, unmuted by hand on 'Chamber': {len(private)} audio frames, loudest "
              f"{max(private, default=float('-inf')):.1f} dBFS (public before: {max(heard):.1f})")
        assert len(private) > 50, "the observer stopped receiving audio frames"
        assert max(private) < SILENT_DB, "the microphone reached the stream while private"

        # A track given back by hand is taken off again by the next repair (every watchdog tick).
        raw.call("SetInputAudioTracks", {"inputName": MIC, "inputAudioTracks": {"1": True}})
        director.enforce("private")
        assert raw.call("GetInputAudioTracks", {"inputName": MIC})["inputAudioTracks"] == ALL_OFF

        director.show("chamber")
        public = time.monotonic()
        assert raw.call("GetInputAudioTracks", {"inputName": MIC})["inputAudioTracks"] == {str(t): True for t in range(1, 7)}
        time.sleep(6.5)
        back = peaks.between(public + 3, public + 6)
        assert back and max(back) > -40, "the tracks were not given back on the public cue"
    finally:
        if peaks is not None:
            peaks.stop()
        raw.close()
        stop_stream(obs)
