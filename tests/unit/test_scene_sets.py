"""Scene set files: the shipped one is valid; every mistake is named by file, line and field."""

import textwrap

import pytest

from meetstream.errors import ConfigError
from meetstream.adapters.obs.sceneset import ROLES_REQUIRED, load_scene_set

from helpers import REPO

GOOD = (REPO / "scenes" / "council-chamber.yaml").read_text()


def write(tmp_path, text: str):
    (tmp_path / "slates").mkdir(exist_ok=True)
    for name in ("holding", "private", "recess", "adjourned", "agenda-card"):
        (tmp_path / "slates" / f"{name}.png").write_bytes((REPO / "scenes" / "slates" / f"{name}.png").read_bytes())
    path = tmp_path / "set.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def error_of(tmp_path, text: str) -> str:
    with pytest.raises(ConfigError) as err:
        load_scene_set(write(tmp_path, text))
    return str(err.value)


def test_the_shipped_council_chamber_set_has_every_role_microphones_and_member_feeds():
    ss = load_scene_set(REPO / "scenes" / "council-chamber.yaml")
    assert set(ROLES_REQUIRED) <= set(ss.roles())
    assert ss.microphones() == ["Chamber microphones", "Teams audio"]
    assert ss.overlay("agenda") == "Agenda overlay" and ss.overlay("lower_third") == "Lower third"
    assert "jane smith" in ss.member_feeds()
    for name, spec in ss.inputs.items():
        if spec.file:
            assert spec.file.exists(), name


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path):
    message = error_of(tmp_path, "name: x\ninputs:\n  a: {kind: text\nscenes: {}\n")
    assert "set.yaml:4" in message and "YAML syntax error" in message


def test_an_unknown_kind_names_the_line_and_field(tmp_path):
    text = GOOD.replace("  Chamber camera:\n    kind: camera", "  Chamber camera:\n    kind: kamera")
    message = error_of(tmp_path, text)
    line = text.splitlines().index("    kind: kamera") + 1
    assert f"set.yaml:{line}: inputs.Chamber camera.kind: unknown kind 'kamera'" in message


def test_a_scene_naming_an_input_that_does_not_exist_is_refused(tmp_path):
    message = error_of(tmp_path, GOOD.replace("items: [Recess slate]", "items: [Recess slat]"))
    assert "no input named 'Recess slat'" in message and "scenes.Recess.items.0" in message


def test_a_missing_role_is_refused(tmp_path):
    message = error_of(tmp_path, GOOD.replace("role: recess", "role: gallery").replace("role: gallery\n    items:\n      - {input: Teams gallery", "role: null\n    items:\n      - {input: Teams gallery"))
    assert "no scene for role(s): recess" in message


def test_a_private_slate_that_carries_a_microphone_is_refused(tmp_path):
    message = error_of(tmp_path, GOOD.replace("items: [Private slate]", "items: [Private slate, Chamber microphones]"))
    assert "the private slate must not carry sound or live pictures" in message


def test_a_microphone_flag_on_an_image_is_refused(tmp_path):
    message = error_of(tmp_path, GOOD.replace("Holding slate: {kind: image, file: slates/holding.png}",
                                              "Holding slate: {kind: image, file: slates/holding.png, microphone: true}"))
    assert "Holding slate.microphone: a image input carries no sound" in message


def test_a_missing_image_file_is_named(tmp_path):
    message = error_of(tmp_path, GOOD.replace("slates/recess.png", "slates/nowhere.png"))
    assert "nowhere.png does not exist" in message


def test_a_scene_named_like_an_input_is_refused(tmp_path):
    message = error_of(tmp_path, GOOD.replace("  Gallery:\n    role: gallery", "  Teams gallery:\n    role: gallery"))
    assert "same name as an input" in message


def test_two_scenes_with_one_role_are_refused(tmp_path):
    message = error_of(tmp_path, GOOD.replace("role: adjourned", "role: recess"))
    assert "role 'recess' is already taken" in message


# --- values an officer might get wrong: each is one line naming file, line and field -------------


def line_of(text: str, marker: str) -> int:
    return text.splitlines().index(marker) + 1


def refused(tmp_path, old: str, new: str, marker: str, field: str, message: str, *, count: int = 1) -> None:
    """GOOD with `old` replaced by `new` is refused on the line `marker` with exactly this message."""
    assert GOOD.count(old) >= 1, old
    text = GOOD.replace(old, new, count)
    got = error_of(tmp_path, text)
    assert got == f"{tmp_path / 'set.yaml'}:{line_of(text, marker)}: {field}: {message}"


