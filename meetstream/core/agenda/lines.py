"""An event body (HTML from Outlook, Word or a modern.gov page, or plain text) as the lines a clerk
reads: list numbering made visible, indentation kept as depth. Pure."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from meetstream.core.agenda.marks import _ITEM, _ROMAN, _SUB

@dataclass(frozen=True)
class _Line:
    text: str
    depth: int = 0  # list nesting or indentation: numbered steps inside an item usually sit deeper




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
