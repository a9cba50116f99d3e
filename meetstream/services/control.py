"""One room's control: the resident owner of its live session that every surface talks to.

`RoomControl` is handed a live session, its watchdog and the end action (built by
meetstream.bootstrap) and adds what a resident process needs:

- actions one at a time, on one worker thread, each decided on the current state (the session
  also holds the room's lock, so a `cue` acting directly while no server runs is serialized too);
- a read of what every surface shows (`state()`), with a version that moves on every change;
- the watchdog once a second on its own thread, and YouTube's health on another, so network
  work never sits in front of an action;
- the program picture for previews, at most about once a second.

No HTTP here (meetstream.entrypoints.http.server) and no outside SDK: OBS and YouTube stay behind the
session's Director port, the watchdog's Outputs port and the callables handed in.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from meetstream.services.words import BANNERS, action_words, cue_line, end_record, end_text
from meetstream.core.domain import SessionState
from meetstream.core import rules
from meetstream.errors import BadInput, MeetstreamError, NotFound, Refusal, StoreUnwritable
from meetstream.core.rules import Refused
from meetstream.core.resolutions import record as resolution_record, resolved_kind, standing
from meetstream.core.votes import vote_record

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    kind: str = "ok"  # ok | refused | bad_input | not_found | failed | unavailable
    end: dict | None = None  # End's summary (meetstream.services.words.end_record), for End alone
    refused: Refused | None = None  # why, when the rules refused: each surface words it its own way

    def words(self, surface: str) -> str:
        """The outcome's message as `surface` ("cli", "console", "web") says it."""
        return self.refused.words(surface) if self.refused is not None else self.message


