"""The state store: migrations once, upserts that say what changed, state and timeline together."""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from meetstream.core.domain import AgendaItem, Meeting, SessionState, TimelineEntry
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


def test_the_nights_state_left_in_kv_by_an_older_meetstream_moves_into_its_tables(tmp_path, monkeypatch):
    import json

    from meetstream.store import schema as store_module

    path = tmp_path / "s.sqlite3"
    monkeypatch.setattr(store_module, "MIGRATIONS", [m for m in MIGRATIONS if m[0] < "0004"])
    with Store.open(path) as old:
        rows = {"onair:chamber": json.dumps({"meeting_id": "m1", "broadcast_id": "bc-1", "stream_id": "st-1", "quota_mark": 7,
                                             "started": "2026-12-01T18:30:00Z", "completed": True}),
                "streaming:chamber": "1",
                "graph.delta:users/ds@example.gov.uk": json.dumps({"link": "https://graph/delta?$deltatoken=x",
                                                                   "start": "2026-11-30T18:30:00+00:00", "end": "2027-03-01T18:30:00.123456+00:00"}),
                "write-probe": "2026-12-01T18:00:00Z"}
        old.conn.executemany("INSERT INTO kv VALUES (?, ?)", rows.items())
    monkeypatch.undo()
    with Store.open(path) as s:
        assert "0004_typed_night_state" in s.applied_migrations()
        record = s.on_air("chamber")
        assert (record.meeting_id, record.broadcast_id, record.stream_id, record.quota_mark, record.started, record.completed) == (
            "m1", "bc-1", "st-1", 7, T0, True)
        assert s.streaming_expected("chamber") and not s.streaming_expected("committee1")
        delta = s.calendar_delta("users/ds@example.gov.uk")
        assert delta.link.endswith("$deltatoken=x") and delta.start == T0 - timedelta(days=1)
        assert [k for (k,) in s.conn.execute("SELECT key FROM kv")] == ["write-probe"]


def test_on_air_record_and_streaming_flag_are_kept_apart(store):
    from meetstream.store import OnAirRecord

    assert store.on_air("chamber") is None and not store.streaming_expected("chamber")
    store.set_streaming("chamber", True)  # the output is up before YouTube has gone live
    assert store.on_air("chamber") is None and store.streaming_expected("chamber")
    record = OnAirRecord("chamber", "m1", "bc-1", "st-1", 3, T0)
    store.set_on_air(record)
    assert store.on_air("chamber") == record and store.on_air("committee1") is None
    assert OnAirRecord.from_dict("chamber", record.as_dict()) == record
    store.clear_on_air("chamber")
    assert store.on_air("chamber") is None and store.streaming_expected("chamber")
    store.set_streaming("chamber", False)
    assert not store.streaming_expected("chamber")


def test_a_calendar_delta_link_is_kept_per_source(store):
    from meetstream.store import DeltaState

    assert store.calendar_delta("users/a") is None
    store.set_calendar_delta(DeltaState("users/a", "link-1", T0, T0 + timedelta(days=90)))
    store.set_calendar_delta(DeltaState("users/a", "link-2", T0, T0 + timedelta(days=90)))
    assert store.calendar_delta("users/a") == DeltaState("users/a", "link-2", T0, T0 + timedelta(days=90))
    assert store.calendar_delta("groups/b") is None


def test_a_store_from_before_sources_upgrades_and_keeps_its_meetings(tmp_path, sample_meeting, monkeypatch):
    import meetstream.store.schema as store_module
    from dataclasses import replace

    path = tmp_path / "old.sqlite3"
    monkeypatch.setattr(store_module, "MIGRATIONS", [m for m in store_module.MIGRATIONS if m[0] != "0005_meeting_sources"])
    with Store.open(path) as old:
        old.conn.execute("INSERT INTO meetings (id, committee, start_utc, end_utc, agenda_json, updated_utc) VALUES "
                         "('m1', 'Cabinet', '2026-12-01T18:00:00Z', '2026-12-01T20:00:00Z', '[]', '2026-11-01T00:00:00Z')")
    monkeypatch.undo()
    with Store.open(path) as s:
        assert s.applied_migrations()[-1] == "0005_meeting_sources"
        assert s.get_meeting("m1").committee == "Cabinet" and s.get_meeting("m1").sources == ()
        joined = replace(sample_meeting, sources=(("agenda", "modern.gov meeting 1234"), ("time", "modern.gov")))
        s.upsert_meeting(joined)
        assert s.get_meeting(joined.id).source_of("agenda") == "modern.gov meeting 1234"
        assert s.upsert_meeting(joined) == "unchanged"
