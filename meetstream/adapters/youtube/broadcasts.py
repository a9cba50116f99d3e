"""liveBroadcasts: insert, update, bind, unbind, delete, status look-ups. Each function is one call,
except `update_broadcast` without the current resource, which reads it first (1 unit)."""

from __future__ import annotations

from meetstream.core.planner import BroadcastSpec
from meetstream.adapters.youtube.refusals import ApiRefusal

PARTS = "id,snippet,status,contentDetails"


def insert_broadcast(client, spec: BroadcastSpec) -> dict:
    return client.call("liveBroadcasts.insert", client.service.liveBroadcasts().insert(part=PARTS, body=spec.body()))


def update_broadcast(client, broadcast_id: str, spec: BroadcastSpec, current: dict | None = None) -> dict:
    """Write the spec over the broadcast as YouTube has it now.

    An update replaces each part it names whole: every settable property left out is reset to its
    default (https://developers.google.com/youtube/v3/live/docs/liveBroadcasts/update), so what the
    officer set in YouTube Studio (captions, embedding, the delay, latency …) must be sent back.
    `current` is the broadcast as read with PARTS (the scheduler's refresh has it); None reads it.
    """
    if current is None or not all(p in current for p in ("snippet", "status", "contentDetails")):
        current = get_broadcasts(client, [broadcast_id], part=PARTS).get(broadcast_id)
        if current is None:
            raise ApiRefusal("the YouTube broadcast no longer exists (deleted on YouTube?); run `meetstream schedule` to make a new one",
                             status=404, reason="liveBroadcastNotFound", method="liveBroadcasts.list")
    body = spec.body_over(current)
    return client.call("liveBroadcasts.update", client.service.liveBroadcasts().update(part=PARTS, body=body))


def bind_broadcast(client, broadcast_id: str, stream_id: str) -> dict:
    req = client.service.liveBroadcasts().bind(part="id,status,contentDetails", id=broadcast_id, streamId=stream_id)
    return client.call("liveBroadcasts.bind", req)


def unbind_broadcast(client, broadcast_id: str) -> dict:
    """A bind with no streamId removes the binding (liveBroadcasts/bind), so auto-start cannot pick it."""
    req = client.service.liveBroadcasts().bind(part="id,status,contentDetails", id=broadcast_id)
    return client.call("liveBroadcasts.bind", req)


def delete_broadcast(client, broadcast_id: str) -> bool:
    """True if deleted, False if YouTube had no such broadcast any more (nothing left to do)."""
    try:
        client.call("liveBroadcasts.delete", client.service.liveBroadcasts().delete(id=broadcast_id))
    except ApiRefusal as err:
        if err.reason == "liveBroadcastNotFound":
            return False
        raise
    return True


def get_broadcasts(client, ids: list[str], part: str = "id,status") -> dict[str, dict]:
    """id -> resource for those ids that still exist (1 unit per 50 ids)."""
    found: dict[str, dict] = {}
    for i in range(0, len(ids), 50):
        chunk = ids[i : i + 50]
        req = client.service.liveBroadcasts().list(part=part, id=",".join(chunk), maxResults=50)
        for item in client.call("liveBroadcasts.list", req).get("items", []):
            found[item["id"]] = item
    return found


def life_cycle_status(client, broadcast_id: str) -> str:
    items = get_broadcasts(client, [broadcast_id])
    if broadcast_id not in items:
        raise ApiRefusal("the YouTube broadcast no longer exists (deleted on YouTube?); run `meetstream schedule` to make a new one",
                         status=404, reason="liveBroadcastNotFound", method="liveBroadcasts.list")
    return items[broadcast_id]["status"]["lifeCycleStatus"]
