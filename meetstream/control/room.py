"""One room's control: the resident owner of its live session that every surface talks to.

`RoomControl` is handed a live session, its watchdog and the end action (built by
meetstream.bootstrap) and adds what a resident process needs:

- actions one at a time, on one worker thread, each decided on the current state (the session
  also holds the room's lock, so a `cue` acting directly while no server runs is serialized too);
- a read of what every surface shows (`state()`), with a version that moves on every change;
- the watchdog once a second on its own thread, and YouTube's health on another, so network
  work never sits in front of an action;
- the program picture for previews, at most about once a second.

No HTTP here (meetstream.control.server) and no outside SDK: OBS and YouTube stay behind the
session's Director port, the watchdog's Outputs port and the callables handed in.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from meetstream.control.words import BANNERS, action_words, cue_line, end_record, end_text
from meetstream.domain import SessionState
from meetstream.errors import MeetstreamError, StateError, StoreUnwritable
from meetstream.votes import VoteError, vote_args, vote_record

log = logging.getLogger(__name__)


class Refused(StateError):
    """The action is not allowed in the session's current state (or names nothing known)."""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    kind: str = "ok"  # ok | refused | bad_input | failed
    end: dict | None = None  # End's summary (meetstream.control.words.end_record), for End alone


def _member_or_oneoff(s, body: dict):
    if body.get("oneoff"):
        return s.speaker_oneoff(str(body["oneoff"]))
    if not body.get("name"):
        raise Refused("say who: {\"name\": \"Jane Smith\"} or {\"oneoff\": \"Mr J Brown, Applicant\"}")
    return s.speaker(str(body["name"]), item_number=body.get("item"))


def _item(s, body: dict):
    if not body.get("number"):
        raise Refused("say which item: {\"number\": \"5\"}")
    return s.go_to_item(str(body["number"]))


def _vote(s, body: dict):
    return s.vote(**vote_args(body))


ACTIONS: dict[str, Callable] = {
    "next": lambda s, b: s.next_item(),
    "prev": lambda s, b: s.prev_item(),
    "item": _item,
    "speaker": _member_or_oneoff,
    "chamber": lambda s, b: s.chamber(),
    "gallery": lambda s, b: s.gallery(),
    "agenda": lambda s, b: s.agenda_card(),
    "holding": lambda s, b: s.holding(),
    "private": lambda s, b: s.private(),
    "public": lambda s, b: s.public(),
    "recess": lambda s, b: s.recess(),
    "resume": lambda s, b: s.resume(),
    "adjourned": lambda s, b: s.adjourn(),
    "vote": _vote,
}


