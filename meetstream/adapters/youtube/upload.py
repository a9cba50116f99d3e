"""A video uploaded with YouTube's resumable upload protocol, and the live archive's state.

    uploads = VideoUploads.for_client(client, settings, ledger)    # meetstream.bootstrap.recovery
    uploads.archive(broadcast_id)         # liveBroadcasts.list + videos.list: 2 units
    uri = uploads.start(body, size)       # videos.insert, uploadType=resumable: 1,600 units
    video = uploads.send(uri, path)       # PUT chunks to the session URI; resumes after a drop

The protocol, from https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol
(each step's rule is cited where it is used below as [upload guide, step N]):
  1. POST /upload/youtube/v3/videos?uploadType=resumable&part=… with the video resource as JSON and
     X-Upload-Content-Length / X-Upload-Content-Type; the answer's Location header is the session URI.
  2. PUT the file (or chunks: Content-Range: bytes FIRST-LAST/TOTAL; every chunk but the last a
     multiple of 256 KB) to the session URI.
  3. 201 Created with the video resource when the whole file is in; 308 Resume Incomplete with
     Range: bytes=0-LAST for what the server has when it wants more.
  4. After a dropped connection or a 5xx: PUT with an empty body and Content-Range: bytes */TOTAL
     to ask what the server has (308 with Range, or no Range when it has nothing; 200/201 when it
     has it all), then send the rest from the byte after the Range. 5xx: wait (exponential back-off)
     and ask again. 404: the session has expired; the upload starts again from the beginning.
videos.insert reference (developers.google.com/youtube/v3/docs/videos/insert): media up to 256 GB,
video/* or application/octet-stream; 1,600 units a call (the newer REST page: its own bucket, 100
uploads a day by default); videos from an unverified API project are locked private.

The raw protocol (requests) rather than googleapiclient's MediaFileUpload: the session URI is
handed back to the service to keep in the store, so a second `recover` (a new process, after the
PC or the network went down) resumes the same session instead of paying for another insert.
The session URI lets anyone holding it upload into the channel: it is never logged or printed.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from meetstream import secrets
from meetstream.core.quota import COSTS
from meetstream.errors import YouTubeError
from meetstream.adapters.youtube.client import ApiRefusal, YouTubeClient, map_http_error  # noqa: F401

log = logging.getLogger(__name__)

CHUNK_UNIT = 256 * 1024  # [upload guide, step 2] chunks other than the last: a multiple of 256 KB
UPLOAD_PATH = "/upload/youtube/v3/videos"
API_HOST = "https://www.googleapis.com"


class UploadSessionGone(YouTubeError):
    """The resumable session expired or is unknown (404 [upload guide, step 4]): the upload must start again."""


class UploadRefused(YouTubeError):
    """YouTube refused the upload (4xx other than an expired session)."""


@dataclass(frozen=True)
class ArchiveState:
    """What YouTube has of the live broadcast's archive."""

    found: bool  # YouTube still has the broadcast (and its video)
    life_cycle: str | None = None  # liveBroadcast status.lifeCycleStatus
    recording_status: str | None = None  # liveBroadcast status.recordingStatus: notRecording | recording | recorded
    processing_status: str | None = None  # video processingDetails.processingStatus: processing | succeeded | failed | terminated
    upload_status: str | None = None  # video status.uploadStatus (deleted, failed, processed, rejected, uploaded)

    @property
    def whole(self) -> bool:
        """YouTube says there is a finished recording of the broadcast (holes aside: the timeline says where)."""
        return (self.found and self.recording_status == "recorded" and self.processing_status not in ("failed", "terminated")
                and self.upload_status not in ("deleted", "failed", "rejected"))

    def words(self) -> str:
        if not self.found:
            return "YouTube no longer has the live broadcast's video"
        bits = [f"recording {self.recording_status or 'unknown'}"]
        if self.processing_status:
            bits.append(f"processing {self.processing_status}")
        if self.upload_status:
            bits.append(f"upload {self.upload_status}")
        return "YouTube's archive: " + ", ".join(bits)


