"""Scene sets (scenes/*.yaml) -> frozen, validated specs. Errors name the file, line and field."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from meetstream.errors import ConfigError
from meetstream.adapters.obs.kinds import AUDIBLE, CANDIDATES, LIVE_PICTURE
from meetstream.yamlfile import YamlDoc, load_yaml, unknown_field

ROLES_REQUIRED = ("holding", "chamber", "speaker", "agenda", "private", "recess", "adjourned")
ROLES = ROLES_REQUIRED + ("gallery",)
SLATE_ROLES = ("holding", "private", "recess", "adjourned")
OVERLAYS = ("agenda", "lower_third", "vote")
VOTE_SECONDS = 15  # how long a recorded vote's result stays on screen, unless the scene set says
VOTE_SECONDS_RANGE = (3, 300)

# The private covers (added by build, never written in a scene set file). OBS takes a program
# switch on its UI thread, so a hand click on a public scene during a private session is on air
# for a frame or more before any client can even hear of it (9-27 ms), let alone put it right.
# So every scene that is not a slate carries, on top of everything, a hidden "Private cover":
# a scene of its own holding an opaque backdrop the size of the canvas and, above it, the private
# scene itself (nested, so the cover is always exactly the slate as declared; the backdrop because
# a nested scene is transparent wherever the slate does not reach). The director shows the covers
# while private and hides them before anything public is on program: a public scene clicked by
# hand in a private session is then the slate picture, on program and on the stream.
COVER_SCENE = "Private cover"
COVER_BACKDROP = "Private cover backdrop"
COVER_NAMES = (COVER_SCENE, COVER_BACKDROP)

# Ranges obs-websocket 5 accepts (SetVideoSettings, SetSceneItemTransform,
# SetCurrentSceneTransitionDuration); the rest are sane bounds for a webcast.
CANVAS_RANGE = (8, 4096)
POSITION_RANGE = (-90000.0, 90000.0)
SIZE_RANGE = (1.0, 90000.0)
TRANSITION_MS_RANGE = (50, 20000)
INPUT_PIXELS_RANGE = (1, 8192)  # width/height of a colour or browser input
FONT_SIZE_RANGE = (6, 500)  # points
FONT_FIELDS = {"face", "size", "style"}
MIXER_TRACKS = 6  # OBS's audio mixer tracks (Edit → Advanced Audio Properties → Tracks)


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
    seconds: int | None = None  # a vote overlay: how long a result stays on screen
    tracks: tuple[int, ...] | None = None  # the mixer tracks it feeds on a public picture (None: all six)

    def audio_tracks(self, *, private: bool) -> dict[str, bool]:
        """obs-websocket's inputAudioTracks: none while private (a microphone unmuted by hand then
        reaches no mix, so neither the stream nor the recording), the declared ones otherwise."""
        return {str(t): not private and (self.tracks is None or t in self.tracks) for t in range(1, MIXER_TRACKS + 1)}


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
    # The file as read, so that a check against OBS can still name the line (None if built in code).
    doc: YamlDoc | None = field(default=None, compare=False, repr=False)

    def error(self, loc: tuple, message: str) -> ConfigError:
        """One line naming this file, the line of `loc` (when known) and the field."""
        if self.doc is not None:
            return self.doc.error(loc, message)
        field_ = ".".join(str(p) for p in loc)
        return ConfigError(f"{self.path}: {field_ + ': ' if field_ else ''}{message}")

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

    def covered(self) -> tuple[str, ...]:
        """The scenes that carry a private cover: every scene that is not a slate (the public
        pictures, and any scene without a role, which may hold anything)."""
        return tuple(s.name for s in self.scenes if s.role not in SLATE_ROLES)

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
    inputs = {}
    for n, spec in raw_inputs.items():
        _name(doc, ("inputs", n), n, "an input")
        inputs[n] = _input(doc, ("inputs", n), n, spec, base)

    raw_scenes = data.get("scenes")
    if not isinstance(raw_scenes, dict) or not raw_scenes:
        raise doc.error(("scenes",), "expected a mapping of scene name -> {role, items}")
    scenes = []
    for n, spec in raw_scenes.items():
        _name(doc, ("scenes", n), n, "a scene")
        scenes.append(_scene(doc, ("scenes", n), n, spec, inputs))

    canvas = None
    if "canvas" in data:
        c = data["canvas"]
        if not isinstance(c, dict) or set(c) != {"width", "height"}:
            raise doc.error(("canvas",), "expected {width: N, height: N} in pixels")
        canvas = tuple(_whole(doc, ("canvas", k), c[k], CANVAS_RANGE, "pixels (what OBS accepts for its canvas)") for k in ("width", "height"))
    transition = transition_ms = None
    if "transition" in data:
        t = data["transition"]
        if not isinstance(t, dict) or "name" not in t:
            raise doc.error(("transition",), "expected {name: Cut} or {name: Fade, duration_ms: 300}")
        _only(doc, ("transition",), t, {"name", "duration_ms"})
        transition = _str(doc, ("transition", "name"), t["name"], required=True)
        if t.get("duration_ms") is not None:
            transition_ms = _whole(doc, ("transition", "duration_ms"), t["duration_ms"], TRANSITION_MS_RANGE, "milliseconds (what OBS accepts)")

    ss = SceneSet(name=name, path=doc.path, inputs=inputs, scenes=tuple(scenes), canvas=canvas, transition=transition,
                  transition_ms=transition_ms, doc=doc)
    _check_roles(doc, ss)
    return ss


def _only(doc: YamlDoc, loc: tuple, data: dict, allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise doc.error(loc + (key,), unknown_field(str(key), sorted(allowed)))


def _str(doc: YamlDoc, loc: tuple, value, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        got = "nothing" if value is None else repr(value)
        raise doc.error(loc, f"expected a non-empty text, got {got}" + (" (put it in quotes)" if isinstance(value, (int, float)) else ""))
    return value


def _name(doc: YamlDoc, loc: tuple, name, what: str) -> None:
    """An input or scene name: OBS names are text (`yes:` or `1:` would be read as true or 1)."""
    if not isinstance(name, str) or not name.strip():
        raise doc.error(loc, f"{what} name must be a non-empty text, got {name!r} (put the name in quotes)")


def _number(value) -> bool:
    """A real number: not true/false (YAML's yes/no), not .nan or .inf."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _whole(doc: YamlDoc, loc: tuple, value, bounds: tuple[int, int], unit: str) -> int:
    low, high = bounds
    whole = isinstance(value, int) or (_number(value) and value.is_integer())
    if not (_number(value) and whole and low <= value <= high):
        raise doc.error(loc, f"expected a whole number from {low} to {high} {unit}, got {value!r}")
    return int(value)


INPUT_FIELDS = {"kind", "microphone", "member", "overlay", "file", "text", "font", "color", "width", "height",
                "source", "url", "device", "settings", "fallback", "seconds", "tracks"}


def _input(doc: YamlDoc, loc: tuple, name: str, spec, base: Path, *, nested: bool = False) -> InputSpec:
    if not isinstance(spec, dict):
        raise doc.error(loc, "expected a mapping with at least `kind`")
    _only(doc, loc, spec, INPUT_FIELDS - ({"fallback", "microphone", "member", "overlay", "seconds", "tracks"} if nested else set()))
    kind = spec.get("kind")
    if not isinstance(kind, str) or kind not in CANDIDATES:
        raise doc.error(loc + ("kind",) if "kind" in spec else loc, f"unknown kind {kind!r} (one of: {', '.join(CANDIDATES)})")
    file = None
    if spec.get("file") is not None:
        file = Path(_str(doc, loc + ("file",), spec["file"]))
        file = file if file.is_absolute() else base / file
        if not file.exists():
            raise doc.error(loc + ("file",), f"{file} does not exist")
        if not file.is_file():
            raise doc.error(loc + ("file",), f"{file} is not a file")
    elif kind == "image":
        raise doc.error(loc, "an image input needs `file`")
    color = spec.get("color")
    if "color" in spec and color is None:
        # `color: #1d3557` without quotes: YAML reads everything from `#` as a comment.
        raise doc.error(loc + ("color",), "no colour given: write it in quotes, like \"#1d3557\" (without them YAML reads # as a comment)")
    if color is not None and not (isinstance(color, str) and len(color.lstrip("#")) == 6 and all(ch in "0123456789abcdefABCDEF" for ch in color.lstrip("#"))):
        quotes = " (put it in quotes)" if isinstance(color, int) and not isinstance(color, bool) else ""
        raise doc.error(loc + ("color",), f"expected a colour like \"#1d3557\", got {color!r}{quotes}")
    overlay = spec.get("overlay")
    if overlay is not None and (overlay not in OVERLAYS or kind != "text"):
        raise doc.error(loc + ("overlay",), f"overlay must be one of {', '.join(OVERLAYS)} on a text input")
    seconds = None
    if "seconds" in spec:
        if overlay != "vote":
            raise doc.error(loc + ("seconds",), "`seconds` is how long a vote result stays on screen: only on the `overlay: vote` input")
        seconds = _whole(doc, loc + ("seconds",), spec["seconds"], VOTE_SECONDS_RANGE, "seconds")
    microphone = spec.get("microphone", False)
    if not isinstance(microphone, bool):
        raise doc.error(loc + ("microphone",), f"expected true or false, got {microphone!r}")
    if microphone and kind not in AUDIBLE:
        raise doc.error(loc + ("microphone",), f"a {kind} input carries no sound")
    tracks = None
    if "tracks" in spec:
        if kind not in AUDIBLE:
            article = "an" if kind[0] in "aeiou" else "a"
            raise doc.error(loc + ("tracks",), f"{article} {kind} input carries no sound: it feeds no mixer track")
        raw = spec["tracks"]
        if not isinstance(raw, list) or not raw:
            raise doc.error(loc + ("tracks",), f"expected a list of OBS's mixer tracks, like [1, 2], got {raw!r}")
        tracks = tuple(sorted({_whole(doc, loc + ("tracks",), t, (1, MIXER_TRACKS), "(OBS's mixer tracks)") for t in raw}))
    text = spec.get("text")
    if text is not None and not isinstance(text, str):
        raise doc.error(loc + ("text",), f"expected text, got {text!r} (put it in quotes)")
    font = spec.get("font")
    if font is not None:
        _font(doc, loc + ("font",), font)
    settings = spec.get("settings") or {}
    if not isinstance(settings, dict):
        raise doc.error(loc + ("settings",), "expected a mapping of OBS input settings")
    _json_settings(doc, loc + ("settings",), settings)
    pixels = {key: _whole(doc, loc + (key,), spec[key], INPUT_PIXELS_RANGE, "pixels") for key in ("width", "height") if key in spec}
    fallback = None
    if spec.get("fallback") is not None:
        fallback = _input(doc, loc + ("fallback",), name, spec["fallback"], base, nested=True)
    return InputSpec(
        name=name, kind=kind, microphone=microphone, member=_str(doc, loc + ("member",), spec.get("member")),
        overlay=overlay, file=file, text=spec.get("text"), font=font, color=color,
        width=pixels.get("width", 1280), height=pixels.get("height", 720),
        source=_str(doc, loc + ("source",), spec.get("source")), url=_str(doc, loc + ("url",), spec.get("url")),
        device=_str(doc, loc + ("device",), spec.get("device")), settings=settings, fallback=fallback, seconds=seconds,
        tracks=tracks,
    )


def _font(doc: YamlDoc, loc: tuple, font) -> None:
    if not isinstance(font, dict):
        raise doc.error(loc, "expected {face: DejaVu Sans, size: 36}")
    _only(doc, loc, font, FONT_FIELDS)
    if "face" in font:
        _str(doc, loc + ("face",), font["face"], required=True)
    if "style" in font:
        _str(doc, loc + ("style",), font["style"], required=True)
    if "size" in font:
        _whole(doc, loc + ("size",), font["size"], FONT_SIZE_RANGE, "points")


def _json_settings(doc: YamlDoc, loc: tuple, value) -> None:
    """OBS input settings travel as JSON: text keys; text, numbers, true/false, lists and mappings."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise doc.error(loc + (k,), f"a setting name must be text, got {k!r} (put it in quotes)")
            _json_settings(doc, loc + (k,), v)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _json_settings(doc, loc + (i,), v)
    elif isinstance(value, float) and not math.isfinite(value):
        raise doc.error(loc, f"expected a finite number, got {value!r}")
    elif value is not None and not isinstance(value, (str, int, float, bool)):
        raise doc.error(loc, f"OBS cannot take a {type(value).__name__} here ({value!r}): put it in quotes")


def _pair(doc: YamlDoc, loc: tuple, value, bounds: tuple[float, float], what: str) -> tuple[float, float]:
    low, high = bounds
    if not (isinstance(value, list) and len(value) == 2 and all(_number(v) for v in value)):
        raise doc.error(loc, f"expected {what} in pixels, got {value!r}")
    if not all(low <= v <= high for v in value):
        raise doc.error(loc, f"expected {what} with each from {low:g} to {high:g} pixels, got {value!r}")
    return (float(value[0]), float(value[1]))


def _scene(doc: YamlDoc, loc: tuple, name: str, spec, inputs: dict[str, InputSpec]) -> SceneSpec:
    if not isinstance(spec, dict):
        raise doc.error(loc, "expected {role: ..., items: [...]}")
    _only(doc, loc, spec, {"role", "items"})
    role = spec.get("role")
    if role is not None and (not isinstance(role, str) or role not in ROLES):
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
        if not isinstance(ref, str) or ref not in inputs:
            raise doc.error(iloc, f"no input named {ref!r} in `inputs`")
        if ref in seen:
            raise doc.error(iloc, f"{ref!r} appears twice in scene {name!r}")
        seen.add(ref)
        visible = raw.get("visible", True)
        if not isinstance(visible, bool):
            raise doc.error(iloc + ("visible",), "expected true or false")
        items.append(ItemSpec(
            input=ref,
            position=_pair(doc, iloc + ("position",), raw["position"], POSITION_RANGE, "[x, y]") if "position" in raw else None,
            size=_pair(doc, iloc + ("size",), raw["size"], SIZE_RANGE, "[width, height]") if "size" in raw else None,
            visible=visible,
        ))
    return SceneSpec(name=name, role=role, items=tuple(items))


def _check_roles(doc: YamlDoc, ss: SceneSet) -> None:
    for loc, names in (("scenes", [s.name for s in ss.scenes]), ("inputs", list(ss.inputs))):
        for n in names:
            if n in COVER_NAMES:
                raise doc.error((loc, n), f"{n!r} is a name meetstream keeps for the private covers it adds to the public "
                                          "scenes (see docs/scene-sets.md): choose another")
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
    _check_vote(doc, ss)
    lower = ss.overlay("lower_third")
    if lower is None or ss.scene("speaker").item(lower) is None:
        raise doc.error(("scenes", ss.scene("speaker").name), "the speaker scene needs the lower_third overlay")
    speaker = ss.scene("speaker")
    for member_input in ss.member_feeds().values():
        if speaker.item(member_input) is None:
            raise doc.error(("inputs", member_input, "member"), f"a member feed must be in the speaker scene {speaker.name!r}")


def _check_vote(doc: YamlDoc, ss: SceneSet) -> None:
    """The vote overlay (optional) is for the public pictures only and starts hidden: a slate never
    carries it (above all the private one, whose items are exactly its declared ones), and a
    vote result is never on screen until a vote is recorded."""
    vote = ss.overlay("vote")
    if vote is None:
        return
    for s in ss.scenes:
        item = s.item(vote)
        if item is None:
            continue
        if s.role in SLATE_ROLES or s.role is None:
            raise doc.error(("scenes", s.name, "items"), f"the vote overlay {vote!r} belongs in the public scenes "
                                                          f"(chamber, speaker, gallery), not in {s.name!r}")
        if item.visible:
            raise doc.error(("scenes", s.name, "items"), f"the vote overlay {vote!r} starts hidden: add `visible: false`")
