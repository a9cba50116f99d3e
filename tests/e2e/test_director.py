"""Director actions against the real OBS, each checked by reading OBS back (and by looking)."""

import pytest

from meetstream.core.domain import AgendaItem, Member
from meetstream.adapters.obs.director import NotVerified

from obs_helpers import close_to, program_rgb

pytestmark = pytest.mark.obs

PRIVATE_RED = (0x7A, 0x10, 0x20)
HOLDING_BLUE = (0x1D, 0x35, 0x57)
JANE = Member("Jane Smith", title="Cllr", role="Chair", ward="Brimington North")
PETER = Member("Peter Lowe", title="Cllr", ward="Dunston")


def mutes(obs, names):
    return {n: obs.call("GetInputMute", {"inputName": n})["inputMuted"] for n in names}


def program(obs):
    return obs.call("GetCurrentProgramScene")["currentProgramSceneName"]


def text_of(obs, name):
    return obs.call("GetInputSettings", {"inputName": name})["inputSettings"].get("text")


def enabled(obs, scene, source):
    items = obs.call("GetSceneItemList", {"sceneName": scene})["sceneItems"]
    return next(i["sceneItemEnabled"] for i in items if i["sourceName"] == source)


def test_private_shows_the_private_slate_and_mutes_every_microphone(obs, director, chamber_set):
    director.show("chamber")
    assert not any(mutes(obs, chamber_set.microphones()).values())
    verified = director.private()
    assert verified.program_scene == "Private session" and verified.all_muted
    assert program(obs) == "Private session"
    assert all(mutes(obs, chamber_set.microphones()).values())
    assert close_to(program_rgb(obs), PRIVATE_RED)


def test_public_after_private_brings_back_the_chamber_with_microphones_live(obs, director, chamber_set):
    director.private()
    director.public()
    assert program(obs) == "Chamber"
    assert not any(mutes(obs, chamber_set.microphones()).values())
    assert not close_to(program_rgb(obs), PRIVATE_RED)


def test_the_agenda_overlay_shows_the_item_and_never_an_exempt_title(obs, director):
    director.show("chamber", item=AgendaItem("5", "Planning application CHE/22/00123"))
    assert text_of(obs, "Agenda overlay") == "5. Planning application CHE/22/00123"
    director.agenda(AgendaItem("9", "Disposal of land at Hollis Lane", exempt=True), role="chamber")
    assert text_of(obs, "Agenda overlay") == "9. Exempt item (public excluded)"


def test_speaker_with_a_feed_shows_only_their_feed_and_the_lower_third(obs, director):
    director.speaker(JANE, item=AgendaItem("4", "Minutes"))
    assert program(obs) == "Speaker"
    assert text_of(obs, "Lower third") == "Cllr Jane Smith, Chair, Brimington North"
    assert enabled(obs, "Speaker", "Feed - Jane Smith")
    assert not enabled(obs, "Speaker", "Feed - Tom Okafor")
    assert enabled(obs, "Speaker", "Lower third")
    assert text_of(obs, "Agenda overlay") == "4. Minutes"
    director.speaker(Member("Tom Okafor", title="Cllr"))
    assert enabled(obs, "Speaker", "Feed - Tom Okafor") and not enabled(obs, "Speaker", "Feed - Jane Smith")


def test_speaker_in_the_room_is_the_chamber_with_their_lower_third_and_chamber_clears_it(obs, director):
    director.speaker(PETER)
    assert program(obs) == "Chamber"
    assert text_of(obs, "Lower third") == "Cllr Peter Lowe, Dunston"
    assert enabled(obs, "Chamber", "Lower third")
    director.show("chamber")
    assert not enabled(obs, "Chamber", "Lower third")


@pytest.mark.parametrize("role,scene", [("holding", "Holding"), ("recess", "Recess"), ("adjourned", "Adjourned")])
def test_every_slate_mutes_the_microphones(obs, director, chamber_set, role, scene):
    director.show("chamber")
    director.show(role)
    assert program(obs) == scene
    assert all(mutes(obs, chamber_set.microphones()).values())


