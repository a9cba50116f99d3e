"""A cell a spreadsheet reads as text: the minutes' CSV and the report's are opened in Excel.

A cell beginning = + - @ (or a tab or carriage return) is a formula to a spreadsheet, so a motion
typed as "=HYPERLINK(…)" would run when the clerk opens the file (OWASP: CSV injection). Such a
cell is written with a leading apostrophe, which the spreadsheet shows as the text itself.
"""

from __future__ import annotations

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """`value` as a spreadsheet-safe cell: numbers as they are, text never a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value
