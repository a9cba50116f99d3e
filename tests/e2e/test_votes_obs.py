"""Recorded votes against the real OBS: the vote overlay shown and read back, off again in time,
never in a private session, and gone from every scene the moment the meeting goes private.

What OBS shows is checked by the test's own obs-websocket client (tests/private_observer.py),
never only by meetstream's read-back."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from helpers import OBS_PASSWORD, REPO
from meetstream.services.control import RoomControl
from meetstream.adapters.obs.build import apply
from meetstream.adapters.obs.director import Director
from meetstream.adapters.obs.sceneset import load_scene_set
from meetstream.services.session import LiveSession
from private_observer import Observer, RawObs

pytestmark = pytest.mark.obs

VOTE = "Vote result"
PUBLIC = ("Chamber", "Speaker", "Gallery")
SHOWN = "Item 4 vote: CARRIED\nFor 2  ·  Against 1  ·  Abstain 0"


def vote_seen(raw: RawObs) -> tuple[str, dict[str, bool]]:
    """(the vote overlay's text, scene -> is its vote item shown) as OBS reports them."""
    text = raw.call("GetInputSettings", {"inputName": VOTE})["inputSettings"].get("text", "")
    shown = {}
    for scene in raw.call("GetSceneList")["scenes"]:
        items = raw.call("GetSceneItemList", {"sceneName": scene["sceneName"]})["sceneItems"]
        shown |= {scene["sceneName"]: i["sceneItemEnabled"] for i in items if i["sourceName"] == VOTE}
    return text, shown


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def short_set(tmp_path):
    """The shipped scene set with the vote shown for 3 seconds instead of 15."""
    text = (REPO / "scenes" / "council-chamber.yaml").read_text()
    text = text.replace("file: slates/", f"file: {REPO / 'scenes' / 'slates'}/").replace("seconds: 15", "seconds: 3")
    path = tmp_path / "short-vote.yaml"
    path.write_text(text)
    return load_scene_set(path)


@pytest.fixture
def raw(obs_server, obs):
    r = RawObs(obs_server.port, OBS_PASSWORD)
    yield r
    r.close()


@pytest.fixture
def room(obs, store, sample_meeting, short_set):
    apply(obs, short_set)
    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, Director(obs, short_set).load(), "chamber", sample_meeting)
    control = RoomControl(session, tick_every=0.2).start()
    control.act("chamber")
    control.act("item", {"number": "4"})
    yield control
    control.stop()


def test_the_director_shows_the_vote_in_every_public_scene_and_reads_it_back(director, raw):
    director.show("chamber")
    assert vote_seen(raw) == ("", {s: False for s in PUBLIC})  # hidden by default, in the public scenes only
    seen = director.show_vote(SHOWN)
    assert seen.text == SHOWN and seen.shown == {s: True for s in PUBLIC} and seen.program_scene == "Chamber"
    assert vote_seen(raw) == (SHOWN, {s: True for s in PUBLIC})
    director.hide_vote()
    assert vote_seen(raw) == ("", {s: False for s in PUBLIC})


def test_a_vote_is_shown_read_back_and_taken_off_when_its_time_is_up(room, raw, store, sample_meeting):
    t0 = time.monotonic()
    outcome = room.act("vote", {"motion": "That the application be approved", "for": 2, "against": 1, "abstain": 0,
                                "result": "carried", "named": {"Smith": "for", "Khan": "for", "Lowe": "against"}})
    assert outcome.ok and outcome.message.startswith("VOTE recorded on item 4: carried 2–1–0; on screen for 3 s"), outcome
    assert vote_seen(raw) == (SHOWN, {s: True for s in PUBLIC})
    assert raw.call("GetCurrentProgramScene")["currentProgramSceneName"] == "Chamber"
    assert wait_for(lambda: vote_seen(raw) == ("", {s: False for s in PUBLIC}), timeout=10)
    took = time.monotonic() - t0
    assert 2.9 <= took <= 6, took  # 3 s (rounded up to the second), give or take the control's tick
    assert store.votes(sample_meeting.id)[0].named[0] == ("Jane Smith", "for")
    assert [e.kind for e in store.timeline(sample_meeting.id)][-1] == "vote"


