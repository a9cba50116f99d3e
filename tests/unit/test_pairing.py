"""Every request proves it comes from a meetstream surface, on loopback too: the room key (a 0600
file beside the store), the LAN token, or a paired device's cookie; failed attempts are slowed
and logged without the secret. The real server over a real RoomControl and session; OBS is the
fake director of the night's tests. (The browser's side: tests/e2e/test_browser_attack.py.)"""

from __future__ import annotations

import http.client
import json
import logging
import os
import stat
import time

import pytest

from meetstream.entrypoints.http.auth import Access, Throttle, load_or_make_key
from meetstream.entrypoints.http.pairing import CODE_LIFETIME, DeviceBook, PairingCodes
from meetstream.entrypoints.http.server import start_server
from meetstream.errors import ConfigError
from meetstream.services.control import RoomControl
from meetstream.services.session import LiveSession

from fakes import FakeDirector
from helpers import REPO


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- the room key ---------------------------------------------------------------------------

def test_the_room_key_is_made_once_private_and_kept(tmp_path):
    path = tmp_path / "state.sqlite3.serve-chamber.key"
    old = os.umask(0o022)  # a usual umask: the file is still never readable by others
    try:
        key = load_or_make_key(path)
    finally:
        os.umask(old)
    assert len(key) >= 43 and mode(path) == 0o600
    assert load_or_make_key(path) == key  # a restart of serve keeps Companion's key


def test_a_room_key_readable_by_others_is_made_private_with_a_warning(tmp_path, caplog):
    path = tmp_path / "k.key"
    key = load_or_make_key(path)
    os.chmod(path, 0o644)
    with caplog.at_level(logging.WARNING):
        assert load_or_make_key(path) == key
    assert mode(path) == 0o600 and "made private" in caplog.text and key not in caplog.text


def test_a_damaged_room_key_is_one_clear_line(tmp_path):
    path = tmp_path / "k.key"
    path.write_text("short")
    with pytest.raises(ConfigError, match="is damaged: delete it"):
        load_or_make_key(path)


# --- pairing codes and devices ----------------------------------------------------------------

def test_a_code_is_six_digits_single_use_and_short_lived():
    clock = Clock()
    codes = PairingCodes(clock)
    code = codes.issue()
    assert len(code) == 6 and code.isdigit()
    assert codes.redeem(f"{code[:3]} {code[3:]}")  # typed as shown, with a space
    assert not codes.redeem(code)  # spent
    late = codes.issue()
    clock.now += CODE_LIFETIME + 1
    assert not codes.redeem(late)


def test_ten_wrong_codes_in_all_void_every_outstanding_code():
    codes = PairingCodes(Clock())
    code = codes.issue()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(10):
        assert not codes.redeem(wrong)
    assert codes.outstanding() == 0 and not codes.redeem(code)


def test_devices_are_stored_hashed_survive_a_restart_and_can_be_revoked(tmp_path):
    path = tmp_path / "devices.json"
    book = DeviceBook(path)
    device, cookie = book.add("Clerk's tablet")
    text = path.read_text()
    assert cookie.split(".", 1)[1] not in text and mode(path) == 0o600
    again = DeviceBook(path)  # serve restarted
    assert again.check(cookie) == device
    assert again.check(cookie + "x") is None and again.check(device + ".forged") is None and again.check("") is None
    assert [d["name"] for d in again.listing()] == ["Clerk's tablet"] and "hash" not in again.listing()[0]
    assert DeviceBook(path).revoke(device)  # `serve --revoke` from another process
    assert again.check(cookie) is None  # the running serve sees the file change at the next request


def test_the_throttle_slows_only_failures_and_locks_pairing_after_ten():
    clock = Clock()
    t = Throttle(clock)
    assert [t.delay_for(n) for n in range(1, 8)] == [0, 0, 0, 0.25, 0.5, 1.0, 2.0]
    assert t.delay_for(50) == Throttle.MAX_DELAY
    for _ in range(10):
        t.record("10.0.0.9")
    assert t.locked_for_pairing("10.0.0.9") > 0 and t.locked_for_pairing("10.0.0.8") == 0
    clock.now += Throttle.WINDOW + 1
    assert t.failures("10.0.0.9") == 0 and t.locked_for_pairing("10.0.0.9") == 0


# --- the server -------------------------------------------------------------------------------

@pytest.fixture
def control(store, sample_meeting):
    store.upsert_meeting(sample_meeting)
    c = RoomControl(LiveSession(store, FakeDirector(), "chamber", sample_meeting), None, tick_every=3600)
    yield c
    c.stop()