AGENDA_FONT = "    font: {face: DejaVu Sans, size: 30}"


@pytest.mark.parametrize("size, shown", [("big", "'big'"), ("4000", "4000"), ("2", "2"), ("30.5", "30.5"), ("yes", "True"), (".nan", "nan")])
def test_a_font_size_that_is_not_a_sane_whole_number_is_refused(tmp_path, size, shown):
    refused(tmp_path, AGENDA_FONT, f"    font: {{face: DejaVu Sans, size: {size}}}", f"    font: {{face: DejaVu Sans, size: {size}}}",
            "inputs.Agenda overlay.font.size", f"expected a whole number from 6 to 500 points, got {shown}")


def test_a_whole_font_size_written_as_a_decimal_is_fine(tmp_path):
    ss = load_scene_set(write(tmp_path, GOOD.replace(AGENDA_FONT, "    font: {face: DejaVu Sans, size: 30.0}")))
    assert ss.inputs["Agenda overlay"].font["size"] == 30.0


def test_an_unknown_font_field_and_a_face_that_is_not_text_are_refused(tmp_path):
    refused(tmp_path, AGENDA_FONT, "    font: {face: DejaVu Sans, size: 30, colour: red}", "    font: {face: DejaVu Sans, size: 30, colour: red}",
            "inputs.Agenda overlay.font.colour", "unknown field `colour` (the fields here: face, size, style)")
    refused(tmp_path, AGENDA_FONT, "    font: {face: 12, size: 30}", "    font: {face: 12, size: 30}",
            "inputs.Agenda overlay.font.face", "expected a non-empty text, got 12 (put it in quotes)")
    refused(tmp_path, AGENDA_FONT, "    font: big", "    font: big", "inputs.Agenda overlay.font", "expected {face: DejaVu Sans, size: 36}")


@pytest.mark.parametrize("duration, shown", [("-5", "-5"), ('"fast"', "'fast'"), ("30000", "30000"), ("49", "49"), ("true", "True"), ("300.5", "300.5")])
def test_a_transition_duration_obs_would_refuse_is_refused_when_the_file_is_read(tmp_path, duration, shown):
    new = f"transition: {{name: Fade, duration_ms: {duration}}}"
    refused(tmp_path, "transition: {name: Cut}", new, new, "transition.duration_ms",
            f"expected a whole number from 50 to 20000 milliseconds (what OBS accepts), got {shown}")


def test_transition_durations_at_the_limits_obs_accepts_are_fine(tmp_path):
    for ms in (50, 20000):
        ss = load_scene_set(write(tmp_path, GOOD.replace("transition: {name: Cut}", f"transition: {{name: Fade, duration_ms: {ms}}}")))
        assert (ss.transition, ss.transition_ms) == ("Fade", ms)


def test_a_transition_without_a_text_name_or_with_an_unknown_field_is_refused(tmp_path):
    refused(tmp_path, "transition: {name: Cut}", "transition: {name: 5}", "transition: {name: 5}",
            "transition.name", "expected a non-empty text, got 5 (put it in quotes)")
    refused(tmp_path, "transition: {name: Cut}", "transition: {name: Fade, duration: 300}", "transition: {name: Fade, duration: 300}",
            "transition.duration", "unknown field `duration`: did you mean `duration_ms`?")
    refused(tmp_path, "transition: {name: Cut}", "transition: Fade", "transition: Fade",
            "transition", "expected {name: Cut} or {name: Fade, duration_ms: 300}")


@pytest.mark.parametrize("canvas, field, shown", [
    ("{width: 0, height: 720}", "canvas.width", "0"),
    ("{width: 1280, height: 5000}", "canvas.height", "5000"),
    ("{width: yes, height: 720}", "canvas.width", "True"),
    ("{width: '1280', height: 720}", "canvas.width", "'1280'"),
])
def test_a_canvas_obs_would_refuse_is_refused(tmp_path, canvas, field, shown):
    new = f"canvas: {canvas}"
    refused(tmp_path, "canvas: {width: 1280, height: 720}", new, new, field,
            f"expected a whole number from 8 to 4096 pixels (what OBS accepts for its canvas), got {shown}")


