"""`meetstream archive`: the retention policy on the YouTube simulator, through the real CLI and the
real client (google-api-python-client, the quota ledger).

The store holds a year of webcast meetings of two committees; the simulator holds their videos.
Planning Committee keeps videos 6 months then unlists them; every other committee keeps them until
the minutes are approved (the next meeting of the same committee has taken place) then deletes them.
"""

from __future__ import annotations

import io
import json
import sys
from datetime import datetime, timedelta, timezone

import pytest

from meetstream.core.domain import AgendaItem, Meeting, TimelineEntry
from meetstream.store import Store
from youtube_fixtures import write_config, youtube_sandbox  # noqa: F401

NOW = datetime.now(timezone.utc).replace(microsecond=0)
POLICY = """archive:
  retention:
    - {committee: Planning Committee, keep_months: 6, then: unlist}
    - {committee: "*", until: minutes_approved, then: delete}
"""


def _video(sim, vid: str, title: str) -> None:
    sim.videos[vid] = {"kind": "youtube#video", "etag": "e", "id": vid,
                       "snippet": {"title": title, "description": "", "categoryId": "25", "channelId": "UC"},
                       "status": {"privacyStatus": "public", "uploadStatus": "processed", "embeddable": True,
                                  "license": "youtube"}}


def _webcast(store: Store, sim, mid: str, committee: str, start: datetime, vid: str | None) -> Meeting:
    m = Meeting(id=mid, committee=committee, start=start, end=start + timedelta(hours=2), room="chamber",
                agenda=(AgendaItem("1", "Apologies"), AgendaItem("2", "Minutes of the last meeting")))
    store.upsert_meeting(m)
    if vid:
        store.append_timeline(TimelineEntry(mid, start + timedelta(minutes=1), "start", None, {"broadcast_id": vid}))
        store.append_timeline(TimelineEntry(mid, start + timedelta(hours=2), "end", None, {}))
        _video(sim, vid, committee)
    return m


@pytest.fixture
def council(tmp_path, youtube_sandbox, monkeypatch):  # noqa: F811
    sim = youtube_sandbox
    config = write_config(tmp_path, sim.url, POLICY)
    state = tmp_path / "state.sqlite3"
    monkeypatch.setenv("MEETSTREAM_CONFIG", str(config))
    monkeypatch.setenv("MEETSTREAM_STATE", str(state))
    with Store.open(state) as store:
        # Planning: 9 and 7 months ago (due), 2 months ago (not yet)
        _webcast(store, sim, "plan-old", "Planning Committee", NOW - timedelta(days=270), "vidPLANold01")
        _webcast(store, sim, "plan-mid", "Planning Committee", NOW - timedelta(days=215), "vidPLANmid01")
        _webcast(store, sim, "plan-new", "Planning Committee", NOW - timedelta(days=60), "vidPLANnew01")
        # Cabinet: the first meeting's minutes were approved at the second (held): due; the second's
        # at the third, which is next week: not yet.
        _webcast(store, sim, "cab-1", "Cabinet", NOW - timedelta(days=40), "vidCAB000001")
        _webcast(store, sim, "cab-2", "Cabinet", NOW - timedelta(days=10), "vidCAB000002")
        _webcast(store, sim, "cab-3", "Cabinet", NOW + timedelta(days=7), None)
    return sim, tmp_path


def _calls(sim, since: int = 0) -> list[str]:
    return [c.method for c in sim.calls[since:]]


def test_the_due_list_says_which_why_and_when_and_calls_nothing(council, cli):
    sim, _ = council
    r = cli("archive")
    assert r.code == 0, r
    lines = r.out.splitlines()
    assert lines[0] == "Due now (3):"
    assert sum("unlist https://youtu.be/vidPLAN" in ln and "kept 6 months" in ln for ln in lines) == 2
    assert any("delete https://youtu.be/vidCAB000001" in ln and "until the minutes were approved" in ln for ln in lines)
    assert not any("vidCAB000002" in ln or "vidPLANnew01" in ln for ln in lines[1:4])
    assert "Later: 2 more" in r.out
    assert sim.calls == []  # the list is the store's: no quota spent


def test_apply_asks_first_and_no_is_the_default(council, cli, monkeypatch):
    sim, _ = council
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    r = cli("archive", "--apply")
    assert r.code == 0 and "Go ahead? [y/N]" in r.out and "Nothing changed." in r.out, r
    assert sim.calls == [] and all(v["status"]["privacyStatus"] == "public" for v in sim.videos.values())