class VideoUploads:
    def __init__(self, client: YouTubeClient, http, base_url: str, *, chunk_bytes: int = 8 * 1024 * 1024,
                 sleep: Callable[[float], None] = time.sleep, retries: int = 6, timeout: float = 120.0):
        self.client, self.http, self.base_url = client, http, base_url.rstrip("/")
        self.chunk_bytes = max(CHUNK_UNIT, chunk_bytes // CHUNK_UNIT * CHUNK_UNIT)
        self.sleep, self.retries, self.timeout = sleep, retries, timeout
        self.requests = 0  # HTTP requests to the upload session (chunks and status queries)
        self.resumes = 0  # times the upload asked the session what it had and carried on from there

    @classmethod
    def for_client(cls, client: YouTubeClient, settings, ledger=None, *, sleep: Callable[[float], None] = time.sleep,
                   chunk_bytes: int | None = None, http=None) -> "VideoUploads":
        """On the simulator (youtube.api_url on loopback) plain requests; on YouTube an authorised
        session with the stored sign-in. `ledger` is the client's (the insert is counted there)."""
        import requests

        from meetstream.net import is_loopback_url

        api_url = settings.youtube.api_url
        if http is None:
            if is_loopback_url(api_url):
                http = requests.Session()
            else:
                from google.auth.transport.requests import AuthorizedSession

                from meetstream.adapters.youtube.auth import load_credentials

                http = AuthorizedSession(load_credentials())
        if ledger is not None and client.ledger is None:
            client.ledger = ledger
        chunk = chunk_bytes or int(settings.youtube.upload_chunk_mb * 1024 * 1024)
        return cls(client, http, api_url if is_loopback_url(api_url) else API_HOST, chunk_bytes=chunk, sleep=sleep)

    def units_spent(self) -> int:
        return self.client.units_spent()

    # --- the live archive ----------------------------------------------------------------------

    def archive(self, broadcast_id: str) -> ArchiveState:
        """liveBroadcasts.list (status.recordingStatus) and videos.list (processingDetails, status): 2 units."""
        service = self.client.service
        got = self.client.call("liveBroadcasts.list", service.liveBroadcasts().list(part="id,status", id=broadcast_id))
        items = got.get("items") or []
        if not items:
            return ArchiveState(False)
        status = items[0].get("status") or {}
        video = self.client.call("videos.list", service.videos().list(part="id,status,processingDetails", id=broadcast_id))
        v = (video.get("items") or [{}])[0]
        return ArchiveState(True, status.get("lifeCycleStatus"), status.get("recordingStatus"),
                            (v.get("processingDetails") or {}).get("processingStatus"), (v.get("status") or {}).get("uploadStatus"))

    # --- the resumable upload ----------------------------------------------------------------

    def start(self, body: dict, size: int, content_type: str = "video/x-matroska", *, parts: str = "snippet,status") -> str:
        """[upload guide, step 1] A new upload session for a file of `size` bytes; its URI. This is the
        videos.insert call: its quota is spent here, whatever becomes of the session."""
        url = f"{self.base_url}{UPLOAD_PATH}?uploadType=resumable&part={parts}"
        headers = {"Content-Type": "application/json; charset=UTF-8", "X-Upload-Content-Length": str(size),
                   "X-Upload-Content-Type": content_type}
        delay = 1.0
        for attempt in range(self.retries + 1):
            try:
                resp = self.http.post(url, data=json.dumps(body).encode(), headers=headers, timeout=self.timeout)
            except OSError as err:
                # requests' ConnectionError is an OSError. No session was made (or none we can know of).
                if attempt < self.retries:
                    self.sleep(delay)
                    delay = min(delay * 2, 60.0)
                    continue
                raise YouTubeError(f"cannot reach YouTube to start the upload ({type(err).__name__}); check the network and run it again") from err
            if resp.status_code >= 500 and attempt < self.retries:
                self._count(1, ok=False)
                self.sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            if resp.status_code != 200 or not resp.headers.get("Location"):
                self._count(0 if _reason(resp) == "quotaExceeded" else 1, ok=False)
                raise _refusal(resp, "videos.insert")
            self._count(COSTS["videos.insert"], ok=True)
            uri = resp.headers["Location"]
            secrets.register(uri)  # never in a log: it lets its holder upload to the channel
            return uri
        raise AssertionError("unreachable")

    def send(self, session_uri: str, path: str | Path, *, progress: Callable[[int, int], None] | None = None) -> dict:
        """Send the file to the session in chunks until YouTube has it all; the video resource.
        Resumes where the session says it is after a dropped connection or a 5xx [upload guide, step 4];
        UploadSessionGone when the session is no more (404)."""
        path = Path(path)
        total = path.stat().st_size
        offset = self.status(session_uri, total)  # a session already part-sent (an earlier run) carries on
        failures, delay = 0, 1.0
        with path.open("rb") as f:
            while True:
                if isinstance(offset, dict):
                    return offset
                if progress:
                    progress(offset, total)
                f.seek(offset)
                chunk = f.read(min(self.chunk_bytes, total - offset))
                last = offset + len(chunk) - 1
                headers = {"Content-Length": str(len(chunk)), "Content-Type": "application/octet-stream",
                           "Content-Range": f"bytes {offset}-{last}/{total}" if chunk else f"bytes */{total}"}
                try:
                    self.requests += 1
                    resp = self.http.put(session_uri, data=chunk, headers=headers, timeout=self.timeout)
                except OSError:
                    resp = None  # [upload guide, step 4] the connection dropped: ask what arrived
                if resp is not None and resp.status_code in (200, 201):
                    return resp.json()  # [upload guide, step 3] the whole file is in
                if resp is not None and resp.status_code == 308:
                    offset = _next_byte(resp)  # [upload guide, step 3] carry on from what the server has
                    failures, delay = 0, 1.0
                    continue
                if resp is not None and resp.status_code == 404:
                    raise UploadSessionGone("YouTube's upload session has expired; run `meetstream recover` again to start a new "
                                            "upload (it spends another 1,600 units)")
                if resp is not None and resp.status_code < 500:
                    raise _refusal(resp, "videos.insert")
                failures += 1
                if failures > self.retries:
                    raise YouTubeError(f"the upload stopped at {offset:,} of {total:,} bytes after {self.retries} tries; "
                                       "run `meetstream recover` again to resume it where it stopped")
                self.sleep(delay)  # [upload guide, step 4] 5xx or a drop: back off, then ask
                delay = min(delay * 2, 60.0)
                self.resumes += 1
                offset = self._status_or_none(session_uri, total, offset)

    def status(self, session_uri: str, total: int) -> int | dict:
        """[upload guide, step 4] Ask the session what it has: the next byte to send, or the video
        resource when it already has the whole file."""
        self.requests += 1
        resp = self.http.put(session_uri, data=b"", headers={"Content-Length": "0", "Content-Range": f"bytes */{total}"},
                             timeout=self.timeout)
        if resp.status_code in (200, 201):
            return resp.json()
        if resp.status_code == 308:
            return _next_byte(resp)
        if resp.status_code == 404:
            raise UploadSessionGone("YouTube's upload session has expired; run `meetstream recover` again to start a new upload")
        if resp.status_code >= 500:
            raise OSError(f"status query answered {resp.status_code}")
        raise _refusal(resp, "videos.insert")

    def _status_or_none(self, session_uri: str, total: int, offset: int) -> int | dict:
        try:
            return self.status(session_uri, total)
        except OSError:
            return offset  # the next round tries again (and asks again if that fails too)

    def _count(self, units: int, ok: bool) -> None:
        self.client._count("videos.insert", units, ok)


def _next_byte(resp) -> int:
    """308's Range: bytes=0-LAST -> LAST + 1; no Range: the server has nothing yet (0)
    (google-api-python-client PR 312: the header is absent when no bytes were received)."""
    got = re.fullmatch(r"bytes=0-(\d+)", (resp.headers.get("Range") or "").strip())
    return int(got.group(1)) + 1 if got else 0


def _reason(resp) -> str | None:
    try:
        errors = resp.json().get("error", {}).get("errors") or []
        return errors[0].get("reason") if errors else None
    except (ValueError, AttributeError):
        return None


_UPLOAD_MESSAGES = {
    "quotaExceeded": "YouTube's daily API quota is used up; it resets at midnight Pacific time (see `meetstream youtube quota`)",
    "uploadLimitExceeded": "the channel has uploaded as many videos as YouTube allows today; run `meetstream recover` again tomorrow",
    "forbidden": "YouTube refused the upload for this account",
    "insufficientPermissions": "the YouTube sign-in does not allow uploads; run `meetstream auth youtube` again",
}


def _refusal(resp, method: str) -> YouTubeError:
    reason = _reason(resp)
    if resp.status_code == 401:
        from meetstream.adapters.youtube.auth import REAUTH

        return ApiRefusal(REAUTH, status=401, reason=reason, method=method)
    text = _UPLOAD_MESSAGES.get(reason or "") or f"YouTube refused the upload: {resp.status_code} {reason or ''}".rstrip()
    return ApiRefusal(text, status=resp.status_code, reason=reason, method=method)
