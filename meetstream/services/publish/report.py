"""`meetstream report`: the webcast report for a period, per meeting and in total.

Figures, all from the store (meetstream.services.publish.facts reads the timelines):
- meetings scheduled (every webcast meeting starting in the period), webcast (went on air),
  cancelled, missed (held but never on air), still to come;
- minutes on air (the `start` entry to the `end` entry) and minutes in private session within it;
- minutes from the scheduled start to on air (negative: on air early);
- incidents by kind (OBS restart, output drop, YouTube failure, private session put right, no
  programme audio, standing order reached, other, picture frozen);
- YouTube quota: the ledger's units in the period, by method, and per meeting the units spent on
  its night (from 10 minutes before its first timeline entry to its `end` entry; two rooms on air
  at once share those units, so the per-meeting figures may add up to more than the total);
- views per video: videos.list part=statistics through a port handed in (meetstream.adapters.youtube.stats
  via meetstream.bootstrap), 1 unit per 50 videos, counted in the ledger. Without YouTube (no
  sign-in, quota used up, a simulator without statistics) the report says "not available".

Formats: HTML (inline SVG charts, print CSS, targets against actuals when `report.targets` is
set), CSV (one row a meeting and a total row) and JSON. The same data gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable, Iterable

from meetstream.core.cells import cell
from meetstream.errors import MeetstreamError
from meetstream.services.publish.facts import INCIDENT_KINDS, MeetingFacts, read_facts
from meetstream.services.publish.options import PublishOptions, publish_options
from meetstream.services.publish.words import MONTHS, long_date
from meetstream.core.timefmt import local, local_midnight, now_utc, utc_text

log = logging.getLogger(__name__)

FORMATS = ("html", "csv", "json")
NIGHT_LEAD = timedelta(minutes=10)  # `start` prepares YouTube before the first timeline entry
# A port: video ids -> views (None where YouTube gave no figure). meetstream.adapters.youtube.stats.VideoStats.views
Views = Callable[[list[str]], dict[str, "int | None"]]


@dataclass(frozen=True)
class MeetingRow:
    meeting_id: str
    committee: str
    start: datetime
    day: date  # in council time
    date: str  # in council time, 'Thursday 12 March 2026'
    status: str  # webcast, live, cancelled, missed, upcoming
    video_id: str | None
    on_air_minutes: float
    private_minutes: float
    delay_minutes: float | None
    incidents: dict[str, int]
    quota_units: int
    views: int | None
    captions: str | None = None  # the recording's reviewed-captions state: "uploaded", "fetched", … ("overdue" when late)
    captions_overdue: bool = False


@dataclass
class Report:
    council: str
    start: date
    end: date  # inclusive
    rows: list[MeetingRow]
    quota_units: int
    quota_by_method: dict[str, tuple[int, int]]  # method -> (calls, units)
    views_note: str | None  # why views are not available, or None
    targets: list[dict] = field(default_factory=list)
    colour: str | None = None  # publish.colour: the HTML report's accent
    # The archive's log in the period (meetstream.services.archive): meeting, video_id, action, reason, done, units.
    archive: list[dict] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def totals(self) -> dict:
        webcast = [r for r in self.rows if r.status in ("webcast", "live")]
        delays = [r.delay_minutes for r in webcast if r.delay_minutes is not None]
        views = [r.views for r in webcast if r.views is not None]
        incidents = {k: sum(r.incidents[k] for r in self.rows) for k in INCIDENT_KINDS}
        return {
            "scheduled": len(self.rows),
            "webcast": len(webcast),
            "cancelled": self.count("cancelled"),
            "missed": self.count("missed"),
            "upcoming": self.count("upcoming"),
            "on_air_minutes": round(sum(r.on_air_minutes for r in self.rows), 1),
            "private_minutes": round(sum(r.private_minutes for r in self.rows), 1),
            "mean_delay_minutes": round(sum(delays) / len(delays), 1) if delays else None,
            "max_delay_minutes": max(delays) if delays else None,
            "incidents": incidents,
            "incidents_total": sum(incidents.values()),
            "quota_units": self.quota_units,
            "views": sum(views) if views else None,
            "captions_uploaded": sum(1 for r in self.rows if r.captions == "uploaded"),
            "captions_overdue": sum(1 for r in self.rows if r.captions_overdue),
        }


def period(start: date | None, end: date | None, zone: str, today: date | None = None) -> tuple[date, date]:
    """The report's days (both inclusive): by default the 365 days that end today."""
    today = today or local(now_utc(), zone).date()
    end = end or today
    start = start or end - timedelta(days=364)
    if start > end:
        raise MeetstreamError(f"--from {start.isoformat()} is after --to {end.isoformat()}")
    return start, end


