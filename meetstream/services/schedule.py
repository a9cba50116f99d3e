"""`meetstream schedule`: plan broadcasts for the coming meetings and apply the plan.

Plan (pure, meetstream.core.planner) from what the store knows, refuse it if the quota ledger says it
would overrun today's remaining quota, refresh the broadcasts that are not over (1 unit per 50:
status, bound stream, and everything an update has to send back), plan again, then apply: first
what frees a room's stream (deletes, unbinds), then what binds, so no room's stream ever has two
auto-start broadcasts bound. Each result is stored as soon as YouTube confirms it, so a failure
halfway loses nothing and the next run carries on.

Also what `meetstream youtube streams` and `youtube quota` show: each room's reusable stream
(`stream_report`), and today's quota spend beside what the pending schedule would cost
(`quota_report`, no call to YouTube).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Callable

from meetstream.errors import StreamGone, YouTubeError
from meetstream.core.planner import NOT_STARTED, ON_AIR, Action, BroadcastOptions, plan, plan_cost, writes
from meetstream.core.quota import ROOM_STREAM_COST, STATUS_REFRESH_COST, QuotaLedger



@dataclass
class ScheduleResult:
    actions: list[Action]
    dry_run: bool
    estimated_units: int
    done: list[tuple[Action, str]] = field(default_factory=list)
    units_spent: int = 0

    @property
    def changes(self) -> list[Action]:
        return writes(self.actions)


def options_from_settings(settings) -> BroadcastOptions:
    yt = settings.youtube
    return BroadcastOptions(
        privacy=yt.privacy,
        enable_dvr=yt.enable_dvr,
        record_from_start=yt.record_from_start,
        auto_start=yt.auto_start,
        auto_stop=yt.auto_stop,
        monitor_stream=yt.monitor_stream,
        timezone=settings.council.timezone,
        council=settings.council.name,
    )


def _stored_plan(settings, store, *, days: int, now: datetime) -> list[Action]:
    end = now + timedelta(days=days)
    meetings = store.meetings(now, end, include_cancelled=True, webcast_only=False)
    streams = {room: sid for room, (sid, _) in store.room_streams().items()}
    return plan(meetings, store.broadcasts(), options=options_from_settings(settings), now=now, window_end=end,
                room_streams=streams, unconfirmed=store.unconfirmed_cancellations())


def _not_over(store) -> list:
    """The stored broadcasts YouTube may have moved on since: not started (auto-start, Studio) or on air."""
    return [b for b in store.broadcasts() if b.life_cycle_status in NOT_STARTED + ON_AIR]


def estimate(actions: list[Action], store, settings) -> int:
    """Units the plan would spend: the refresh, the actions, and any room stream still to make."""
    have = store.room_streams()
    new_rooms = {a.spec.room for a in actions if a.kind in ("create", "update", "bind") and a.spec and a.spec.room not in have}
    refresh = STATUS_REFRESH_COST * ((len(_not_over(store)) + 49) // 50)
    return refresh + plan_cost(actions) + ROOM_STREAM_COST * len(new_rooms)


def pending(settings, store, *, days: int = 60, now: datetime | None = None) -> tuple[list[Action], int]:
    """The plan from stored state and what it would cost; makes no call."""
    now = now or datetime.now(timezone.utc)
    actions = _stored_plan(settings, store, days=days, now=now)
    return actions, estimate(actions, store, settings)


def _refuse_if_over(units: int, ledger) -> None:
    remaining = ledger.remaining()
    if units > remaining:
        raise YouTubeError(
            f"this schedule needs about {units} YouTube quota units but only {remaining} of today's "
            f"{ledger.daily_quota} are left; run it after midnight Pacific time, or with fewer --days"
        )


def schedule(settings, store, *, days: int = 60, dry_run: bool = False, client=None,
             open_client: Callable[[], object] | None = None, now: datetime | None = None) -> ScheduleResult:
    """Bring YouTube's broadcasts in line with the stored meetings. `client` (adapters.youtube.client.YouTubeClient),
    or `open_client()` to build one only when a call is needed (bootstrap.youtube_client)."""
    if days < 1:
        raise YouTubeError("--days must be at least 1")
    now = now or datetime.now(timezone.utc)
    actions, units = pending(settings, store, days=days, now=now)
    result = ScheduleResult(actions, dry_run, units)
    if dry_run:
        return result
    for a in result.changes:  # an unknown room is a config error, found before any call
        if a.spec is not None:
            settings.room(a.spec.room)
    ledger = client.ledger if client is not None and client.ledger is not None else QuotaLedger(store, settings.youtube.daily_quota)
    _refuse_if_over(units, ledger)
    if not result.changes and not _not_over(store):
        return result
    if client is None:
        client = open_client()
    spent_before = client.units_spent()
    try:
        current = _refresh(client, store)
        result.actions = actions = _stored_plan(settings, store, days=days, now=now)
        refreshed = estimate(actions, store, settings)
        result.estimated_units = refreshed
        _refuse_if_over(refreshed - STATUS_REFRESH_COST * ((len(_not_over(store)) + 49) // 50), ledger)
        # Whatever frees a stream goes first: a failure after it leaves none bound, never two.
        for action in sorted(writes(actions), key=lambda a: not a.releases):
            result.done.append((action, _apply(client, store, settings, action, current)))
    finally:
        result.units_spent = client.units_spent() - spent_before
    return result


def stream_report(settings, store, client) -> list:
    """Every configured room with its reusable stream (meetstream.ports.RoomStream): 1 unit."""
    from meetstream.services.streams import room_streams

    return room_streams(client, store, settings)


@dataclass(frozen=True)
class QuotaReport:
    day: str  # the Pacific-time day YouTube is counting
    by_method: dict[str, tuple[int, int]]  # method -> (calls, units) today
    spent: int
    daily_quota: int
    remaining: int
    pending_changes: int  # broadcasts the schedule would create, update or delete
    pending_units: int  # and what that would cost


def quota_report(settings, store, *, days: int = 60, now: datetime | None = None) -> QuotaReport:
    """Today's spend from the store's ledger and the cost of the pending schedule; no call to YouTube."""
    ledger = QuotaLedger(store, settings.youtube.daily_quota)
    actions, units = pending(settings, store, days=days, now=now)
    return QuotaReport(ledger.day(), ledger.by_method(), ledger.spent_today(), ledger.daily_quota, ledger.remaining(),
                       len(writes(actions)), units)


def _refresh(client, store) -> dict:
    """Broadcast id -> the broadcast as YouTube has it now, for those not over; the store follows it.

    Auto-start may have taken one live, someone may have deleted one in YouTube Studio, or a bind
    may have gone through without its answer reaching us. The parts read are those an update must
    send back, so an update costs no read of its own.
    """
    mine = _not_over(store)
    if not mine:
        return {}
    found = client.broadcast_states([b.broadcast_id for b in mine], whole=True)
    for b in mine:
        now_ = found.get(b.broadcast_id)
        if now_ is None:
            store.forget_broadcast(b.meeting_id)  # gone on YouTube: a new one is planned if still wanted
            continue
        if (now_.life_cycle_status, now_.stream_id) != (b.life_cycle_status, b.stream_id):
            store.save_broadcast(replace(b, life_cycle_status=now_.life_cycle_status, stream_id=now_.stream_id))
    return found


def _apply(client, store, settings, action: Action, current: dict) -> str:
    from meetstream.core.domain import Broadcast
    from meetstream.services.streams import ensure_room_stream

    b = action.broadcast
    if action.kind == "delete":
        existed = client.delete_broadcast(b.broadcast_id)
        store.forget_broadcast(b.meeting_id)
        return "deleted" if existed else "already gone"
    if action.kind == "unbind" or action.unbind:
        client.unbind_broadcast(b.broadcast_id)
        b = replace(b, stream_id=None, life_cycle_status="created")
        store.save_broadcast(b)
        if action.kind == "unbind":
            return "unbound"

    spec = action.spec
    if action.kind == "create":
        made = client.create_broadcast(spec)
        # Stored at once, unbound: if the bind below fails, the next run binds it (and only that).
        b = Broadcast(spec.meeting_id, made.broadcast_id, None, spec.title, spec.scheduled_start, spec.options.privacy,
                      made.life_cycle_status, spec.fingerprint())
        store.save_broadcast(b)
        outcome = "created"
    elif action.kind == "update":
        updated = client.update_broadcast(b.broadcast_id, spec, current.get(b.broadcast_id))
        b = replace(b, title=spec.title, scheduled_start=spec.scheduled_start, privacy=spec.options.privacy,
                    life_cycle_status=updated.life_cycle_status, fingerprint=spec.fingerprint())
        store.save_broadcast(b)
        outcome = "updated"
    else:
        outcome = "bound"
    if action.kind == "bind" or action.rebind:
        stream_id = ensure_room_stream(client, store, spec.room, settings.room(spec.room))
        try:
            bound = client.bind_broadcast(b.broadcast_id, stream_id)
        except StreamGone:
            store.forget_room_stream(spec.room)  # deleted on YouTube: make a new one (new key!)
            stream_id = ensure_room_stream(client, store, spec.room, settings.room(spec.room))
            bound = client.bind_broadcast(b.broadcast_id, stream_id)
        store.save_broadcast(replace(b, stream_id=stream_id, life_cycle_status=bound.life_cycle_status))
    return outcome