def test_apply_then_a_second_pass_does_nothing(council, cli, tmp_path):
    sim, folder = council
    r = cli("archive", "--apply", "--yes")
    assert r.code == 0, r
    assert sim.videos["vidPLANold01"]["status"]["privacyStatus"] == "unlisted"
    assert sim.videos["vidPLANold01"]["status"]["embeddable"] is True  # the rest of the status part kept
    assert sim.videos["vidPLANmid01"]["status"]["privacyStatus"] == "unlisted"
    assert "vidCAB000001" not in sim.videos
    assert sim.videos["vidPLANnew01"]["status"]["privacyStatus"] == "public" and "vidCAB000002" in sim.videos
    assert sorted(_calls(sim)) == ["videos.delete", "videos.list", "videos.update", "videos.update"]
    units = sum(c.units for c in sim.calls)
    assert units == 1 + 50 + 50 + 50
    mark = len(sim.calls)
    again = cli("archive", "--apply", "--yes")
    assert again.code == 0 and "Nothing is due" in again.out, again
    assert _calls(sim, mark) == []  # idempotent: no call at all

    # The site and the iCalendar feed no longer link the unlisted or deleted videos; the others still.
    site = folder / "site"
    assert cli("publish", site).code == 0
    everything = "".join(p.read_text() for p in site.rglob("*") if p.suffix in (".html", ".ics", ".json"))
    for gone in ("vidPLANold01", "vidPLANmid01", "vidCAB000001"):
        assert gone not in everything
    ics = (site / "meetings.ics").read_text() if (site / "meetings.ics").exists() else \
        next(p.read_text() for p in site.rglob("*.ics"))
    assert "youtu.be/vidPLANnew01" in ics.replace("\r\n ", "") and "youtu.be/vidCAB000002" in everything
    assert "no longer available" in everything

    # The log, in the webcast report.
    rep = cli("report", "--format", "json", "--no-views")
    assert rep.code == 0, rep
    log = json.loads(rep.out)["archive"]
    assert sorted((a["video_id"], a["action"], a["units"]) for a in log) == [
        ("vidCAB000001", "delete", 50), ("vidPLANmid01", "unlist", 50), ("vidPLANold01", "unlist", 50)]
    assert all(a["reason"] for a in log)
    html = cli("report", "--format", "html", "--no-views").out
    assert "retention policy actions" in html and "vidCAB000001" in html


def test_a_pass_the_quota_cannot_pay_for_changes_nothing(council, cli):
    sim, _ = council
    sim.daily_quota = 10_000
    from meetstream.config import load_settings
    from meetstream.core.quota import QuotaLedger
    import os

    with Store.open(os.environ["MEETSTREAM_STATE"]) as store:
        ledger = QuotaLedger(store, load_settings().youtube.daily_quota)
        ledger.record("liveBroadcasts.insert", 10_000 - 100)  # the day's quota nearly spent (100 left; the pass needs 151)
    r = cli("archive", "--apply", "--yes")
    assert r.code == 2, r
    err = r.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error:") and "151" in err[0] and "100 left" in err[0], r
    assert sim.calls == [] and all(v["status"]["privacyStatus"] == "public" for v in sim.videos.values())


def test_a_video_changed_by_hand_is_logged_not_written_again(council, cli):
    sim, _ = council
    sim.videos["vidPLANold01"]["status"]["privacyStatus"] = "private"  # made private in Studio: stronger than unlisted
    del sim.videos["vidCAB000001"]  # deleted in Studio
    r = cli("archive", "--apply", "--yes")
    assert r.code == 0, r
    assert sorted(_calls(sim)) == ["videos.list", "videos.update"]  # only vidPLANmid01 is written
    assert sim.videos["vidPLANold01"]["status"]["privacyStatus"] == "private"


@pytest.mark.parametrize("policy, words", [
    ("archive:\n  retention:\n    - {committee: Cabinet, then: delete}\n", "exactly one of keep_months"),
    ("archive:\n  retention:\n    - {committee: Cabinet, keep_months: 6, until: minutes_approved, then: delete}\n", "exactly one of keep_months"),
    ("archive:\n  retention:\n    - {committee: Cabinet, keep_months: 6, then: shred}\n", "then"),
    ("archive:\n  retention:\n    - {committee: Cabinet, keep_months: 6, then: unlist}\n    - {committee: cabinet, keep_months: 3, then: delete}\n",
     "two retention rules"),
])
def test_a_bad_policy_is_one_line(tmp_path, cli, monkeypatch, policy, words):
    config = write_config(tmp_path, "http://127.0.0.1:9", policy)
    monkeypatch.setenv("MEETSTREAM_CONFIG", str(config))
    monkeypatch.setenv("MEETSTREAM_STATE", str(tmp_path / "state.sqlite3"))
    r = cli("archive")
    assert r.code == 2 and r.err.count("\n") == 1 and r.err.startswith("Error:") and words in r.err, r
