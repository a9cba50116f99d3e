"""The meeting decides privacy by resolution, on the real OBS: an armed item without a resolution
goes private; "stays public" readmits the public at that item; a resolution to exclude goes private
at the first of its items and not before; a vote on the exclusion motion carries the decision.

What OBS shows is sampled at 10 Hz by the test's own obs-websocket client (tests/private_observer.py),
never only by meetstream's read-back; the minutes are read back from `meetstream votes --json`."""

from __future__ import annotations

import json

import pytest

from helpers import OBS_PASSWORD, chamber_config
from meetstream.services.control import RoomControl
from meetstream.services.session import LiveSession
from private_observer import Observer, RawObs

pytestmark = pytest.mark.obs

STATUTORY = ("RESOLVED – That under Section 100A(4) of the Local Government Act 1972 the public be excluded from the "
             "meeting for the following item(s) of business on the grounds that it/they involve the likely disclosure "
             "of exempt information as defined in paragraph(s) {p} of Part 1 of Schedule 12A of the Act.")


@pytest.fixture
def raw(obs_server, obs):
    r = RawObs(obs_server.port, OBS_PASSWORD)
    yield r
    r.close()


@pytest.fixture
def room(director, store, sample_meeting, tmp_path, monkeypatch):
    chamber_config(tmp_path, monkeypatch, state=store.path)
    store.upsert_meeting(sample_meeting)
    control = RoomControl(LiveSession(store, director, "chamber", sample_meeting), tick_every=0.2).start()
    assert control.act("chamber").ok
    yield control
    control.stop()


def overlay(raw) -> str:
    return raw.call("GetInputSettings", {"inputName": "Agenda overlay"})["inputSettings"].get("text", "")


def public(sample) -> bool:
    """On air in public: a camera on program and the chamber microphones live."""
    return not sample.down and sample.program in ("Chamber", "Speaker", "Gallery") and "Chamber microphones" in sample.live_audio


def watch(obs_server, n=6):
    obs = Observer(obs_server.port, OBS_PASSWORD)
    return obs


def test_an_armed_item_goes_private_and_stays_public_only_by_resolution(room, raw, obs_server):
    assert room.act("item", {"number": "4"}).ok
    with Observer(obs_server.port, OBS_PASSWORD) as seen:
        assert room.act("next").ok  # item 5: marked exempt, no resolution
        mark = len(seen.samples)
        seen.wait_samples(8)
        at_five = seen.samples[mark + 1:]
        # Readmitting the public is refused on the armed item, and changes nothing in OBS.
        refused = room.act("public")
        assert not refused.ok and refused.refused.code == "exempt_item"
        assert "stay-public" in refused.refused.also
        # Asked whether staying public would be accepted: the check alone changes nothing.
        assert room.check("stay-public", {"items": "5", "reason": "no_reference"}).ok
        seen.wait_samples(5)
        before_resolution = seen.samples[mark + 1:]
        done = room.act("stay-public", {"items": "5", "reason": "no_reference"})
        assert done.ok, done.message
        mark2 = len(seen.samples)
        seen.wait_samples(6)
        after = seen.samples[mark2 + 1:]
    assert len(at_five) >= 7 and all(s.private for s in at_five), [s for s in at_five if not s.private]
    assert all(s.private for s in before_resolution)
    assert after and all(public(s) for s in after), after
    # The overlay names the item by its public title once the meeting has resolved to stay public.
    assert overlay(raw) == "5. Staffing restructure (Part 2)"
    state = room.state()
    assert state["item"]["resolved"] == "public" and not state["item"]["armed"]
    assert "Resolved: stays public for item(s) 5" in done.message


def test_a_resolution_to_exclude_goes_private_at_the_first_of_its_items(room, raw, obs_server, cli):
    assert room.act("item", {"number": "2"}).ok
    with Observer(obs_server.port, OBS_PASSWORD) as seen:
        done = room.act("exclude", {"items": "3-4", "paragraph": "1"})
        assert done.ok, done.message
        mark = len(seen.samples)
        seen.wait_samples(5)
        still_at_two = seen.samples[mark + 1:]
        assert room.act("next").ok  # item 3: the first excluded
        mark3 = len(seen.samples)
        seen.wait_samples(6)
        at_three = seen.samples[mark3 + 1:]
        assert room.act("next").ok  # item 4: excluded too
        assert overlay(raw) == "4. Exempt item (public excluded)"
        assert room.act("next").ok  # item 5: armed by the agenda
        refused = room.act("public")
        assert not refused.ok
        assert room.act("next").ok  # item 6: public again
        assert room.act("public").ok
        mark6 = len(seen.samples)
        seen.wait_samples(4)
        at_six = seen.samples[mark6 + 1:]
    assert still_at_two and all(public(s) for s in still_at_two)
    assert len(at_three) >= 5 and all(s.private for s in at_three)
    assert all(public(s) for s in at_six)
    out = cli("votes", "mtg-planning-1", "--json")
    assert out.code == 0, out
    [res] = json.loads(out.out)["resolutions"]
    assert res["minute"] == STATUTORY.format(p="1") and res["items"] == ["3", "4"]
    # The titles of items excluded by resolution never reach the minutes' public view either.
    assert res["titles"] == ["3. Exempt item (public excluded)", "4. Exempt item (public excluded)"]


def test_a_vote_on_the_exclusion_motion_carries_it(room, raw, obs_server, store):
    assert room.act("item", {"number": "4"}).ok
    with Observer(obs_server.port, OBS_PASSWORD) as seen:
        done = room.act("vote", {"motion": "That the press and public be excluded", "for": "2", "against": "1",
                                 "abstain": "0", "result": "carried", "exclusion": "4", "paragraph": "3"})
        assert done.ok, done.message
        mark = len(seen.samples)
        seen.wait_samples(6)
        after = seen.samples[mark + 1:]
    assert all(s.private for s in after), after
    [vote] = store.votes("mtg-planning-1")
    [entry] = store.resolutions("mtg-planning-1")
    assert entry.detail["vote_id"] == vote.id and entry.detail["minute"] == STATUTORY.format(p="3")
    # The vote's result is never on screen in the private session it led to.
    text, shown = raw.call("GetInputSettings", {"inputName": "Vote result"})["inputSettings"].get("text", ""), None
    program = raw.call("GetCurrentProgramScene")["currentProgramSceneName"]
    items = raw.call("GetSceneItemList", {"sceneName": program})["sceneItems"]
    shown = [i for i in items if i["sourceName"] == "Vote result" and i["sceneItemEnabled"]]
    assert program == "Private session" and not shown, (text, shown)