def outcome_of(err: MeetstreamError) -> Outcome:
    """An action's failure as a typed outcome: never chosen from the message's words."""
    if isinstance(err, Refusal):
        return Outcome(False, str(err), "refused", refused=err.refused)
    if isinstance(err, NotFound):
        return Outcome(False, str(err), "not_found")
    if isinstance(err, BadInput):
        return Outcome(False, str(err), "bad_input")
    if isinstance(err, StoreUnwritable):
        return Outcome(False, str(err), "unavailable")
    return Outcome(False, str(err), "failed")


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
        self.chamber = None  # the automatic director (meetstream.services.chamber), when the room has one

    # --- life ---------------------------------------------------------------------------------

    def start(self) -> "RoomControl":
        for name, target in (("room-watchdog", self._watch), ("room-youtube", self._youtube)):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        if self.chamber is not None:
            self.chamber.stop()
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
            if self.watchdog is not None and hasattr(self.watchdog, "youtube_seen"):
                self.watchdog.youtube_seen(self.youtube_text)  # YouTube's view counts towards the standing order
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
        return self._worker.submit(self._for_meeting, self._act_on, action, dict(body or {})).result()

    def _for_meeting(self, do: Callable[[str, dict], Outcome], action: str, body: dict) -> Outcome:
        """`do(action, body)` for the meeting the body names ({"meeting": id}), else for the one that
        holds the room. The meeting asked for is this action's alone: the room's lock is held, so
        no other thread sees it, and the session follows the room again afterwards."""
        s = self.session
        with s.lock:
            was = s.asked
            try:
                if body.get("meeting"):
                    s.ask(self._meeting(body["meeting"]))
                return do(action, {k: v for k, v in body.items() if k != "meeting"})
            except MeetstreamError as err:
                return outcome_of(err)
            finally:
                if body.get("meeting"):
                    s.ask(was)

    def _meeting(self, ref):
        found = self.session.store.find_meeting(str(ref))
        if found is None:
            raise NotFound(f"no meeting {ref!r} in the store")
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
            verified = s.act(action, body)
            return Outcome(True, cue_line(s, verified) + self._standing_line())
        except MeetstreamError as err:
            return outcome_of(err)
        finally:
            self._bump()

    def check(self, action: str, body: dict | None = None) -> Outcome:
        """Would `action` be refused now? Asked before a surface shows a confirmation."""
        return self._worker.submit(self._for_meeting, self._check_on, action, dict(body or {})).result()

    def _check_on(self, action: str, body: dict) -> Outcome:
        s = self.session
        if action == "end":
            with s.turn():
                refused = rules.decide(s.now(), s.meeting, "end")
        else:
            refused = s.check(action, body)
        if isinstance(refused, Refused):
            return Outcome(False, refused.words("cli"), "refused", refused=refused)
        return Outcome(True, "")

    # --- what every surface shows -------------------------------------------------------------

    def _standing_order(self) -> dict | None:
        """The council's standing order, reached: its words and the time down, as every surface shows it."""
        so = getattr(self.health, "standing_order", None)
        if not so:
            return None
        return {"down_since": f"{self.local_time(so['down_since']):%H:%M:%S}", "minutes": so["minutes"],
                "limit": so["limit"], "words": so["words"], "why": list(so["why"])}

    def _standing_line(self) -> str:
        """What a cue's answer adds while the standing order is reached: the chair must be told."""
        so = self._standing_order()
        return f"\n{so['words']} (down since {so['down_since']}, {so['minutes']:g} min)" if so else ""

    def state(self) -> dict:
        s = self.session
        with s.turn():
            pass  # the state as the last action (from any process) left it
        meeting = s.view  # the agenda as the meeting has decided it (its resolutions on privacy)
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
                # The council's standing order on webcast failure, once reached: null otherwise.
                "standing_order": self._standing_order(),
                # On a public item: seconds without programme audio, microphones muted in OBS.
                "audio": getattr(h, "audio", None),
                # On a public item: moving pictures on program frozen for the set time.
                "picture": getattr(h, "picture", None),
            },
            "votes": [_vote_json(meeting, v) for v in s.store.votes(meeting.id)] if meeting else [],
            "vote_on_screen": s.store.vote_overlay(s.room) is not None,
            "resolutions": [resolution_record(meeting, e) for e in s.store.resolutions(meeting.id)] if meeting else [],
            # Each action a surface offers: null when it would be done now, else its refusal
            # (meetstream.core.rules): what a console dims, and why. No surface copies a rule.
            "allowed": rules.allowed_now(s.now(), meeting),
            # The chamber's microphones (who is on, the request queue) and whether the automatic
            # director is on; null in a room without a microphone system.
            "chamber": self.chamber.snapshot() if self.chamber is not None else None,
            "last_actions": [{"at": f"{self.local_time(e.at):%H:%M:%S}", "text": action_words(e)} for e in reversed(timeline)],
            "version": self.version,
        }

    def preview_jpeg(self, max_age: float = 1.0) -> bytes:
        """The program picture, 640 px wide; taken at most once per `max_age` seconds."""
        with self._preview_lock:
            now = time.monotonic()
            if self._preview is None or now - self._preview[0] >= max_age:
                self._preview = (now, self.session.director.screenshot(640))
            return self._preview[1]


def _item_json(item, current: str | None) -> dict | None:
    if item is None:
        return None
    # "armed": reaching it goes private unless the meeting resolves to stay public; "standing"
    # says so in words (meetstream.core.resolutions.standing), for every surface alike.
    return {"number": item.number, "title": item.public_title(), "exempt": item.exempt, "armed": item.exempt,
            "appendix": item.appendix, "paragraphs": list(item.paragraphs), "reason": item.reason,
            "standing": standing(item), "resolved": resolved_kind(item), "current": item.number == current}


def _vote_json(meeting, vote) -> dict:
    """A vote as the surfaces list it: never the title or the motion of an exempt item."""
    r = vote_record(meeting, vote)
    return {k: r[k] for k in ("item", "title", "exempt", "motion", "for", "against", "abstain", "result", "line")}