def test_bad_input_is_400_and_nothing_reaches_obs_or_the_store(room, raw, store, sample_meeting):
    outcome = room.act("vote", {"motion": "M", "for": 3, "against": 3, "result": "carried"})
    assert (outcome.ok, outcome.kind) == (False, "bad_input") and "casting vote" in outcome.message
    assert store.votes(sample_meeting.id) == [] and vote_seen(raw) == ("", {s: False for s in PUBLIC})


def test_a_vote_in_private_is_recorded_but_never_shown(room, raw, store, sample_meeting, obs_server):
    room.act("item", {"number": "5"})  # exempt: private by itself
    with Observer(obs_server.port, OBS_PASSWORD) as observer:
        t0 = time.monotonic()
        outcome = room.act("vote", {"motion": "That Mr X be dismissed", "for": 2, "against": 1, "result": "carried"})
        assert outcome.ok and "not shown on screen: the meeting is in private session" in outcome.message
        observer.wait_samples(3)
        assert observer.public_since(t0) == []
    assert vote_seen(raw) == ("", {s: False for s in PUBLIC})
    assert len(store.votes(sample_meeting.id)) == 1


def test_going_private_with_a_vote_showing_leaves_no_vote_text_on_air(room, raw, obs_server):
    room.act("speaker", {"name": "Jane Smith"})
    assert room.act("vote", {"motion": "M", "for": 2, "against": 1, "result": "carried"}).ok
    assert vote_seen(raw)[1] == {s: True for s in PUBLIC}
    with Observer(obs_server.port, OBS_PASSWORD) as observer:
        outcome = room.act("private")
        private_at = time.monotonic()
        assert outcome.ok, outcome
        observer.wait_samples(3)
        assert observer.public_since(private_at) == []
    # Not in the private scene, and in no scene that could come back on air: hidden and blank.
    assert wait_for(lambda: vote_seen(raw) == ("", {s: False for s in PUBLIC}), timeout=3)
    room.act("item", {"number": "6"})
    assert room.act("public").ok
    assert vote_seen(raw) == ("", {s: False for s in PUBLIC})  # readmitting the public brings no old result back


def test_cue_vote_goes_through_serve_and_bad_input_exits_2(room_config, obs, chamber_set, sample_meeting, tmp_path, raw):
    from meetstream.store import Store
    from test_serve import start_serve, stop_serve

    apply(obs, chamber_set)
    state = tmp_path / "state.sqlite3"
    with Store.open(state) as store:
        store.upsert_meeting(sample_meeting)
    served = start_serve(state, sample_meeting.id)
    try:
        served.call("POST", "/api/cue/chamber")
        served.call("POST", "/api/cue/item", {"number": "4"})
        env = dict(os.environ)
        env.pop("MEETSTREAM_OBS_PASSWORD")  # only the server has OBS: the cue must go through it

        def cue(*args):
            return subprocess.run([sys.executable, "-m", "meetstream", "cue", "vote", *args], env=env,
                                  capture_output=True, text=True, timeout=60)

        bad = cue("--motion", "M", "--for", "9", "--against", "3", "--result", "lost")
        assert bad.returncode == 2 and bad.stderr == "Error: for 9, against 3 means the motion was carried, not lost\n"
        good = cue("--motion", "That the application be approved", "--for", "2", "--against", "1", "--result", "carried",
                   "--named", "Jane Smith=for", "--named", "Khan=for", "--named", "Lowe=against")
        assert good.returncode == 0 and good.stdout.startswith("VOTE recorded on item 4: carried 2–1–0; on screen for 15 s"), good
        assert vote_seen(raw) == (SHOWN, {s: True for s in PUBLIC})
        status, answer = served.call("POST", "/api/cue/vote", {"motion": "M", "for": -1, "against": 0, "result": "lost"})
        assert status == 400 and answer["error"].startswith("for must be a whole number")
        status, s = served.call("GET", "/api/state")
        assert [v["line"] for v in s["votes"]] == ["carried 2–1–0"] and s["vote_on_screen"]
    finally:
        stop_serve(served)
    with Store.open(state) as store:
        assert len(store.votes(sample_meeting.id)) == 1


