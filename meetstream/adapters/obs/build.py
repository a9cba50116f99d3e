"""Build a scene set in OBS, idempotently; check what building it would change.

observe() reads OBS in two batched round trips; plan_*() are pure functions of (scene set,
observation); apply() sends the plan. A second apply finds nothing to create. If OBS dies half
way, the next apply observes what exists and completes the rest.

check() is apply's dry run: every request the plan would send, described in words (describe()),
plus what the plan leaves for later (the canvas, while OBS is on air). There is no second
comparison to drift from the plan. What a plan never touches is not a difference: overlay text,
which member feed and lower third are showing, mutes, the program scene, whether the private
covers are shown (the director's), and items someone added to a scene in OBS (the live
private-session check removes any from the private scene).

The private covers (sceneset.COVER_SCENE) are part of every applied set though no file names them:
the cover scene (an opaque backdrop, the private scene nested above it) and one cover item on top of
every scene that is not a slate. A set applied before covers existed gets them from the next apply
(`start` applies the set), created shown when the private slate is on program, so a private
session is covered from the moment its covers exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meetstream.errors import ObsError
from meetstream.adapters.obs.connection import RESOURCE_NOT_FOUND, ObsConnection, Request
from meetstream.adapters.obs.kinds import CANDIDATES, choose, input_settings, obs_color
from meetstream.adapters.obs.sceneset import COVER_BACKDROP, COVER_SCENE, InputSpec, SceneSet

BOUNDS = "OBS_BOUNDS_SCALE_INNER"
# The list property that names a capture input's device, per OBS input kind (obs-studio's
# v4l2-input, win-dshow and mac-avcapture plugins). An empty list means no device to open.
DEVICE_PROPERTY = {"v4l2_input": "device_id", "dshow_input": "video_device_id",
                   "av_capture_input": "device", "av_capture_input_v2": "device"}


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
    program: str | None = None  # the program scene when observed


@dataclass(frozen=True)
class Resolved:
    """How one input is built on this OBS."""

    name: str
    role_kind: str
    obs_kind: str
    spec: InputSpec  # the spec itself, or its fallback
    fell_back: bool = False
    why: str = ""  # why it fell back

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
        Request("GetCurrentProgramScene"),
    ])
    kinds = frozenset(first[0].data["inputKinds"])
    scenes = tuple(s["sceneName"] for s in first[1].data["scenes"])
    inputs = {i["inputName"]: i["inputKind"] for i in first[2].data["inputs"]}
    video = first[4].data
    outputs_active = first[5].data.get("outputActive", False) or first[6].data.get("outputActive", False)

    wanted_inputs = [n for n in list(ss.inputs) + [COVER_BACKDROP] if n in inputs]
    wanted_scenes = [s for s in [s.name for s in ss.scenes] + [COVER_SCENE] if s in scenes]
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
        program=first[8].data.get("currentProgramSceneName"),
    )


def resolve(ss: SceneSet, kinds: frozenset[str], existing: dict[str, str] | None = None,
            no_device: frozenset[str] = frozenset()) -> dict[str, Resolved]:
    """The OBS kind of every input, or ObsError naming the first input this OBS cannot build.

    An input falls back when OBS lacks its kind, when it is a capture device of which OBS finds
    none (`no_device`), and, once built from its fallback, for as long as it exists that way in
    OBS (`existing`), so that apply and check agree on it."""
    out = {}
    for name, spec in ss.inputs.items():
        obs_kind = choose(spec.kind, kinds)
        fb = spec.fallback
        fb_kind = choose(fb.kind, kinds) if fb else None
        why = ""
        if obs_kind is None:
            why = f"OBS lacks {spec.kind}"
        elif fb_kind and name in no_device:
            why = f"OBS finds no {spec.kind} device to open"
        elif fb_kind and (existing or {}).get(name) == fb_kind != obs_kind:
            why = (f"built from its fallback before (no {spec.kind} device); to use a {spec.kind}, connect it, "
                   f"remove {name!r} in OBS and apply again")
        if not why:
            out[name] = Resolved(name, spec.kind, obs_kind, spec)
            continue
        if fb_kind is None:
            wanted = " or ".join(CANDIDATES[spec.kind])
            raise ObsError(f"{ss.path}: input {name!r} needs OBS input kind {wanted}, which this OBS does not have "
                           f"(install the plugin, or give the input a `fallback:`)")
        out[name] = Resolved(name, fb.kind, fb_kind, fb, fell_back=True, why=why)
    return out


def devices_missing(conn: ObsConnection, ss: SceneSet, resolved: dict[str, Resolved]) -> list[str]:
    """Capture inputs in OBS (with a fallback declared) for which OBS lists no device, or not the
    one the scene set names: a camera input with no camera renders transparent, a blank chamber."""
    names = [n for n, r in resolved.items() if not r.fell_back and r.obs_kind in DEVICE_PROPERTY and r.spec.fallback]
    if not names:
        return []
    results = conn.batch([Request("GetInputPropertiesListPropertyItems",
                                  {"inputName": n, "propertyName": DEVICE_PROPERTY[resolved[n].obs_kind]}) for n in names],
                         halt_on_failure=False)
    missing = []
    for name, res in zip(names, results):
        if not res.ok:
            continue  # not built yet (a dry run): nothing to ask
        items = [i for i in res.data.get("propertyItems", []) if i.get("itemEnabled", True) and i.get("itemValue") not in (None, "")]
        wanted = resolved[name].spec.device
        if not items or (wanted and not any(wanted in (i.get("itemValue"), i.get("itemName")) for i in items)):
            missing.append(name)
    return missing


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
    if COVER_SCENE in ob.inputs or COVER_BACKDROP in ob.scenes:
        raise ObsError(f"OBS already has an input named {COVER_SCENE!r} or a scene named {COVER_BACKDROP!r}; meetstream keeps "
                       "both names for the private covers it adds: rename or remove that source in OBS, then apply again")


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
    reqs += _plan_covers(ss, ob)
    if ss.transition and ob.transition != ss.transition:
        reqs.append(Request("SetCurrentSceneTransition", {"transitionName": ss.transition}))
        if ss.transition_ms:
            reqs.append(Request("SetCurrentSceneTransitionDuration", {"transitionDuration": ss.transition_ms}))
    return reqs


def cover_settings(ss: SceneSet, ob: Observed) -> dict:
    """The backdrop: opaque black (what OBS shows around a slate that does not fill the canvas),
    the size of the canvas, so that nothing of the scene below shows past the slate."""
    width, height = ss.canvas or ob.canvas or (1920, 1080)
    return {"color": obs_color("#000000"), "width": width, "height": height}


def _plan_covers(ss: SceneSet, ob: Observed) -> list[Request]:
    """The cover scene (backdrop, then the private scene above it) and a cover item in every
    covered scene, created after their scenes' own items so that each lands on top. A cover is
    created shown when the private slate is on program (a private session upgraded from a set
    without covers is covered at once), hidden otherwise; after that its visibility is the director's."""
    kind = choose("colour", ob.kinds)
    if kind is None:
        raise ObsError("this OBS has no colour source (color_source_v3), which the private covers need: reinstall OBS")
    private = ss.scene("private").name
    reqs: list[Request] = []
    if COVER_SCENE not in ob.scenes:
        reqs.append(Request("CreateScene", {"sceneName": COVER_SCENE}))
    have = {i["sourceName"] for i in ob.items.get(COVER_SCENE, [])}
    want = cover_settings(ss, ob)
    if COVER_BACKDROP not in ob.inputs:
        reqs.append(Request("CreateInput", {"sceneName": COVER_SCENE, "inputName": COVER_BACKDROP, "inputKind": kind,
                                            "inputSettings": want, "sceneItemEnabled": True}))
    else:
        if ob.inputs[COVER_BACKDROP] != kind:
            raise ObsError(f"OBS already has an input {COVER_BACKDROP!r} of kind {ob.inputs[COVER_BACKDROP]}, a name meetstream "
                           "keeps for the private covers: rename or remove it in OBS, then apply again")
        bad = _settings_differ(want, ob.settings.get(COVER_BACKDROP, {}))
        if bad:
            reqs.append(Request("SetInputSettings", {"inputName": COVER_BACKDROP, "inputSettings": {k: want[k] for k in bad}, "overlay": True}))
        if COVER_BACKDROP not in have:
            reqs.append(Request("CreateSceneItem", {"sceneName": COVER_SCENE, "sourceName": COVER_BACKDROP, "sceneItemEnabled": True}))
    if private not in have:
        reqs.append(Request("CreateSceneItem", {"sceneName": COVER_SCENE, "sourceName": private, "sceneItemEnabled": True}))
    shown = ob.program == private
    for scene in ss.covered():
        if COVER_SCENE not in {i["sourceName"] for i in ob.items.get(scene, [])}:
            reqs.append(Request("CreateSceneItem", {"sceneName": scene, "sourceName": COVER_SCENE, "sceneItemEnabled": shown}))
    return reqs


