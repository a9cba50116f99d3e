"""Agenda items from a calendar event's body (HTML or plain text), and agenda YAML overrides.

Pure: no I/O except reading the override files (validated with pydantic), no outside SDKs.

The layouts we read, each seen in real council agendas (tests/fixtures/agendas holds one of each):

    1. Apologies for absence          copied from a modern.gov page, number on its own line:
    2) Declarations of interest           1.
    Item 5a - Planning application        Apologies for absence
    1 Notice of Recording (CMIS)          2.
    <ol><li><p>Minutes</p></li></ol>      Minutes pdf icon PDF 100 KB
    Word/Outlook: <p class=MsoListParagraph><span>1.<span>&nbsp;</span></span>Apologies</p>

Sub-items are kept as items: "5a", "5(a)" (both read "5a"), "5.1", "17(6)", "77/21", "20/1", and a
bare "(a)", "a.", "(i)" or "(1)" under the item above it ("5a", "5(i)", "5(1)"); a bare list starts
at its first member, and a list restarted inside a sub-item is that sub-item's text. An agenda
numbered only "(a) (b)" or "i. ii." has those as its items ("a", "ii"). "1:" reads as "1".

Which numbered lines are items: one layout per body (numbers on their own line, or inline), and
item numbers only go up. A number that does not go up ("1. To note the report" inside item 5) is
a step in that item's text, as is a run of numbers that a later, fitting number shows to be nested
(recommendations 5 and 6 inside item 4, before the real item 5).

Which items are armed, read as a clerk reads the agenda (issue 22). An armed item goes private
when reached unless the meeting resolves to stay public; ParsedAgenda never decides that.
 - A private heading ("Part 2", "Part II", "Part B", "Non-Public Agenda", "Private business",
   "Not for publication", "Items which the press and public are likely to be excluded from", ...)
   arms what follows it, until an explicit return to public: a heading "Part 1", "Part A",
   "Public items", or "Readmission/Inclusion of the press and public". A "Part 2" heading that
   says public ("PART 2 - PUBLIC INVOLVEMENT") is part of the public business. Statutory wording
   ("paragraph 3 of Part 1 of Schedule 12A", "Chapter 2, Part 2 of the Constitution") never opens
   or ends a section.
 - A definite exclusion motion ("That under Section 100A(4) ... the public be excluded for the
   following items") arms the items after it until a return; "the following item" only the next
   one; a motion that names items ("items 13 and 14") arms exactly those. The motion item itself
   is public: it is moved in public.
 - A motion that only considers or identifies ("(c) Exclusion of Press and Public: to consider
   whether ...", "Exempt information - possible exclusion ...", "to identify items where
   resolutions may be moved") arms nothing by itself: it applies what it names (an appendix of
   item 6 -> item 6 is a public item with an exempt appendix; a whole item -> that item is armed),
   defers to a Part 2 heading when it says so, and arms nothing before opening business (minutes,
   declarations, questions). Only when it sits just before the business it is about (late in
   the agenda, "the following item(s)", "the remainder of the meeting", or a return to public
   after it) does it arm what follows.
 - "Notice of intention to conduct business in private" and "Admission of the public" are notices:
   they arm nothing, not even themselves.
 - An item whose own title or text marks it exempt ("(exempt: paragraph 3 of Schedule 12A)",
   "Confidential", "this item will be closed to the public", "the submitted exempt report") arms
   only itself. An item whose title or text only mentions an exempt appendix is a public item with
   an exempt appendix (AgendaItem.appendix): not armed.
 - Wording that truly cannot be placed (an exempt marking after a heading, exclusion wording
   before the first item) arms what follows, and ParsedAgenda.warnings says why.
Each armed or appendix item carries a short reason ("marked exempt (paragraph 3)", "under the
heading 'Part 2'", "after the exclusion motion, item 12", "exempt appendix named in item 3
(paragraph 3)"), the Schedule 12A paragraphs cited (AgendaItem.paragraphs) and whether the agenda
withheld its title (AgendaItem.withheld). Reasons and warnings name item numbers and headings,
never an item's title.
"""

from __future__ import annotations

from dataclasses import dataclass

from meetstream.core.agenda.exemption import ExemptionWalk, WalkedItem, exempt_summary
from meetstream.core.agenda.lines import _lines, body_lines
from meetstream.core.agenda.numbering import _pick_items
from meetstream.core.domain import AgendaItem

__all__ = ["NO_AGENDA", "ParsedAgenda", "body_lines", "exempt_summary", "parse_agenda"]

NO_AGENDA = "the event body has no numbered agenda (add one, or an agenda YAML file)"


@dataclass(frozen=True)
class ParsedAgenda:
    items: tuple[AgendaItem, ...]
    warnings: tuple[str, ...] = ()


def parse_agenda(content: str | None, content_type: str | None = "html") -> ParsedAgenda:
    """Numbered agenda items from an event body, armed and appendix items marked, each with a reason."""
    lines = _lines(content, content_type)
    if not lines:
        return ParsedAgenda(())
    picks, warnings = _pick_items(lines)
    if not picks:
        return ParsedAgenda((), (NO_AGENDA,))
    by_line = {p.line: p for p in picks}
    titles = {p.title_line for p in picks if p.title_line is not None}
    walk = ExemptionWalk()
    for i, line in enumerate(lines):
        if i in by_line:
            p = by_line[i]
            walk.item(WalkedItem(p.number, p.title, p.major))
        elif i not in titles:
            walk.line(line.text)
    items = walk.finish()
    return ParsedAgenda(items, tuple(warnings + walk.warnings))
