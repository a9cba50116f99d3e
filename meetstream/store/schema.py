"""The state store's schema: named migrations that run once each, in order, inside a transaction.
Append only: never edit or reorder one that has shipped."""

from __future__ import annotations

import json
import sqlite3
from typing import Callable

from meetstream.core.timefmt import now_utc, parse_utc, utc_text

# 0004: the night's state in typed tables (it was JSON under string keys in `kv`).
_NIGHT_STATE = """
        CREATE TABLE onair (
            room TEXT PRIMARY KEY,
            meeting_id TEXT,
            broadcast_id TEXT,
            stream_id TEXT,
            quota_mark INTEGER,
            started_utc TEXT,
            completed INTEGER NOT NULL DEFAULT 0,
            streaming INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE calendar_sync_state (
            source TEXT PRIMARY KEY,
            delta_link TEXT NOT NULL,
            window_start_utc TEXT NOT NULL,
            window_end_utc TEXT NOT NULL,
            updated_utc TEXT NOT NULL
        )
"""


def _typed_night_state(c: sqlite3.Connection) -> None:
    """Typed tables for the on-air record, the streaming flag and the Graph delta links, which were
    JSON under string keys in `kv` ("onair:<room>", "streaming:<room>", "graph.delta:<source>").
    Each existing entry is moved into its table, so an `end` or `live --resume` after the upgrade
    finds what the night before the upgrade left, and the next sync carries on with the delta."""
    for statement in _NIGHT_STATE.split(";"):
        c.execute(statement)
    now = utc_text(now_utc())
    for key, value in c.execute("SELECT key, value FROM kv WHERE key LIKE 'onair:%' OR key LIKE 'streaming:%' "
                                "OR key LIKE 'graph.delta:%'").fetchall():
        kind, _, name = key.partition(":")
        try:
            if kind == "onair":
                r = json.loads(value)
                started = utc_text(parse_utc(r["started"])) if r.get("started") else None
                c.execute("""INSERT INTO onair (room, meeting_id, broadcast_id, stream_id, quota_mark, started_utc, completed)
                             VALUES (?, ?, ?, ?, ?, ?, ?)
                             ON CONFLICT(room) DO UPDATE SET meeting_id = excluded.meeting_id,
                               broadcast_id = excluded.broadcast_id, stream_id = excluded.stream_id,
                               quota_mark = excluded.quota_mark, started_utc = excluded.started_utc,
                               completed = excluded.completed""",
                          (name, r.get("meeting_id"), r.get("broadcast_id"), r.get("stream_id"), r.get("quota_mark"),
                           started, int(bool(r.get("completed")))))
            elif kind == "streaming":
                c.execute("INSERT INTO onair (room, streaming) VALUES (?, ?) ON CONFLICT(room) DO UPDATE SET streaming = excluded.streaming",
                          (name, int(value == "1")))
            else:
                d = json.loads(value)
                c.execute("INSERT INTO calendar_sync_state VALUES (?, ?, ?, ?, ?)",
                          (name, d["link"], utc_text(parse_utc(d["start"])), utc_text(parse_utc(d["end"])), now))
        except (ValueError, KeyError, TypeError):
            pass  # an unreadable entry is dropped: the sync reads the whole calendar again, `end` finds nothing on air
        c.execute("DELETE FROM kv WHERE key = ?", (key,))


def _session_ended(c: sqlite3.Connection) -> None:
    """A room's session row names the meeting that holds the room; `end` now releases the room by
    setting `ended_utc` (the row stays: it is what a console shows and what `end` re-run finishes).
    A room whose meeting already has an "end" on its timeline is released here, so a store from
    before the upgrade can start its next meeting."""
    c.execute("ALTER TABLE sessions ADD COLUMN ended_utc TEXT")
    c.execute("""UPDATE sessions SET ended_utc = (
                     SELECT MAX(t.at_utc) FROM timeline t WHERE t.meeting_id = sessions.meeting_id AND t.kind = 'end')
                 WHERE meeting_id IS NOT NULL""")