@pytest.fixture
def access(tmp_path):
    return Access.for_room(tmp_path / "state.sqlite3", "chamber", None)


@pytest.fixture
def served(control, access):
    server = start_server(control, host="127.0.0.1", port=0, access=access)
    yield server
    server.stop()


def call(server, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers=({"Content-Type": "application/json"} if data else {}) | (headers or {}))
        r = conn.getresponse()
        raw = r.read()
        return r.status, raw, r
    finally:
        conn.close()


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_loopback_without_a_credential_is_refused_and_the_key_is_accepted(served, access, store, sample_meeting):
    for method, path in (("GET", "/api/state"), ("GET", "/api/actions"), ("GET", "/api/button/state"),
                         ("GET", "/api/check/chamber"), ("GET", "/static/app.js"), ("POST", "/api/cue/chamber")):
        status, raw, _ = call(served, method, path, {} if method == "POST" else None)
        assert status == 401, (path, raw)
    status, raw, _ = call(served, "GET", "/")
    assert status == 401 and b'data-testid="pair-page"' in raw  # a browser not yet paired: the pairing page
    for name in ("pair.js", "pair.css"):
        assert call(served, "GET", f"/static/{name}")[0] == 200
    assert store.timeline(sample_meeting.id) == []
    status, raw, _ = call(served, "POST", "/api/cue/chamber", {}, bearer(access.key))
    assert status == 200, raw


def test_a_browser_pairs_with_a_code_and_its_cookie_is_strict_httponly_and_revocable(served, access, tmp_path):
    code = access.codes.issue()
    status, raw, r = call(served, "POST", "/api/pair", {"code": code, "name": "Clerk's tablet"})
    assert status == 200, raw
    cookie = r.getheader("Set-Cookie")
    attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")}
    assert {"httponly", "path", "samesite", "max-age"} <= attributes and "samesite=strict" in cookie.lower()
    assert "secure" not in attributes  # plain http on loopback; Secure when served over https
    value = cookie.split(";")[0]
    assert value.startswith(access.cookie_name + "=")
    status, raw, _ = call(served, "GET", "/api/state", headers={"Cookie": value})
    assert status == 200 and json.loads(raw)["room"] == "chamber"
    assert call(served, "POST", "/api/pair", {"code": code})[0] == 401  # single use
    devices = json.loads((tmp_path / "state.sqlite3.serve-chamber.devices.json").read_text())["devices"]
    assert [d["name"] for d in devices] == ["Clerk's tablet"] and value.split(".", 1)[1] not in json.dumps(devices)
    DeviceBook(tmp_path / "state.sqlite3.serve-chamber.devices.json").revoke(devices[0]["id"])
    assert call(served, "GET", "/api/state", headers={"Cookie": value})[0] == 401


def test_a_device_pairs_for_good_across_a_restart_of_serve(control, tmp_path):
    first = Access.for_room(tmp_path / "state.sqlite3", "chamber", None)
    server = start_server(control, host="127.0.0.1", port=0, access=first)
    try:
        _, _, r = call(server, "POST", "/api/pair", {"code": first.codes.issue()})
        value = r.getheader("Set-Cookie").split(";")[0]
    finally:
        server.stop()
    again = Access.for_room(tmp_path / "state.sqlite3", "chamber", None)
    assert again.key == first.key
    server = start_server(control, host="127.0.0.1", port=0, access=again)
    try:
        assert call(server, "GET", "/api/state", headers={"Cookie": value})[0] == 200
    finally:
        server.stop()


def test_only_the_room_key_makes_a_pairing_code(control, tmp_path):
    token = "a-long-enough-test-token-0123456789"
    access = Access.for_room(tmp_path / "state.sqlite3", "chamber", token)
    server = start_server(control, host="127.0.0.1", port=0, access=access)
    try:
        status, raw, _ = call(server, "POST", "/api/pair/code", {}, bearer(access.key))
        code = json.loads(raw)["code"]
        assert status == 200 and len(code) == 6
        assert call(server, "POST", "/api/pair/code", {}, bearer(token))[0] == 403  # the LAN token cannot let a device in
        _, _, r = call(server, "POST", "/api/pair", {"code": code})
        assert call(server, "POST", "/api/pair/code", {}, {"Cookie": r.getheader("Set-Cookie").split(";")[0]})[0] == 403
        assert call(server, "POST", "/api/pair/code", {})[0] == 401
        assert call(server, "GET", f"/api/state?token={token}")[0] == 200  # the LAN token as before
    finally:
        server.stop()


