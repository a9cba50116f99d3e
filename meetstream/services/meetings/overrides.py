"""Agenda YAML overrides: an officer's file that replaces or corrects a meeting's agenda; the one
way to make an item public by hand. The files are read and checked here (pydantic); the core gets
meetstream.core.agenda.overrides.AgendaOverride."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from meetstream.core.agenda.exemption import ExemptionWalk, WalkedItem
from meetstream.core.agenda.marks import _ITEM
from meetstream.core.agenda.numbering import _composite, _label
from meetstream.core.agenda.overrides import AgendaOverride
from meetstream.errors import ConfigError


def load_overrides(path: Path | None) -> list[AgendaOverride]:
    """Every agenda override in `path`: a YAML file, or a directory of them.

    A file is one agenda or a list of them:

        meeting: AAMkAGI2...        # the event id (or iCalUId), or instead:
        committee: Planning Committee
        date: 2026-12-03
        items:
          - "1. Apologies for absence"
          - "6. Exclusion of the press and public"      # read as the parser reads a body:
          - "7. Land at Station Road"                   #   after the motion, so exempt
          - {number: "8", title: "Local plan update", exempt: false}   # explicitly public
          - {number: "9", title: "Staffing", exempt: true}              # explicitly exempt

    A file named after the event id needs no `meeting:` line.
    """
    if path is None:
        return []
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
    elif path.exists():
        files = [path]
    else:
        raise ConfigError(f"{path}: agenda file or directory not found (check `agendas: overrides:` in meetstream.yaml)")
    out: list[AgendaOverride] = []
    for f in files:
        out.extend(_load_override_file(f, default_meeting=f.stem if path.is_dir() else None))
    return out


class _OverrideItem(BaseModel):
    """One item of an override: "5. Title" (read by the parser's rules), or {number, title, exempt}."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: str
    title: str
    exempt: bool | None = None  # None: the parser's title and motion rules decide

    @model_validator(mode="before")
    @classmethod
    def _text_or_mapping(cls, value):
        if isinstance(value, str):
            m = _ITEM.match(value.strip())
            if m is None:
                raise ValueError(f"{value!r} is not a numbered item (write \"5. Title\")")
            sub, kind = _composite(m)
            return {"number": _label(int(m.group("major")), sub, kind), "title": m.group("title").strip()}
        if isinstance(value, dict) and "number" in value and "title" in value:
            return value | {"number": str(value["number"]), "title": str(value["title"])}
        raise ValueError('an item is "5. Title" or {number, title, exempt}')

    @field_validator("exempt", mode="before")
    @classmethod
    def _flag(cls, value):
        if value is not None and not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value

    def walked(self) -> WalkedItem:
        major = re.match(r"\d+", self.number)
        return WalkedItem(self.number, self.title, int(major.group()) if major else 0, forced=self.exempt)


class _OverrideEntry(BaseModel):
    """One agenda in an override file: which meeting, and its items."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    meeting: str | None = None  # a Graph event id or iCalUId
    committee: str | None = None
    on: date | None = Field(None, alias="date")
    items: list[_OverrideItem] = Field(None, validate_default=True)

    @field_validator("meeting", "committee", mode="before")
    @classmethod
    def _text(cls, value):
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    @field_validator("on", mode="before")
    @classmethod
    def _day(cls, value):
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD)") from None
        return value

    @field_validator("items", mode="before")
    @classmethod
    def _some(cls, value):
        if not isinstance(value, list) or not value:
            raise ValueError("needs a non-empty `items:` list")
        return value


def _load_override_file(path: Path, default_meeting: str | None) -> list[AgendaOverride]:
    from meetstream.yamlfile import load_yaml

    doc = load_yaml(path)
    data = doc.data
    many = isinstance(data, list)
    raw = data if many else [data]
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise doc.error((i,) if many else (), "expected a mapping with `items:` and `meeting:` or `committee:` + `date:`")
    try:
        entries = TypeAdapter(list[_OverrideEntry]).validate_python(data) if many else [_OverrideEntry.model_validate(data)]
    except ValidationError as err:
        raise _invalid(doc, err) from None
    out = []
    for i, entry in enumerate(entries):
        loc: tuple = (i,) if many else ()
        meeting, committee, on = entry.meeting, entry.committee, entry.on
        if meeting is None and committee is None:
            if default_meeting is None or len(entries) > 1:
                raise doc.error(loc, "say which meeting: `meeting: <event id>` or `committee:` and `date:`")
            meeting = default_meeting
        if meeting is None and on is None:
            raise doc.error(loc + ("date",) if "date" in raw[i] else loc, "`committee:` needs a `date:` (YYYY-MM-DD)")
        walk = ExemptionWalk()
        for item in entry.items:
            walk.item(item.walked())
        line = doc.line_of(loc)
        out.append(
            AgendaOverride(
                source=f"{path}:{line}" if line else str(path),
                items=walk.finish(),
                public=tuple(i.number for i in entry.items if i.exempt is False),
                meeting=meeting,
                committee=committee if meeting is None else None,
                on=on if meeting is None else None,
            )
        )
    return out


def _invalid(doc, err: ValidationError):
    """pydantic's first complaint as one line naming file, line and field; an unknown field says
    which fields there are."""
    from meetstream.yamlfile import pydantic_error

    unknown = [e for e in err.errors() if e["type"] == "extra_forbidden"]  # a misspelt field explains the rest
    first = (unknown or err.errors())[0]
    loc = tuple(first["loc"])
    if first["type"] == "extra_forbidden":
        in_item = len(loc) >= 3 and loc[-3] == "items"
        return doc.error(loc, "unknown field (use number, title, exempt)" if in_item else "unknown field (use meeting, committee, date, items)")
    return pydantic_error(doc, err)
