"""meetstream.yaml -> validated settings.

Lookup order for the config file (first found wins):
  1. `--config PATH` on the command line
  2. the MEETSTREAM_CONFIG environment variable
  3. ./meetstream.yaml in the working directory
  4. meetstream.yaml in the user's config dir (platformdirs: ~/.config/meetstream on Linux)

Relative paths inside the file (scene sets, roster, agendas) are relative to the file itself.
Secrets are never read from the file: see meetstream.secrets.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from meetstream.chamber_config import ChamberConfig
from meetstream.errors import ConfigError
from meetstream.yamlfile import load_yaml, pydantic_error

CONFIG_NAME = "meetstream.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ObsSettings(_Model):
    host: str = "127.0.0.1"
    port: int = Field(4455, ge=1, le=65535)
    # The password itself comes from this environment variable or the OS keyring.
    password_env: str = "MEETSTREAM_OBS_PASSWORD"
    timeout: float = Field(5.0, gt=0, le=300)


class StandingOrderConfig(_Model):
    """The council's own rule for a webcast that fails mid-meeting (many adopted one after May 2020:
    the chair adjourns when the stream is not back within N minutes). `words` is what every
    surface shows once the stream has been down that long; {minutes} is replaced by `minutes`."""

    minutes: float = Field(gt=0, le=600)  # a fraction is allowed (tests, rehearsals): 0.5 = 30 s
    words: str = Field(min_length=1, max_length=500)

    @field_validator("words")
    @classmethod
    def _only_known_fields(cls, value: str) -> str:
        import string

        if not value.strip():
            raise ValueError("the words to show are empty")
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(value) if f is not None]
        except ValueError as err:
            raise ValueError(f"the words have a stray brace ({err}): write {{{{ or }}}} for a brace itself") from None
        unknown = [f for f in fields if f != "minutes"]
        if unknown:
            raise ValueError(f"the words may use {{minutes}} only, not {{{unknown[0]}}}")
        return value

    def text(self) -> str:
        return self.words.format(minutes=f"{self.minutes:g}")


class RoomConfig(_Model):
    name: str
    # Calendar location names that mean this room (Graph's location.displayName).
    locations: list[str] = []
    obs: ObsSettings = ObsSettings()
    scene_set: Path
    resolution: Literal["240p", "360p", "480p", "720p", "1080p", "1440p", "2160p", "variable"] = "1080p"
    frame_rate: Literal["30fps", "60fps", "variable"] = "30fps"
    # OBS records the meeting locally while it is on air (the archive's backup: `meetstream recover`).
    # On by default; `start --no-record` goes on air without it for one night.
    record_backup: bool = True
    # The recording's size for the free-space check before going on air: MB a minute, or None to take it
    # from OBS's profile (simple output mode, recording quality "same as stream": video + audio bitrate).
    recording_mb_per_minute: float | None = Field(None, gt=0, le=100_000)
    # Added to the meeting's scheduled length: meetings overrun.
    recording_margin: float = Field(0.5, ge=0, le=10)
    # Left free on the recording's disk besides the meeting (the state store and the OS live there too).
    recording_reserve_mb: float = Field(1024, ge=0)
    # On air, warn when the free space holds fewer than this many minutes more of recording.
    recording_warn_minutes: float = Field(30, ge=0)
    # A second ingest (services.relay): a local ffmpeg relay takes OBS's output and pushes it, stream
    # copied, to both of YouTube's ingestion addresses (primary and backup). Doubles upload bandwidth.
    backup_ingest: bool = False
    # The standing order on webcast failure (None: the council has none; outages are still shown).
    standing_order: StandingOrderConfig | None = None
    # A public item with no programme audio (every `microphone: true` input of the scene set below
    # `silence_db` after its fader and mute) for this many seconds is an incident, and so is a
    # microphone muted by hand in OBS for as long; null turns the audio watch off.
    silence_seconds: float | None = Field(60.0, gt=0, le=3600)
    silence_db: float = Field(-50.0, ge=-100, le=-10)
    # A camera, NDI feed or video of the scene set that shows exactly the same picture on program
    # for this many seconds on a public item is frozen: an incident; null turns the picture watch off.
    frozen_seconds: float | None = Field(30.0, gt=0, le=3600)
    # The chamber's microphone system, seat map and PTZ cameras (meetstream.chamber_config): the
    # automatic director (`cue auto on`). None: every shot is the officer's.
    chamber: ChamberConfig | None = None


class RetentionRule(_Model):
    """One line of the council's retention policy (archive.retention): which committee's videos,
    how long they stay, and what then happens to them. Councils' privacy notices say either "for N
    months" or "until the minutes are approved" (the minutes of a meeting are approved at the next
    meeting of the same committee: the policy falls due on that meeting's date, once it has been held)."""

    committee: str = Field(min_length=1, max_length=200)  # as the calendar names it, or "*" for every other committee
    keep_months: int | None = Field(None, ge=1, le=1200)
    until: Literal["minutes_approved"] | None = None
    then: Literal["unlist", "private", "delete"]

    @model_validator(mode="after")
    def _one_limit(self):
        if (self.keep_months is None) == (self.until is None):
            raise ValueError(f"retention for {self.committee!r}: give exactly one of keep_months (e.g. 6) or until: minutes_approved")
        return self