# (name, sql or a function of the connection). Append only: never edit or reorder one that has shipped.
MIGRATIONS: list[tuple[str, str | Callable[[sqlite3.Connection], None]]] = [
    (
        "0001_core",
        """
        CREATE TABLE meetings (
            id TEXT PRIMARY KEY,
            committee TEXT NOT NULL,
            title TEXT,
            room TEXT,
            location TEXT,
            start_utc TEXT NOT NULL,
            end_utc TEXT NOT NULL,
            cancelled INTEGER NOT NULL DEFAULT 0,
            webcast INTEGER NOT NULL DEFAULT 1,
            join_url TEXT,
            ical_uid TEXT,
            agenda_json TEXT NOT NULL DEFAULT '[]',
            members_json TEXT NOT NULL DEFAULT '[]',
            warnings_json TEXT NOT NULL DEFAULT '[]',
            updated_utc TEXT NOT NULL
        );
        CREATE INDEX meetings_start ON meetings(start_utc);
        CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sessions (
            room TEXT PRIMARY KEY,
            meeting_id TEXT,
            state TEXT NOT NULL,
            item_number TEXT,
            speaker TEXT,
            updated_utc TEXT NOT NULL
        );
        CREATE TABLE timeline (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            meeting_id TEXT NOT NULL,
            at_utc TEXT NOT NULL,
            kind TEXT NOT NULL,
            item_number TEXT,
            detail_json TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX timeline_meeting ON timeline(meeting_id, id);
        """,
    ),
    (
        "0002_youtube",
        """
        CREATE TABLE youtube_broadcasts (
            meeting_id TEXT PRIMARY KEY,
            broadcast_id TEXT NOT NULL UNIQUE,
            stream_id TEXT,
            title TEXT NOT NULL,
            scheduled_start_utc TEXT NOT NULL,
            privacy TEXT NOT NULL,
            life_cycle_status TEXT NOT NULL DEFAULT 'created',
            fingerprint TEXT NOT NULL DEFAULT '',
            updated_utc TEXT NOT NULL
        );
        CREATE TABLE youtube_streams (
            room TEXT PRIMARY KEY,
            stream_id TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            updated_utc TEXT NOT NULL
        );
        CREATE TABLE youtube_quota (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at_utc TEXT NOT NULL,
            day_pacific TEXT NOT NULL,
            method TEXT NOT NULL,
            units INTEGER NOT NULL,
            ok INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX youtube_quota_day ON youtube_quota(day_pacific)
        """,
    ),
    (
        "0003_calendar",
        """
        CREATE TABLE calendar_events (
            meeting_id TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            change_key TEXT,
            seen_utc TEXT NOT NULL
        );
        CREATE INDEX calendar_events_source ON calendar_events(source);
        CREATE TABLE mail_sent (
            meeting_id TEXT NOT NULL,
            recipient TEXT NOT NULL,
            join_url TEXT NOT NULL,
            sent_utc TEXT NOT NULL,
            PRIMARY KEY (meeting_id, recipient, join_url)
        )
        """,
    ),
    ("0004_typed_night_state", _typed_night_state),
    # Where a meeting's facts came from, once agendas can come from modern.gov.
    ("0005_meeting_sources", "ALTER TABLE meetings ADD COLUMN sources_json TEXT NOT NULL DEFAULT '[]'"),
    # Recorded votes, for the minutes; and the vote overlay on screen in each room until when, so
    # whoever acts next (another process, a restarted serve) can take it off in time.
    (
        "0006_votes",
        """
        CREATE TABLE votes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            meeting_id TEXT NOT NULL,
            item_number TEXT NOT NULL,
            at_utc TEXT NOT NULL,
            motion TEXT NOT NULL,
            votes_for INTEGER NOT NULL,
            against INTEGER NOT NULL,
            abstain INTEGER NOT NULL,
            result TEXT NOT NULL,
            named_json TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX votes_meeting ON votes(meeting_id, id);
        CREATE TABLE vote_overlay (
            room TEXT PRIMARY KEY,
            vote_id INTEGER NOT NULL,
            until_utc TEXT NOT NULL
        )
        """,
    ),
    # Each recording's caption track on its way to YouTube (meetstream.services.captions): the track as
    # fetched, corrected and reviewed (WebVTT), and what was uploaded. Independent of 0006.
    (
        "0007_captions",
        """
        CREATE TABLE captions (
            meeting_id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            video_id TEXT,
            source TEXT NOT NULL DEFAULT '',
            video_start_utc TEXT,
            video_end_utc TEXT,
            fetched TEXT,
            corrected TEXT,
            reviewed TEXT,
            track_id TEXT,
            uploaded_sha TEXT,
            uploaded_utc TEXT,
            updated_utc TEXT NOT NULL
        )
        """,
    ),
    ("0008_session_ended", _session_ended),
    # A cancellation seen by one sync only: the planner deletes a broadcast for it once a later
    # sync (or the officer) confirms it. Meetings already cancelled before the upgrade count as
    # confirmed: they were acted on as such.
    (
        "0009_cancellations",
        """
        CREATE TABLE cancellations (
            meeting_id TEXT PRIMARY KEY,
            seen_sync INTEGER NOT NULL,
            seen_utc TEXT NOT NULL,
            confirmed_utc TEXT,
            confirmed_by TEXT
        );
        INSERT INTO cancellations (meeting_id, seen_sync, seen_utc, confirmed_utc, confirmed_by)
            SELECT id, 0, updated_utc, updated_utc, 'before the upgrade' FROM meetings WHERE cancelled = 1;
        """,
    ),
    # Each meeting's local recording (the archive's backup): where and when OBS began it (`start`),
    # and, once `meetstream recover` has used it, the cut it made, the resumable upload session it is
    # in (so a second run resumes rather than paying for another insert) and the video it made.
    (
        "0010_recordings",
        """
        CREATE TABLE recordings (
            meeting_id TEXT PRIMARY KEY,
            directory TEXT,
            started_utc TEXT,
            file TEXT,
            state TEXT NOT NULL DEFAULT 'recorded',
            cut_file TEXT,
            cut_bytes INTEGER,
            kept_json TEXT NOT NULL DEFAULT '[]',
            removed_json TEXT NOT NULL DEFAULT '[]',
            chapters_json TEXT NOT NULL DEFAULT '[]',
            session_uri TEXT,
            video_id TEXT,
            privacy TEXT,
            uploaded_utc TEXT,
            updated_utc TEXT NOT NULL
        )
        """,
    ),
    # Every action `meetstream archive` took on a meeting's video under the retention policy
    # (unlist, private, delete, or "gone": YouTube no longer had it), with the rule that made it due.
    # Append only: the webcast report shows it, and the published site stops linking the video.
    (
        "0011_archive_log",
        """
        CREATE TABLE archive_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            meeting_id TEXT NOT NULL,
            video_id TEXT NOT NULL,
            action TEXT NOT NULL,
            reason TEXT NOT NULL,
            due_utc TEXT NOT NULL,
            done_utc TEXT NOT NULL,
            units INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX archive_log_meeting ON archive_log (meeting_id)
        """,
    ),
]
