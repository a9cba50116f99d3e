"""Go-live and end helpers the live session calls: plain methods on a small class.

    live = LiveControl(client)                     # client: adapters.youtube.client.YouTubeClient
    live.wait_stream_active(stream_id)             # bounded, with backoff; liveStreams.list 1 unit each
    live.go_live(broadcast_id, stream_id, auto_start=True, monitor_stream=False)
    live.stream_health(stream_id)                  # 1 unit; call every few minutes, not seconds
    live.complete(broadcast_id)                    # 50 units; returns the broadcast (actualStartTime)
    live.write_chapters(video_id, chapters_text)   # videos.list + videos.update part=snippet, 51 units

Quota is the constraint: polling liveStreams.list every 5 s for three hours is 2,160 units, a
fifth of the day. Watch OBS's own output stats for second-by-second health (free) and ask
YouTube every few minutes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from meetstream.errors import YouTubeError
from meetstream.adapters.youtube.broadcasts import get_broadcasts, life_cycle_status
from meetstream.adapters.youtube.client import ApiRefusal, RedundantTransition, YouTubeClient
from meetstream.adapters.youtube.streams import StreamHealth, stream_health

CHAPTER_MARK = "Chapters"
DESCRIPTION_MAX = 5000


@dataclass
class LiveControl:
    client: YouTubeClient
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    first_delay: float = 2.0
    max_delay: float = 15.0

    # --- reading ------------------------------------------------------------------------------

    def stream_health(self, stream_id: str) -> StreamHealth:
        return stream_health(self.client, stream_id)

    def status(self, broadcast_id: str) -> str:
        return life_cycle_status(self.client, broadcast_id)

    def _poll(self, what: str, probe: Callable[[], object], done: Callable[[object], bool], timeout: float, *,
              settle: bool = False, looks: int | None = None):
        deadline = self.clock() + timeout
        delay = self.first_delay
        if settle:  # the first look only after the first delay, as if it had been taken
            self.sleep(delay)
            delay = min(delay * 1.6, self.max_delay)
        taken = 0
        while True:
            value = probe()
            taken += 1
            if done(value):
                return value
            if self.clock() + delay > deadline or (looks is not None and taken >= looks):
                raise YouTubeError(what)
            self.sleep(delay)
            delay = min(delay * 1.6, self.max_delay)

    def wait_stream_active(self, stream_id: str, timeout: float = 120.0, *, settle: bool = False) -> StreamHealth:
        """Until YouTube reports the stream active; YouTubeError after `timeout` seconds. `settle`:
        the first look after the first delay (a stream OBS has only just started is never seen at once)."""
        return self._poll(
            f"YouTube did not see the room's stream within {timeout:g}s; check OBS is streaming with the room's key "
            "(`meetstream youtube streams --show-key`)",
            lambda: self.stream_health(stream_id),
            lambda h: h.active,
            timeout,
            settle=settle,
        )

    def wait_stream_idle(self, stream_id: str, timeout: float = 30.0, *, looks: int | None = None) -> StreamHealth:
        """Until YouTube no longer reports the stream active; YouTubeError after `timeout` seconds or
        `looks` looks (1 unit each), whichever comes first."""
        return self._poll("YouTube still sees the room's stream", lambda: self.stream_health(stream_id),
                          lambda h: not h.active, timeout, looks=looks)

    def wait_status(self, broadcast_id: str, wanted: set[str], timeout: float = 60.0) -> str:
        return self._poll(
            f"the broadcast did not reach {'/'.join(sorted(wanted))} within {timeout:g}s",
            lambda: self.status(broadcast_id),
            lambda s: s in wanted,
            timeout,
        )

    # --- writing ------------------------------------------------------------------------------

    def transition(self, broadcast_id: str, target: str) -> str:
        """One transition (50 units); a redundant one is success. Returns the status YouTube reports."""
        req = self.client.service.liveBroadcasts().transition(part="id,status", id=broadcast_id, broadcastStatus=target)
        try:
            item = self.client.call("liveBroadcasts.transition", req)
        except RedundantTransition:
            return target
        return item.get("status", {}).get("lifeCycleStatus", target)

    def go_live(self, broadcast_id: str, stream_id: str, *, auto_start: bool = True, monitor_stream: bool = False,
                stream_timeout: float = 120.0, live_timeout: float = 60.0, current: str | None = None) -> str:
        """Take the broadcast live once its stream is active. Returns "live".

        With auto-start YouTube goes live by itself when the stream arrives: we only watch. If it
        has not after `live_timeout`, or auto-start is off, we transition explicitly (through
        testing first when the monitor stream is on). `current`: the status just read, if the
        caller has it (saves a look, 1 unit).
        """
        current = current or self.status(broadcast_id)
        if current == "live":
            return current
        if current in ("complete", "revoked"):
            raise YouTubeError(f"the broadcast is {current}; a finished broadcast cannot go live again (run `meetstream schedule` for a new one)")
        # YouTube's ingest takes seconds to see a stream OBS has just started: a look at once is a unit spent for nothing.
        self.wait_stream_active(stream_id, stream_timeout, settle=True)
        if auto_start:
            try:
                return self.wait_status(broadcast_id, {"live"}, live_timeout)
            except YouTubeError:
                current = self.status(broadcast_id)  # auto-start did not fire: do it ourselves
        else:
            current = self.status(broadcast_id)
        if current == "ready" and monitor_stream:
            self.transition(broadcast_id, "testing")
            current = self.wait_status(broadcast_id, {"testing", "live"}, live_timeout)
        if current != "live":
            self.transition(broadcast_id, "live")
            current = self.wait_status(broadcast_id, {"live"}, live_timeout)
        return current

    def complete(self, broadcast_id: str, *, starting_timeout: float = 60.0) -> dict:
        """End the broadcast for good (50 units). Returns it with snippet.actualStartTime/EndTime.

        A broadcast still going live (liveStarting, testStarting) cannot be completed yet: YouTube
        answers invalidTransition. Then wait until it is live or testing (1 unit a look) and complete it.
        """
        def req():
            return self.client.service.liveBroadcasts().transition(part="id,snippet,status", id=broadcast_id, broadcastStatus="complete")

        try:
            return self.client.call("liveBroadcasts.transition", req())
        except RedundantTransition:
            return get_broadcasts(self.client, [broadcast_id], part="id,snippet,status").get(broadcast_id, {})
        except ApiRefusal as err:
            if err.reason != "invalidTransition" or self.status(broadcast_id) not in ("liveStarting", "testStarting"):
                raise
        self.wait_status(broadcast_id, {"live", "testing", "complete"}, starting_timeout)
        try:
            return self.client.call("liveBroadcasts.transition", req())
        except RedundantTransition:
            return get_broadcasts(self.client, [broadcast_id], part="id,snippet,status").get(broadcast_id, {})

    def write_chapters(self, video_id: str, chapters_text: str, *, category_id: str | None = None) -> dict:
        """Put the chapter lines into the video's description: videos.list then videos.update, 51 units.

        videos.update replaces the snippet whole: tags, defaultLanguage and the rest left out are
        deleted (https://developers.google.com/youtube/v3/docs/videos/update). So the video is read
        first (the broadcast's snippet is not the video's: it has no tags or language) and written
        back as read, with only the description changed; the agenda written at scheduling stays above
        the chapters. The category is the one the video has (the officer may have chosen it in
        YouTube Studio); `category_id` only fills one that is missing.
        """
        page = self.client.call("videos.list", self.client.service.videos().list(part="snippet", id=video_id))
        items = page.get("items", [])
        if not items:
            raise YouTubeError(f"YouTube has no video {video_id}; was the broadcast deleted?")
        snippet = {k: v for k, v in items[0]["snippet"].items() if k not in _VIDEO_READ_ONLY}
        snippet["description"] = merge_chapters(snippet.get("description", ""), chapters_text)
        snippet["categoryId"] = str(snippet.get("categoryId") or category_id or "25")
        body = {"id": video_id, "snippet": snippet}
        return self.client.call("videos.update", self.client.service.videos().update(part="snippet", body=body))


# What videos.list reports in the snippet but an update does not take (videos resource).
_VIDEO_READ_ONLY = {"publishedAt", "channelId", "channelTitle", "thumbnails", "liveBroadcastContent", "localized"}


def merge_chapters(description: str, chapters_text: str) -> str:
    """The description with a chapters block (replacing an earlier one), within 5000 bytes, no < or >."""
    head = description.split(f"\n\n{CHAPTER_MARK}\n", 1)[0].rstrip()
    chapters = chapters_text.replace("<", "‹").replace(">", "›").strip()
    text = f"{CHAPTER_MARK}\n{chapters}" if not head else f"{head}\n\n{CHAPTER_MARK}\n{chapters}"
    while len(text.encode()) > DESCRIPTION_MAX and head:
        # Chapters matter more than the agenda text: shorten the head first.
        head = head[: max(0, len(head) - (len(text.encode()) - DESCRIPTION_MAX) - 2)].rstrip()
        text = f"{head}…\n\n{CHAPTER_MARK}\n{chapters}" if head else f"{CHAPTER_MARK}\n{chapters}"
    if len(text.encode()) > DESCRIPTION_MAX:
        raise YouTubeError("the chapter list is longer than YouTube's 5000-byte description limit")
    return text
