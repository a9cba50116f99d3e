"""A web page the officer happens to open cannot drive the webcast: Debian's Chromium, a real
`meetstream serve` process on the real headless OBS, and an attacker page served from another
origin (a second local HTTP server on another port) and from a rebinding-style name
(`evil.example`, which Chromium is told resolves to 127.0.0.1).

The page tries what a page can send without asking: form posts (urlencoded and text/plain with a
JSON-looking body), "simple" text/plain fetches, JSON fetches (which need a preflight), a no-cors
read of the state, the preview as an image, and the state WebSocket, against private, adjourned,
vote, end and a one-off speaker's lower third. Every one is refused (the browser's view and the
server's answers), and the test's own obs-websocket client and the store show nothing changed:
before the browser is paired, after it is paired (its SameSite=Strict cookie rides along to
127.0.0.1 on another port: same site), and once DNS has "rebound" the attacker's name to this PC.
Then the paired web console still works, and so does Companion's request (its documented header).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers import OBS_PASSWORD, wait_until
from meetstream.adapters.obs.build import apply
from meetstream.adapters.obs.headless import free_port
from meetstream.core.domain import AgendaItem
from meetstream.store import Store
from private_observer import RawObs
from web_helpers import CHROMIUM, CHROMIUM_ARGS, PageErrors, axe_violations, explain

pytestmark = pytest.mark.obs

MEETSTREAM = [sys.executable, "-m", "meetstream"]
EVIL = "EVIL PAGE WAS HERE"
REBOUND = "evil.example"  # never resolved by DNS: Chromium maps it to 127.0.0.1 (--host-resolver-rules)
ACTIONS = {  # what the page asks for, as the control API's bodies
    "private": {},
    "adjourned": {},
    "vote": {"motion": EVIL, "for": 9, "against": 0, "abstain": 0, "result": "carried"},
    "end": {},
    "speaker": {"oneoff": EVIL},
}

ATTACKER_JS = r"""
(() => {
  const TARGET = %(target)s;          // "" when the page is same-origin with serve (DNS rebound)
  const PHASE = %(phase)s;
  const ACTIONS = %(actions)s;
  window.__attacks = [];              // {id, kind, action}
  window.__js = {};                   // id -> what the page itself saw
  let n = 0;
  const next = (kind, action) => { const id = `${PHASE}-${++n}`; __attacks.push({id, kind, action}); return id; };
  const cue = (action, id) => `${TARGET}/api/cue/${action}?attack=${id}`;

  function form(action, enctype, fields) {
    const id = next(`form ${enctype}`, action);
    const frame = document.createElement("iframe");
    frame.name = `frame-${id}`;
    document.body.appendChild(frame);
    const f = document.createElement("form");
    f.method = "POST"; f.action = cue(action, id); f.enctype = enctype; f.target = frame.name;
    for (const [k, v] of Object.entries(fields)) {
      const input = document.createElement("input");
      input.type = "hidden"; input.name = k; input.value = String(v);
      f.appendChild(input);
    }
    document.body.appendChild(f);
    f.submit();
  }

  function simpleFetch(action, body) {   // no preflight: text/plain, no-cors, the cookie included
    const id = next("fetch text/plain no-cors", action);
    fetch(cue(action, id), {method: "POST", mode: "no-cors", credentials: "include",
                            headers: {"Content-Type": "text/plain"}, body: JSON.stringify(body)})
      .then((r) => { __js[id] = `response ${r.type} ${r.status}`; }, () => { __js[id] = "blocked"; });
  }

  function jsonFetch(action, body) {     // cross-origin: a preflight first; same-origin: none
    const id = next("fetch application/json", action);
    fetch(cue(action, id), {method: "POST", credentials: "include",
                            headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then((r) => { __js[id] = `response ${r.type} ${r.status}`; }, () => { __js[id] = "blocked"; });
  }

  function readState() {
    const id = next("read the state", "state");
    fetch(`${TARGET}/api/state?attack=${id}`, {mode: TARGET ? "no-cors" : "same-origin", credentials: "include"})
      .then(async (r) => { __js[id] = `response ${r.type} ${r.status}` + (r.type === "opaque" ? "" : ` ${(await r.text()).slice(0, 40)}`); },
            () => { __js[id] = "blocked"; });
  }

  function image() {
    const id = next("img preview", "preview");
    const img = new Image();
    img.onload = () => { __js[id] = "loaded"; };
    img.onerror = () => { __js[id] = "error"; };
    img.src = `${TARGET}/api/preview.jpg?attack=${id}`;
  }

  function socket() {
    const id = next("WebSocket", "ws");
    const base = TARGET ? TARGET.replace(/^http/, "ws") : `ws://${location.host}`;
    const ws = new WebSocket(`${base}/api/ws?attack=${id}`);
    ws.onopen = () => { __js[id] = "opened"; };
    ws.onmessage = () => { __js[id] = "message"; };
    ws.onerror = () => { if (!__js[id]) __js[id] = "error"; };
    ws.onclose = () => { if (!__js[id]) __js[id] = "closed"; };
  }

  for (const [action, body] of Object.entries(ACTIONS)) {
    const fields = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v]));
    form(action, "application/x-www-form-urlencoded", fields);
    // text/plain form: name + "=" + value reads as JSON on a server that does not check the type
    form(action, "text/plain", {[JSON.stringify({...body, pad: ""}).slice(0, -2)]: '"}'});
    simpleFetch(action, body);
    jsonFetch(action, body);
  }
  readState();
  image();
  socket();
})();
"""


def attacker_page(target: str, phase: str) -> str:
    script = ATTACKER_JS % {"target": json.dumps(target), "phase": json.dumps(phase), "actions": json.dumps(ACTIONS)}
    return f"<!doctype html><html><head><title>Cheap flights</title></head><body><h1>Cheap flights</h1><script>{script}</script></body></html>"


class AttackerSite:
    """Another web site on this PC: a plain HTTP server on its own port serving the attacker page
    for whatever target the test names (/?target=…&phase=…)."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                from urllib.parse import parse_qs, urlsplit

                q = parse_qs(urlsplit(self.path).query)
                if "target" not in q or "phase" not in q:  # /favicon.ico and the like
                    self.send_error(404)
                    return
                body = attacker_page(q["target"][0], q["phase"][0]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, host: str, target: str, phase: str) -> str:
        from urllib.parse import urlencode

        return f"http://{host}:{self.port}/?{urlencode({'target': target, 'phase': phase})}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Serve:
    """`meetstream serve` as the officer runs it, its output kept in files (checked for secrets)."""

    def __init__(self, tmp_path: Path, meeting_id: str):
        self.state = tmp_path / "state.sqlite3"
        self.port = free_port()
        self.out, self.err = tmp_path / "serve.out", tmp_path / "serve.err"
        self.proc = subprocess.Popen([*MEETSTREAM, "serve", meeting_id, "--listen", f"127.0.0.1:{self.port}"],
                                     env=dict(os.environ), stdin=subprocess.DEVNULL,
                                     stdout=self.out.open("w"), stderr=self.err.open("w"))
        record = Path(f"{self.state}.serve-chamber.json")

        def up():
            assert self.proc.poll() is None, f"serve exited {self.proc.returncode}: {self.err.read_text()}"
            return record.exists() and json.loads(record.read_text() or "{}").get("pid") == self.proc.pid

        wait_until("serve listening", up, timeout=40)
        self.url = f"http://127.0.0.1:{self.port}"
        self.key = Path(f"{self.state}.serve-chamber.key").read_text().strip()
        # The serve file tells clients where serve listens: private, and no secret in it.
        assert self.key not in record.read_text() and record.stat().st_mode & 0o077 == 0

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        req = urllib.request.Request(self.url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")

    def companion(self, method: str, path: str, body: dict | None = None):
        """Companion's generic HTTP module as README sets it up: JSON, `Authorization: Bearer` and the room key."""
        return self.call(method, path, body, {"Content-Type": "application/json", "Authorization": f"Bearer {self.key}"})

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def picture(raw: RawObs, state: Path, meeting_id: str) -> dict:
    """What viewers and the record would show, read by the test's own clients: OBS's program,
    lower third, vote text and every input's mute; the store's timeline, votes and session."""
    inputs = [i["inputName"] for i in raw.call("GetInputList")["inputs"]]
    mutes = {}
    for name in inputs:
        r = raw.batch([("GetInputMute", {"inputName": name})])[0]
        if r["requestStatus"]["result"]:
            mutes[name] = r["responseData"]["inputMuted"]
    with Store.open(state) as store:
        timeline = [(e.kind, e.item_number, json.dumps(e.detail, sort_keys=True)) for e in store.timeline(meeting_id)]
        votes = len(store.votes(meeting_id))
        session = store.session("chamber")
    return {
        "program": raw.call("GetCurrentProgramScene")["currentProgramSceneName"],
        "lower_third": raw.call("GetInputSettings", {"inputName": "Lower third"})["inputSettings"].get("text", ""),
        "vote_text": raw.call("GetInputSettings", {"inputName": "Vote result"})["inputSettings"].get("text", ""),
        "mutes": mutes,
        "timeline": timeline,
        "votes": votes,
        "session_state": (session or {}).get("state"),
    }


class Watch:
    """Every request the browser makes for an attack (tagged ?attack=ID) and what became of it."""

    def __init__(self, context):
        self.status: dict[str, int] = {}
        self.failed: dict[str, str] = {}
        context.on("response", self._response)
        context.on("requestfailed", self._failed)

    @staticmethod
    def _id(url: str) -> str | None:
        m = re.search(r"[?&]attack=([\w-]+)", url)
        return m.group(1) if m else None

    def _response(self, response):
        if (i := self._id(response.url)) is not None:
            self.status.setdefault(i, response.status)

    def _failed(self, request):
        if (i := self._id(request.url)) is not None:
            self.failed.setdefault(i, request.failure or "failed")


def run_attacks(context, url: str, *, document: str | None = None) -> list[dict]:
    """Open the attacker page at `url` (its HTML given as `document` when the test serves it as the
    rebound name itself) and wait until every attack has an outcome; each attack as a dict with
    `refused` and what showed it."""
    watch = Watch(context)
    page = context.new_page()
    PageErrors(page)
    if document is not None:
        page.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=document))
    page.goto(url)
    page.wait_for_function("() => window.__attacks && window.__attacks.length > 0")

    def settled():
        attacks = page.evaluate("window.__attacks")
        js = page.evaluate("window.__js")
        return all(a["id"] in js or a["id"] in watch.status or a["id"] in watch.failed for a in attacks)

    wait_until("every attack answered", settled, timeout=20)
    time.sleep(0.5)  # a form's frame or a socket may say more: take the last word
    attacks, js = page.evaluate("window.__attacks"), page.evaluate("window.__js")
    page.close()
    results = []
    for a in attacks:
        status, failed, seen = watch.status.get(a["id"]), watch.failed.get(a["id"]), js.get(a["id"])
        accepted = (status is not None and status < 400) or seen in ("opened", "message", "loaded") \
            or (seen or "").startswith(("response basic 2", "response cors 2"))
        results.append(a | {"status": status, "failed": failed, "page_saw": seen, "refused": not accepted})
    return results


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the module (the session would break asyncio.run in later tests: see
    test_web_console), told that evil.example is this PC, as a rebinding DNS would say."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is not installed: `.venv/bin/pip install playwright`")
    if not CHROMIUM.exists():
        pytest.fail("Chromium is not installed: `apt-get install -y --no-install-recommends chromium`")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {REBOUND} 127.0.0.1",
                                    # Chromium's own Local Network Access checks would stop a public
                                    # name's page before it reached serve; other browsers (and older
                                    # ones) have none, so they are off: it is serve that must refuse.
                                    "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,"
                                    "PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults"])
        yield b
        b.close()


