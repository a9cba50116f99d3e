"""Bad input to the control API is a 4xx with one line, never a 500: a JSON body nested 100,000
deep, a token header in other characters. The real server and RoomControl over a real session;
OBS is the fake director of the night's tests."""

import http.client
import json

import pytest

from meetstream.entrypoints.http.server import start_server
from meetstream.services.control import RoomControl
from meetstream.services.session import LiveSession

from fakes import FakeDirector


@pytest.fixture
def served(store, sample_meeting):
    store.upsert_meeting(sample_meeting)
    control = RoomControl(LiveSession(store, FakeDirector(), "chamber", sample_meeting), None, tick_every=3600)
    server = start_server(control, host="127.0.0.1", port=0, token="a-long-enough-test-token-0123456789")
    yield server
    server.stop()
    control.stop()


def call(server, method, path, body: bytes | None = None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_a_json_body_nested_a_hundred_thousand_deep_is_a_400(served):
    status, raw = call(served, "POST", "/api/cue/chamber", b"[" * 100_000 + b"]" * 100_000,
                       {"Content-Type": "application/json", "Authorization": "Bearer a-long-enough-test-token-0123456789"})
    assert status == 400 and json.loads(raw)["error"] == "the body is not JSON"


def test_a_token_header_in_other_characters_is_a_401(served):
    import socket

    for header in ("tökén".encode("utf-8"), b"\xff\xfe\x80"):  # UTF-8, and bytes that are no text at all
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
            sock.sendall(b"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + header
                         + b"\r\nConnection: close\r\n\r\n")
            raw = b""
            while chunk := sock.recv(65536):
                raw += chunk
        status = int(raw.split(b" ", 2)[1])
        assert status == 401, raw[:300]


def test_a_check_asked_with_the_token_in_the_address_is_not_bad_input(store, sample_meeting):
    """The tablet's bookmark carries ?token=…: it proves who asks and is not the vote's field."""
    token = "a-long-enough-test-token-0123456789"
    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, FakeDirector(), "chamber", sample_meeting)
    session.chamber()
    session.go_to_item("4")
    control = RoomControl(session, None, tick_every=3600)
    server = start_server(control, host="127.0.0.1", port=0, token=token)
    try:
        status, raw = call(server, "GET", f"/api/check/vote?token={token}")
        assert status == 200, raw
    finally:
        server.stop()
        control.stop()


def test_a_lan_listen_refuses_a_short_token():
    from meetstream.errors import ConfigError

    with pytest.raises(ConfigError, match="at least 22 characters"):
        start_server(None, host="0.0.0.0", port=0, token="x")


def test_csv_cells_are_never_formulas():
    from meetstream.core.cells import cell

    assert [cell(v) for v in ("=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "Minutes", 9)] == \
        ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "Minutes", 9]


def raw_request(server, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    return int(raw.split(b" ", 2)[1]), raw


def test_a_web_page_elsewhere_cannot_act_or_listen_and_a_rebound_name_is_refused(store, sample_meeting):
    """What a page on another site can send without asking first: a "simple" text/plain POST, a
    form post, a WebSocket from its own origin; and a DNS-rebound name in Host. All refused, on
    loopback with no token too; the same requests from the console's own origin, or from a
    client without an Origin (cue, Companion), are served. Each request carries the room key, as
    meetstream's clients do: every refusal here is the request's shape, not a missing credential
    (tests/unit/test_pairing.py has those)."""
    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, FakeDirector(), "chamber", sample_meeting)
    control = RoomControl(session, None, tick_every=3600)
    server = start_server(control, host="127.0.0.1", port=0)
    here = f"127.0.0.1:{server.port}".encode() + b"\r\nAuthorization: Bearer " + server.access.key.encode()
    try:
        evil = b"Origin: https://evil.example\r\n"
        status, _ = raw_request(server, b"POST /api/cue/chamber HTTP/1.1\r\nHost: " + here + b"\r\n" + evil
                                + b"Content-Type: text/plain\r\n", b'{"x": 1}')
        assert status in (403, 415)
        status, _ = raw_request(server, b"POST /api/cue/adjourned HTTP/1.1\r\nHost: " + here + b"\r\n"
                                + b"Content-Type: application/x-www-form-urlencoded\r\n", b"a=1")
        assert status == 415
        status, _ = raw_request(server, b"POST /api/cue/chamber HTTP/1.1\r\nHost: " + here + b"\r\n" + evil
                                + b"Content-Type: application/json\r\n", b"{}")
        assert status == 403
        status, _ = raw_request(server, b"GET /api/ws HTTP/1.1\r\nHost: " + here + b"\r\n" + evil
                                + b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                + b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
        assert status == 403
        status, _ = raw_request(server, b"GET /api/state HTTP/1.1\r\nHost: evil.example:" + str(server.port).encode() + b"\r\n")
        assert status == 421
        assert store.session("chamber") is None  # nothing was done
        # The console's own origin, and a client that sends no Origin at all, are served.
        status, raw = raw_request(server, b"POST /api/cue/holding HTTP/1.1\r\nHost: " + here + b"\r\nOrigin: http://127.0.0.1:" + str(server.port).encode()
                                  + b"\r\nContent-Type: application/json\r\n", b"{}")
        assert status == 200, raw[:300]
        status, raw = raw_request(server, b"POST /api/cue/chamber HTTP/1.1\r\nHost: " + here + b"\r\n"
                                  + b"Content-Type: application/json\r\n", b"{}")
        assert status == 200, raw[:300]
        status, raw = raw_request(server, b"GET / HTTP/1.1\r\nHost: " + here + b"\r\n")
        assert b"frame-ancestors 'none'" in raw and b"X-Content-Type-Options: nosniff" in raw
    finally:
        server.stop()
        control.stop()