def test_a_canvas_without_both_sizes_is_refused(tmp_path):
    for new in ("canvas: {width: 1280}", "canvas: 0", "canvas: {width: 1280, height: 720, fps: 30}"):
        refused(tmp_path, "canvas: {width: 1280, height: 720}", new, new, "canvas", "expected {width: N, height: N} in pixels")


CAMERA_FALLBACK = '    fallback: {kind: colour, color: "#2b2d42"}'


def test_a_colour_that_is_not_text_is_refused(tmp_path):
    new = "    fallback: {kind: colour, color: 0x2b2d42}"
    refused(tmp_path, CAMERA_FALLBACK, new, new, "inputs.Chamber camera.fallback.color", 'expected a colour like "#1d3557", got 2829634 (put it in quotes)')
    new = "    fallback: {kind: colour, color: [43, 45, 66]}"
    refused(tmp_path, CAMERA_FALLBACK, new, new, "inputs.Chamber camera.fallback.color", 'expected a colour like "#1d3557", got [43, 45, 66]')


def test_a_colour_without_quotes_is_read_by_yaml_as_a_comment_and_says_so(tmp_path):
    refused(tmp_path, '    color: "#ffffff"', "    color: #ffffff", "    color: #ffffff", "inputs.Agenda overlay.color",
            'no colour given: write it in quotes, like "#1d3557" (without them YAML reads # as a comment)')


def test_items_holding_a_number_or_a_list_are_refused(tmp_path):
    refused(tmp_path, "items: [Holding slate]", "items: [Holding slate, 42]", "    items: [Holding slate, 42]",
            "scenes.Holding.items.1", "expected an input name or {input, position, size, visible}")
    refused(tmp_path, "items: [Holding slate]", "items: [{input: [Holding slate]}]", "    items: [{input: [Holding slate]}]",
            "scenes.Holding.items.0", "no input named ['Holding slate'] in `inputs`")
    refused(tmp_path, "items: [Holding slate]", "items: 42", "    items: 42",
            "scenes.Holding.items", "expected a list of inputs, bottom to top")


def test_a_kind_that_is_a_list_is_refused(tmp_path):
    refused(tmp_path, "  Chamber camera:\n    kind: camera", "  Chamber camera:\n    kind: [camera]", "    kind: [camera]",
            "inputs.Chamber camera.kind", "unknown kind ['camera'] (one of: text, image, colour, camera, screen, window, "
                                          "audio_input, audio_output, ndi, media, browser)")


def test_a_microphone_flag_that_is_not_true_or_false_is_refused(tmp_path):
    refused(tmp_path, "    kind: audio_output\n    microphone: true", '    kind: audio_output\n    microphone: "no"', '    microphone: "no"',
            "inputs.Teams audio.microphone", "expected true or false, got 'no'")


def test_overlay_text_that_is_a_number_is_refused(tmp_path):
    refused(tmp_path, "    overlay: agenda\n", "    overlay: agenda\n    text: 2025\n", "    text: 2025",
            "inputs.Agenda overlay.text", "expected text, got 2025 (put it in quotes)")


@pytest.mark.parametrize("value, shown", [("0", "0"), ("true", "True"), ("100000", "100000"), ("wide", "'wide'")])
def test_an_input_width_out_of_range_is_refused(tmp_path, value, shown):
    new = f'    fallback: {{kind: colour, color: "#2b2d42", width: {value}}}'
    refused(tmp_path, CAMERA_FALLBACK, new, new, "inputs.Chamber camera.fallback.width",
            f"expected a whole number from 1 to 8192 pixels, got {shown}")


GALLERY_FEED = "      - {input: Teams gallery, position: [0, 0], size: [1280, 720]}"


@pytest.mark.parametrize("item, field, message", [
    ("{input: Teams gallery, position: [.nan, 0]}", "position", "expected [x, y] in pixels, got [nan, 0]"),
    ("{input: Teams gallery, position: [0, .inf]}", "position", "expected [x, y] in pixels, got [0, inf]"),
    ("{input: Teams gallery, position: [true, 0]}", "position", "expected [x, y] in pixels, got [True, 0]"),
    ("{input: Teams gallery, position: [100000, 0]}", "position", "expected [x, y] with each from -90000 to 90000 pixels, got [100000, 0]"),
    ("{input: Teams gallery, position: 0}", "position", "expected [x, y] in pixels, got 0"),
    ("{input: Teams gallery, size: [0, 720]}", "size", "expected [width, height] with each from 1 to 90000 pixels, got [0, 720]"),
    ("{input: Teams gallery, size: [1280]}", "size", "expected [width, height] in pixels, got [1280]"),
])
def test_a_position_or_size_obs_would_refuse_is_refused(tmp_path, item, field, message):
    refused(tmp_path, GALLERY_FEED, f"      - {item}", f"      - {item}", f"scenes.Gallery.items.0.{field}", message)


