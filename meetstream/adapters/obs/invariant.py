"""What each director role means in OBS: one definition, checked by every action and the watchdog.

Private (an exempt, "Part 2" item) is the promise meetstream exists to keep, so it is defined
against everything OBS has, not just what the scene set declares:

- program is the private slate;
- the private scene holds exactly its declared items, in order, each shown or hidden as declared
  (a camera dropped into it by hand is a breach, hidden or not);
- every input in OBS that can carry sound is muted: the scene set's microphones, the global
  Desktop Audio and Mic/Aux of every desktop install, and any input added by hand since;
- every scene that is not a slate has its private cover (sceneset.COVER_SCENE) shown, so that a
  public scene switched to by hand is still the slate picture (that it is on top is the scene
  set's check, run at start and after a reconnect; the director reads only the shown state).

The other slates (holding, recess, adjourned) are silent too, and leave the covers as they are. A
public scene promises that the declared microphones are live and that no cover is shown (a set
applied before covers existed has none, which is no problem in public). Pure: what OBS reported
in, a list of problems out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meetstream.adapters.obs.sceneset import SLATE_ROLES, SceneSet


@dataclass(frozen=True)
class SceneItem:
    source: str
    enabled: bool
    id: int = 0


@dataclass(frozen=True)
class Cover:
    """One scene's private cover as OBS reported it."""

    shown: bool
    on_top: bool
    id: int = 0


@dataclass(frozen=True)
class Verified:
    """What OBS reported in the read-back of one batch."""

    program_scene: str
    muted: dict[str, bool]  # every input OBS has that carries sound -> muted
    microphones: tuple[str, ...] = ()  # the scene set's declared microphones, a subset of `muted`
    private_items: tuple[SceneItem, ...] | None = None  # bottom to top; read only when private is checked
    requests: int = 0  # how many requests the batches of this action carried
    put_right: tuple[str, ...] = ()  # what disagreed at first and was put right (a watchdog repair)
    # covered scene -> its private cover (None: the scene has none); None when covers were not read
    covers: dict[str, Cover | None] | None = None

    @property
    def all_muted(self) -> bool:
        return all(self.muted.values())

    @property
    def live(self) -> list[str]:
        return [n for n, m in self.muted.items() if not m]


def problems(ss: SceneSet, role: str, seen: Verified) -> list[str]:
    """Every way OBS differs from `role`; empty when it is exactly that role."""
    out = []
    scene = ss.scene(role).name
    if seen.program_scene != scene:
        out.append(f"program scene is {seen.program_scene!r}, not {scene!r}")
    if role in SLATE_ROLES:
        if seen.live:
            out.append(f"{', '.join(seen.live)} not muted")
    else:
        muted = [m for m in ss.microphones() if seen.muted.get(m, False)]
        if muted:
            out.append(f"{', '.join(muted)} still muted")
    if role == "private":
        out += private_scene_problems(ss, seen.private_items)
        out += cover_problems(ss, seen.covers)
    elif role not in SLATE_ROLES and seen.covers is not None:
        shown = [scene for scene, c in seen.covers.items() if c is not None and c.shown]
        if shown:
            out.append(f"the private cover is shown in {', '.join(repr(s) for s in shown)} (a public picture covered by the slate)")
    return out


def cover_problems(ss: SceneSet, covers: dict[str, Cover | None] | None) -> list[str]:
    if covers is None:
        return ["the private covers were not read back"]
    out = []
    for scene in ss.covered():
        c = covers.get(scene)
        if c is None:
            out.append(f"scene {scene!r} has no private cover")
        elif not c.shown:
            out.append(f"the private cover of {scene!r} is hidden")
        elif not c.on_top:
            out.append(f"the private cover of {scene!r} is not on top")
    return out


def private_scene_problems(ss: SceneSet, items: tuple[SceneItem, ...] | None) -> list[str]:
    if items is None:
        return ["the private scene's items were not read back"]
    want = [(it.input, it.visible) for it in ss.scene("private").items]
    got = [(it.source, it.enabled) for it in items]
    if got == want:
        return []
    declared = {name for name, _ in want}
    extra = [name for name, _ in got if name not in declared]
    missing = [name for name, _ in want if name not in {n for n, _ in got}]
    out = []
    if extra:
        out.append(f"the private scene also holds {', '.join(repr(n) for n in extra)}")
    if missing:
        out.append(f"the private scene lacks {', '.join(repr(n) for n in missing)}")
    if not extra and not missing:
        out.append("the private scene's items are not shown, hidden or ordered as declared")
    return out


@dataclass
class PrivateRepair:
    """The requests that make the private scene exactly as declared, from what OBS reported."""

    scene: str
    requests: list = field(default_factory=list)


def private_scene_repair(ss: SceneSet, items: tuple[SceneItem, ...]) -> PrivateRepair:
    from meetstream.adapters.obs.connection import Request

    scene = ss.scene("private")
    repair = PrivateRepair(scene.name)
    declared = {it.input: it for it in scene.items}
    have: dict[str, SceneItem] = {}
    for it in items:
        if it.source not in declared or it.source in have:
            repair.requests.append(Request("RemoveSceneItem", {"sceneName": scene.name, "sceneItemId": it.id}))
        else:
            have[it.source] = it
    for index, spec in enumerate(scene.items):
        got = have.get(spec.input)
        if got is None:
            repair.requests.append(Request("CreateSceneItem", {"sceneName": scene.name, "sourceName": spec.input, "sceneItemEnabled": spec.visible}))
            continue
        if got.enabled != spec.visible:
            repair.requests.append(Request("SetSceneItemEnabled", {"sceneName": scene.name, "sceneItemId": got.id, "sceneItemEnabled": spec.visible}))
        repair.requests.append(Request("SetSceneItemIndex", {"sceneName": scene.name, "sceneItemId": got.id, "sceneItemIndex": index}))
    return repair
