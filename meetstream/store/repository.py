"""The repository: the one class that reads and writes meetstream's state (Store)."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from meetstream.core.domain import AgendaItem, Broadcast, Meeting, Member, SessionState, TimelineEntry, TimelineKind, Vote
from meetstream.core.timefmt import now_utc, parse_utc, utc_text
from meetstream.errors import StateError, StoreUnwritable
from meetstream.paths import default_state_path
import meetstream.store.schema as schema
from meetstream.store.records import DeltaState, OnAirRecord


class Store:
    """Open with `Store.open(path)`; use as a context manager to close."""

    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Callable[[], datetime] = now_utc):
        self.conn = conn
        self.path = path
        self.clock = clock  # when a row was written (updated_utc, applied_utc …): a test or a bench hands its own

    @classmethod
    def open(cls, path: Path | str | None = None, *, clock: Callable[[], datetime] = now_utc) -> "Store":
        path = Path(path) if path else default_state_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                # Created 0600 before SQLite opens it: the store holds meeting links and ids.
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
        except (OSError, sqlite3.Error) as err:
            raise StateError(f"cannot open the state store {path}: {err}") from err
        store = cls(conn, path, clock)
        store.migrate()
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE so two processes (console and `cue`) never interleave a read-modify-write."""
        if self.conn.in_transaction:
            yield self.conn
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as err:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise StoreUnwritable(f"the state store {self.path} cannot be written ({err}): free disk space or fix its permissions; "
                                  "nothing was sent to OBS") from err

    def probe_write(self) -> None:
        """A committed write, so a full disk or a read-only file is found before anything else
        is done (an action refuses before OBS is touched, instead of failing after it)."""
        with self.transaction() as c:
            c.execute("INSERT INTO kv VALUES ('write-probe', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                      (utc_text(self.clock()),))

    # --- schema ------------------------------------------------------------------------------

    def migrate(self) -> list[str]:
        try:
            self.conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_utc TEXT NOT NULL)")
            done = {r[0] for r in self.conn.execute("SELECT name FROM migrations")}
        except sqlite3.DatabaseError as err:
            raise StateError(f"{self.path} is not a meetstream state store ({err})") from err
        applied = []
        for name, sql in schema.MIGRATIONS:
            if name in done:
                continue
            with self.transaction() as c:
                if callable(sql):
                    sql(c)
                else:
                    for statement in sql.split(";"):
                        if statement.strip():
                            c.execute(statement)
                c.execute("INSERT INTO migrations VALUES (?, ?)", (name, utc_text(self.clock())))
            applied.append(name)
        return applied

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM migrations ORDER BY rowid")]

    # --- meetings -----------------------------------------------------------------------------

    def upsert_meeting(self, m: Meeting) -> str:
        """Insert or update; returns "inserted", "updated" or "unchanged"."""
        row = _meeting_row(m)
        with self.transaction() as c:
            old = c.execute("SELECT * FROM meetings WHERE id = ?", (m.id,)).fetchone()
            if old is not None and all(old[k] == v for k, v in row.items()):
                return "unchanged"
            row["updated_utc"] = utc_text(self.clock())
            cols = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            updates = ", ".join(f"{k} = excluded.{k}" for k in row if k != "id")
            c.execute(
                f"INSERT INTO meetings ({cols}) VALUES ({marks}) ON CONFLICT(id) DO UPDATE SET {updates}",
                tuple(row.values()),
            )
            return "inserted" if old is None else "updated"

    def get_meeting(self, meeting_id: str) -> Meeting:
        row = self.conn.execute("SELECT * FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
        if row is None:
            raise StateError(f"no meeting {meeting_id!r} in the store (run `meetstream calendar sync`, then `meetstream calendar list`)")
        return _meeting_from_row(row)

    def find_meeting(self, meeting_id: str) -> Meeting | None:
        row = self.conn.execute("SELECT * FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
        return None if row is None else _meeting_from_row(row)

    def meetings(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        room: str | None = None,
        include_cancelled: bool = False,
        webcast_only: bool = True,
    ) -> list[Meeting]:
        sql, args = "SELECT * FROM meetings WHERE 1=1", []
        if start is not None:
            sql += " AND end_utc > ?"
            args.append(utc_text(start))
        if end is not None:
            sql += " AND start_utc < ?"
            args.append(utc_text(end))
        if room is not None:
            sql += " AND room = ?"
            args.append(room)
        if not include_cancelled:
            sql += " AND cancelled = 0"
        if webcast_only:
            sql += " AND webcast = 1"
        sql += " ORDER BY start_utc, id"
        return [_meeting_from_row(r) for r in self.conn.execute(sql, args)]

    # --- cancellations seen, and confirmed -----------------------------------------------------

    def note_cancellations(self, at: datetime) -> tuple[list[str], list[str]]:
        """At the end of a sync: every stored meeting now cancelled that no earlier sync had seen
        cancelled is noted as seen by this one; one an earlier sync saw is confirmed; a meeting no
        longer cancelled is forgotten. Returns (newly seen, confirmed now)."""
        with self.transaction() as c:
            row = c.execute("SELECT value FROM kv WHERE key = 'sync_count'").fetchone()
            count = (int(row[0]) if row else 0) + 1
            c.execute("INSERT INTO kv (key, value) VALUES ('sync_count', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                      (str(count),))
            cancelled = {r[0] for r in c.execute("SELECT id FROM meetings WHERE cancelled = 1")}
            known = {r["meeting_id"]: r for r in c.execute("SELECT * FROM cancellations")}
            seen, confirmed = [], []
            for mid in sorted(cancelled):
                row = known.get(mid)
                if row is None:
                    c.execute("INSERT INTO cancellations (meeting_id, seen_sync, seen_utc) VALUES (?, ?, ?)",
                              (mid, count, utc_text(at)))
                    seen.append(mid)
                elif row["confirmed_utc"] is None and row["seen_sync"] < count:
                    c.execute("UPDATE cancellations SET confirmed_utc = ?, confirmed_by = 'the next sync' WHERE meeting_id = ?",
                              (utc_text(at), mid))
                    confirmed.append(mid)
            for mid in set(known) - cancelled:
                c.execute("DELETE FROM cancellations WHERE meeting_id = ?", (mid,))
        return seen, confirmed

    def confirm_cancellation(self, meeting_id: str, by: str = "the officer") -> None:
        with self.transaction() as c:
            c.execute("""INSERT INTO cancellations (meeting_id, seen_sync, seen_utc, confirmed_utc, confirmed_by)
                         VALUES (?, 0, ?, ?, ?)
                         ON CONFLICT(meeting_id) DO UPDATE SET confirmed_utc = excluded.confirmed_utc,
                           confirmed_by = excluded.confirmed_by""",
                      (meeting_id, utc_text(self.clock()), utc_text(self.clock()), by))

    def unconfirmed_cancellations(self) -> set[str]:
        """Meetings whose cancellation one sync has seen and nothing has confirmed yet."""
        return {r[0] for r in self.conn.execute("SELECT meeting_id FROM cancellations WHERE confirmed_utc IS NULL")}

    # --- live session and timeline ------------------------------------------------------------

    def session(self, room: str) -> dict | None:
        row = self.conn.execute("SELECT * FROM sessions WHERE room = ?", (room,)).fetchone()
        if row is None:
            return None
        return {
            "room": row["room"],
            "meeting_id": row["meeting_id"],
            "state": SessionState(row["state"]),
            "item_number": row["item_number"],
            "speaker": row["speaker"],
            "updated": parse_utc(row["updated_utc"]),
            "ended": parse_utc(row["ended_utc"]) if row["ended_utc"] else None,
        }

    def record(
        self,
        room: str,
        *,
        meeting_id: str | None,
        state: SessionState,
        item_number: str | None,
        speaker: str | None,
        entry: TimelineEntry | None = None,
    ) -> None:
        """Save the session's state and its timeline entry in one transaction: both or neither.

        Taking the room for another meeting than the row names starts that meeting's session
        afresh (not ended); the caller (meetstream.services.session) has checked the room was free."""
        with self.transaction() as c:
            c.execute(
                """INSERT INTO sessions (room, meeting_id, state, item_number, speaker, updated_utc, ended_utc)
                   VALUES (?, ?, ?, ?, ?, ?, NULL)
                   ON CONFLICT(room) DO UPDATE SET
                     ended_utc = CASE WHEN sessions.meeting_id IS excluded.meeting_id THEN sessions.ended_utc END,
                     meeting_id = excluded.meeting_id, state = excluded.state,
                     item_number = excluded.item_number, speaker = excluded.speaker, updated_utc = excluded.updated_utc""",
                (room, meeting_id, state.value, item_number, speaker, utc_text(self.clock())),
            )
            if entry is not None:
                self._append(c, entry)

    def end_session(self, room: str, meeting_id: str, entry: TimelineEntry) -> None:
        """The meeting has ended: its "end" on the timeline and the room released, in one transaction.
        The row keeps naming the meeting (what a console shows; what `end` run again finishes)."""
        with self.transaction() as c:
            c.execute("UPDATE sessions SET ended_utc = ? WHERE room = ? AND meeting_id = ?",
                      (utc_text(entry.at), room, meeting_id))
            self._append(c, entry)

    def meeting_ended(self, meeting_id: str) -> datetime | None:
        """When the meeting's "end" went on its timeline, or None while it has not ended."""
        row = self.conn.execute("SELECT MAX(at_utc) FROM timeline WHERE meeting_id = ? AND kind = 'end'", (meeting_id,)).fetchone()
        return parse_utc(row[0]) if row and row[0] else None

    def append_timeline(self, entry: TimelineEntry) -> int:
        with self.transaction() as c:
            return self._append(c, entry)

    @staticmethod
    def _append(c: sqlite3.Connection, e: TimelineEntry) -> int:
        cur = c.execute(
            "INSERT INTO timeline (meeting_id, at_utc, kind, item_number, detail_json) VALUES (?, ?, ?, ?, ?)",
            (e.meeting_id, utc_text(e.at), e.kind, e.item_number, json.dumps(e.detail, sort_keys=True)),
        )
        return cur.lastrowid

    def timeline(self, meeting_id: str) -> list[TimelineEntry]:
        return self._entries(self.conn.execute("SELECT * FROM timeline WHERE meeting_id = ? ORDER BY id", (meeting_id,)))

    def resolutions(self, meeting_id: str) -> list[TimelineEntry]:
        """The meeting's resolutions on privacy, in order (read on every action: kept to them)."""
        return self._entries(self.conn.execute(
            "SELECT * FROM timeline WHERE meeting_id = ? AND kind = 'resolution' ORDER BY id", (meeting_id,)))

    @staticmethod
    def _entries(rows) -> list[TimelineEntry]:
        return [
            TimelineEntry(
                id=r["id"],
                meeting_id=r["meeting_id"],
                at=parse_utc(r["at_utc"]),
                kind=TimelineKind(r["kind"]),
                item_number=r["item_number"],
                detail=json.loads(r["detail_json"]),
            )
            for r in rows
        ]


    # --- votes -------------------------------------------------------------------------------

    def record_vote(self, vote: Vote, entry: TimelineEntry, *, room: str | None = None,
                    until: datetime | None = None) -> Vote:
        """The vote, its timeline entry (with the vote's id) and, when it went on screen, until when
        the room's overlay shows it: one transaction, all or nothing. Returns the vote with its id."""
        with self.transaction() as c:
            cur = c.execute(
                """INSERT INTO votes (meeting_id, item_number, at_utc, motion, votes_for, against, abstain, result, named_json)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (vote.meeting_id, vote.item_number, utc_text(vote.at or self.clock()), vote.motion, vote.votes_for,
                 vote.against, vote.abstain, vote.result, json.dumps([list(p) for p in vote.named])),
            )
            vote_id = cur.lastrowid
            self._append(c, TimelineEntry(entry.meeting_id, entry.at, entry.kind, entry.item_number,
                                          dict(entry.detail) | {"vote_id": vote_id}))
            if room is not None and until is not None:
                c.execute("""INSERT INTO vote_overlay (room, vote_id, until_utc) VALUES (?, ?, ?)
                             ON CONFLICT(room) DO UPDATE SET vote_id = excluded.vote_id, until_utc = excluded.until_utc""",
                          (room, vote_id, utc_text(until)))
        return Vote(vote.meeting_id, vote.item_number, vote.motion, vote.votes_for, vote.against, vote.abstain,
                    vote.result, vote.named, vote.at, vote_id)

    def votes(self, meeting_id: str) -> list[Vote]:
        rows = self.conn.execute("SELECT * FROM votes WHERE meeting_id = ? ORDER BY id", (meeting_id,))
        return [Vote(r["meeting_id"], r["item_number"], r["motion"], r["votes_for"], r["against"], r["abstain"], r["result"],
                     tuple((str(n), str(c)) for n, c in json.loads(r["named_json"])), parse_utc(r["at_utc"]), r["id"])
                for r in rows]

    def vote_overlay(self, room: str) -> tuple[int, datetime] | None:
        """(vote id, until when) of the vote the room's overlay is showing, or None."""
        row = self.conn.execute("SELECT vote_id, until_utc FROM vote_overlay WHERE room = ?", (room,)).fetchone()
        return None if row is None else (row[0], parse_utc(row[1]))

    def clear_vote_overlay(self, room: str) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM vote_overlay WHERE room = ?", (room,))

    # --- on air: what `start` left for `end`, and whether the output should be up -------------

    def on_air(self, room: str) -> OnAirRecord | None:
        row = self.conn.execute("SELECT * FROM onair WHERE room = ? AND meeting_id IS NOT NULL", (room,)).fetchone()
        if row is None:
            return None
        return OnAirRecord(row["room"], row["meeting_id"], row["broadcast_id"], row["stream_id"], row["quota_mark"] or 0,
                           parse_utc(row["started_utc"]) if row["started_utc"] else None, bool(row["completed"]))

    def set_on_air(self, r: OnAirRecord) -> None:
        with self.transaction() as c:
            c.execute(
                """INSERT INTO onair (room, meeting_id, broadcast_id, stream_id, quota_mark, started_utc, completed)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(room) DO UPDATE SET meeting_id = excluded.meeting_id, broadcast_id = excluded.broadcast_id,
                     stream_id = excluded.stream_id, quota_mark = excluded.quota_mark,
                     started_utc = excluded.started_utc, completed = excluded.completed""",
                (r.room, r.meeting_id, r.broadcast_id, r.stream_id, r.quota_mark,
                 utc_text(r.started) if r.started else None, int(r.completed)),
            )

    def clear_on_air(self, room: str) -> None:
        """Forget the room's on-air record (the streaming flag is left as it is)."""
        with self.transaction() as c:
            c.execute("""UPDATE onair SET meeting_id = NULL, broadcast_id = NULL, stream_id = NULL, quota_mark = NULL,
                           started_utc = NULL, completed = 0 WHERE room = ?""", (room,))

    def set_streaming(self, room: str, expected: bool) -> None:
        """Set by `start` once the output is started, cleared by `end`: the watchdog keeps it up meanwhile."""
        with self.transaction() as c:
            c.execute("INSERT INTO onair (room, streaming) VALUES (?, ?) ON CONFLICT(room) DO UPDATE SET streaming = excluded.streaming",
                      (room, int(expected)))

    def streaming_expected(self, room: str) -> bool:
        row = self.conn.execute("SELECT streaming FROM onair WHERE room = ?", (room,)).fetchone()
        return bool(row and row[0])

    # --- calendar -----------------------------------------------------------------------------

    def calendar_delta(self, source: str) -> DeltaState | None:
        """Where the last delta round of this Graph calendar ended (None: read it all again)."""
        row = self.conn.execute("SELECT * FROM calendar_sync_state WHERE source = ?", (source,)).fetchone()
        if row is None:
            return None
        return DeltaState(source, row["delta_link"], parse_utc(row["window_start_utc"]), parse_utc(row["window_end_utc"]))

    def set_calendar_delta(self, d: DeltaState) -> None:
        with self.transaction() as c:
            c.execute(
                """INSERT INTO calendar_sync_state (source, delta_link, window_start_utc, window_end_utc, updated_utc)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT(source) DO UPDATE SET delta_link = excluded.delta_link,
                     window_start_utc = excluded.window_start_utc, window_end_utc = excluded.window_end_utc,
                     updated_utc = excluded.updated_utc""",
                (d.source, d.link, utc_text(d.start), utc_text(d.end), utc_text(self.clock())),
            )

    def mark_calendar_event(self, meeting_id: str, source: str, change_key: str | None = None) -> None:
        """Remember that a meeting came from this Graph calendar (so a full resync can find removals)."""
        with self.transaction() as c:
            c.execute(
                """INSERT INTO calendar_events (meeting_id, source, change_key, seen_utc) VALUES (?, ?, ?, ?)
                   ON CONFLICT(meeting_id) DO UPDATE SET source = excluded.source,
                     change_key = excluded.change_key, seen_utc = excluded.seen_utc""",
                (meeting_id, source, change_key, utc_text(self.clock())),
            )

    def calendar_event_ids(self, source: str) -> set[str]:
        rows = self.conn.execute("SELECT meeting_id FROM calendar_events WHERE source = ?", (source,))
        return {r[0] for r in rows}

    def mail_sent(self, meeting_id: str) -> dict[str, tuple[str, datetime]]:
        """recipient (lower case) -> (join link, when) of the last join-link email each was sent."""
        rows = self.conn.execute(
            "SELECT recipient, join_url, sent_utc FROM mail_sent WHERE meeting_id = ? ORDER BY sent_utc", (meeting_id,)
        )
        return {r["recipient"]: (r["join_url"], parse_utc(r["sent_utc"])) for r in rows}

    def record_mail_sent(self, meeting_id: str, recipient: str, join_url: str) -> None:
        with self.transaction() as c:
            c.execute(
                """INSERT INTO mail_sent (meeting_id, recipient, join_url, sent_utc) VALUES (?, ?, ?, ?)
                   ON CONFLICT(meeting_id, recipient, join_url) DO UPDATE SET sent_utc = excluded.sent_utc""",
                (meeting_id, recipient.casefold(), join_url, utc_text(self.clock())),
            )

    # --- youtube ------------------------------------------------------------------------------

    def broadcasts(self) -> list[Broadcast]:
        rows = self.conn.execute("SELECT * FROM youtube_broadcasts ORDER BY scheduled_start_utc, meeting_id")
        return [_broadcast_from_row(r) for r in rows]

    def find_broadcast(self, meeting_id: str) -> Broadcast | None:
        row = self.conn.execute("SELECT * FROM youtube_broadcasts WHERE meeting_id = ?", (meeting_id,)).fetchone()
        return None if row is None else _broadcast_from_row(row)

    def get_broadcast(self, meeting_id: str) -> Broadcast:
        found = self.find_broadcast(meeting_id)
        if found is None:
            raise StateError(f"meeting {meeting_id!r} has no YouTube broadcast yet (run `meetstream schedule`)")
        return found

    def save_broadcast(self, b: Broadcast) -> None:
        with self.transaction() as c:
            c.execute(
                """INSERT INTO youtube_broadcasts (meeting_id, broadcast_id, stream_id, title, scheduled_start_utc,
                     privacy, life_cycle_status, fingerprint, updated_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(meeting_id) DO UPDATE SET broadcast_id = excluded.broadcast_id,
                     stream_id = excluded.stream_id, title = excluded.title,
                     scheduled_start_utc = excluded.scheduled_start_utc, privacy = excluded.privacy,
                     life_cycle_status = excluded.life_cycle_status, fingerprint = excluded.fingerprint,
                     updated_utc = excluded.updated_utc""",
                (b.meeting_id, b.broadcast_id, b.stream_id, b.title, utc_text(b.scheduled_start), b.privacy,
                 b.life_cycle_status, b.fingerprint, utc_text(self.clock())),
            )

    def set_broadcast_status(self, broadcast_id: str, life_cycle_status: str) -> None:
        with self.transaction() as c:
            c.execute(
                "UPDATE youtube_broadcasts SET life_cycle_status = ?, updated_utc = ? WHERE broadcast_id = ?",
                (life_cycle_status, utc_text(self.clock()), broadcast_id),
            )

    def forget_broadcast(self, meeting_id: str) -> bool:
        with self.transaction() as c:
            return c.execute("DELETE FROM youtube_broadcasts WHERE meeting_id = ?", (meeting_id,)).rowcount > 0

    def room_streams(self) -> dict[str, tuple[str, str]]:
        """room -> (stream id, title) of each room's reusable liveStream."""
        rows = self.conn.execute("SELECT room, stream_id, title FROM youtube_streams ORDER BY room")
        return {r["room"]: (r["stream_id"], r["title"]) for r in rows}

    def save_room_stream(self, room: str, stream_id: str, title: str) -> None:
        with self.transaction() as c:
            c.execute(
                """INSERT INTO youtube_streams (room, stream_id, title, updated_utc) VALUES (?, ?, ?, ?)
                   ON CONFLICT(room) DO UPDATE SET stream_id = excluded.stream_id, title = excluded.title,
                     updated_utc = excluded.updated_utc""",
                (room, stream_id, title, utc_text(self.clock())),
            )

    def forget_room_stream(self, room: str) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM youtube_streams WHERE room = ?", (room,))

    def record_quota(self, at: datetime, day_pacific: str, method: str, units: int, ok: bool = True) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO youtube_quota (at_utc, day_pacific, method, units, ok) VALUES (?, ?, ?, ?, ?)",
                (utc_text(at), day_pacific, method, units, int(ok)),
            )

    def quota_spent(self, day_pacific: str) -> int:
        row = self.conn.execute("SELECT COALESCE(SUM(units), 0) FROM youtube_quota WHERE day_pacific = ?", (day_pacific,)).fetchone()
        return int(row[0])

    def quota_mark(self) -> int:
        """A bookmark in the quota ledger: `quota_after(mark)` is what was spent since (across processes)."""
        return int(self.conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM youtube_quota").fetchone()[0])

    def quota_after(self, mark: int) -> int:
        row = self.conn.execute("SELECT COALESCE(SUM(units), 0) FROM youtube_quota WHERE rowid > ?", (mark,)).fetchone()
        return int(row[0])

    def quota_by_method(self, day_pacific: str) -> dict[str, tuple[int, int]]:
        """method -> (calls, units) spent on that Pacific-time day."""
        rows = self.conn.execute(
            "SELECT method, COUNT(*) AS n, SUM(units) AS u FROM youtube_quota WHERE day_pacific = ? GROUP BY method ORDER BY method",
            (day_pacific,),
        )
        return {r["method"]: (int(r["n"]), int(r["u"])) for r in rows}

    # --- read-only views for `publish` and `report` (meetstream.services.publish) ----------------------

    def meeting_revisions(self) -> dict[str, datetime]:
        """meeting id -> when its row last changed (upsert_meeting leaves it alone when nothing
        did): the published feed's DTSTAMP and SEQUENCE."""
        return {r[0]: parse_utc(r[1]) for r in self.conn.execute("SELECT id, updated_utc FROM meetings")}

    def quota_spends(self, start: datetime, end: datetime) -> list[tuple[datetime, str, int]]:
        """(when, method, units) of every call in the quota ledger from `start` to before `end`."""
        rows = self.conn.execute("SELECT at_utc, method, units FROM youtube_quota WHERE at_utc >= ? AND at_utc < ? ORDER BY id",
                                 (utc_text(start), utc_text(end)))
        return [(parse_utc(r[0]), r[1], int(r[2])) for r in rows]

    # --- captions (meetstream.services.captions) -------------------------------------------------------

    CAPTION_FIELDS = ("state", "video_id", "source", "video_start_utc", "video_end_utc", "fetched", "corrected",
                      "reviewed", "track_id", "uploaded_sha", "uploaded_utc")

    def caption_record(self, meeting_id: str) -> dict | None:
        """The meeting's caption row as a dict (times as UTC text), or None before the first fetch."""
        row = self.conn.execute("SELECT * FROM captions WHERE meeting_id = ?", (meeting_id,)).fetchone()
        return dict(row) if row is not None else None

    def caption_states(self) -> dict[str, tuple[str, str]]:
        """meeting id -> (caption state, when it last changed as UTC text), for every meeting with a row."""
        return {r[0]: (r[1], r[2]) for r in self.conn.execute("SELECT meeting_id, state, updated_utc FROM captions")}

    def save_caption_record(self, meeting_id: str, **fields) -> None:
        """Insert or update the meeting's caption row with these fields (names in CAPTION_FIELDS)."""
        unknown = set(fields) - set(self.CAPTION_FIELDS)
        if unknown:
            raise ValueError(f"unknown caption fields {sorted(unknown)}")
        fields["updated_utc"] = utc_text(self.clock())
        with self.transaction() as c:
            if c.execute("SELECT 1 FROM captions WHERE meeting_id = ?", (meeting_id,)).fetchone() is None:
                fields.setdefault("state", "fetched")
                cols = ["meeting_id", *fields]
                c.execute(f"INSERT INTO captions ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                          (meeting_id, *fields.values()))
            else:
                c.execute(f"UPDATE captions SET {', '.join(f'{k} = ?' for k in fields)} WHERE meeting_id = ?",
                          (*fields.values(), meeting_id))

    # --- local recordings and recovered videos (meetstream.services.recover) ------------------------

    RECORDING_FIELDS = ("directory", "started_utc", "file", "state", "cut_file", "cut_bytes", "kept_json", "removed_json",
                        "chapters_json", "session_uri", "video_id", "privacy", "uploaded_utc")

    def recording(self, meeting_id: str) -> dict | None:
        """The meeting's recording row (times as UTC text, the *_json columns as text), or None."""
        row = self.conn.execute("SELECT * FROM recordings WHERE meeting_id = ?", (meeting_id,)).fetchone()
        return dict(row) if row is not None else None

    def recovered_videos(self) -> dict[str, tuple[str, list]]:
        """meeting id -> (video id, [(seconds, label)] chapters) of every meeting recovered from its recording."""
        rows = self.conn.execute("SELECT meeting_id, video_id, chapters_json FROM recordings WHERE video_id IS NOT NULL")
        return {r[0]: (r[1], [tuple(c) for c in json.loads(r[2] or "[]")]) for r in rows}

    def save_recording(self, meeting_id: str, **fields) -> None:
        """Insert or update the meeting's recording row with these fields (names in RECORDING_FIELDS)."""
        unknown = set(fields) - set(self.RECORDING_FIELDS)
        if unknown:
            raise ValueError(f"unknown recording fields {sorted(unknown)}")
        fields["updated_utc"] = utc_text(self.clock())
        with self.transaction() as c:
            if c.execute("SELECT 1 FROM recordings WHERE meeting_id = ?", (meeting_id,)).fetchone() is None:
                cols = ["meeting_id", *fields]
                c.execute(f"INSERT INTO recordings ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                          (meeting_id, *fields.values()))
            else:
                c.execute(f"UPDATE recordings SET {', '.join(f'{k} = ?' for k in fields)} WHERE meeting_id = ?",
                          (*fields.values(), meeting_id))


    # --- the archive's log (meetstream archive) -------------------------------------------------

    def record_archive_action(self, meeting_id: str, video_id: str, action: str, reason: str, due: datetime,
                              units: int = 0) -> None:
        with self.transaction() as c:
            c.execute("INSERT INTO archive_log (meeting_id, video_id, action, reason, due_utc, done_utc, units) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)",
                      (meeting_id, video_id, action, reason, utc_text(due), utc_text(self.clock()), units))

    def archive_log(self, start: datetime | None = None, end: datetime | None = None) -> list[dict]:
        """Every archive action, oldest first (done between start and end when given)."""
        rows = self.conn.execute("SELECT * FROM archive_log ORDER BY done_utc, id").fetchall()
        out = []
        for r in rows:
            done = parse_utc(r["done_utc"])
            if (start is None or done >= start) and (end is None or done < end):
                out.append({"meeting_id": r["meeting_id"], "video_id": r["video_id"], "action": r["action"],
                            "reason": r["reason"], "due": parse_utc(r["due_utc"]), "done": done, "units": r["units"]})
        return out

    def archive_states(self) -> dict[str, tuple[str, str, datetime]]:
        """meeting id -> (the last action on its video, the video id, when)."""
        out: dict[str, tuple[str, str, datetime]] = {}
        for r in self.conn.execute("SELECT meeting_id, video_id, action, done_utc FROM archive_log ORDER BY done_utc, id"):
            out[r["meeting_id"]] = (r["action"], r["video_id"], parse_utc(r["done_utc"]))
        return out

def _broadcast_from_row(r: sqlite3.Row) -> Broadcast:
    return Broadcast(
        meeting_id=r["meeting_id"],
        broadcast_id=r["broadcast_id"],
        stream_id=r["stream_id"],
        title=r["title"],
        scheduled_start=parse_utc(r["scheduled_start_utc"]),
        privacy=r["privacy"],
        life_cycle_status=r["life_cycle_status"],
        fingerprint=r["fingerprint"],
    )


def _meeting_row(m: Meeting) -> dict:
    return {
        "id": m.id,
        "committee": m.committee,
        "title": m.title,
        "room": m.room,
        "location": m.location,
        "start_utc": utc_text(m.start),
        "end_utc": utc_text(m.end),
        "cancelled": int(m.cancelled),
        "webcast": int(m.webcast),
        "join_url": m.join_url,
        "ical_uid": m.ical_uid,
        "agenda_json": json.dumps([asdict(i) for i in m.agenda]),
        "members_json": json.dumps([asdict(x) for x in m.members]),
        "warnings_json": json.dumps(list(m.warnings)),
        "sources_json": json.dumps([list(p) for p in m.sources]),
    }


def _meeting_from_row(r: sqlite3.Row) -> Meeting:
    return Meeting(
        id=r["id"],
        committee=r["committee"],
        title=r["title"],
        room=r["room"],
        location=r["location"],
        start=parse_utc(r["start_utc"]),
        end=parse_utc(r["end_utc"]),
        cancelled=bool(r["cancelled"]),
        webcast=bool(r["webcast"]),
        join_url=r["join_url"],
        ical_uid=r["ical_uid"],
        agenda=tuple(AgendaItem(**i) for i in json.loads(r["agenda_json"])),
        members=tuple(Member(**x) for x in json.loads(r["members_json"])),
        warnings=tuple(json.loads(r["warnings_json"])),
        sources=tuple((str(f), str(w)) for f, w in json.loads(r["sources_json"])),
    )