def test_settings_obs_cannot_take_as_json_are_refused(tmp_path):
    camera = "  Chamber camera:\n    kind: camera\n"
    refused(tmp_path, camera, camera + "    settings: {since: 2025-05-01}\n", "    settings: {since: 2025-05-01}",
            "inputs.Chamber camera.settings.since", "OBS cannot take a date here (datetime.date(2025, 5, 1)): put it in quotes")
    refused(tmp_path, camera, camera + "    settings: {gain: .inf}\n", "    settings: {gain: .inf}",
            "inputs.Chamber camera.settings.gain", "expected a finite number, got inf")
    refused(tmp_path, camera, camera + "    settings: {1: on}\n", "    settings: {1: on}",
            "inputs.Chamber camera.settings.1", "a setting name must be text, got 1 (put it in quotes)")
    ss = load_scene_set(write(tmp_path, GOOD.replace(camera, camera + "    settings: {fps: 30, flags: [a, 1, true, null], nested: {x: 1.5}}\n")))
    assert ss.inputs["Chamber camera"].settings == {"fps": 30, "flags": ["a", 1, True, None], "nested": {"x": 1.5}}


def test_input_and_scene_names_that_yaml_reads_as_other_values_are_refused(tmp_path):
    refused(tmp_path, "  Recess slate: {kind: image", "  yes: {kind: image", "  yes: {kind: image, file: slates/recess.png}",
            "inputs.True", "an input name must be a non-empty text, got True (put the name in quotes)")
    refused(tmp_path, "  Recess:\n    role: recess", "  2025:\n    role: recess", "  2025:",
            "scenes.2025", "a scene name must be a non-empty text, got 2025 (put the name in quotes)")


def test_an_image_file_that_is_a_directory_is_refused(tmp_path):
    path = write(tmp_path, GOOD)
    (tmp_path / "slates" / "folder").mkdir()
    text = GOOD.replace("slates/recess.png", "slates/folder")
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_scene_set(path)
    marker = "  Recess slate: {kind: image, file: slates/folder}"
    assert str(err.value) == f"{path}:{line_of(text, marker)}: inputs.Recess slate.file: {tmp_path / 'slates' / 'folder'} is not a file"


def test_a_duplicate_input_names_both_lines(tmp_path):
    first = "  Recess slate: {kind: image, file: slates/recess.png}"
    text = GOOD.replace(first, first + "\n  Recess slate: {kind: image, file: slates/holding.png}")
    message = error_of(tmp_path, text)
    assert message == (f"{tmp_path / 'set.yaml'}:{line_of(text, first) + 1}: inputs.Recess slate: duplicate key 'Recess slate' "
                       f"(also on line {line_of(text, first)}); YAML would silently keep only the last: remove or rename one")


def test_a_scene_set_with_a_byte_order_mark_loads(tmp_path):
    path = write(tmp_path, GOOD)
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    ss = load_scene_set(path)
    assert ss.name == "Council chamber with Teams members"


# --- what only OBS can tell: checked from the observation, before anything is sent ---------------


def _observed(**kw):
    from meetstream.adapters.obs.build import Observed

    base = dict(kinds=frozenset({"image_source", "color_source_v3", "text_ft2_source_v2", "pulse_input_capture",
                                 "pulse_output_capture", "v4l2_input", "xshm_input"}),
                scenes=("Scene",), inputs={}, settings={}, items={}, transition="Fade", canvas=(1920, 1080),
                transitions=("Cut", "Fade"))
    return Observed(**(base | kw))


def _plan(ss, ob):
    from meetstream.adapters.obs.build import plan_build, resolve

    return plan_build(ss, ob, resolve(ss, ob.kinds))


