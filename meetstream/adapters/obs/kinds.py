"""Role-kinds in a scene set -> the OBS input kind this OBS has, and its settings.

A scene set says `kind: camera`; Windows' OBS calls that dshow_input, macOS av_capture_input,
Linux v4l2_input. Candidates are listed in preference order; the first one that OBS reports in
GetInputKindList wins.
"""

from __future__ import annotations

CANDIDATES: dict[str, tuple[str, ...]] = {
    "text": ("text_gdiplus_v3", "text_gdiplus_v2", "text_ft2_source_v2"),
    "image": ("image_source",),
    "colour": ("color_source_v3", "color_source_v2", "color_source"),
    "camera": ("dshow_input", "av_capture_input_v2", "av_capture_input", "v4l2_input"),
    "screen": ("monitor_capture", "screen_capture", "xshm_input", "pipewire-desktop-capture-source"),
    "window": ("window_capture", "xcomposite_input", "pipewire-window-capture-source"),
    "audio_input": ("wasapi_input_capture", "coreaudio_input_capture", "pulse_input_capture", "alsa_input_capture"),
    "audio_output": ("wasapi_output_capture", "coreaudio_output_capture", "pulse_output_capture"),
    "ndi": ("ndi_source",),
    "media": ("ffmpeg_source",),
    "browser": ("browser_source",),
}

# Kinds that can carry sound: never allowed on a private, recess or adjourned slate.
AUDIBLE = {"camera", "screen", "window", "audio_input", "audio_output", "ndi", "media", "browser"}
# Kinds that show people or the room.
LIVE_PICTURE = {"camera", "screen", "window", "ndi", "media", "browser"}


def choose(role_kind: str, available: set[str]) -> str | None:
    for kind in CANDIDATES[role_kind]:
        if kind in available:
            return kind
    return None


def obs_color(hex_rgb: str) -> int:
    """'#rrggbb' -> OBS's 0xAABBGGRR integer."""
    h = hex_rgb.lstrip("#")
    r, g, b = int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    return (0xFF << 24) | (b << 16) | (g << 8) | r


def text_settings(obs_kind: str, text: str | None = None, font: dict | None = None, color: str | None = None) -> dict:
    """Settings for a text input; only the keys given, so a text-only update leaves the font alone."""
    s: dict = {}
    if text is not None:
        s["text"] = text
    if font:
        f = {"face": font.get("face", "Sans"), "size": int(font.get("size", 36))}
        if obs_kind == "text_ft2_source_v2":
            f |= {"style": font.get("style", "Regular"), "flags": 0}
        else:
            f |= {"style": font.get("style", "Regular")}
        s["font"] = f
    if color:
        c = obs_color(color)
        if obs_kind == "text_ft2_source_v2":
            s |= {"color1": c, "color2": c}
        else:
            s["color"] = c & 0xFFFFFF
    if obs_kind == "text_ft2_source_v2" and (font or color):
        s |= {"outline": True, "drop_shadow": True}
    elif font or color:
        s |= {"outline": True, "outline_size": 2}
    return s


def input_settings(role_kind: str, obs_kind: str, spec) -> dict:
    """inputSettings for an input spec (meetstream.adapters.obs.sceneset.InputSpec) built as `obs_kind`."""
    s: dict = {}
    if role_kind == "text":
        s = text_settings(obs_kind, spec.text if spec.text is not None else "", spec.font, spec.color)
    elif role_kind == "image":
        s = {"file": str(spec.file)}
    elif role_kind == "colour":
        s = {"color": obs_color(spec.color or "#000000"), "width": spec.width, "height": spec.height}
    elif role_kind == "ndi" and spec.source:
        s = {"ndi_source_name": spec.source}
    elif role_kind == "media" and spec.file:
        s = {"local_file": str(spec.file), "is_local_file": True, "looping": True}
    elif role_kind == "browser" and spec.url:
        s = {"url": spec.url, "width": spec.width, "height": spec.height}
    elif role_kind in ("audio_input", "audio_output"):
        s = {"device_id": spec.device or "default"}
    elif role_kind == "camera" and spec.device:
        key = {"dshow_input": "video_device_id", "v4l2_input": "device_id"}.get(obs_kind, "device")
        s = {key: spec.device}
    return s | dict(spec.settings)


# EBU R 95: in a 16:9 picture, graphics stay 5% in from each edge (the "graphics safe" area).
SAFE_MARGIN = 0.05
# A generous average advance per character, and the line height, in ems, for the sans faces a
# council uses (DejaVu Sans, Segoe UI, Arial) in mixed case, so the estimate errs towards fitting;
# GUESS, checked in the tests against the size OBS itself reports for the rendered text.
EM_PER_CHAR = 0.62
LINE_EM = 1.35
SMALLEST_ONE_LINE = 0.75  # below this a long lower third reads better on two lines


def fit_scale(text: str, font_size: int, x: float, y: float, canvas: tuple[int, int], *, smallest: float = 0.4) -> float:
    """The scale at which `text` (one or more lines) at `font_size`, drawn from (x, y), stays
    inside the graphics-safe area: 1.0 when it fits, never below `smallest`."""
    lines = (text or " ").splitlines() or [" "]
    width = max(len(line) for line in lines) * EM_PER_CHAR * font_size + 8  # + the outline
    height = len(lines) * LINE_EM * font_size
    room_x = canvas[0] * (1 - SAFE_MARGIN) - x
    room_y = canvas[1] * (1 - SAFE_MARGIN) - y
    scale = min(1.0, room_x / width, room_y / height)
    return max(smallest, round(scale, 3))


def two_lines(text: str) -> str:
    """`text` broken once, at the ", " (else the space) nearest its middle: 'Cllr Gareth Evans,' /
    'Leader of the Opposition, Old Whittington'."""
    for sep in (", ", " "):
        cuts = [i for i in range(len(text)) if text.startswith(sep, i)]
        if cuts:
            at = min(cuts, key=lambda i: abs(i + len(sep) / 2 - len(text) / 2))
            return text[:at] + sep.rstrip() + "\n" + text[at + len(sep):]
    return text


def fit_text(text: str, font_size: int, places: list[tuple[float, float]], canvas: tuple[int, int]) -> tuple[str, list[float]]:
    """The text to show (on two lines when one line would be too small to read) and its scale
    at each place (x, y) where the overlay is drawn."""
    one = [fit_scale(text, font_size, x, y, canvas) for x, y in places]
    if not one or min(one) >= SMALLEST_ONE_LINE or "\n" in text:
        return text, one
    wrapped = two_lines(text)
    two = [fit_scale(wrapped, font_size, x, y, canvas) for x, y in places]
    return (wrapped, two) if min(two) > min(one) else (text, one)
