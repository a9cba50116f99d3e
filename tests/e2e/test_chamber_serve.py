"""The automatic director in a real `meetstream serve`, configured as a council would (a DICENTIS
system, a seat map file), on the real OBS: `cue auto on` from the command line, a microphone on
puts its member and name on program, the officer's cue holds the picture until the next
microphone change, and the web console (Chromium, paired) shows the microphone map and the queue.

What OBS shows is read by the test's own obs-websocket client, never by meetstream's read-back.
Screenshot: tests/artifacts/web-console/chamber-microphones.png."""

from __future__ import annotations

import time

import pytest

from meetstream.sandbox.chamber.dicentis import DicentisSimulator
from test_serve import cue, meeting, start_serve, stop_serve  # noqa: F401  (meeting: the fixture)
from web_helpers import TABLET_LANDSCAPE, PageErrors, launch, shot

pytestmark = pytest.mark.obs

SEATS = {"s1": "Cllr Jane Smith", "s2": "Cllr Amir Khan", "s3": "Cllr Peter Lowe", "s9": "Visitor"}


def on_program(obs) -> tuple[str, str]:
    """(program scene, the lower third's text if it is shown there, else "")."""
    program = obs.call("GetCurrentProgramScene")["currentProgramSceneName"]
    items = obs.call("GetSceneItemList", {"sceneName": program})["sceneItems"]
    shown = any(i["sourceName"] == "Lower third" and i["sceneItemEnabled"] for i in items)
    text = obs.call("GetInputSettings", {"inputName": "Lower third"})["inputSettings"].get("text", "")
    return program, text if shown else ""


def until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def chamber_room(room_config, meeting, tmp_path, monkeypatch):  # noqa: F811
    sim = DicentisSimulator(seats=dict(SEATS)).start()
    (tmp_path / "seats.yaml").write_text(
        "seats:\n"
        "  - {mic: s1, member: Jane Smith, priority: true}\n"
        "  - {mic: s2, member: Amir Khan}\n"
        "  - {mic: s3, member: Peter Lowe}\n")
    port = int(sim.url.split(":")[2].split("/")[0])
    room_config.write_text(room_config.read_text() +
                           "    chamber:\n"
                           f"      system: {{kind: dicentis, host: 127.0.0.1, port: {port}, user: api, verify_tls: false}}\n"
                           "      seat_map: seats.yaml\n"
                           "      min_shot: 1\n"
                           "      hold: 0.5\n")
    monkeypatch.setenv("MEETSTREAM_CHAMBER_PASSWORD", "secret")
    yield sim, meeting
    sim.stop()


def test_the_chamber_directs_through_serve_and_the_officer_takes_over(chamber_room, obs, tmp_path):
    sim, meeting = chamber_room
    served = start_serve(tmp_path / "state.sqlite3", meeting.id)
    try:
        assert cue("chamber").returncode == 0
        assert cue("item", "4").returncode == 0
        sim.speak("s2")
        time.sleep(1.5)
        assert on_program(obs)[1] == ""  # auto is off: the microphone is followed, the picture is the officer's
        done = cue("auto", "on")
        assert done.returncode == 0 and "AUTO DIRECTOR ON" in done.stdout, done
        sim.stop_speaking("s2")
        sim.speak("s3")
        got = until(lambda: on_program(obs)[1] == "Cllr Peter Lowe, Dunston")
        assert got, on_program(obs)
        # The officer's cue holds the picture until the next microphone change.
        assert cue("gallery").returncode == 0
        time.sleep(1.5)
        assert on_program(obs)[0] == "Gallery"
        sim.request("s1")
        sim.stop_speaking("s3")
        sim.speak("s2")
        assert until(lambda: on_program(obs)[1] == "Cllr Amir Khan, Vice-Chair, Hasland"), on_program(obs)
        # An unknown seat: the chamber, with no name.
        sim.stop_speaking("s2")
        sim.speak("s9")
        assert until(lambda: on_program(obs) == ("Chamber", "")), on_program(obs)
        sim.stop_speaking("s9")
        sim.request("s3")
        queue = lambda: [q["member"] for q in served.call("GET", "/api/state")[1]["chamber"]["queue"]]  # noqa: E731
        assert until(lambda: queue() == ["Cllr Jane Smith", "Cllr Peter Lowe"]), queue()
        assert served.call("GET", "/api/state")[1]["chamber"]["auto"] is True
        assert served.call("GET", "/api/button/auto")[1]["active"] is True  # Companion's key lights

        # The web console shows the map and the queue (paired once, as a tablet is).
        from playwright.sync_api import expect, sync_playwright

        with sync_playwright() as p:
            browser = launch(p)
            try:
                context = browser.new_context(viewport=TABLET_LANDSCAPE)
                code = _pairing_code(served)
                response = context.request.post(served.url + "/api/pair", data={"code": code, "name": "test tablet"})
                assert response.ok, response.text()
                page = context.new_page()
                errors = PageErrors(page)
                sim.speak("s1")
                page.goto(served.url + "/")
                expect(page.locator("#chamber-panel")).to_be_visible()
                expect(page.locator('#chamber-seats li[data-mic="s1"]')).to_have_attribute("data-state", "on")
                expect(page.locator("#chamber-queue")).to_contain_text("Cllr Peter Lowe")
                expect(page.locator("#chamber-auto")).to_contain_text("AUTO")
                expect(page.locator("#auto")).to_have_attribute("aria-pressed", "true")
                shot(page, "chamber-microphones", docs=True)
                page.click("#auto")  # the officer turns it off from the tablet
                expect(page.locator("#auto")).to_have_attribute("aria-pressed", "false")
                assert errors.errors == []
            finally:
                browser.close()
        status, state = served.call("GET", "/api/state")
        assert state["chamber"]["auto"] is False
        kinds = [a["text"] for a in state["last_actions"]]
        assert "Auto director off" in kinds and any(t.endswith("(auto)") for t in kinds)
    finally:
        stop_serve(served)


def _pairing_code(served) -> str:
    """A pairing code from the running serve, asked as `meetstream serve --pair` asks (the room key)."""
    status, got = served.call("POST", "/api/pair/code", {})
    assert status == 200, got
    return got["code"]
