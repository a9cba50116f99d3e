"""Views per video: videos.list part=statistics, 50 ids a call (the most `id` takes), 1 unit a
call, each counted in the quota ledger by YouTubeClient.call. Checks the ledger first: if today's
quota cannot pay for the calls, nothing is asked and the report says views are not available.

Reference: https://developers.google.com/youtube/v3/docs/videos/list (id: a comma-separated list;
maxResults is not supported with id) and https://developers.google.com/youtube/v3/docs/videos
(statistics.viewCount, an unsigned long sent as a string; absent when the owner hides it).
"""

from __future__ import annotations

from dataclasses import dataclass

from meetstream.errors import YouTubeError

BATCH = 50


@dataclass
class VideoStats:
    """The report's views port: `stats(ids)` -> {id: views or None}."""

    client: object  # meetstream.adapters.youtube.client.YouTubeClient

    def calls_needed(self, ids: list[str]) -> int:
        return (len(set(ids)) + BATCH - 1) // BATCH

    def __call__(self, ids: list[str]) -> dict[str, int | None]:
        return self.views(ids)

    def views(self, ids: list[str]) -> dict[str, int | None]:
        wanted = sorted(set(i for i in ids if i))
        out: dict[str, int | None] = {i: None for i in wanted}
        if not wanted:
            return out
        ledger = getattr(self.client, "ledger", None)
        needed = self.calls_needed(wanted)
        if ledger is not None and ledger.remaining() < needed:
            raise YouTubeError(f"today's YouTube quota has {ledger.remaining()} units left and the view counts need {needed}; "
                               "run the report again after midnight Pacific time")
        videos = self.client.service.videos()
        for i in range(0, len(wanted), BATCH):
            chunk = wanted[i:i + BATCH]
            answer = self.client.call("videos.list", videos.list(part="statistics", id=",".join(chunk)))
            for item in answer.get("items") or ():
                count = (item.get("statistics") or {}).get("viewCount")
                if item.get("id") in out and count is not None:
                    try:
                        out[item["id"]] = int(count)
                    except (TypeError, ValueError):
                        pass
        return out
