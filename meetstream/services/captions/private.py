"""What may never be captioned: the private sessions and recesses of the meeting's timeline, and
anything that names an exempt item. Pure.

Times are offsets from the start of the archived video, as meetstream.core.chapters counts them
(`(entry.at - video_start).total_seconds()`). A window opens on `private` or `recess` (or on an
exempt item taken in public, which the session should never allow: fail safe) and closes on
`public` or `resume` (or on a public item); a window still open at `end` runs to the end of the
video. Each window is widened by PAD seconds on both sides: a cue's timing and the moment the
officer pressed the button are a second or two apart, and a lost second of public captions costs
less than a second of a private session.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from meetstream.services.captions.cues import Cue
from meetstream.core.chapters import mode_after
from meetstream.core.domain import AgendaItem, Meeting, TimelineEntry

PAD_SECONDS = 5.0  # GUESS: margin either side of a private window
FOREVER = 10 ** 9


@dataclass(frozen=True)
class Window:
    start: float  # seconds from the video's start
    end: float
    why: str  # "private session", "recess", "exempt item 5"


def windows(meeting: Meeting, timeline: list[TimelineEntry], video_start: datetime) -> list[Window]:
    """The stretches of the video no caption may cover, padded by PAD_SECONDS."""
    exempt = {i.number for i in meeting.agenda if i.exempt}
    out: list[Window] = []
    mode, since, item_exempt = "public", 0.0, False

    def close(at: float) -> None:
        if mode != "public" or item_exempt:
            why = "private session" if mode == "private" else "recess" if mode == "recess" else "exempt item"
            out.append(Window(max(0.0, since - PAD_SECONDS), at + PAD_SECONDS, why))

    for e in timeline:
        at = (e.at - video_start).total_seconds()
        new_mode = mode_after(mode, e.kind)
        new_exempt = item_exempt
        if e.kind in ("item", "private", "public") and e.item_number is not None:
            new_exempt = e.item_number in exempt
        if e.kind in ("adjourned", "end"):
            close(at)
            mode, item_exempt = "public", False
            break
        was_hidden = mode != "public" or item_exempt
        now_hidden = new_mode != "public" or new_exempt
        if was_hidden and not now_hidden:
            close(at)
        elif not was_hidden and now_hidden:
            since = at
        elif was_hidden and now_hidden and (new_mode, new_exempt) != (mode, item_exempt):
            close(at)  # one kind of hidden becomes another: keep them as separate windows
            since = at
        mode, item_exempt = new_mode, new_exempt
    if mode != "public" or item_exempt:
        close(FOREVER)
    return _merge(out)


def _merge(ws: list[Window]) -> list[Window]:
    merged: list[Window] = []
    for w in sorted(ws, key=lambda w: w.start):
        if merged and w.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Window(last.start, max(last.end, w.end), last.why if last.why == w.why else f"{last.why}, {w.why}")
        else:
            merged.append(w)
    return merged


# --- exempt titles ---------------------------------------------------------------------------

_STOP = frozenset("a an and any are as at be by for from in into is it of on or the this that to with".split())


def norm_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return re.findall(r"[a-z0-9]+", text)


def _grams(title: str, n: int = 3) -> set[tuple[str, ...]]:
    words = norm_words(title)
    if len(words) < n:
        return {tuple(words)} if words and not all(w in _STOP for w in words) else set()
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1) if not all(w in _STOP for w in words[i:i + n])}


def _mentions(words: list[str], grams: set[tuple[str, ...]]) -> bool:
    for g in grams:
        n = len(g)
        for i in range(len(words) - n + 1):
            if tuple(words[i:i + n]) == g:
                return True
    return False


def _across(a: list[str], b: list[str], grams: set[tuple[str, ...]]) -> bool:
    """A gram that starts at the end of one cue and runs into the next."""
    for g in grams:
        for j in range(1, len(g)):
            if tuple(a[-j:]) == g[:j] and tuple(b[:len(g) - j]) == g[j:]:
                return True
    return False


@dataclass(frozen=True)
class Dropped:
    cue: Cue
    why: str


def drop_private(cues: list[Cue], meeting: Meeting, timeline: list[TimelineEntry] | None,
                 video_start: datetime | None) -> tuple[list[Cue], list[Dropped]]:
    """(the cues that may be published, the ones dropped and why). A cue is dropped when it
    overlaps a private window at all, or when it (alone or with its neighbour: a title can run
    across two cues) contains three words in a row of an exempt item's title, or the whole of a
    short one. With no video start known, every cue would be a guess: that is refused upstream."""
    ws = windows(meeting, timeline or [], video_start) if video_start is not None else []
    titles = [(i, _grams(i.title)) for i in meeting.agenda if i.exempt]
    dropped: dict[int, str] = {}
    for n, c in enumerate(cues):
        for w in ws:
            if c.start < w.end and c.end > w.start:
                dropped[n] = w.why
                break
    words = [norm_words(c.text) for c in cues]
    for item, grams in titles:
        if not grams:
            continue
        for n in range(len(cues)):
            if _mentions(words[n], grams):
                dropped.setdefault(n, _exempt_why(item))
            elif n + 1 < len(cues) and _across(words[n], words[n + 1], grams):
                dropped.setdefault(n, _exempt_why(item))
                dropped.setdefault(n + 1, _exempt_why(item))
    kept = [c for n, c in enumerate(cues) if n not in dropped]
    return kept, [Dropped(cues[n], why) for n, why in sorted(dropped.items())]


def _exempt_why(item: AgendaItem) -> str:
    return f"names exempt item {item.number}"  # never the title itself: this line is shown and logged