def _plan_cover_layout(ss: SceneSet, ob: Observed) -> list[Request]:
    """The cover scene as built: the backdrop and the private scene both shown, at the canvas's
    corner, the private scene above the backdrop."""
    items = ob.items.get(COVER_SCENE)
    if not items:
        return []
    private = ss.scene("private").name
    have = {i["sourceName"]: i for i in items}
    reqs = []
    for name in (COVER_BACKDROP, private):
        got = have.get(name)
        if got is None:
            continue
        if not got.get("sceneItemEnabled"):
            reqs.append(Request("SetSceneItemEnabled", {"sceneName": COVER_SCENE, "sceneItemId": got["sceneItemId"], "sceneItemEnabled": True}))
        if _transform_differs(CORNER, got.get("sceneItemTransform", {})):
            reqs.append(Request("SetSceneItemTransform", {"sceneName": COVER_SCENE, "sceneItemId": got["sceneItemId"], "sceneItemTransform": CORNER}))
    if private in have and have[private]["sceneItemIndex"] != max(i["sceneItemIndex"] for i in items):
        reqs.append(Request("SetSceneItemIndex", {"sceneName": COVER_SCENE, "sceneItemId": have[private]["sceneItemId"], "sceneItemIndex": len(items) - 1}))
    return reqs


