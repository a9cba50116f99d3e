"""Hostile input, in one place (issue 23): each case is answered with one clear line (an `Error:`
line and exit code 2 on the command line, a 4xx with one line of `error` on the control API), and
the store is exactly as it was (its SQL dump compared before and after).

The control API is the real server over a real RoomControl and session; OBS is the fake director
of the night's tests (nothing here may reach it). The commands are the real CLI in-process."""

from __future__ import annotations

import http.client
import json
import sqlite3

import pytest

from meetstream.entrypoints.http.server import start_server
from meetstream.services.control import RoomControl
from meetstream.services.session import LiveSession

from fakes import FakeDirector

TOKEN = "a-long-enough-test-token-0123456789"


def dump(path) -> list[str]:
    """The store's rows, but the write probe (every action proves the disk writable first)."""
    conn = sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump() if "write-probe" not in line]
    finally:
        conn.close()


@pytest.fixture
def served(store, sample_meeting):
    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, FakeDirector(), "chamber", sample_meeting)
    control = RoomControl(session, None, tick_every=3600)
    control.act("chamber")
    control.act("item", {"number": "4"})
    server = start_server(control, host="127.0.0.1", port=0, token=TOKEN)
    yield server, store, session.director
    server.stop()
    control.stop()


def post(server, path, body: bytes, content_type="application/json"):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": content_type, "Authorization": f"Bearer {TOKEN}"})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


VOTE = {"motion": "That the application be approved", "for": "2", "against": "1", "abstain": "0", "result": "carried"}

API_CASES = [
    # counts: ASCII digits within a range (str.isdigit() is true for the first three)
    ("vote", VOTE | {"for": "²"}, "for must be a whole number"),
    ("vote", VOTE | {"for": "١"}, "for must be a whole number"),
    ("vote", VOTE | {"against": "𝟙"}, "against must be a whole number"),
    ("vote", VOTE | {"for": "9" * 5000}, "for must be a whole number"),
    ("vote", VOTE | {"for": -3}, "for must be a whole number"),
    ("vote", VOTE | {"for": 1e400}, "for must be a whole number"),
    ("vote", VOTE | {"for": 99999}, "more votes than any council has members"),
    ("vote", VOTE | {"motion": "\u200b \u2060 "}, "type the motion"),
    ("vote", VOTE | {"result": "passed"}, "the result must be one of"),
    ("vote", VOTE | {"named": {"Nobody [/]": "for"}}, "named votes: no member"),
    # a resolution of the meeting
    ("vote", VOTE | {"exclusion": "4", "paragraph": "9"}, "Schedule 12A paragraphs are 1 to 7"),
    ("vote", VOTE | {"exclusion": "99"}, "no agenda item '99'"),
    ("vote", VOTE | {"paragraph": "3"}, "--paragraph goes with --exclusion"),
    ("exclude", {"items": "6-4", "paragraph": "3"}, "runs backwards"),
    ("exclude", {"items": "4", "paragraph": "3; DROP TABLE votes"}, "Schedule 12A paragraphs are 1 to 7"),
    ("exclude", {"items": "4"}, "the agenda cites none"),
    ("exclude", {"items": "../../etc/passwd", "paragraph": "3"}, "no agenda item"),
    ("stay-public", {"items": "5", "reason": ""}, "say why the meeting stays public"),
    ("stay-public", {"items": "5", "reason": "x" * 300}, "keep the reason to one line"),
    # names and numbers
    ("item", {"number": "5\u0000"}, "no agenda item"),
    ("item", {"number": ""}, "say which item"),
    ("speaker", {"oneoff": "A" * 500}, "a lower third is one line"),
    ("speaker", {"oneoff": "\u202e \u200f"}, "type the speaker's name"),
    ("speaker", {"name": "Smith", "item": "77"}, "no agenda item '77'"),
]


