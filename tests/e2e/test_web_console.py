"""The web console (meetstream/entrypoints/http/web/) in Debian's Chromium, driven by Playwright, against
the room's API (meetstream.entrypoints.http.server) over a real RoomControl, the real OBS and the store.

Every step the page takes is checked on the OBS side with the test's own obs-websocket client,
not only on the page. Screenshots go to tests/artifacts/web-console/; with
MEETSTREAM_DOCS_SCREENSHOTS=1 a set is also copied to docs/screenshots/ for the documentation."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request

import pytest

from helpers import wait_until
from meetstream.services.control import RoomControl
from meetstream.entrypoints.http.server import start_server
from meetstream.core.domain import SessionState
from meetstream.adapters.obs.output import ObsOutputs
from meetstream.services.session import LiveSession
from meetstream.services.watchdog import Watchdog
from web_helpers import PHONE, TABLET_LANDSCAPE, TABLET_PORTRAIT, PageErrors, axe_violations, explain, launch, pair, shot

pytestmark = pytest.mark.obs

TOKEN = "tablet-token-5f81c2d9"

# Counts every confirmation the page shows: a refused action must never ask.
COUNT_QUESTIONS = """
    window.__questions = 0;
    const showModal = HTMLDialogElement.prototype.showModal;
    HTMLDialogElement.prototype.showModal = function () { window.__questions += 1; return showModal.call(this); };
"""


@pytest.fixture(scope="module")
def browser():
    """One Chromium for all the tests here. Not for the whole session: while Playwright's sync API
    is started, its event loop counts as running in the main thread, and every later test that
    calls asyncio.run() (the Textual console's) fails with "cannot be called from a running event loop"."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is not installed: `.venv/bin/pip install playwright` (never `playwright install`: "
                    "the tests use Debian's /usr/bin/chromium)")

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def room(obs, director, store, sample_meeting):
    """The room's control as `meetstream serve` runs it: watchdog ticking, End wired to the real end."""
    from meetstream.services.night import end_meeting

    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, director, "chamber", sample_meeting)
    control = RoomControl(session, Watchdog(session, ObsOutputs(obs)),
                          on_end=lambda: end_meeting(session, ObsOutputs(obs), None)).start()
    yield control
    control.stop()


class Pages:
    """Browser contexts opened on the console; closed before any server stops (a connected
    WebSocket holds up RunningServer.stop(): see the last test)."""

    def __init__(self, browser):
        self.browser, self.contexts = browser, []
        self.servers: dict = {}  # url -> its access: a context opened on it is paired first

    def serving(self, running):
        """Contexts opened on `running` are paired with it, as a tablet is once (not with ?token=)."""
        self.servers[running.url] = running.access
        return running

    def open(self, url: str, viewport=TABLET_LANDSCAPE, *, setup=None, **context_args):
        """A new context (viewport, phone emulation…) with the console open; `setup(context)` runs first."""
        from playwright.sync_api import expect

        context = self.browser.new_context(viewport=viewport, **context_args)
        self.contexts.append(context)
        context.add_init_script(COUNT_QUESTIONS)
        if setup is not None:
            setup(context)
        for served, access in self.servers.items():
            if url.startswith(served + "/") and "token=" not in url:
                pair(context, served, access)
        page = context.new_page()
        errors = PageErrors(page)
        page.goto(url)
        expect(page.locator("#banner")).not_to_have_text("…")
        return page, errors

    def close_all(self) -> None:
        while self.contexts:
            self.contexts.pop().close()


@pytest.fixture
def pages(browser):
    opened = Pages(browser)
    yield opened
    opened.close_all()


@pytest.fixture
def console(pages):
    return pages.open


@pytest.fixture
def server(room, pages):
    running = pages.serving(start_server(room, host="127.0.0.1", port=0))
    yield running
    pages.close_all()
    running.stop()


def program(obs) -> str:
    return obs.call("GetCurrentProgramScene")["currentProgramSceneName"]


def muted(obs, name="Chamber microphones") -> bool:
    return obs.call("GetInputMute", {"inputName": name})["inputMuted"]


def lower_third(obs) -> str:
    return obs.call("GetInputSettings", {"inputName": "Lower third"})["inputSettings"]["text"]


