"""A modern.gov meeting's items -> meetstream.core.domain.AgendaItem, read as a clerk reads them.

Pure. An item is armed when modern.gov marks the item itself restricted, or when meetstream's own
text rules (meetstream.core.agenda) arm it: its title or text marks it exempt, it follows a
definite exclusion motion or a private heading, a motion names it. An item that is not restricted
but has a restricted paper is a public item with an exempt appendix (appendix=True, not armed),
as is one whose text or title only says its appendix is exempt. The reason kept is modern.gov's
when modern.gov marks it, since that is the council's own record; otherwise the text rule's.

Reasons never carry an item's title (they are shown and logged): modern.gov's own reason text is
kept only in a short, title-free form.
"""

from __future__ import annotations

import re
from dataclasses import replace

# The text rules are agenda.py's, walked item by item as the agenda YAML overrides are (agenda.py's
# _load_override_file): modern.gov already tells us where every item starts, so there is nothing to
# guess from a body, only the exemption rules to apply. These are private names of agenda.py; a
# public entry point there (items + their text lines -> ParsedAgenda) would be the cleaner seam.
from meetstream.core.agenda import ParsedAgenda, body_lines
from meetstream.core.agenda.exemption import ExemptionWalk, WalkedItem
from meetstream.adapters.moderngov.model import ModernGovItem, ModernGovMeeting

MARKED = "modern.gov marks it exempt"
PAPERS = "modern.gov marks a paper for it exempt (exempt appendix)"
_REASON_TEXT = re.compile(r"^[\w\s,.;:()/&'-]{1,60}$")


def to_agenda(meeting: ModernGovMeeting) -> ParsedAgenda:
    """The meeting's agenda as meetstream's AgendaItems, with warnings for the officer. Withdrawn
    items are left out (named in a warning); items with no number are headings and are read as
    headings ("Part 2 ...", "Exempt items")."""
    walk = ExemptionWalk()
    kept: list[tuple[ModernGovItem, WalkedItem]] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for it in sorted(meeting.items, key=lambda i: i.order) if _ordered(meeting.items) else meeting.items:
        if not it.number:
            # A numberless entry is a heading or a note; its words may open or close the private
            # part ("PART B - items likely to be considered in private"), so walk it as a line.
            walk.line(it.title)
            for line in body_lines(it.text):
                walk.line(line)
            if it.restricted or it.restricted_papers:
                warnings.append(f"an unnumbered entry is marked exempt by modern.gov (after item "
                                f"{kept[-1][0].number if kept else 0}); check the items near it")
            continue
        if it.withdrawn:
            warnings.append(f"item {it.number} is withdrawn; it is left out")
            continue
        if it.number.casefold() in seen:
            warnings.append(f"item number {it.number} appears twice in modern.gov; both are kept")
        seen.add(it.number.casefold())
        major = re.match(r"\d+", it.number)
        walked = WalkedItem(it.number, it.title, int(major.group()) if major else 0)
        walk.item(walked)
        for line in body_lines(it.text):
            walk.line(line)
        kept.append((it, walked))
    read = dict(zip((id(w) for _, w in kept), walk.finish()))
    warnings.extend(walk.warnings)
    items = []
    for it, walked in kept:
        text = read[id(walked)]
        if it.restricted:
            paras = tuple(re.findall(r"\d{1,2}", it.restriction or "")) if re.search(r"para", it.restriction or "", re.I) else ()
            items.append(replace(text, exempt=True, reason=_moderngov_reason(it), appendix=False,
                                 paragraphs=paras or text.paragraphs))
        elif text.exempt or text.appendix:
            items.append(text)
        elif it.restricted_papers:
            items.append(replace(text, appendix=True, reason=PAPERS))
        else:
            items.append(text)
    if meeting.items and not items:
        warnings.append("modern.gov lists no numbered agenda item for this meeting")
    return ParsedAgenda(tuple(items), tuple(warnings))


def _ordered(items: tuple[ModernGovItem, ...]) -> bool:
    # agendaitemnumber is modern.gov's running order; the XML is in that order already in every
    # response we have seen, so sort by it only when every item has one.
    return bool(items) and all(i.order > 0 for i in items)


def _moderngov_reason(it: ModernGovItem) -> str:
    detail = _short(it.restriction)
    return f"{MARKED} ({detail})" if detail else MARKED


def _short(text: str | None) -> str | None:
    # A restriction reference is a paragraph number or a few words ("Paragraph 3"); anything longer
    # or odd might quote the report, and reasons are shown where titles are not.
    if not text:
        return None
    t = " ".join(text.split())
    return t if _REASON_TEXT.match(t) else None
