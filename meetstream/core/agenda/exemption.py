"""Which agenda items are armed (go private unless the meeting resolves to stay public), which are
public items with an exempt appendix, and why: read as a clerk reads an agenda. Pure.

The walk collects the agenda in order (items with their own text, headings, unnumbered exclusion
paragraphs) and reads it at the end, when every motion can be read against what follows it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
# A motion that only asks whether to exclude: it arms nothing by itself.
_POSSIBLE = re.compile(r"possible|if\s+necessary|if\s+required|consider(?:ing)?\b|to\s+identify|whether|may\s+be\s+(?:moved|excluded)|likely\s+to\s+be\s+excluded|\bmay\b[^.]{0,40}\bexclude|to\s+be\s+advised", re.I)
# ...or says that no item needs it, or leaves it to the items marked elsewhere (a Part 2 heading).
_NO_ITEMS = re.compile(r"there\s+are\s+no\s+(?:agenda\s+)?items|no\s+(?:agenda\s+)?items\s+(?:which|that)\s+(?:would\s+)?require", re.I)
_DEFERS = re.compile(r"part\s+(?:two|2|ii|b)\s+of\s+the\s+agenda|items?\s+(?:contained\s+)?in\s+part\s+(?:two|2|ii|b)\b|designated\s+as\s+exempt|those\s+parts\s+of\s+the\s+agenda|exempt\s+items\s+as\s+set\s+out|(?:items?|reports?)\s+(?:marked|shown|identified)\s+(?:as\s+)?(?:exempt|confidential|private)", re.I)
_FOLLOWING_ONE = re.compile(r"(?<!any of )the\s+following\s+item(?!s)\b|(?<!any of )the\s+next\s+item\b", re.I)
_FOLLOWING_MANY = re.compile(r"(?<!any\sof\s)the\s+following\s+items|remainder\s+of\s+the\s+meeting|during\s+consideration\s+of\s+an\s+agenda\s+item", re.I)
# Business that opens a meeting: a "consider whether to exclude" item before it is the opening template.
_OPENING = re.compile(r"""^(?:to\s+(?:receive|approve|confirm|note|agree|sign)\s+(?:any\s+)?(?:the\s+)?)?(?:
    apologies|(?:the\s+)?minutes\b|declarations?\b|disclosures?\s+of\s+interest|(?:members'?\s+)?interests\b
  | public\s+(?:questions|participation|forum|addresses|speaking)|questions\b|petitions|deputations|announcements
  | (?:the\s+)?(?:chair|chairman|mayor|leader|lord\s+mayor)(?:'s)?\s+(?:communications|announcements|business|update)
  | (?:items\s+of\s+)?urgent\s+business|matters\s+arising|membership\b|welcome|filming|notice\s+of\s+recording|webcast
  | substitut|open\s+forum|procedural\s+(?:business|matters))""", re.I | re.X)
_RETURN = re.compile(r"""
    (?:re-?admission|re-?admittance|inclusion|re-?admit(?:ting)?|readmit(?:ting)?)\s+(?:of\s+)?(?:the\s+)?(?:press|public)
  | return(?:s|ing)?\s+to\s+(?:the\s+)?(?:public|open)\s+(?:session|meeting|part)
  | (?:press|public)\s+(?:and\s+(?:the\s+)?(?:press|public)\s+)?(?:are|be|were|to\s+be)\s+re-?admitted
""", re.I | re.X)
# A notice under the 2012 Executive Arrangements Regulations, or the "admission of the public" item:
# they tell the public what may happen; they arm nothing.
_NOTICE = re.compile(r"""^(?:notice\s+of\s+(?:the\s+)?(?:intention|intent|proposal|private|exempt|closed)\b
  | notice\b.{0,60}\b(?:in\s+private|closed\s+meeting|private\s+(?:meeting|session|business))
  | (?:the\s+)?admission\s+of\s+(?:the\s+)?(?:press|public))""", re.I | re.X)
_APPENDIX = re.compile(r"""
    (?P<w>exempt|confidential|non[\s-]?public|restricted|private|part\s+(?:2|ii|two|b))\s+(?:appendix|appendices|annex(?:es)?|papers?\s+included)
  | (?:appendix|appendices|annex(?:es)?)\b[^.]{0,60}?\b(?:is|are|contains?|containing|which\s+(?:is|are))\s+(?:not\s+(?:available\s+to\s+the\s+public|for\s+publication)|(?P<w2>exempt|confidential|restricted|non[\s-]?public))
  | (?:appendix|appendices|annex(?:es)?)\b[^.]{0,80}?\b(?:are|is)\s+exempt\s+papers?
""", re.I | re.X)
_SCHEDULE = re.compile(r"schedule\s*12\s*\(?a\)?|\(\s*(?:exempt\s*[-–:]?\s*)?para(?:graph)?s?\.?\s*\d", re.I)
_PARAS = re.compile(r"\b(?:paragraphs?|paras?\.?|categor(?:y|ies))\s*(?:\(\s*s\s*\)\s*)?(?P<nums>\d{1,2}[a-c]?(?:\s*(?:,|&|and|or|-|–)\s*\d{1,2}[a-c]?)*)(?![.\d]\d)", re.I)
_REF = re.compile(r"\b(?:agenda\s+)?items?\s*(?:no\.?\s*)?\[?(?P<first>\d{1,3}[a-z]?)\]?(?![\d.]\d)(?P<rest>(?:\s*(?:,|&|and|or|to|-|–)\s*\[?\d{1,3}[a-z]?\]?(?![\d.]\d))*)", re.I)
_MARKER_WORDS = re.compile(r"""\b(?:exempt|confidential|restricted|private|withheld|not\s+for\s+publication|non[\s-]?public|item|items|report|reports|information|business|matter|matters|part\s*(?:2|ii|two|b)|paragraphs?|paras?|schedule\s*12\s*\(?a\)?|of|the|and|to|be|in|under|by|virtue|local|government|act|1972|session|closed|appendix|appendices|annex)\b|\d+|[^\w\s]""", re.I | re.X)

_WHOLE, _PART = "whole", "appendix"


def _is_motion(text: str) -> bool:
    return bool(text) and bool(_MOTION.search(_neutral(text)))


def _heading(text: str) -> str | None:
    """'private', 'public' or 'ambiguous' for a heading line; None for anything else."""
    plain = _neutral(text).lstrip("•·*-–— ").strip()
    if len(plain.split()) > 20:
        return None
    if _PRIVATE_HEAD.match(plain):
        rest = _PUBLIC_PHRASES.sub(" ", plain)
        if _PUBLIC_WORD.search(rest):
            # "PART 2 - PUBLIC INVOLVEMENT AND SCRUTINY": a part of the public order of business,
            # unless it also says exempt or private ("Part 2 - exempt items, public excluded").
            return "ambiguous" if _PRIVATE_WORD.search(rest) else "public"
        return "private"
    if _PUBLIC_HEAD.match(plain):
        return "ambiguous" if _PRIVATE_WORD.search(_PUBLIC_PHRASES.sub(" ", plain)) else "public"
    return None


def _paragraphs(text: str) -> tuple[str, ...]:
    """Schedule 12A paragraphs cited: "paragraph 3", "paras 1 & 2", "paragraph(s) 3 and 4"; only in
    a sentence that speaks of exempt information, never "paragraph 5.31 of the report"."""
    out: list[str] = []
    for sentence in re.split(r"(?<=[.;])\s+(?=[A-Z(])", text):
        if not re.search(r"12\s*\(?a\)?|exempt|confidential|restricted|not\s+for\s+publication|access\s+to\s+information|\(\s*para", sentence, re.I):
            continue
        for m in _PARAS.finditer(sentence):
            for n in re.findall(r"\d{1,2}[a-c]?", m.group("nums")):
                num = n.upper() if n[-1].isalpha() else n
                if 1 <= int(re.match(r"\d+", n).group()) <= 18 and num not in out:
                    out.append(num)
    return tuple(out)


def _with(reason: str, paras: tuple[str, ...]) -> str:
    if not paras:
        return reason
    return f"{reason} (paragraph{'s' if len(paras) > 1 else ''} {_and(paras)})"


def _and(parts) -> str:
    parts = list(parts)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _title_mark(title: str) -> tuple[str, str] | None:
    """(reason, whole/appendix) when an item's own title marks it (or only its appendix) exempt."""
    t = _neutral(title)
    if _APPENDIX.search(t) or _APPENDIX.search(title):
        return "exempt appendix", _PART
    if _SCHEDULE.search(t):
        return "marked exempt", _WHOLE
    if re.search(r"not\s+for\s+publication", t, re.I):
        return "marked not for publication", _WHOLE
    for word in ("exempt", "confidential"):
        if re.search(rf"\b{word}\b", t, re.I):
            return f"marked {word}", _WHOLE
    if re.search(r"non[\s-]?public", t, re.I):
        return "marked non-public", _WHOLE
    if re.search(r"\bin\s+private\b|\bprivate\s+(?:session|business|item|report)|^private\b\s*[-–:]", t, re.I):
        return "marked to be taken in private", _WHOLE
    if re.search(r"\brestricted\b\s*(?:$|[-–:)]|(?:minutes|reports?|items?|business|information|papers?|session)\b)|\(\s*restricted\s*\)", t, re.I):
        return "marked restricted", _WHOLE
    if re.search(r"\bwithheld\b", t, re.I):
        return "marked withheld", _WHOLE
    return None


def _text_mark(text: str) -> tuple[str, str] | None:
    """(reason, whole/appendix) when a line of an item's own text marks it (or its appendix) exempt."""
    t = _neutral(text)
    if _APPENDIX.search(t) or _APPENDIX.search(text):
        return "exempt appendix", _PART
    if re.search(r"not\s+for\s+publication", t, re.I):
        return "its text says not for publication", _WHOLE
    if re.search(r"schedule\s*12a", t, re.I) and re.search(r"exempt|confidential|para|by\s+virtue", t, re.I) and not _MOTION.search(t):
        return "its text cites Schedule 12A", _WHOLE
    if re.search(r"(?:this|the)\s+item\s+(?:will|is\s+to|shall)\s+be\s+(?:closed\s+to\s+the\s+public|(?:considered|taken|held|heard)\s+in\s+(?:private|closed\s+session))"
                 r"|by\s+virtue\s+of\s+paragraph|(?:this|the)\s+report\s+(?:is|contains)\s+(?:exempt|confidential)"
                 r"|\bexempt\s+report\b|\bconfidential\s+report\b", t, re.I):
        return "its text marks it exempt", _WHOLE
    if len(t.split()) <= 8 and re.match(r"^\(?\s*(?:exempt|confidential|restricted|private)\b", t, re.I):
        return "its text marks it exempt", _WHOLE
    return None


def _numbered_line_mark(text: str) -> tuple[str, str] | None:
    # A numbered line read as text (a duplicate number, a step) may still be an exempt item.
    m = _ITEM.match(text)
    mark = _title_mark(m.group("title")) if m else None
    if mark is None or mark[1] != _WHOLE:
        return None
    return "a numbered line in its text is marked exempt (unclear: armed)", _WHOLE


def _withheld(title: str) -> bool:
    """The agenda withholds the title: only an exempt marker is left ("Exempt item", "Confidential report")."""
    t = _neutral(title or "")
    if not t.strip():
        return True
    if not (_PRIVATE_WORD.search(t) or re.search(r"withheld|part\s*(?:2|ii|two|b)\b|schedule", t, re.I)):
        return False
    rest = _MARKER_WORDS.sub(" ", t)
    return not re.search(r"[A-Za-z]{3,}", rest)


def _refs(text: str) -> tuple[list, list]:
    """Items a motion names, whole or only an appendix of them: ([(lo, hi) or number], ...)."""
    whole, appendix = [], []
    for sentence in re.split(r"(?<=[.;])\s+(?=[A-Z(])", text):
        matches = list(_REF.finditer(sentence))
        for k, m in enumerate(matches):
            nums = [m.group("first")] + re.findall(r"\d{1,3}[a-z]?", m.group("rest") or "")
            refs: list = []
            ranged = re.search(r"\bto\b|[-–]", m.group("rest") or "")
            if ranged and len(nums) == 2 and nums[0].isdigit() and nums[1].isdigit():
                refs.append((int(nums[0]), int(nums[1])))
            else:
                refs.extend(n.lower() for n in nums)
            # "Appendix 7 of item 6", "the appendices to the report in item 6", "item 9 contains an
            # exempt appendix": the words between this reference and its neighbours say which.
            before = sentence[matches[k - 1].end() if k else 0:m.start()][-60:]
            after = sentence[m.end():matches[k + 1].start() if k + 1 < len(matches) else len(sentence)]
            about_appendix = re.search(r"appendi|annex", before, re.I) or re.search(
                r"^[^.;]{0,40}?\b(?:contains?|with|has)\s+(?:an?\s+)?(?:exempt\s+|confidential\s+)?(?:appendi|annex)", after, re.I)
            (appendix if about_appendix else whole).extend(refs)
    return whole, appendix


def _named(it: WalkedItem, refs: list) -> bool:
    for r in refs:
        if isinstance(r, tuple):
            if r[0] <= it.major <= r[1]:
                return True
        elif r == it.number.lower() or (r.isdigit() and it.number == r):
            return True
    return False


@dataclass
class WalkedItem:
    number: str
    title: str
    major: int
    forced: bool | None = None  # an override's explicit exempt: true/false
    exempt: bool = False
    reason: str | None = None
    motion: bool = False
    appendix: bool = False
    paragraphs: tuple[str, ...] = ()
    withheld: bool = False
    text: list[str] = field(default_factory=list)

    def freeze(self) -> AgendaItem:
        appendix = self.appendix and not self.exempt
        return AgendaItem(self.number, self.title, self.exempt, self.reason if (self.exempt or appendix) else None,
                          appendix, self.paragraphs, self.withheld)


@dataclass
class _Block:
    kind: str  # "item", "heading", "return", "motion" (unnumbered exclusion wording), "mark" (a marking that cannot be placed)
    item: WalkedItem | None = None
    head: str = ""
    heading: str = ""  # "private", "public", "ambiguous"
    text: list[str] = field(default_factory=list)
    after: WalkedItem | None = None  # the item before an unnumbered block


class ExemptionWalk:
    """Collects items and the lines between them in order; finish() reads them as a clerk would."""

    def __init__(self):
        self.blocks: list[_Block] = []
        self.items: list[WalkedItem] = []
        self.warnings: list[str] = []

    @property
    def current(self) -> WalkedItem | None:
        return self.items[-1] if self.items else None

    def item(self, it: WalkedItem) -> None:
        self.items.append(it)
        self.blocks.append(_Block("item", it))

    def line(self, text: str) -> None:
        last = self.blocks[-1] if self.blocks else None
        cur = self.current
        kind = _heading(text)
        if kind is not None:
            head = " ".join(text.split())
            self.blocks.append(_Block("heading", head=head if len(head) <= 80 else head[:77] + "...", heading=kind, after=cur))
            return
        if _RETURN.search(text):
            self.blocks.append(_Block("return", after=cur))
            return
        if last is not None and last.kind == "motion":
            last.text.append(text)  # the unnumbered motion's own wording
            return
        if last is not None and last.kind == "item" and (last.item.motion or _is_motion(last.item.title) or _NOTICE.search(last.item.title)):
            last.item.text.append(text)
            return
        if _is_motion(text):
            short = len(text.split()) <= 12
            if short or cur is None or last.kind != "item" or not _POSSIBLE.search(text):
                # A heading "Exclusion of the Public and Press", or a definite motion in the text.
                if not short and cur is not None and last.kind == "item":
                    self.warnings.append(f"item {cur.number}'s text contains exclusion wording; it is read as a motion "
                                         f"for the items after it")
                self.blocks.append(_Block("motion", text=[text], after=cur))
                return
            cur.text.append(text)  # "a body may exclude the public...": the law quoted, not a motion
            return
        if last is None or last.kind != "item":
            if _text_mark(text) or _numbered_line_mark(text):
                self.blocks.append(_Block("mark", text=[text], after=cur))
            return
        cur.text.append(text)

    # --- reading ---------------------------------------------------------------------------

    def finish(self) -> tuple[AgendaItem, ...]:
        section: tuple[str, tuple[str, ...]] | None = None  # why what follows is armed, and the paragraphs
        named: list[tuple[list, list, str, tuple[str, ...]]] = []  # (whole refs, appendix refs, by, paragraphs)
        next_only: tuple[str, tuple[str, ...]] | None = None
        for at, b in enumerate(self.blocks):
            if b.kind == "heading":
                if b.heading == "public":
                    section = None
                else:
                    section = (f"under the heading '{b.head}'", ())
                    if b.heading == "ambiguous":
                        self.warnings.append(f"the heading '{b.head}' reads as both private and public; "
                                             f"the items under it are armed")
                continue
            if b.kind == "return":
                section = None
                continue
            if b.kind == "mark":
                where = f"item {b.after.number}" if b.after else "the first item"
                if section is None:
                    section = (f"after an exempt marking following {where}" if b.after else
                               "after an exempt marking before the first item", ())
                    self.warnings.append(f"an exempt marking after {where} cannot be placed on one item; the items "
                                         f"after it are armed" if b.after else
                                         "an exempt marking comes before the first item; every item is armed")
                continue
            if b.kind == "motion":
                where = f"following item {b.after.number}" if b.after else "before the first item"
                effect = self._motion(" ".join(b.text), at, f"after the exclusion motion {where}", b.after is None)
                section, next_only = self._apply(effect, section, next_only, named)
                continue
            it = b.item
            taken, next_only = next_only, None
            it.withheld = _withheld(it.title)
            if it.forced is not None:
                it.exempt, it.reason = it.forced, "marked exempt in the agenda override" if it.forced else None
                continue
            if _RETURN.search(it.title):
                section = None  # "Readmission of the press and public" is itself public
                continue
            if _NOTICE.search(it.title):
                continue  # a notice arms nothing, not even itself
            if _is_motion(it.title):
                it.motion = True
                if section:
                    it.exempt, it.reason = True, section[0]
                text = " ".join([it.title, *it.text])
                effect = self._motion(text, at, f"after the exclusion motion, item {it.number}", False, it)
                section, next_only = self._apply(effect, section, next_only, named)
                continue
            own = self._own(it)
            paras = it.paragraphs
            if section:
                it.exempt, it.reason = True, section[0]
                it.paragraphs = paras or section[1]
            elif own is not None and own[1] == _WHOLE:
                it.exempt, it.reason = True, _with(own[0], paras)
            elif taken:
                it.exempt, it.reason, it.paragraphs = True, taken[0], paras or taken[1]
            else:
                for whole, appx, by, mparas in named:
                    if _named(it, whole):
                        it.exempt, it.reason, it.paragraphs = True, f"named in {by}", paras or mparas
                        break
                    if _named(it, appx) and not it.appendix:
                        it.appendix, it.paragraphs = True, paras or mparas
                        it.reason = _with(f"exempt appendix named in {by}", it.paragraphs)
            if not it.exempt and own is not None and own[1] == _PART and not it.reason:
                it.appendix, it.reason = True, _with(own[0], it.paragraphs)
        return tuple(i.freeze() for i in self.items)

    def _own(self, it: WalkedItem) -> tuple[str, str] | None:
        """What the item's own title and text say of it; sets its paragraphs."""
        mark = _title_mark(it.title)
        it.paragraphs = _paragraphs(" ".join([it.title, *it.text])) if (mark or it.text) else ()
        text_marks = [m for line in it.text if (m := _text_mark(line) or _numbered_line_mark(line))]
        if mark is None or mark[1] == _PART:
            whole = next((m for m in text_marks if m[1] == _WHOLE), None)
            if whole is not None:
                if whole[0].startswith("a numbered line"):
                    self.warnings.append(f"item {it.number}: {whole[0]}")
                return whole
            mark = mark or next((m for m in text_marks if m[1] == _PART), None)
        if mark is None:
            it.paragraphs = ()
        return mark

    def _motion(self, text: str, at: int, reason: str, first: bool, item: WalkedItem | None = None):
        """What an exclusion motion (an item, or unnumbered wording) arms: ("none",), ("section", reason,
        paras), ("next", reason, paras) or ("named", whole, appendix, by, paras)."""
        paras = _paragraphs(text)
        if _NO_ITEMS.search(text):
            return ("none",)
        whole, appx = _refs(text)
        if item is not None:
            whole = [r for r in whole if not _named(item, [r])]
        if whole or appx:
            by = f"item {item.number}" if item else reason.replace("after the exclusion motion ", "the motion ")
            return ("named", whole, appx, by, paras)
        if _DEFERS.search(text):
            return ("none",)
        if not _POSSIBLE.search(_neutral(text)):
            return ("next", reason, paras) if _FOLLOWING_ONE.search(text) else ("section", reason, paras)
        later, returns = [], False
        for b in self.blocks[at + 1:]:
            if b.kind in ("heading", "return"):
                returns = b.kind == "return" or b.heading == "public"
                break
            if b.kind == "item":
                later.append(b.item)
        if any(_OPENING.match(_neutral(i.title)) for i in later):
            return ("none",)  # the opening template: "to consider whether ..." before the minutes
        if _FOLLOWING_ONE.search(text):
            return ("next", reason, paras)
        total = len(self.items)
        before = sum(1 for b in self.blocks[:at] if b.kind == "item")
        if later and (returns or _FOLLOWING_MANY.search(text) or 2 * before >= total):
            return ("section", reason, paras)  # placed just before the business it is about
        if first and later:
            self.warnings.append("exclusion wording comes before the first item; every item is armed")
            return ("section", reason, paras)
        return ("none",)

    @staticmethod
    def _apply(effect, section, next_only, named):
        kind = effect[0]
        if kind == "section":
            return section or (effect[1], effect[2]), next_only
        if kind == "next":
            return section, (effect[1], effect[2])
        if kind == "named":
            named.append((effect[1], effect[2], effect[3], effect[4]))
        return section, next_only


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
