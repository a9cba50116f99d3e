"""The state store: migrations once, upserts that say what changed, state and timeline together."""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from meetstream.domain import AgendaItem, Meeting, SessionState, TimelineEntry
from meetstream.errors import StateError
from meetstream.store import MIGRATIONS, Store

T0 = datetime(2026, 12, 1, 18, 30, tzinfo=timezone.utc)


def meeting(**kw):
    base = dict(id="m1", committee="Planning Committee", start=T0, end=T0 + timedelta(hours=2),
                agenda=(AgendaItem("1", "Apologies"), AgendaItem("2", "Exempt", exempt=True)))
    return Meeting(**(base | kw))


def test_migrations_run_once_and_are_recorded(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as s:
        assert s.applied_migrations() == [name for name, _ in MIGRATIONS]
    with Store.open(path) as s:
        assert s.migrate() == []


def test_the_store_file_is_private_to_the_user(tmp_path):
    path = tmp_path / "s.sqlite3"
    Store.open(path).close()
    assert path.stat().st_mode & 0o777 == 0o600


def test_upsert_reports_inserted_unchanged_and_updated(store):
    assert store.upsert_meeting(meeting()) == "inserted"
    assert store.upsert_meeting(meeting()) == "unchanged"
    assert store.upsert_meeting(meeting(committee="Planning Cttee")) == "updated"
    got = store.get_meeting("m1")
    assert got.committee == "Planning Cttee" and got.agenda[1].exempt and got.start == T0


def test_an_unknown_meeting_is_a_state_error(store):
    with pytest.raises(StateError, match="no meeting 'nope'"):
        store.get_meeting("nope")


def test_a_file_that_is_not_a_store_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(StateError):
        Store.open(path)
    assert path.read_bytes().startswith(b"these are my notes")


def test_session_state_and_its_timeline_entry_are_written_together(store):
    entry = TimelineEntry("m1", T0, "private", "2", {"reason": "exempt"})
    store.record("chamber", meeting_id="m1", state=SessionState.PRIVATE, item_number="2", speaker=None, entry=entry)
    assert store.session("chamber")["state"] is SessionState.PRIVATE
    assert [e.kind for e in store.timeline("m1")] == ["private"]

    bad = TimelineEntry("m1", datetime(2026, 12, 1, 19, 0), "public")  # naive time: refused
    with pytest.raises(ValueError):
        store.record("chamber", meeting_id="m1", state=SessionState.ON_AIR, item_number="3", speaker=None, entry=bad)
    assert store.session("chamber")["state"] is SessionState.PRIVATE
    assert [e.kind for e in store.timeline("m1")] == ["private"]


def test_two_processes_see_each_others_writes(tmp_path):
    path = tmp_path / "s.sqlite3"
    a, b = Store.open(path), Store.open(path)
    a.record("chamber", meeting_id=None, state=SessionState.RECESS, item_number=None, speaker=None)
    assert b.session("chamber")["state"] is SessionState.RECESS
    a.close(), b.close()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
