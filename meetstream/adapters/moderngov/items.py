"""A modern.gov meeting's items -> meetstream.core.domain.AgendaItem, exempt where either says so.

Pure. An item is exempt when modern.gov marks it (the item is restricted, or any of its papers is),
or when meetstream's own text rules (meetstream.core.agenda) find it exempt: its title or text cites
Schedule 12A, it follows an exclusion motion or a private heading, ... Failing safe, the two are
never weighed against each other: either is enough. The reason kept is modern.gov's when modern.gov
marks it, since that is the council's own record; otherwise the text rule's.

Reasons never carry an item's title (they are shown and logged): modern.gov's own reason text is
kept only in a short, title-free form.
"""

from __future__ import annotations

import re

# The text rules are agenda.py's, walked item by item as the agenda YAML overrides are (agenda.py's
# _load_override_file): modern.gov already tells us where every item starts, so there is nothing to
# guess from a body, only the exemption rules to apply. These are private names of agenda.py; a
# public entry point there (items + their text lines -> ParsedAgenda) would be the cleaner seam.
from meetstream.core.agenda import ParsedAgenda, body_lines
from meetstream.core.agenda.exemption import ExemptionWalk, WalkedItem
from meetstream.core.domain import AgendaItem
from meetstream.adapters.moderngov.model import ModernGovItem, ModernGovMeeting

MARKED = "modern.gov marks it exempt"
PAPERS = "modern.gov marks a paper for it exempt (an exempt appendix: treated as exempt)"
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
    walk.finish()
    warnings.extend(walk.warnings)
    items = []
    for it, walked in kept:
        reason = _moderngov_reason(it)
        if reason is not None:
            items.append(AgendaItem(it.number, it.title, True, reason))
        elif walked.exempt:
            items.append(AgendaItem(it.number, it.title, True, walked.reason))
        else:
            items.append(AgendaItem(it.number, it.title, False, None))
    if meeting.items and not items:
        warnings.append("modern.gov lists no numbered agenda item for this meeting")
    return ParsedAgenda(tuple(items), tuple(warnings))


def _ordered(items: tuple[ModernGovItem, ...]) -> bool:
    # agendaitemnumber is modern.gov's running order; the XML is in that order already in every
    # response we have seen, so sort by it only when every item has one.
    return bool(items) and all(i.order > 0 for i in items)


def _moderngov_reason(it: ModernGovItem) -> str | None:
    if it.restricted:
        detail = _short(it.restriction)
        return f"{MARKED} ({detail})" if detail else MARKED
    if it.restricted_papers:
        return PAPERS
    return None


def _short(text: str | None) -> str | None:
    # A restriction reference is a paragraph number or a few words ("Paragraph 3"); anything longer
    # or odd might quote the report, and reasons are shown where titles are not.
    if not text:
        return None
    t = " ".join(text.split())
    return t if _REASON_TEXT.match(t) else None
