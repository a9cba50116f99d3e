"""Caption cues: read WebVTT or SubRip into plain cues, write them back. No I/O, no adapter.

WebVTT is read with webvtt-py and SubRip with srt (both well kept, both pure Python); a file
either library would read only in part is refused whole, with one line naming the first cue
that is wrong, so a hand edit that breaks a timing line can never silently lose (or keep) a cue.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from meetstream.errors import MeetstreamError


class CaptionFileError(MeetstreamError):
    """A caption file (WebVTT or SRT) cannot be read; the message names the file and the cue."""


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str

    @property
    def start(self) -> float:
        return self.start_ms / 1000

    @property
    def end(self) -> float:
        return self.end_ms / 1000

    def at(self) -> str:
        """The cue's start as an officer reads it: 1:02:03 or 2:03."""
        s = self.start_ms // 1000
        h, rest = divmod(s, 3600)
        m, sec = divmod(rest, 60)
        return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


_TIMING = re.compile(r"-->|^\s*(?:\d+:)?\d{1,2}:\d{2}[.,:\d]*\s*[-=]+>")  # a timing line, or a mistyped one
_SRT_TIME = re.compile(r"^\s*\d+:[0-5]\d:[0-5]\d[,.]\d{1,3}\s+-->\s+\d+:[0-5]\d:[0-5]\d[,.]\d{1,3}(?:\s+.*)?$")
_VTT_TIME = re.compile(r"^\s*(?:(\d+):)?([0-5]\d):([0-5]\d)\.(\d{3})\s+-->\s+(?:(\d+):)?([0-5]\d):([0-5]\d)\.(\d{3})(?:\s+.*)?$")


def _ms(h, m, s, frac) -> int:
    return ((int(h or 0) * 60 + int(m)) * 60 + int(s)) * 1000 + int(frac)


def _vtt_ms(stamp: str) -> int:
    parts = stamp.strip().split(":")
    sec, frac = parts[-1].split(".")
    h = parts[0] if len(parts) == 3 else 0
    return _ms(h, parts[-2], sec, frac)


def detect_format(text: str, name: str = "") -> str:
    """"vtt" or "srt": by the WEBVTT header first, then the file name."""
    head = text.lstrip("\ufeff").lstrip()
    if head.startswith("WEBVTT"):
        return "vtt"
    if name.lower().endswith(".vtt"):
        return "vtt"
    return "srt"


def parse(text: str, fmt: str | None = None, *, name: str = "the caption file") -> list[Cue]:
    """Cues from WebVTT or SRT text; CaptionFileError (one line) when anything in it is wrong."""
    fmt = fmt or detect_format(text, name)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    cues = _parse_vtt(text, name) if fmt == "vtt" else _parse_srt(text, name)
    for n, c in enumerate(cues, 1):
        if c.end_ms <= c.start_ms:
            raise CaptionFileError(f"{name}: cue {n} ({c.at()}) ends before it starts; fix its timing line")
    # Players show cues by time, and YouTube and the private-session check read them in order: a
    # file edited by hand (or joined from two) is put in time order here, ties kept as written.
    return sorted(cues, key=lambda c: (c.start_ms, c.end_ms))


def _parse_vtt(text: str, name: str) -> list[Cue]:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    if not text.lstrip().startswith("WEBVTT"):
        raise CaptionFileError(f"{name}: not a WebVTT file (the first line must be WEBVTT)")
    # webvtt-py skips a block whose timing line it cannot read; check every timing line first.
    for lineno, line in enumerate(text.split("\n"), 1):
        if _TIMING.search(line) and not _VTT_TIME.match(line):
            raise CaptionFileError(f"{name}: line {lineno}: {line.strip()[:60]!r} is not a WebVTT timing line "
                                   "(expected e.g. 00:01:02.500 --> 00:01:05.000)")
    try:
        vtt = webvtt.WebVTT.from_buffer(io.StringIO(text)) if hasattr(webvtt.WebVTT, "from_buffer") else webvtt.from_string(text)
    except (MalformedFileError, MalformedCaptionError, ValueError) as err:
        raise CaptionFileError(f"{name}: not valid WebVTT ({err})") from err
    timing_lines = sum(1 for line in text.split("\n") if _TIMING.search(line))
    if len(vtt.captions) != timing_lines:
        raise CaptionFileError(f"{name}: {timing_lines} timing lines but {len(vtt.captions)} readable cues; "
                               "check the blank line between cues")
    return [Cue(_vtt_ms(c.start), _vtt_ms(c.end), _clean(c.text)) for c in vtt.captions]


def _parse_srt(text: str, name: str) -> list[Cue]:
    import srt

    try:
        subs = list(srt.parse(text, ignore_errors=False))
    except (srt.SRTParseError, ValueError, OverflowError) as err:  # OverflowError: a timestamp of 20 digits
        found = re.search(r"\d+", str(err))
        where = f" near character {found.group(0)}" if found else ""
        raise CaptionFileError(f"{name}: not valid SRT{where}; each cue is a number, a timing line "
                               "(00:01:02,500 --> 00:01:05,000) and its text, then a blank line") from err
    if not subs and text.strip():
        raise CaptionFileError(f"{name}: no SRT cues found")
    # srt reads a block it cannot time as text of the cue before: every timing line must be a cue's.
    for lineno, line in enumerate(text.split("\n"), 1):
        if _TIMING.search(line) and not _SRT_TIME.match(line):
            raise CaptionFileError(f"{name}: line {lineno}: {line.strip()[:60]!r} is not an SRT timing line "
                                   "(expected e.g. 00:01:02,500 --> 00:01:05,000)")
    timing_lines = sum(1 for line in text.split("\n") if _TIMING.search(line))
    if timing_lines != len(subs):
        raise CaptionFileError(f"{name}: not valid SRT: {timing_lines} timing lines but {len(subs)} readable cues; "
                               "each cue is a number, a timing line and its text, then a blank line")
    return [Cue(int(s.start.total_seconds() * 1000 + 0.5), int(s.end.total_seconds() * 1000 + 0.5), _clean(s.content))
            for s in subs]


_TAGS = re.compile(r"<[^>]*>")


def _clean(text: str) -> str:
    """Cue text without inline tags (ASR word timings, <c>) and with tidy spacing, lines kept."""
    lines = [" ".join(_TAGS.sub("", line).split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _stamp(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, frac = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{frac:03d}"


def to_vtt(cues: list[Cue]) -> str:
    import webvtt

    doc = webvtt.WebVTT(captions=[webvtt.Caption(_stamp(c.start_ms, "."), _stamp(c.end_ms, "."), c.text) for c in cues])
    content = doc.content
    return content if content.endswith("\n") else content + "\n"


def to_srt(cues: list[Cue]) -> str:
    from datetime import timedelta

    import srt

    return srt.compose([srt.Subtitle(i, timedelta(milliseconds=c.start_ms), timedelta(milliseconds=c.end_ms), c.text)
                        for i, c in enumerate(cues, 1)], reindex=True)


def write(cues: list[Cue], fmt: str) -> str:
    return to_vtt(cues) if fmt == "vtt" else to_srt(cues)