def build_report(settings, store, start: date | None = None, end: date | None = None, *,
                 views: Views | None = None, views_factory: Callable[[], Views] | None = None,
                 now: datetime | None = None) -> Report:
    """The report for the days start..end (inclusive, council time). `views` is the views port;
    `views_factory` builds it only when there are videos to ask about (no sign-in needed
    otherwise); neither: the report says views were not asked for."""
    opts = publish_options(settings)
    now = now or now_utc()
    start, end = period(start, end, opts.timezone, local(now, opts.timezone).date())
    lo, hi = local_midnight(start, opts.timezone), local_midnight(end + timedelta(days=1), opts.timezone)
    facts = [f for f in read_facts(store, lo, hi) if lo <= f.meeting.start < hi]
    spends = store.quota_spends(lo, hi)
    by_method: dict[str, tuple[int, int]] = {}
    for _, method, units in spends:
        calls, total = by_method.get(method, (0, 0))
        by_method[method] = (calls + 1, total + units)

    ids = sorted({f.video_id for f in facts if f.webcast and f.video_id})
    counts, note = _views(views, views_factory, ids)
    from meetstream.services.captions import caption_states

    captions = caption_states(store, settings, today=local(now, opts.timezone).date())
    rows = [_row(f, opts, now, store, counts, captions.get(f.meeting.id)) for f in facts]
    report = Report(opts.council, start, end, rows, sum(u for _, _, u in spends), dict(sorted(by_method.items())), note)
    report.targets, report.colour = _targets(report, opts), opts.colour
    report.archive = _archive_log(store, lo, hi, opts.timezone)
    return report


def _archive_log(store, lo: datetime, hi: datetime, zone: str) -> list[dict]:
    names = {}
    out = []
    for a in store.archive_log(lo, hi):
        if a["meeting_id"] not in names:
            m = store.find_meeting(a["meeting_id"])
            names[a["meeting_id"]] = f"{m.committee}, {local(m.start, zone):%d %b %Y}" if m else a["meeting_id"]
        out.append({"meeting_id": a["meeting_id"], "meeting": names[a["meeting_id"]], "video_id": a["video_id"],
                    "action": a["action"], "reason": a["reason"], "due": utc_text(a["due"]), "done": utc_text(a["done"]),
                    "done_local": f"{local(a['done'], zone):%d %b %Y %H:%M}", "units": a["units"]})
    return out


def _views(views, factory, ids: list[str]) -> tuple[dict[str, int | None], str | None]:
    if views is None and factory is None:
        return {}, "not asked of YouTube"
    if not ids:
        return {}, None
    try:
        counts = (views or factory())(ids)
    except MeetstreamError as err:
        log.info("views not available: %s", err)
        return {}, f"not available ({err})"
    if all(counts.get(i) is None for i in ids):
        return counts, "not available (YouTube gave no view counts)"
    return counts, None


def _night_quota(f: MeetingFacts, store) -> int:
    if f.on_air is None or f.off_air is None:
        return 0
    began = min(f.on_air, f.first_at or f.on_air)
    return sum(u for _, _, u in store.quota_spends(began - NIGHT_LEAD, f.off_air + timedelta(seconds=1)))


def _row(f: MeetingFacts, opts: PublishOptions, now: datetime, store, views: dict, captions=None) -> MeetingRow:
    m = f.meeting
    delay = f.delay_seconds
    return MeetingRow(
        meeting_id=m.id, committee=m.committee, start=m.start, day=local(m.start, opts.timezone).date(),
        date=long_date(m.start, opts.timezone),
        status=f.status(now), video_id=f.video_id if f.webcast else None,
        on_air_minutes=round(f.on_air_seconds / 60, 1), private_minutes=round(f.private_seconds / 60, 1),
        delay_minutes=None if delay is None else round(delay / 60, 1), incidents=f.incident_counts(),
        quota_units=_night_quota(f, store), views=views.get(f.video_id) if f.webcast and f.video_id else None,
        captions=None if captions is None else captions.state, captions_overdue=bool(captions and captions.overdue),
    )


TARGET_WORDS = {
    "webcast_percent": ("Meetings held that were webcast", "at least {t:g}%", "{a:.1f}%"),
    "max_delay_minutes": ("Mean minutes from the scheduled start to on air", "at most {t:g}", "{a:.1f}"),
    "max_incidents": ("Mean incidents per webcast meeting", "at most {t:g}", "{a:.2f}"),
    "min_views": ("Mean views per video", "at least {t:g}", "{a:,.0f}"),
}


def _targets(report: Report, opts: PublishOptions) -> list[dict]:
    t = report.totals
    held = t["webcast"] + t["missed"]
    views = [r.views for r in report.rows if r.status in ("webcast", "live") and r.views is not None]
    actual = {
        "webcast_percent": 100.0 * t["webcast"] / held if held else None,
        "max_delay_minutes": t["mean_delay_minutes"],
        "max_incidents": t["incidents_total"] / t["webcast"] if t["webcast"] else None,
        "min_views": sum(views) / len(views) if views else None,
    }
    out = []
    for key, target in opts.targets.items():
        name, target_text, actual_text = TARGET_WORDS[key]
        a = actual[key]
        met = None if a is None else (a >= target if key in ("webcast_percent", "min_views") else a <= target)
        out.append({"target": key, "name": name, "goal": target, "goal_text": target_text.format(t=target),
                    "actual": None if a is None else round(a, 2),
                    "actual_text": "not available" if a is None else actual_text.format(a=a),
                    "met": met})
    return out


