"""Which agenda items are exempt, and why: the walk over the lines in order (sections opened by a
motion or a private heading, closed by a return to public; items marked exempt by their own
words), failing safe. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from meetstream.core.agenda.marks import _ITEM
from meetstream.core.domain import AgendaItem

# Statutory and constitution wording: never a heading, never a return to public.
_STATUTE = [
    (re.compile(r"(?:paragraphs?\s+[\d\s,&()\-–]*(?:and\s+\d+\s*)?(?:of\s+)?)?part\s+(?:\d+|[ivx]+|one|two|va)\s*,?\s*(?:of\s+)?(?:the\s+)?schedule\s*12\s*\(?a\)?", re.I), " schedule 12a "),
    (re.compile(r"part\s+(?:\d+|[ivx]+|one|two|va)\b(?:\s*\(rule\s*\d+\))?\s+of\s+(?:the\s+|this\s+|that\s+|such\s+)?(?:local\s+government\s+)?(?:act|council'?s\s+constitution|constitution|regulations?|order|agenda)\b", re.I), " statute "),
    (re.compile(r"chapter\s+\d+\s*,\s*part\s+\d+|part\s+va\b", re.I), " statute "),
    # City of London publishes a public summary of its non-public business.
    (re.compile(r"non[\s-]?public\s+summar(?:y|ies)", re.I), " summary "),
]


def _neutral(text: str) -> str:
    for pattern, repl in _STATUTE:
        text = pattern.sub(repl, text)
    return " ".join(text.split())


# "Part 2 ..." at the start of a line always reads as the private part (failing safe); "Section",
# "Part 1" and "Part A" only in a heading's shape, so "Section 1 sets out..." in a report's
# description neither opens nor ends a section.
_HEAD_SHAPE = r"(?=\s*$|\s*[-–—:(]|\s+(?:public|open|business|items?|agenda|reports?|exempt|private|confidential|restricted|closed)\b)"
_PRIVATE_HEAD = re.compile(rf"""^(?:
    part\s*(?:2|ii|two|b)\b
  | section\s*(?:2|ii|two|b)\b{_HEAD_SHAPE}
  | non[\s-]?public\b
  | (?:private|confidential|exempt|restricted|closed)\s*(?:/|and\b|\b(?:business|session|items?|agenda|part|section|matters?|reports?|information|meeting|minutes)\b|$)
  | in\s+private\b
  | not\s+for\s+publication\b
  | (?:items?|matters?|business|reports?)\b.{{0,60}}\b(?:in\s+private|in\s+the\s+absence\s+of\s+the\s+(?:press|public)
        |not\s+open\s+to\s+the\s+(?:press|public)
        |(?:press|public)\s+(?:are\s+)?(?:likely\s+to\s+be\s+|to\s+be\s+|may\s+be\s+|will\s+be\s+)?excluded)
)""", re.I | re.X)
_PUBLIC_HEAD = re.compile(rf"""^(?:
    (?:part|section)\s*(?:1|i|one|a)\b{_HEAD_SHAPE}
  | (?:public|open|unrestricted)\s+(?:agenda|business|session|items?|part|section|reports?|meeting)\b
  | items?\s+(?:to\s+be\s+)?(?:considered|taken)\s+in\s+public\b
)""", re.I | re.X)
_PRIVATE_WORD = re.compile(r"\b(?:exempt|private|confidential|restricted|closed|excluded|non[\s-]?public|not\s+for\s+publication)\b", re.I)
_PUBLIC_WORD = re.compile(r"\b(?:public|open)\b", re.I)
_PUBLIC_PHRASES = re.compile(r"(?:press|public)\s+and\s+(?:the\s+)?(?:press|public)|non[\s-]?public|(?:the\s+)?public\s+(?:are\s+|be\s+|is\s+)?(?:likely\s+to\s+be\s+|to\s+be\s+)?excluded|absence\s+of\s+the\s+public|not\s+open\s+to\s+the\s+public", re.I)
_MOTION = re.compile(r"""
    exclu(?:sion|de|ding)\s+(?:of\s+)?(?:the\s+)?(?:press|public|members\s+of\s+the\s+public)
  | exclusion\s+motion
  | (?:press|public)\s+(?:and\s+(?:the\s+)?(?:press|public)\s+)?(?:be|are|is|being|were|should\s+be|will\s+be|may\s+be|to\s+be|are\s+likely\s+to\s+be)\s+excluded
  | (?:press|public)\s+excluded
  | section\s+100\s*\(?a\)?\s*\(\s*4\s*\)
""", re.I | re.X)
_POSSIBLE = re.compile(r"possible|if\s+necessary|consider(?:ing)?\s+whether|to\s+identify|whether\s+(?:or\s+not|the\s+press|the\s+public)|may\s+be\s+(?:moved|excluded)", re.I)
_RETURN = re.compile(r"""
    (?:re-?admission|re-?admittance|inclusion|re-?admit(?:ting)?|readmit(?:ting)?)\s+(?:of\s+)?(?:the\s+)?(?:press|public)
  | return(?:s|ing)?\s+to\s+(?:the\s+)?(?:public|open)\s+(?:session|meeting|part)
  | (?:press|public)\s+(?:and\s+(?:the\s+)?(?:press|public)\s+)?(?:are|be|were|to\s+be)\s+re-?admitted
