"""`obs apply` and `obs check` against the real OBS Studio."""

import time

import pytest

from meetstream.errors import ObsError
from meetstream.adapters.obs import build
from meetstream.adapters.obs.connection import Request

pytestmark = pytest.mark.obs


def scene_names(obs):
    return {s["sceneName"] for s in obs.call("GetSceneList")["scenes"]}


def test_apply_builds_every_scene_and_input_and_check_then_finds_no_difference(obs, chamber_set):
    report = build.apply(obs, chamber_set)
    camera_items = sum(1 for s in chamber_set.scenes for i in s.items if i.input == "Chamber camera")
    covers = 3 + len(chamber_set.covered())  # the cover scene, its backdrop, the private scene in it; a cover per public scene
    assert report.creates == len(chamber_set.scenes) + len(chamber_set.inputs) + sum(
        len(s.items) for s in chamber_set.scenes) - len(chamber_set.inputs) + camera_items + covers  # + the camera rebuilt
    assert {s.name for s in chamber_set.scenes} <= scene_names(obs)
    inputs = {i["inputName"]: i["inputKind"] for i in obs.call("GetInputList")["inputs"]}
    assert inputs["Lower third"] == "text_ft2_source_v2"  # Linux's text kind, chosen from GetInputKindList
    assert inputs["Feed - Jane Smith"] == "color_source_v3"  # no NDI plugin here: the file's fallback
    assert build.check(obs, chamber_set) == []


def test_a_camera_with_no_device_is_built_from_its_fallback_so_the_chamber_is_never_blank(obs, chamber_set):
    """This machine has v4l2_input but no camera: a v4l2 input with no device draws nothing."""
    import os

    from obs_helpers import average_rgb, close_to, screenshot_bmp

    assert not any(name.startswith("video") for name in os.listdir("/dev")), "this test needs a machine with no camera"
    report = build.apply(obs, chamber_set)
    inputs = {i["inputName"]: i["inputKind"] for i in obs.call("GetInputList")["inputs"]}
    assert inputs["Chamber camera"] == "color_source_v3" and "Chamber camera (no device)" not in inputs
    assert any(n.startswith("Chamber camera: built from its fallback") and "no camera device" in n for n in report.notes)
    for scene in ("Chamber", "Speaker"):  # every scene that shows the camera, in its declared place
        items = obs.call("GetSceneItemList", {"sceneName": scene})["sceneItems"]
        assert min(items, key=lambda i: i["sceneItemIndex"])["sourceName"] == "Chamber camera"
    assert close_to(average_rgb(screenshot_bmp(obs, "Chamber")), (0x2B, 0x2D, 0x42), 12)  # the fallback's colour, not black
    assert build.check(obs, chamber_set) == [] and build.apply(obs, chamber_set).requests == []


def test_a_second_apply_sends_nothing(obs, chamber_set):
    build.apply(obs, chamber_set)
    again = build.apply(obs, chamber_set)
    assert again.requests == []


def test_dry_run_lists_the_requests_and_sends_none(obs, chamber_set):
    before = scene_names(obs)
    report = build.apply(obs, chamber_set, dry_run=True)
    assert report.creates > 30
    assert scene_names(obs) == before


def test_check_lists_each_difference_and_apply_repairs_them(obs, chamber_set):
    build.apply(obs, chamber_set)
    items = {i["sourceName"]: i["sceneItemId"] for i in obs.call("GetSceneItemList", {"sceneName": "Chamber"})["sceneItems"]}
    obs.call("RemoveSceneItem", {"sceneName": "Chamber", "sceneItemId": items["Chamber microphones"]})
    obs.call("SetInputSettings", {"inputName": "Private slate", "inputSettings": {"file": "/tmp/elsewhere.png"}})
    obs.call("SetSceneItemTransform", {"sceneName": "Chamber", "sceneItemId": items["Agenda overlay"], "sceneItemTransform": {"positionX": 400.0}})
    obs.call("RemoveScene", {"sceneName": "Recess"})
    # OBS destroys the scene's now unreferenced input a moment later, on its own thread.
    deadline = time.monotonic() + 10
    while "Recess slate" in {i["inputName"] for i in obs.call("GetInputList")["inputs"]}:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    found = sorted(str(d) for d in build.check(obs, chamber_set))
    assert found == [
        "input 'Private slate': settings differ: file",
        "input 'Recess slate': missing",  # OBS drops an input with the last scene that held it
        "scene 'Chamber': item 'Agenda overlay' position or size differs",
        "scene 'Chamber': item 'Chamber microphones' missing",
        "scene 'Recess': missing",
    ]
    build.apply(obs, chamber_set)
    assert build.check(obs, chamber_set) == []


def test_an_apply_cut_short_is_completed_by_the_next_one(obs, chamber_set):
    """As if OBS died half way: only the first part of the plan reached it."""
    ob = build.observe(obs, chamber_set)
    plan = build.plan_build(chamber_set, ob, build.resolve(chamber_set, ob.kinds))
    obs.batch(plan[: len(plan) // 2])
    assert build.check(obs, chamber_set) != []
    build.apply(obs, chamber_set)
    assert build.check(obs, chamber_set) == []
    assert build.apply(obs, chamber_set).requests == []


def test_an_input_kind_this_obs_lacks_without_a_fallback_is_refused_before_anything_is_sent(obs, tmp_path, chamber_set):
    from dataclasses import replace

    feed = chamber_set.inputs["Feed - Jane Smith"]
    strict = replace(chamber_set, inputs=chamber_set.inputs | {"Feed - Jane Smith": replace(feed, fallback=None)})
    before = scene_names(obs)
    with pytest.raises(ObsError, match="input 'Feed - Jane Smith' needs OBS input kind ndi_source"):
        build.apply(obs, strict)
    assert scene_names(obs) == before


def test_an_existing_input_of_another_kind_is_named_not_overwritten(obs, chamber_set):
    obs.call("CreateInput", {"sceneName": "Scene", "inputName": "Lower third", "inputKind": "color_source_v3", "inputSettings": {}})
    with pytest.raises(ObsError, match="already has an input 'Lower third' of kind color_source_v3"):
        build.apply(obs, chamber_set)
    assert obs.call("GetInputSettings", {"inputName": "Lower third"})["inputKind"] == "color_source_v3"


def test_a_batch_reports_every_request_even_those_skipped_after_a_failure(obs):
    results = obs.batch([Request("GetVersion"), Request("GetInputSettings", {"inputName": "nope"}), Request("GetVersion")])
    assert [r.ok for r in results] == [True, False, False]
    assert results[1].code == 600
    assert results[2].comment.startswith("not run")
