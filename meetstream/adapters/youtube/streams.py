"""liveStreams: list the channel's reusable streams, read one, make one, its health. Each key
(cdn.ingestionInfo.streamName) is registered as a secret the moment it is read: never logged.
Which stream is a room's is meetstream.services.streams' business."""

from __future__ import annotations

from dataclasses import dataclass

from meetstream import secrets
from meetstream.adapters.youtube.refusals import ApiRefusal
from meetstream.ports import StreamInfo

STREAM_PARTS = "id,snippet,cdn,contentDetails,status"


@dataclass(frozen=True)
class StreamHealth:
    stream_id: str
    status: str  # streamStatus
    health: str | None  # healthStatus.status: good/ok/bad/noData/revoked
    issues: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.status == "active"


def stream_info(item: dict) -> StreamInfo:
    cdn = item.get("cdn", {})
    info = cdn.get("ingestionInfo", {})
    key = info.get("streamName")
    secrets.register(key)
    st = item.get("status", {})
    return StreamInfo(item["id"], item.get("snippet", {}).get("title", ""), st.get("streamStatus", "unknown"),
                      (st.get("healthStatus") or {}).get("status"), info.get("ingestionAddress"), key,
                      cdn.get("resolution"), cdn.get("frameRate"), info.get("backupIngestionAddress"))


def list_my_streams(client) -> list[dict]:
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


def get_stream(client, stream_id: str) -> dict | None:
    page = client.call("liveStreams.list", client.service.liveStreams().list(part=STREAM_PARTS, id=stream_id))
    items = page.get("items", [])
    return items[0] if items else None


def insert_stream(client, title: str, description: str, resolution: str, frame_rate: str) -> dict:
    body = {
        "snippet": {"title": title, "description": description},
        "cdn": {"ingestionType": "rtmp", "resolution": resolution, "frameRate": frame_rate},
        "contentDetails": {"isReusable": True},
    }
    item = client.call("liveStreams.insert", client.service.liveStreams().insert(part=STREAM_PARTS, body=body))
    secrets.register(item.get("cdn", {}).get("ingestionInfo", {}).get("streamName"))
    return item


def stream_health(client, stream_id: str) -> StreamHealth:
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
