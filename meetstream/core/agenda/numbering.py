"""Which numbered lines are agenda items, and their numbers as printed ("5a", "17(6)", "20/1"):
one layout per body, numbers only going up, nested runs told apart. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from meetstream.core.agenda.exemption import _is_motion
from meetstream.core.agenda.lines import _Line
from meetstream.core.agenda.marks import _ALONE, _ITEM, _ROMAN, _SUB

# "5", "5.1", "5(a)", "17(6)", "5(ii)", "5a", "77/21" (a minute number and the year)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
# "3 December 2026", "18.30 pm", "12 noon", "45 mins": dates, times and durations, not items
# ("2. Minutes" is the minutes item: only "minutes allocated" reads as a duration).
_NOT_A_TITLE = re.compile(rf"^(?:(?:{_MONTHS})\b|(?:am|pm|a\.m\.|p\.m\.|noon|o'clock)\b|(?:mins?|hrs?|hours?)\b|minutes\s+allocated\b)", re.I)
_TITLE_NOISE = re.compile(r"\s*(?:pdf icon\s*)?\bPDF \d+(?:\.\d+)? [KM]B\b|\s*\(pages? \d+\s*[-–]\s*\d+\)|\s*Additional documents:\s*$", re.I)


@dataclass(frozen=True)
class _Cand:
    """A line that starts with something like an item number."""

    line: int
    major: int | None  # None: a bare sub-item such as "(a)"
    sub: str = ""
    sub_kind: str = ""  # "letter", "roman", "digit", "dot", "year", or "" for a plain number
    title: str | None = None  # None: the number stands alone and the title is the next line
    own_line: bool = False
    style: str = ""
    depth: int = 0

    def signature(self) -> tuple:
        return (self.own_line, self.style, self.depth)


def _clean_title(title: str) -> str:
    return _TITLE_NOISE.sub("", title).strip().rstrip(".").strip()


def _candidate(index: int, line: _Line) -> _Cand | None:
    text = line.text
    m = _ALONE.match(text) or _ITEM.match(text)
    if m:
        sub, kind = _composite(m)
        title = m.groupdict().get("title")
        if kind == "dot" and (len(sub) == 2 and (sub[0] == "0" or int(sub) >= 25)):
            return None  # "18.30", "6.00": a time, not item 18.30
        if title is not None and _NOT_A_TITLE.match(title):
            return None  # "3 December 2026", "18.30 pm", "45 mins"
        style = "item" if text[:4].lower() in ("item", "agen") else (m.group("punct") or "").strip()
        return _Cand(index, int(m.group("major")), sub, kind, _clean_title(title) if title else None,
                     title is None, style, line.depth)
    m = _SUB.match(text)
    if m:
        raw = (m.group("p") or m.group("d")).lower()
        kind = "digit" if raw.isdigit() else ("roman" if len(raw) > 1 else "letter")
        title = m.group("title")
        return _Cand(index, None, raw, kind, _clean_title(title) if title else None, title is None,
                     "(" if m.group("p") else ".", line.depth)
    return None


def _composite(m: re.Match) -> tuple[str, str]:
    if m.group("dot"):
        return m.group("dot"), "dot"
    if m.group("letter"):
        return m.group("letter").lower(), "letter"
    if m.group("year"):
        return m.group("year"), "year"
    paren = (m.group("paren") or "").lower()
    if not paren:
        return "", ""
    if paren.isdigit():
        return paren, "digit"
    return paren, "letter" if len(paren) == 1 else "roman"


def _label(major: int, sub: str, kind: str) -> str:
    """The stable, readable number: "5", "5a", "5.1", "17(6)", "5(ii)", "77/21"."""
    if kind == "letter":
        return f"{major}{sub}"
    if kind == "dot":
        return f"{major}.{sub}"
    if kind == "year":
        return f"{major}/{sub}"
    if kind in ("digit", "roman"):
        return f"{major}({sub})"
    return str(major)


@dataclass
class _Pick:
    line: int
    title_line: int | None
    number: str
    major: int
    title: str
    sub_of: int | None = None  # the main item a bare sub-item hangs under


def _one_layout(cands: list[_Cand], lines: list[_Line]) -> list[_Cand]:
    """Numbers on their own line (modern.gov copied from the page), or inline: never both, so
    "1. To note the report" inside a modern.gov item is text."""
    own = [c for c in cands if c.own_line and c.major is not None and _title_line(lines, c.line) is not None]
    inline = [c for c in cands if not c.own_line and c.major is not None]
    if len(own) >= 2 and 2 * len(own) >= len(inline):
        return [c for c in cands if c.own_line and _title_line(lines, c.line) is not None]
    return [c for c in cands if not c.own_line]


def _title_line(lines: list[_Line], index: int) -> int | None:
    nxt = index + 1
    if nxt >= len(lines):
        return None
    text = lines[nxt].text
    if _ALONE.match(text) or (_SUB.match(text) and _SUB.match(text).group("title") is None):
        return None
    return nxt


def _pick_items(lines: list[_Line]) -> tuple[list[_Pick], list[str]]:
    """The agenda items among the numbered lines; the rest are text of the item above them."""
    cands = _one_layout([c for i, line in enumerate(lines) if (c := _candidate(i, line))], lines)
    picks: list[_Pick] = []
    warnings: list[str] = []
    if cands and all(c.major is None for c in cands):
        return _bare_items(cands, lines), warnings
    state = _Sequence()
    for k, c in enumerate(cands):
        title_line = _title_line(lines, c.line) if c.own_line else None
        title = c.title if c.title is not None else _clean_title(lines[title_line].text)
        if not title:
            continue
        if c.major is None:
            number = state.bare_sub(c, _is_motion(_current_title(picks, state)))
            if number is not None:
                picks.append(_Pick(c.line, title_line, number, state.current, title, sub_of=state.current))
            continue
        number = state.numbered(c, cands[k + 1:], warnings)
        if number is not None:
            picks.append(_Pick(c.line, title_line, number, c.major, title))
    return picks, warnings


def _bare_items(cands: list[_Cand], lines: list[_Line]) -> list[_Pick]:
    """An agenda numbered only "(a) (b)" or "i. ii.": those are its items ("a", "ii"), in order."""
    picks: list[_Pick] = []
    kind = None
    last = -1
    for c in cands:
        if c.depth != cands[0].depth:
            continue
        k = "digit" if c.sub.isdigit() else ("roman" if c.sub in _ROMAN and (kind == "roman" or (kind is None and c.sub == "i")) else "letter")
        kind = kind or k
        if k != kind or _order(k, c.sub) <= last:
            continue
        title_line = _title_line(lines, c.line) if c.own_line else None
        title = c.title if c.title is not None else (_clean_title(lines[title_line].text) if title_line is not None else "")
        if not title:
            continue
        last = _order(k, c.sub)
        picks.append(_Pick(c.line, title_line, c.sub, last, title))
    return picks


def _current_title(picks: list[_Pick], state: _Sequence) -> str:
    main = next((p for p in reversed(picks) if p.sub_of is None), None)
    return main.title if main is not None and main.major == state.current else ""


class _Sequence:
    """Item numbers only go up; this decides which numbered lines continue the agenda."""

    def __init__(self):
        self.current: int | None = None
        self.main_sig: tuple | None = None
        self.run: list | None = None  # [last number, signature] of a numbered list inside an item
        self.used: set[str] = set()
        self.subs: dict[int, list[tuple[str, str]]] = {}
        self.nested: dict[tuple[int, str], int] = {}  # a list restarted inside a sub-item, and how far it got

    def numbered(self, c: _Cand, later: list[_Cand], warnings: list[str]) -> str | None:
        number = _label(c.major, c.sub, c.sub_kind)
        if c.sub_kind:
            return self._composite(c, number)
        if self.current is not None and c.major <= self.current:
            self._step(c, warnings)
            return None
        if self.current is not None and self._nested_run(c, later):
            if later and later[0].major == c.major and not later[0].sub_kind:
                warnings.append(f"two lines in a row are numbered {c.major}; the first is read as part of "
                                f"item {self.current}'s text (check the agenda's numbering)")
            self._step(c, warnings)
            return None
        if self.run is not None and c.major == self.run[0] + 1:
            # "3." after a list "1. 2." inside item 2: the next item, or step 3 of that list?
            if c.signature() == self.run[1] != self.main_sig:
                self._step(c, warnings)
                return None
            if c.signature() == self.run[1] == self.main_sig:
                warnings.append(f"item {number} follows a numbered list inside item {self.current} laid out like "
                                f"the items; it is read as the next agenda item (check the agenda)")
        return self._accept(c, number)

    def _nested_run(self, c: _Cand, later: list[_Cand]) -> bool:
        # A run n, n+1, ... followed by a number no bigger than n that still continues the agenda
        # is a list inside the current item: "5. 6." of a recommendation list in item 4 before
        # the real item 5, or a stray "100 Station Road" line before item 3.
        end = c.major
        breaker = None
        for nxt in later:
            if nxt.major is None or (nxt.sub_kind and nxt.major == end):
                continue  # sub-items of the run's last number
            if not nxt.sub_kind and nxt.major == end + 1:
                end += 1
                continue
            breaker = nxt
            break
        return breaker is not None and self.current < breaker.major <= c.major

    def _step(self, c: _Cand, warnings: list[str]) -> None:
        if self.run is not None and c.major == self.run[0] + 1:
            self.run[0] = c.major
            return
        if c.major == self.current and c.major != 1 and c.signature() == self.main_sig:
            warnings.append(f"a second item numbered {c.major} is read as part of item {self.current}'s text "
                            f"(check the agenda's numbering)")
        self.run = [c.major, c.signature()]

    def _composite(self, c: _Cand, number: str) -> str | None:
        if number in self.used or (self.current is not None and c.major < self.current):
            return None
        if self.current is None or c.major > self.current:
            return self._accept(c, number)
        self.used.add(number)
        return number

    def _accept(self, c: _Cand, number: str) -> str | None:
        if number in self.used:
            return None
        self.current, self.main_sig, self.run = c.major, c.signature(), None
        self.used.add(number)
        return number

    def bare_sub(self, c: _Cand, in_motion: bool) -> str | None:
        # (a), (i), (1) under the current item; inside the exclusion motion they are its steps.
        if self.current is None or in_motion:
            return None
        seen = self.subs.setdefault(self.current, [])
        kind = c.sub_kind
        if kind == "letter" and c.sub in "ivx":
            # "(i)" starts a roman list unless it follows "(h)"; "(v)" and "(x)" follow roman "(iv)", "(ix)".
            prev = seen[-1] if seen else None
            roman = (c.sub == "i" and not (prev and prev == ("letter", "h"))) or (prev is not None and prev[0] == "roman")
            kind = "roman" if roman else "letter"
        same = [v for k, v in seen if k == kind]
        nested = self.nested.get((self.current, kind))
        if nested is not None and _order(kind, c.sub) == nested + 1:
            self.nested[(self.current, kind)] = nested + 1
            return None  # "(b) (c)" continuing a list restarted inside a sub-item: text
        if same and _order(kind, c.sub) <= _order(kind, same[-1]):
            self.nested[(self.current, kind)] = _order(kind, c.sub)
            return None  # a list restarting inside the sub-item: text
        if not same and _order(kind, c.sub) != _order(kind, _FIRST[kind]):
            return None  # a list starts at its first member: "(2) A body may ..." quotes a statute
        if kind == "roman" and any(k == "letter" for k, _ in seen):
            return None  # "(i) (ii)" after "(a) (b)": steps inside the last lettered sub-item
        number = _label(self.current, c.sub, kind)
        if number in self.used:
            return None
        seen.append((kind, c.sub))
        self.used.add(number)
        return number


_FIRST = {"digit": "1", "roman": "i", "letter": "a"}


def _order(kind: str, sub: str) -> int:
    if kind == "digit":
        return int(sub)
    if kind == "roman":
        return _ROMAN.index(sub) if sub in _ROMAN else 99
    return ord(sub)
