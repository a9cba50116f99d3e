"""Agenda items from a calendar event's body (HTML or plain text), and agenda YAML overrides.

Pure: no I/O except reading the override files, no outside SDKs.

What a council agenda in an invitation looks like, in the shapes we accept:

    1. Apologies for absence               <ol><li>Apologies for absence</li>...</ol>
    2) Declarations of interest            <p>5a. Minutes of the last meeting</p>
    Item 5a - Planning application         <h3>Part 2 (exempt)</h3>

Everything after a heading line that says "Part 2", "Part II" or "Private session" (or "exclusion
of the press and public") is exempt, as is any item whose own title says "exempt" or cites
Schedule 12A of the Local Government Act 1972. Exemption is the safe default: when in doubt an
item is marked exempt, because an exempt title must never reach the stream.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from meetstream.domain import AgendaItem
from meetstream.errors import ConfigError

# "1.", "1)", "5a.", "5(a)", "Item 5a -", "5.1"
_ITEM = re.compile(
    r"""^\s*(?:item\s+)?
        (?P<num>\d{1,3}(?:\.\d{1,2})?(?:\s?\(?[a-z]\)?)?)
        \s*(?:[.):\-–—]|\s-\s)?\s+
        (?P<title>\S.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
_PART2 = re.compile(
    r"\bpart\s*(?:2|ii|two)\b|\bprivate\s+session\b|\bexclusion\s+of\s+(?:the\s+)?(?:press|public)\b|\bconfidential\s+items?\b",
    re.IGNORECASE,
)
_PART1 = re.compile(r"\bpart\s*(?:1|i|one)\b(?!\s*\d)", re.IGNORECASE)
_EXEMPT_TITLE = re.compile(r"\bexempt\b|\bschedule\s+12a\b|\bnot\s+for\s+publication\b", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedAgenda:
    items: tuple[AgendaItem, ...]
    warnings: tuple[str, ...] = ()


class _HtmlLines(HTMLParser):
    """HTML -> text lines; <ol><li> becomes "N. text" so numbered lists keep their numbers."""

    _BLOCK = {"p", "div", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ol", "ul", "table", "section"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._buf: list[str] = []
        self._lists: list[list] = []  # stack of [kind, next number]
        self._skip = 0  # inside <style>/<script>/<head>

    def _flush(self):
        text = " ".join("".join(self._buf).split())
        if text:
            self.lines.append(text)
        self._buf = []

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head", "title"):
            self._skip += 1
            return
        if tag in self._BLOCK:
            self._flush()
        if tag == "ol":
            start = dict(attrs).get("start") or "1"
            self._lists.append(["ol", int(start) if str(start).isdigit() else 1])
        elif tag == "ul":
            self._lists.append(["ul", 0])
        elif tag == "li" and self._lists and self._lists[-1][0] == "ol":
            self._buf.append(f"\x00{self._lists[-1][1]}\x00")
            self._lists[-1][1] += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "title"):
            self._skip = max(0, self._skip - 1)
            return
        if tag in self._BLOCK:
            self._flush()
        if tag in ("ol", "ul") and self._lists:
            self._lists.pop()

    def handle_data(self, data):
        if not self._skip:
            self._buf.append(data)

    def close(self):
        super().close()
        self._flush()


def body_lines(content: str | None, content_type: str | None = "html") -> list[str]:
    """The body as text lines, whatever Graph sent (HTML by default, or text)."""
    if not content or not content.strip():
        return []
    looks_html = (content_type or "").lower() == "html" or bool(re.search(r"<(html|body|p|div|ol|li|br)\b", content, re.I))
    if not looks_html:
        return [" ".join(line.split()) for line in html.unescape(content).splitlines() if line.strip()]
    parser = _HtmlLines()
    parser.feed(content)
    parser.close()
    out = []
    for line in parser.lines:
        # An <ol> number: keep the number the text already carries, else use the list's own.
        m = re.match(r"^\x00(\d+)\x00\s*(.*)$", line)
        if m:
            number, rest = m.groups()
            line = rest if _ITEM.match(rest) else f"{number}. {rest}"
        out.append(line.replace("\x00", ""))
    return out


def parse_agenda(content: str | None, content_type: str | None = "html") -> ParsedAgenda:
    """Numbered agenda items from an event body, with Part 2 (exempt) items marked."""
    lines = body_lines(content, content_type)
    items: list[AgendaItem] = []
    warnings: list[str] = []
    exempt_section = False
    seen: set[str] = set()
    for line in lines:
        m = _ITEM.match(line)
        if m is None:
            if _PART2.search(line):
                exempt_section = True
            elif _PART1.search(line) and not _PART2.search(line):
                exempt_section = False
            continue
        number = re.sub(r"[\s()]", "", m.group("num")).lower()
        title = m.group("title").strip().rstrip(".").strip()
        if not title:
            continue
        if _looks_like_time_or_date(m.group("num"), title):
            continue
        exempt = exempt_section or bool(_EXEMPT_TITLE.search(title))
        if _PART2.search(title) and not _EXEMPT_TITLE.search(title):
            # "Exclusion of the press and public" is itself a public item; what follows is exempt.
            exempt_section = True
        if number in seen:
            warnings.append(f"agenda item {number} appears twice in the body; the second is kept as {number}.{len(items) + 1}")
            number = f"{number}.{len(items) + 1}"
        seen.add(number)
        items.append(AgendaItem(number=number, title=title, exempt=exempt))
    if lines and not items:
        warnings.append("the event body has no numbered agenda (add one, or an agenda YAML file)")
    return ParsedAgenda(tuple(items), tuple(warnings))


def _looks_like_time_or_date(num: str, title: str) -> bool:
    # "18.30 in the Council Chamber" or "10 December 2026" are not items.
    if re.match(r"^\d{1,2}\.\d{2}$", num) and re.match(r"^(?:pm|am)\b", title, re.I):
        return True
    months = "january|february|march|april|may|june|july|august|september|october|november|december"
    return bool(re.match(rf"^(?:{months})\s+\d{{4}}\b", title, re.I))


# --- agenda YAML overrides -------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaOverride:
    source: str  # "file:line", for messages
    items: tuple[AgendaItem, ...]
    meeting: str | None = None  # a Graph event id or iCalUId
    committee: str | None = None
    on: date | None = None

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
          - {number: "7", title: "Land at Station Road", exempt: true}

    A file named after the event id needs no `meeting:` line.
    """
    if path is None:
        return []
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
    elif path.exists():
        files = [path]
    else:
        raise ConfigError(f"{path}: agenda file or directory not found (check `agendas:` in meetstream.yaml)")
    out: list[AgendaOverride] = []
    for f in files:
        out.extend(_load_override_file(f, default_meeting=f.stem if path.is_dir() else None))
    return out


def _load_override_file(path: Path, default_meeting: str | None) -> list[AgendaOverride]:
    from meetstream.yamlfile import load_yaml

    doc = load_yaml(path)
    data = doc.data
    entries = data if isinstance(data, list) else [data]
    out = []
    for i, entry in enumerate(entries):
        loc: tuple = (i,) if isinstance(data, list) else ()
        if not isinstance(entry, dict):
            raise doc.error(loc, "expected a mapping with `items:` and `meeting:` or `committee:` + `date:`")
        unknown = set(entry) - {"meeting", "committee", "date", "items"}
        if unknown:
            raise doc.error(loc + (sorted(unknown)[0],), "unknown field (use meeting, committee, date, items)")
        meeting = entry.get("meeting")
        committee, on = entry.get("committee"), entry.get("date")
        if meeting is None and committee is None:
            if default_meeting is None or len(entries) > 1:
                raise doc.error(loc, "say which meeting: `meeting: <event id>` or `committee:` and `date:`")
            meeting = default_meeting
        if meeting is None:
            if isinstance(on, str):
                try:
                    on = date.fromisoformat(on)
                except ValueError:
                    raise doc.error(loc + ("date",), f"{on!r} is not a date (use YYYY-MM-DD)") from None
            if not isinstance(on, date):
                raise doc.error(loc + ("date",) if "date" in entry else loc, "`committee:` needs a `date:` (YYYY-MM-DD)")
        items = entry.get("items")
        if not isinstance(items, list) or not items:
            raise doc.error(loc + ("items",) if "items" in entry else loc, "needs a non-empty `items:` list")
        parsed = []
        for j, it in enumerate(items):
            iloc = loc + ("items", j)
            if isinstance(it, str):
                m = _ITEM.match(it)
                if m is None:
                    raise doc.error(iloc, f"{it!r} is not a numbered item (write \"5. Title\")")
                number = re.sub(r"[\s()]", "", m.group("num")).lower()
                title = m.group("title").strip()
                parsed.append(AgendaItem(number, title, exempt=bool(_EXEMPT_TITLE.search(title))))
            elif isinstance(it, dict) and "number" in it and "title" in it:
                bad = set(it) - {"number", "title", "exempt"}
                if bad:
                    raise doc.error(iloc + (sorted(bad)[0],), "unknown field (use number, title, exempt)")
                exempt = it.get("exempt", False)
                if not isinstance(exempt, bool):
                    raise doc.error(iloc + ("exempt",), "must be true or false")
                parsed.append(AgendaItem(str(it["number"]), str(it["title"]), exempt))
            else:
                raise doc.error(iloc, "an item is \"5. Title\" or {number, title, exempt}")
        line = doc.line_of(loc)
        out.append(
            AgendaOverride(
                source=f"{path}:{line}" if line else str(path),
                items=tuple(parsed),
                meeting=str(meeting) if meeting is not None else None,
                committee=str(committee) if committee is not None and meeting is None else None,
                on=on if meeting is None else None,
            )
        )
    return out
