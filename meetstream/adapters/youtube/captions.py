"""YouTube caption tracks (Data API v3 `captions`), every call through YouTubeClient.call so the
quota ledger counts it.

    tracks = CaptionTracks(client)        # built by meetstream.bootstrap.caption_tracks
    tracks.list(video_id)                 # captions.list part=snippet                50 units
    tracks.download(track_id, "vtt")      # captions.download tfmt=vtt               200 units
    tracks.insert(video_id, lang, name, data)   # captions.insert (media upload)     400 units
    tracks.update(track_id, data)         # captions.update (media upload)           450 units
    tracks.delete(track_id)               # captions.delete                           50 units
    tracks.video_times(video_id)          # videos.list part=liveStreamingDetails      1 unit

Reference: https://developers.google.com/youtube/v3/docs/captions (and its list, download,
insert, update and delete pages). What matters here:
  - snippet.trackKind is ASR (automatic speech recognition), standard or forced; an ASR track's
    snippet.name is empty (community: tuber #23 shows it so).
  - captions.download returns the track in its original format unless tfmt (sbv, scc, srt, ttml,
    vtt) asks for another; the user must be allowed to edit the video; 403 forbidden otherwise
    (community: hypothesis/product-backlog#1548, only the owner can download; some owners report
    403 for ASR tracks too, so the service falls back to a file).
  - captions.insert and captions.update are media uploads (POST/PUT /upload/youtube/v3/captions;
    at most 100 MB; text/xml, application/octet-stream or */*); insert needs snippet.videoId,
    snippet.language and snippet.name; the `sync` parameter is deprecated (13 March 2024).
  - quota: list 50, download 200, insert 400, update 450, delete 50 (each method's page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from meetstream.errors import YouTubeError
from meetstream.adapters.youtube.client import ApiRefusal, YouTubeClient


FORMATS = ("sbv", "scc", "srt", "ttml", "vtt")  # captions/download: tfmt


class CaptionsUnavailable(YouTubeError):
    """YouTube will not let this account download the track (403 forbidden on captions.download)."""


@dataclass(frozen=True)
class Track:
    id: str
    video_id: str
    kind: str  # ASR | standard | forced
    language: str
    name: str
    is_draft: bool = False
    status: str | None = None  # serving | syncing | failed

    @classmethod
    def from_resource(cls, r: dict) -> "Track":
        s = r.get("snippet") or {}
        return cls(r["id"], s.get("videoId", ""), s.get("trackKind", "standard"), s.get("language", ""),
                   s.get("name", "") or "", bool(s.get("isDraft", False)), s.get("status"))


class CaptionTracks:
    """The captions port the service (meetstream.services.captions) is handed."""

    def __init__(self, client: YouTubeClient):
        self.client = client
        self.service = client.service

    def units_spent(self) -> int:
        return self.client.units_spent()

    def list(self, video_id: str) -> list[Track]:
        try:
            res = self.client.call("captions.list", self.service.captions().list(part="snippet", videoId=video_id))
        except ApiRefusal as err:
            if err.reason == "videoNotFound":
                raise YouTubeError(f"YouTube has no video {video_id} (deleted, or another channel's?)") from err
            raise
        return [Track.from_resource(r) for r in res.get("items", [])]

    def download(self, track_id: str, tfmt: str = "vtt") -> str:
        if tfmt not in FORMATS:
            raise ValueError(f"tfmt must be one of {FORMATS}")
        request = self.service.captions().download_media(id=track_id, tfmt=tfmt)
        try:
            data = self.client.call("captions.download", request)
        except ApiRefusal as err:
            if err.status == 403:
                raise CaptionsUnavailable(
                    "YouTube will not let this account download the video's automatic captions (403 forbidden); "
                    "download them from YouTube Studio (Subtitles, the track's menu, Download) or use your own "
                    "transcript, then run `meetstream captions fetch MEETING --from FILE`") from err
            if err.reason == "captionNotFound":
                raise YouTubeError("the caption track is gone from YouTube; run `meetstream captions fetch MEETING` again") from err
            raise
        if isinstance(data, bytes):
            return data.decode("utf-8-sig", errors="replace")
        return data if isinstance(data, str) else ""

    def insert(self, video_id: str, language: str, name: str, data: bytes, *, draft: bool = False) -> Track:
        body = {"snippet": {"videoId": video_id, "language": language, "name": name, "isDraft": draft}}
        request = self.service.captions().insert(part="snippet", body=body, media_body=_media(data))
        return Track.from_resource(self.client.call("captions.insert", self._loopback(request)))

    def update(self, track_id: str, data: bytes, *, draft: bool = False) -> Track:
        # captions/update: part=snippet when the draft status is sent (it is, so a draft is published).
        body = {"id": track_id, "snippet": {"isDraft": draft}}
        request = self.service.captions().update(part="snippet", body=body, media_body=_media(data))
        return Track.from_resource(self.client.call("captions.update", self._loopback(request)))

    def delete(self, track_id: str) -> None:
        self.client.call("captions.delete", self.service.captions().delete(id=track_id))

    def video_times(self, video_id: str) -> tuple[datetime | None, datetime | None]:
        """When the archived video's live part started and ended (liveStreamingDetails)."""
        from meetstream.core.timefmt import parse_utc

        res = self.client.call("videos.list", self.service.videos().list(part="liveStreamingDetails", id=video_id))
        items = res.get("items") or []
        if not items:
            raise YouTubeError(f"YouTube has no video {video_id} (deleted, or another channel's?)")
        d = items[0].get("liveStreamingDetails") or {}
        return (parse_utc(d["actualStartTime"]) if d.get("actualStartTime") else None,
                parse_utc(d["actualEndTime"]) if d.get("actualEndTime") else None)

    def _loopback(self, request):
        # google-api-python-client keeps https for upload URLs when api_endpoint is changed (see
        # /work/shared/reference/youtube-live.md, "Client"); the loopback simulator speaks http.
        base = getattr(self.service, "_baseUrl", "") or ""
        if base.startswith("http://") and request.uri.startswith("https://"):
            request.uri = "http://" + request.uri[len("https://"):]
        return request


def _media(data: bytes):
    from googleapiclient.http import MediaInMemoryUpload

    # captions/insert: accepted media types text/xml, application/octet-stream, */*.
    return MediaInMemoryUpload(data, mimetype="application/octet-stream", resumable=False)