def preview_loaded(page, *, fresh: bool = True) -> None:
    """A program picture has been shown; `fresh`: one taken after now (serve keeps one for up to a second)."""
    after = page.evaluate("Date.now()") + 1100 if fresh else 0
    page.wait_for_function("(after) => { const i = document.querySelector('#preview');"
                           " return Number(i.dataset.at) > after && i.complete && i.naturalWidth > 0; }",
                           arg=after, timeout=10_000)


def questions(page) -> int:
    return page.evaluate("window.__questions")


def test_a_whole_meeting_from_the_tablet(console, server, room, obs, store, sample_meeting):
    from playwright.sync_api import expect

    room.session.chamber()
    room.session.go_to_item("3")
    page, errors = console(server.url + "/")
    posts = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r.url.removeprefix(server.url)))
    phone, phone_errors = console(server.url + "/", PHONE, is_mobile=True, has_touch=True)
    expect(page.locator("#banner")).to_have_text("ON AIR")
    expect(page.locator("#conn")).to_have_text("Live")
    expect(page.locator("#committee")).to_contain_text("Planning Committee")
    expect(page.locator('#agenda li[data-number="3"]')).to_have_class(re.compile(r"\bcurrent\b"))
    expect(page.locator('#agenda li[data-number="5"]')).to_contain_text("exempt")
    assert "Staffing" not in page.content()  # an exempt item's title never reaches the page

    # Next: item 4 on air.
    page.click("#next")
    expect(page.locator('#agenda li[data-number="4"]')).to_have_class(re.compile(r"\bcurrent\b"))
    expect(page.locator("#now-item")).to_have_text("4. Planning application CHE/22/00123")
    expect(page.locator("#next-item")).to_contain_text("5. Exempt item (public excluded)")
    assert room.session.item_number == "4" and program(obs) == "Chamber"

    # The member picker: "Smi" leaves Jane Smith; a tap cues her.
    page.fill("#member-search", "Smi")
    expect(page.locator("#members [data-member]")).to_have_count(1)
    page.click('[data-member="Jane Smith"]')
    expect(page.locator("#now-speaker")).to_have_text("Cllr Jane Smith")
    wait_until("OBS program Speaker", lambda: program(obs) == "Speaker")
    assert lower_third(obs).startswith("Cllr Jane Smith")
    expect(page.locator('[data-member="Jane Smith"]')).to_have_attribute("aria-current", "true")

    # A one-off speaker typed in.
    page.fill("#oneoff", "Mr J Brown, Applicant")
    page.press("#oneoff", "Enter")
    expect(page.locator("#now-speaker")).to_have_text("Mr J Brown, Applicant")
    expect(page.locator("#oneoff")).to_have_value("")
    assert lower_third(obs) == "Mr J Brown, Applicant" and program(obs) == "Chamber"
    page.fill("#member-search", "")
    preview_loaded(page)
    expect(page.locator("#last-actions li").first).to_contain_text("Speaker: Mr J Brown, Applicant")
    shot(page, "tablet-on-air", docs=True)

    # Next: item 5 is exempt, so the meeting goes PRIVATE by itself.
    page.click("#next")
    expect(page.locator("#banner")).to_have_text("PRIVATE")
    expect(page.locator("#banner")).to_have_css("background-color", "rgb(176, 0, 32)")
    wait_until("OBS program 'Private session'", lambda: program(obs) == "Private session")
    assert muted(obs) and muted(obs, "Teams audio")
    expect(phone.locator("#banner")).to_have_text("PRIVATE")  # the other surface follows over its WebSocket

    # Public on an exempt item: the button says why (its title), and a tap is refused before any question.
    expect(page.locator("#public")).to_have_attribute("title", re.compile("item 5 is exempt"))
    page.click("#public")
    expect(page.locator("#message")).to_be_visible()
    expect(page.locator("#message")).to_contain_text("item 5 is exempt")
    expect(page.locator("#message")).to_have_attribute("role", "alert")
    expect(page.locator("#confirm")).not_to_be_visible()
    assert questions(page) == 0
    assert program(obs) == "Private session" and room.session.state is SessionState.PRIVATE
    expect(page.locator("#health-program")).to_have_text("Private session")  # the watchdog's read of OBS
    preview_loaded(page)
    shot(page, "tablet-private-refused", docs=True)
    preview_loaded(phone)
    shot(phone, "phone-private", docs=True)

    # Next: item 6, still private (moving on never readmits the public).
    page.click("#next")
    expect(page.locator('#agenda li[data-number="6"]')).to_have_class(re.compile(r"\bcurrent\b"))
    expect(page.locator("#banner")).to_have_text("PRIVATE")
    assert program(obs) == "Private session" and room.session.item_number == "6"

    # Public asks, with No focused: Enter answers No.
    page.click("#public")
    expect(page.locator("#confirm")).to_be_visible()
    expect(page.locator("#confirm-no")).to_be_focused()
    expect(page.locator("#confirm-question")).to_have_text("Readmit the public?")
    expect(page.locator("#confirm-yes")).to_be_enabled()  # armed a moment after it shows
    shot(page, "tablet-confirm-public", docs=True)
    page.keyboard.press("Enter")
    expect(page.locator("#confirm")).not_to_be_visible()
    expect(page.locator("#result")).to_have_text("Public: not done (answered No)")
    time.sleep(0.3)
    assert "/api/cue/public" not in posts
    assert program(obs) == "Private session" and muted(obs) and room.session.state is SessionState.PRIVATE
    expect(page.locator("#banner")).to_have_text("PRIVATE")

    # Public again, Yes: ON AIR.
    page.click("#public")
    expect(page.locator("#confirm-no")).to_be_focused()
    page.click("#confirm-yes")
    expect(page.locator("#banner")).to_have_text("ON AIR")
    assert program(obs) == "Chamber" and not muted(obs)
    assert questions(page) == 2 and posts.count("/api/cue/public") == 1

    # End asks (No by default); Yes ends the meeting.
    page.click("#end")
    expect(page.locator("#confirm-no")).to_be_focused()
    expect(page.locator("#confirm-question")).to_have_text("End the meeting?")
    page.click("#confirm-yes")
    expect(page.locator("#banner")).to_have_text("ADJOURNED", timeout=30_000)
    expect(page.locator("#result")).to_contain_text(": on air for")  # End's summary, as the command line prints it
    expect(page.locator("#result")).to_contain_text("Agenda items covered: 3, 4, 5, 6")
    wait_until("OBS program Adjourned", lambda: program(obs) == "Adjourned")
    assert muted(obs)
    preview_loaded(page)
    shot(page, "tablet-adjourned")

    kinds = [e.kind for e in store.timeline(sample_meeting.id)]
    assert kinds == ["chamber", "item", "item", "speaker", "speaker", "private", "item", "public", "adjourned", "end"]
    assert errors.errors == [] and phone_errors.errors == []


