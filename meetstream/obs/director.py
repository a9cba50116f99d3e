"""Director actions: what the officer cues, as verified OBS changes.

Every action is one RequestBatch: the changes, then read-backs of the program scene and of every
microphone's mute, in the same serial batch, so an action costs one round trip and is verified
by what OBS itself reports after the change. A slate (holding, private, recess, adjourned)
mutes every microphone; a public picture (chamber, speaker, gallery, agenda) unmutes them.

After a reconnect (OBS restarted, socket dropped) the scene set is applied again (a no-op when
intact) and the last action is re-asserted: a private session is still private afterwards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from meetstream.domain import AgendaItem, Member
from meetstream.errors import NotVerified, ObsError
from meetstream.obs.connection import ObsConnection, Request, Result
from meetstream.obs.kinds import text_settings
from meetstream.obs.sceneset import SLATE_ROLES, SceneSet

log = logging.getLogger(__name__)

PUBLIC_ROLES = ("chamber", "speaker", "gallery", "agenda")


@dataclass(frozen=True)
class Verified:
    """What OBS reported right after an action."""

    program_scene: str
    muted: dict[str, bool]
    requests: int  # how many requests the action's single batch carried

    @property
    def all_muted(self) -> bool:
        return all(self.muted.values())


@dataclass
class _Cue:
    role: str
    changes: list[Request] = field(default_factory=list)


class Director:
    def __init__(self, conn: ObsConnection, ss: SceneSet):
        self.conn, self.ss = conn, ss
        self._ids: dict[tuple[str, str], int] = {}
        self._text_kind: dict[str, str] = {}
        self.last: _Cue | None = None
        # Set by the live session: after a reconnect it puts OBS back into the recorded state
        # (which this process may never have cued itself, e.g. a console started with --resume).
        self.restore = None
        conn.on_reconnect.append(self._reassert)

    # --- setup --------------------------------------------------------------------------------

    def load(self) -> "Director":
        """Learn scene item ids and text kinds: one batched round trip."""
        scenes = [s.name for s in self.ss.scenes]
        texts = [n for n, i in self.ss.inputs.items() if i.overlay]
        results = self.conn.batch(
            [Request("GetSceneItemList", {"sceneName": s}) for s in scenes]
            + [Request("GetInputSettings", {"inputName": n}) for n in texts],
            halt_on_failure=False,
        )
        missing = [s for s, r in zip(scenes, results) if not r.ok]
        if missing:
            raise ObsError(f"OBS has no scene {missing[0]!r} from {self.ss.path.name}: run `meetstream obs apply` first")
        self._ids = {(s, i["sourceName"]): i["sceneItemId"] for s, r in zip(scenes, results) for i in r.data["sceneItems"]}
        for n, r in zip(texts, results[len(scenes):]):
            if not r.ok:
                raise ObsError(f"OBS has no input {n!r}: run `meetstream obs apply` first")
            self._text_kind[n] = r.data["inputKind"]
        return self

    def ensure_scene_set(self) -> int:
        """Apply the scene set (nothing is sent when OBS already matches); returns requests sent."""
        from meetstream.obs.build import apply

        report = apply(self.conn, self.ss)
        if report.requests:
            self.load()
        return len(report.requests)

    def _item(self, role: str, input_name: str) -> int | None:
        return self._ids.get((self.ss.scene(role).name, input_name))

    def _enable(self, role: str, input_name: str, on: bool) -> list[Request]:
        item = self._item(role, input_name)
        if item is None:
            return []
        return [Request("SetSceneItemEnabled", {"sceneName": self.ss.scene(role).name, "sceneItemId": item, "sceneItemEnabled": on})]

    def _text(self, overlay: str, text: str) -> list[Request]:
        name = self.ss.overlay(overlay)
        if name is None:
            return []
        return [Request("SetInputSettings", {"inputName": name, "inputSettings": text_settings(self._text_kind.get(name, ""), text), "overlay": True})]

    # --- the actions --------------------------------------------------------------------------

    def show(self, role: str, *, item: AgendaItem | None = None) -> Verified:
        """Put a role's scene on program: a slate mutes the microphones, a public scene unmutes them."""
        cue = _Cue(role)
        if item is not None:
            cue.changes += self._text("agenda", item.public_title())
        lower = self.ss.overlay("lower_third")
        if role in ("chamber", "gallery") and lower:
            cue.changes += self._enable(role, lower, False)
        return self._run(cue)

    def agenda(self, item: AgendaItem) -> Verified:
        """Change the agenda overlay; the program scene stays as it is."""
        current = self.program_scene()
        role = next((s.role for s in self.ss.scenes if s.name == current and s.role), None)
        if role is None or role in SLATE_ROLES:
            # On a slate (or an unknown scene) only the text changes: nothing goes to air.
            return self._verify_after(self._text("agenda", item.public_title()))
        cue = _Cue(role, self._text("agenda", item.public_title()))
        return self._run(cue)

    def speaker(self, member: Member, *, item: AgendaItem | None = None) -> Verified:
        """The member's feed (or the chamber, for a member in the room) with their lower third."""
        feed = self.feed_for(member)
        lower = self.ss.overlay("lower_third")
        role = "speaker" if feed else "chamber"
        cue = _Cue(role)
        if item is not None:
            cue.changes += self._text("agenda", item.public_title())
        cue.changes += self._text("lower_third", member.lower_third())
        if lower:
            cue.changes += self._enable(role, lower, True)
        for other in self.ss.member_feeds().values():
            cue.changes += self._enable("speaker", other, other == feed)
        return self._run(cue)

    def private(self) -> Verified:
        """The private slate, every microphone muted, both read back: anything less raises."""
        return self._run(_Cue("private"))

    def public(self) -> Verified:
        return self.show("chamber")

    def feed_for(self, member: Member) -> str | None:
        feeds = self.ss.member_feeds()
        for name in (member.name, member.teams_name, member.display_name()):
            if name and name.casefold() in feeds:
                return feeds[name.casefold()]
        return None

    # --- machinery ----------------------------------------------------------------------------

    def _run(self, cue: _Cue) -> Verified:
        scene = self.ss.scene(cue.role).name
        mute = cue.role in SLATE_ROLES
        changes = list(cue.changes)
        changes += [Request("SetInputMute", {"inputName": m, "inputMuted": mute}) for m in self.ss.microphones()]
        changes.append(Request("SetCurrentProgramScene", {"sceneName": scene}))
        self.last = cue
        return self._check(cue.role, self._verify_after(changes))

    def verify(self, role: str) -> Verified:
        """Read OBS now and raise NotVerified unless it is in `role` (someone may have clicked in OBS)."""
        return self._check(role, self.read_state())

    def _check(self, role: str, verified: Verified) -> Verified:
        scene = self.ss.scene(role).name
        mute = role in SLATE_ROLES
        problems = []
        if verified.program_scene != scene:
            problems.append(f"program scene is {verified.program_scene!r}, not {scene!r}")
        wrong = [m for m, muted in verified.muted.items() if muted != mute]
        if wrong:
            problems.append(f"{', '.join(wrong)} {'not muted' if mute else 'still muted'}")
        if problems:
            raise NotVerified(f"{role.upper()} NOT VERIFIED: " + "; ".join(problems))
        return verified

    def _verify_after(self, changes: list[Request]) -> Verified:
        mics = self.ss.microphones()
        reads = [Request("GetCurrentProgramScene")] + [Request("GetInputMute", {"inputName": m}) for m in mics]
        results = self.conn.batch(changes + reads, halt_on_failure=True)
        for req, res in zip(changes, results):
            if not res.ok:
                raise _refused(req, res)
        tail = results[len(changes):]
        for req, res in zip(reads, tail):
            if not res.ok:
                raise _refused(req, res)
        return Verified(
            program_scene=tail[0].data.get("currentProgramSceneName") or tail[0].data.get("sceneName", ""),
            muted={m: bool(r.data.get("inputMuted")) for m, r in zip(mics, tail[1:])},
            requests=len(changes) + len(reads),
        )

    def program_scene(self) -> str:
        return self.conn.call("GetCurrentProgramScene")["currentProgramSceneName"]

    def read_state(self) -> Verified:
        return self._verify_after([])

    def _reassert(self, conn: ObsConnection) -> None:
        from meetstream.obs.build import apply

        log.warning("re-asserting %s after reconnecting to OBS", self.last.role if self.last else "the scene set")
        apply(conn, self.ss)
        self.load()
        if self.restore is not None:
            self.restore()
        elif self.last is not None:
            self._run(self.last)


def _refused(req: Request, res: Result) -> ObsError:
    what = (req.data or {}).get("inputName") or (req.data or {}).get("sceneName") or ""
    return ObsError(f"OBS refused {req.type} {what!r} (code {res.code}: {res.comment or 'no reason given'}); run `meetstream obs check`")
