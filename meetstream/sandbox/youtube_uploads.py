"""The YouTube simulator's video uploads (videos.insert with the resumable upload protocol), mixed
into YouTubeSandbox.

Marks as in meetstream.sandbox.youtube: [ref] a public reference, named beside the rule; [comm]
other projects' reports; GUESS not documented. The references:
  guide   https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol (steps 1-4)
  insert  https://developers.google.com/youtube/v3/docs/videos/insert (limits, quota 1,600 units)
  rest    https://developers.google.com/youtube/data/reference/rest/v3/videos/insert (the newer page:
          defaults for omitted fields, parts that may not be sent, the upload bucket of 100 a day)
  errors  https://developers.google.com/youtube/v3/docs/errors (videos.insert: uploadLimitExceeded)

    POST /upload/youtube/v3/videos?uploadType=resumable&part=…   -> 200, Location: the session URI
    PUT  <session URI>  Content-Range: bytes A-B/N, the bytes       -> 308 Range: bytes=0-B (more wanted)
                                                                    -> 201 the video resource (all in)
    PUT  <session URI>  Content-Range: bytes */N, no body           -> 308 with Range (none if nothing yet) or 201

Test and rehearsal controls: `sim.drop_upload_after(n)` closes the connection, without an answer,
once a session has received n bytes in all (the next drop needs another call);
`sim.uploaded(video_id)` is the file as received; `sim.expire_upload_sessions()`; `sim.upload_limit`
(uploads a Pacific day, 100); `sim.uploads_private_only` (an unverified API project).
"""

from __future__ import annotations

import json
import random
import socket
import string
from dataclasses import dataclass
from datetime import datetime, timezone

UPLOAD_COSTS = {"videos.insert": 1600}  # [ref] insert: "a quota cost of 1,600 units"
UPLOAD_ROUTES = {("POST", "videos"): "videos.insert"}
RESUMABLE_PATH = "/upload/youtube/v3/videos"
HEADERS = "__headers__"  # where the HTTP handler puts the request's upload headers in the body it hands on
CHUNK_UNIT = 256 * 1024  # [ref] guide, step 2: chunk sizes are multiples of 256 KB, except the last
MAX_BYTES = 256 * 1024 ** 3  # [ref] insert: "Maximum file size: 256GB"
INSERT_PARTS = {"id", "snippet", "status", "contentDetails", "liveStreamingDetails", "localizations", "player",
                "recordingDetails", "statistics", "brandPartner", "paidProductPlacementDetails"}
NOT_ON_INSERT = {"fileDetails", "processingDetails", "suggestions", "topicDetails"}  # [ref] rest: 400 unexpectedPart


@dataclass(frozen=True)
class ResumableSession:
    """videos.insert's answer to a resumable start: no body, the session URI in Location."""

    uri: str