def test_a_transition_obs_does_not_have_is_refused_in_the_plan_naming_the_line(tmp_path):
    text = GOOD.replace("transition: {name: Cut}", "transition: {name: Swipe, duration_ms: 500}")
    path = write(tmp_path, text)
    ss = load_scene_set(path)
    with pytest.raises(ConfigError) as err:
        _plan(ss, _observed())
    assert str(err.value) == (f"{path}:{line_of(text, 'transition: {name: Swipe, duration_ms: 500}')}: transition.name: "
                              "OBS has no scene transition 'Swipe' (it has: Cut, Fade): use one of those, or add it in OBS under Scene Transitions")
    plan = _plan(load_scene_set(write(tmp_path, text.replace("Swipe", "Cut"))), _observed())
    assert [r.type for r in plan][-2:] == ["SetCurrentSceneTransition", "SetCurrentSceneTransitionDuration"]


def test_a_check_refuses_a_transition_obs_does_not_have_as_apply_does(tmp_path):
    from meetstream.adapters.obs.build import check_plan

    ss = load_scene_set(write(tmp_path, GOOD.replace("transition: {name: Cut}", "transition: {name: Swipe}")))
    with pytest.raises(ConfigError, match=r"transition\.name: OBS has no scene transition 'Swipe' \(it has: Cut, Fade\)"):
        check_plan(ss, _observed())


def test_a_check_is_the_plan_in_words(tmp_path):
    from meetstream.adapters.obs.build import check_plan, plan

    ss = load_scene_set(write(tmp_path, GOOD))
    ob = _observed(canvas=(1920, 1080))
    found = [str(d) for d in check_plan(ss, ob)]
    assert len(found) == len(plan(ss, ob))
    assert "canvas: is 1920x1080, file says 1280x720" in found
    assert "scene 'Holding': missing" in found and "transition: is 'Fade', file says 'Cut'" in found
    assert all(s.endswith(": missing") or s.startswith(("canvas", "transition", "scene")) for s in found)
    assert check_plan(ss, _observed(canvas=(1920, 1080), outputs_active=True))[-1].what.startswith(
        "is 1920x1080, file says 1280x720; not changed while OBS is streaming")


def test_a_name_obs_already_uses_for_the_other_kind_of_source_is_refused_in_the_plan(tmp_path):
    path = write(tmp_path, GOOD)
    ss = load_scene_set(path)
    with pytest.raises(ConfigError) as err:
        _plan(ss, _observed(inputs={"Holding": "color_source_v3"}))
    assert str(err.value) == (f"{path}:{line_of(GOOD, '  Holding:')}: scenes.Holding: OBS already has an input named 'Holding', "
                              "and a scene cannot share its name: rename the scene here or the input in OBS")
    with pytest.raises(ConfigError) as err:
        _plan(ss, _observed(scenes=("Scene", "Lower third")))
    assert str(err.value) == (f"{path}:{line_of(GOOD, '  Lower third:')}: inputs.Lower third: OBS already has a scene named 'Lower third', "
                              "and an input cannot share its name: rename the input here or the scene in OBS")


# --- the private covers: added by build to every scene that is not a slate ----------------------


def test_the_plan_adds_a_hidden_private_cover_on_top_of_every_public_scene(tmp_path):
    from meetstream.adapters.obs.build import check_plan, plan

    ss = load_scene_set(write(tmp_path, GOOD))
    assert ss.covered() == ("Chamber", "Speaker", "Gallery", "Agenda")
    reqs = plan(ss, _observed())
    covers = [r for r in reqs if r.data.get("sourceName") == "Private cover"]
    assert [(r.data["sceneName"], r.data["sceneItemEnabled"]) for r in covers] == [(s, False) for s in ss.covered()]
    for r in covers:  # created after every item of its scene, so on top of them
        last = max(i for i, q in enumerate(reqs) if q.data.get("sceneName") == r.data["sceneName"] and q is not r)
        assert reqs.index(r) > last
    backdrop = next(r for r in reqs if r.data.get("inputName") == "Private cover backdrop")
    assert backdrop.data["sceneName"] == "Private cover" and backdrop.data["inputSettings"] == {"color": 0xFF000000, "width": 1280, "height": 720}
    nested = next(r for r in reqs if r.type == "CreateSceneItem" and r.data["sceneName"] == "Private cover")
    assert nested.data["sourceName"] == "Private session" and reqs.index(nested) > reqs.index(backdrop)
    assert reqs.index(nested) > next(i for i, r in enumerate(reqs) if r.data.get("sceneName") == "Private session")
    found = [str(d) for d in check_plan(ss, _observed())]
    assert "scene 'Private cover': missing" in found and "scene 'Chamber': item 'Private cover' missing" in found


