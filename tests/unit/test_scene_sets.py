"""Scene set files: the shipped one is valid; every mistake is named by file, line and field."""

import textwrap

import pytest

from meetstream.errors import ConfigError
from meetstream.obs.sceneset import ROLES_REQUIRED, load_scene_set

from conftest import REPO

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
