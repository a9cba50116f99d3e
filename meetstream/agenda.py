"""Agenda items from a calendar event's body (HTML or plain text), and agenda YAML overrides.

Pure: no I/O except reading the override files (validated with pydantic), no outside SDKs.

The layouts we read, each seen in real council agendas (tests/fixtures/agendas holds one of each):

    1. Apologies for absence          copied from a modern.gov page, number on its own line:
    2) Declarations of interest           1.
    Item 5a - Planning application        Apologies for absence
    1 Notice of Recording (CMIS)          2.
    <ol><li><p>Minutes</p></li></ol>      Minutes pdf icon PDF 100 KB
    Word/Outlook: <p class=MsoListParagraph><span>1.<span>&nbsp;</span></span>Apologies</p>

Sub-items are kept as items: "5a", "5(a)" (both read "5a"), "5.1", "17(6)", "77/21", and a bare
"(a)", "a.", "(i)" or "(1)" under the item above it ("5a", "5(i)", "5(1)").

Which numbered lines are items: one layout per body (numbers on their own line, or inline), and
item numbers only go up. A number that does not go up ("1. To note the report" inside item 5) is
a step in that item's text, as is a run of numbers that a later, fitting number shows to be nested
(recommendations 5 and 6 inside item 4, before the real item 5).

Which items are exempt. An exempt title must never reach the stream, so the parser fails safe:
whenever the agenda is unclear the item is exempt, and ParsedAgenda.warnings says why.
 - Everything after an exclusion motion (an item or a paragraph: "Exclusion of the press and
   public", "...the public be excluded from the meeting..."), after a private heading ("Part 2",
   "Part II", "Part B", "Non-Public Agenda", "Private business", "Confidential items",
   "Restricted", "Items which the press and public are likely to be excluded from", ...) or after
   an item that is exempt as a whole. The motion item itself stays public: it is moved in public.
 - ...until an explicit return to public: a heading "Part 1", "Part A", "Public items", or
   "Readmission/Inclusion of the press and public". Statutory wording ("paragraph 3 of Part 1 of
   Schedule 12A", "Part I of Schedule 12A", "Chapter 2, Part 2 of the Constitution") never opens
   or ends a section.
 - An item whose own title or text says it is exempt (cites Schedule 12A, "exempt",
   "confidential", "not for publication", "exempt appendix", "restricted", ...).
Every exempt item carries a short reason ("after the exclusion motion, item 5"); reasons and
warnings name item numbers and headings, never an item's title.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from meetstream.domain import AgendaItem
from meetstream.errors import ConfigError

NO_AGENDA = "the event body has no numbered agenda (add one, or an agenda YAML file)"


@dataclass(frozen=True)
class ParsedAgenda:
    items: tuple[AgendaItem, ...]
    warnings: tuple[str, ...] = ()


# --- body -> lines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    text: str
    depth: int = 0  # list nesting or indentation: numbered steps inside an item usually sit deeper


_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]


class _HtmlLines(HTMLParser):
    """HTML -> text lines. An <ol><li> gets its number written in ("3. text"), even when the text
    sits in a <p> inside the <li>; table cells are lines of their own, as on modern.gov pages."""

    _BLOCK = {"p", "div", "br", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ol", "ul",
              "table", "section", "blockquote", "dt", "dd"}
    _SKIP = {"style", "script", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[_Line] = []
        self._buf: list[str] = []
        self._lists: list[list] = []  # stack of [type "1"/"a"/"i"/"ul", next number]
        self._marker: str | None = None  # an <li>'s number, waiting for the <li>'s first text
        self._para_depth = 0
        self._skip = 0

    def _flush(self):
        text = " ".join("".join(self._buf).split())
        self._buf = []
        if not text:
            return
        if self._marker is not None:
            # Keep a number the text already carries ("5a. Minutes" in an <li>).
            if not (_ITEM.match(text) or _SUB.match(text)):
                text = f"{self._marker}. {text}"
            self._marker = None
        self.lines.append(_Line(text, max(0, len(self._lists) - 1) + self._para_depth))

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skip += 1
            return
        if tag in self._BLOCK:
            self._flush()
        a = dict(attrs)
        if tag in ("p", "div", "li") or tag.startswith("h"):
            self._para_depth = _style_depth(a.get("style") or "")
        if tag == "ol":
            start = str(a.get("start") or "1")
            self._lists.append([str(a.get("type") or "1"), int(start) if start.isdigit() else 1])
        elif tag == "ul":
            self._lists.append(["ul", 0])
        elif tag == "li" and self._lists and self._lists[-1][0] != "ul":
            kind, n = self._lists[-1]
            value = str(a.get("value") or "")
            n = int(value) if value.isdigit() else n
            self._marker = _list_label(kind, n)
            self._lists[-1][1] = n + 1

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if tag in self._BLOCK:
            self._flush()
        if tag in ("ol", "ul") and self._lists:
            self._lists.pop()
        if tag == "li":
            self._marker = None

    def handle_data(self, data):
        if not self._skip:
            self._buf.append(data)

    def close(self):
        super().close()
        self._flush()


def _list_label(kind: str, n: int) -> str:
    if kind in ("a", "A"):
        return chr(ord("a") + (n - 1) % 26)
    if kind in ("i", "I"):
        return _ROMAN[(n - 1) % len(_ROMAN)]
    return str(n)


def _style_depth(style: str) -> int:
    # Word writes nested list levels as "mso-list:l0 level2 lfo1"; plain indents as margin-left.
    m = re.search(r"mso-list:\s*l\d+\s+level(\d+)", style, re.I)
    if m:
        return int(m.group(1)) - 1
    m = re.search(r"margin-left:\s*([\d.]+)\s*(pt|cm|in|px)", style, re.I)
    if not m:
        return 0
    pt = float(m.group(1)) * {"pt": 1, "cm": 28.35, "in": 72, "px": 0.75}[m.group(2).lower()]
    return int(pt // 36)


def _lines(content: str | None, content_type: str | None) -> list[_Line]:
    if not content or not content.strip():
        return []
    looks_html = (content_type or "").lower() == "html" or bool(
        re.search(r"<(html|body|p|div|ol|li|br|table|td|span|h\d)\b", content, re.I))
    if not looks_html:
        out = []
        for raw in html.unescape(content).splitlines():
            if raw.strip():
                expanded = raw.expandtabs(4)
                out.append(_Line(" ".join(raw.split()), (len(expanded) - len(expanded.lstrip())) // 2))
        return out
    parser = _HtmlLines()
    parser.feed(content)
    parser.close()
    return parser.lines


def body_lines(content: str | None, content_type: str | None = "html") -> list[str]:
    """The body as text lines, whatever Graph sent (HTML by default, or text)."""
    return [line.text for line in _lines(content, content_type)]


# --- numbered lines ----------------------------------------------------------------------------

# "5", "5.1", "5(a)", "17(6)", "5(ii)", "5a", "77/21" (a minute number and the year)
_NUM = r"""(?P<major>\d{1,3})(?!\d)
    (?: \.(?P<dot>\d{1,2})(?!\d)
      | \s?\((?P<paren>[a-z]{1,4}|\d{1,2})\)
      | (?P<letter>[a-z])(?![a-z])
      | /(?P<year>\d{2})(?!\d) )?"""
_PREFIX = r"(?:(?:agenda\s+)?item\s+)?"
_ITEM = re.compile(rf"^{_PREFIX}{_NUM}\s*(?P<punct>[.):]|\s[-–—])?\s+(?P<title>\S.*)$", re.I | re.X)
_ALONE = re.compile(rf"^{_PREFIX}{_NUM}\s*(?P<punct>[.):])?$", re.I | re.X)
# Bare sub-items: "(a)", "(ii)", "(1)", "a.", "b)", "iv." (a plain "1)" is an item, not a sub-item)
_SUB = re.compile(r"^(?:\((?P<p>[a-z]|[ivx]{2,4}|\d{1,2})\)|(?P<d>[a-z]|[ivx]{2,4})[.)])(?:\s+(?P<title>\S.*))?$", re.I)
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
        if same and _order(kind, c.sub) <= _order(kind, same[-1]):
            return None  # a list restarting inside the sub-item: text
        number = _label(self.current, c.sub, kind)
        if number in self.used:
            return None
        seen.append((kind, c.sub))
        self.used.add(number)
        return number


def _order(kind: str, sub: str) -> int:
    if kind == "digit":
        return int(sub)
    if kind == "roman":
        return _ROMAN.index(sub) if sub in _ROMAN else 99
    return ord(sub)


# --- which items are exempt ----------------------------------------------------------------------

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
class _Item:
    number: str
    title: str
    major: int
    forced: bool | None = None  # an override's explicit exempt: true/false
    exempt: bool = False
    reason: str | None = None
    motion: bool = False

    def freeze(self) -> AgendaItem:
        return AgendaItem(self.number, self.title, self.exempt, self.reason if self.exempt else None)


class _Exemption:
    """Walks items and the lines between them in order, keeping the exempt section."""

    def __init__(self):
        self.items: list[_Item] = []
        self.warnings: list[str] = []
        self.section: str | None = None  # why everything from here on is exempt
        self.possible: list[tuple[_Item, int]] = []  # "possible exclusion" motions, and where they were
        # After a heading or a motion paragraph, the lines that follow belong to that, not to the
        # item above them: "Part 2 / Part 1 of Schedule 12A" does not mark the Part 1 item exempt.
        self.detached = False

    @property
    def current(self) -> _Item | None:
        return self.items[-1] if self.items else None

    def item(self, it: _Item) -> None:
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

    def _open(self, reason: str, possible: _Item | None) -> None:
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


def parse_agenda(content: str | None, content_type: str | None = "html") -> ParsedAgenda:
    """Numbered agenda items from an event body, with exempt items marked and a reason for each."""
    lines = _lines(content, content_type)
    if not lines:
        return ParsedAgenda(())
    picks, warnings = _pick_items(lines)
    if not picks:
        return ParsedAgenda((), (NO_AGENDA,))
    by_line = {p.line: p for p in picks}
    titles = {p.title_line for p in picks if p.title_line is not None}
    walk = _Exemption()
    for i, line in enumerate(lines):
        if i in by_line:
            p = by_line[i]
            walk.item(_Item(p.number, p.title, p.major))
        elif i not in titles:
            walk.line(line.text)
    items = walk.finish()
    return ParsedAgenda(items, tuple(warnings + walk.warnings))


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


# --- agenda YAML overrides -------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaOverride:
    source: str  # "file:line", for messages
    items: tuple[AgendaItem, ...]
    meeting: str | None = None  # a Graph event id or iCalUId
    committee: str | None = None
    on: date | None = None
    public: tuple[str, ...] = ()  # item numbers the file marks `exempt: false`: the only way to make an item public

    def applies_to(self, meeting_id: str, ical_uid: str | None, committee: str, day: date) -> bool:
        if self.meeting is not None:
            return self.meeting in (meeting_id, ical_uid)
        return (self.committee or "").casefold() == committee.casefold() and self.on == day


def load_overrides(path: Path | None) -> list[AgendaOverride]:
    """Every agenda override in `path`: a YAML file, or a directory of them.

    A file is one agenda or a list of them:

        meeting: AAMkAGI2...        # the event id (or iCalUId), or instead:
        committee: Planning Committee
        date: 2026-12-03
        items:
          - "1. Apologies for absence"
          - "6. Exclusion of the press and public"      # read as the parser reads a body:
          - "7. Land at Station Road"                   #   after the motion, so exempt
          - {number: "8", title: "Local plan update", exempt: false}   # explicitly public
          - {number: "9", title: "Staffing", exempt: true}              # explicitly exempt

    A file named after the event id needs no `meeting:` line.
    """
    if path is None:
        return []
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
    elif path.exists():
        files = [path]
    else:
        raise ConfigError(f"{path}: agenda file or directory not found (check `agendas: overrides:` in meetstream.yaml)")
    out: list[AgendaOverride] = []
    for f in files:
        out.extend(_load_override_file(f, default_meeting=f.stem if path.is_dir() else None))
    return out


class _OverrideItem(BaseModel):
    """One item of an override: "5. Title" (read by the parser's rules), or {number, title, exempt}."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: str
    title: str
    exempt: bool | None = None  # None: the parser's title and motion rules decide

    @model_validator(mode="before")
    @classmethod
    def _text_or_mapping(cls, value):
        if isinstance(value, str):
            m = _ITEM.match(value.strip())
            if m is None:
                raise ValueError(f"{value!r} is not a numbered item (write \"5. Title\")")
            sub, kind = _composite(m)
            return {"number": _label(int(m.group("major")), sub, kind), "title": m.group("title").strip()}
        if isinstance(value, dict) and "number" in value and "title" in value:
            return value | {"number": str(value["number"]), "title": str(value["title"])}
        raise ValueError('an item is "5. Title" or {number, title, exempt}')

    @field_validator("exempt", mode="before")
    @classmethod
    def _flag(cls, value):
        if value is not None and not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value

    def walked(self) -> _Item:
        major = re.match(r"\d+", self.number)
        return _Item(self.number, self.title, int(major.group()) if major else 0, forced=self.exempt)


class _OverrideEntry(BaseModel):
    """One agenda in an override file: which meeting, and its items."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    meeting: str | None = None  # a Graph event id or iCalUId
    committee: str | None = None
    on: date | None = Field(None, alias="date")
    items: list[_OverrideItem] = Field(None, validate_default=True)

    @field_validator("meeting", "committee", mode="before")
    @classmethod
    def _text(cls, value):
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    @field_validator("on", mode="before")
    @classmethod
    def _day(cls, value):
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD)") from None
        return value

    @field_validator("items", mode="before")
    @classmethod
    def _some(cls, value):
        if not isinstance(value, list) or not value:
            raise ValueError("needs a non-empty `items:` list")
        return value


def _load_override_file(path: Path, default_meeting: str | None) -> list[AgendaOverride]:
    from meetstream.yamlfile import load_yaml

    doc = load_yaml(path)
    data = doc.data
    many = isinstance(data, list)
    raw = data if many else [data]
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise doc.error((i,) if many else (), "expected a mapping with `items:` and `meeting:` or `committee:` + `date:`")
    try:
        entries = TypeAdapter(list[_OverrideEntry]).validate_python(data) if many else [_OverrideEntry.model_validate(data)]
    except ValidationError as err:
        raise _invalid(doc, err) from None
    out = []
    for i, entry in enumerate(entries):
        loc: tuple = (i,) if many else ()
        meeting, committee, on = entry.meeting, entry.committee, entry.on
        if meeting is None and committee is None:
            if default_meeting is None or len(entries) > 1:
                raise doc.error(loc, "say which meeting: `meeting: <event id>` or `committee:` and `date:`")
            meeting = default_meeting
        if meeting is None and on is None:
            raise doc.error(loc + ("date",) if "date" in raw[i] else loc, "`committee:` needs a `date:` (YYYY-MM-DD)")
        walk = _Exemption()
        for item in entry.items:
            walk.item(item.walked())
        line = doc.line_of(loc)
        out.append(
            AgendaOverride(
                source=f"{path}:{line}" if line else str(path),
                items=walk.finish(),
                public=tuple(i.number for i in entry.items if i.exempt is False),
                meeting=meeting,
                committee=committee if meeting is None else None,
                on=on if meeting is None else None,
            )
        )
    return out


def _invalid(doc, err: ValidationError):
    """pydantic's first complaint as one line naming file, line and field; an unknown field says
    which fields there are."""
    from meetstream.yamlfile import pydantic_error

    unknown = [e for e in err.errors() if e["type"] == "extra_forbidden"]  # a misspelt field explains the rest
    first = (unknown or err.errors())[0]
    loc = tuple(first["loc"])
    if first["type"] == "extra_forbidden":
        in_item = len(loc) >= 3 and loc[-3] == "items"
        return doc.error(loc, "unknown field (use number, title, exempt)" if in_item else "unknown field (use meeting, committee, date, items)")
    return pydantic_error(doc, err)
