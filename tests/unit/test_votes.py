"""Recorded votes: the checks (one clear error, nothing stored), the words, the store, and the
session's rules (on the record always, on screen only in public, off again in time), on the
fake director (tests/fakes.py); the real OBS is tests/e2e/test_votes_obs.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fakes import FakeDirector

from meetstream.core.domain import AgendaItem, SessionState, Vote
from meetstream.errors import StateError
from meetstream.services.session import LiveSession
from meetstream.core.timefmt import now_utc
from meetstream.core.votes import EXEMPT_MOTION, VoteError, make_vote, overlay_text, vote_args, vote_line, vote_record


def vote(meeting, **kw):
    args = {"motion": "That the application be approved", "votes_for": 2, "against": 1, "abstain": 0, "result": "carried"} | kw
    return make_vote(meeting, "4", **args)


@pytest.mark.parametrize("kw,error", [
    ({"votes_for": -1}, "for must be a whole number of votes, 0 or more, got -1"),
    ({"against": 2.5}, "against must be a whole number of votes, 0 or more, got 2.5"),
    ({"abstain": "one"}, "abstain must be a whole number of votes, 0 or more, got 'one'"),
    ({"votes_for": True}, "for must be a whole number"),
    ({"votes_for": 99999}, "more votes than any council has members"),
    ({"motion": "   "}, "type the motion"),
    ({"votes_for": "²"}, "for must be a whole number of votes, 0 or more, got '²'"),  # "²".isdigit() is true
    ({"votes_for": "9" * 5000}, "for must be a whole number of votes"),  # past int()'s digit limit
    ({"against": "١"}, "against must be a whole number of votes"),  # an Arabic-Indic one
    ({"result": "passed"}, "the result must be one of carried, lost, carried_casting, lost_casting, got 'passed'"),
    ({"result": "lost"}, "for 2, against 1 means the motion was carried, not lost"),
    ({"votes_for": 3, "against": 3}, "a tie is decided by the chair's casting vote"),
    ({"votes_for": 9, "against": 3, "result": "carried_casting"}, "is not a tie"),
    ({"votes_for": 4, "against": 3, "result": "lost_casting"}, "is not a tie"),
    ({"named": {"Nobody Known": "for"}}, "named votes: no member 'Nobody Known'"),
    ({"named": {"Smith": "yes"}}, "'Smith' voted 'yes': a named vote is for, against or abstain"),
    ({"named": ["Jane Smith=for", "Cllr Jane Smith=for", "Khan=against"]}, "Cllr Jane Smith is named twice"),
    ({"named": {"Jane Smith": "for", "Amir Khan": "for", "Peter Lowe": "for"}},
     "the named votes give for 3, against 0, abstain 0, but the counts are for 2, against 1, abstain 0"),
])
def test_a_vote_that_does_not_add_up_is_one_clear_error(sample_meeting, kw, error):
    with pytest.raises(VoteError) as err:
        vote(sample_meeting, **kw)
    assert error in str(err.value) and "\n" not in str(err.value)


def test_a_good_vote_is_taken_as_typed_and_names_resolve_to_members(sample_meeting):
    v = vote(sample_meeting, votes_for="2", against=1, abstain="0", result="Carried",
             named=["Smith=for", "Cllr Amir Khan=FOR", "Peter Lowe=against"])
    assert (v.votes_for, v.against, v.abstain, v.result) == (2, 1, 0, "carried")
    assert v.named == (("Jane Smith", "for"), ("Amir Khan", "for"), ("Peter Lowe", "against"))
    assert vote(sample_meeting, votes_for=3, against=3, result="carried on the chair's casting vote").result == "carried_casting"
    assert vote(sample_meeting, votes_for=4, against=3, result="carried-casting").result == "carried_casting"  # counted in
    assert vote(sample_meeting, votes_for=3, against=3, result="lost_casting").result == "lost_casting"


def test_vote_line_and_the_overlay_never_carry_the_motion(sample_meeting):
    v = vote(sample_meeting, votes_for=9, against=3, abstain=1)
    assert vote_line(v, sample_meeting.item("4")) == "carried 9–3–1"
    tie = vote(sample_meeting, votes_for=6, against=6, abstain=1, result="lost_casting")
    assert vote_line(tie) == "lost 6–6–1 (chair's casting vote)"
    assert overlay_text(v) == "Item 4 vote: CARRIED\nFor 9  ·  Against 3  ·  Abstain 1"
    assert "approved" not in overlay_text(v) + vote_line(v)
    with pytest.raises(ValueError):
        vote_line(v, sample_meeting.item("5"))


def test_an_exempt_items_title_and_motion_stay_out_of_the_record_unless_confidential(sample_meeting):
    v = make_vote(sample_meeting, "5", motion="That Mr X be dismissed", votes_for=2, against=1, result="carried")
    public = vote_record(sample_meeting, v)
    assert public["title"] == "Exempt item (public excluded)" and public["motion"] == EXEMPT_MOTION
    assert "Staffing" not in str(public) and "dismissed" not in str(public)
    assert vote_record(sample_meeting, v, confidential=True)["motion"] == "That Mr X be dismissed"
    gone = Vote(sample_meeting.id, "99", "Secret", 1, 0, 0, "carried")  # an item since removed: treated as exempt
    assert vote_record(sample_meeting, gone)["motion"] == EXEMPT_MOTION


def test_the_api_body_is_checked_field_by_field():
    with pytest.raises(VoteError, match="unknown field 'againts'"):
        vote_args({"motion": "m", "for": 1, "againts": 0, "result": "carried"})
    with pytest.raises(VoteError, match="the vote needs 'against'"):
        vote_args({"motion": "m", "for": 1, "result": "carried"})
    assert vote_args({"motion": "m", "for": 1, "against": 0, "result": "carried"})["abstain"] == 0


def test_the_store_keeps_votes_with_their_timeline_entry_in_one_transaction(store, sample_meeting):
    from meetstream.core.domain import TimelineEntry

    v = vote(sample_meeting, at=now_utc())
    until = now_utc() + timedelta(seconds=15)
    stored = store.record_vote(v, TimelineEntry(sample_meeting.id, v.at, "vote", "4", {"line": "carried 2–1–0"}), room="chamber", until=until)
    assert stored.id and store.votes(sample_meeting.id) == [stored]
    entry = store.timeline(sample_meeting.id)[-1]
    assert entry.kind == "vote" and entry.detail["vote_id"] == stored.id
    assert store.vote_overlay("chamber")[0] == stored.id
    store.clear_vote_overlay("chamber")
    assert store.vote_overlay("chamber") is None


# --- the session --------------------------------------------------------------------------------

@pytest.fixture
def live(store, sample_meeting):
    store.upsert_meeting(sample_meeting)
    director = FakeDirector()
    session = LiveSession(store, director, "chamber", sample_meeting)
    session.chamber()
    session.go_to_item("4")
    return session, director


def test_a_vote_on_air_is_recorded_shown_and_taken_off_when_its_time_is_up(live, store, sample_meeting):
    session, director = live
    done = session.vote("That the application be approved", 2, 1, 0, "carried", named={"Smith": "for", "Khan": "for", "Lowe": "against"})
    assert done.shown and done.seconds == 15 and director.vote_text == "Item 4 vote: CARRIED\nFor 2  ·  Against 1  ·  Abstain 0"
    entry = store.timeline(sample_meeting.id)[-1]
    assert entry.kind == "vote" and entry.item_number == "4" and entry.detail["line"] == "carried 2–1–0" and entry.detail["shown"]
    assert entry.detail["named"] == [["Jane Smith", "for"], ["Amir Khan", "for"], ["Peter Lowe", "against"]]
    assert session.expire_vote(now_utc() + timedelta(seconds=5)) is None and director.vote_text is not None  # not yet
    assert session.expire_vote(now_utc() + timedelta(seconds=16)) is not None
    assert director.vote_text is None and store.vote_overlay("chamber") is None


def test_bad_input_stores_nothing_and_shows_nothing(live, store, sample_meeting):
    session, director = live
    before = len(store.timeline(sample_meeting.id))
    with pytest.raises(VoteError):
        session.vote("Motion", 1, 1, 0, "carried")
    assert store.votes(sample_meeting.id) == [] and len(store.timeline(sample_meeting.id)) == before
    assert director.vote_text is None


def test_a_vote_in_private_is_on_the_record_but_never_on_screen(live, store, sample_meeting):
    session, director = live
    session.go_to_item("5")
    assert session.state is SessionState.PRIVATE
    done = session.vote("That Mr X be dismissed", 2, 1, 0, "carried")
    assert not done.shown and "private session" in done.why_not and director.vote_text is None
    assert store.votes(sample_meeting.id)[0].item_number == "5" and store.vote_overlay("chamber") is None


def test_going_private_takes_a_vote_result_off_and_the_time_running_out_then_leaves_obs_alone(live, store):
    session, director = live
    session.vote("Motion", 2, 1, 0, "carried")
    session.private()
    assert director.vote_text is None
    director.broken = "OBS must not be asked"  # in private, only the private slate's own actions touch OBS
    session.expire_vote(now_utc() + timedelta(seconds=60))
    assert store.vote_overlay("chamber") is None


def test_a_vote_needs_a_current_item_and_a_sitting_meeting(store, sample_meeting):
    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, FakeDirector(), "chamber", sample_meeting)
    session.chamber()
    with pytest.raises(StateError, match="no agenda item is current"):
        session.vote("Motion", 2, 1, 0, "carried")
    session.go_to_item("1")
    session.adjourn()
    with pytest.raises(StateError, match="adjourned"):
        session.vote("Motion", 2, 1, 0, "carried")


def test_obs_failing_to_show_the_result_still_records_the_vote_and_says_so(live, store, sample_meeting):
    session, director = live
    director.show_vote = lambda text: (_ for _ in ()).throw(__import__("meetstream.errors").errors.NotVerified("VOTE ON SCREEN NOT VERIFIED: x"))
    done = session.vote("Motion", 2, 1, 0, "carried")
    assert not done.shown and done.why_not.startswith("NOT shown on screen: VOTE ON SCREEN NOT VERIFIED")
    assert len(store.votes(sample_meeting.id)) == 1 and store.vote_overlay("chamber") is None


def test_a_vote_without_a_vote_overlay_in_the_scene_set_is_recorded_and_says_why(live, store, sample_meeting):
    session, director = live
    director.seconds = None
    done = session.vote("Motion", 2, 1, 0, "carried")
    assert not done.shown and done.why_not == "not shown on screen: the scene set has no vote overlay"


def test_the_room_control_answers_400_for_bad_votes_and_lists_votes_without_exempt_words(live, store, sample_meeting):
    from meetstream.services.control import RoomControl

    session, director = live
    control = RoomControl(session)
    try:
        bad = control.act("vote", {"motion": "M", "for": "x", "against": 1, "result": "carried"})
        assert (bad.ok, bad.kind) == (False, "bad_input") and bad.message.startswith("for must be a whole number")
        ok = control.act("vote", {"motion": "M", "for": 2, "against": 1, "abstain": 0, "result": "carried"})
        assert ok.ok and ok.message.startswith("VOTE recorded on item 4: carried 2–1–0; on screen for 15 s")
        control.act("item", {"number": "5"})
        control.act("vote", {"motion": "That Mr X be dismissed", "for": 2, "against": 1, "result": "carried"})
        state = control.state()
        assert [v["line"] for v in state["votes"]] == ["carried 2–1–0", "carried 2–1–0"]
        assert "dismissed" not in str(state) and "Staffing" not in str(state)
        assert state["last_actions"][0]["text"] == "Vote on item 5: carried 2–1–0 (not on screen)"
    finally:
        control.stop()


# --- the commands -------------------------------------------------------------------------------

@pytest.fixture
def recorded(tmp_path, monkeypatch, sample_meeting):
    from helpers import chamber_config

    from meetstream.core.domain import TimelineEntry
    from meetstream.store import Store

    chamber_config(tmp_path, monkeypatch)
    with Store.open(tmp_path / "state.sqlite3") as store:
        store.upsert_meeting(sample_meeting)
        for v in (vote(sample_meeting, votes_for=2, against=1, named={"Smith": "for", "Khan": "for", "Lowe": "against"}, at=now_utc()),
                  make_vote(sample_meeting, "5", motion="That Mr X be dismissed", votes_for=1, against=1, abstain=1,
                            result="carried_casting", at=now_utc())):
            store.record_vote(v, TimelineEntry(sample_meeting.id, v.at, "vote", v.item_number, {}))
    return sample_meeting


def test_votes_csv_is_for_the_minutes_and_keeps_exempt_words_out(cli, recorded):
    import csv
    import io

    result = cli("votes", recorded.id, "--csv")
    assert result.code == 0, result
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == ["item", "title", "motion", "for", "against", "abstain", "result", "named"]
    assert rows[1] == ["4", "Planning application CHE/22/00123", "That the application be approved", "2", "1", "0", "carried",
                       "Jane Smith: for; Amir Khan: for; Peter Lowe: against"]
    assert rows[2] == ["5", "Exempt item (public excluded)", EXEMPT_MOTION, "1", "1", "1", "carried on the chair's casting vote", ""]
    assert "dismissed" in cli("votes", recorded.id, "--csv", "--confidential").out
    table = cli("votes", recorded.id)
    assert table.code == 0 and "carried" in table.out and "Staffing" not in table.out and "dismissed" not in table.out


def test_votes_json_and_calendar_list_json_show_the_votes(cli, recorded):
    import json

    data = json.loads(cli("votes", recorded.id, "--json").out)
    assert [v["line"] for v in data["votes"]] == ["carried 2–1–0", "carried 1–1–1 (chair's casting vote)"]
    listed = json.loads(cli("calendar", "list", "--json").out)
    votes = next(m for m in listed if m["id"] == recorded.id)["votes"]
    assert votes[0]["named"] == {"Jane Smith": "for", "Amir Khan": "for", "Peter Lowe": "against"}
    assert "Staffing" not in json.dumps(listed) and "dismissed" not in json.dumps(listed)


def test_the_thin_cue_path_reads_vote_options():
    from meetstream.entrypoints.http.client import _parse

    action, body, room, _, as_json = _parse(["vote", "--motion", "That it be approved", "--for", "9", "--against=3",
                                             "--abstain", "1", "--result", "carried", "--named", "Jane Smith=for",
                                             "--named", "Khan=against", "--room", "chamber"])
    assert (action, room, as_json) == ("vote", "chamber", False)
    assert body == {"motion": "That it be approved", "for": "9", "against": "3", "abstain": "1", "result": "carried",
                    "named": ["Jane Smith=for", "Khan=against"]}
    assert _parse(["chamber", "--for", "9"]) is None  # vote options belong to `cue vote` only


def test_the_minutes_csv_never_writes_a_formula(cli, recorded):
    """A motion typed as a formula is written as text: the clerk opens the CSV in a spreadsheet."""
    import csv
    import io

    from meetstream.core.domain import TimelineEntry
    from meetstream.paths import state_path
    from meetstream.store import Store

    with Store.open(state_path(None)) as store:
        v = make_vote(recorded, "4", motion='=HYPERLINK("http://evil.example","click")', votes_for=3, against=0,
                      result="carried", at=now_utc())
        store.record_vote(v, TimelineEntry(recorded.id, v.at, "vote", "4", {}))
    rows = list(csv.reader(io.StringIO(cli("votes", recorded.id, "--csv").out)))
    assert rows[-1][2] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