class RoomControl:
    def __init__(self, session, watchdog=None, *, on_end: Callable[[], object] | None = None,
                 youtube_health: Callable[[], str] | None = None, youtube_every: float = 300.0,
                 local_time: Callable = lambda dt: dt, tick_every: float = 1.0):
        self.session, self.watchdog, self.on_end = session, watchdog, on_end
        self.youtube_health, self.youtube_every = youtube_health, youtube_every
        self.local_time, self.tick_every = local_time, tick_every
        self._worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="room-actions")
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._changed = threading.Condition()
        self.version = 0
        self.health = None
        self.youtube_text: str | None = None
        self._preview: tuple[float, bytes] | None = None
        self._preview_lock = threading.Lock()
        self._vote_expiring = threading.Event()  # a take-off is queued on the worker

    # --- life ---------------------------------------------------------------------------------

    def start(self) -> "RoomControl":
        for name, target in (("room-watchdog", self._watch), ("room-youtube", self._youtube)):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=20)
        self._worker.shutdown(wait=True)
        if self.watchdog is not None:
            self.watchdog.stop()

    def _watch(self) -> None:
        while not self._stop.wait(self.tick_every):
            self._expire_vote()
            if self.watchdog is None:
                continue
            try:
                self.health = self.watchdog.tick()
            except Exception:  # the watchdog must outlive any one bad tick
                log.exception("watchdog tick failed")
            self._bump()

    def _youtube(self) -> None:
        last = None
        while not self._stop.wait(1.0):
            if self.youtube_health is None or (last is not None and time.monotonic() - last < self.youtube_every):
                continue
            last = time.monotonic()
            try:
                self.youtube_text = self.youtube_health()
            except MeetstreamError as err:
                self.youtube_text = f"unknown ({err})"
            self._bump()

    def _expire_vote(self) -> None:
        """A vote result whose time is up is taken off on the worker: one action at a time, like
        any other, never in the middle of one."""
        try:
            due = self.session.vote_due()
        except Exception:
            log.exception("could not read the vote overlay's time")
            return
        if due and not self._vote_expiring.is_set():
            self._vote_expiring.set()
            self._worker.submit(self._take_vote_off)

    def _take_vote_off(self) -> None:
        try:
            if self.session.expire_vote() is not None:
                log.info("vote result taken off screen")
        except MeetstreamError as err:  # tried again on the next tick
            log.warning("vote result not taken off screen yet: %s", err)
        finally:
            self._vote_expiring.clear()
            self._bump()

    def _bump(self) -> None:
        with self._changed:
            self.version += 1
            self._changed.notify_all()

    def wait_change(self, version: int, timeout: float) -> int:
        """Block until the version moves past `version` (or `timeout`); the current version."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != version, timeout)
            return self.version

    # --- acting -------------------------------------------------------------------------------

    def act(self, action: str, body: dict | None = None) -> Outcome:
        """Run one action on the worker thread (one at a time); its outcome in plain words."""
        return self._worker.submit(self._act, action, dict(body or {})).result()

    def _act(self, action: str, body: dict) -> Outcome:
        s = self.session
        with s.lock:  # the meeting asked for is this action's alone: no other thread sees it
            was = s.asked
            try:
                if body.get("meeting"):
                    s.ask(self._meeting(body["meeting"]))
                return self._act_on(action, {k: v for k, v in body.items() if k != "meeting"})
            except Refused as err:
                return Outcome(False, str(err), "bad_input")
            finally:
                if body.get("meeting"):
                    s.ask(was)

    def _meeting(self, ref):
        found = self.session.store.find_meeting(str(ref))
        if found is None:
            raise Refused(f"no meeting {ref!r} in the store")
        return found

    def _act_on(self, action: str, body: dict) -> Outcome:
        s = self.session
        try:
            if action == "end":
                if self.on_end is None:
                    return Outcome(True, str(cue_line(s, s.adjourn())))
                summary = self.on_end()
                if isinstance(summary, str):  # a rehearsal's own words
                    return Outcome(True, summary)
                return Outcome(True, end_text(summary), end=end_record(summary))
            fn = ACTIONS.get(action)
            if fn is None:
                return Outcome(False, f"no action {action!r} (one of: {', '.join([*ACTIONS, 'end'])})", "bad_input")
            verified = fn(s, body)
            return Outcome(True, cue_line(s, verified))
        except (Refused, VoteError) as err:
            return Outcome(False, str(err), "bad_input")
        except StoreUnwritable as err:
            return Outcome(False, str(err), "unavailable")
        except StateError as err:
            return Outcome(False, str(err), "refused" if _is_refusal(err) else "bad_input")
        except MeetstreamError as err:
            return Outcome(False, str(err), "failed")
        finally:
            self._bump()

    def check(self, action: str, body: dict | None = None) -> Outcome:
        """Would `action` be refused now? Asked before a surface shows a confirmation."""
        return self._worker.submit(self._check, action, dict(body or {})).result()

    def _check(self, action: str, body: dict) -> Outcome:
        s = self.session
        with s.lock:
            was = s.asked
            try:
                if body.get("meeting"):
                    s.ask(self._meeting(body["meeting"]))
                return self._check_on(action, {k: v for k, v in body.items() if k != "meeting"})
            except Refused as err:
                return Outcome(False, str(err), "bad_input")
            finally:
                if body.get("meeting"):
                    s.ask(was)

    def _check_on(self, action: str, body: dict) -> Outcome:
        s = self.session
        if action == "end":
            return Outcome(True, "") if s.meeting is not None else Outcome(False, "no meeting is in session", "refused")
        fn = ACTIONS.get(action)
        if fn is None:
            return Outcome(False, f"no action {action!r}", "bad_input")
        try:
            refusal = s.check(lambda: fn(s, body))
        except (Refused, VoteError) as err:
            return Outcome(False, str(err), "bad_input")
        return Outcome(True, "") if refusal is None else Outcome(False, refusal, "refused")

    # --- what every surface shows -------------------------------------------------------------

    def state(self) -> dict:
        s = self.session
        with s.turn():
            pass  # the state as the last action (from any process) left it
        meeting = s.meeting
        banner, colour = BANNERS[s.state]
        agenda = list(meeting.agenda) if meeting else []
        current = s.item_number
        at = next((i for i, it in enumerate(agenda) if it.number == current), -1)
        nxt = agenda[at + 1] if 0 <= at + 1 < len(agenda) else None
        h = self.health
        timeline = s.store.timeline(s.timeline_id)[-10:]
        return {
            "room": s.room,
            "state": s.state.value,
            "banner": banner,
            "colour": colour,
            "private": s.state is SessionState.PRIVATE,
            "meeting": None if meeting is None else {
                "id": meeting.id, "committee": meeting.committee,
                "start_local": self.local_time(meeting.start).isoformat()},
            "item": _item_json(s.item, current),
            "next_item": _item_json(nxt, current),
            "speaker": s.speaker_name,
            "agenda": [_item_json(it, current) for it in agenda],
            "members": [{"name": m.name, "display": m.display_name(), "lower_third": m.lower_third()}
                        for m in (meeting.members if meeting else ())],
            "health": {
                "obs": "not checked yet" if h is None else ("connected" if not any(p.startswith("OBS:") for p in h.problems) else "unreachable"),
                "streaming": bool(h and h.streaming), "reconnecting": bool(h and h.reconnecting),
                "kbps": round(h.kbps) if h and h.kbps is not None else None,
                "program": h.program_scene if h else None,
                "youtube": self.youtube_text or "not checked yet",
                "problems": list(h.problems) if h else [],
            },
            "votes": [_vote_json(meeting, v) for v in s.store.votes(meeting.id)] if meeting else [],
            "vote_on_screen": s.store.vote_overlay(s.room) is not None,
            "last_actions": [{"at": f"{self.local_time(e.at):%H:%M:%S}", "text": action_words(e)} for e in reversed(timeline)],
            "version": self.version,
        }

    def preview_jpeg(self, max_age: float = 1.0) -> bytes:
        """The program picture, 640 px wide; taken at most once per `max_age` seconds."""
        import base64

        with self._preview_lock:
            now = time.monotonic()
            if self._preview is None or now - self._preview[0] >= max_age:
                d = self.session.director
                data = d.conn.call("GetSourceScreenshot", {"sourceName": d.program_scene(), "imageFormat": "jpg",
                                                           "imageWidth": 640, "imageCompressionQuality": 70})["imageData"]
                self._preview = (now, base64.b64decode(data.split(",", 1)[1]))
            return self._preview[1]


def _item_json(item, current: str | None) -> dict | None:
    if item is None:
        return None
    return {"number": item.number, "title": item.public_title(), "exempt": item.exempt,
            "reason": item.reason, "current": item.number == current}


def _vote_json(meeting, vote) -> dict:
    """A vote as the surfaces list it: never the title or the motion of an exempt item."""
    r = vote_record(meeting, vote)
    return {k: r[k] for k in ("item", "title", "exempt", "motion", "for", "against", "abstain", "result", "line")}


def _is_refusal(err: StateError) -> bool:
    """A refusal because of the session's state (409), as opposed to naming something unknown (400)."""
    text = str(err)
    return not (text.startswith("no member") or text.startswith("no agenda item") or "matches more than one" in text
                or text.startswith("type the speaker") or text.startswith("a lower third"))