def test_the_console_records_a_vote_and_a_bad_one_comes_back_to_the_form(obs, director, store, sample_meeting, raw):
    import asyncio

    from meetstream.entrypoints.console import LiveConsole, VoteForm

    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, director, "chamber", sample_meeting)
    control = RoomControl(session, tick_every=3600)
    session.chamber()
    session.go_to_item("4")
    console = LiveConsole(control, refresh_every=3600)

    async def settle(pilot, check=lambda: True):
        deadline = time.monotonic() + 10
        while console.busy or not check():
            assert time.monotonic() < deadline, "the console did not settle"
            await pilot.pause(0.02)
        await pilot.pause(0.05)

    async def drive():
        async with console.run_test() as pilot:
            await settle(pilot, lambda: console.state is not None)
            await pilot.press("v")
            await settle(pilot, lambda: isinstance(console.screen, VoteForm))
            await pilot.press(*"That the application be approved", "enter", "3", "enter", "3", "enter", "enter",
                              *"carried", "enter", "enter")
            await settle(pilot, lambda: isinstance(console.screen, VoteForm) and console.screen.error)
            assert "a tie is decided by the chair's casting vote" in console.screen.error
            assert store.votes(sample_meeting.id) == [] and vote_seen(raw)[1] == {s: False for s in PUBLIC}
            await pilot.press("enter", "end", "backspace", "4", "enter", "enter", "enter", "enter", "enter")  # for: 3 -> 4
            await settle(pilot, lambda: not isinstance(console.screen, VoteForm))
            assert "VOTE recorded on item 4: carried 4–3–0; on screen for 15 s" in str(console.query_one("#message").render())

    try:
        asyncio.run(drive())
    finally:
        control.stop()
    assert vote_seen(raw) == ("Item 4 vote: CARRIED\nFor 4  ·  Against 3  ·  Abstain 0", {s: True for s in PUBLIC})
    assert [v.votes_for for v in store.votes(sample_meeting.id)] == [4]


def test_the_tablet_records_a_vote_and_shows_a_refusal_in_the_form(obs, director, store, sample_meeting, raw):
    from playwright.sync_api import expect, sync_playwright

    from meetstream.entrypoints.http.server import start_server
    from web_helpers import PageErrors, launch, pair

    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, director, "chamber", sample_meeting)
    control = RoomControl(session, tick_every=3600).start()
    session.chamber()
    session.go_to_item("4")
    server = start_server(control, host="127.0.0.1", port=0)
    try:
        with sync_playwright() as p:
            browser = launch(p)
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            pair(context, server.url, server.access)  # the tablet, paired once
            page = context.new_page()
            errors = PageErrors(page)
            page.goto(server.url + "/")
            expect(page.get_by_test_id("banner")).to_have_text("ON AIR")
            page.keyboard.press("v")
            expect(page.get_by_test_id("vote-dialog")).to_be_visible()
            page.get_by_test_id("vote-motion").fill("That the application be approved")
            page.get_by_test_id("vote-for").fill("2")
            page.get_by_test_id("vote-against").fill("1")
            page.locator("#vote-named-box summary").click()
            page.get_by_test_id("vote-named").locator("select").nth(0).select_option("for")  # Jane Smith only: 1 of 2 for
            page.get_by_test_id("vote-record").click()
            expect(page.get_by_test_id("vote-error")).to_contain_text("the named votes give for 1")
            assert store.votes(sample_meeting.id) == [] and vote_seen(raw)[1] == {s: False for s in PUBLIC}
            page.get_by_test_id("vote-named").locator("select").nth(1).select_option("for")
            page.get_by_test_id("vote-named").locator("select").nth(2).select_option("against")
            page.get_by_test_id("vote-record").click()
            expect(page.get_by_test_id("vote-dialog")).to_be_hidden()
            expect(page.get_by_test_id("result")).to_contain_text("VOTE recorded on item 4: carried 2–1–0")
            expect(page.get_by_test_id("last-actions")).to_contain_text("Vote on item 4: carried 2–1–0")
            assert errors.errors == []
            browser.close()
    finally:
        server.stop()
        control.stop()
    assert vote_seen(raw) == (SHOWN, {s: True for s in PUBLIC})
    assert store.votes(sample_meeting.id)[0].named == (("Jane Smith", "for"), ("Amir Khan", "for"), ("Peter Lowe", "against"))
