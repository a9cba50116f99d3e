"""The private invariant as one pure definition: what OBS reported in, every problem out."""

from meetstream.adapters.obs.invariant import Cover, SceneItem, Verified, private_scene_repair, problems

DECLARED = (SceneItem("Private slate", True, 7),)
COVERED = {scene: Cover(True, True, 20 + n) for n, scene in enumerate(("Chamber", "Speaker", "Gallery", "Agenda"))}


def seen(program="Private session", muted=None, items=DECLARED, covers=COVERED):
    return Verified(program, muted if muted is not None else {"Chamber microphones": True, "Mic/Aux": True}, private_items=items,
                    covers=covers)


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


def test_private_needs_every_public_scene_covered_and_public_none(chamber_set):
    """The covers make a public scene clicked by hand in a private session the slate picture."""
    assert chamber_set.covered() == ("Chamber", "Speaker", "Gallery", "Agenda")
    assert problems(chamber_set, "private", seen(covers=COVERED | {"Speaker": Cover(False, True, 21)})) == [
        "the private cover of 'Speaker' is hidden"]
    assert problems(chamber_set, "private", seen(covers=COVERED | {"Gallery": Cover(True, False, 22), "Agenda": None})) == [
        "the private cover of 'Gallery' is not on top", "scene 'Agenda' has no private cover"]
    assert problems(chamber_set, "private", seen(covers=None)) == ["the private covers were not read back"]
    public = {"Chamber microphones": False, "Teams audio": False}
    hidden = {scene: Cover(False, True) for scene in COVERED}
    assert problems(chamber_set, "chamber", Verified("Chamber", public, covers=hidden)) == []
    assert problems(chamber_set, "chamber", Verified("Chamber", public, covers=hidden | {"Agenda": None})) == []  # a set from before covers
    assert problems(chamber_set, "speaker", Verified("Speaker", public, covers=hidden | {"Chamber": Cover(True, True)})) == [
        "the private cover is shown in 'Chamber' (a public picture covered by the slate)"]
    assert problems(chamber_set, "recess", Verified("Recess", {"Chamber microphones": True}, covers=COVERED)) == []
