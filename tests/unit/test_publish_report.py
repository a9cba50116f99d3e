"""`meetstream report`: from a store with known figures, those figures, in HTML, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from meetstream.errors import YouTubeError
from meetstream.services.publish.report import build_report, render
from test_publish_site import NOW, at, build, settings


@pytest.fixture
def known(store, monkeypatch):
    build(store, monkeypatch)
    # The quota ledger: scheduling on 1 February, then the night of 10 February.
    for when, method, units in [("2026-02-01T10:00:00", "liveBroadcasts.insert", 50), ("2026-02-01T10:00:01", "liveBroadcasts.bind", 50),
                                ("2026-02-10T18:30:00", "liveBroadcasts.list", 1), ("2026-02-10T18:32:00", "liveBroadcasts.transition", 50),
                                ("2026-02-10T20:03:10", "liveBroadcasts.transition", 50), ("2026-03-05T10:00:00", "liveBroadcasts.insert", 50)]:
        store.record_quota(at(when), when[:10], method, units)
    return store


def feb(store, **kw):
    return build_report(settings(**kw.pop("sections", {})), store, date(2026, 2, 1), date(2026, 2, 28), now=NOW, **kw)


def test_the_figures_per_meeting_and_in_total(known):
    asked = []

    def views(ids):
        asked.append(list(ids))
        return {"PASTVID0001": 1234}

    r = feb(known, views=views)
    assert asked == [["PASTVID0001"]]  # only videos of meetings that went on air
    rows = {x.committee: x for x in r.rows}
    assert set(rows) == {"Planning Committee", "Licensing Committee", "Audit Committee"}
    p = rows["Planning Committee"]
    assert p.status == "webcast"
    assert p.on_air_minutes == 90.5  # 18:33:00 to 20:03:30
    assert p.private_minutes == 25.5  # 19:20:00 to 19:45:30
    assert p.delay_minutes == 3.0  # scheduled 18:30, on air 18:33
    assert p.incidents == {"OBS restart": 1, "output drop": 1, "YouTube failure": 1, "private session put right": 0,
                           "no programme audio": 0, "standing order reached": 0, "other": 0, "picture frozen": 0}
    assert p.quota_units == 101  # the night: list, two transitions
    assert p.views == 1234
    assert rows["Licensing Committee"].status == "missed" and rows["Audit Committee"].status == "cancelled"
    t = r.totals
    assert (t["scheduled"], t["webcast"], t["cancelled"], t["missed"], t["upcoming"]) == (3, 1, 1, 1, 0)
    assert (t["on_air_minutes"], t["private_minutes"], t["mean_delay_minutes"]) == (90.5, 25.5, 3.0)
    assert t["incidents_total"] == 3 and t["incidents"]["output drop"] == 1
    assert t["quota_units"] == 201  # February only: 100 scheduling + 101 on the night
    assert r.quota_by_method == {"liveBroadcasts.bind": (1, 50), "liveBroadcasts.insert": (1, 50),
                                 "liveBroadcasts.list": (1, 1), "liveBroadcasts.transition": (2, 100)}
    assert t["views"] == 1234 and r.views_note is None


def test_csv_and_json_carry_the_same_figures(known):
    r = feb(known, views=lambda ids: {"PASTVID0001": 1234})
    rows = list(csv.DictReader(io.StringIO(render(r, "csv"))))
    planning = next(x for x in rows if x["committee"] == "Planning Committee")
    assert planning["date"] == "2026-02-10" and planning["video"] == "https://youtu.be/PASTVID0001"
    assert (planning["on_air_minutes"], planning["private_minutes"], planning["delay_minutes"]) == ("90.5", "25.5", "3")
    assert (planning["incidents_obs_restart"], planning["incidents_output_drop"], planning["incidents_youtube_failure"]) == ("1", "1", "1")
    assert (planning["quota_units"], planning["views"]) == ("101", "1234")
    total = rows[-1]
    assert total["committee"] == "total" and total["status"].startswith("scheduled 3; webcast 1; cancelled 1; missed 1")
    assert total["quota_units"] == "201" and total["on_air_minutes"] == "90.5"
    data = json.loads(render(r, "json"))
    assert data["totals"]["webcast"] == 1 and data["totals"]["quota_units"] == 201 and data["totals"]["views"] == 1234
    assert data["quota"]["by_method"]["liveBroadcasts.transition"] == {"calls": 2, "units": 100}
    assert next(m for m in data["meetings"] if m["id"] == "m-past")["private_minutes"] == 25.5


def test_html_has_charts_print_css_and_targets_against_actuals(known):
    targets = {"targets": {"webcast_percent": 95, "max_delay_minutes": 5, "max_incidents": 1, "min_views": 1000}}
    r = feb(known, views=lambda ids: {"PASTVID0001": 1234}, sections={"report": targets})
    html = render(r, "html")
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 3
    for title in ("Views per meeting", "Minutes on air", "Incidents over time"):
        assert f">{title}</title>" in html
    assert "@media print" in html
    met = {x["target"]: x["met"] for x in r.targets}
    assert met == {"webcast_percent": False, "max_delay_minutes": True, "max_incidents": False, "min_views": True}
    assert "Targets against actuals" in html and "50.0%" in html  # one of two meetings held was webcast
    assert "EXEMPT" not in html.upper().replace("EXEMPT ITEM", "")


def test_no_targets_table_without_targets(known):
    assert "Targets against actuals" not in render(feb(known, views=lambda ids: {}), "html")


def test_views_not_available_is_said_not_fatal(known):
    def no_youtube():
        raise YouTubeError("not signed in to YouTube; run `meetstream auth youtube`")

    r = feb(known, views_factory=no_youtube)
    assert r.views_note.startswith("not available (not signed in") and r.totals["views"] is None
    assert "Views: not available" in render(r, "html")
    r = feb(known, views=lambda ids: {i: None for i in ids})  # a YouTube that gives no statistics
    assert r.views_note == "not available (YouTube gave no view counts)"
    built = []  # never built (no sign-in asked for) when no meeting in the period went on air
    r = build_report(settings(), known, date(2026, 3, 1), date(2026, 3, 31), now=NOW,
                     views_factory=lambda: built.append(1) or (lambda ids: {}))
    assert built == [] and r.views_note is None
    assert (r.totals["upcoming"], r.totals["cancelled"], r.totals["quota_units"]) == (2, 1, 50)


def test_the_same_store_gives_the_same_report(known):
    for fmt in ("html", "csv", "json"):
        assert render(feb(known, views=lambda ids: {"PASTVID0001": 5}), fmt) == render(feb(known, views=lambda ids: {"PASTVID0001": 5}), fmt)


def test_an_unknown_target_is_one_clear_error_naming_the_line(tmp_path):
    from meetstream.config import load_settings
    from meetstream.errors import ConfigError

    config = tmp_path / "meetstream.yaml"
    config.write_text("rooms:\n  chamber: {name: Council Chamber, scene_set: s.yaml}\nreport:\n  targets:\n    views: 3\n")
    with pytest.raises(ConfigError, match=r"meetstream.yaml:5: report.targets.views: unknown field `views`"):
        load_settings(config)


def test_the_report_command(cli, known, tmp_path):
    config = tmp_path / "meetstream.yaml"
    config.write_text("council: {name: Northdale Borough Council}\nrooms:\n  chamber:\n    name: Council Chamber\n"
                      "    scene_set: scenes/council-chamber.yaml\n")
    args = ("--config", config, "--state", known.path, "report", "--from", "2026-02-01", "--to", "2026-02-28")
    r = cli(*args, "--format", "json", "--no-views")
    assert r.code == 0, r
    data = json.loads(r.out)
    assert data["totals"]["on_air_minutes"] == 90.5 and data["views"] == "not asked of YouTube"
    r = cli(*args, "--output", tmp_path / "r.html", "--no-views")
    assert r.code == 0 and "written to" in r.out and (tmp_path / "r.html").read_text().startswith("<!doctype html>")
    r = cli(*args, "--output", tmp_path / "r.html", "--no-views")
    assert "unchanged in" in r.out
    r = cli(*args, "--format", "pdf")
    assert r.code == 2 and "unknown --format 'pdf'" in r.err
