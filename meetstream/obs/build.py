"""Build a scene set in OBS, idempotently; check what building it would change.

observe() reads OBS in two batched round trips; plan_*() are pure functions of (scene set,
observation); apply() sends the plan. A second apply finds nothing to create. If OBS dies half
way, the next apply observes what exists and completes the rest.

check() is apply's dry run: every request the plan would send, described in words (describe()),
plus what the plan leaves for later (the canvas, while OBS is on air). There is no second
comparison to drift from the plan. What a plan never touches is not a difference: overlay text,
which member feed and lower third are showing, mutes, the program scene, and items someone added
to a scene in OBS (the live private-session check removes any from the private scene).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meetstream.errors import ObsError
from meetstream.obs.connection import RESOURCE_NOT_FOUND, ObsConnection, Request
from meetstream.obs.kinds import CANDIDATES, choose, input_settings
from meetstream.obs.sceneset import InputSpec, SceneSet

BOUNDS = "OBS_BOUNDS_SCALE_INNER"


@dataclass(frozen=True)
class Observed:
    kinds: frozenset[str]
    scenes: tuple[str, ...]
    inputs: dict[str, str]  # name -> obs kind
    settings: dict[str, dict]  # declared input name -> its current settings
    items: dict[str, list[dict]]  # scene name -> GetSceneItemList items
    transition: str | None = None
    canvas: tuple[int, int] | None = None
    outputs_active: bool = False
    transitions: tuple[str, ...] = ()  # names from GetSceneTransitionList; () when unknown


@dataclass(frozen=True)
class Resolved:
    """How one input is built on this OBS."""

    name: str
    role_kind: str
    obs_kind: str
    spec: InputSpec  # the spec itself, or its fallback
    fell_back: bool = False

    def settings(self) -> dict:
        return input_settings(self.role_kind, self.obs_kind, self.spec)


@dataclass(frozen=True)
class Difference:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class ApplyReport:
    requests: list[Request] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # inputs built from their fallback; what waits until OBS is off air

    @property
    def creates(self) -> int:
        return sum(1 for r in self.requests if r.type.startswith("Create"))


def observe(conn: ObsConnection, ss: SceneSet) -> Observed:
    first = conn.batch_ok([
        Request("GetInputKindList", {"unversioned": False}),
        Request("GetSceneList"),
        Request("GetInputList"),
        Request("GetCurrentSceneTransition"),
        Request("GetVideoSettings"),
        Request("GetStreamStatus"),
        Request("GetRecordStatus"),
        Request("GetSceneTransitionList"),
    ])
    kinds = frozenset(first[0].data["inputKinds"])
    scenes = tuple(s["sceneName"] for s in first[1].data["scenes"])
    inputs = {i["inputName"]: i["inputKind"] for i in first[2].data["inputs"]}
    video = first[4].data
    outputs_active = first[5].data.get("outputActive", False) or first[6].data.get("outputActive", False)

    wanted_inputs = [n for n in ss.inputs if n in inputs]
    wanted_scenes = [s.name for s in ss.scenes if s.name in scenes]
    second = conn.batch(
        [Request("GetInputSettings", {"inputName": n}) for n in wanted_inputs]
        + [Request("GetSceneItemList", {"sceneName": s}) for s in wanted_scenes],
        halt_on_failure=False,
    )
    for r in second:
        # A source OBS is still destroying is listed but already gone: count it as missing.
        if not r.ok and r.code != RESOURCE_NOT_FOUND:
            r.raise_for_status()
    gone = {n for n, r in zip(wanted_inputs, second) if not r.ok}
    inputs = {n: k for n, k in inputs.items() if n not in gone}
    settings = {n: r.data.get("inputSettings", {}) for n, r in zip(wanted_inputs, second) if r.ok}
    scene_results = second[len(wanted_inputs):]
    scenes = tuple(s for s in scenes if s not in {n for n, r in zip(wanted_scenes, scene_results) if not r.ok})
    items = {s: r.data.get("sceneItems", []) for s, r in zip(wanted_scenes, scene_results) if r.ok}
    return Observed(
        kinds=kinds, scenes=scenes, inputs=inputs, settings=settings, items=items,
        transition=first[3].data.get("transitionName"),
        canvas=(video.get("baseWidth"), video.get("baseHeight")),
        outputs_active=outputs_active,
        transitions=tuple(t["transitionName"] for t in first[7].data.get("transitions", [])),
    )


def resolve(ss: SceneSet, kinds: frozenset[str]) -> dict[str, Resolved]:
    """The OBS kind of every input, or ObsError naming the first input this OBS cannot build."""
    out = {}
    for name, spec in ss.inputs.items():
        obs_kind = choose(spec.kind, kinds)
        if obs_kind is not None:
            out[name] = Resolved(name, spec.kind, obs_kind, spec)
            continue
        fb = spec.fallback
        fb_kind = choose(fb.kind, kinds) if fb else None
        if fb_kind is None:
            wanted = " or ".join(CANDIDATES[spec.kind])
            raise ObsError(f"{ss.path}: input {name!r} needs OBS input kind {wanted}, which this OBS does not have "
                           f"(install the plugin, or give the input a `fallback:`)")
        out[name] = Resolved(name, fb.kind, fb_kind, fb, fell_back=True)
    return out


def _dynamic_item(ss: SceneSet, input_name: str) -> bool:
    spec = ss.inputs[input_name]
    return bool(spec.member or spec.overlay)


def _settings_differ(want: dict, have: dict, *, ignore: set[str] = frozenset()) -> list[str]:
    keys = []
    for k, v in want.items():
        if k in ignore:
            continue
        h = have.get(k)
        if isinstance(v, dict) and isinstance(h, dict):
            if _settings_differ(v, h):
                keys.append(k)
        elif h != v:
            keys.append(k)
    return keys


def _transform_wanted(item) -> dict:
    t = {}
    if item.position is not None:
        t |= {"positionX": item.position[0], "positionY": item.position[1]}
    if item.size is not None:
        t |= {"boundsType": BOUNDS, "boundsWidth": item.size[0], "boundsHeight": item.size[1]}
    return t


def _transform_differs(want: dict, have: dict) -> bool:
    for k, v in want.items():
        h = have.get(k)
        if isinstance(v, float):
            if h is None or abs(float(h) - v) > 0.5:
                return True
        elif h != v:
            return True
    return False


def refuse_what_obs_cannot_build(ss: SceneSet, ob: Observed) -> None:
    """What only OBS can tell is wrong with the file, found before the first request that changes
    anything: a transition this OBS does not have, a name OBS already uses for another kind of
    source (scenes and inputs share one namespace). Otherwise OBS would refuse half way through."""
    if ss.transition and ss.transition != ob.transition and ob.transitions and ss.transition not in ob.transitions:
        raise ss.error(("transition", "name"), f"OBS has no scene transition {ss.transition!r} (it has: {', '.join(ob.transitions)}): "
                                               "use one of those, or add it in OBS under Scene Transitions")
    for scene in ss.scenes:
        if scene.name not in ob.scenes and scene.name in ob.inputs:
            raise ss.error(("scenes", scene.name), f"OBS already has an input named {scene.name!r}, and a scene cannot share "
                                                   "its name: rename the scene here or the input in OBS")
    for name in ss.inputs:
        if name not in ob.inputs and name in ob.scenes:
            raise ss.error(("inputs", name), f"OBS already has a scene named {name!r}, and an input cannot share "
                                             "its name: rename the input here or the scene in OBS")


def plan_build(ss: SceneSet, ob: Observed, resolved: dict[str, Resolved]) -> list[Request]:
    """Phase 1: scenes, inputs (each created in the first scene that lists it), settings, items."""
    refuse_what_obs_cannot_build(ss, ob)
    reqs: list[Request] = []
    if ss.canvas and ob.canvas != ss.canvas and not ob.outputs_active:
        w, h = ss.canvas
        reqs.append(Request("SetVideoSettings", {"baseWidth": w, "baseHeight": h, "outputWidth": w, "outputHeight": h}))
    for scene in ss.scenes:
        if scene.name not in ob.scenes:
            reqs.append(Request("CreateScene", {"sceneName": scene.name}))
    for name, r in resolved.items():
        if name in ob.inputs:
            if ob.inputs[name] != r.obs_kind:
                raise ObsError(f"OBS already has an input {name!r} of kind {ob.inputs[name]}, but the scene set wants {r.obs_kind}: rename or remove it in OBS, then apply again")
            want = r.settings()
            bad = _settings_differ(want, ob.settings.get(name, {}), ignore={"text"} if ss.inputs[name].overlay or r.spec.overlay else set())
            if bad:  # only what differs: an overlay's live text is left alone
                reqs.append(Request("SetInputSettings", {"inputName": name, "inputSettings": {k: want[k] for k in bad}, "overlay": True}))
    created: set[str] = set(ob.inputs)
    for scene in ss.scenes:
        have = {i["sourceName"] for i in ob.items.get(scene.name, [])}
        for item in scene.items:
            if item.input in have:
                continue
            if item.input not in created:
                r = resolved[item.input]
                reqs.append(Request("CreateInput", {
                    "sceneName": scene.name, "inputName": item.input, "inputKind": r.obs_kind,
                    "inputSettings": r.settings(), "sceneItemEnabled": item.visible,
                }))
                created.add(item.input)
            else:
                reqs.append(Request("CreateSceneItem", {"sceneName": scene.name, "sourceName": item.input, "sceneItemEnabled": item.visible}))
    if ss.transition and ob.transition != ss.transition:
        reqs.append(Request("SetCurrentSceneTransition", {"transitionName": ss.transition}))
        if ss.transition_ms:
            reqs.append(Request("SetCurrentSceneTransitionDuration", {"transitionDuration": ss.transition_ms}))
    return reqs


def plan_layout(ss: SceneSet, ob: Observed) -> list[Request]:
    """Phase 2, once every item exists: positions, sizes, order, and the visibility of fixed items."""
    reqs: list[Request] = []
    for scene in ss.scenes:
        have = {i["sourceName"]: i for i in ob.items.get(scene.name, [])}
        for item in scene.items:
            got = have.get(item.input)
            if got is None:
                continue
            want = _transform_wanted(item)
            if want and _transform_differs(want, got.get("sceneItemTransform", {})):
                reqs.append(Request("SetSceneItemTransform", {"sceneName": scene.name, "sceneItemId": got["sceneItemId"], "sceneItemTransform": want}))
            if not _dynamic_item(ss, item.input) and bool(got.get("sceneItemEnabled")) != item.visible:
                reqs.append(Request("SetSceneItemEnabled", {"sceneName": scene.name, "sceneItemId": got["sceneItemId"], "sceneItemEnabled": item.visible}))
        declared = [i.input for i in scene.items]
        order = [i["sourceName"] for i in sorted(have.values(), key=lambda i: i["sceneItemIndex"]) if i["sourceName"] in declared]
        if all(n in have for n in declared) and order != declared:
            for index, name in enumerate(declared):
                reqs.append(Request("SetSceneItemIndex", {"sceneName": scene.name, "sceneItemId": have[name]["sceneItemId"], "sceneItemIndex": index}))
    return reqs


def deferred(ss: SceneSet, ob: Observed) -> list[Difference]:
    """What the plan leaves for later: OBS refuses a new canvas while it streams or records."""
    if ss.canvas and ob.canvas != ss.canvas and ob.outputs_active:
        return [Difference("canvas", f"is {ob.canvas[0]}x{ob.canvas[1]}, file says {ss.canvas[0]}x{ss.canvas[1]}; "
                                     "not changed while OBS is streaming or recording (apply again when it stops)")]
    return []


def plan(ss: SceneSet, ob: Observed, resolved: dict[str, Resolved] | None = None) -> list[Request]:
    """apply's dry run: every request it would send from this observation. Phase 1, then phase 2
    for the items that exist already (apply places the ones phase 1 creates after observing again)."""
    return plan_build(ss, ob, resolved if resolved is not None else resolve(ss, ob.kinds)) + plan_layout(ss, ob)


def describe(req: Request, ob: Observed) -> Difference:
    """A planned request as the difference it repairs, in words."""
    d = req.data
    scene, name = d.get("sceneName"), d.get("inputName") or d.get("sourceName")
    if name is None and "sceneItemId" in d:
        name = next((i["sourceName"] for i in ob.items.get(scene, []) if i["sceneItemId"] == d["sceneItemId"]), f"#{d['sceneItemId']}")
    where = f"scene {scene!r}"
    match req.type:
        case "SetVideoSettings":
            return Difference("canvas", f"is {ob.canvas[0]}x{ob.canvas[1]}, file says {d['baseWidth']}x{d['baseHeight']}")
        case "CreateScene":
            return Difference(where, "missing")
        case "CreateInput":
            return Difference(f"input {name!r}", "missing")
        case "SetInputSettings":
            return Difference(f"input {name!r}", f"settings differ: {', '.join(d['inputSettings'])}")
        case "CreateSceneItem":
            return Difference(where, f"item {name!r} missing")
        case "SetSceneItemTransform":
            return Difference(where, f"item {name!r} position or size differs")
        case "SetSceneItemEnabled":
            return Difference(where, f"item {name!r} is {'hidden' if d['sceneItemEnabled'] else 'shown'}, "
                                     f"file says {'shown' if d['sceneItemEnabled'] else 'hidden'}")
        case "SetSceneItemIndex":
            return Difference(where, f"items are in a different order: {name!r} goes to position {d['sceneItemIndex'] + 1} from the bottom")
        case "SetCurrentSceneTransition":
            return Difference("transition", f"is {ob.transition!r}, file says {d['transitionName']!r}")
        case "SetCurrentSceneTransitionDuration":
            return Difference("transition", f"duration to be {d['transitionDuration']} ms")
    return Difference(req.type, ", ".join(f"{k}={v!r}" for k, v in d.items()))


def check_plan(ss: SceneSet, ob: Observed) -> list[Difference]:
    """check() on an observation: the dry run in words. What apply would refuse, check refuses too."""
    return [describe(r, ob) for r in plan(ss, ob)] + deferred(ss, ob)


def apply(conn: ObsConnection, ss: SceneSet, *, dry_run: bool = False) -> ApplyReport:
    ob = observe(conn, ss)
    resolved = resolve(ss, ob.kinds)
    report = ApplyReport(notes=[f"{r.name}: built as {r.role_kind} ({r.obs_kind}); OBS lacks {ss.inputs[r.name].kind}"
                                for r in resolved.values() if r.fell_back] + [str(d) for d in deferred(ss, ob)])
    if dry_run:
        report.requests = plan(ss, ob, resolved)
        return report
    build = plan_build(ss, ob, resolved)
    _send(conn, build)
    report.requests.extend(build)
    if build:
        ob = observe(conn, ss)
    layout = plan_layout(ss, ob)
    _send(conn, layout)
    report.requests.extend(layout)
    return report


def check(conn: ObsConnection, ss: SceneSet) -> list[Difference]:
    """What `apply` would change, in words (its dry run); [] when OBS matches the file."""
    return check_plan(ss, observe(conn, ss))


def _send(conn: ObsConnection, reqs: list[Request]) -> None:
    # Batches of modest size: one failure names its request, and OBS's UI thread stays responsive.
    for start in range(0, len(reqs), 40):
        chunk = reqs[start:start + 40]
        for req, res in zip(chunk, conn.batch(chunk, halt_on_failure=True)):
            if not res.ok:
                what = req.data.get("inputName") or req.data.get("sceneName") or req.data.get("sourceName") or ""
                raise ObsError(f"OBS refused {req.type} {what!r} (code {res.code}: {res.comment or 'no reason given'}); "
                               "nothing after it was sent: fix the cause and run `meetstream obs apply` again")