# --- rendering -------------------------------------------------------------------------------

CSV_COLUMNS = ["date", "committee", "status", "video", "on_air_minutes", "private_minutes", "delay_minutes",
               *(f"incidents_{k.casefold().replace(' ', '_')}" for k in INCIDENT_KINDS), "quota_units", "views", "captions"]


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "html":
        return render_html(report)
    raise MeetstreamError(f"unknown report format {fmt!r} (one of: {', '.join(FORMATS)})")


def _num(v):
    return "" if v is None else (f"{v:g}" if isinstance(v, float) else str(v))


def render_csv(report: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in report.rows:
        w.writerow([r.day.isoformat(), cell(r.committee), r.status, _video(r.video_id),
                    _num(r.on_air_minutes), _num(r.private_minutes), _num(r.delay_minutes),
                    *(r.incidents[k] for k in INCIDENT_KINDS), r.quota_units, _num(r.views),
                    (r.captions or "") + (" (overdue)" if r.captions_overdue else "")])
    t = report.totals
    w.writerow([f"{report.start.isoformat()}..{report.end.isoformat()}", "total",
                f"scheduled {t['scheduled']}; webcast {t['webcast']}; cancelled {t['cancelled']}; missed {t['missed']}; "
                f"upcoming {t['upcoming']}", "", _num(t["on_air_minutes"]), _num(t["private_minutes"]),
                _num(t["mean_delay_minutes"]), *(t["incidents"][k] for k in INCIDENT_KINDS), t["quota_units"],
                _num(t["views"]), f"uploaded {t['captions_uploaded']}; overdue {t['captions_overdue']}"])
    return buf.getvalue()


def _video(video_id: str | None) -> str:
    return f"https://youtu.be/{video_id}" if video_id else ""


def as_dict(report: Report) -> dict:
    return {
        "council": report.council,
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "totals": report.totals,
        "quota": {"units": report.quota_units,
                  "by_method": {m: {"calls": c, "units": u} for m, (c, u) in report.quota_by_method.items()}},
        "views": "available" if report.views_note is None else report.views_note,
        "targets": report.targets,
        "archive": [{k: v for k, v in a.items() if k != "done_local"} for a in report.archive],
        "meetings": [{
            "id": r.meeting_id, "committee": r.committee, "start": utc_text(r.start), "date": r.day.isoformat(),
            "status": r.status, "video": _video(r.video_id) or None, "on_air_minutes": r.on_air_minutes,
            "private_minutes": r.private_minutes, "delay_minutes": r.delay_minutes, "incidents": r.incidents,
            "quota_units": r.quota_units, "views": r.views,
            "captions": r.captions, "captions_overdue": r.captions_overdue,
        } for r in report.rows],
    }


def render_json(report: Report) -> str:
    return json.dumps(as_dict(report), indent=1, ensure_ascii=False) + "\n"


def _months(start: date, end: date) -> Iterable[tuple[int, int]]:
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def render_html(report: Report) -> str:
    from meetstream.services.publish.options import DEFAULT_COLOUR
    from meetstream.services.publish.site import environment
    from meetstream.services.publish.svg import columns, hbars

    t = report.totals
    held = [r for r in report.rows if r.status in ("webcast", "live")]
    label = lambda r: f"{r.committee}, {r.day.day} {MONTHS[r.day.month - 1][:3]} {r.day.year}"  # noqa: E731
    per_month: dict[tuple[int, int], int] = {ym: 0 for ym in _months(report.start, report.end)}
    for r in report.rows:
        key = (r.day.year, r.day.month)
        if key in per_month:
            per_month[key] += sum(r.incidents.values())
    charts = []
    if held:
        charts.append(("Views per meeting", hbars("Views per meeting", "Views of each meeting's video on YouTube, one bar a meeting.",
                                                   [(label(r), r.views) for r in held])))
        charts.append(("Minutes on air (hatched: in private session)",
                       hbars("Minutes on air", "Minutes each meeting was on air; the hatched part was in private session.",
                             [(label(r), r.on_air_minutes) for r in held], unit="on air",
                             second=[r.private_minutes for r in held], second_name="private")))
    charts.append(("Incidents per month", columns("Incidents over time", "Incidents in each month of the period.",
                                                  [(f"{MONTHS[m - 1][:3]} {y % 100:02d}", n) for (y, m), n in per_month.items()])))
    env = environment()
    return env.get_template("report.html").render(
        r=report, t=t, kinds=INCIDENT_KINDS, charts=charts, colour=report.colour or DEFAULT_COLOUR,
        period=f"{report.start.day} {MONTHS[report.start.month - 1]} {report.start.year} to "
               f"{report.end.day} {MONTHS[report.end.month - 1]} {report.end.year}")


