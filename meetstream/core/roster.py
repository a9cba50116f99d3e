"""The roster: who the members are, for lower thirds. Pure: reads one YAML file (validated with
pydantic, errors naming file, line and field), no SDKs.

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
from pathlib import PurePath

from meetstream.core.domain import Member

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
    source: PurePath | None = None  # the file it was read from, for messages

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
