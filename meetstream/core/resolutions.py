"""The meeting's resolutions on privacy: to exclude the public for items, or to stay public for
an item the agenda marks exempt. Pure.

The law decides privacy by resolution (Local Government Act 1972 s100A(4): the public may be
excluded only by a resolution of the meeting, for an item, naming the paragraph of Schedule 12A).
The agenda only *arms* an item: reaching it goes private at once unless the meeting has resolved
otherwise. A resolution is on the timeline (kind "resolution"); the latest one naming an item
decides it, so a lost vote after an earlier motion, or a second thought, is honoured in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from meetstream.core.cells import blank
from meetstream.core.domain import AgendaItem, Meeting, TimelineEntry
from meetstream.errors import BadInput, StateError

EXCLUDE, PUBLIC = "exclude", "public"

# The reasons a meeting stays public for an item the agenda marks exempt, as the minutes say them.
REASONS = {
    "lost": "the motion to exclude the press and public was lost",
    "no_reference": "discussed without reference to the exempt information",
    "not_required": "Part 2 not required",
}

# Schedule 12A Part 1 has seven paragraphs of exempt information (England).
PARAGRAPHS = tuple(str(n) for n in range(1, 8))


@dataclass(frozen=True)
class Resolution:
    kind: str  # EXCLUDE | PUBLIC
    items: tuple[str, ...]  # agenda numbers as printed, in agenda order
    paragraphs: tuple[str, ...] = ()  # Schedule 12A paragraphs (EXCLUDE)
    reason: str | None = None  # why the meeting stays public (PUBLIC): REASONS' words or as typed
    vote_id: int | None = None  # the recorded vote that carried (or lost) the motion

    def minute(self) -> str:
        """The minute, in the statutory form for an exclusion."""
        if self.kind == EXCLUDE:
            return ("RESOLVED – That under Section 100A(4) of the Local Government Act 1972 the public be excluded "
                    "from the meeting for the following item(s) of business on the grounds that it/they involve the "
                    "likely disclosure of exempt information as defined in paragraph(s) "
                    f"{_and(self.paragraphs)} of Part 1 of Schedule 12A of the Act.")
        return (f"The meeting remained in public for item(s) {_and(self.items)} ({self.reason}); the press and "
                "public were not excluded.")

    def words(self) -> str:
        """One line for a console, a cue's answer and "last actions"."""
        if self.kind == EXCLUDE:
            return f"Resolved: public excluded for item(s) {_and(self.items)} (paragraph(s) {_and(self.paragraphs)})"
        return f"Resolved: stays public for item(s) {_and(self.items)} ({self.reason})"

    def as_detail(self) -> dict:
        return {"resolution": self.kind, "items": list(self.items), "paragraphs": list(self.paragraphs),
                "reason": self.reason, "vote_id": self.vote_id, "minute": self.minute()}

    @classmethod
    def from_detail(cls, d: dict) -> "Resolution":
        return cls(str(d.get("resolution")), tuple(d.get("items") or ()), tuple(d.get("paragraphs") or ()),
                   d.get("reason"), d.get("vote_id"))


@dataclass(frozen=True)
class Resolved:
    """What recording a resolution did: the resolution, and OBS's read-back when it changed the
    picture (going private, or readmitting the public), else None."""

    resolution: Resolution
    seen: object | None


def _and(parts) -> str:
    parts = list(parts)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def decided(entries: list[TimelineEntry]) -> dict[str, Resolution]:
    """What the meeting has resolved for each item number (casefolded): the latest resolution wins."""
    out: dict[str, Resolution] = {}
    for e in entries:
        if e.kind == "resolution":
            r = Resolution.from_detail(e.detail)
            for n in r.items:
                out[n.casefold()] = r
    return out


def as_decided(item: AgendaItem, decided_: dict[str, Resolution]) -> AgendaItem:
    """The item as the meeting has decided it: `exempt` says whether reaching it goes private.

    Staying public shows the title (only the number where the agenda withheld it); excluding
    the public for an item the agenda left public hides its title like any exempt item's."""
    r = decided_.get(item.number.casefold())
    if r is None:
        return item
    if r.kind == PUBLIC:
        if not item.exempt:
            return item
        return replace(item, exempt=False, title="" if item.withheld else item.title,
                       reason=f"{RESOLVED_TO} stay public ({r.reason})")
    return replace(item, exempt=True, paragraphs=r.paragraphs or item.paragraphs,
                   reason=f"{RESOLVED_TO} exclude the public (paragraph(s) {_and(r.paragraphs)})")


RESOLVED_TO = "the meeting resolved to"


def resolved_kind(item: AgendaItem) -> str | None:
    """EXCLUDE or PUBLIC when the meeting has resolved on the item (as decided), else None."""
    if not (item.reason or "").startswith(RESOLVED_TO):
        return None
    return EXCLUDE if item.exempt else PUBLIC


def standing(item: AgendaItem) -> str | None:
    """Where an item (as decided) stands on privacy, as every surface shows it; None for a plain
    public item. "marked exempt (paragraph 3; under the heading 'Part 2'): goes private unless the
    meeting resolves to stay public". Never the title."""
    if item.reason and item.reason.startswith(RESOLVED_TO):
        return item.reason
    why = ([f"paragraph {_and(item.paragraphs)}"] if item.paragraphs else []) + ([item.reason] if item.reason else [])
    why_text = f" ({'; '.join(why)})" if why else ""
    if item.exempt:
        return f"marked exempt{why_text}: goes private unless the meeting resolves to stay public"
    if item.appendix:
        return (f"public, with an exempt appendix{why_text}: goes private only if the meeting resolves to exclude "
                "the public")
    return None


