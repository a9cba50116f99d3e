"""The calendar commands end to end over loopback: sync, list, links --send, teams create."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from graph_fixtures import MAILBOX, graph_config, graph_event, graph_sim  # noqa: F401



@pytest.fixture
def run(cli, graph_config, tmp_path, monkeypatch):
    """The CLI with the sample council's config, signed in and synced."""
    monkeypatch.setenv("MEETSTREAM_TOKEN_CACHE_PLAINTEXT", "1")
    state = tmp_path / "state.sqlite3"

    def go(*args):
        return cli("--config", graph_config, "--state", state, *args)

    assert go("auth", "microsoft").code == 0
    synced = go("calendar", "sync")
    assert synced.code == 0, synced
    go.state = state
    return go


def full_council(run):
    listed = json.loads(run("calendar", "list", "--json").out)
    return next(m for m in listed if m["committee"] == "Full Council")


def test_sync_reports_what_it_did_and_its_warnings(run):
    again = run("calendar", "sync")
    assert again.code == 0
    assert again.out.startswith("Read the changes") and "0 new, 0 changed" in again.out and "(1 request," in again.out


def test_the_first_sync_warns_about_each_odd_event(graph_sim, graph_config, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("MEETSTREAM_TOKEN_CACHE_PLAINTEXT", "1")
    state = tmp_path / "state.sqlite3"
    cli("--config", graph_config, "--state", state, "auth", "microsoft")
    result = cli("--config", graph_config, "--state", state, "calendar", "sync")
    assert result.code == 0
    assert "10 new" in result.out and "1 not webcast" in result.out
    assert "Warning: Audit Committee" in result.out and "'The Old Library Annexe' is not a configured room" in result.out


def test_list_shows_times_in_the_council_zone_and_json_hides_exempt_titles(run):
    table = run("calendar", "list")
    assert table.code == 0 and "Full Council" in table.out and "18:30" in table.out
    council = full_council(run)
    assert council["start_local"].endswith("18:30:00+00:00") or council["start_local"].endswith("18:30:00+01:00")
    assert council["agenda"][6] == {"number": "7", "title": "Exempt item (public excluded)", "exempt": True,
                                    "reason": "under the heading 'Part 2 - items containing exempt information'"}
    assert "Station Road" not in json.dumps(council)


def test_links_send_emails_each_member_once(run, graph_sim):
    ref = full_council(run)["ref"]
    first = run("links", ref, "--send", "--yes")
    assert first.code == 0, first
    assert "Sent 7 emails." in first.out
    assert len(graph_sim.sent_mail) == 7
    mail = next(m for m in graph_sim.sent_mail if m["to"] == ["jane.smith@northdale.example"])
    assert mail["from"] == MAILBOX and "Dear Cllr Jane Smith" in mail["body"]["content"]
    assert "https://teams.microsoft.com/l/meetup-join/" in mail["body"]["content"]

    second = run("links", ref, "--send", "--yes")
    assert second.code == 0 and "Nothing to send" in second.out
    assert len(graph_sim.sent_mail) == 7

    third = run("links", ref, "--send", "--yes", "--resend")
    assert "Sent 7 emails." in third.out and len(graph_sim.sent_mail) == 14


def test_links_send_shows_who_gets_what_and_sends_only_when_told(run, graph_sim, monkeypatch):
    ref = full_council(run)["ref"]
    piped = run("links", ref, "--send")  # no terminal to ask on, no --yes: refused
    assert piped.code == 2 and "add --yes" in piped.err and "  send" in piped.out
    dry = run("links", ref, "--send", "--dry-run")
    assert dry.code == 0 and "Dry run: 7 emails would be sent" in dry.out
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("typer.confirm", lambda *a, **kw: False)
    declined = run("links", ref, "--send")
    assert declined.code == 0 and "Nothing sent." in declined.out
    assert graph_sim.sent_mail == []
    monkeypatch.setattr("typer.confirm", lambda *a, **kw: True)
    asked = run("links", ref, "--send", "--json")
    record = json.loads(asked.out)
    assert len(record["sent"]) == 7 and record["failed"] == {} and len(graph_sim.sent_mail) == 7
    assert {p["action"] for p in record["plan"]} >= {"send"} and record["teams"].startswith("https://teams.microsoft.com/")


def test_a_failed_email_is_retried_next_time_and_the_others_are_not_repeated(run, graph_sim):
    ref = full_council(run)["ref"]
    graph_sim.throttle(100, retry_after=0)  # the batch runs out of retries for every item
    failed = run("links", ref, "--send", "--yes")
    assert failed.code == 2 and "email(s) not sent" in failed.err
    graph_sim.calm()
    assert len(graph_sim.sent_mail) == 0
    ok = run("links", ref, "--send", "--yes")
    assert ok.code == 0 and "Sent 7 emails." in ok.out


def test_links_shows_the_youtube_link_once_a_broadcast_exists(run):
    from meetstream.core.domain import Broadcast
    from meetstream.store import Store

    council = full_council(run)
    shown = run("links", council["ref"])
    assert "YouTube: (not scheduled yet)" in shown.out and council["join_url"] in shown.out
    with Store.open(run.state) as store:
        store.save_broadcast(Broadcast(council["id"], "dQw4w9WgXcQ", None, "Full Council", datetime.now(timezone.utc), "public"))
    assert "YouTube: https://youtu.be/dQw4w9WgXcQ" in run("links", council["ref"]).out


def test_teams_create_makes_a_teams_meeting_once(run, graph_sim):
    listed = json.loads(run("calendar", "list", "--json").out)
    standards = next(m for m in listed if m["committee"] == "Standards Committee")
    assert standards["join_url"] is None
    created = run("teams", "create", standards["ref"])
    assert created.code == 0, created
    assert "is now a Teams meeting: https://teams.microsoft.com/l/meetup-join/" in created.out
    [event] = [e for e in graph_sim.events() if e["id"] == standards["id"]]
    assert event["isOnlineMeeting"] and event["onlineMeetingProvider"] == "teamsForBusiness"
    url = event["onlineMeeting"]["joinUrl"]
    assert run("links", standards["ref"]).out.count(url) == 1

    graph_sim.reset_log()
    again = run("teams", "create", standards["ref"])
    assert "already has a Teams link" in again.out
    assert graph_sim.log == []
    assert run("calendar", "sync").code == 0  # the calendar's own change comes back as the same link
    assert json.loads(run("calendar", "list", "--json").out)[0] is not None


def test_teams_create_finds_a_link_made_in_outlook_since_the_last_sync_and_says_so(run, graph_sim):
    from dataclasses import replace

    from meetstream.store import Store

    listed = json.loads(run("calendar", "list", "--json").out)
    standards = next(m for m in listed if m["committee"] == "Standards Committee")
    # The clerk ticked "Teams meeting" in Outlook after the last sync: Graph has a link, the store not.
    made = run("teams", "create", standards["ref"])  # made through Graph once…
    with Store.open(run.state) as store:
        m = store.get_meeting(standards["id"])
        store.upsert_meeting(replace(m, join_url=None))  # …and the store not told (the sync has not run)
    graph_sim.reset_log()
    found = run("teams", "create", standards["ref"])
    assert made.code == 0 and found.code == 0, found
    assert "is now a Teams meeting" not in found.out and "already a Teams meeting in the calendar" in found.out
    assert [r.method for r in graph_sim.graph_requests()] == ["GET"]  # read, nothing created
    url = made.out.rsplit(" ", 1)[-1].strip()
    assert found.out.rstrip().endswith(url) and run("links", standards["ref"]).out.count(url) == 1


def test_a_meeting_can_be_named_by_date_and_committee(run):
    council = full_council(run)
    day = council["start_local"][:10]
    result = run("links", f"{day} full council")
    assert result.code == 0 and council["join_url"] in result.out


def test_unknown_meetings_and_bad_dates_are_one_clear_error(run):
    missing = run("links", "zzzzzz")
    assert missing.code == 2 and missing.err.startswith("Error: no meeting 'zzzzzz' in the store")
    bad = run("calendar", "sync", "--from", "next tuesday")
    assert bad.code == 2 and bad.err == "Error: --from 'next tuesday' is not a date (use YYYY-MM-DD)\n"


def test_a_roster_mistake_stops_the_sync_before_any_request(run, graph_sim, graph_config):
    roster = graph_config.parent / "roster.yaml"
    roster.write_text("members:\n  - name: Jane Smith\n    wrd: North\n")
    graph_sim.reset_log()
    result = run("calendar", "sync")
    assert result.code == 2 and f"{roster}:3: members.0.wrd: unknown field" in result.err
    assert graph_sim.graph_requests() == []


def test_sync_from_and_to_reads_just_those_days_in_council_time(run, graph_sim):
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Europe/London")).date()
    first, last = today + timedelta(days=1), today + timedelta(days=8)
    graph_sim.reset_log()
    result = run("calendar", "sync", "--from", first.isoformat(), "--to", last.isoformat())
    assert result.code == 0, result
    assert result.out.startswith(f"Read the window ({first:%d %b %Y} to {last:%d %b %Y}): 0 new, 0 changed, 3 unchanged")
    [req] = graph_sim.graph_requests()
    assert req.path.endswith("/calendarView")