class ArchiveConfig(_Model):
    """`meetstream archive`: the retention policy, first matching committee wins, "*" last."""

    retention: list[RetentionRule] = []

    @field_validator("retention")
    @classmethod
    def _distinct(cls, rules: list[RetentionRule]) -> list[RetentionRule]:
        seen: set[str] = set()
        for r in rules:
            name = r.committee.strip().casefold()
            if name in seen:
                raise ValueError(f"two retention rules for {r.committee!r}: keep one")
            seen.add(name)
        return rules

    def rule_for(self, committee: str) -> RetentionRule | None:
        wanted = committee.strip().casefold()
        named = next((r for r in self.retention if r.committee.strip().casefold() == wanted), None)
        return named or next((r for r in self.retention if r.committee.strip() == "*"), None)


class CouncilConfig(_Model):
    name: str = "Council"
    timezone: str = "Europe/London"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/London)") from None
        return value


class CalendarConfig(_Model):
    """Microsoft Graph calendar source (filled in by the calendar sync)."""

    tenant: str = "organizations"
    client_id: str | None = None
    authority_host: str = "https://login.microsoftonline.com"
    graph_url: str = "https://graph.microsoft.com/v1.0"
    # One of: a user's/shared mailbox's calendar, or a group calendar.
    mailbox: str | None = None
    calendar_id: str | None = None
    group: str | None = None
    # Unattended app-only sign-in: the client secret comes from this env var or the keyring.
    app_only: bool = False
    client_secret_env: str = "MEETSTREAM_GRAPH_CLIENT_SECRET"
    # An event is webcast if it carries one of these categories or its committee is listed.
    categories: list[str] = ["Webcast"]
    committees: list[str] = []
    days_ahead: int = Field(90, ge=1, le=730)
    # Events per Graph page (Prefer: odata.maxpagesize / $top): fewer, larger pages = fewer requests.
    page_size: int = Field(250, ge=1, le=1000)


class YouTubeConfig(_Model):
    """YouTube Live scheduling (filled in by the scheduler)."""

    api_url: str | None = None  # None = the real API; the sandbox sets a loopback URL
    client_secrets: Path | None = None
    # An OAuth client of type 'TVs and Limited Input devices', for `auth youtube --device`
    # (signing in from another device); None: client_secrets is tried.
    device_client_secrets: Path | None = None
    privacy: Literal["public", "unlisted", "private"] = "public"
    enable_dvr: bool = True
    record_from_start: bool = True
    auto_start: bool = True
    auto_stop: bool = False
    daily_quota: int = Field(10_000, ge=1)
    category_id: str = "25"  # News & Politics
    # Seconds between YouTube stream-health checks on air (1 unit each; OBS's own stats are free
    # and checked every second). Every 5 minutes keeps a three-hour meeting under 250 units.
    health_every: int = Field(300, ge=60)
    # With the monitor stream on, going live passes through "testing" (a private preview first).
    monitor_stream: bool = False
    # `meetstream recover`: the privacy of a video uploaded from the local recording (None: as `privacy`).
    recover_privacy: Literal["public", "unlisted", "private"] | None = None
    # Uploads a day the API project may make (videos.insert's own limit; 100 by default on the newer reference).
    daily_uploads: int = Field(100, ge=1)
    # Resumable upload chunk, MB (Google: a multiple of 256 KB; bigger chunks, fewer requests).
    upload_chunk_mb: float = Field(8, ge=0.25, le=1024)


class ControlConfig(_Model):
    """`meetstream serve`: where its API listens, and the token that guards it (never in the file)."""

    listen: str = "127.0.0.1:8765"
    token_env: str = "MEETSTREAM_API_TOKEN"


