"""The council's roster file (roster: in meetstream.yaml): members' titles, roles and wards, read
and checked here (pydantic); the core gets meetstream.core.roster.Roster."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from meetstream.core.domain import Member
from meetstream.core.roster import Roster, RosterEntry


class _MemberEntry(BaseModel):
    """One member as the roster file has it (checked here, at the boundary)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    email: str | None = None
    title: str | None = None
    role: str | None = None
    roles: dict[str, str] = {}
    ward: str | None = None
    party: str | None = None
    teams_name: str | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("every member needs a `name:`")
        return " ".join(value.split())

    @field_validator("email")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and "@" not in value:
            raise ValueError(f"{value!r} is not an email address")
        return value

    @field_validator("roles", mode="before")
    @classmethod
    def _pairs(cls, value):
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ValueError("expected committee: role pairs, e.g. `Planning Committee: Chair`")
        return value


class _RosterFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    members: list[_MemberEntry]


def load_roster(path: Path | None) -> Roster:
    """The roster at `path`, or an empty one when no roster is configured."""
    if path is None:
        return Roster()
    from meetstream.yamlfile import load_yaml

    doc = load_yaml(path)
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("members"), list):
        raise doc.error((), "expected `members:` with a list of members (name, email, title, role, ward, party)")
    try:
        roster = _RosterFile.model_validate(doc.data)
    except ValidationError as err:
        raise _invalid(doc, err) from None
    entries = []
    seen_email: dict[str, int] = {}
    for i, m in enumerate(roster.members):
        if m.email is not None:
            if m.email.casefold() in seen_email:
                raise doc.error(("members", i, "email"), f"{m.email} is also member {seen_email[m.email.casefold()] + 1} of the roster")
            seen_email[m.email.casefold()] = i
        member = Member(name=m.name, email=m.email, title=m.title, role=m.role, ward=m.ward, party=m.party, teams_name=m.teams_name)
        entries.append(RosterEntry(member, dict(m.roles)))
    return Roster(tuple(entries), source=path)


def _invalid(doc, err: ValidationError):
    """pydantic's first complaint as one line naming file, line and field; an unknown field says
    which fields there are."""
    from meetstream.yamlfile import pydantic_error

    unknown = [e for e in err.errors() if e["type"] == "extra_forbidden"]  # a misspelt field explains the rest
    first = (unknown or err.errors())[0]
    kind, loc = first["type"], tuple(first["loc"])
    if kind == "extra_forbidden":
        known = "members" if len(loc) == 1 else ", ".join(_MemberEntry.model_fields)
        return doc.error(loc, f"unknown field (use {known})")
    if kind == "model_type":
        return doc.error(loc, "each member is a mapping with at least `name:`")
    if kind == "missing" and loc[-1] == "name":
        return doc.error(loc[:-1], "every member needs a `name:`")
    return pydantic_error(doc, err)
