"""Local media with ffmpeg and ffprobe: the recording read, cut by stream copy and read back (cut.py);
the second-ingest relay (relay.py)."""
