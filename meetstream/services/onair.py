"""YouTube as the night's services see it: one small class over the go-live helpers.

`meetstream start` and `meetstream end` (meetstream.services.night) are handed one of these; rehearsal
and tests build it on the simulator, the real thing on the API. Each method says its quota.

At most one auto-start broadcast is bound to a room's stream at any moment: the room's next
meeting (meetstream.core.planner.binding_targets). `prepare` keeps to it when a meeting is started out
of turn, and `hand_over` binds the following meeting once a meeting has ended and OBS has stopped
streaming to the room's key.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable

from meetstream.core.planner import NOT_STARTED, binding_targets
from meetstream.errors import BroadcastGone, YouTubeError
from meetstream.ports import RoomStream
from meetstream.services.streams import room_stream

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    broadcast_id: str
    stream_id: str
    server: str
    key: str
    status: str
    bound_now: bool
    backup: str | None = None  # the stream's backup ingestion address (rooms.<key>.backup_ingest)


class YouTubeOnAir:
    def __init__(self, client, store, settings, *, live, now: Callable[[], datetime] | None = None,
                 idle_timeout: float = 30.0, idle_looks: int = 5):
        """`client`: the YouTube port (adapters.youtube.client.YouTubeClient); `live`: its go-live
        helper (adapters.youtube.golive.LiveControl). Both built by meetstream.bootstrap."""
        self.client, self.store, self.settings = client, store, settings
        self.live = live
        self.now = now or (lambda: datetime.now(timezone.utc))
        self.idle_timeout, self.idle_looks = idle_timeout, idle_looks
        self._status: dict[str, str] = {}  # what prepare() just read, so go_live() need not read it again

    def prepare(self, meeting_id: str, room: str) -> Prepared:
        """The meeting's broadcast, checked and bound to the room's stream; the stream's ingest.

        2 units (liveStreams.list, liveBroadcasts.list), plus 50 if it has to be bound, and 50 for
        each other broadcast found bound to the room's stream (a meeting started out of turn).
        """
        b = self.store.get_broadcast(meeting_id)
        stream: RoomStream = room_stream(self.client, self.store, self.settings, room)
        waiting = [o for o in self.store.broadcasts() if o.broadcast_id != b.broadcast_id and o.life_cycle_status in NOT_STARTED]
        found = self.client.broadcast_states([b.broadcast_id] + [o.broadcast_id for o in waiting])
        now_ = found.get(b.broadcast_id)
        if now_ is None:
            raise YouTubeError(f"YouTube no longer has the broadcast for this meeting ({b.broadcast_id}); run `meetstream schedule`")
        status = now_.life_cycle_status
        if status in ("complete", "revoked"):
            raise YouTubeError(f"the meeting's broadcast is already {status}; run `meetstream schedule` to make a new one")
        bound_now = False
        if now_.stream_id != stream.stream_id:
            # Another meeting's broadcast (the room's next) waits on this stream: unbound first, so
            # the two are never bound together and YouTube cannot start the wrong one.
            for o in waiting:
                other = found.get(o.broadcast_id)
                if other and other.stream_id == stream.stream_id:
                    self.client.unbind_broadcast(o.broadcast_id)
                    self.store.save_broadcast(replace(o, stream_id=None, life_cycle_status="created"))
            status = self.client.bind_broadcast(b.broadcast_id, stream.stream_id).life_cycle_status
            bound_now = True
        if not stream.ingestion_address or not stream.key:
            raise YouTubeError("YouTube gave no ingestion address or key for the room's stream")
        self.store.save_broadcast(replace(self.store.get_broadcast(meeting_id), stream_id=stream.stream_id,
                                          life_cycle_status="ready" if status == "created" else status))
        self._status[b.broadcast_id] = status
        return Prepared(b.broadcast_id, stream.stream_id, stream.ingestion_address, stream.key, status, bound_now,
                        stream.backup_ingestion_address)

    def go_live(self, broadcast_id: str, stream_id: str, *, stream_timeout: float = 120.0) -> str:
        yt = self.settings.youtube
        status = self.live.go_live(broadcast_id, stream_id, auto_start=yt.auto_start, monitor_stream=yt.monitor_stream,
                                   stream_timeout=stream_timeout, current=self._status.pop(broadcast_id, None))
        self.store.set_broadcast_status(broadcast_id, status)
        return status

    def complete(self, broadcast_id: str) -> dict:
        item = self.live.complete(broadcast_id)
        self.store.set_broadcast_status(broadcast_id, "complete")
        return item

    def write_chapters(self, video_id: str, text: str, snippet: dict | None = None) -> dict:
        """videos.list + videos.update, 51 units. `snippet` (the broadcast's, from complete()) is not
        used: the video's own snippet has tags and language the broadcast's lacks, and all of it
        must be written back."""
        return self.live.write_chapters(video_id, text, category_id=self.settings.youtube.category_id)

    def hand_over(self, room: str) -> str | None:
        """Bind the room's next meeting's broadcast to the room's stream; its id, or None if none is due.

        Called by `end` once OBS has stopped streaming: bound to a stream still receiving the last
        meeting's closing slate, an auto-start broadcast could start at once. So YouTube must see
        the stream idle first (liveStreams.list, 1 unit a look, `idle_looks` at most); YouTubeError
        if it does not. Then 50 for the bind. Nothing is called when the next one is bound already, or when the room has none
        (its broadcast is still to be made: `schedule` makes and binds it).
        """
        stored = self.store.room_streams().get(room)
        if not stored:
            return None
        stream_id, now = stored[0], self.now()
        broadcasts = self.store.broadcasts()
        target = binding_targets(self.store.meetings(now, None, room=room), broadcasts, now=now,
                                 room_streams={room: stream_id}).get(room)
        for b in broadcasts:  # only ever a leftover: schedule and prepare keep the rest unbound
            if b.stream_id == stream_id and b.life_cycle_status in NOT_STARTED and b.meeting_id != target:
                self.client.unbind_broadcast(b.broadcast_id)
                self.store.save_broadcast(replace(b, stream_id=None, life_cycle_status="created"))
        nxt = next((b for b in broadcasts if b.meeting_id == target), None)
        if nxt is None or nxt.stream_id == stream_id:
            return None
        self.live.wait_stream_idle(stream_id, self.idle_timeout, looks=self.idle_looks)
        try:
            bound = self.client.bind_broadcast(nxt.broadcast_id, stream_id)
        except BroadcastGone as err:
            self.store.forget_broadcast(nxt.meeting_id)  # deleted in YouTube Studio: schedule makes a new one
            raise YouTubeError("YouTube no longer has it") from err
        self.store.save_broadcast(replace(nxt, stream_id=stream_id, life_cycle_status=bound.life_cycle_status or "ready"))
        log.info("bound the room's next broadcast %s to the %s stream", nxt.broadcast_id, room)
        return nxt.broadcast_id

    def health(self, stream_id: str) -> str:
        """'active, good' or similar: 1 unit. The console asks at most once a minute."""
        h = self.live.stream_health(stream_id)
        text = h.status + (f", {h.health}" if h.health else "")
        return text + (f" ({'; '.join(h.issues)})" if h.issues else "")
