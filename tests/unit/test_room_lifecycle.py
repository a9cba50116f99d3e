"""A room runs meeting after meeting: a meeting holds its room from its first action until `end`
releases it; another meeting is refused meanwhile, with a line naming the one that holds it and
the command that ends it; and a refused start writes nothing to YouTube or OBS.

On fakes of OBS and YouTube (tests/fakes.py), in milliseconds; tests/e2e/test_meeting_after_meeting.py
runs the same life on real OBS instances and the simulators.
"""

from dataclasses import replace
from datetime import timedelta

import pytest

from meetstream.core.domain import AgendaItem, SessionState, TimelineEntry
from meetstream.errors import StateError
from meetstream.services.night import end_meeting, start_meeting, start_refusal
from meetstream.errors import RoomTaken
from meetstream.services.session import LiveSession, check_room_free
from meetstream.store import MIGRATIONS, Store

from fakes import FakeDirector, FakeOnAir, FakeOutputs


@pytest.fixture
def meetings(store, sample_meeting):
    """Three meetings in the chamber, a week apart, and one in Committee Room 1."""
    week = timedelta(days=7)
    planning = sample_meeting
    standards = replace(sample_meeting, id="mtg-standards", committee="Standards Committee",
                        start=sample_meeting.start + week, end=sample_meeting.end + week,
                        agenda=(AgendaItem("1", "Apologies"), AgendaItem("2", "Complaint (Part 2)", exempt=True),
                                AgendaItem("3", "Work programme")))
    audit = replace(sample_meeting, id="mtg-audit", committee="Audit Committee",
                    start=sample_meeting.start + 2 * week, end=sample_meeting.end + 2 * week)
    licensing = replace(sample_meeting, id="mtg-licensing", committee="Licensing Sub-Committee", room="committee1")
    for m in (planning, standards, audit, licensing):
        store.upsert_meeting(m)
    return planning, standards, audit, licensing


def night(store, meeting, room="chamber", director=None):
    return LiveSession(store, director or FakeDirector(), room, meeting), FakeOutputs(), FakeOnAir()


def kinds(store, meeting):
    return [e.kind for e in store.timeline(meeting.id)]


def test_three_meetings_in_a_row_in_one_room_each_start_run_and_end(store, meetings):
    director = FakeDirector()  # the room's one OBS, night after night
    for meeting in meetings[:3]:
        session, outputs, youtube = night(store, meeting, director=director)
        start_meeting(session, outputs, youtube)
        session.chamber()
        session.go_to_item(next(i.number for i in meeting.agenda if i.exempt))
        assert session.state is SessionState.PRIVATE and director.role == "private"
        summary = end_meeting(session, outputs, youtube)
        assert summary.left == [] and summary.committee == meeting.committee
        assert kinds(store, meeting) == ["holding", "start", "chamber", "private", "adjourned", "end"]
    saved = store.session("chamber")
    assert saved["meeting_id"] == meetings[2].id and saved["ended"] is not None


def test_a_meeting_still_live_refuses_another_with_its_name_and_the_command_that_ends_it(store, meetings):
    planning, standards = meetings[:2]
    first, outputs, youtube = night(store, planning)
    start_meeting(first, outputs, youtube)
    first.chamber()

    director = FakeDirector()
    second, outputs2, youtube2 = night(store, standards, director=director)
    with pytest.raises(StateError) as refused:
        start_meeting(second, outputs2, youtube2)
    line = str(refused.value)
    assert "Planning Committee" in line and "`meetstream end --room chamber`" in line and "Standards Committee" in line
    assert "\n" not in line
    # Nothing reached YouTube or OBS for the refused meeting, and the live one is untouched.
    assert youtube2.calls == [] and outputs2.calls == [] and director.shown == []
    assert store.session("chamber")["meeting_id"] == planning.id and store.session("chamber")["state"] is SessionState.ON_AIR
    with pytest.raises(RoomTaken):
        second.holding()
    with pytest.raises(RoomTaken):
        check_room_free(store, "chamber", standards)
    assert second.check("chamber") is not None  # a surface asking first is refused too


def test_a_cue_naming_the_next_meeting_takes_the_room_once_the_last_has_ended(store, meetings):
    planning, standards = meetings[:2]
    first, outputs, youtube = night(store, planning)
    start_meeting(first, outputs, youtube)
    end_meeting(first, outputs, youtube)

    cue = LiveSession(store, FakeDirector(), "chamber", standards)  # `cue holding --meeting <standards>`
    cue.holding()
    assert store.session("chamber")["meeting_id"] == standards.id and store.session("chamber")["ended"] is None
    assert kinds(store, standards) == ["holding"]
    # Planning's timeline kept everything.
    assert kinds(store, planning)[-1] == "end"


