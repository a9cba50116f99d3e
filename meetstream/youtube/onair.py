"""YouTube as the night's services see it: one small class over the go-live helpers.

`meetstream start` and `meetstream end` (meetstream.night) are handed one of these; rehearsal
and tests build it on the simulator, the real thing on the API. Each method says its quota.
"""

from __future__ import annotations

from dataclasses import dataclass

from meetstream.errors import YouTubeError
from meetstream.youtube.broadcasts import bind_broadcast, get_broadcasts
from meetstream.youtube.golive import LiveControl
from meetstream.youtube.streams import RoomStream, room_stream


@dataclass(frozen=True)
class Prepared:
    broadcast_id: str
    stream_id: str
    server: str
    key: str
    status: str
    bound_now: bool


class YouTubeOnAir:
    def __init__(self, client, store, settings, *, live: LiveControl | None = None):
        self.client, self.store, self.settings = client, store, settings
        self.live = live or LiveControl(client)

    def prepare(self, meeting_id: str, room: str) -> Prepared:
        """The meeting's broadcast, checked and bound to the room's stream; the stream's ingest.

        2 units (liveStreams.list, liveBroadcasts.list), plus 50 if it has to be bound.
        """
        b = self.store.get_broadcast(meeting_id)
        stream: RoomStream = room_stream(self.client, self.store, self.settings, room)
        found = get_broadcasts(self.client, [b.broadcast_id], part="id,status,contentDetails").get(b.broadcast_id)
        if found is None:
            raise YouTubeError(f"YouTube no longer has the broadcast for this meeting ({b.broadcast_id}); run `meetstream schedule`")
        status = found.get("status", {}).get("lifeCycleStatus", "created")
        if status in ("complete", "revoked"):
            raise YouTubeError(f"the meeting's broadcast is already {status}; run `meetstream schedule` to make a new one")
        bound_now = False
        if found.get("contentDetails", {}).get("boundStreamId") != stream.stream_id:
            bind_broadcast(self.client, b.broadcast_id, stream.stream_id)
            bound_now = True
        if not stream.ingestion_address or not stream.key:
            raise YouTubeError("YouTube gave no ingestion address or key for the room's stream")
        self.store.set_broadcast_status(b.broadcast_id, "ready" if status == "created" else status)
        return Prepared(b.broadcast_id, stream.stream_id, stream.ingestion_address, stream.key, status, bound_now)

    def go_live(self, broadcast_id: str, stream_id: str, *, stream_timeout: float = 120.0) -> str:
        yt = self.settings.youtube
        status = self.live.go_live(broadcast_id, stream_id, auto_start=yt.auto_start,
                                   monitor_stream=yt.monitor_stream, stream_timeout=stream_timeout)
        self.store.set_broadcast_status(broadcast_id, status)
        return status

    def complete(self, broadcast_id: str) -> dict:
        item = self.live.complete(broadcast_id)
        self.store.set_broadcast_status(broadcast_id, "complete")
        return item

    def write_chapters(self, video_id: str, text: str, snippet: dict | None = None) -> dict:
        return self.live.write_chapters(video_id, text, category_id=self.settings.youtube.category_id, snippet=snippet)

    def health(self, stream_id: str) -> str:
        """'active, good' or similar: 1 unit. The console asks at most once a minute."""
        h = self.live.stream_health(stream_id)
        text = h.status + (f", {h.health}" if h.health else "")
        return text + (f" ({'; '.join(h.issues)})" if h.issues else "")
