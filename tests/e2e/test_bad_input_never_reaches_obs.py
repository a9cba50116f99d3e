"""A bad scene set or meetstream.yaml is one `Error: <file>:<line>: <field>: …` line, exit 2,
and OBS is left exactly as it was: observed from this test's own connection before and after."""

from __future__ import annotations

import time

import pytest

from helpers import OBS_PASSWORD, REPO

pytestmark = pytest.mark.obs

GOOD = (REPO / "scenes" / "council-chamber.yaml").read_text()

BOMB = "".join(
    f"        {b}: &{b} [" + ", ".join([f"*{a}"] * 9 if a else ['"lol"'] * 9) + "]\n"
    for a, b in zip([None, *"abcdefgh"], "abcdefghi")
)


def config_for(tmp_path, port, scene_set=None, extra=""):
    path = tmp_path / "meetstream.yaml"
    path.write_text(
        "rooms:\n  chamber:\n    name: Council Chamber\n"
        f"    obs: {{host: 127.0.0.1, port: {port}, timeout: 10}}\n"
        f"    scene_set: {scene_set or REPO / 'scenes' / 'council-chamber.yaml'}\n" + extra
    )
    return path


def one_line_error(result, starts):
    assert result.code == 2, result
    assert result.out == "", result
    assert result.err.count("\n") == 1 and result.err.startswith("Error: "), result.err
    assert result.err.startswith(f"Error: {starts}"), result.err
    assert "Traceback" not in result.err


def snapshot(obs) -> dict:
    """Everything a scene-set apply could change."""
    scenes = obs.call("GetSceneList")
    transition = obs.call("GetCurrentSceneTransition")
    return {
        "scenes": scenes,
        "inputs": obs.call("GetInputList"),
        # obs-websocket 5 has no GetCurrentSceneTransitionDuration: the duration is in here.
        "transition": transition,
        "duration": transition.get("transitionDuration"),
        "video": obs.call("GetVideoSettings"),
        "items": {s["sceneName"]: obs.call("GetSceneItemList", {"sceneName": s["sceneName"]}) for s in scenes["scenes"]},
    }


@pytest.fixture
def room(tmp_path, obs, obs_server, monkeypatch):
    """A room on the test OBS, with a known transition (Fade, 700 ms) so any change would show."""
    monkeypatch.setenv("MEETSTREAM_OBS_PASSWORD", OBS_PASSWORD)
    (tmp_path / "slates").symlink_to(REPO / "scenes" / "slates")
    set_transition(obs, "Fade", 700)
    return config_for(tmp_path, obs_server.port)


def set_transition(obs, name: str, duration_ms: int | None = None) -> None:
    """OBS applies these on its UI thread after answering: wait until it reports them."""
    obs.call("SetCurrentSceneTransition", {"transitionName": name})
    if duration_ms is not None:
        obs.call("SetCurrentSceneTransitionDuration", {"transitionDuration": duration_ms})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        now = obs.call("GetCurrentSceneTransition")
        if now["transitionName"] == name and duration_ms in (None, now["transitionDuration"]):
            return
        time.sleep(0.05)
    raise AssertionError(f"OBS did not take transition {name} {duration_ms} ms: {now}")


def line_of(text: str, marker: str) -> int:
    return text.splitlines().index(marker) + 1


def _settings(inner: str) -> str:
    """GOOD with `settings:` on the chamber camera holding `inner` (already indented 8 spaces)."""
    return GOOD.replace("  Chamber camera:\n    kind: camera\n", "  Chamber camera:\n    kind: camera\n    settings:\n" + inner)


def _case(text, where, field, message, *, encoding="utf-8"):
    return (text, where, field, message, encoding)


