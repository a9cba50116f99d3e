"""`calendar sync` with `agendas.source: moderngov`: the Graph simulator and the modern.gov simulator
of the same sample council, joined, through the CLI."""

import json
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from graph_fixtures import graph_sim, sign_in, write_config  # noqa: F401
from meetstream.config import load_settings
from meetstream.core.domain import TimelineEntry
from meetstream.sandbox.moderngov import ModernGovSimulator
from meetstream.store import Store

ROOMS = {"Full Council": "chamber", "Planning Committee": "chamber", "Licensing Sub-Committee": "committee1",
         "Overview and Scrutiny Committee": "committee1", "Cabinet": "chamber"}


@pytest.fixture
def mg():
    sim = ModernGovSimulator.from_sample_council().start()
    yield sim
    sim.stop()


def configure(tmp_path, graph_sim, mg, monkeypatch, *, graph=True, overrides=None):  # noqa: F811
    path = write_config(tmp_path, graph_sim)
    doc = yaml.safe_load(path.read_text())
    committees = {t: r for t, r in ROOMS.items() if t in {c.title for c in mg.committees.values()}}
    doc["agendas"] = {"source": "moderngov", "moderngov": {"base_url": mg.url, "committees": committees, "min_interval": 0}}
    if overrides:
        doc["agendas"]["overrides"] = str(overrides)
    if not graph:
        del doc["calendar"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    monkeypatch.setenv("MEETSTREAM_CONFIG", str(path))
    monkeypatch.setenv("MEETSTREAM_STATE", str(tmp_path / "state.sqlite3"))
    if graph:
        sign_in(load_settings(path), tmp_path / "state.sqlite3")
    return path


def listed(cli):
    result = cli("calendar", "list", "--json")
    assert result.code == 0, result
    return {m["committee"]: m for m in json.loads(result.out)}


def full_council(mg):
    return next(m for m in mg.meetings.values() if mg.committees[m.committee_id].title == "Full Council")


def test_joined_meetings_take_the_agenda_from_moderngov_and_the_teams_link_from_the_calendar(cli, tmp_path, graph_sim, mg, monkeypatch):  # noqa: F811
    configure(tmp_path, graph_sim, mg, monkeypatch)
    meeting = full_council(mg)
    item = next(i for i in meeting.items if i.number == "5")  # "Medium Term Financial Plan": public by its words
    mg.restrict_item(meeting.id, item.id, reason="Paragraph 3")
    result = cli("calendar", "sync")
    assert result.code == 0, result
    assert "modern.gov:" in result.out and "joined with the calendar" in result.out
    council = listed(cli)["Full Council"]
    assert council["join_url"]  # the calendar's
    assert council["sources"]["agenda"] == f"modern.gov meeting {meeting.id}"
    assert council["sources"]["Teams link and attendees"] == "calendar"
    five = next(i for i in council["agenda"] if i["number"] == "5")
    assert five["exempt"] and "modern.gov" in five["reason"] and five["title"] == "Exempt item (public excluded)"
    seven = next(i for i in council["agenda"] if i["number"] == "7")
    assert seven["exempt"]  # modern.gov's own marking and the text rules agree
    assert "Medium Term Financial Plan" not in cli("calendar", "list").out


def test_a_resync_follows_renumbering_withdrawal_a_move_and_a_cancellation_and_keeps_the_timeline(cli, tmp_path, graph_sim, mg, monkeypatch):  # noqa: F811
    configure(tmp_path, graph_sim, mg, monkeypatch)
    assert cli("calendar", "sync").code == 0
    council = listed(cli)["Full Council"]
    with Store.open(tmp_path / "state.sqlite3") as store:
        store.append_timeline(TimelineEntry(council["id"], datetime.now(timezone.utc), "item", item_number="3"))
        before = [(e.kind, e.item_number) for e in store.timeline(council["id"])]
    meeting = full_council(mg)
    four = next(i for i in meeting.items if i.number == "4")
    mg.renumber_item(meeting.id, four.id, "4a")
    eight = next(i for i in meeting.items if i.number == "8")
    mg.withdraw_item(meeting.id, eight.id)
    moved_to = datetime.fromisoformat(council["start"].replace("Z", "+00:00")) + timedelta(hours=1)
    mg.move_meeting(meeting.id, moved_to)
    planning = next(m for m in mg.meetings.values() if mg.committees[m.committee_id].title == "Planning Committee")
    mg.cancel_meeting(planning.id)

    result = cli("calendar", "sync")
    assert result.code == 0, result
    after = listed(cli)
    council = after["Full Council"]
    numbers = [i["number"] for i in council["agenda"]]
    assert "4a" in numbers and "4" not in numbers and "8" not in numbers
    assert council["start"] == moved_to.strftime("%Y-%m-%dT%H:%M:%SZ") and council["sources"]["time"] == "modern.gov"
    assert any("modern.gov's time is used" in w for w in council["warnings"])
    assert after["Planning Committee"]["cancelled"]
    with Store.open(tmp_path / "state.sqlite3") as store:
        assert [(e.kind, e.item_number) for e in store.timeline(council["id"])] == before
    # A calendar-only sync afterwards (modern.gov read again too) does not take the agenda back.
    again = cli("calendar", "sync")
    assert again.code == 0
    assert [i["number"] for i in listed(cli)["Full Council"]["agenda"]] == numbers


def test_a_malformed_or_unreachable_site_is_one_error_and_nothing_stored_changes(cli, tmp_path, graph_sim, mg, monkeypatch):  # noqa: F811
    configure(tmp_path, graph_sim, mg, monkeypatch)
    assert cli("calendar", "sync").code == 0
    before = listed(cli)
    mg.malformed(count=10)
    result = cli("calendar", "sync")
    assert result.code == 2 and result.err.count("\n") == 1 and "modern.gov" in result.err.lower()
    assert listed(cli) == before


def test_without_a_microsoft_calendar_the_meetings_come_from_moderngov_alone(cli, tmp_path, graph_sim, mg, monkeypatch):  # noqa: F811
    configure(tmp_path, graph_sim, mg, monkeypatch, graph=False)
    result = cli("calendar", "sync")
    assert result.code == 0, result
    assert "No Microsoft 365 calendar configured" in result.out
    council = listed(cli)["Full Council"]
    assert council["id"].startswith("moderngov-") and council["room"] == "chamber" and council["join_url"] is None
    assert council["sources"]["room"] == "agendas.moderngov.committees"
    assert any(i["exempt"] for i in council["agenda"])
    monkeypatch.setenv("COLUMNS", "80")  # the table at 80 columns wraps at spaces, never inside a word
    table = cli("calendar", "list").out.split("\nmg:")[0]
    assert "Sub-Committee" in table and max(len(line) for line in table.splitlines()) <= 80


def test_an_override_makes_an_item_public_only_explicitly_and_can_add_an_exempt_mark(cli, tmp_path, graph_sim, mg, monkeypatch):  # noqa: F811
    meeting = full_council(mg)
    day = meeting.day.isoformat()
    overrides = tmp_path / "agendas.yaml"
    overrides.write_text(yaml.safe_dump({"committee": "Full Council", "date": day, "items": [
        {"number": "7", "title": "Disposal of land at Station Road", "exempt": False},
        {"number": "4", "title": "Public questions", "exempt": True},
        "5. Medium Term Financial Plan 2027/28",  # by the rules: public, but cannot undo an exempt mark
    ]}))
    configure(tmp_path, graph_sim, mg, monkeypatch, overrides=overrides)
    five = next(i for i in meeting.items if i.number == "5")
    mg.restrict_item(meeting.id, five.id)
    assert cli("calendar", "sync").code == 0
    agenda = {i["number"]: i for i in listed(cli)["Full Council"]["agenda"]}
    assert not agenda["7"]["exempt"] and agenda["4"]["exempt"] and agenda["5"]["exempt"]


def test_a_site_that_answers_with_nothing_cancels_nothing_and_a_later_good_answer_wins(cli, tmp_path, graph_sim, mg, monkeypatch):  # noqa: F811
    """An odd GetMeetings answer with no meetings at all (issue 23): a warning, nothing changed;
    only modern.gov saying "cancelled" cancels, and a later good answer undoes a cancellation."""
    configure(tmp_path, graph_sim, mg, monkeypatch, graph=False)
    mg.reset_log()
    assert cli("calendar", "sync").code == 0
    asked = mg.count("GetMeetings")  # one a followed committee
    before = listed(cli)
    assert before and not any(m["cancelled"] for m in before.values())
    empty = b'<?xml version="1.0" encoding="utf-8"?>\n<getmeetings><meetingscount> 0</meetingscount><committeescount> 0</committeescount></getmeetings>'
    for _ in range(asked):
        mg.respond_raw(empty, operation="GetMeetings")
    quiet = cli("calendar", "sync")
    assert quiet.code == 0, quiet
    assert "modern.gov listed no meetings at all" in quiet.out and "nothing is cancelled" in quiet.out
    assert {k: m["cancelled"] for k, m in listed(cli).items()} == {k: False for k in before}
    # modern.gov says it explicitly: cancelled; and when it lists the meeting again, it is on again.
    council = full_council(mg)
    mg.cancel_meeting(council.id)
    assert cli("calendar", "sync").code == 0
    assert listed(cli)["Full Council"]["cancelled"]
    council_id = listed(cli)["Full Council"]["id"]
    with Store.open(tmp_path / "state.sqlite3") as store:  # seen once: its broadcast is not deleted yet
        assert council_id in store.unconfirmed_cancellations()
    assert cli("calendar", "sync").code == 0
    with Store.open(tmp_path / "state.sqlite3") as store:  # the next sync confirms it
        assert council_id not in store.unconfirmed_cancellations()
    mg.move_meeting(council.id, datetime.combine(council.day, datetime.min.time(), timezone.utc) + timedelta(hours=18),
                    status="confirmed")
    assert cli("calendar", "sync").code == 0
    assert not listed(cli)["Full Council"]["cancelled"]