def test_a_session_following_the_room_moves_on_to_the_next_meeting(store, meetings):
    """A resident `serve` started without a meeting follows whichever meeting holds the room."""
    planning, standards = meetings[:2]
    resident = LiveSession(store, FakeDirector(), "chamber")
    assert resident.meeting is None
    first, outputs, youtube = night(store, planning)
    start_meeting(first, outputs, youtube)
    with resident.turn():
        assert resident.meeting.id == planning.id and resident.state is SessionState.HOLDING
    end_meeting(first, outputs, youtube)
    with pytest.raises(StateError, match="has ended: the room's next meeting starts with `meetstream start next --room chamber`"):
        resident.chamber()
    second, outputs, youtube = night(store, standards)
    start_meeting(second, outputs, youtube)
    resident.chamber()  # acts on the meeting that holds the room now
    assert kinds(store, standards)[-1] == "chamber" and "chamber" not in kinds(store, planning)[-2:]


def test_ending_twice_says_it_has_ended_and_does_nothing(store, meetings):
    planning = meetings[0]
    session, outputs, youtube = night(store, planning)
    start_meeting(session, outputs, youtube)
    end_meeting(session, outputs, youtube)
    calls = list(youtube.calls)
    with pytest.raises(StateError, match="already ended, with nothing left to do"):
        end_meeting(LiveSession(store, FakeDirector(), "chamber"), outputs, youtube)
    assert youtube.calls == calls and kinds(store, planning).count("end") == 1


def test_an_end_that_left_work_is_finished_before_the_next_meeting_starts(store, meetings):
    planning, standards = meetings[:2]
    session, outputs, youtube = night(store, planning)
    start_meeting(session, outputs, youtube)
    youtube.down = True
    assert end_meeting(session, outputs, youtube).left
    second, outputs2, youtube2 = night(store, standards)
    assert "run `meetstream end --room chamber` again first" in start_refusal(second)
    youtube.down = False
    assert end_meeting(LiveSession(store, FakeDirector(), "chamber"), outputs, youtube).left == []
    with second.turn():
        pass
    assert start_refusal(second) is None
    start_meeting(second, outputs2, youtube2)


@pytest.mark.parametrize("change, words", [
    (dict(cancelled=True), "is cancelled"),
    (dict(room="committee1"), "is in room 'committee1', not 'chamber'"),
])
def test_start_refuses_a_meeting_it_cannot_start_before_writing_anything(store, meetings, change, words):
    meeting = replace(meetings[1], **change)
    store.upsert_meeting(meeting)
    director = FakeDirector()
    session, outputs, youtube = night(store, meeting, director=director)
    with pytest.raises(StateError, match=words):
        start_meeting(session, outputs, youtube)
    assert youtube.calls == [] and outputs.calls == [] and director.shown == [] and store.session("chamber") is None


def test_two_rooms_run_at_once_each_on_its_own_meeting(store, meetings):
    planning, licensing = meetings[0], meetings[3]
    chamber, out1, yt1 = night(store, planning)
    room1, out2, yt2 = night(store, licensing, room="committee1")
    start_meeting(chamber, out1, yt1)
    start_meeting(room1, out2, yt2)
    chamber.chamber()
    room1.go_to_item("5")  # exempt: committee room 1 goes private
    assert chamber.state is SessionState.ON_AIR and room1.state is SessionState.PRIVATE
    assert chamber.director.role == "chamber" and room1.director.role == "private"
    end_meeting(room1, out2, yt2)
    chamber.speaker("Jane Smith")
    assert store.session("chamber")["meeting_id"] == planning.id and store.session("chamber")["ended"] is None
    assert store.session("committee1")["ended"] is not None


def test_a_store_from_before_the_upgrade_releases_rooms_whose_meeting_ended(tmp_path, sample_meeting, monkeypatch):
    import meetstream.store.schema as store_module

    path = tmp_path / "old.sqlite3"
    monkeypatch.setattr(store_module, "MIGRATIONS", [m for m in MIGRATIONS if m[0] < "0008"])
    with Store.open(path) as old:
        old.upsert_meeting(sample_meeting)
        with old.transaction() as c:  # the rows as the release before this one wrote them
            c.execute("INSERT INTO sessions (room, meeting_id, state, item_number, speaker, updated_utc) "
                      "VALUES ('chamber', ?, 'adjourned', '6', NULL, '2026-12-01T20:00:00Z')", (sample_meeting.id,))
            c.execute("INSERT INTO sessions (room, meeting_id, state, item_number, speaker, updated_utc) "
                      "VALUES ('committee1', 'mtg-other', 'on_air', NULL, NULL, '2026-12-01T20:00:00Z')")
        old.append_timeline(TimelineEntry(sample_meeting.id, sample_meeting.start, "adjourned", "6", {}))
        old.append_timeline(TimelineEntry(sample_meeting.id, sample_meeting.start, "end", "6", {}))
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    with Store.open(path) as upgraded:
        assert upgraded.session("chamber")["ended"] == sample_meeting.start
        assert upgraded.session("committee1")["ended"] is None  # still live: not released