def test_keys_work_like_the_textual_console_but_not_while_typing(console, server, room, obs):
    from playwright.sync_api import expect

    room.session.chamber()
    page, errors = console(server.url + "/")
    expect(page.locator("#banner")).to_have_text("ON AIR")
    page.keyboard.press("g")
    wait_until("OBS program Teams gallery", lambda: program(obs) != "Chamber")
    gallery = program(obs)
    page.keyboard.press("c")
    wait_until("OBS program Chamber", lambda: program(obs) == "Chamber")
    page.keyboard.press("n")
    expect(page.locator('#agenda li[data-number="1"]')).to_have_class(re.compile(r"\bcurrent\b"))

    page.keyboard.press("/")  # focuses the member search: letters typed there are a name, not keys
    expect(page.locator("#member-search")).to_be_focused()
    page.keyboard.type("khan")
    expect(page.locator("#members [data-member]")).to_have_count(1)
    assert room.session.item_number == "1" and program(obs) == "Chamber"  # no n, no h acted
    page.keyboard.press("Enter")  # the only match: cued
    expect(page.locator("#now-speaker")).to_have_text("Cllr Amir Khan")
    page.keyboard.press("Escape")  # leaves the search box; keys act again
    page.keyboard.press("a")
    wait_until("OBS program Agenda", lambda: program(obs) not in ("Chamber", "Speaker", gallery))

    # x asks (Yes is the default for going private); Esc says No.
    page.keyboard.press("x")
    expect(page.locator("#confirm")).to_be_visible()
    expect(page.locator("#confirm-yes")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#confirm")).not_to_be_visible()
    assert room.session.state is SessionState.ON_AIR
    page.keyboard.press("x")
    expect(page.locator("#confirm")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#banner")).to_have_text("PRIVATE")
    wait_until("OBS program 'Private session'", lambda: program(obs) == "Private session")

    # A key whose action is refused: the server's reason, in the page's words.
    page.keyboard.press("c")
    expect(page.locator("#message")).to_contain_text("readmit the public with Public first")
    assert program(obs) == "Private session"

    # End: a tap outside the question is No.
    page.keyboard.press("e")
    expect(page.locator("#confirm-no")).to_be_focused()
    page.mouse.click(5, 5)
    expect(page.locator("#confirm")).not_to_be_visible()
    assert room.session.state is SessionState.PRIVATE and program(obs) == "Private session"
    assert errors.errors == []


def test_the_tablet_with_a_token_and_everything_without_it_refused(browser, pages, room, obs):
    from playwright.sync_api import expect

    room.session.chamber()
    running = start_server(room, host="127.0.0.1", port=0, token=TOKEN)
    try:
        for path in ("/", "/static/app.js", "/static/style.css", "/api/state", "/api/preview.jpg", "/api/ws",
                     "/api/check/public", f"/?token=wrong-{TOKEN}"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(running.url + path, timeout=10)
            assert refused.value.code == 401, path
        req = urllib.request.Request(running.url + "/api/cue/private", method="POST", data=b"{}")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(req, timeout=10)
        assert refused.value.code == 401 and room.session.state is SessionState.ON_AIR

        page, errors = pages.open(f"{running.url}/?token={TOKEN}")
        unauthorised = []
        page.on("response", lambda r: r.status == 401 and unauthorised.append(r.url))
        expect(page.locator("#banner")).to_have_text("ON AIR")
        expect(page.locator("#conn")).to_have_text("Live")  # the WebSocket opened with ?token=
        expect(page.locator("#banner")).to_have_css("font-weight", "800")  # the stylesheet came with it
        preview_loaded(page)  # the picture, with the token
        page.click("#gallery")
        wait_until("OBS program away from Chamber", lambda: program(obs) != "Chamber")
        page.click("#private")
        page.click("#confirm-yes")
        expect(page.locator("#banner")).to_have_text("PRIVATE")
        assert program(obs) == "Private session"
        assert unauthorised == [] and errors.errors == []

        bare = browser.new_page()
        assert bare.goto(running.url + "/").status == 401
        bare.close()
    finally:
        pages.close_all()
        running.stop()


class Outage:
    """The tablet's network between it and serve, which the test can cut: every API request is
    refused and every WebSocket closed while it is down (Playwright's routing, page side)."""

    API = re.compile(r".*/api/.*")
    WS = re.compile(r".*/api/ws.*")

    def __init__(self):
        self.down = False
        self.sockets = []

    def install(self, context) -> None:
        context.route(self.API, self._request)
        context.route_web_socket(self.WS, self._socket)

    def _request(self, route) -> None:
        if self.down:
            route.abort("connectionrefused")
        else:
            route.continue_()

    def _socket(self, ws) -> None:
        if self.down:
            ws.close()
            return
        ws.connect_to_server()
        self.sockets.append(ws)

    def cut(self) -> None:
        self.down = True
        while self.sockets:
            self.sockets.pop().close()

    def mend(self) -> None:
        self.down = False


def test_the_page_says_when_the_connection_is_lost_and_carries_on_when_it_is_back(console, server, room, obs):
    from playwright.sync_api import expect

    room.session.chamber()
    outage = Outage()
    page, errors = console(server.url + "/", setup=outage.install)
    expect(page.locator("#conn")).to_have_text("Live")
    outage.cut()
    expect(page.locator("#conn")).to_contain_text("Connection lost — retrying", timeout=10_000)
    expect(page.locator("body")).to_have_attribute("data-conn", "lost")
    page.click("#gallery")  # nothing to send it to: said, not pretended
    expect(page.locator("#message")).to_contain_text("cannot reach meetstream serve")
    assert program(obs) == "Chamber"
    shot(page, "tablet-connection-lost", docs=True)
    room.act("recess")  # the meeting moves on meanwhile (another surface)
    outage.mend()
    expect(page.locator("#banner")).to_have_text("RECESS", timeout=10_000)
    expect(page.locator("#conn")).to_have_text("Live", timeout=15_000)  # the WebSocket again, not polling
    assert program(obs) == "Recess"
    assert errors.errors == []


def test_without_a_websocket_the_page_follows_by_polling(console, server, room, obs):
    from playwright.sync_api import expect

    room.session.chamber()
    drop = lambda context: context.route_web_socket(re.compile(r".*/api/ws.*"), lambda ws: ws.close())  # noqa: E731
    page, errors = console(server.url + "/", setup=drop)  # a proxy in between that drops WebSockets
    expect(page.locator("#banner")).to_have_text("ON AIR")
    expect(page.locator("#conn")).to_have_text("Live (polling every 2 s)")
    room.act("gallery")
    room.act("recess")
    expect(page.locator("#banner")).to_have_text("RECESS", timeout=5_000)
    page.click("#resume")
    expect(page.locator("#banner")).to_have_text("ON AIR")
    assert program(obs) == "Chamber"
    assert errors.errors == []


def test_portrait_and_phone_layouts_keep_every_control_reachable_and_large(console, server, room):
    from playwright.sync_api import expect

    room.session.chamber()
    room.session.go_to_item("4")
    for name, viewport, extra in (("tablet-portrait", TABLET_PORTRAIT, {}),
                                  ("phone", PHONE, {"is_mobile": True, "has_touch": True}),
                                  ("tablet-landscape", TABLET_LANDSCAPE, {})):
        page, errors = console(server.url + "/", viewport, **extra)
        expect(page.locator("#banner")).to_have_text("ON AIR")
        preview_loaded(page, fresh=False)
        small = page.evaluate("""() => [...document.querySelectorAll('button, input')]
            .filter(e => e.offsetParent !== null && e.id !== 'confirm-yes' && e.id !== 'confirm-no')
            .map(e => { const r = e.getBoundingClientRect(); return {id: e.id || e.dataset.member || e.textContent.trim(), w: r.width, h: r.height}; })
            .filter(r => r.w < 48 || r.h < 48)""")
        assert small == [], f"{name}: touch targets under 48 px: {small}"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: the page scrolls sideways ({width} px)"
        if name == "tablet-landscape":  # one screen: every action is visible without scrolling
            for button in page.locator("#controls button:visible").all():  # Auto shows only in a room with microphones
                expect(button).to_be_in_viewport()
            expect(page.locator("#preview")).to_be_in_viewport()
            expect(page.locator("#member-search")).to_be_in_viewport()
        shot(page, name, docs=name == "tablet-portrait", full_page=name != "tablet-landscape")
        assert errors.errors == []


def test_no_serious_accessibility_violations(console, server, room):
    """axe-core's WCAG 2.1 A/AA rules (contrast, labels, names, landmarks) on each state a clerk
    sees: on air, private with a refusal showing, a question open, and on a phone."""
    from playwright.sync_api import expect

    room.session.chamber()
    room.session.go_to_item("4")
    page, _ = console(server.url + "/")
    expect(page.locator("#banner")).to_have_text("ON AIR")
    preview_loaded(page)
    assert (v := axe_violations(page)) == [], explain(v)
    page.click("#next")
    expect(page.locator("#banner")).to_have_text("PRIVATE")
    page.click("#public")  # on the exempt item: the tap is refused with a message
    expect(page.locator("#message")).to_be_visible()
    assert (v := axe_violations(page)) == [], explain(v)
    page.click("#next")
    page.click("#public")
    expect(page.locator("#confirm")).to_be_visible()
    assert (v := axe_violations(page)) == [], explain(v)
    page.keyboard.press("Escape")
    phone, _ = console(server.url + "/", PHONE, is_mobile=True, has_touch=True)
    expect(phone.locator("#banner")).to_have_text("PRIVATE")
    assert (v := axe_violations(phone)) == [], explain(v)


def test_serve_stopping_with_a_tablet_connected_stops_at_once_and_the_tablet_says_so(console, pages, room):
    from playwright.sync_api import expect

    room.session.chamber()
    running = pages.serving(start_server(room, host="127.0.0.1", port=0))
    page, _ = console(running.url + "/")
    expect(page.locator("#conn")).to_have_text("Live")
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 5
    expect(page.locator("#conn")).to_contain_text("Connection lost — retrying", timeout=10_000)
