"""`meetstream publish`: the pages and feeds from a store with upcoming, moved, cancelled and past
meetings. Exempt titles are searched for in every written file; the iCalendar feed is parsed back
with icalendar; a second run writes the same bytes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from meetstream.core.domain import AgendaItem, Broadcast, Meeting, TimelineEntry
from meetstream.services.publish.site import publish_site

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
EXEMPT_TITLES = ("Sale of land at Depot Road to Smith Ltd", "Chief Executive pay award")
UTC = timezone.utc


def settings(**sections):
    """Real settings (config.Settings) for the sample council, with the given optional sections."""
    from meetstream.config import Settings

    return Settings.model_validate({"council": {"name": "Northdale Borough Council", "timezone": "Europe/London"},
                                    "rooms": {"chamber": {"name": "Council Chamber", "scene_set": "scenes.yaml"}}, **sections})


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def past_meeting() -> Meeting:
    start = at("2026-02-10T18:30:00")
    return Meeting(id="m-past", committee="Planning Committee", start=start, end=start + timedelta(hours=3), room="chamber",
                   agenda=(AgendaItem("1", "Apologies for absence"), AgendaItem("2", "Minutes of the last meeting"),
                           AgendaItem("3", "Planning application 25/00042/FUL"),
                           AgendaItem("4", EXEMPT_TITLES[0], exempt=True, reason="paragraph 3"),
                           AgendaItem("5", "Any other business")))


PAST_TIMELINE = [
    ("2026-02-10T18:25:00", "holding", None, {}),
    ("2026-02-10T18:33:00", "start", None, {"broadcast_id": "PASTVID0001"}),
    ("2026-02-10T18:35:00", "item", "1", {}),
    ("2026-02-10T18:40:00", "item", "2", {}),
    ("2026-02-10T18:50:00", "item", "3", {}),
    ("2026-02-10T19:00:00", "incident", "3", {"what": "stream output stopped: viewers see nothing", "outage": "start"}),
    ("2026-02-10T19:00:20", "incident", "3", {"what": "stream output stopped; restart asked of OBS", "attempt": 1}),
    ("2026-02-10T19:00:30", "incident", "3", {"what": "stream output back after 30 s", "outage": "end", "seconds": 30.0}),
    ("2026-02-10T19:20:00", "private", "4", {"title": "4. Exempt item (public excluded)"}),
    ("2026-02-10T19:45:00", "item", "5", {}),
    ("2026-02-10T19:45:30", "public", "5", {}),
    ("2026-02-10T19:50:00", "incident", "5", {"what": "OBS restarted; recorded state put back", "obs": "restart"}),
    ("2026-02-10T20:03:00", "adjourned", "5", {}),
    ("2026-02-10T20:03:30", "end", "5", {"left": ["YouTube broadcast PASTVID0001 is not completed (timeout): run `meetstream end` again"]}),
]


def build(store, monkeypatch) -> None:
    """Past (webcast), missed, cancelled (past); upcoming, moved, cancelled (upcoming)."""
    clock = iter(at(f"2026-01-0{d}T09:00:00") for d in range(1, 10))
    store.clock = lambda: next(clock)  # when each row was written: the store's clock is handed in
    store.upsert_meeting(past_meeting())
    store.save_broadcast(Broadcast("m-past", "PASTVID0001", "s1", "Planning Committee", at("2026-02-10T18:30:00"), "public", "complete"))
    for when, kind, item, detail in PAST_TIMELINE:
        store.append_timeline(TimelineEntry("m-past", at(when), kind, item, detail))
    start = at("2026-02-20T18:30:00")
    store.upsert_meeting(Meeting(id="m-missed", committee="Licensing Committee", start=start, end=start + timedelta(hours=2), room="chamber"))
    start = at("2026-02-15T18:30:00")
    store.upsert_meeting(Meeting(id="m-off", committee="Audit Committee", start=start, end=start + timedelta(hours=2), room="chamber",
                                 cancelled=True))
    start = at("2026-03-12T19:00:00")
    store.upsert_meeting(Meeting(id="m-up", committee="Full Council", start=start, end=start + timedelta(hours=3), room="chamber",
                                 agenda=(AgendaItem("1", "Apologies for absence"), AgendaItem("2", "Council tax setting 2026/27"),
                                         AgendaItem("3", EXEMPT_TITLES[1], exempt=True))))
    store.save_broadcast(Broadcast("m-up", "UPVID000001", "s1", "Full Council", start, "public", "ready"))
    start = at("2026-03-20T18:30:00")
    store.upsert_meeting(Meeting(id="m-moved", committee="Cabinet", start=start, end=start + timedelta(hours=2), room="chamber",
                                 location="Committee Room 2"))
    start = at("2026-03-18T18:30:00")
    store.upsert_meeting(Meeting(id="m-cancelled", committee="Standards Committee", start=start, end=start + timedelta(hours=2),
                                 room="chamber", cancelled=True))


def files(outdir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(outdir)): p.read_bytes() for p in sorted(outdir.rglob("*")) if p.is_file()}


@pytest.fixture
def site(store, monkeypatch, tmp_path):
    build(store, monkeypatch)
    out = tmp_path / "site"
    done = publish_site(settings(), store, out, now=NOW)
    return SimpleNamespace(out=out, done=done, files=files(out))


def test_the_site_has_its_pages_and_feeds(site):
    names = set(site.files)
    assert {"index.html", "archive/index.html", "meetings.ics", "meetings.json", "style.css"} <= names
    assert len([n for n in names if n.startswith("archive/") and n != "archive/index.html"]) == 2  # webcast + missed
    assert site.done.upcoming == 3 and site.done.archived == 2


def test_no_exempt_title_is_in_any_written_file(site):
    assert site.files
    for name, data in site.files.items():
        text = data.decode("utf-8").casefold()
        for title in EXEMPT_TITLES:
            assert title.casefold() not in text, f"exempt title in {name}"
        # icalendar folds long lines: look in the unfolded text too.
        assert all(t.casefold() not in text.replace("\r\n ", "") for t in EXEMPT_TITLES)


def test_upcoming_page_lists_meetings_in_council_time_with_watch_link_and_public_agenda(site):
    html = site.files["index.html"].decode()
    assert "Northdale Borough Council" in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "Thursday 12 March 2026, 7pm GMT" in html
    assert '<time datetime="2026-03-12T19:00+00:00">' in html
    assert 'href="https://youtu.be/UPVID000001"' in html
    assert "2. Council tax setting 2026/27" in html and "3. Exempt item (public excluded)" in html
    assert "Council Chamber" in html
    standards = html[html.index("Standards Committee"):]
    assert "Cancelled" in standards[:200]
    assert html.index("Full Council") < html.index("Standards Committee") < html.index("Cabinet")  # in date order
    assert "Planning Committee" not in html  # past


def test_archive_lists_past_meetings_but_not_cancelled_ones(site):
    html = site.files["archive/index.html"].decode()
    assert "Planning Committee" in html and "Licensing Committee" in html
    assert "Audit Committee" not in html
    assert "(not webcast)" in html[html.index("Licensing Committee"):]


def test_a_past_meeting_page_links_each_item_to_its_moment_in_the_video(site):
    [name] = [n for n in site.files if n.startswith("archive/") and "planning-committee" in n]
    html = site.files[name].decode()
    assert 'href="https://youtu.be/PASTVID0001"' in html
    links = [(seconds, label) for seconds, label in _moments(html)]
    assert links == [(0, "Opening of the meeting"), (120, "1. Apologies for absence"), (420, "2. Minutes of the last meeting"),
                     (1020, "3. Planning application 25/00042/FUL"), (2820, "Private session (public excluded)"),
                     (4350, "5. Any other business")]
    assert "4. Exempt item (public excluded)" in html  # in the agenda


def _moments(html: str):
    import re

    for m in re.finditer(r'<a href="https://youtu.be/PASTVID0001\?t=(\d+)"><span class="at">[^<]+</span> ([^<]+)</a>', html):
        yield int(m.group(1)), m.group(2)


def test_the_icalendar_feed_parses_back_with_uids_status_and_times(site):
    from icalendar import Calendar

    cal = Calendar.from_ical(site.files["meetings.ics"])
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Planning Committee", "Licensing Committee", "Audit Committee (cancelled)", "Full Council",
                           "Cabinet", "Standards Committee (cancelled)"}
    assert len({str(e["UID"]) for e in events.values()}) == 6
    assert str(events["Standards Committee (cancelled)"]["STATUS"]) == "CANCELLED"
    assert str(events["Full Council"]["STATUS"]) == "CONFIRMED"
    assert events["Full Council"].decoded("DTSTART") == at("2026-03-12T19:00:00")
    assert str(events["Full Council"]["URL"]) == "https://youtu.be/UPVID000001"
    assert str(events["Full Council"]["LOCATION"]) == "Council Chamber"
    assert "3. Exempt item (public excluded)" in str(events["Full Council"]["DESCRIPTION"])
    assert all("DTSTAMP" in e and "SEQUENCE" in e for e in events.values())


def test_moving_a_meeting_raises_its_sequence_and_keeps_its_uid(store, monkeypatch, tmp_path):
    from icalendar import Calendar

    build(store, monkeypatch)
    out = tmp_path / "site"
    publish_site(settings(), store, out, now=NOW)
    before = {str(e["SUMMARY"]): e for e in Calendar.from_ical((out / "meetings.ics").read_bytes()).walk("VEVENT")}
    moved = store.get_meeting("m-moved")
    later = at("2026-03-25T18:30:00")
    store.clock = lambda: at("2026-02-20T10:00:00")
    store.upsert_meeting(Meeting(**{**moved.__dict__, "start": later, "end": later + timedelta(hours=2)}))
    store.clock = lambda: at("2026-02-21T10:00:00")
    store.upsert_meeting(Meeting(**{**store.get_meeting("m-up").__dict__, "cancelled": True}))
    done = publish_site(settings(), store, out, now=NOW)
    after = {str(e["SUMMARY"]): e for e in Calendar.from_ical((out / "meetings.ics").read_bytes()).walk("VEVENT")}
    assert after["Cabinet"]["UID"] == before["Cabinet"]["UID"]
    assert int(after["Cabinet"]["SEQUENCE"]) > int(before["Cabinet"]["SEQUENCE"])
    assert after["Cabinet"].decoded("DTSTART") == later
    assert after["Full Council (cancelled)"]["UID"] == before["Full Council"]["UID"]
    assert str(after["Full Council (cancelled)"]["STATUS"]) == "CANCELLED"
    assert int(after["Full Council (cancelled)"]["SEQUENCE"]) > int(before["Full Council"]["SEQUENCE"])
    for unchanged in ("Planning Committee", "Licensing Committee", "Standards Committee (cancelled)"):
        assert after[unchanged].to_ical() == before[unchanged].to_ical()
    assert "meetings.ics" in done.written.changed and "style.css" in done.written.unchanged


def test_the_json_feed(site):
    feed = json.loads(site.files["meetings.json"])
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["title"] == "Northdale Borough Council webcasts"
    items = {i["_meetstream"]["committee"]: i for i in feed["items"]}
    assert items["Full Council"]["_meetstream"]["status"] == "upcoming"
    assert items["Full Council"]["_meetstream"]["video"] == "https://youtu.be/UPVID000001"
    assert items["Standards Committee"]["_meetstream"]["status"] == "cancelled"
    assert items["Planning Committee"]["_meetstream"]["status"] == "webcast"
    assert items["Planning Committee"]["_meetstream"]["moments"][1] == {
        "seconds": 120, "label": "1. Apologies for absence", "url": "https://youtu.be/PASTVID0001?t=120"}
    assert items["Cabinet"]["_meetstream"]["room"] == "Council Chamber"
    assert all(i["id"] and i["content_text"] for i in feed["items"])


def test_publishing_twice_writes_the_same_bytes_and_touches_nothing(site, store, tmp_path):
    mtimes = {p: p.stat().st_mtime_ns for p in site.out.rglob("*")}
    again = publish_site(settings(), store, site.out, now=NOW)
    assert again.written.changed == [] and again.written.removed == []
    assert files(site.out) == site.files
    assert {p: p.stat().st_mtime_ns for p in site.out.rglob("*")} == mtimes
    fresh = tmp_path / "fresh"
    publish_site(settings(), store, fresh, now=NOW)
    assert files(fresh) == site.files
    assert not [p for p in site.out.rglob("*.tmp")]


def test_a_page_no_longer_published_is_removed_and_nothing_else(site, store):
    (site.out / "archive" / "old-page.html").write_text("kept: not ours")
    (site.out / ".meetstream-published").write_text((site.out / ".meetstream-published").read_text() + "archive/gone.html\n")
    (site.out / "archive" / "gone.html").write_text("ours, from an earlier run")
    done = publish_site(settings(), store, site.out, now=NOW)
    assert done.written.removed == ["archive/gone.html"]
    assert (site.out / "archive" / "old-page.html").exists() and not (site.out / "archive" / "gone.html").exists()


def test_the_council_colour_is_used_and_a_colour_that_fails_contrast_is_refused(store, tmp_path):
    from meetstream.errors import ConfigError

    publish_site(settings(publish={"colour": "#00594F"}), store, tmp_path / "a", now=NOW)
    assert "--brand: #00594f" in (tmp_path / "a" / "style.css").read_text()
    publish_site(settings(), store, tmp_path / "b", now=NOW)
    assert "--brand: #1d4f91" in (tmp_path / "b" / "style.css").read_text()
    with pytest.raises(ConfigError, match="contrast of 1.*AA needs 4.5:1"):
        publish_site(settings(publish={"colour": "#ffdd00"}), store, tmp_path / "c", now=NOW)


def test_html_in_data_is_escaped(store, tmp_path):
    start = at("2026-04-01T18:30:00")
    store.upsert_meeting(Meeting(id="x", committee="<script>alert(1)</script> Committee", start=start, end=start + timedelta(hours=1),
                                 agenda=(AgendaItem("1", "<b>bold</b> & more"),)))
    publish_site(settings(), store, tmp_path / "s", now=NOW)
    html = (tmp_path / "s" / "index.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Committee" in html
    assert "1. &lt;b&gt;bold&lt;/b&gt; &amp; more" in html


def test_the_publish_command(cli, store, monkeypatch, tmp_path):
    build(store, monkeypatch)
    config = tmp_path / "meetstream.yaml"
    config.write_text("council: {name: Northdale Borough Council}\nrooms:\n  chamber:\n    name: Council Chamber\n"
                      "    scene_set: scenes/council-chamber.yaml\n")
    state = store.path
    r = cli("--config", config, "--state", state, "publish", tmp_path / "out")
    assert r.code == 0, r
    assert "file(s) written" in r.out and (tmp_path / "out" / "meetings.ics").exists()
    r = cli("--config", config, "--state", state, "publish", tmp_path / "out")
    assert r.code == 0 and " 0 file(s) written" in r.out


def test_control_characters_in_the_data_reach_no_published_file(store, tmp_path):
    """RFC 5545 forbids control characters in an iCalendar TEXT value; a NUL in a page is no
    better. A title with a NUL or a bell, as a badly pasted agenda can carry, is published without them."""
    start = at("2026-03-10T18:30:00")
    store.upsert_meeting(Meeting("m-ctl", "Planning\x00 Committee", start, start + timedelta(hours=2), room="chamber",
                                 location="Council\x07 Chamber",
                                 agenda=(AgendaItem("1", "Apologies\x1b[31m for absence"),)))
    out = tmp_path / "site"
    publish_site(settings(), store, out, now=NOW)
    written = files(out)
    assert written and not [name for name, data in written.items()
                            if any(c in data for c in (b"\x00", b"\x07", b"\x1b"))], "control characters published"
    ics = written["meetings.ics"].decode()
    assert "SUMMARY:Planning Committee" in ics
