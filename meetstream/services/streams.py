"""One reusable YouTube stream per room: created once, found again, its key never changes.

The stream's id is kept in the store (youtube_streams). If the store is new, the room's stream
is found again by its title on the channel before a new one is made, so OBS never needs
re-keying. `client` is the YouTube port (meetstream.adapters.youtube.client.YouTubeClient).
"""

from __future__ import annotations

from meetstream.ports import RoomStream, StreamInfo


def stream_title(room_key: str, room) -> str:
    return f"meetstream: {room.name} ({room_key})"[:128]


def _room_stream(room_key: str, s: StreamInfo) -> RoomStream:
    return RoomStream(room_key, s.stream_id, s.title, s.status, s.health, s.ingestion_address, s.key, s.resolution,
                      s.frame_rate, s.backup_ingestion_address)


def ensure_room_stream(client, store, room_key: str, room) -> str:
    """The room's stream id: from the store (no call), found again by title (1 unit), or created (50)."""
    known = store.room_streams().get(room_key)
    if known:
        return known[0]
    title = stream_title(room_key, room)
    found = next((s for s in client.streams() if s.title == title), None)
    if found is None:
        found = client.create_stream(title, f"Reusable stream for {room.name}, made by meetstream.", room.resolution,
                                     room.frame_rate)
    store.save_room_stream(room_key, found.stream_id, title)
    return found.stream_id


def room_streams(client, store, settings) -> list[RoomStream]:
    """Every configured room with its stream (1 unit): status, ingest address and key."""
    stored = store.room_streams()
    mine = {s.stream_id: s for s in client.streams()}
    by_title = {s.title: s for s in mine.values()}
    out = []
    for room_key, room in settings.rooms.items():
        title = stream_title(room_key, room)
        found = mine.get(stored[room_key][0]) if room_key in stored else by_title.get(title)
        out.append(RoomStream(room_key, None, title, "missing") if found is None else _room_stream(room_key, found))
    return out


def room_stream(client, store, settings, room_key: str) -> RoomStream:
    """One room's stream with its key (for putting into OBS), creating it if need be."""
    room = settings.room(room_key)
    found = client.stream(ensure_room_stream(client, store, room_key, room))
    if found is None:  # deleted on YouTube: make a new one (the key changes, so OBS must be re-keyed)
        store.forget_room_stream(room_key)
        found = client.stream(ensure_room_stream(client, store, room_key, room))
    return _room_stream(room_key, found)
