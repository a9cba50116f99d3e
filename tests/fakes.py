"""Fakes of the night's ports (meetstream.services.session.Director, meetstream.services.night.Outputs and OnAir),
so the night's logic is tested in milliseconds beside the real-OBS end-to-end tests. Each fake
records what happened, and can be told to fail, as the real peer would."""

from __future__ import annotations

from dataclasses import dataclass, field

from meetstream.errors import NotVerified, ObsError, YouTubeError


class Read:
    def __init__(self, put_right=()):
        self.put_right = put_right


class FakeDirector:
    """A pretend OBS: `role` is what it shows; `broken` makes every action fail."""

    def __init__(self):
        self.shown: list[tuple[str, str | None]] = []
        self.role: str | None = None
        self.broken: str | None = None
        self.restore = None

    def _act(self, role, item=None):
        if self.broken:
            raise ObsError(self.broken)
        self.shown.append((role, item.number if item else None))
        self.role = role
        if role in ("holding", "private", "recess", "adjourned"):
            self.vote_text = None  # every slate takes the vote result off, as the real director's do

    def show(self, role, *, item=None):
        self._act(role, item)

    def agenda(self, item, *, role):
        self._act(role, item)

    def speaker(self, member, *, item=None):
        self._act("speaker", item)

    def private(self, *, item=None):
        self._act("private", item)

    def verify(self, role):
        if self.role != role:
            raise NotVerified(f"{role.upper()} NOT VERIFIED: program is {self.role}")
        return Read()

    def enforce(self, role):
        if self.role == role:
            return Read()
        was, self.role = self.role, role
        return Read(put_right=(f"program was {was}",))

    def program_scene(self):
        return {"private": "Private session", "adjourned": "Adjourned", "holding": "Holding"}.get(self.role, str(self.role))

    def ensure_scene_set(self):
        return 0

    def versions(self):
        return {"obsVersion": "29.0.2", "obsWebSocketVersion": "5.1.0"}

    # The vote overlay: `vote_text` is what it shows (None: hidden); `seconds` None: no overlay.
    seconds: int | None = 15
    vote_text: str | None = None

    def vote_seconds(self):
        return self.seconds

    def show_vote(self, text):
        if self.broken:
            raise ObsError(self.broken)
        self.vote_text = text
        return VoteRead(self.program_scene(), text, {self.program_scene(): True})

    def hide_vote(self):
        if self.broken:
            raise ObsError(self.broken)
        self.vote_text = None
        return VoteRead(self.program_scene(), "", {self.program_scene(): False})


@dataclass(frozen=True)
class VoteRead:
    program_scene: str
    text: str
    shown: dict


@dataclass
class FakeOutputs:
    calls: list[str] = field(default_factory=list)
    streaming_now: bool = False
    recording_now: bool = False
    fail_start: bool = False
    fail_stop: bool = False

    def set_target(self, server, key):
        self.calls.append("set_target")
        return True

    def start_stream(self):
        self.calls.append("start_stream")
        if self.fail_start:
            raise ObsError("OBS refused StartStream")
        self.streaming_now = True

    def stop_stream(self):
        self.calls.append("stop_stream")
        if self.fail_stop:
            raise ObsError("OBS did not answer")
        self.streaming_now = False

    def start_record(self):
        self.calls.append("start_record")
        self.recording_now = True

    def stop_record(self):
        self.calls.append("stop_record")
        self.recording_now = False
        return "/recordings/backup.mkv"

    def streaming(self):
        return self.streaming_now

    def recording(self):
        return self.recording_now


@dataclass
class Prepared:
    broadcast_id: str = "bc-1"
    stream_id: str = "st-1"
    server: str = "rtmp://ingest/live2"
    key: str = "secret-key"
    status: str = "ready"
    bound_now: bool = False


@dataclass
class FakeOnAir:
    """YouTube as the night sees it. `down` makes every call fail as YouTube's 503s do."""

    calls: list[str] = field(default_factory=list)
    down: bool = False
    never_active: bool = False

    def _call(self, name):
        self.calls.append(name)
        if self.down:
            raise YouTubeError("YouTube is unavailable (backendError)")

    def prepare(self, meeting_id, room):
        self._call("prepare")
        return Prepared()

    def go_live(self, broadcast_id, stream_id, *, stream_timeout=120.0):
        self._call("go_live")
        if self.never_active:
            raise YouTubeError("YouTube did not see the stream within 120s")
        return "live"

    def complete(self, broadcast_id):
        self._call("complete")
        return {"snippet": {}}

    def write_chapters(self, video_id, text, snippet=None):
        self._call("write_chapters")
        return {}

    def hand_over(self, room):
        # Not in `calls`: the night's tests count the calls that reach YouTube's broadcast.
        if self.down:
            raise YouTubeError("YouTube is unavailable (backendError)")
        return None

    def health(self, stream_id):
        self._call("health")
        return "active / good"
