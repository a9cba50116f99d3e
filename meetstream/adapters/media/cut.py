"""The local recording, read and cut with ffmpeg/ffprobe (stream copy: nothing is re-encoded).

    tools = MediaTools()                       # built by meetstream.bootstrap.recovery
    media = tools.probe(path)                  # duration, frame rate, video keyframe times
    tools.cut(path, kept, out)                 # the kept spans (keyframe to keyframe) joined into `out`
    tools.frame_md5(path, at)                  # the decoded picture nearest `at`, as an md5

Stream copy can only start a piece at a keyframe, so the spans handed to `cut` start at keyframes
(meetstream.services.recover chooses them, always removing more than a private span, never less).
ffmpeg's output `-t` stops before the first packet at or past the end, so a piece that ends on a
keyframe ends on the frame before it. The pieces are joined with the concat demuxer, again by copy.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from meetstream.errors import MeetstreamError


class MediaError(MeetstreamError):
    """ffmpeg or ffprobe is missing, or could not read or write a recording."""


@dataclass(frozen=True)
class Media:
    path: str
    duration: float  # seconds
    frame_seconds: float  # one video frame
    keyframes: tuple[float, ...]  # video keyframe times, seconds from the file's start, ascending
    start: float = 0.0  # the file's first timestamp (subtracted from the times above)
    size: int = 0


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise MediaError(f"{name} is not installed (Debian/Ubuntu: apt-get install ffmpeg); it reads and cuts the recording")
    return found


def _run(args: list[str], what: str, timeout: float = 3600) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise MediaError(f"{what} took longer than {timeout:.0f} s") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise MediaError(f"{what} failed: {last}")
    return done.stdout


class MediaTools:
    def __init__(self, ffmpeg: str | None = None, ffprobe: str | None = None):
        self._ffmpeg, self._ffprobe = ffmpeg, ffprobe

    @property
    def ffmpeg(self) -> str:
        return self._ffmpeg or _tool("ffmpeg")

    @property
    def ffprobe(self) -> str:
        return self._ffprobe or _tool("ffprobe")

    def probe(self, path: str | Path) -> Media:
        """Duration, frame length and every video keyframe (packets only: nothing is decoded)."""
        path = str(path)
        if not Path(path).is_file():
            raise MediaError(f"no recording at {path}")
        fmt = json.loads(_run([self.ffprobe, "-v", "error", "-show_entries", "format=duration,start_time:stream=codec_type,avg_frame_rate,r_frame_rate",
                               "-of", "json", path], f"reading {path}"))
        video = next((s for s in fmt.get("streams", []) if s.get("codec_type") == "video"), None)
        if video is None:
            raise MediaError(f"{path} has no video")
        rate = Fraction(video.get("avg_frame_rate") or "0/1") or Fraction(video.get("r_frame_rate") or "25/1")
        start = float(fmt.get("format", {}).get("start_time") or 0.0)
        out = _run([self.ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags",
                    "-of", "csv=p=0", path], f"reading the keyframes of {path}")
        keys = []
        for line in out.splitlines():
            pts, _, flags = line.partition(",")
            if "K" in flags and pts not in ("", "N/A"):
                keys.append(round(float(pts) - start, 6))
        return Media(path, float(fmt["format"]["duration"]) - 0.0, float(1 / rate) if rate else 0.04, tuple(sorted(set(keys))),
                     start, Path(path).stat().st_size)

    def cut(self, path: str | Path, kept: list[tuple[float, float]], out: str | Path, *, media: Media | None = None) -> Path:
        """`out`: the `kept` spans of `path` (seconds from its start, in order; each starts on a keyframe and
        ends on a keyframe or the end of the file) joined, by stream copy. Every stream is kept (video, audio).

        One pass of ffmpeg's segment muxer splits the file at every span's ends (it splits a copied video
        stream only at a keyframe: the first at or after each time, so each time is put half a frame before
        its keyframe), then the concat demuxer joins the kept pieces. Seeking each piece instead is not
        exact with stream copy: the demuxer lands on an earlier keyframe (Matroska seeks by cluster)."""
        src, out = Path(path), Path(out)
        media = media or self.probe(src)
        half = media.frame_seconds / 2
        first = media.keyframes[0] if media.keyframes else 0.0
        bounds = sorted({t for span in kept for t in span if first + half < t < media.duration - half})
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="meetstream-cut-", dir=out.parent) as tmp:
            pattern = Path(tmp) / f"piece%05d{out.suffix}"
            args = [self.ffmpeg, "-v", "error", "-nostdin", "-i", str(src), "-map", "0", "-c", "copy"]
            if bounds:
                args += ["-f", "segment", "-segment_times", ",".join(f"{t - half + media.start:.6f}" for t in bounds),
                         "-reset_timestamps", "1", str(pattern)]
            else:
                args += ["-y", str(Path(tmp) / f"piece00000{out.suffix}")]
            _run(args, f"cutting {src.name}")
            # Piece n runs from bounds[n - 1] (or the start) to bounds[n] (or the end).
            pieces = [Path(tmp) / f"piece{(bounds.index(s) + 1) if s in bounds else 0:05d}{out.suffix}" for s, _ in kept]
            missing = [p.name for p in pieces if not p.exists()]
            if missing:
                raise MediaError(f"cutting {src.name} left out {', '.join(missing)} (a span that does not start on a keyframe?)")
            if len(pieces) == 1:
                shutil.move(str(pieces[0]), str(out))
                return out
            listing = Path(tmp) / "pieces.txt"
            listing.write_text("".join(f"file '{p.name}'\n" for p in pieces))
            _run([self.ffmpeg, "-v", "error", "-nostdin", "-f", "concat", "-safe", "0", "-i", str(listing), "-map", "0", "-c", "copy",
                  "-y", str(out)], f"joining the pieces of {src.name}")
        return out

    def frame_md5(self, path: str | Path, at: float, *, frame_seconds: float = 0.04, start: float = 0.0) -> str:
        """The md5 of the decoded picture shown at `at` seconds (the first frame from half a frame before it)."""
        out = _run([self.ffmpeg, "-v", "error", "-nostdin", "-ss", f"{max(0.0, start + at - frame_seconds / 2):.6f}", "-i", str(path),
                    "-map", "0:v:0", "-frames:v", "1", "-f", "md5", "-"], f"reading a frame of {Path(path).name} at {at:.2f} s")
        return out.strip().removeprefix("MD5=")

    def sha256(self, path: str | Path) -> str:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