class ModernGovConfig(_Model):
    """The council's modern.gov site, where the clerk keeps agendas and their exempt markings."""

    # The site's address: https://democracy.example.gov.uk (the web service is at
    # <base_url>/mgWebService.asmx). Plain http only on this machine (the simulator).
    base_url: str
    # The committees to follow, by name as modern.gov spells it or by id, and the room each meets in.
    committees: dict[str, str] = Field(min_length=1)
    timeout: float = Field(30.0, gt=0, le=300)
    retries: int = Field(3, ge=0, le=10)
    min_interval: float = Field(1.0, ge=0, le=60)  # seconds between requests: polite to the council's server
    # modern.gov gives a start but no end: a meeting found only there is taken to last this long (GUESS).
    duration_minutes: int = Field(180, ge=15, le=24 * 60)
    # A calendar event and a modern.gov meeting of the same committee starting this close are one meeting.
    join_within_minutes: int = Field(90, ge=0, le=24 * 60)

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        from urllib.parse import urlparse

        from meetstream.net import is_loopback_host

        u = urlparse(value)
        if u.scheme not in ("https", "http") or not u.hostname:
            raise ValueError(f"expected the site's address, like https://democracy.example.gov.uk, got {value!r}")
        if u.scheme == "http" and not is_loopback_host(u.hostname):
            raise ValueError("use https (plain http only for a simulator on this machine)")
        return value.rstrip("/").removesuffix("/mgWebService.asmx")

    @field_validator("committees", mode="before")
    @classmethod
    def _keys_as_text(cls, value):
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value


class AgendasConfig(_Model):
    """Where agendas come from, and the officer's own corrections."""

    # calendar: parsed from the invitation's body; moderngov: from the council's modern.gov site,
    # joined onto the calendar's meetings (the Teams link and attendees stay the calendar's).
    source: Literal["calendar", "moderngov"] = "calendar"
    # Agenda override YAML: a file, or a folder of <meeting id>.yaml (see meetstream.core.agenda).
    overrides: Path | None = None
    moderngov: ModernGovConfig | None = None

    @model_validator(mode="after")
    def _site_for_moderngov(self):
        if self.source == "moderngov" and self.moderngov is None:
            raise ValueError("`source: moderngov` needs a `moderngov:` section with base_url and committees")
        return self