BAD = {
    "not UTF-8": _case(
        GOOD.replace("    overlay: agenda\n", "    overlay: agenda\n    text: \"Caf\xe9 society\"\n"),
        '    text: "Caf\xe9 society"', "inputs.Agenda overlay.text", "not UTF-8 text: byte 0xE9", encoding="latin-1"),
    "alias bomb": _case(_settings(BOMB), BOMB.splitlines()[4], "inputs.Chamber camera.settings.e.0",
                        "aliases expand to more than 10000 values"),
    "10,000 nested [": _case(_settings("        deep: " + "[" * 10000 + "]" * 10000 + "\n"),
                             "        deep: " + "[" * 10000 + "]" * 10000, "inputs.Chamber camera.settings.deep",
                             "nested more than 50 levels deep"),
    "deeply indented mappings": _case(
        _settings("".join(" " * (8 + i) + f"k{i}:\n" for i in range(200)) + " " * 208 + "end\n"),
        # the 51st level: the file's own mapping, inputs, the camera, settings, then k0 … k46
        " " * 55 + "k47:", "inputs.Chamber camera.settings.k0.…", "nested more than 50 levels deep"),
    "duplicate key": _case(
        GOOD.replace("  Recess slate: {kind: image, file: slates/recess.png}\n",
                     "  Recess slate: {kind: image, file: slates/recess.png}\n  Recess slate: {kind: image, file: slates/holding.png}\n"),
        "  Recess slate: {kind: image, file: slates/holding.png}", "inputs.Recess slate",
        "duplicate key 'Recess slate' (also on line {first})"),
    "font size not a number": _case(GOOD.replace("font: {face: DejaVu Sans, size: 30}", "font: {face: DejaVu Sans, size: big}"),
                                    "    font: {face: DejaVu Sans, size: big}", "inputs.Agenda overlay.font.size",
                                    "expected a whole number from 6 to 500 points, got 'big'"),
    "font size out of range": _case(GOOD.replace("font: {face: DejaVu Sans, size: 40}", "font: {face: DejaVu Sans, size: 4000}"),
                                    "    font: {face: DejaVu Sans, size: 4000}", "inputs.Lower third.font.size",
                                    "expected a whole number from 6 to 500 points, got 4000"),
    "negative transition duration": _case(GOOD.replace("transition: {name: Cut}", "transition: {name: Fade, duration_ms: -5}"),
                                          "transition: {name: Fade, duration_ms: -5}", "transition.duration_ms",
                                          "expected a whole number from 50 to 20000 milliseconds (what OBS accepts), got -5"),
    "transition duration as text": _case(GOOD.replace("transition: {name: Cut}", 'transition: {name: Fade, duration_ms: "fast"}'),
                                         'transition: {name: Fade, duration_ms: "fast"}', "transition.duration_ms",
                                         "expected a whole number from 50 to 20000 milliseconds (what OBS accepts), got 'fast'"),
    "canvas of 0": _case(GOOD.replace("canvas: {width: 1280, height: 720}", "canvas: {width: 0, height: 720}"),
                         "canvas: {width: 0, height: 720}", "canvas.width", "expected a whole number from 8 to 4096 pixels"),
    "colour as a number": _case(GOOD.replace('fallback: {kind: colour, color: "#2b2d42"}', "fallback: {kind: colour, color: 0x2b2d42}"),
                                "    fallback: {kind: colour, color: 0x2b2d42}", "inputs.Chamber camera.fallback.color",
                                "expected a colour like \"#1d3557\", got 2829634 (put it in quotes)"),
    "colour without quotes": _case(GOOD.replace('    color: "#ffffff"\n', "    color: #ffffff\n", 1),
                                   "    color: #ffffff", "inputs.Agenda overlay.color", "no colour given: write it in quotes"),
    "a number in items": _case(GOOD.replace("items: [Holding slate]", "items: [Holding slate, 42]"),
                               "    items: [Holding slate, 42]", "scenes.Holding.items.1",
                               "expected an input name or {input, position, size, visible}"),
    "position not a number": _case(GOOD.replace("{input: Agenda overlay, position: [40, 24]}\n      - {input: Vote result, position: [64, 500], visible: false}\n  Agenda:",
                                                "{input: Agenda overlay, position: [.nan, 24]}\n      - {input: Vote result, position: [64, 500], visible: false}\n  Agenda:"),
                                   "      - {input: Agenda overlay, position: [.nan, 24]}", "scenes.Gallery.items.3.position",
                                   "expected [x, y] in pixels, got [nan, 24]"),
    "size of 0": _case(GOOD.replace("{input: Teams gallery, position: [0, 0], size: [1280, 720]}",
                                    "{input: Teams gallery, position: [0, 0], size: [0, 720]}"),
                       "      - {input: Teams gallery, position: [0, 0], size: [0, 720]}", "scenes.Gallery.items.0.size",
                       "expected [width, height] with each from 1 to 90000 pixels, got [0, 720]"),
    "settings OBS cannot take": _case(_settings("        since: 2024-05-01\n"), "        since: 2024-05-01",
                                      "inputs.Chamber camera.settings.since", "OBS cannot take a date here"),
    "microphone as text": _case(GOOD.replace("    kind: audio_output\n    microphone: true", '    kind: audio_output\n    microphone: "no"'),
                                '    microphone: "no"', "inputs.Teams audio.microphone", "expected true or false, got 'no'"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_a_bad_scene_set_is_one_line_and_obs_is_unchanged(case, cli, room, tmp_path, obs):
    text, where, field, message, encoding = BAD[case]
    bad = tmp_path / "BAD.yaml"
    bad.write_bytes(text.encode(encoding))
    line = line_of(text, where)
    if "{first}" in message:
        message = message.format(first=line_of(text, "  Recess slate: {kind: image, file: slates/recess.png}"))
    before = snapshot(obs)
    result = cli("--config", room, "obs", "apply", bad)
    one_line_error(result, f"{bad}:{line}: {field}: {message}")
    assert snapshot(obs) == before


def test_a_transition_obs_does_not_have_is_refused_before_the_first_write(cli, room, tmp_path, obs):
    """Valid YAML, valid scene set, but this OBS has no "Swipe" transition: only OBS can say so, and it
    is asked before anything is built (apply would otherwise create every scene and input first)."""
    text = GOOD.replace("transition: {name: Cut}", "transition: {name: Swipe, duration_ms: 450}")
    bad = tmp_path / "BAD.yaml"
    bad.write_text(text)
    have = [t["transitionName"] for t in obs.call("GetSceneTransitionList")["transitions"]]
    assert "Swipe" not in have and "Fade" in have
    before = snapshot(obs)
    result = cli("--config", room, "obs", "apply", bad)
    one_line_error(result, f"{bad}:{line_of(text, 'transition: {name: Swipe, duration_ms: 450}')}: transition.name: "
                           f"OBS has no scene transition 'Swipe' (it has: {', '.join(have)})")
    assert snapshot(obs) == before
    # --dry-run says the same, and the file is otherwise good: with a transition OBS has, it applies.
    assert cli("--config", room, "obs", "apply", bad, "--dry-run").err == result.err
    set_transition(obs, "Cut")
    bad.write_text(text.replace("name: Swipe", "name: Fade"))
    result = cli("--config", room, "obs", "apply", bad)
    assert result.code == 0, result
    current = obs.call("GetCurrentSceneTransition")
    assert (current["transitionName"], current["transitionDuration"]) == ("Fade", 450)


def test_a_scene_set_with_a_byte_order_mark_is_accepted(cli, room, tmp_path, obs):
    good = tmp_path / "bom.yaml"
    good.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    result = cli("--config", room, "obs", "apply", good)
    assert result.code == 0, result
    assert cli("--config", room, "obs", "check", good).code == 0


@pytest.mark.parametrize("config, where, field, message", [
    ("rooms: {}\n", "rooms: {}", "rooms", "at least one room is needed"),
    ("rooms:\n  chamber: {name: A, scene_set: x.yaml}\n  chamber: {name: B, scene_set: y.yaml}\n",
     "  chamber: {name: B, scene_set: y.yaml}", "rooms.chamber", "duplicate key 'chamber' (also on line 2)"),
], ids=["no rooms", "duplicate room"])
def test_a_bad_meetstream_yaml_is_one_line(config, where, field, message, cli, tmp_path, obs, obs_server, monkeypatch):
    monkeypatch.setenv("MEETSTREAM_OBS_PASSWORD", OBS_PASSWORD)
    path = tmp_path / "meetstream.yaml"
    path.write_text(config)
    before = snapshot(obs)
    result = cli("--config", path, "obs", "status")
    one_line_error(result, f"{path}:{line_of(config, where)}: {field}: {message}")
    assert snapshot(obs) == before
