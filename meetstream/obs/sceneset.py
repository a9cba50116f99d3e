"""Scene sets (scenes/*.yaml) -> frozen, validated specs. Errors name the file, line and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from meetstream.errors import ConfigError
from meetstream.obs.kinds import AUDIBLE, CANDIDATES, LIVE_PICTURE
from meetstream.yamlfile import YamlDoc, load_yaml

ROLES_REQUIRED = ("holding", "chamber", "speaker", "agenda", "private", "recess", "adjourned")
ROLES = ROLES_REQUIRED + ("gallery",)
SLATE_ROLES = ("holding", "private", "recess", "adjourned")
OVERLAYS = ("agenda", "lower_third")


@dataclass(frozen=True)
class InputSpec:
    name: str
    kind: str
    microphone: bool = False
    member: str | None = None
    overlay: str | None = None
    file: Path | None = None
    text: str | None = None
    font: dict | None = None
    color: str | None = None
    width: int = 1280
    height: int = 720
    source: str | None = None
    url: str | None = None
    device: str | None = None
    settings: dict = field(default_factory=dict)
    fallback: "InputSpec | None" = None


@dataclass(frozen=True)
class ItemSpec:
    input: str
    position: tuple[float, float] | None = None
    size: tuple[float, float] | None = None
    visible: bool = True


@dataclass(frozen=True)
class SceneSpec:
    name: str
    role: str | None
    items: tuple[ItemSpec, ...]

    def item(self, input_name: str) -> ItemSpec | None:
        return next((i for i in self.items if i.input == input_name), None)


@dataclass(frozen=True)
class SceneSet:
    name: str
    path: Path
    inputs: dict[str, InputSpec]
    scenes: tuple[SceneSpec, ...]
    canvas: tuple[int, int] | None = None
    transition: str | None = None
    transition_ms: int | None = None

    def scene(self, role: str) -> SceneSpec:
        for s in self.scenes:
            if s.role == role:
                return s
        raise ConfigError(f"{self.path}: no scene has role {role!r} (roles: {', '.join(sorted(r for r in self.roles() if r))})")

    def roles(self) -> list[str]:
        return [s.role for s in self.scenes if s.role]

    def microphones(self) -> list[str]:
        return [n for n, i in self.inputs.items() if i.microphone]

    def overlay(self, which: str) -> str | None:
        return next((n for n, i in self.inputs.items() if i.overlay == which), None)

    def member_feeds(self) -> dict[str, str]:
        """member name (casefolded) -> input name."""
        return {i.member.casefold(): n for n, i in self.inputs.items() if i.member}


def load_scene_set(path: Path | str) -> SceneSet:
    doc = load_yaml(path)
    return parse_scene_set(doc)


def parse_scene_set(doc: YamlDoc) -> SceneSet:
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error((), "a scene set is a mapping with `name`, `inputs` and `scenes`")
    _only(doc, (), data, {"name", "canvas", "transition", "inputs", "scenes"})
    name = _str(doc, ("name",), data.get("name"), required=True)
    base = doc.path.resolve().parent

    raw_inputs = data.get("inputs")
    if not isinstance(raw_inputs, dict) or not raw_inputs:
        raise doc.error(("inputs",), "expected a mapping of input name -> settings")
    inputs = {str(n): _input(doc, ("inputs", n), str(n), spec, base) for n, spec in raw_inputs.items()}

    raw_scenes = data.get("scenes")
    if not isinstance(raw_scenes, dict) or not raw_scenes:
        raise doc.error(("scenes",), "expected a mapping of scene name -> {role, items}")
    scenes = tuple(_scene(doc, ("scenes", n), str(n), spec, inputs) for n, spec in raw_scenes.items())

    canvas = None
    if "canvas" in data:
        c = data["canvas"]
        if not isinstance(c, dict) or not all(isinstance(c.get(k), int) and c[k] > 0 for k in ("width", "height")):
            raise doc.error(("canvas",), "expected {width: N, height: N} in pixels")
        canvas = (c["width"], c["height"])
    transition = transition_ms = None
    if "transition" in data:
        t = data["transition"]
        if not isinstance(t, dict) or not isinstance(t.get("name"), str):
            raise doc.error(("transition",), "expected {name: Cut} or {name: Fade, duration_ms: 300}")
        transition, transition_ms = t["name"], t.get("duration_ms")

    ss = SceneSet(name=name, path=doc.path, inputs=inputs, scenes=scenes, canvas=canvas, transition=transition, transition_ms=transition_ms)
    _check_roles(doc, ss)
    return ss


def _only(doc: YamlDoc, loc: tuple, data: dict, allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise doc.error(loc + (key,), f"unknown field (expected one of: {', '.join(sorted(allowed))})")


def _str(doc: YamlDoc, loc: tuple, value, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise doc.error(loc, "expected a non-empty text")
    return value


INPUT_FIELDS = {"kind", "microphone", "member", "overlay", "file", "text", "font", "color", "width", "height",
                "source", "url", "device", "settings", "fallback"}


def _input(doc: YamlDoc, loc: tuple, name: str, spec, base: Path, *, nested: bool = False) -> InputSpec:
    if not isinstance(spec, dict):
        raise doc.error(loc, "expected a mapping with at least `kind`")
    _only(doc, loc, spec, INPUT_FIELDS - ({"fallback", "microphone", "member", "overlay"} if nested else set()))
    kind = spec.get("kind")
    if kind not in CANDIDATES:
        raise doc.error(loc + ("kind",), f"unknown kind {kind!r} (one of: {', '.join(CANDIDATES)})")
    file = None
    if spec.get("file") is not None:
        file = Path(_str(doc, loc + ("file",), spec["file"]))
        file = file if file.is_absolute() else base / file
        if not file.exists():
            raise doc.error(loc + ("file",), f"{file} does not exist")
    elif kind == "image":
        raise doc.error(loc, "an image input needs `file`")
    color = spec.get("color")
    if color is not None and not (isinstance(color, str) and len(color.lstrip("#")) == 6 and all(ch in "0123456789abcdefABCDEF" for ch in color.lstrip("#"))):
        raise doc.error(loc + ("color",), f"expected a colour like \"#1d3557\", got {color!r}")
    overlay = spec.get("overlay")
    if overlay is not None and (overlay not in OVERLAYS or kind != "text"):
        raise doc.error(loc + ("overlay",), f"overlay must be one of {', '.join(OVERLAYS)} on a text input")
    microphone = bool(spec.get("microphone", False))
    if microphone and kind not in AUDIBLE:
        raise doc.error(loc + ("microphone",), f"a {kind} input carries no sound")
    font = spec.get("font")
    if font is not None and not (isinstance(font, dict) and set(font) <= {"face", "size", "style"}):
        raise doc.error(loc + ("font",), "expected {face: DejaVu Sans, size: 36}")
    settings = spec.get("settings") or {}
    if not isinstance(settings, dict):
        raise doc.error(loc + ("settings",), "expected a mapping of OBS input settings")
    for key in ("width", "height"):
        if key in spec and not (isinstance(spec[key], int) and spec[key] > 0):
            raise doc.error(loc + (key,), "expected a whole number of pixels")
    fallback = None
    if spec.get("fallback") is not None:
        fallback = _input(doc, loc + ("fallback",), name, spec["fallback"], base, nested=True)
    return InputSpec(
        name=name, kind=kind, microphone=microphone, member=_str(doc, loc + ("member",), spec.get("member")),
        overlay=overlay, file=file, text=spec.get("text"), font=font, color=color,
        width=spec.get("width", 1280), height=spec.get("height", 720),
        source=_str(doc, loc + ("source",), spec.get("source")), url=_str(doc, loc + ("url",), spec.get("url")),
        device=_str(doc, loc + ("device",), spec.get("device")), settings=settings, fallback=fallback,
    )


def _pair(doc: YamlDoc, loc: tuple, value) -> tuple[float, float]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value)):
        raise doc.error(loc, "expected [x, y] in pixels")
    return (float(value[0]), float(value[1]))


def _scene(doc: YamlDoc, loc: tuple, name: str, spec, inputs: dict[str, InputSpec]) -> SceneSpec:
    if not isinstance(spec, dict):
        raise doc.error(loc, "expected {role: ..., items: [...]}")
    _only(doc, loc, spec, {"role", "items"})
    role = spec.get("role")
    if role is not None and role not in ROLES:
        raise doc.error(loc + ("role",), f"unknown role {role!r} (one of: {', '.join(ROLES)})")
    raw_items = spec.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise doc.error(loc + ("items",), "expected a list of inputs, bottom to top")
    items, seen = [], set()
    for i, raw in enumerate(raw_items):
        iloc = loc + ("items", i)
        if isinstance(raw, str):
            raw = {"input": raw}
        if not isinstance(raw, dict):
            raise doc.error(iloc, "expected an input name or {input, position, size, visible}")
        _only(doc, iloc, raw, {"input", "position", "size", "visible"})
        ref = raw.get("input")
        if ref not in inputs:
            raise doc.error(iloc, f"no input named {ref!r} in `inputs`")
        if ref in seen:
            raise doc.error(iloc, f"{ref!r} appears twice in scene {name!r}")
        seen.add(ref)
        visible = raw.get("visible", True)
        if not isinstance(visible, bool):
            raise doc.error(iloc + ("visible",), "expected true or false")
        items.append(ItemSpec(
            input=ref,
            position=_pair(doc, iloc + ("position",), raw["position"]) if "position" in raw else None,
            size=_pair(doc, iloc + ("size",), raw["size"]) if "size" in raw else None,
            visible=visible,
        ))
    return SceneSpec(name=name, role=role, items=tuple(items))


def _check_roles(doc: YamlDoc, ss: SceneSet) -> None:
    for s in ss.scenes:
        if s.name in ss.inputs:  # OBS keeps scenes and inputs in one namespace of sources
            raise doc.error(("scenes", s.name), f"scene {s.name!r} has the same name as an input; OBS needs them different")
    seen: dict[str, str] = {}
    for s in ss.scenes:
        if s.role in seen:
            raise doc.error(("scenes", s.name, "role"), f"role {s.role!r} is already taken by scene {seen[s.role]!r}")
        if s.role:
            seen[s.role] = s.name
    missing = [r for r in ROLES_REQUIRED if r not in seen]
    if missing:
        raise doc.error(("scenes",), f"no scene for role(s): {', '.join(missing)}")
    for role in SLATE_ROLES:
        scene = ss.scene(role)
        for it in scene.items:
            spec = ss.inputs[it.input]
            if spec.kind in AUDIBLE or spec.kind in LIVE_PICTURE:
                raise doc.error(("scenes", scene.name, "items"), f"the {role} slate must not carry sound or live pictures, but has {it.input!r} ({spec.kind})")
    used = {it.input for s in ss.scenes for it in s.items}
    for name in ss.inputs:
        if name not in used:
            raise doc.error(("inputs", name), "not used in any scene (OBS inputs live in scenes)")
    lower = ss.overlay("lower_third")
    if lower is None or ss.scene("speaker").item(lower) is None:
        raise doc.error(("scenes", ss.scene("speaker").name), "the speaker scene needs the lower_third overlay")
    speaker = ss.scene("speaker")
    for member_input in ss.member_feeds().values():
        if speaker.item(member_input) is None:
            raise doc.error(("inputs", member_input, "member"), f"a member feed must be in the speaker scene {speaker.name!r}")