class PublishConfig(_Model):
    """`meetstream publish`: the public site's look, and where it is served."""

    colour: str = Field("#1d4f91", pattern=r"^#[0-9a-fA-F]{6}$")  # checked for 4.5:1 against white when publishing
    base_url: str | None = None  # https://webcasts.example.gov.uk/: the feeds then link to each meeting's page

    @field_validator("base_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        # It goes into every feed and page as a link: "javascript:…" or "file:…" must not.
        if value is not None and not value.lower().startswith(("https://", "http://")):
            raise ValueError("publish.base_url must be a web address starting https:// (or http://)")
        return value


class TargetsConfig(_Model):
    webcast_percent: float | None = Field(None, ge=0, le=100)  # of the meetings held, the share webcast
    max_delay_minutes: float | None = Field(None, ge=0)  # mean minutes from the scheduled start to on air
    max_incidents: float | None = Field(None, ge=0)  # mean incidents per webcast meeting
    min_views: float | None = Field(None, ge=0)  # mean views per video


class ReportConfig(_Model):
    """`meetstream report`: the targets the scrutiny committee set (each optional)."""

    targets: TargetsConfig = TargetsConfig()


class CaptionsConfig(_Model):
    """`meetstream captions`: the council's own words, and its deadline for reviewed captions."""

    # Terms the automatic captions get wrong: a list of how they are written ("Staveley"), or a
    # mapping of what YouTube hears to how it is written ("stave lee": Staveley).
    glossary: list[str] | dict[str, str | None] = Field(default_factory=list)
    deadline_days: int = Field(14, ge=1, le=365)  # from the end of the meeting (PSBAR 2018: the council's own policy)
    language: str = "en-GB"
    track_name: str | None = Field(None, max_length=150)  # default "English (reviewed by <council>)"


class Settings(_Model):
    council: CouncilConfig = CouncilConfig()
    control: ControlConfig = ControlConfig()
    rooms: dict[str, RoomConfig]
    roster: Path | None = None
    agendas: AgendasConfig = AgendasConfig()
    calendar: CalendarConfig = CalendarConfig()
    youtube: YouTubeConfig = YouTubeConfig()
    publish: PublishConfig = PublishConfig()
    captions: CaptionsConfig = CaptionsConfig()
    report: ReportConfig = ReportConfig()
    archive: ArchiveConfig = ArchiveConfig()
    # Where the file was read from; relative paths above are resolved against it.
    source: Path | None = Field(None, exclude=True)

    @field_validator("agendas", mode="before")
    @classmethod
    def _overrides_path(cls, value):
        # `agendas: agendas/` (a path) was the whole section before modern.gov: still accepted.
        return {"overrides": value} if isinstance(value, (str, Path)) else value

    @model_validator(mode="after")
    def _committee_rooms(self):
        mg = self.agendas.moderngov
        for committee, room in (mg.committees.items() if mg else ()):
            if room not in self.rooms:
                raise ValueError(f"agendas.moderngov.committees: {committee!r} meets in room {room!r}, "
                                 f"which is not in rooms ({', '.join(sorted(self.rooms))})")
        return self

    @field_validator("rooms")
    @classmethod
    def _at_least_one_room(cls, rooms: dict[str, RoomConfig]) -> dict[str, RoomConfig]:
        if not rooms:
            raise ValueError("at least one room is needed, e.g. `chamber: {name: Council Chamber, scene_set: scenes/council-chamber.yaml}`")
        return rooms

    def room(self, key: str) -> RoomConfig:
        try:
            return self.rooms[key]
        except KeyError:
            known = ", ".join(sorted(self.rooms)) or "none"
            raise ConfigError(f"unknown room {key!r} (rooms in {self.source}: {known})") from None

    def default_room(self) -> str:
        return next(iter(self.rooms))

    def room_key(self, room: str | None) -> str:
        """The room a command acts on: the one named (`--room`), checked, else the first in the file."""
        if room is None:
            return self.default_room()
        self.room(room)  # an unknown room is one clear error, before anything is touched
        return room

    def room_for_location(self, location: str | None) -> str | None:
        if not location:
            return None
        wanted = location.strip().casefold()
        for key, room in self.rooms.items():
            names = [room.name, key, *room.locations]
            if any(n.strip().casefold() == wanted for n in names):
                return key
        return None


def find_config(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    if env := os.environ.get("MEETSTREAM_CONFIG"):
        return Path(env)
    local = Path.cwd() / CONFIG_NAME
    if local.exists():
        return local
    from platformdirs import user_config_path

    user = user_config_path("meetstream") / CONFIG_NAME
    if user.exists():
        return user
    raise ConfigError(f"no {CONFIG_NAME} found (run `meetstream init` to write one, or pass --config PATH)")


def load_settings(path: Path | None = None) -> Settings:
    from pydantic import ValidationError

    path = find_config(path)
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping with at least a `rooms:` section")
    try:
        settings = Settings.model_validate(doc.data)
    except ValidationError as err:
        raise pydantic_error(doc, err, known_fields) from None
    base = path.resolve().parent
    return _resolve_paths(settings, base).model_copy(update={"source": path})


def known_fields(loc: tuple) -> list[str]:
    """The fields meetstream.yaml allows at `loc` (("rooms", "chamber", "obs") -> ObsConfig's)."""
    import types
    import typing

    from pydantic import BaseModel

    model: object = Settings
    for part in loc:
        if isinstance(model, type) and issubclass(model, BaseModel):
            field = model.model_fields.get(str(part))
            if field is None:
                return []
            model = field.annotation
        elif typing.get_origin(model) is dict:
            model = typing.get_args(model)[1]  # rooms.<key>: the value type
        elif typing.get_origin(model) in (list, tuple):
            model = typing.get_args(model)[0]
        else:
            return []
        while typing.get_origin(model) in (typing.Union, types.UnionType):
            model = next(a for a in typing.get_args(model) if a is not type(None))  # Optional[X] -> X
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    def abs_(p: Path | None) -> Path | None:
        return None if p is None else (p if p.is_absolute() else base / p)

    def room(r):
        update = {"scene_set": abs_(r.scene_set)}
        if r.chamber is not None:
            update["chamber"] = r.chamber.model_copy(update={"seat_map": abs_(r.chamber.seat_map),
                                                             "system": r.chamber.system.model_copy(
                                                                 update={"ca_file": abs_(r.chamber.system.ca_file)})})
        return r.model_copy(update=update)

    rooms = {k: room(r) for k, r in settings.rooms.items()}
    youtube = settings.youtube.model_copy(update={"client_secrets": abs_(settings.youtube.client_secrets),
                                                  "device_client_secrets": abs_(settings.youtube.device_client_secrets)})
    return settings.model_copy(
        update={"rooms": rooms, "roster": abs_(settings.roster), "youtube": youtube,
                "agendas": settings.agendas.model_copy(update={"overrides": abs_(settings.agendas.overrides)})}
    )