def test_covers_made_while_the_private_slate_is_on_program_are_made_shown(tmp_path):
    """A set applied before covers existed, upgraded during a private session: covered at once."""
    from meetstream.adapters.obs.build import plan

    ss = load_scene_set(write(tmp_path, GOOD))
    covers = [r for r in plan(ss, _observed(program="Private session")) if r.data.get("sourceName") == "Private cover"]
    assert len(covers) == 4 and all(r.data["sceneItemEnabled"] for r in covers)


def test_a_cover_put_under_another_item_goes_back_on_top_and_its_visibility_is_no_difference(tmp_path):
    from meetstream.adapters.obs.build import check_plan, resolve

    ss = load_scene_set(write(tmp_path, GOOD))
    kinds = {n: r.obs_kind for n, r in resolve(ss, _observed().kinds).items()}

    def item(n, name, enabled=True):
        return {"sourceName": name, "sceneItemId": n + 1, "sceneItemIndex": n, "sceneItemEnabled": enabled,
                "sceneItemTransform": {"positionX": 0.0, "positionY": 0.0}}

    agenda = [item(n, name) for n, name in enumerate(["Agenda card", "Agenda overlay", "Chamber microphones", "Teams audio"])]
    agenda[1]["sceneItemTransform"] = {"positionX": 80.0, "positionY": 320.0}
    ob = _observed(scenes=tuple(s.name for s in ss.scenes) + ("Private cover",),
                   inputs=kinds | {"Private cover backdrop": "color_source_v3"},
                   items={"Agenda": agenda + [item(4, "Private cover", enabled=True), item(5, "Lower third")],
                          "Private cover": [item(0, "Private cover backdrop"), item(1, "Private session")]})
    found = [str(d) for d in check_plan(ss, ob) if d.where in ("scene 'Agenda'", "scene 'Private cover'")]
    assert found == ["scene 'Agenda': the private cover 'Private cover' is not on top"]


def test_the_cover_names_are_kept_for_meetstream(tmp_path):
    text = GOOD.replace("  Recess:\n", "  Private cover:\n    items: [Recess slate]\n  Recess:\n")
    assert "'Private cover' is a name meetstream keeps for the private covers" in error_of(tmp_path, text)


def test_mixer_tracks_are_read_and_none_while_private(tmp_path):
    text = GOOD.replace("    kind: audio_output\n    microphone: true", "    kind: audio_output\n    microphone: true\n    tracks: [3, 1, 1]")
    ss = load_scene_set(write(tmp_path, text))
    teams, chamber = ss.inputs["Teams audio"], ss.inputs["Chamber microphones"]
    assert teams.tracks == (1, 3) and chamber.tracks is None
    assert teams.audio_tracks(private=False) == {"1": True, "2": False, "3": True, "4": False, "5": False, "6": False}
    assert chamber.audio_tracks(private=False) == {str(t): True for t in range(1, 7)}  # OBS's default for a new input
    assert teams.audio_tracks(private=True) == chamber.audio_tracks(private=True) == {str(t): False for t in range(1, 7)}


@pytest.mark.parametrize("value, message", [
    ("[7]", "expected a whole number from 1 to 6 (OBS's mixer tracks), got 7"),
    ("[0]", "expected a whole number from 1 to 6 (OBS's mixer tracks), got 0"),
    ("[]", "expected a list of OBS's mixer tracks, like [1, 2], got []"),
    ("1", "expected a list of OBS's mixer tracks, like [1, 2], got 1"),
    ("[one]", "expected a whole number from 1 to 6 (OBS's mixer tracks), got 'one'"),
])
def test_mixer_tracks_obs_does_not_have_are_refused(tmp_path, value, message):
    refused(tmp_path, "    kind: audio_output\n    microphone: true", f"    kind: audio_output\n    microphone: true\n    tracks: {value}",
            f"    tracks: {value}", "inputs.Teams audio.tracks", message)


def test_mixer_tracks_on_an_input_without_sound_are_refused(tmp_path):
    refused(tmp_path, "  Agenda card: {kind: image, file: slates/agenda-card.png}",
            "  Agenda card: {kind: image, file: slates/agenda-card.png, tracks: [1]}",
            "  Agenda card: {kind: image, file: slates/agenda-card.png, tracks: [1]}",
            "inputs.Agenda card.tracks", "an image input carries no sound: it feeds no mixer track")
