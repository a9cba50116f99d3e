"""The web console's resolutions in Debian's Chromium, against the room's API over a real
RoomControl and the real OBS: the armed badge and why, the stay-public flow (its question
answers No by default), a withheld title shown as its number only, and an exclusion.

Every step is checked on the OBS side with the test's own obs-websocket calls. Screenshots go to
tests/artifacts/web-console/ (resolution-*.png)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from meetstream.core.domain import AgendaItem
from meetstream.entrypoints.http.server import start_server
from meetstream.services.control import RoomControl
from meetstream.services.session import LiveSession
from web_helpers import TABLET_LANDSCAPE, PageErrors, launch, shot

pytestmark = pytest.mark.obs


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def meeting(sample_meeting):
    # Item 6: the agenda withholds its title ("Confidential item") and cites paragraph 1.
    agenda = sample_meeting.agenda[:5] + (AgendaItem("6", "Confidential item", exempt=True, withheld=True,
                                                     paragraphs=("1",), reason="marked exempt in its title"),
                                         AgendaItem("7", "Any other business"))
    return replace(sample_meeting, agenda=agenda)


@pytest.fixture
def served(director, store, meeting, browser):
    store.upsert_meeting(meeting)
    control = RoomControl(LiveSession(store, director, "chamber", meeting)).start()
    running = start_server(control, host="127.0.0.1", port=0)
    context = browser.new_context(viewport=TABLET_LANDSCAPE)
    # This tablet was paired once (the pairing page itself is tested in test_browser_attack.py).
    _, cookie = running.access.devices.add("Clerk's tablet")
    context.add_cookies([{"name": running.access.cookie_name, "value": cookie, "url": running.url}])
    yield control, running, context
    context.close()
    running.stop()
    control.stop()


def obs_text(obs, name="Agenda overlay") -> str:
    return obs.call("GetInputSettings", {"inputName": name})["inputSettings"].get("text", "")


def program(obs) -> str:
    return obs.call("GetCurrentProgramScene")["currentProgramSceneName"]


def mics_live(obs) -> bool:
    return not obs.call("GetInputMute", {"inputName": "Chamber microphones"})["inputMuted"]


def open_console(context, url):
    from playwright.sync_api import expect

    page = context.new_page()
    errors = PageErrors(page)
    page.goto(url)
    expect(page.locator("#banner")).not_to_have_text("…")
    return page, errors


def stay_public(page, items: str, reason: str, typed: str = ""):
    from playwright.sync_api import expect

    page.click("#stay-public-open")
    expect(page.locator("#resolution-dialog")).to_be_visible()
    expect(page.locator("#resolution-items")).to_have_value(items)  # the armed item, filled in
    page.select_option("#resolution-reason", reason)
    if typed:
        page.fill("#resolution-reason-text", typed)
    page.click("#resolution-go")
    expect(page.locator("#confirm")).to_be_visible()


def test_the_armed_badge_and_the_stay_public_flow(served, obs, store):
    from playwright.sync_api import expect

    control, running, context = served
    control.act("chamber")
    control.act("item", {"number": "4"})
    page, errors = open_console(context, running.url + "/")
    expect(page.locator("#now-item")).to_have_text("4. Planning application CHE/22/00123")

    # Next: the armed item, and why, before it is reached.
    expect(page.locator("#next-item")).to_contain_text("5. Exempt item (public excluded)")
    expect(page.locator("#next-item")).to_contain_text(
        "marked exempt: goes private unless the meeting resolves to stay public")
    expect(page.locator("#next-item .badge.exempt")).to_have_text("exempt: goes PRIVATE")
    expect(page.locator('#agenda li[data-number="6"] .badge.exempt')).to_have_text("exempt")
    shot(page, "resolution-armed-next", docs=True)

    page.click("#next")
    expect(page.locator("#banner")).to_have_text("PRIVATE")
    assert program(obs) == "Private session" and not mics_live(obs)

    # Staying public: the question's default is No. Enter answers it, and nothing changes.
    stay_public(page, "5", "no_reference")
    expect(page.locator("#confirm-no")).to_be_focused()
    shot(page, "resolution-stay-public-question", docs=True)
    page.keyboard.press("Enter")
    expect(page.locator("#confirm")).to_be_hidden()
    expect(page.locator("#result")).to_contain_text("not done (answered No)")
    assert program(obs) == "Private session" and not mics_live(obs)
    assert store.resolutions(control.session.meeting.id) == []

    # Yes: the public is readmitted at item 5, its title on the overlay.
    stay_public(page, "5", "no_reference")
    page.click("#confirm-yes")  # armed after a moment: the click waits for it
    expect(page.locator("#banner")).to_have_text("ON AIR")
    expect(page.locator("#now-item")).to_contain_text("5. Staffing restructure (Part 2)")
    expect(page.locator("#now-item .badge.stays")).to_have_text("stays public")
    assert program(obs) == "Chamber" and mics_live(obs)
    assert obs_text(obs) == "5. Staffing restructure (Part 2)"
    shot(page, "resolution-stays-public", docs=True)

    # Item 6 withholds its title: staying public shows its number only, on the page and in OBS.
    page.click("#next")
    expect(page.locator("#banner")).to_have_text("PRIVATE")
    stay_public(page, "6", "other", typed="Chair ruled the item could be taken in public")
    page.click("#confirm-yes")
    expect(page.locator("#banner")).to_have_text("ON AIR")
    expect(page.locator("#now-item")).to_contain_text(re.compile(r"^6\.\s*stays public"))
    assert obs_text(obs) == "6."
    assert "Confidential item" not in page.content()
    shot(page, "resolution-withheld-title", docs=True)

    # Excluding the public for item 7 (the current one): private at once, the paragraph typed.
    page.click("#next")
    expect(page.locator("#banner")).to_have_text("ON AIR")
    page.click("#exclude-open")
    expect(page.locator("#resolution-items")).to_have_value("7")
    page.fill("#resolution-paragraph", "3")
    page.click("#resolution-go")
    expect(page.locator("#confirm-yes")).to_be_focused()  # the safe way: Yes by default
    page.keyboard.press("Enter")
    expect(page.locator("#banner")).to_have_text("PRIVATE")
    assert program(obs) == "Private session" and not mics_live(obs)
    kinds = [e.detail["resolution"] for e in store.resolutions(control.session.meeting.id)]
    assert kinds == ["public", "public", "exclude"]
    assert errors.errors == []


def test_a_bad_resolution_stays_in_the_form_with_the_reason(served, obs, store):
    from playwright.sync_api import expect

    control, running, context = served
    control.act("chamber")
    control.act("item", {"number": "3"})
    page, errors = open_console(context, running.url + "/")
    page.click("#exclude-open")
    page.fill("#resolution-items", "3")
    page.fill("#resolution-paragraph", "9")
    page.click("#resolution-go")
    expect(page.locator("#resolution-error")).to_contain_text("Schedule 12A paragraphs are 1 to 7")
    expect(page.locator("#confirm")).to_be_hidden()
    assert program(obs) == "Chamber" and store.resolutions(control.session.meeting.id) == []
    assert errors.errors == []