""", re.I | re.X)
_APPENDIX = re.compile(r"""
    (?P<w>exempt|confidential|non[\s-]?public|restricted|private)\s+(?:appendix|appendices|annex(?:es)?)
  | (?:appendix|appendices|annex(?:es)?)\b[^.]{0,60}?\b(?:is|are|contains?|containing|which\s+(?:is|are))\s+(?P<w2>exempt|confidential|not\s+for\s+publication|restricted)
""", re.I | re.X)
_SCHEDULE = re.compile(r"schedule\s*12\s*\(?a\)?|\(\s*(?:exempt\s*[-–:]?\s*)?para(?:graph)?s?\.?\s*\d", re.I)

_WHOLE, _PARTIAL = "whole", "partial"


def _is_motion(text: str) -> bool:
    return bool(text) and bool(_MOTION.search(_neutral(text)))


def _heading(text: str) -> str | None:
    """'private', 'public' or 'ambiguous' for a heading line; None for anything else."""
    plain = _neutral(text).lstrip("•·*-–— ").strip()
    if len(plain.split()) > 20:
        return None
    if _PRIVATE_HEAD.match(plain):
        rest = _PUBLIC_PHRASES.sub(" ", plain)
        return "ambiguous" if _PUBLIC_WORD.search(rest) else "private"
    if _PUBLIC_HEAD.match(plain):
        return "ambiguous" if _PRIVATE_WORD.search(_PUBLIC_PHRASES.sub(" ", plain)) else "public"
    return None


def _title_mark(title: str) -> tuple[str, str, bool] | None:
    """(reason, whole/partial, ambiguous) when an item's own title says it is exempt."""
    t = _neutral(title)
    m = _APPENDIX.search(t)
    if m:
        word = (m.group("w") or m.group("w2")).lower().replace(" ", "-")
        return f"title mentions {_article(word)} {word} appendix (ambiguous: treated as exempt)", _PARTIAL, True
    if _SCHEDULE.search(t):
        return "title cites Schedule 12A", _WHOLE, False
    if re.search(r"not\s+for\s+publication", t, re.I):
        return "title says not for publication (ambiguous: treated as exempt)", _WHOLE, True
    for word in ("exempt", "confidential"):
        if re.search(rf"\b{word}\b", t, re.I):
            return f"title says {word}", _WHOLE, False
    if re.search(r"non[\s-]?public", t, re.I):
        return "title says non-public", _WHOLE, False
    if re.search(r"\bin\s+private\b|\bprivate\s+(?:session|business|item)", t, re.I):
        return "title says it is taken in private", _WHOLE, False
    if re.search(r"\brestricted\b", t, re.I):
        return "title mentions 'restricted' (ambiguous: treated as exempt)", _PARTIAL, True
    return None


def _text_mark(text: str) -> tuple[str, str, bool] | None:
    """(reason, whole/partial, ambiguous) when a line of an item's text marks the item exempt."""
    t = _neutral(text)
    m = _APPENDIX.search(t)
    if m:
        word = (m.group("w") or m.group("w2")).lower().replace(" ", "-")
        return f"its text mentions {_article(word)} {word} appendix (ambiguous: treated as exempt)", _PARTIAL, True
    if re.search(r"not\s+for\s+publication", t, re.I):
        return "its text says not for publication (ambiguous: treated as exempt)", _WHOLE, True
    if re.search(r"by\s+virtue\s+of\s+paragraph|schedule\s*12a|(?:this|the)\s+report\s+(?:is|contains)\s+(?:exempt|confidential)", t, re.I):
        return "its text cites Schedule 12A (ambiguous: treated as exempt)", _WHOLE, True
    if len(t.split()) <= 8 and re.match(r"^\(?\s*(?:exempt|confidential|restricted|private)\b", t, re.I):
        return "its text marks it exempt (ambiguous: treated as exempt)", _WHOLE, True
    return None


def _numbered_line_mark(text: str) -> tuple[str, str, bool] | None:
    # A numbered line read as text (a duplicate number, a step) may still be an exempt item.
    m = _ITEM.match(text)
    mark = _title_mark(m.group("title")) if m else None
    if mark is None:
        return None
    return "a numbered line in its text is marked exempt (ambiguous: treated as exempt)", mark[1], True


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


@dataclass
class WalkedItem:
    number: str
    title: str
    major: int
    forced: bool | None = None  # an override's explicit exempt: true/false
    exempt: bool = False
    reason: str | None = None
    motion: bool = False

    def freeze(self) -> AgendaItem:
        return AgendaItem(self.number, self.title, self.exempt, self.reason if self.exempt else None)