@pytest.mark.parametrize("action, body, said", API_CASES, ids=[f"{a}-{i}" for i, (a, _, _) in enumerate(API_CASES)])
def test_bad_input_to_the_control_api_is_one_line_and_changes_nothing(served, action, body, said):
    server, store, director = served
    before, shown = dump(store.path), list(director.shown)
    status, raw = post(server, f"/api/cue/{action}", json.dumps(body).encode())
    answer = json.loads(raw)
    assert 400 <= status < 500 and not answer["ok"], (status, answer)
    assert said in answer["error"] and "\n" not in answer["error"], answer["error"]
    assert dump(store.path) == before and director.shown == shown


@pytest.mark.parametrize("raw, content_type, status", [
    (b"[" * 100_000 + b"]" * 100_000, "application/json", 400),  # nested past any parser's stack
    (b'{"number": NaN}', "application/json", 400),  # not JSON (RFC 8259 has no NaN)
    (b'["item", "5"]', "application/json", 400),  # JSON, but not an object
    (b"\xff\xfe{}", "application/json", 400),  # not UTF-8
    (b'{"number": "5"}', "text/plain", 415),  # a simple cross-origin POST's type
    (b"number=5", "application/x-www-form-urlencoded", 415),
])
def test_a_body_that_is_not_an_action_is_a_4xx_and_changes_nothing(served, raw, content_type, status):
    server, store, director = served
    before = dump(store.path)
    got, body = post(server, "/api/cue/item", raw, content_type)
    assert got == status, (got, body[:200])
    assert dump(store.path) == before


def test_a_body_too_large_is_a_413_before_it_is_read_and_changes_nothing(served):
    """Just over the 1 MiB a request may carry (aiohttp's client_max_size): 413, nothing stored."""
    import socket

    server, store, director = served
    before = dump(store.path)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /api/cue/item HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Authorization: Bearer " + TOKEN.encode() + b"\r\nContent-Length: 1052672\r\n"
                     b"Connection: close\r\n\r\n" + b"x" * 1052672)
        head = sock.recv(65536)
    assert head.split(b" ", 2)[1] == b"413", head[:200]
    assert dump(store.path) == before


# --- the command line ------------------------------------------------------------------------------

@pytest.fixture
def council(tmp_path, monkeypatch, sample_meeting):
    from helpers import chamber_config

    from meetstream.store import Store

    chamber_config(tmp_path, monkeypatch)
    with Store.open(tmp_path / "state.sqlite3") as store:
        store.upsert_meeting(sample_meeting)
    return tmp_path


def one_error_line(result) -> str:
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert result.code == 2, result
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.err
    return lines[0]


@pytest.mark.parametrize("args, said", [
    (["votes", "mtg-planning-1", "--csv", "--json"], "choose one of --csv and --json"),
    (["votes", "no-such-meeting"], "no-such-meeting"),
    (["schedule", "--dry-run", "--confirm-cancel", "mtg-planning-1"], "is not cancelled"),
    (["schedule", "--days", "0"], "0"),
    (["calendar", "sync", "--from", "2026-13-45"], "2026-13-45"),
    (["calendar", "list", "--no-such-option"], "No such option"),
    (["cue", "vote", "--for", "²"], "Missing"),
])
def test_bad_arguments_are_one_error_line_exit_2_and_change_nothing(cli, council, args, said):
    before = dump(council / "state.sqlite3")
    line = one_error_line(cli(*args))
    assert said in line
    assert dump(council / "state.sqlite3") == before


@pytest.mark.parametrize("yaml_text, said", [
    ("council:\n  name: \"Bad \\uD800 name\"\n", "surrogate"),
    ("publish:\n  base_url: \"javascript:alert(1)\"\n", "http"),
    ("rooms: [1, 2\n", "meetstream.yaml"),
    ("a: &a [*a, *a]\n", "meetstream.yaml"),
])
def test_a_hostile_config_is_one_error_line_and_changes_nothing(cli, council, yaml_text, said):
    config = council / "meetstream.yaml"
    config.write_text(config.read_text() + yaml_text)
    before = dump(council / "state.sqlite3")
    line = one_error_line(cli("calendar", "list"))
    assert said.lower() in line.lower(), line
    assert dump(council / "state.sqlite3") == before
