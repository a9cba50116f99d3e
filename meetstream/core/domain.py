"""The plain data every part of meetstream shares. No I/O, no outside SDKs."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from datetime import datetime


def short_ref(meeting_id: str) -> str:
    """A six-character handle for a Graph id (they are 150 characters and share long prefixes)."""
    return hashlib.sha1(meeting_id.encode()).hexdigest()[:6]


@dataclass(frozen=True)
class AgendaItem:
    number: str  # "5", "5a": as printed on the agenda
    title: str
    exempt: bool = False  # Part 2: the public is excluded
    # Why an item is exempt, in a short phrase the officer can check ("after the exclusion motion,
    # item 5"); None for a public item. Defaulted so rows stored before it existed still load.
    reason: str | None = None
    # A public item whose only exempt part is an appendix: not armed; it goes private only if the
    # meeting resolves to exclude the public to discuss the appendix.
    appendix: bool = False
    paragraphs: tuple[str, ...] = ()  # the Schedule 12A paragraphs the agenda cites for it ("3")
    withheld: bool = False  # the agenda withholds the title (only the number may ever be shown)

    def __post_init__(self):
        if not isinstance(self.paragraphs, tuple):  # a list, as the store's JSON gives it back
            object.__setattr__(self, "paragraphs", tuple(self.paragraphs))

    @property
    def armed(self) -> bool:
        """Reaching it goes private unless the meeting resolves to stay public (`exempt` is the
        stored name of the same fact)."""
        return self.exempt

    def public_title(self) -> str:
        """What may be shown or published: an exempt item's title never is."""
        if self.exempt:
            return f"{self.number}. Exempt item (public excluded)"
        return f"{self.number}. {self.title}" if self.title.strip() else f"{self.number}."

    def open_title(self) -> str:
        """What the overlay shows of an armed item the meeting resolved to take in public: its
        title, or only its number where the agenda withheld the title."""
        return f"{self.number}." if self.withheld else f"{self.number}. {self.title}"


@dataclass(frozen=True)
class Member:
    name: str  # "Jane Smith"
    email: str | None = None
    title: str | None = None  # "Cllr"
    role: str | None = None  # "Chair"
    ward: str | None = None
    party: str | None = None
    teams_name: str | None = None  # how Teams shows them, if different

    def display_name(self) -> str:
        return f"{self.title} {self.name}" if self.title else self.name

    def lower_third(self) -> str:
        """'Cllr Jane Smith, Chair, Brimington North'."""
        parts = [self.display_name(), self.role, self.ward]
        return ", ".join(p for p in parts if p)

    def matches(self, query: str) -> bool:
        q = " ".join(query.split()).casefold()
        names = {self.name, self.display_name(), self.teams_name or "", self.email or ""}
        return any(q == n.casefold() for n in names if n)


@dataclass(frozen=True)
class Meeting:
    id: str  # Graph event id (or a local id for hand-made meetings)
    committee: str
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC
    room: str | None = None  # key into settings.rooms
    title: str | None = None  # the calendar subject as entered
    cancelled: bool = False
    webcast: bool = True
    join_url: str | None = None
    ical_uid: str | None = None
    location: str | None = None  # as the calendar had it
    agenda: tuple[AgendaItem, ...] = ()
    members: tuple[Member, ...] = ()
    warnings: tuple[str, ...] = ()
    # Where each fact came from when it was not all the calendar: (("agenda", "modern.gov meeting
    # 1234"), ("time", "modern.gov")). Empty: everything is the calendar's.
    sources: tuple[tuple[str, str], ...] = ()

    def source_of(self, fact: str) -> str | None:
        return dict(self.sources).get(fact)

    def item(self, number: str) -> AgendaItem:
        for it in self.agenda:
            if it.number.casefold() == str(number).strip().casefold():
                return it
        from meetstream.errors import NotFound

        known = ", ".join(i.number for i in self.agenda) or "none"
        raise NotFound(f"no agenda item {number!r} in {self.committee} (items: {known})")

    def member(self, query: str) -> Member:
        found = [m for m in self.members if m.matches(query)]
        if not found:  # a surname alone is how officers say it
            found = [m for m in self.members if m.name.split()[-1].casefold() == query.strip().casefold()]
        if len(found) == 1:
            return found[0]
        from meetstream.errors import BadInput, NotFound

        if not found:
            raise NotFound(f"no member {query!r} in {self.committee} (try `meetstream calendar list` for names)")
        names = ", ".join(m.display_name() for m in found)
        raise BadInput(f"{query!r} matches more than one member ({names}); use the full name")


class TimelineKind(enum.StrEnum):
    """What a timeline entry records (the store keeps the value)."""

    START = "start"
    HOLDING = "holding"
    CHAMBER = "chamber"
    GALLERY = "gallery"
    AGENDA = "agenda"
    SPEAKER = "speaker"
    ITEM = "item"
    PRIVATE = "private"
    PUBLIC = "public"
    RECESS = "recess"
    RESUME = "resume"
    ADJOURNED = "adjourned"
    VOTE = "vote"
    RESOLUTION = "resolution"  # the meeting resolved to exclude the public, or to stay public
    AUTO = "auto"  # the automatic director turned on or off (its own shots carry detail "auto")
    INCIDENT = "incident"
    END = "end"


class SessionState(str, enum.Enum):
    OFF_AIR = "off_air"
    HOLDING = "holding"
    ON_AIR = "on_air"
    PRIVATE = "private"
    RECESS = "recess"
    ADJOURNED = "adjourned"


@dataclass(frozen=True)
class Broadcast:
    meeting_id: str
    broadcast_id: str
    stream_id: str | None
    title: str
    scheduled_start: datetime
    privacy: str
    life_cycle_status: str = "created"
    fingerprint: str = ""  # hash of what we last wrote, so an unchanged meeting costs nothing


@dataclass(frozen=True)
class TimelineEntry:
    meeting_id: str
    at: datetime  # aware, UTC
    kind: str  # start, item, speaker, private, public, recess, resume, chamber, incident, end, ...
    item_number: str | None = None
    detail: dict = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True)
class Vote:
    """A vote recorded on an agenda item: what the minutes need (meetstream.core.votes checks it)."""

    meeting_id: str
    item_number: str
    motion: str
    votes_for: int
    against: int
    abstain: int
    result: str  # carried | lost | carried_casting | lost_casting (the chair's casting vote)
    named: tuple[tuple[str, str], ...] = ()  # (member's name, "for" | "against" | "abstain"), as recorded
    at: datetime | None = None  # aware, UTC
    id: int | None = None


@dataclass(frozen=True)
class Letter:
    """An email to one member (their Teams join link), as the calendar adapter sends it."""

    to: str  # email address
    name: str
    subject: str
    html: str
