"""`meetstream publish OUTDIR`: the static site a council puts on its web server or embeds.

    index.html              upcoming webcasts: committee, date and time in council time, room,
                            the YouTube link, the public agenda
    archive/index.html      past meetings by year, newest first
    archive/<meeting>.html  one past meeting: its video and the agenda-indexed moments, each a
                            link to that moment in the video
    meetings.ics            the iCalendar feed (meetstream.services.publish.feeds)
    meetings.json           the JSON feed
    style.css               one stylesheet in the council's colour; no JavaScript anywhere

Pages are jinja2 templates with autoescaping on; every agenda title is AgendaItem.public_title(),
every private session "Private session (public excluded)". Same store, same bytes: nothing on a
page depends on when it was written, except which meetings are still to come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from meetstream.services.publish.facts import MeetingFacts, read_facts, slug
from meetstream.services.publish.feeds import ics_feed, json_feed
from meetstream.services.publish.options import PublishOptions, publish_options
from meetstream.services.publish.words import clock, iso_local, long_date, month, offset
from meetstream.services.publish.write import Written, write_tree
from meetstream.core.cells import printable
from meetstream.core.timefmt import local, now_utc

TEMPLATES = Path(__file__).with_name("templates")


@dataclass
class Published:
    outdir: Path
    upcoming: int
    archived: int
    written: Written


def environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      finalize=_printable)  # every value a page prints: no control characters from the data
    return env


def _printable(value):
    from markupsafe import Markup

    # Markup (an SVG chart) stays markup: only plain text would be escaped again.
    return Markup(printable(str(value))) if isinstance(value, Markup) else printable(value)


def _view(f: MeetingFacts, opts: PublishOptions, now: datetime) -> dict:
    m, zone = f.meeting, opts.timezone
    return {
        "id": slug(m),
        "committee": m.committee,
        "date": long_date(m.start, zone),
        "time": clock(m.start, zone),
        "end_time": clock(m.end, zone),
        "datetime": iso_local(m.start, zone),
        "month": month(m.start, zone),
        "year": local(m.start, zone).year,
        "room": opts.room_name(m.room, m.location),
        "status": f.status(now),
        "cancelled": m.cancelled,
        "watch": f.watch_url,
        "archived": f.archived,  # the retention policy removed the video (meetstream archive)
        "agenda": [i.public_title() for i in m.agenda],
        "moments": [{"at": offset(x.seconds), "label": x.label,
                     "url": f.moment_url(x.seconds)} for x in f.moments],
        "page": f"{slug(m)}.html",
    }


def render_site(settings, store, now: datetime | None = None) -> tuple[dict[str, bytes], int, int]:
    """Every file of the site: relative path -> bytes; and how many meetings are upcoming, archived."""
    opts = publish_options(settings)
    now = now or now_utc()
    facts = read_facts(store)
    upcoming = [f for f in facts if not f.is_past(now)]
    past = [f for f in facts if f.is_past(now) and not f.meeting.cancelled]
    past.sort(key=lambda f: (f.meeting.start, f.meeting.id), reverse=True)
    env = environment()
    common = {"council": opts.council, "base_url": opts.base_url}
    files: dict[str, bytes] = {}

    def page(path: str, template: str, **kw) -> None:
        root = "../" * path.count("/")
        html = env.get_template(template).render(**common, root=root, **kw)
        files[path] = html.encode("utf-8")

    up = [_view(f, opts, now) for f in upcoming]
    months: list[tuple[str, list[dict]]] = []
    for v in up:
        if not months or months[-1][0] != v["month"]:
            months.append((v["month"], []))
        months[-1][1].append(v)
    page("index.html", "upcoming.html", months=months, count=len(up), current="upcoming")

    archived = [_view(f, opts, now) for f in past]
    years: list[tuple[int, list[dict]]] = []
    for v in archived:
        if not years or years[-1][0] != v["year"]:
            years.append((v["year"], []))
        years[-1][1].append(v)
    page("archive/index.html", "archive.html", years=years, count=len(archived), current="archive")
    for v in archived:
        page(f"archive/{v['page']}", "meeting.html", m=v, current="archive")

    pages = {f.meeting.id: (opts.base_url or "") + f"archive/{slug(f.meeting)}.html" for f in past if opts.base_url}
    files["meetings.ics"] = ics_feed(facts, opts, pages)
    files["meetings.json"] = json_feed(facts, opts, pages, now)
    files["style.css"] = env.get_template("style.css").render(colour=opts.colour).encode("utf-8")
    return files, len(upcoming), len(past)


def publish_site(settings, store, outdir: Path, *, now: datetime | None = None) -> Published:
    files, upcoming, archived = render_site(settings, store, now)
    return Published(Path(outdir), upcoming, archived, write_tree(Path(outdir), files))
