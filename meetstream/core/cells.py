"""Text fit for where it goes: a cell a spreadsheet reads as text (the minutes' CSV and the
report's are opened in Excel), and text with no control characters (RFC 5545 forbids them in an
iCalendar TEXT value; a NUL in a page is no better).

A cell beginning = + - @ (or a tab or carriage return) is a formula to a spreadsheet, so a motion
typed as "=HYPERLINK(…)" would run when the clerk opens the file (OWASP: CSV injection). Such a
cell is written with a leading apostrophe, which the spreadsheet shows as the text itself.
"""

from __future__ import annotations

import re

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """`value` as a spreadsheet-safe cell: numbers as they are, text never a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(value):
    """`value` without control characters (tabs and line breaks kept); anything not text as it is."""
    return _CONTROLS.sub("", value) if isinstance(value, str) else value


def blank(text: str) -> bool:
    """Nothing anyone could read: empty, spaces, or only invisible format characters (zero-width
    spaces and joiners, direction marks and overrides: Unicode category Cf)."""
    import unicodedata

    return not any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in text)