def privacy_summary(agenda) -> str:
    """The items that go private unless the meeting resolves otherwise, and the public items with
    an exempt appendix: '6-7 (under the heading 'Part 2'); exempt appendix: 4'. Numbers and
    reasons only."""
    armed: list[tuple[list[str], str]] = []
    prev = False
    for it in agenda:
        if it.exempt:
            why = "; ".join(([f"paragraph {_and(it.paragraphs)}"] if it.paragraphs else []) + [it.reason or "marked exempt"])
            if prev and armed and armed[-1][1] == why:
                armed[-1][0].append(it.number)
            else:
                armed.append(([it.number], why))
        prev = it.exempt
    parts = [f"{n[0] if len(n) == 1 else (', '.join(n) if len(n) == 2 else f'{n[0]}-{n[-1]}')} ({why})" for n, why in armed]
    text = "none" if not parts else ", ".join(parts)
    appendix = [it.number for it in agenda if it.appendix and not it.exempt]
    if appendix:
        text += f"; public with an exempt appendix: {', '.join(appendix)}"
    return text


def decided_meeting(meeting: Meeting, decided_: dict[str, Resolution]) -> Meeting:
    if not decided_:
        return meeting
    return replace(meeting, agenda=tuple(as_decided(i, decided_) for i in meeting.agenda))


# --- reading what the officer typed ---------------------------------------------------------------

_RANGE = re.compile(r"^\s*(?P<a>[^\s,;–—-]+(?:\s*\([^)]*\))?)\s*(?:(?:-|–|—|\bto\b)\s*(?P<b>[^\s,;–—-]+(?:\s*\([^)]*\))?))?\s*$", re.I)


def items_of(meeting: Meeting, text: str | None, current: AgendaItem | None) -> tuple[str, ...]:
    """'5', '5-6', '5–7', '5 to 7', '5, 6 and 8' as the meeting's item numbers, in agenda order.
    Empty: the current item."""
    text = " ".join(str(text or "").split())
    if not text:
        if current is None:
            raise BadInput("say which item(s): no agenda item is current")
        return (current.number,)
    numbers = [i.number for i in meeting.agenda]
    picked: list[int] = []
    for part in re.split(r"\s*(?:,|;|\band\b|&)\s*", text):
        if not part:
            continue
        m = _RANGE.match(part)
        if m is None:
            raise BadInput(f"{part!r} is not an item or a range of items (say 5, 5-6 or 5, 6 and 8)")
        a = numbers.index(meeting.item(m.group("a")).number)
        b = numbers.index(meeting.item(m.group("b")).number) if m.group("b") else a
        if b < a:
            raise BadInput(f"the range {part!r} runs backwards (say the first item first)")
        picked += [i for i in range(a, b + 1) if i not in picked]
    return tuple(numbers[i] for i in sorted(picked))


def paragraphs_of(text: str | None, items: list[AgendaItem]) -> tuple[str, ...]:
    """'3', '1, 3', '1 and 3' as Schedule 12A paragraphs; none typed: the ones the agenda cites
    for the items. A resolution to exclude must name one (s100A(4))."""
    text = " ".join(str(text or "").split())
    if not text:
        cited = sorted({p for i in items for p in i.paragraphs}, key=int)
        if not cited:
            raise BadInput("say which paragraph of Schedule 12A the exempt information falls under "
                           "(1 to 7): the agenda cites none for these items")
        return tuple(cited)
    parts = [p for p in re.split(r"\s*(?:,|;|\band\b|&|\s)\s*", text) if p]
    if not parts or any(p not in PARAGRAPHS for p in parts):
        raise BadInput(f"{text!r}: Schedule 12A paragraphs are 1 to 7 (say 3, or 1 and 3)")
    return tuple(sorted(set(parts), key=int))


def reason_of(text: str | None) -> str:
    """A reason to stay public: a key of REASONS (or its words), or the officer's own (one line)."""
    text = " ".join(str(text or "").split())
    if blank(text):
        keys = ", ".join(REASONS)
        raise BadInput(f"say why the meeting stays public: {keys}, or type the reason")
    if text.casefold().replace("-", "_") in REASONS:
        return REASONS[text.casefold().replace("-", "_")]
    if len(text) > 200:
        raise BadInput("keep the reason to one line (under 200 characters)")
    return text


def record(meeting: Meeting, entry: TimelineEntry) -> dict:
    """A resolution as the minutes and `votes --json` take it: items by their public titles only."""
    r = Resolution.from_detail(entry.detail)
    titles = []
    for n in r.items:
        try:
            titles.append(meeting.item(n).public_title())
        except StateError:
            titles.append(f"{n}. Exempt item (public excluded)")  # no longer on the agenda: when unsure, it is
    return {"resolution": r.kind, "items": list(r.items), "titles": titles, "paragraphs": list(r.paragraphs),
            "reason": r.reason, "vote_id": r.vote_id, "minute": r.minute(), "words": r.words(),
            "at": entry.at.isoformat().replace("+00:00", "Z")}
