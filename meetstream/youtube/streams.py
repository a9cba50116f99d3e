"""One reusable liveStream per room: created once, found again, its key never changes.

The stream's id is kept in the store (youtube_streams). If the store is new, the room's stream
is found again by its title on `liveStreams.list mine=true` before a new one is made, so OBS
never needs re-keying. The key (cdn.ingestionInfo.streamName) is never logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from meetstream import secrets
from meetstream.youtube.client import ApiRefusal, YouTubeClient

STREAM_PARTS = "id,snippet,cdn,contentDetails,status"


def stream_title(room_key: str, room) -> str:
    return f"meetstream: {room.name} ({room_key})"[:128]


@dataclass(frozen=True)
class RoomStream:
    room: str
    stream_id: str | None
    title: str
    status: str  # created/ready/active/inactive/error, or "missing" when not created yet
    health: str | None = None
    ingestion_address: str | None = None
    key: str | None = None  # never print without redact() unless the officer asked (--show-key)
    resolution: str | None = None
    frame_rate: str | None = None


@dataclass(frozen=True)
class StreamHealth:
    stream_id: str
    status: str  # streamStatus
    health: str | None  # healthStatus.status: good/ok/bad/noData/revoked
    issues: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.status == "active"


def _room_stream(room_key: str, item: dict) -> RoomStream:
    cdn = item.get("cdn", {})
    info = cdn.get("ingestionInfo", {})
    key = info.get("streamName")
    secrets.register(key)
    st = item.get("status", {})
    return RoomStream(
        room=room_key,
        stream_id=item["id"],
        title=item.get("snippet", {}).get("title", ""),
        status=st.get("streamStatus", "unknown"),
        health=(st.get("healthStatus") or {}).get("status"),
        ingestion_address=info.get("ingestionAddress"),
        key=key,
        resolution=cdn.get("resolution"),
        frame_rate=cdn.get("frameRate"),
    )


def list_my_streams(client: YouTubeClient) -> list[dict]:
    """Every reusable stream on the channel (1 unit per page of 50)."""
    items, token = [], None
    while True:
        kwargs = {"part": STREAM_PARTS, "mine": True, "maxResults": 50}
        if token:
            kwargs["pageToken"] = token
        page = client.call("liveStreams.list", client.service.liveStreams().list(**kwargs))
        items += page.get("items", [])
        token = page.get("nextPageToken")
        if not token:
            return items


def get_stream(client: YouTubeClient, stream_id: str) -> dict | None:
    page = client.call("liveStreams.list", client.service.liveStreams().list(part=STREAM_PARTS, id=stream_id))
    items = page.get("items", [])
    return items[0] if items else None


def ensure_room_stream(client: YouTubeClient, store, room_key: str, room) -> str:
    """The room's stream id: from the store (no call), found again by title, or created (50 units)."""
    known = store.room_streams().get(room_key)
    if known:
        return known[0]
    title = stream_title(room_key, room)
    for item in list_my_streams(client):
        if item.get("snippet", {}).get("title") == title:
            store.save_room_stream(room_key, item["id"], title)
            return item["id"]
    body = {
        "snippet": {"title": title, "description": f"Reusable stream for {room.name}, made by meetstream."},
        "cdn": {"ingestionType": "rtmp", "resolution": room.resolution, "frameRate": room.frame_rate},
        "contentDetails": {"isReusable": True},
    }
    item = client.call("liveStreams.insert", client.service.liveStreams().insert(part=STREAM_PARTS, body=body))
    secrets.register(item.get("cdn", {}).get("ingestionInfo", {}).get("streamName"))
    store.save_room_stream(room_key, item["id"], title)
    return item["id"]


def room_streams(client: YouTubeClient, store, settings) -> list[RoomStream]:
    """Every configured room with its stream (1 unit): status, ingest address and key."""
    stored = store.room_streams()
    mine = {item["id"]: item for item in list_my_streams(client)}
    by_title = {item.get("snippet", {}).get("title"): item for item in mine.values()}
    out = []
    for room_key, room in settings.rooms.items():
        title = stream_title(room_key, room)
        item = mine.get(stored[room_key][0]) if room_key in stored else by_title.get(title)
        if item is None:
            out.append(RoomStream(room_key, None, title, "missing"))
        else:
            out.append(_room_stream(room_key, item))
    return out


def room_stream(client: YouTubeClient, store, settings, room_key: str) -> RoomStream:
    """One room's stream with its key (for putting into OBS), creating it if need be."""
    room = settings.room(room_key)
    sid = ensure_room_stream(client, store, room_key, room)
    item = get_stream(client, sid)
    if item is None:  # deleted on YouTube: make a new one (the key changes, so OBS must be re-keyed)
        store.forget_room_stream(room_key)
        sid = ensure_room_stream(client, store, room_key, room)
        item = get_stream(client, sid)
    return _room_stream(room_key, item)


def stream_health(client: YouTubeClient, stream_id: str) -> StreamHealth:
    """liveStreams.list for one stream: 1 unit."""
    page = client.call("liveStreams.list", client.service.liveStreams().list(part="id,status", id=stream_id))
    items = page.get("items", [])
    if not items:
        raise ApiRefusal("the room's YouTube stream no longer exists; run `meetstream schedule` to create it again",
                         status=404, reason="liveStreamNotFound", method="liveStreams.list")
    st = items[0].get("status", {})
    hs = st.get("healthStatus") or {}
    issues = tuple(
        f"{i.get('severity', 'info')}: {i.get('description') or i.get('reason') or i.get('type')}"
        for i in hs.get("configurationIssues") or []
    )
    return StreamHealth(stream_id, st.get("streamStatus", "unknown"), hs.get("status"), issues)
