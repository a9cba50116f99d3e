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
    """Numbered agenda items from an event body, with exempt items marked and a reason for each."""
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