@pytest.fixture
def night(room_config, obs, obs_server, chamber_set, sample_meeting, tmp_path):
    apply(obs, chamber_set)
    meeting = replace(sample_meeting, agenda=sample_meeting.agenda + (AgendaItem("7", "Land at Mill Lane", exempt=True),))
    with Store.open(tmp_path / "state.sqlite3") as store:
        store.upsert_meeting(meeting)
    serve = Serve(tmp_path, meeting.id)
    raw = RawObs(obs_server.port, OBS_PASSWORD)
    site = AttackerSite()
    try:
        yield serve, raw, site, meeting
    finally:
        site.close()
        raw.close()
        serve.stop()


def refused_all(results: list[dict]) -> list[dict]:
    return [r for r in results if not r["refused"]]


def test_no_web_page_drives_the_webcast_but_the_paired_console_and_companion_do(browser, night, tmp_path):
    from playwright.sync_api import expect

    serve, raw, site, meeting = night
    # The meeting on air at item 4, as the clerk left it (through serve, with the room key as `cue` sends it).
    assert serve.companion("POST", "/api/cue/chamber", {})[0] == 200
    assert serve.companion("POST", "/api/cue/item", {"number": "4"})[0] == 200
    before = picture(raw, serve.state, meeting.id)
    assert before["program"] == "Chamber" and before["session_state"] == "on_air" and before["votes"] == 0

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tried: dict[str, list[dict]] = {}
    try:
        # 1. Another site on this PC (another port: same site, other origin), browser not paired.
        tried["other origin, not paired"] = run_attacks(context, site.url("127.0.0.1", serve.url, "a"))
        # 2. A rebinding name, from another port, and 3. once rebound: the page is same-origin with
        #    serve (evil.example:PORT), so it may send JSON and read the answers.
        tried["rebinding name, other port"] = run_attacks(context, site.url(REBOUND, f"http://{REBOUND}:{serve.port}", "b"))
        rebound = f"http://{REBOUND}:{serve.port}/cheap-flights"
        tried["rebound, same origin"] = run_attacks(context, rebound, document=attacker_page("", "c"))
        assert picture(raw, serve.state, meeting.id) == before

        # The clerk pairs the tablet: the console shows the pairing page, the code comes from
        # `meetstream serve --pair` on the PC.
        page = context.new_page()
        errors = PageErrors(page)
        response = page.goto(serve.url + "/")
        assert response.status == 401
        expect(page.get_by_test_id("pair-page")).to_be_visible()
        assert (v := axe_violations(page)) == [], explain(v)
        shown = subprocess.run([*MEETSTREAM, "serve", "--pair"], capture_output=True, text=True, timeout=60)
        assert shown.returncode == 0, shown.stderr
        code = re.search(r": (\d{6}) \(once", shown.stdout).group(1)
        page.get_by_test_id("pair-code").fill("000000" if code != "000000" else "111111")
        page.get_by_test_id("pair-submit").click()
        expect(page.get_by_test_id("pair-error")).to_contain_text("wrong, used or out of date")
        page.get_by_test_id("pair-code").fill(f"{code[:3]} {code[3:]}")
        page.get_by_test_id("pair-name").fill("Clerk's tablet")
        page.get_by_test_id("pair-submit").click()
        expect(page.locator("#banner")).to_have_text("ON AIR")
        cookie = next(c for c in context.cookies() if c["name"] == "meetstream_chamber")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert page.evaluate("document.cookie") == ""  # no script of the page can read it
        expect(page.locator("#conn")).to_have_text("Live")  # the WebSocket, with the cookie
        page.click("#gallery")
        wait_until("OBS program Gallery", lambda: raw.call("GetCurrentProgramScene")["currentProgramSceneName"] == "Gallery")
        # OBS shows it a moment before the store has it (the session records what OBS read back).
        wait_until("the gallery on the timeline",
                   lambda: len(picture(raw, serve.state, meeting.id)["timeline"]) == len(before["timeline"]) + 1)
        assert errors.errors == []
        page.close()
        paired = picture(raw, serve.state, meeting.id)
        assert paired["program"] == "Gallery" and len(paired["timeline"]) == len(before["timeline"]) + 1

        # 4. The paired browser opens the attacker's page again: its cookie now rides along
        #    (127.0.0.1 on another port is the same site), and still nothing is done.
        tried["other origin, paired"] = run_attacks(context, site.url("127.0.0.1", serve.url, "d"))
        tried["rebound, same origin, paired"] = run_attacks(context, rebound, document=attacker_page("", "e"))
        assert picture(raw, serve.state, meeting.id) == paired
        a_page = context.new_page()  # and the console itself still works for the paired browser
        a_page.goto(serve.url + "/")
        expect(a_page.locator("#banner")).to_have_text("ON AIR")
        a_page.close()
    finally:
        context.close()

    lines = []
    for phase, results in tried.items():
        lines.append(f"{phase}: {sum(r['refused'] for r in results)} of {len(results)} refused")
        for r in results:
            lines.append(f"  {r['kind']:<38} {r['action']:<10} status={r['status']} page_saw={r['page_saw']} failed={r['failed']}")
    print("\n".join(lines))
    everything = [r for results in tried.values() for r in results]
    assert refused_all(everything) == [], "\n".join(lines)
    assert len(everything) == 5 * 23
    # The server's own answers: the Host check for the rebound name, the Origin or fetch-metadata
    # check for the other origin; no attack was answered 2xx or got as far as the action.
    for phase, results in tried.items():
        for r in results:
            if r["kind"].startswith(("form", "fetch text/plain", "read")):
                # The request reached serve and serve refused it (not only the browser).
                assert r["status"] in ((421,) if "rebind" in phase or "rebound" in phase else (403,)), (phase, r)
            elif r["kind"] == "fetch application/json":
                # Same origin once rebound: sent, and answered 421; from another origin the browser
                # asked first (a preflight) and serve's answer let nothing through.
                assert r["page_saw"] == ("response basic 421" if "same origin" in phase else "blocked"), (phase, r)
            elif r["kind"] == "WebSocket":
                assert r["page_saw"] in ("error", "closed"), (phase, r)

    # Companion's documented request: JSON with `Authorization: Bearer` and the room key.
    status, answer = serve.companion("POST", "/api/cue/chamber", {})
    assert status == 200 and answer["ok"]
    assert raw.call("GetCurrentProgramScene")["currentProgramSceneName"] == "Chamber"
    assert serve.companion("GET", "/api/button/state") == (200, {"text": "ON AIR", "bg": "#1b7f3b", "fg": "#ffffff", "active": True})
    assert serve.call("POST", "/api/cue/private", {}, {"Content-Type": "application/json"})[0] == 401  # and nothing without it

    # What serve printed and logged: the pairing code, failures per address; never the key.
    serve.stop()
    out, err = serve.out.read_text(), serve.err.read_text()
    assert "Pairing code for a browser:" in out and serve.key not in out + err
    assert "control API: wrong pairing code from 127.0.0.1" in err and "paired device" in err
    device_cookie = cookie["value"]
    assert device_cookie not in out + err and device_cookie.split(".", 1)[1] not in Path(f"{serve.state}.serve-chamber.devices.json").read_text()
    assert oct(Path(f"{serve.state}.serve-chamber.key").stat().st_mode & 0o777) == "0o600"
