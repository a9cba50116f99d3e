"""The roster: who the members are, for lower thirds. Pure: reads one YAML file, no SDKs.

    members:
      - name: Jane Smith
        email: jane.smith@example.gov.uk
        title: Cllr
        role: Member                   # default role
        roles:                         # role on a particular committee
          Planning Committee: Chair
        ward: Brimington North
        party: Labour
        teams_name: Smith, Jane (Cllr)  # how Teams shows them, if different

A calendar attendee is matched by email first, then by name (or Teams name), ignoring case and
spacing; "Cllr" in the attendee's display name is ignored when matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from meetstream.domain import Member

_FIELDS = {"name", "email", "title", "role", "roles", "ward", "party", "teams_name"}
_HONORIFIC = re.compile(r"^(?:cllr\.?|councillor|mr\.?|mrs\.?|ms\.?|dr\.?)\s+", re.IGNORECASE)


def _key(name: str) -> str:
    return " ".join(_HONORIFIC.sub("", name.strip()).split()).casefold()


@dataclass(frozen=True)
class RosterEntry:
    member: Member
    roles: dict[str, str] = field(default_factory=dict)

    def for_committee(self, committee: str | None) -> Member:
        if committee:
            for name, role in self.roles.items():
                if name.casefold() == committee.casefold():
                    return replace(self.member, role=role)
        return self.member


@dataclass(frozen=True)
class Roster:
    entries: tuple[RosterEntry, ...] = ()
    source: Path | None = None

    def find(self, name: str | None = None, email: str | None = None) -> RosterEntry | None:
        if email:
            for e in self.entries:
                if e.member.email and e.member.email.casefold() == email.strip().casefold():
                    return e
        if name:
            wanted = _key(name)
            for e in self.entries:
                names = [e.member.name, e.member.teams_name or ""]
                if any(n and _key(n) == wanted for n in names):
                    return e
        return None

    def member(self, name: str | None, email: str | None, committee: str | None = None) -> Member:
        """The attendee as a Member, enriched from the roster when they are on it."""
        entry = self.find(name, email)
        if entry is not None:
            m = entry.for_committee(committee)
            return replace(m, email=m.email or email)
        clean = _HONORIFIC.sub("", (name or email or "").strip()) or (email or "")
        title = "Cllr" if name and re.match(r"^(cllr|councillor)\b", name.strip(), re.I) else None
        return Member(name=clean, email=email, title=title)


def load_roster(path: Path | None) -> Roster:
    """The roster at `path`, or an empty one when no roster is configured."""
    if path is None:
        return Roster()
    from meetstream.yamlfile import load_yaml

    doc = load_yaml(path)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("members"), list):
        raise doc.error((), "expected `members:` with a list of members (name, email, title, role, ward, party)")
    entries = []
    seen_email: dict[str, int] = {}
    for i, raw in enumerate(data["members"]):
        loc = ("members", i)
        if not isinstance(raw, dict):
            raise doc.error(loc, "each member is a mapping with at least `name:`")
        unknown = set(raw) - _FIELDS
        if unknown:
            raise doc.error(loc + (sorted(unknown)[0],), f"unknown field (use {', '.join(sorted(_FIELDS))})")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise doc.error(loc + ("name",) if "name" in raw else loc, "every member needs a `name:`")
        for f in _FIELDS - {"roles"}:
            if f in raw and raw[f] is not None and not isinstance(raw[f], str):
                raise doc.error(loc + (f,), "must be text")
        email = raw.get("email")
        if email is not None:
            if "@" not in email:
                raise doc.error(loc + ("email",), f"{email!r} is not an email address")
            if email.casefold() in seen_email:
                raise doc.error(loc + ("email",), f"{email} is also member {seen_email[email.casefold()] + 1} of the roster")
            seen_email[email.casefold()] = i
        roles = raw.get("roles") or {}
        if not isinstance(roles, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in roles.items()):
            raise doc.error(loc + ("roles",), "expected committee: role pairs, e.g. `Planning Committee: Chair`")
        member = Member(
            name=" ".join(name.split()),
            email=email,
            title=raw.get("title"),
            role=raw.get("role"),
            ward=raw.get("ward"),
            party=raw.get("party"),
            teams_name=raw.get("teams_name"),
        )
        entries.append(RosterEntry(member, dict(roles)))
    return Roster(tuple(entries), source=path)
