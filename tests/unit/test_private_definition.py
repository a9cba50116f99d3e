"""The private invariant as one pure definition: what OBS reported in, every problem out."""

from meetstream.adapters.obs.invariant import SceneItem, Verified, private_scene_repair, problems

DECLARED = (SceneItem("Private slate", True, 7),)


def seen(program="Private session", muted=None, items=DECLARED):
    return Verified(program, muted if muted is not None else {"Chamber microphones": True, "Mic/Aux": True}, private_items=items)


def test_exactly_private_has_no_problems(chamber_set):
    assert problems(chamber_set, "private", seen()) == []


def test_a_global_input_left_live_breaks_private_though_the_scene_set_never_named_it(chamber_set):
    assert problems(chamber_set, "private", seen(muted={"Chamber microphones": True, "Mic/Aux": False})) == ["Mic/Aux not muted"]


def test_any_scene_but_the_private_slate_on_program_breaks_private(chamber_set):
    assert problems(chamber_set, "private", seen(program="Chamber")) == ["program scene is 'Chamber', not 'Private session'"]


def test_a_hidden_camera_in_the_private_scene_still_breaks_it_and_is_removed(chamber_set):
    items = DECLARED + (SceneItem("Chamber camera", False, 9),)
    assert problems(chamber_set, "private", seen(items=items)) == ["the private scene also holds 'Chamber camera'"]
    repair = private_scene_repair(chamber_set, items)
    assert [(r.type, r.data.get("sceneItemId")) for r in repair.requests][0] == ("RemoveSceneItem", 9)


def test_a_hidden_slate_breaks_private_and_is_shown_again(chamber_set):
    items = (SceneItem("Private slate", False, 7),)
    assert problems(chamber_set, "private", seen(items=items)) == ["the private scene's items are not shown, hidden or ordered as declared"]
    assert ("SetSceneItemEnabled", True) in [(r.type, r.data.get("sceneItemEnabled")) for r in private_scene_repair(chamber_set, items).requests]


def test_unread_private_items_are_not_taken_as_private(chamber_set):
    assert problems(chamber_set, "private", seen(items=None)) == ["the private scene's items were not read back"]


def test_a_public_scene_only_needs_the_declared_microphones_live(chamber_set):
    ok = Verified("Chamber", {"Chamber microphones": False, "Teams audio": False, "Mic/Aux": True})
    assert problems(chamber_set, "chamber", ok) == []
    assert problems(chamber_set, "chamber", Verified("Chamber", {"Chamber microphones": True, "Teams audio": False})) == ["Chamber microphones still muted"]
