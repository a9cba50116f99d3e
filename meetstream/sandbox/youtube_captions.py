"""The YouTube simulator's caption tracks (Data API v3 `captions`), mixed into YouTubeSandbox.

Serves captions.list, captions.download (GET /youtube/v3/captions/{id}, answered with the track
itself, not JSON), captions.insert and captions.update (media uploads, multipart/related to
/upload/youtube/v3/captions) and captions.delete. Marks as in meetstream.sandbox.youtube:
[ref] the reference, https://developers.google.com/youtube/v3/docs/captions and its method pages
("captions/insert" below means .../docs/captions/insert); [comm] other projects' reports;
GUESS not documented.

Test and rehearsal controls: `sim.add_asr_track(video_id, vtt_text)` stands for the automatic
track YouTube makes after a broadcast; `sim.forbid_asr_download()` makes captions.download of
ASR tracks answer 403 forbidden, as some owners report.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import datetime, timezone
from email import message_from_bytes
from email.policy import HTTP

# [ref] each method's page: "Quota impact: A call to this method has a quota cost of N units".
# Kept apart from meetstream.adapters.youtube.captions.CAPTION_COSTS on purpose (this side stands for YouTube).
CAPTION_COSTS = {
    "captions.list": 50,
    "captions.download": 200,
    "captions.insert": 400,
    "captions.update": 450,
    "captions.delete": 50,
}
CAPTION_ROUTES = {
    ("GET", "captions"): "captions.list",
    ("GET", "captions/download"): "captions.download",  # GET captions/{id}, see captions_path
    ("POST", "captions"): "captions.insert",
    ("PUT", "captions"): "captions.update",
    ("DELETE", "captions"): "captions.delete",
}
MEDIA = "__media__"  # where the HTTP handler puts an upload's media in the body it hands on
FORMATS = ("sbv", "scc", "srt", "ttml", "vtt")  # [ref] captions/download: tfmt
MAX_NAME = 150  # [ref] captions resource: snippet.name, "The maximum name length supported is 150 characters"
MAX_MEDIA = 100 * 1024 * 1024  # [ref] captions/insert: maximum file size 100MB


@dataclass(frozen=True)
class RawBody:
    """A non-JSON answer (captions.download sends the track itself)."""

    data: bytes
    content_type: str = "text/plain; charset=UTF-8"


def _rfc3339(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _track_id() -> str:
    return "".join(random.choices(string.ascii_letters + string.digits + "-_", k=32))


def captions_path(verb: str, path: str, params: dict) -> tuple[str, dict]:
    """[ref] captions/download is GET /youtube/v3/captions/{id}: the id moves into params."""
    if verb == "GET" and path.startswith("captions/") and path != "captions/download":
        return "captions/download", {**params, "id": path[len("captions/"):]}
    return path, params


def upload_body(content_type: str, raw: bytes) -> dict | None:
    """A multipart/related upload (google-api-python-client's uploadType=multipart) -> the JSON
    metadata with the media under MEDIA; a plain JSON or empty body as it is. None if unreadable."""
    import json

    if content_type.startswith("multipart/"):
        msg = message_from_bytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw, policy=HTTP)
        parts = list(msg.iter_parts())
        if not parts:
            return None
        try:
            body = json.loads(parts[0].get_payload(decode=True) or b"{}")
        except ValueError:
            return None
        if len(parts) > 1:
            body[MEDIA] = parts[1].get_payload(decode=True) or b""
        return body
    if content_type.startswith("application/json") or not raw:
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None
    return {MEDIA: raw}  # uploadType=media: the media alone


def answer_raw(handler, status: int, body: RawBody) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", body.content_type)
    handler.send_header("Content-Length", str(len(body.data)))
    handler.end_headers()
    handler.wfile.write(body.data)


class CaptionsSandbox:
    """Mixed into YouTubeSandbox: needs its `videos`, `clock`, `_lock` and ApiError."""

    @property
    def caption_tracks(self) -> dict[str, dict]:
        return self.__dict__.setdefault("_caption_tracks", {})

    # --- controls ------------------------------------------------------------------------------

    def add_asr_track(self, video_id: str, text: str, language: str = "en") -> str:
        """The automatic (ASR) track YouTube makes for a video; text is WebVTT."""
        with self._lock:
            return self._new_track(video_id, "ASR", language, "", text.encode(), "vtt")["id"]

    def forbid_asr_download(self, forbid: bool = True) -> None:
        self.__dict__["_asr_forbidden"] = forbid

    def track_text(self, track_id: str) -> str:
        return self.caption_tracks[track_id]["_data"].decode("utf-8", errors="replace")

    # --- internals -----------------------------------------------------------------------------

    api_error: type  # YouTubeSandbox sets it to its ApiError (imported here it would be a cycle)

    def _err(self, code: int, reason: str, message: str):
        return self.api_error(code, reason, message, "youtube.caption")

    def _new_track(self, video_id: str, kind: str, language: str, name: str, data: bytes, fmt: str | None) -> dict:
        track = {
            "kind": "youtube#caption",
            "etag": _track_id()[:20],
            "id": _track_id(),
            "snippet": {
                "videoId": video_id,
                "lastUpdated": _rfc3339(self.clock()),
                "trackKind": kind,  # [ref] ASR | standard | forced
                "language": language,
                "name": name,  # [comm] an ASR track's name is empty (tuber #23)
                "audioTrackType": "unknown",  # [ref] the default
                "isCC": False,
                "isLarge": False,
                "isEasyReader": False,
                "isDraft": False,
                "isAutoSynced": False,
                "status": "serving",
            },
            "_data": data,
            "_format": fmt,
        }
        self._process(track)
        self.caption_tracks[track["id"]] = track
        return track

    def _process(self, track: dict) -> None:
        # [ref] snippet.status serving | syncing | failed, with failureReason processingFailed |
        # unknownFormat | unsupportedFormat. GUESS: processed at once (YouTube takes a while).
        from meetstream.services.captions.cues import CaptionFileError, detect_format, parse

        text = track["_data"].decode("utf-8-sig", errors="replace")
        fmt = detect_format(text)
        try:
            parse(text, fmt)
        except CaptionFileError:
            track["snippet"].update(status="failed", failureReason="unknownFormat")
            return
        track["_format"] = fmt
        track["snippet"]["status"] = "serving"
        track["snippet"].pop("failureReason", None)

    @staticmethod
    def _public(track: dict, parts: list[str]) -> dict:
        out = {"kind": track["kind"], "etag": track["etag"], "id": track["id"]}
        if "snippet" in parts:
            out["snippet"] = dict(track["snippet"])
        return out

    def _caption_parts(self, params: dict) -> list[str]:
        parts = [p.strip() for p in (params.get("part") or "").split(",") if p.strip()]
        if not parts:  # [ref] part is required
            raise self._err(400, "missingRequiredParameter", "No filter selected. Expected one of: part")
        if any(p not in ("id", "snippet") for p in parts):  # [ref] captions: id, snippet
            raise self._err(400, "invalidPart", f"Invalid part {params.get('part')!r}")
        return parts

    def _track(self, track_id: str | None) -> dict:
        track = self.caption_tracks.get(track_id or "")
        if track is None:  # [ref] captions/download, update, delete: 404 captionNotFound
            raise self._err(404, "captionNotFound", "The caption track could not be found.")
        return track

    # --- the methods ---------------------------------------------------------------------------

    def _captions_list(self, params: dict, body: dict) -> tuple[int, dict]:
        parts = self._caption_parts(params)
        video_id = params.get("videoId")
        if not video_id:  # [ref] captions/list: videoId is required
            raise self._err(400, "missingRequiredParameter", "Required parameter: videoId")
        if video_id not in self.videos:  # [ref] captions/list: 404 videoNotFound
            raise self._err(404, "videoNotFound", "The video identified by the videoId parameter could not be found.")
        ids = set(filter(None, (params.get("id") or "").split(",")))
        items = [self._public(t, parts) for t in self.caption_tracks.values()
                 if t["snippet"]["videoId"] == video_id and (not ids or t["id"] in ids)]
        # [ref] CaptionListResponse: kind, etag, items (no paging)
        return 200, {"kind": "youtube#captionListResponse", "etag": _track_id()[:20], "items": items}

    def _captions_download(self, params: dict, body: dict) -> tuple[int, RawBody]:
        track = self._track(params.get("id"))
        if track["snippet"]["trackKind"] == "ASR" and self.__dict__.get("_asr_forbidden"):
            # [comm] some owners get 403 downloading an ASR track; [ref] 403 forbidden exists for download.
            raise self._err(403, "forbidden", "The permissions associated with the request are not sufficient to download the caption track.")
        tfmt = params.get("tfmt")
        if tfmt and tfmt not in FORMATS:
            raise self._err(400, "invalidValue", f"Invalid value for tfmt: {tfmt}")  # GUESS: the reason
        if track["snippet"]["status"] == "failed":
            # [ref] 400 couldNotConvert: "The caption track data could not be converted"; GUESS when.
            raise self._err(400, "couldNotConvert", "The caption track data could not be converted to the requested language and/or format.")
        data = track["_data"]
        if tfmt and tfmt != track["_format"]:
            if tfmt not in ("vtt", "srt"):
                # GUESS: the simulator converts only between WebVTT and SubRip.
                raise self._err(400, "couldNotConvert", "The caption track data could not be converted to the requested language and/or format.")
            from meetstream.services.captions.cues import parse, write

            data = write(parse(data.decode("utf-8-sig"), track["_format"]), tfmt).encode()
        kind = {"vtt": "text/vtt", "srt": "application/x-subrip"}.get(tfmt or track["_format"] or "", "application/octet-stream")
        return 200, RawBody(data, f"{kind}; charset=UTF-8")

    def _captions_insert(self, params: dict, body: dict) -> tuple[int, dict]:
        parts = self._caption_parts(params)
        media = body.pop(MEDIA, None)
        snippet = body.get("snippet") or {}
        if not media:  # [ref] captions/insert: 400 contentRequired, the track does not contain data
            raise self._err(400, "contentRequired", "The uploaded caption track does not contain data.")
        if len(media) > MAX_MEDIA:
            raise self._err(413, "uploadTooLarge", "Media larger than 100MB")  # GUESS: the reason
        if not snippet.get("videoId") or not snippet.get("language") or snippet.get("name") is None:
            # [ref] implementation guide: videoId, language and name must be set; GUESS: the reason
            raise self._err(400, "invalidMetadata", "The request contains invalid metadata values.")
        if len(snippet["name"]) > MAX_NAME:  # [ref] captions/insert: 400 nameTooLong
            raise self._err(400, "nameTooLong", "The snippet.name specified in the request is too long.")
        if snippet["videoId"] not in self.videos:  # [ref] captions/insert: 404 videoNotFound
            raise self._err(404, "videoNotFound", "The video identified by the videoId parameter could not be found.")
        for t in self.caption_tracks.values():
            s = t["snippet"]
            if s["videoId"] == snippet["videoId"] and s["trackKind"] != "ASR" and s["language"] == snippet["language"] \
                    and s["name"] == snippet["name"]:
                # [ref] captions/insert: 409 captionExists, a track with this language and name exists
                # (as we read the errors table; each track in a language needs its own name).
                raise self._err(409, "captionExists", "The specified video already has a caption track with the given snippet.language and snippet.name.")
        track = self._new_track(snippet["videoId"], "standard", snippet["language"], snippet["name"], media, None)
        track["snippet"]["isDraft"] = bool(snippet.get("isDraft", False))
        return 200, self._public(track, parts)

    def _captions_update(self, params: dict, body: dict) -> tuple[int, dict]:
        parts = self._caption_parts(params)
        media = body.pop(MEDIA, None)
        track = self._track(body.get("id"))
        if track["snippet"]["trackKind"] == "ASR":
            # GUESS: YouTube's own automatic track cannot be replaced through the API.
            raise self._err(403, "forbidden", "The permissions associated with the request are not sufficient to update the caption track.")
        if "snippet" in parts and "isDraft" in (body.get("snippet") or {}):
            # [ref] captions/update: with part=snippet the draft status can be changed
            track["snippet"]["isDraft"] = bool(body["snippet"]["isDraft"])
        if media:
            # [ref] captions/update: "upload a new caption file for the track"
            track["_data"] = media
            self._process(track)
        track["snippet"]["lastUpdated"] = _rfc3339(self.clock())
        return 200, self._public(track, parts)

    def _captions_delete(self, params: dict, body: dict) -> tuple[int, None]:
        track = self._track(params.get("id"))
        del self.caption_tracks[track["id"]]
        return 204, None  # [ref] captions/delete: an empty answer on success
