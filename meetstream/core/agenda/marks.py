"""The shapes of an agenda item's number, shared by the readers of lines, numbers and overrides."""

from __future__ import annotations

import re

_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]

_NUM = r"""(?P<major>\d{1,3})(?!\d)
    (?: \.(?P<dot>\d{1,2})(?!\d)
      | \s?\((?P<paren>[a-z]{1,4}|\d{1,2})\)
      | (?P<letter>[a-z])(?![a-z])
      | /(?P<year>\d{1,2})(?!\d) )?"""
_PREFIX = r"(?:(?:agenda\s+)?item\s+)?"
_ITEM = re.compile(rf"^{_PREFIX}{_NUM}\s*(?P<punct>[.):]|\s[-–—])?\s+(?P<title>\S.*)$", re.I | re.X)
_ALONE = re.compile(rf"^{_PREFIX}{_NUM}\s*(?P<punct>[.):])?$", re.I | re.X)
# Bare sub-items: "(a)", "(ii)", "(1)", "a.", "b)", "iv." (a plain "1)" is an item, not a sub-item)
_SUB = re.compile(r"^(?:\((?P<p>[a-z]|[ivx]{2,4}|\d{1,2})\)|(?P<d>[a-z]|[ivx]{2,4})[.)])(?:\s+(?P<title>\S.*))?$", re.I)
