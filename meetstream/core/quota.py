"""YouTube's quota: what each call costs, and the ledger of what was spent today.

One table (COSTS) is the client's, the planner's and the scheduler's: the planner prices its
actions with it, the scheduler its extras, and the client records each call's cost in the store's
ledger. The YouTube simulator keeps its own copy on purpose (meetstream.sandbox.youtube), so a
mistake here shows as a mismatch between the ledger and what the simulator charged.

Pure apart from the ledger's store; no SDK.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from meetstream.core.timefmt import local

PACIFIC = "America/Los_Angeles"  # YouTube's quota day ends at midnight Pacific time

# Published quota costs (quota calculator; live writes as reported by integrators).
COSTS: dict[str, int] = {
    "liveBroadcasts.list": 1,
    "liveBroadcasts.insert": 50,
    "liveBroadcasts.update": 50,
    "liveBroadcasts.delete": 50,
    "liveBroadcasts.bind": 50,
    "liveBroadcasts.transition": 50,
    "liveStreams.list": 1,
    "liveStreams.insert": 50,
    "liveStreams.update": 50,
    "liveStreams.delete": 50,
    "videos.list": 1,
    "videos.update": 50,
    # videos/delete (developers.google.com/youtube/v3/docs/videos/delete): "a quota cost of 50 units".
    "videos.delete": 50,
    # videos/insert (developers.google.com/youtube/v3/docs/videos/insert): "A call to this method has a
    # quota cost of 1,600 units". The newer REST page (youtube/data/reference/rest/v3/videos/insert) puts
    # uploads in a bucket of their own instead (1 unit a call, 100 uploads a project a day by default);
    # the ledger keeps the older, dearer figure so a recovery never finds the day short, and counts
    # uploads against youtube.daily_uploads as well (meetstream.services.recover).
    "videos.insert": 1600,
    # Each captions method's reference page: "A call to this method has a quota cost of N units".
    "captions.list": 50,
    "captions.download": 200,
    "captions.insert": 400,
    "captions.update": 450,
    "captions.delete": 50,
}


def cost(*methods: str) -> int:
    """Units for these calls, one each."""
    return sum(COSTS[m] for m in methods)


# What the planner's actions cost (meetstream.core.planner.Action.cost). Only a room's next meeting is
# bound, so a create is an insert, plus a bind ("rebind") when it is the next one.
ACTION_COST: dict[str, int] = {
    "create": cost("liveBroadcasts.insert"),
    "update": cost("liveBroadcasts.update"),
    "bind": cost("liveBroadcasts.bind"),
    "unbind": cost("liveBroadcasts.bind"),  # a bind with no stream
    "rebind": cost("liveBroadcasts.bind"),  # an update or create that also binds
    "delete": cost("liveBroadcasts.delete"),
    "nothing": 0,
}
# The scheduler's refresh of the broadcasts not yet over (per 50); it also reads what an update
# writes back, so an update needs no read of its own.
STATUS_REFRESH_COST = cost("liveBroadcasts.list")
ROOM_STREAM_COST = cost("liveStreams.list", "liveStreams.insert")  # find a room's stream again, else make it: once per room


def pacific_day(at: datetime | None = None) -> str:
    """The quota day YouTube is counting: the date in Pacific time."""
    return local(at or datetime.now(timezone.utc), PACIFIC).date().isoformat()


class QuotaLedger:
    """Records every call's cost in the store, per Pacific-time day."""

    def __init__(self, store, daily_quota: int = 10_000, *, clock: Callable[[], datetime] | None = None):
        self.store, self.daily_quota = store, daily_quota
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    def day(self) -> str:
        return pacific_day(self.clock())

    def record(self, method: str, units: int, ok: bool = True) -> None:
        self.store.record_quota(self.clock().replace(microsecond=0), self.day(), method, units, ok)

    def spent_today(self) -> int:
        return self.store.quota_spent(self.day())

    def remaining(self) -> int:
        return max(0, self.daily_quota - self.spent_today())

    def by_method(self) -> dict[str, tuple[int, int]]:
        return self.store.quota_by_method(self.day())
