"""The settings `publish` and `report` read: the council's name, zone and rooms from
meetstream.yaml, and its optional `publish:` and `report:` sections (config.PublishConfig,
config.ReportConfig):

    publish:
      colour: "#1d4f91"        # the council's colour: headings, links' underline, the header band
      base_url: https://webcasts.example.gov.uk/   # where the site is served (absolute feed links)
    report:
      targets:                 # each optional; the HTML report shows target against actual
        webcast_percent: 95    # of the meetings held, the share webcast
        max_delay_minutes: 5   # mean minutes from the scheduled start to on air
        max_incidents: 1       # mean incidents per webcast meeting
        min_views: 100         # mean views per video
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meetstream.errors import ConfigError

DEFAULT_COLOUR = "#1d4f91"  # a council blue: 8.1:1 against white, so white text on it and it on white pass AA
TARGETS = ("webcast_percent", "max_delay_minutes", "max_incidents", "min_views")


@dataclass(frozen=True)
class PublishOptions:
    council: str
    timezone: str
    colour: str = DEFAULT_COLOUR
    base_url: str | None = None
    rooms: dict[str, str] = field(default_factory=dict)  # room key -> its name
    targets: dict[str, float] = field(default_factory=dict)

    def room_name(self, key: str | None, location: str | None = None) -> str | None:
        if key and key in self.rooms:
            return self.rooms[key]
        return location or key


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    def lum(h: str) -> float:
        r, g, b_ = (int(h[i:i + 2], 16) / 255 for i in (1, 3, 5))
        f = lambda c: c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4  # noqa: E731
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b_)

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def publish_options(settings) -> PublishOptions:
    council = settings.council
    colour = settings.publish.colour.lower()  # #rrggbb: config.PublishConfig checks the form
    ratio = contrast(colour, "#ffffff")
    if ratio < 4.5:
        raise ConfigError(f"publish.colour {colour} has a contrast of {ratio:.1f}:1 against white; WCAG AA needs 4.5:1 "
                          f"(choose a darker shade, e.g. {DEFAULT_COLOUR})")
    base_url = settings.publish.base_url
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    rooms = {key: room.name for key, room in settings.rooms.items()}
    targets = {k: float(v) for k, v in settings.report.targets.model_dump().items() if v is not None}
    return PublishOptions(council.name, council.timezone, colour, base_url or None, rooms, targets)
