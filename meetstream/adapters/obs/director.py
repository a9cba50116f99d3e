"""Director actions: what the officer cues, as verified OBS changes.

Every action is one RequestBatch: the changes, then read-backs of the program scene, of every
input's mute (all of OBS's inputs that carry sound, not only the scene set's) and, for private,
of the private scene's items, so an action costs one round trip and is verified by what OBS
itself reports after the change (meetstream.adapters.obs.invariant says what each role must look like).
A slate (holding, private, recess, adjourned) mutes everything that carries sound; a public
picture (chamber, speaker, gallery, agenda) unmutes the declared microphones. Going private also
takes the scene set's inputs that carry sound off every mixer track (SetInputAudioTracks), so a
microphone unmuted by hand in OBS reaches neither the stream nor the recording, even on a public
scene clicked by hand; every public cue gives them their tracks back (all six, or the file's
`tracks`). The mute is what the read-back verifies; the tracks are the second layer, sent again
with every repair.

The private covers (see sceneset.COVER_SCENE): going private shows them first, in the same batch
as the slate, so that from then on a public scene clicked by hand is the slate picture; a public
cue hides them before its scene goes on program (hidden while the slate is still on program, no one
sees it happen). The other slates leave them as they are.

When the read-back of a slate disagrees, the slate is put right at once and only then does the
action fail, loudly: it never reports a state OBS does not have.

After a reconnect (OBS restarted, socket dropped) the scene set is applied again (a no-op when
intact) and the recorded state is re-asserted: a private session is still private afterwards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from meetstream.core.domain import AgendaItem, Member
from meetstream.errors import MeetstreamError, NotVerified, ObsError
from meetstream.adapters.obs.connection import ObsConnection, Request, Result
from meetstream.adapters.obs.invariant import Cover, SceneItem, Verified, private_scene_repair, problems
from meetstream.adapters.obs.kinds import fit_text, text_settings
from meetstream.adapters.obs.sceneset import COVER_SCENE, SLATE_ROLES, VOTE_SECONDS, SceneSet

log = logging.getLogger(__name__)

PUBLIC_ROLES = ("chamber", "speaker", "gallery", "agenda")
NOT_FOUND = 600  # obs-websocket RequestStatus::ResourceNotFound
NO_AUDIO = 604  # InvalidResourceState: GetInputMute on an input without audio


# OBS saves its scene collection when a scene is added or removed (seen on OBS 29.0.2; not in
# the obs-websocket reference, so a GUESS for other versions), not when the program scene or a
# mute changes. Saving on going private means an OBS that crashes and restarts comes back on
# the private slate with everything muted, instead of on the last scene it happened to save.
SAVE_SCENE = "meetstream: saving private state"
SAVE_COLLECTION = [Request("CreateScene", {"sceneName": SAVE_SCENE}), Request("RemoveScene", {"sceneName": SAVE_SCENE})]


@dataclass(frozen=True)
class VoteRead:
    """The vote overlay as OBS reported it in the read-back of one batch."""

    program_scene: str
    text: str
    shown: dict[str, bool]  # scene -> whether the vote item is shown in it


@dataclass
class _Cue:
    role: str
    changes: list[Request] = field(default_factory=list)


class Director:
    def __init__(self, conn: ObsConnection, ss: SceneSet):
        self.conn, self.ss = conn, ss
        self._ids: dict[tuple[str, str], int] = {}
        self._text_kind: dict[str, str] = {}
        self._scales: dict[tuple[str, str], float] = {}  # (scene, overlay) -> the scale last sent
        self._audio: list[str] = []  # every input OBS has that carries sound, in OBS's order
        self._silent: set[str] = set()  # inputs OBS said carry no sound
        self.last: _Cue | None = None
        # Set by the live session: after a reconnect it puts OBS back into the recorded state
        # (which this process may never have cued itself, e.g. a console started with --resume).
        self.restore = None
        conn.on_reconnect.append(self._reassert)

    # --- setup --------------------------------------------------------------------------------

    def load(self) -> "Director":
        """Learn scene item ids, text kinds and which of OBS's inputs carry sound."""
        scenes = [s.name for s in self.ss.scenes]
        texts = [n for n, i in self.ss.inputs.items() if i.overlay]
        results = self.conn.batch(
            [Request("GetSceneItemList", {"sceneName": s}) for s in scenes]
            + [Request("GetInputSettings", {"inputName": n}) for n in texts]
            + [Request("GetInputList"), Request("GetSpecialInputs")],
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
        inputs, special = results[-2:]
        self._audio, self._silent = [], set()
        self._learn(_input_names(inputs, special))
        return self

    def _learn(self, names: list[str]) -> list[str]:
        """Ask OBS which of `names` (inputs not seen before) carry sound; returns those that do."""
        new = [n for n in names if n not in self._silent and n not in self._audio]
        if not new:
            return []
        results = self.conn.batch([Request("GetInputMute", {"inputName": n}) for n in new], halt_on_failure=False)
        audible = []
        for n, r in zip(new, results):
            if r.ok:
                audible.append(n)
            elif r.code == NO_AUDIO:
                self._silent.add(n)
            # Any other failure (it vanished, OBS busy): ask again next time.
        self._audio += audible
        return audible

    def audio_inputs(self) -> list[str]:
        """Every input known to carry sound: OBS's, and the scene set's microphones."""
        return self._audio + [m for m in self.ss.microphones() if m not in self._audio]

    def ensure_scene_set(self) -> int:
        """Apply the scene set (nothing is sent when OBS already matches); returns requests sent."""
        from meetstream.adapters.obs.build import apply

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
        """Set an overlay's text, fitted: a long title or lower third ("Cllr Gareth Evans, Leader
        of the Opposition, Old Whittington") is shrunk, or put on two lines, so that it ends
        inside the safe area in every scene that shows it. Nothing extra is sent while it fits."""
        name = self.ss.overlay(overlay)
        if name is None:
            return []
        size = int((self.ss.inputs[name].font or {}).get("size", 36))
        places = [(scene.name, item.position or (0, 0)) for scene in self.ss.scenes
                  if (item := scene.item(name)) is not None and (scene.name, name) in self._ids]
        shown, scales = fit_text(text, size, [p for _, p in places], self.ss.canvas or (1280, 720))
        out = [Request("SetInputSettings", {"inputName": name, "inputSettings": text_settings(self._text_kind.get(name, ""), shown), "overlay": True})]
        for (scene, _), scale in zip(places, scales):
            if scale == 1.0 and self._scales.get((scene, name), 1.0) == 1.0:
                continue  # the common case costs nothing; a shrink is always sent (OBS may have restarted)
            self._scales[(scene, name)] = scale
            out.append(Request("SetSceneItemTransform", {"sceneName": scene, "sceneItemId": self._ids[(scene, name)],
                                                         "sceneItemTransform": {"scaleX": scale, "scaleY": scale}}))
        return out

    # --- the actions --------------------------------------------------------------------------

    def show(self, role: str, *, item: AgendaItem | None = None) -> Verified:
        """Put a role's scene on program: a slate mutes everything that carries sound, a public
        scene unmutes the microphones."""
        cue = _Cue(role)
        if item is not None:
            cue.changes += self._text("agenda", item.public_title())
        lower = self.ss.overlay("lower_third")
        if role in ("chamber", "gallery") and lower:
            cue.changes += self._enable(role, lower, False)
        return self._run(cue)

    def agenda(self, item: AgendaItem, *, role: str) -> Verified:
        """Change the agenda overlay on `role`, the scene the session says is showing.

        The session's role, never the scene OBS happens to be on: a hand click in OBS during a
        private session must not make the next item public. A slate is put back as a whole.
        """
        if role in SLATE_ROLES:
            return self._run(_Cue(role, self._text("agenda", item.public_title())))
        return self._check(role, self._verify_after(self._text("agenda", item.public_title()), role))

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

    def private(self, *, item: AgendaItem | None = None) -> Verified:
        """The private slate, everything that carries sound muted, the private scene exactly as
        declared, all read back: anything less is put right, then raises."""
        cue = _Cue("private")
        if item is not None:
            cue.changes += self._text("agenda", item.public_title())
        return self._run(cue)

    def public(self) -> Verified:
        return self.show("chamber")

    # --- the vote overlay ---------------------------------------------------------------------
    # It is in the public scenes only (the scene set is refused otherwise), shown in all of them
    # at once so a cut between chamber, speaker and gallery keeps it, and hidden in all of them by
    # every slate (private above all) as part of the slate's own batch.

    def vote_seconds(self) -> int | None:
        """How long a vote result stays on screen; None when the scene set has no vote overlay."""
        name = self.ss.overlay("vote")
        return None if name is None else (self.ss.inputs[name].seconds or VOTE_SECONDS)

    def show_vote(self, text: str) -> VoteRead:
        """Write the result and show it, read back (the text, and the item shown in every scene)."""
        if self.ss.overlay("vote") is None:
            raise ObsError(f"{self.ss.path.name} has no vote overlay (a text input with `overlay: vote`)")
        if not self._vote_items():
            raise ObsError("OBS has no vote overlay in its scenes: run `meetstream obs apply` first")
        changes = self._text("vote", text) + self._vote_enable(True)
        return self._vote_check(changes, changes[0].data["inputSettings"]["text"], True)

    def hide_vote(self) -> VoteRead | None:
        """Hide the vote overlay everywhere and blank its text, read back; None without one."""
        if self.ss.overlay("vote") is None:
            return None
        return self._vote_check(self._vote_enable(False) + self._vote_blank(), "", False)

    def _vote_items(self) -> list[tuple[str, int]]:
        name = self.ss.overlay("vote")
        return [(s.name, self._ids[(s.name, name)]) for s in self.ss.scenes if name and (s.name, name) in self._ids]

    def _vote_enable(self, on: bool) -> list[Request]:
        return [Request("SetSceneItemEnabled", {"sceneName": scene, "sceneItemId": item, "sceneItemEnabled": on})
                for scene, item in self._vote_items()]

    def _vote_blank(self) -> list[Request]:
        name = self.ss.overlay("vote")
        if name is None:
            return []
        return [Request("SetInputSettings", {"inputName": name, "inputSettings": text_settings(self._text_kind.get(name, ""), ""),
                                             "overlay": True})]

    def _vote_check(self, changes: list[Request], text: str, on: bool) -> VoteRead:
        name, items = self.ss.overlay("vote"), self._vote_items()
        reads = [Request("GetCurrentProgramScene"), Request("GetInputSettings", {"inputName": name})]
        reads += [Request("GetSceneItemEnabled", {"sceneName": scene, "sceneItemId": item}) for scene, item in items]
        results = self.conn.batch(changes + reads, halt_on_failure=False)
        for req, res in zip(changes + reads, results):
            if not res.ok:
                raise _refused(req, res)
        tail = results[len(changes):]
        program = tail[0].data.get("currentProgramSceneName") or tail[0].data.get("sceneName", "")
        seen = VoteRead(program, tail[1].data.get("inputSettings", {}).get("text", ""),
                        {scene: bool(r.data.get("sceneItemEnabled")) for (scene, _), r in zip(items, tail[2:])})
        wrong = [f"its text reads {seen.text!r}"] if seen.text != text else []
        off = [scene for scene, shown in seen.shown.items() if shown != on]
        if off:
            wrong.append(f"it is {'hidden' if on else 'shown'} in {', '.join(off)}")
        if wrong:
            raise NotVerified(f"VOTE {'ON SCREEN' if on else 'OFF SCREEN'} NOT VERIFIED: " + "; ".join(wrong))
        return seen

    def feed_for(self, member: Member) -> str | None:
        feeds = self.ss.member_feeds()
        for name in (member.name, member.teams_name, member.display_name()):
            if name and name.casefold() in feeds:
                return feeds[name.casefold()]
        return None

    # --- machinery ----------------------------------------------------------------------------

    def _covers(self, on: bool) -> list[Request]:
        return [Request("SetSceneItemEnabled", {"sceneName": scene, "sceneItemId": self._ids[(scene, COVER_SCENE)], "sceneItemEnabled": on})
                for scene in self.ss.covered() if (scene, COVER_SCENE) in self._ids]

    def _tracks(self, *, private: bool) -> list[Request]:
        """The scene set's inputs that OBS says carry sound: off every mixer track, or back on theirs.
        Only the set's: an input the council added by hand keeps the tracks it was given."""
        return [Request("SetInputAudioTracks", {"inputName": n, "inputAudioTracks": self.ss.inputs[n].audio_tracks(private=private)})
                for n in self._audio if n in self.ss.inputs]

    def _role_changes(self, role: str, *, cover_reads: bool = False) -> list[Request]:
        scene = self.ss.scene(role).name
        if role not in SLATE_ROLES:
            # The covers come off while the slate is still on program (so no one sees it), and
            # before the public scene goes on (so it is never covered by mistake).
            return (self._covers(False) + self._tracks(private=False)
                    + [Request("SetInputMute", {"inputName": m, "inputMuted": False}) for m in self.ss.microphones()]
                    + [Request("SetCurrentProgramScene", {"sceneName": scene})])
        # The picture leaves the air first, then every sound; both within one batch. Going
        # private, the covers go up last, in the same batch: from then on a public scene clicked
        # by hand is the slate picture. Not first: a scene item is changed (and read) under its
        # scene's lock, which OBS holds while it renders that scene, so on a hand-switched public
        # scene they could hold the program switch back.
        out = [Request("SetCurrentProgramScene", {"sceneName": scene})]
        out += [Request("SetInputMute", {"inputName": n, "inputMuted": True}) for n in self.audio_inputs()]
        if role == "private":
            out += self._tracks(private=True)
        for spec in self.ss.scene(role).items:
            out += self._enable(role, spec.input, spec.visible)
        # No vote result waits in the public scenes to come back on air after the slate.
        out += self._vote_enable(False)
        if role == "private":
            # `cover_reads`: enforce reads the covers as they were here, after the program switch
            # (the public scene no longer rendered), to say what it put right.
            out += (self._cover_reads(role) if cover_reads else []) + self._covers(True)
        return out

    def _run(self, cue: _Cue) -> Verified:
        self.last = cue
        if cue.role in SLATE_ROLES:
            # The slate first, then the texts: OBS runs a batch in order, and a text changed first
            # would name the next item on the picture still on air (a public one) until the slate is up.
            changes = self._role_changes(cue.role) + list(cue.changes)
        else:
            # The texts first, so the public picture comes up already naming its item.
            changes = list(cue.changes) + self._role_changes(cue.role)
        seen = self._verify_after(changes, cue.role)
        wrong = problems(self.ss, cue.role, seen)
        if wrong and cue.role in SLATE_ROLES:
            self._put_right(cue.role, seen)
            raise NotVerified(f"{cue.role.upper()} NOT VERIFIED at first: " + "; ".join(wrong)
                              + f" (put right and read back again: {cue.role} now)")
        verified = self._check(cue.role, seen)
        if cue.role in SLATE_ROLES:
            # The vote's text blanked too, after the verified batch: a text request that failed
            # there would fail the slate, and a slate is never held up by an overlay.
            after = self._vote_blank() + (SAVE_COLLECTION if cue.role == "private" else [])
            if after:
                self.conn.send_nowait(after)
        return verified

    def verify(self, role: str) -> Verified:
        """Read OBS now and raise NotVerified unless it is exactly `role` (someone may have clicked
        in OBS, unmuted a source, added one, or OBS may have restarted)."""
        return self._check(role, self.read_state(role))

    def enforce(self, role: str) -> Verified:
        """Make OBS exactly the slate `role`, in one round trip: one batch reads OBS as it is, sends
        the slate (program, every sound muted, the scene's items shown or hidden as declared) and
        reads it back. The returned read-back's `put_right` lists what was wrong (empty when
        nothing was). Raises NotVerified only when OBS cannot be put right.

        Read first and repair after would leave a hand change on air for a second round trip
        (20-65 ms, more on a busy PC). Sent every time, the slate changes nothing when OBS is
        already right: OBS ignores a switch to the scene on program and a scene item set to
        what it is; a mute it reports to every client (InputMuteStateChanged, muted), which the
        watchdog knows cannot break a slate."""
        audio = self.audio_inputs()
        before = [Request("GetCurrentProgramScene")] + [Request("GetInputMute", {"inputName": n}) for n in audio]
        if role == "private":
            before.append(Request("GetSceneItemList", {"sceneName": self.ss.scene("private").name}))
        changes = self._role_changes(role, cover_reads=True)
        seen, head = self._send(before + changes, role)
        # The covers as they were: read inside the changes, after the program switch.
        cover_reads = self._cover_reads(role) if role == "private" else []
        at = len(before) + changes.index(cover_reads[0]) if cover_reads else 0
        wrong = problems(self.ss, role, self._as_read(audio, head[:len(before)] + head[at:at + len(cover_reads)], role))
        still = problems(self.ss, role, seen)
        if still:
            # What one batch cannot do: an input added since (its mute was not sent), the
            # private scene's items added or removed by hand (their ids are read first).
            return replace(self._put_right(role, seen), put_right=tuple(wrong or still))
        if wrong and role == "private":
            self.conn.send_nowait(SAVE_COLLECTION)
        return replace(seen, put_right=tuple(wrong))

    def _as_read(self, audio: list[str], results: list[Result], role: str) -> Verified:
        """What the reads at the head of an enforce batch saw, before its changes."""
        program = results[0].data.get("currentProgramSceneName", "") if results[0].ok else ""
        muted = {n: bool(r.data.get("inputMuted")) for n, r in zip(audio, results[1:1 + len(audio)]) if r.ok}
        rest = results[1 + len(audio):]
        items = None
        if role == "private":
            items = _items(rest[0]) if rest[0].ok else None
            rest = rest[1:]
        return Verified(program_scene=program, muted=muted, microphones=tuple(self.ss.microphones()), private_items=items,
                        covers=self._covers_read(role, rest))

    def _put_right(self, role: str, seen: Verified) -> Verified:
        """Up to two repair passes for a slate; the verified read-back, or NotVerified."""
        wrong: list[str] = []
        for _ in range(2):
            if role == "private" and seen.covers is not None and any(c is None or not c.on_top for c in seen.covers.values()):
                # A cover missing (a set applied before covers existed, one removed by hand, or one
                # made again by another process, so its id changed): applying the set puts it back,
                # shown while the slate is on program, and load() learns its id. Several round
                # trips, but the slate and the mutes are already up.
                from meetstream.adapters.obs.build import apply

                try:
                    apply(self.conn, self.ss)
                    self.load()
                except ObsError as err:
                    log.warning("private covers not put back: %s", err)
            changes = self._role_changes(role)
            if role == "private" and seen.private_items is not None:
                changes += private_scene_repair(self.ss, seen.private_items).requests
            seen = self._verify_after(changes, role)
            wrong = problems(self.ss, role, seen)
            if not wrong:
                if role == "private":
                    self.load()  # item ids changed if items were removed or re-created
                    self.conn.send_nowait(SAVE_COLLECTION)
                return seen
        raise NotVerified(f"{role.upper()} NOT VERIFIED: " + "; ".join(wrong))

    def _check(self, role: str, verified: Verified) -> Verified:
        wrong = problems(self.ss, role, verified)
        if wrong:
            raise NotVerified(f"{role.upper()} NOT VERIFIED: " + "; ".join(wrong))
        return verified

    def _verify_after(self, changes: list[Request], role: str | None = None) -> Verified:
        """Send `changes` and the read-backs in one batch. Every change is attempted even if one
        fails (a slate must go up even if a stale input name is refused); a refused change that
        the read-back does not excuse raises."""
        return self._send(changes, role)[0]

    def _send(self, changes: list[Request], role: str | None = None) -> tuple[Verified, list[Result]]:
        """`_verify_after`, also returning the results of `changes`."""
        audio = self.audio_inputs()
        private_scene = self.ss.scene("private").name
        reads = [Request("GetCurrentProgramScene"), Request("GetInputList"), Request("GetSpecialInputs")]
        reads += [Request("GetInputMute", {"inputName": n}) for n in audio]
        if role == "private":
            reads.append(Request("GetSceneItemList", {"sceneName": private_scene}))
        covers = self._cover_reads(role)
        reads += covers
        results = self.conn.batch(changes + reads, halt_on_failure=False)
        head, tail = results[:len(changes)], results[len(changes):]
        for req, res in zip(reads[:3], tail[:3]):
            if not res.ok:
                raise _refused(req, res)
        names = _input_names(tail[1], tail[2])
        gone = {n for n in audio if n not in names}
        for req, res in zip(changes, head):
            if not res.ok and not (req.type in ("SetInputMute", "SetInputAudioTracks") and req.data["inputName"] in gone):
                if req.type.startswith("Get") or (role in SLATE_ROLES and req.type != "SetInputSettings"):
                    continue  # the read-back below decides; a slate is never abandoned half-way
                raise _refused(req, res)
        muted = {}
        for n, r in zip(audio, tail[3:3 + len(audio)]):
            if r.ok:
                muted[n] = bool(r.data.get("inputMuted"))
            elif n in names:
                muted[n] = False  # it exists and its mute could not be read: not verified muted
        for n in self._learn([n for n in names if n not in muted]):
            muted[n] = False  # new since we last looked: its mute was not part of this read-back
        self._audio = [n for n in self._audio if n in names]
        rest = tail[3 + len(audio):]
        items = None
        if role == "private":
            items = _items(rest[0]) if rest[0].ok else None
            rest = rest[1:]
        program = tail[0].data.get("currentProgramSceneName") or tail[0].data.get("sceneName", "")
        return Verified(program_scene=program, muted=muted, microphones=tuple(self.ss.microphones()),
                        private_items=items, requests=len(changes) + len(reads), covers=self._covers_read(role, rest)), head

    def _cover_reads(self, role: str | None) -> list[Request]:
        """Each cover's shown state by its id, read with a private or public cue (the other slates
        leave the covers as they are). By id, not the scenes' item lists: four lists cost 8-9 ms
        in a repair batch (OBS builds each under the scene's lock), four of these under 1 ms.
        Whether a cover is still on top is the scene set's check (`obs check`, and the apply at
        start and after a reconnect), not every second's."""
        if not _reads_covers(role):
            return []
        return [Request("GetSceneItemEnabled", {"sceneName": scene, "sceneItemId": self._ids[(scene, COVER_SCENE)]})
                for scene in self.ss.covered() if (scene, COVER_SCENE) in self._ids]

    def _covers_read(self, role: str | None, results: list[Result]) -> dict[str, Cover | None] | None:
        if not _reads_covers(role):
            return None
        out: dict[str, Cover | None] = {}
        found = iter(results)
        for scene in self.ss.covered():
            item = self._ids.get((scene, COVER_SCENE))
            res = next(found, None) if item is not None else None
            # No id known, or OBS has no such item any more (removed, or made again elsewhere): missing.
            out[scene] = Cover(bool(res.data.get("sceneItemEnabled")), True, item) if res is not None and res.ok else None
        return out

    def versions(self) -> dict:
        return dict(self.conn.version)

    def program_scene(self) -> str:
        return self.conn.call("GetCurrentProgramScene")["currentProgramSceneName"]

    def screenshot(self, width: int = 640) -> bytes:
        """The program picture as a JPEG `width` pixels wide (a console's preview)."""
        import base64

        data = self.conn.call("GetSourceScreenshot", {"sourceName": self.program_scene(), "imageFormat": "jpg",
                                                      "imageWidth": width, "imageCompressionQuality": 70})["imageData"]
        return base64.b64decode(data.split(",", 1)[1])

    def read_state(self, role: str | None = None) -> Verified:
        return self._verify_after([], role)

    def _reassert(self, conn: ObsConnection) -> None:
        from meetstream.adapters.obs.build import apply

        log.warning("re-asserting %s after reconnecting to OBS", self.last.role if self.last else "the scene set")
        # The recorded state first, on the scenes OBS came back with (a saved collection has
        # them): applying the set takes several round trips, and all that time the room would
        # show what OBS last saved (a speaker, the microphones live) to anyone watching.
        try:
            self._restore()
            restored = True
        except MeetstreamError as err:
            log.warning("recorded state not put back before the scene set was checked: %s", err)
            restored = False
        try:
            report = apply(conn, self.ss)
        except ObsError as err:
            # The set could not be completed; the recorded state (a private slate above all) is
            # still put back if its scenes are there, and then the failure is reported.
            log.warning("scene set not re-applied after reconnecting: %s", err)
            self.load()
            self._restore()
            raise
        if report.requests or not restored:
            self.load()
            self._restore()

    def _restore(self) -> None:
        if self.restore is not None:
            self.restore()
        elif self.last is not None:
            self._run(self.last)


def _reads_covers(role: str | None) -> bool:
    return role is not None and (role == "private" or role not in SLATE_ROLES)


def _items(scene_items: Result) -> tuple[SceneItem, ...]:
    return tuple(SceneItem(i["sourceName"], bool(i["sceneItemEnabled"]), i["sceneItemId"])
                 for i in sorted(scene_items.data.get("sceneItems", []), key=lambda i: i.get("sceneItemIndex", 0)))


def _input_names(inputs: Result, special: Result) -> list[str]:
    names = [i["inputName"] for i in inputs.data.get("inputs", [])] if inputs.ok else []
    # Desktop Audio, Mic/Aux…: listed by GetSpecialInputs, and not always by GetInputList.
    for n in (special.data.values() if special.ok else ()):
        if isinstance(n, str) and n and n not in names:
            names.append(n)
    return names


def _refused(req: Request, res: Result) -> ObsError:
    what = (req.data or {}).get("inputName") or (req.data or {}).get("sceneName") or ""
    return ObsError(f"OBS refused {req.type} {what!r} (code {res.code}: {res.comment or 'no reason given'}); run `meetstream obs check`")