def test_each_action_is_one_round_trip(obs, director):
    sent = []
    original = obs._exchange

    def counting(message, **kw):
        sent.append(message["op"])
        return original(message, **kw)

    obs._exchange = counting
    director.speaker(JANE, item=AgendaItem("4", "Minutes"))
    director.private()
    assert sent == [8, 8]


def test_a_private_session_changed_by_hand_in_obs_fails_verification_loudly(obs, director):
    director.private()
    assert director.verify("private").all_muted
    obs.call("SetInputMute", {"inputName": "Teams audio", "inputMuted": False})
    with pytest.raises(NotVerified, match="PRIVATE NOT VERIFIED: Teams audio not muted"):
        director.verify("private")
    obs.call("SetCurrentProgramScene", {"sceneName": "Chamber"})
    with pytest.raises(NotVerified, match="program scene is 'Chamber', not 'Private session'"):
        director.verify("private")
    director.private()  # re-cueing puts it right
    assert director.verify("private").all_muted


def test_a_private_session_is_still_private_after_obs_restarts(obs, obs_server, director, chamber_set):
    director.show("chamber")
    director.private()
    obs_server.kill()
    obs_server.start()
    state = director.read_state()  # reconnects, re-applies the set, re-asserts the private session
    assert obs.reconnects == 1
    assert state.program_scene == "Private session" and state.all_muted
    assert program(obs) == "Private session"
    assert close_to(program_rgb(obs), PRIVATE_RED)


def test_a_dropped_socket_is_reconnected_and_the_action_still_lands(obs, director, chamber_set):
    director.show("chamber")
    obs._client.ws.close()  # the network blinks; OBS itself keeps running
    verified = director.private()
    assert obs.reconnects == 1
    assert verified.program_scene == "Private session" and verified.all_muted
    assert program(obs) == "Private session"


def _rendered_box(obs, scene, source, text):
    """(x, y, right, bottom) of `source` in `scene` as OBS draws it, once OBS has rendered `text`
    (text updates reach the renderer on OBS's next video tick)."""
    import time

    item = next(i for i in obs.call("GetSceneItemList", {"sceneName": scene})["sceneItems"] if i["sourceName"] == source)
    deadline = time.monotonic() + 5
    last = None
    while time.monotonic() < deadline:
        t = obs.call("GetSceneItemTransform", {"sceneName": scene, "sceneItemId": item["sceneItemId"]})["sceneItemTransform"]
        if " ".join(text_of(obs, source).split()) == text and t["sourceWidth"] > 0 and (t["sourceWidth"], t["sourceHeight"]) == last:
            return t["positionX"], t["positionY"], t["positionX"] + t["width"], t["positionY"] + t["height"]
        last = (t["sourceWidth"], t["sourceHeight"])
        time.sleep(0.1)
    raise AssertionError(f"OBS never rendered {text!r}")


@pytest.mark.parametrize("member", [
    Member("Gareth Evans", title="Cllr", role="Leader of the Opposition", ward="Old Whittington"),
    Member("Alexandra Montgomery-Fotheringham", title="Councillor", role="Cabinet Member for Health and Wellbeing",
           ward="Staveley North and Woodthorpe"),
])
def test_a_long_lower_third_is_drawn_inside_the_graphics_safe_area(obs, director, member):
    scene = "Speaker" if director.feed_for(member) else "Chamber"
    director.speaker(member)
    x, y, right, bottom = _rendered_box(obs, scene, "Lower third", member.lower_third())
    assert x >= 0.05 * 1280 and right <= 0.95 * 1280 and bottom <= 0.95 * 720, (x, y, right, bottom)
    director.speaker(JANE)  # a short one goes back to full size
    _, _, right, _ = _rendered_box(obs, "Chamber", "Lower third", JANE.lower_third())
    item = next(i for i in obs.call("GetSceneItemList", {"sceneName": "Chamber"})["sceneItems"] if i["sourceName"] == "Lower third")
    assert obs.call("GetSceneItemTransform", {"sceneName": "Chamber", "sceneItemId": item["sceneItemId"]})["sceneItemTransform"]["scaleX"] == 1.0