CORNER = {"positionX": 0.0, "positionY": 0.0}


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
        reordered = all(n in have for n in declared) and order != declared
        if reordered:
            for index, name in enumerate(declared):
                reqs.append(Request("SetSceneItemIndex", {"sceneName": scene.name, "sceneItemId": have[name]["sceneItemId"], "sceneItemIndex": index}))
        cover = have.get(COVER_SCENE)
        if cover is not None and scene.name in ss.covered():
            # On top of everything, and where it covers the whole canvas: an item put above it
            # by hand, or a declared one re-created after it, would show through.
            if _transform_differs(CORNER, cover.get("sceneItemTransform", {})):
                reqs.append(Request("SetSceneItemTransform", {"sceneName": scene.name, "sceneItemId": cover["sceneItemId"], "sceneItemTransform": CORNER}))
            items = ob.items.get(scene.name, [])
            if reordered or cover["sceneItemIndex"] != max(i["sceneItemIndex"] for i in items):
                reqs.append(Request("SetSceneItemIndex", {"sceneName": scene.name, "sceneItemId": cover["sceneItemId"], "sceneItemIndex": len(items) - 1}))
    return reqs + _plan_cover_layout(ss, ob)


def deferred(ss: SceneSet, ob: Observed) -> list[Difference]:
    """What the plan leaves for later: OBS refuses a new canvas while it streams or records."""
    if ss.canvas and ob.canvas != ss.canvas and ob.outputs_active:
        return [Difference("canvas", f"is {ob.canvas[0]}x{ob.canvas[1]}, file says {ss.canvas[0]}x{ss.canvas[1]}; "
                                     "not changed while OBS is streaming or recording (apply again when it stops)")]
    return []


def plan(ss: SceneSet, ob: Observed, resolved: dict[str, Resolved] | None = None) -> list[Request]:
    """apply's dry run: every request it would send from this observation. Phase 1, then phase 2
    for the items that exist already (apply places the ones phase 1 creates after observing again)."""
    return plan_build(ss, ob, resolved if resolved is not None else resolve(ss, ob.kinds, ob.inputs)) + plan_layout(ss, ob)


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
        case "SetSceneItemIndex" if name == COVER_SCENE:
            return Difference(where, f"the private cover {COVER_SCENE!r} is not on top")
        case "SetSceneItemIndex":
            return Difference(where, f"items are in a different order: {name!r} goes to position {d['sceneItemIndex'] + 1} from the bottom")
        case "SetCurrentSceneTransition":
            return Difference("transition", f"is {ob.transition!r}, file says {d['transitionName']!r}")
        case "SetCurrentSceneTransitionDuration":
            return Difference("transition", f"duration to be {d['transitionDuration']} ms")
    return Difference(req.type, ", ".join(f"{k}={v!r}" for k, v in d.items()))