def _rfc3339(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _new_id(n: int) -> str:
    return "".join(random.choices(string.ascii_letters + string.digits + "-_", k=n))


class UploadsSandbox:
    """Mixed into YouTubeSandbox: needs its `videos`, `clock`, `_lock`, `_day`, `url`, `_parts`, `_view`,
    `_check_text` and `api_error`."""

    upload_limit = 100  # [ref] rest: "default limit of 100 uploads per project per day"
    uploads_private_only = False  # [ref] insert: videos from unverified projects (after 28 July 2020) are private

    @property
    def upload_sessions(self) -> dict[str, dict]:
        return self.__dict__.setdefault("_upload_sessions", {})

    # --- controls ------------------------------------------------------------------------------

    def drop_upload_after(self, total_bytes: int) -> None:
        """The next time a session's bytes reach `total_bytes`, the connection closes mid-request."""
        self.__dict__["_drop_at"] = total_bytes

    def uploaded(self, video_id: str) -> bytes:
        session = next(s for s in self.upload_sessions.values() if s["video_id"] == video_id)
        return bytes(session["data"])

    def expire_upload_sessions(self) -> None:
        # [ref] guide, step 4: a 404 means the upload session has expired.
        with self._lock:
            self.upload_sessions.clear()

    def uploads_today(self) -> int:
        return self.__dict__.setdefault("_uploads_by_day", {}).get(self._day(), 0)

    # --- videos.insert: the session (through YouTubeSandbox.handle: quota, failures, calls) ----------

    def _videos_insert(self, params: dict, body: dict) -> tuple[int, ResumableSession]:
        headers = body.pop(HEADERS, {})
        if params.get("uploadType") != "resumable":
            # GUESS: only the resumable protocol is simulated; multipart/media uploads are refused.
            raise self.api_error(400, "invalidUploadType", "Only uploadType=resumable is simulated.", "global")
        parts = [p.strip() for p in (params.get("part") or "").split(",") if p.strip()]
        if any(p in NOT_ON_INSERT for p in parts):
            raise self.api_error(400, "unexpectedPart", f"'{next(p for p in parts if p in NOT_ON_INSERT)}'", "youtube.part")
        parts = self._parts(params, INSERT_PARTS)
        # [ref] rest: "Each part included in the Video request body must also appear in the part query
        # parameter". GUESS: the same 400 unexpectedPart as for a part that may not be sent.
        for key in body:
            if key not in ("id", "kind", "etag") and key not in parts:
                raise self.api_error(400, "unexpectedPart", f"'{key}' is in the body but not in part", "youtube.part")
        kind = (headers.get("x-upload-content-type") or "application/octet-stream").lower()
        if not (kind.startswith("video/") or kind == "application/octet-stream"):
            # [ref] insert: accepted media types video/*, application/octet-stream; GUESS: the reason.
            raise self.api_error(400, "invalidContentType", "Accepted media types are video/* and application/octet-stream.", "youtube.video")
        size = headers.get("x-upload-content-length")
        try:
            size = int(size) if size not in (None, "") else None
        except ValueError:
            raise self.api_error(400, "invalidValue", "X-Upload-Content-Length is not a number.", "global") from None
        if size is not None and size > MAX_BYTES:
            raise self.api_error(400, "uploadLimitExceeded", "The file is bigger than 256 GB.", "youtube.video")  # GUESS: reason
        counts = self.__dict__.setdefault("_uploads_by_day", {})
        if counts.get(self._day(), 0) >= self.upload_limit:
            # [ref] errors: videos.insert 400 uploadLimitExceeded, "the number of videos they may upload".
            raise self.api_error(400, "uploadLimitExceeded", "The user has exceeded the number of videos they may upload.", "youtube.video")
        snippet, status = dict(body.get("snippet") or {}), dict(body.get("status") or {})
        title = snippet.get("title") or headers.get("slug") or "unknown"  # [ref] rest: the Slug header, or "unknown"
        if len(title) > 100 or "<" in title or ">" in title:  # [ref] videos resource: snippet.title, 100 characters, no < >
            raise self.api_error(400, "invalidTitle", "The video title is invalid.", "youtube.video")
        self._check_text(snippet.get("description", ""), "description", 5000, "invalidDescription", "youtube.video")
        privacy = status.get("privacyStatus") or "public"  # [ref] rest: an omitted privacyStatus is public
        if privacy not in ("public", "unlisted", "private"):
            raise self.api_error(400, "invalidPrivacyStatus", "A valid privacy status is required.", "youtube.video")
        if self.uploads_private_only:
            privacy = "private"
        counts[self._day()] = counts.get(self._day(), 0) + 1  # GUESS: counted when the session starts, like the quota
        sid = _new_id(32)
        self.upload_sessions[sid] = {"parts": parts, "snippet": snippet, "status": status, "title": title, "privacy": privacy,
                                     "size": size, "type": kind, "data": bytearray(), "video_id": None}
        # [ref] guide, step 1: the session URI comes back in Location, with upload_id on the upload path.
        return 200, ResumableSession(f"{self.url}{RESUMABLE_PATH}?uploadType=resumable&upload_id={sid}")

    # --- the session: chunks and status queries (no quota: they are not API calls; GUESS) --------------

    def _finish_upload(self, sid: str) -> dict:
        s = self.upload_sessions[sid]
        if s["video_id"] is None:
            vid = _new_id(11)
            now = _rfc3339(self.clock())
            sn = s["snippet"]
            self.videos[vid] = {
                "kind": "youtube#video", "etag": _new_id(27), "id": vid,
                "snippet": {"publishedAt": now, "channelId": "UCsandboxCouncilChannel0", "title": s["title"],
                            "description": sn.get("description", ""), "categoryId": str(sn.get("categoryId") or "22"),
                            "liveBroadcastContent": "none", **{k: sn[k] for k in ("tags", "defaultLanguage") if sn.get(k)}},
                "status": {"uploadStatus": "uploaded", "privacyStatus": s["privacy"], "license": "youtube", "embeddable": True,
                           "publicStatsViewable": True,
                           "selfDeclaredMadeForKids": bool(s["status"].get("selfDeclaredMadeForKids", False))},
                # GUESS: processing is not simulated beyond its first state.
                "processingDetails": {"processingStatus": "processing"},
            }
            s["video_id"] = vid
        return self._view(self.videos[s["video_id"]], s["parts"])

    def _range_header(self, sid: str) -> dict:
        n = len(self.upload_sessions[sid]["data"])
        # [ref] guide, step 4: Range says the bytes received; [comm] google-api-python-client PR 312: no
        # Range at all while the server has none.
        return {"Range": f"bytes=0-{n - 1}"} if n else {}


def answer_resumable(handler, verb: str, params: dict) -> None:
    """The HTTP side of a resumable upload (YouTubeSandbox's handler calls it before reading the body)."""
    sim = handler.simulator
    length = int(handler.headers.get("Content-Length") or 0)
    if verb == "POST" and "upload_id" not in params:
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            _send(handler, 400, sim.api_error(400, "parseError", "Parse Error", "global").body())
            return
        body[HEADERS] = {k.lower(): v for k, v in handler.headers.items() if k.lower() in ("x-upload-content-length", "x-upload-content-type", "slug")}
        status, result = sim.handle("POST", "videos", params, body)
        if isinstance(result, ResumableSession):
            _send(handler, 200, None, {"Location": result.uri})
        else:
            _send(handler, status, result)
        return
    sid = params.get("upload_id", "")
    with sim._lock:
        session = sim.upload_sessions.get(sid)
    if verb != "PUT" or session is None:
        handler.rfile.read(length)
        # [ref] guide, step 4: "404 Not Found" - the upload session has expired (or never was).
        _send(handler, 404, sim.api_error(404, "notFound", "The upload session was not found or has expired.", "global").body())
        return
    spec = (handler.headers.get("Content-Range") or "").strip()
    total = session["size"]
    if spec.startswith("bytes */"):  # [ref] guide, step 4: the status query
        handler.rfile.read(length)
        with sim._lock:
            if total is not None and len(session["data"]) >= total:
                _send(handler, 201, sim._finish_upload(sid))
            else:
                _send(handler, 308, None, sim._range_header(sid))
        return
    try:
        span, _, size = spec.removeprefix("bytes ").partition("/")
        first, _, last = span.partition("-")
        first, last = int(first), int(last)
        size = int(size) if size != "*" else None
    except ValueError:
        handler.rfile.read(length)
        _send(handler, 400, sim.api_error(400, "badContentRange", "Content-Range is malformed.", "global").body())  # GUESS: reason
        return
    if total is None and size is not None:
        session["size"] = total = size
    final = total is not None and last + 1 == total
    if last - first + 1 != length or (not final and length % CHUNK_UNIT) or (total is not None and size not in (None, total)):
        handler.rfile.read(length)
        # [ref] guide, step 2: the Content-Range must describe the chunk, and a chunk before the last is a
        # multiple of 256 KB. GUESS: a chunk breaking either is refused whole, 400.
        _send(handler, 400, sim.api_error(400, "badContentRange", "The chunk does not match its Content-Range or is not a multiple of 256 KB.", "global").body())
        return
    have = len(session["data"])
    if first != have:
        handler.rfile.read(length)
        # GUESS: bytes that do not start where the session is are not stored; the answer says where it is.
        _send(handler, 308, None, sim._range_header(sid))
        return
    drop_at = sim.__dict__.get("_drop_at")
    received = 0
    while received < length:
        piece = handler.rfile.read(min(64 * 1024, length - received))
        if not piece:
            break
        if drop_at is not None and have + received + len(piece) >= drop_at:
            keep = drop_at - have - received
            session["data"] += piece[:keep]
            # GUESS, hostile: of a request cut off, the server keeps only whole 256 KB units, so a client must
            # resume from what the status query says, not from what it believes it sent.
            del session["data"][len(session["data"]) // CHUNK_UNIT * CHUNK_UNIT:]
            sim.__dict__["_drop_at"] = None
            handler.close_connection = True
            try:
                handler.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        session["data"] += piece
        received += len(piece)
    with sim._lock:
        if total is not None and len(session["data"]) >= total:
            _send(handler, 201, sim._finish_upload(sid))  # [ref] guide, step 3: 201 Created with the video resource
        else:
            _send(handler, 308, None, sim._range_header(sid))  # [ref] guide, step 3: 308 Resume Incomplete


def _send(handler, status: int, body: dict | None, headers: dict | None = None) -> None:
    data = b"" if body is None else json.dumps(body).encode()
    handler.send_response(status, "Resume Incomplete" if status == 308 else None)
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    if body is not None:
        handler.send_header("Content-Type", "application/json; charset=UTF-8")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    if data:
        handler.wfile.write(data)
