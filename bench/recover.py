"""What a recovery costs: YouTube quota units, the time to cut a 3-hour recording by stream copy, and
the time to upload it resumably (to the YouTube simulator on loopback).

Run: python bench/recover.py [--hours 3] [--chunk-mb 8]
Needs ffmpeg. Makes a low-bitrate recording of --hours (a 5-minute clip, keyframes every 2 s, joined
by stream copy: encoding 3 hours would take longer than the cut it measures), then runs what
`meetstream recover` runs: probe (keyframes), the cut plan with two private sessions, the cut, the
read-back, and the upload through adapters.youtube.upload with a connection dropped halfway.
Prints figures; asserts nothing. Goal (issue 24): the cut under a minute on this machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from meetstream.adapters.media.cut import MediaTools  # noqa: E402
from meetstream.adapters.youtube.client import YouTubeClient, build_service  # noqa: E402
from meetstream.adapters.youtube.upload import VideoUploads  # noqa: E402
from meetstream.sandbox.youtube import YouTubeSandbox  # noqa: E402
from meetstream.services.recover import ARCHIVE_CHECK_UNITS, PRIVATE_AFTER, PRIVATE_BEFORE, plan_cut, verify_cut  # noqa: E402


def make_recording(folder: Path, hours: float) -> Path:
    clip = folder / "clip.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=300", "-f", "lavfi",
                    "-i", "sine=frequency=440:sample_rate=48000:duration=300", "-c:v", "libx264", "-preset", "veryfast",
                    "-b:v", "150k", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "48k", str(clip)], check=True)
    listing = folder / "clips.txt"
    listing.write_text("file 'clip.mkv'\n" * int(round(hours * 12)))
    out = folder / "recording.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(out)], check=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=float, default=3.0)
    ap.add_argument("--chunk-mb", type=float, default=8.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-recover-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        rec = make_recording(folder, args.hours)
        print(f"recording: {args.hours:g} h, {rec.stat().st_size / 1e6:.0f} MB, made in {time.perf_counter() - t:.1f} s")

        tools = MediaTools()
        t = time.perf_counter()
        media = tools.probe(rec)
        probe_s = time.perf_counter() - t
        # Two private sessions, as a long meeting often has (at 40 min for 12 min, at 2 h 10 for 25 min).
        private = [(2400.3, 3120.7), (7800.5, 9300.2)]
        kept, removed = plan_cut(media.duration, media.keyframes, (5.0, media.duration - 5.0),
                                 [(a - PRIVATE_BEFORE, b + PRIVATE_AFTER) for a, b in private])
        t = time.perf_counter()
        cut = tools.cut(rec, kept, folder / "recording.recovered.mkv", media=media)
        cut_s = time.perf_counter() - t
        t = time.perf_counter()
        seconds = verify_cut(tools, media, cut, kept)
        verify_s = time.perf_counter() - t
        print(f"probe (every keyframe, {len(media.keyframes)}): {probe_s:.1f} s")
        print(f"cut (stream copy, {len(kept)} spans kept, {len(removed)} removed): {cut_s:.1f} s   <- goal: under 60 s")
        print(f"read back (length, pictures at every join): {verify_s:.1f} s")
        print(f"cut file: {seconds / 60:.1f} min, {cut.stat().st_size / 1e6:.0f} MB "
              f"(removed {sum(b - a for a, b in removed) / 60:.1f} min for {sum(b - a for a, b in private) / 60:.1f} min private)")

        sim = YouTubeSandbox().start()
        try:
            settings = types.SimpleNamespace(youtube=types.SimpleNamespace(api_url=sim.url, upload_chunk_mb=args.chunk_mb))
            client = YouTubeClient(build_service(sim.url))
            uploads = VideoUploads.for_client(client, settings, sleep=lambda s: None)
            size = cut.stat().st_size
            sim.drop_upload_after(size // 2)
            t = time.perf_counter()
            uri = uploads.start({"snippet": {"title": "Bench"}, "status": {"privacyStatus": "private"}}, size)
            video = uploads.send(uri, cut)
            up_s = time.perf_counter() - t
            assert sim.uploaded(video["id"]) == cut.read_bytes()
            print(f"upload to the simulator ({args.chunk_mb:g} MB chunks, a connection dropped halfway): {up_s:.1f} s, "
                  f"{uploads.requests} requests, {uploads.resumes} resume(s), {size / 1e6 / up_s:.0f} MB/s")
        finally:
            sim.stop()
        print(f"quota: a recovery costs {ARCHIVE_CHECK_UNITS} (liveBroadcasts.list + videos.list: what YouTube has) "
              f"+ {client.units_spent()} (videos.insert) = {ARCHIVE_CHECK_UNITS + client.units_spent()} units; "
              f"the simulator charged {sim.spent_today()} for the insert; a resumed upload costs nothing more")
        print(f"on YouTube the upload's time is the council's uplink: {size / 1e6:.0f} MB at 10 Mbit/s is "
              f"{size * 8 / 10e6 / 60:.1f} min (a 2.5 Mbit/s 1080p recording of the same meeting: "
              f"{seconds * 2.66e6 / 8 / 1e9:.1f} GB, {seconds * 2.66 / 10 / 60:.0f} min)")


if __name__ == "__main__":
    main()