class ExemptionWalk:
    """Walks items and the lines between them in order, keeping the exempt section."""

    def __init__(self):
        self.items: list[WalkedItem] = []
        self.warnings: list[str] = []
        self.section: str | None = None  # why everything from here on is exempt
        self.possible: list[tuple[WalkedItem, int]] = []  # "possible exclusion" motions, and where they were
        # After a heading or a motion paragraph, the lines that follow belong to that, not to the
        # item above them: "Part 2 / Part 1 of Schedule 12A" does not mark the Part 1 item exempt.
        self.detached = False

    @property
    def current(self) -> WalkedItem | None:
        return self.items[-1] if self.items else None

    def item(self, it: WalkedItem) -> None:
        self.items.append(it)
        self.detached = False
        if it.forced is not None:
            it.exempt, it.reason = it.forced, "marked exempt in the agenda override" if it.forced else None
            return
        if _RETURN.search(it.title):
            self.section = None  # "Readmission of the press and public" is itself public
            return
        if _is_motion(it.title):
            it.motion = True
            if self.section:
                it.exempt, it.reason = True, self.section
            self._open(f"after the exclusion motion, item {it.number}", it if _POSSIBLE.search(it.title) else None)
            return
        mark = _title_mark(it.title)
        if self.section:
            it.exempt, it.reason = True, self.section
        elif mark:
            it.exempt, it.reason = True, mark[0]
        if mark and mark[2] and not self.section:
            self.warnings.append(f"item {it.number}: {mark[0]}")
        if mark and mark[1] == _WHOLE and not self.section:
            self.section = f"after exempt item {it.number}"

    def line(self, text: str) -> None:
        kind = _heading(text)
        head = " ".join(text.split())
        head = head if len(head) <= 80 else head[:77] + "..."
        if kind is not None:
            self.detached = True
        if kind in ("private", "ambiguous"):
            self.section = f"under the heading '{head}'"
            if kind == "ambiguous":
                self.warnings.append(f"the heading '{head}' reads as both private and public; "
                                     f"the items under it are treated as exempt")
            return
        if kind == "public" or _RETURN.search(text):
            self.section = None
            return
        cur = self.current
        if _is_motion(text):
            if cur is not None and cur.motion:
                if _POSSIBLE.search(text) and not any(p is cur for p, _ in self.possible):
                    self.possible.append((cur, len(self.items)))
                return  # the motion item's own wording
            where = f"following item {cur.number}" if cur is not None else "before the first item"
            if cur is not None and len(text.split()) > 12 and not self.section:
                self.warnings.append(f"item {cur.number}'s text contains exclusion wording; "
                                     f"the items after it are treated as exempt")
            elif cur is None:
                self.warnings.append("exclusion wording comes before the first item; every item is treated as exempt")
            self._open(f"after the exclusion motion {where}", None)
            self.detached = True
            return
        mark = _text_mark(text) or _numbered_line_mark(text)
        if mark is None or (cur is not None and cur.motion):
            return
        if self.detached:
            # A marking after a heading or motion, before the next item: it cannot be placed on
            # an item, so what follows is exempt.
            self.section = self.section or f"after an exempt marking following item {cur.number if cur else 0}"
            return
        if cur is None:
            self.section = self.section or "after an exempt marking before the first item"
            self.warnings.append("an exempt marking comes before the first item; every item is treated as exempt")
            return
        if cur.forced is None and not cur.exempt:
            cur.exempt, cur.reason = True, mark[0]
            self.warnings.append(f"item {cur.number}: {mark[0]}")
        if mark[1] == _WHOLE and not self.section:
            self.section = f"after exempt item {cur.number}"

    def _open(self, reason: str, possible: WalkedItem | None) -> None:
        if not self.section:
            self.section = reason
        if possible is not None:
            self.possible.append((possible, len(self.items)))

    def finish(self) -> tuple[AgendaItem, ...]:
        for motion, at in self.possible:
            after = [i.number for i in self.items[at:] if i.exempt]
            if after:
                self.warnings.append(
                    f"item {motion.number} is a possible exclusion of the press and public; items "
                    f"{_span(after)} after it are treated as exempt (mark public ones `exempt: false` in an agenda file)")
        return tuple(i.freeze() for i in self.items)


def _span(numbers: list[str]) -> str:
    return numbers[0] if len(numbers) == 1 else f"{numbers[0]} to {numbers[-1]}"


def exempt_summary(items) -> str:
    """The items that go private and why: '6, 7 (after the exclusion motion, item 5)', or 'none'.

    Consecutive items with the same reason are grouped; titles never appear."""
    groups: list[tuple[list[str], str]] = []
    prev_exempt = False
    for it in items:
        if it.exempt:
            reason = it.reason or "marked exempt"
            if prev_exempt and groups and groups[-1][1] == reason:
                groups[-1][0].append(it.number)
            else:
                groups.append(([it.number], reason))
        prev_exempt = it.exempt
    if not groups:
        return "none"
    parts = []
    for numbers, reason in groups:
        head = ", ".join(numbers) if len(numbers) <= 2 else f"{numbers[0]}-{numbers[-1]}"
        parts.append(f"{head} ({reason})")
    return ", ".join(parts)