def check_plan(ss: SceneSet, ob: Observed, no_device: list[str] = ()) -> list[Difference]:
    """check() on an observation: the dry run in words. What apply would refuse, check refuses too."""
    rebuilt = [Difference(f"input {n!r}", f"OBS finds no {ss.inputs[n].kind} device: apply rebuilds it from its fallback")
               for n in no_device]
    return rebuilt + [describe(r, ob) for r in plan(ss, ob, resolve(ss, ob.kinds, ob.inputs))] + deferred(ss, ob)


def _notes(ss: SceneSet, resolved: dict[str, Resolved]) -> list[str]:
    return [f"{r.name}: built from its fallback ({r.role_kind}, {r.obs_kind}): {r.why}" for r in resolved.values() if r.fell_back]


def apply(conn: ObsConnection, ss: SceneSet, *, dry_run: bool = False) -> ApplyReport:
    ob = observe(conn, ss)
    resolved = resolve(ss, ob.kinds, ob.inputs)
    report = ApplyReport(notes=_notes(ss, resolved) + [str(d) for d in deferred(ss, ob)])
    if dry_run:
        report.requests = plan(ss, ob, resolved)
        return report
    build = plan_build(ss, ob, resolved)
    _send(conn, build)
    report.requests.extend(build)
    missing = devices_missing(conn, ss, resolved)
    if missing:  # a camera with no camera behind it: the fallback instead, in every scene it was in
        removes = _retire(observe(conn, ss), missing)
        _send(conn, removes)
        _wait_gone(conn, [f"{n} (no device)" for n in missing])
        ob = observe(conn, ss)
        resolved = resolve(ss, ob.kinds, ob.inputs, no_device=frozenset(missing))
        rebuild = plan_build(ss, ob, resolved)
        _send(conn, rebuild)
        report.requests.extend(removes + rebuild)
        report.notes = _notes(ss, resolved) + [str(d) for d in deferred(ss, ob)]
    if build or missing:
        ob = observe(conn, ss)
    layout = plan_layout(ss, ob)
    _send(conn, layout)
    report.requests.extend(layout)
    return report


def _retire(ob: Observed, names: list[str]) -> list[Request]:
    """Take device inputs out, freeing their names at once. OBS 29 never releases a v4l2 input on
    RemoveInput while a scene still holds it (seen on Debian's OBS 29.0.2), so it is renamed and
    its scene items removed; with the last item gone OBS drops the input itself."""
    reqs = [Request("SetInputName", {"inputName": n, "newInputName": f"{n} (no device)"}) for n in names]
    for scene, items in ob.items.items():
        reqs += [Request("RemoveSceneItem", {"sceneName": scene, "sceneItemId": i["sceneItemId"]})
                 for i in items if i["sourceName"] in names]
    return reqs


def _wait_gone(conn: ObsConnection, names: list[str], wait: float = 5.0) -> None:
    # The retired inputs go once OBS's renderer lets go of them (a frame or two); an input held
    # elsewhere (a scene outside the scene set) is removed outright.
    import time

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        left = {i["inputName"] for i in conn.call("GetInputList")["inputs"]} & set(names)
        if not left:
            return
        time.sleep(0.05)
    conn.batch([Request("RemoveInput", {"inputName": n}) for n in left], halt_on_failure=False)


def check(conn: ObsConnection, ss: SceneSet) -> list[Difference]:
    """What `apply` would change, in words (its dry run); [] when OBS matches the file."""
    ob = observe(conn, ss)
    return check_plan(ss, ob, devices_missing(conn, ss, resolve(ss, ob.kinds, ob.inputs)))


def _send(conn: ObsConnection, reqs: list[Request]) -> None:
    # Batches of modest size: one failure names its request, and OBS's UI thread stays responsive.
    for start in range(0, len(reqs), 40):
        chunk = reqs[start:start + 40]
        for req, res in zip(chunk, conn.batch(chunk, halt_on_failure=True)):
            if not res.ok:
                what = req.data.get("inputName") or req.data.get("sceneName") or req.data.get("sourceName") or ""
                raise ObsError(f"OBS refused {req.type} {what!r} (code {res.code}: {res.comment or 'no reason given'}); "
                               "nothing after it was sent: fix the cause and run `meetstream obs apply` again")