def test_wrong_credentials_are_logged_without_the_secret_and_slowed(served, access, caplog, monkeypatch):
    monkeypatch.setattr(Throttle, "FIRST_DELAY", 0.2)
    guess = "guess-" + "x" * 40
    with caplog.at_level(logging.WARNING, logger="meetstream.http.auth"):
        took = []
        for _ in range(6):
            started = time.monotonic()
            assert call(served, "GET", "/api/state?token=" + guess)[0] == 401
            took.append(time.monotonic() - started)
        started = time.monotonic()
        assert call(served, "GET", "/api/state", headers=bearer(access.key))[0] == 200  # a good client: never waits
        good = time.monotonic() - started
    lines = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(lines) == 6 and all("127.0.0.1" in line and guess not in line and "guess" not in line for line in lines)
    assert max(took[:3]) < 0.15 and took[3] >= 0.2 and took[4] >= 0.4 and took[5] >= 0.8
    assert good < 0.15


def test_pairing_guesses_are_locked_out_after_ten_and_no_code_is_checked(served, access, monkeypatch):
    monkeypatch.setattr(Throttle, "FIRST_DELAY", 0.001)
    monkeypatch.setattr(Throttle, "MAX_DELAY", 0.001)
    code = access.codes.issue()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(9):
        assert call(served, "POST", "/api/pair", {"code": wrong})[0] == 401
    code = access.codes.issue()  # the officer asks again meanwhile
    assert call(served, "POST", "/api/pair", {"code": wrong})[0] == 401
    status, raw, r = call(served, "POST", "/api/pair", {"code": code})
    assert status == 429 and int(r.getheader("Retry-After")) > 0  # even the right code: none is checked now


def test_cross_site_requests_are_refused_by_fetch_metadata_but_a_link_to_the_console_is_not(served, access):
    key = bearer(access.key)
    assert call(served, "GET", "/api/state", headers=key | {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors"})[0] == 403
    assert call(served, "GET", "/api/preview.jpg", headers=key | {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"})[0] == 403
    assert call(served, "GET", "/api/state", headers=key | {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"})[0] == 200
    assert call(served, "GET", "/", headers=key | {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"})[0] == 200


def test_the_serve_file_holds_no_secret_and_the_thin_client_reads_the_key(tmp_path, access):
    from meetstream.entrypoints.http.client import find_server
    from meetstream.entrypoints.http.pairing import write_private
    from meetstream.paths import serve_file

    state = tmp_path / "state.sqlite3"
    write_private(serve_file(state, "chamber"), json.dumps({"host": "127.0.0.1", "port": 1, "token_required": False}))
    assert mode(serve_file(state, "chamber")) == 0o600 and access.key not in serve_file(state, "chamber").read_text()
    assert find_server(state, "chamber")["key"] == access.key
    assert find_server(state, None)["key"] == access.key  # the only server running, found without --room


# --- the command line ---------------------------------------------------------------------------

@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "meetstream.yaml"
    path.write_text("council: {name: Test Borough Council}\nrooms:\n  chamber:\n    name: Council Chamber\n"
                    f"    obs: {{host: 127.0.0.1, port: 4455}}\n    scene_set: {REPO / 'scenes' / 'council-chamber.yaml'}\n")
    monkeypatch.setenv("MEETSTREAM_CONFIG", str(path))
    monkeypatch.setenv("MEETSTREAM_STATE", str(tmp_path / "state.sqlite3"))
    return tmp_path / "state.sqlite3"


def test_serve_pair_without_a_running_serve_is_one_clear_line(cli, config):
    result = cli("serve", "--pair")
    assert result.code == 2 and result.err == ("Error: no `meetstream serve` runs for room 'chamber': start it "
                                               "(it shows a pairing code as it starts)\n")


def test_serve_devices_and_revoke_work_on_the_file_and_bad_input_is_one_line(cli, config):
    from meetstream.paths import serve_devices_file

    assert cli("serve", "--devices").out.startswith("No browser is paired")
    device, _ = DeviceBook(serve_devices_file(config, "chamber")).add("Clerk's tablet")
    listed = cli("serve", "--devices")
    assert listed.code == 0 and device in listed.out and "Clerk's tablet" in listed.out
    revoked = cli("serve", "--revoke", device)
    assert revoked.code == 0 and revoked.out.startswith(f"Unpaired {device}")
    again = cli("serve", "--revoke", device)
    assert again.code == 2 and again.err.startswith("Error: no browser") and again.err.count("\n") == 1
    both = cli("serve", "--pair", "--devices")
    assert both.code == 2 and both.err == "Error: --pair and --devices cannot be asked at once: one at a time\n"
    assert cli("serve", "--room", "attic", "--devices").err.startswith("Error: unknown room 'attic'")
