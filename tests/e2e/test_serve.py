"""`meetstream serve` as a real process against the real OBS, with every surface as a client.

OBS is watched by the test's own obs-websocket client (tests/private_observer.py) at 10 Hz:
zero samples public after a private session was confirmed, whatever the surfaces do at once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from meetstream.core.domain import AgendaItem
from meetstream.adapters.obs.build import apply
from meetstream.adapters.obs.headless import free_port
from meetstream.store import Store

from helpers import OBS_PASSWORD
from private_observer import Observer, RawObs

pytestmark = pytest.mark.obs

MEETSTREAM = [sys.executable, "-m", "meetstream"]


class Served:
    def __init__(self, proc, url, state: Path):
        self.proc, self.url, self.state = proc, url, state

    @property
    def key(self) -> str:
        """The room key serve made beside the store: what meetstream's own clients send."""
        return Path(f"{self.state}.serve-chamber.key").read_text().strip()

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None, *, anonymous: bool = False):
        """A request as `cue` sends it (the room key), or with `token`, or with nothing (`anonymous`)."""
        credential = None if anonymous else token or self.key
        req = urllib.request.Request(self.url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"} | ({"Authorization": f"Bearer {credential}"} if credential else {}))
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")


def start_serve(state: Path, *args: str, env: dict | None = None, wait: float = 30.0) -> Served:
    port = free_port()
    proc = subprocess.Popen([*MEETSTREAM, "serve", *args, "--listen", f"127.0.0.1:{port}"], env=env or dict(os.environ),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    record = Path(f"{state}.serve-chamber.json")
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited {proc.returncode}: {proc.stderr.read()}")
        if record.exists() and json.loads(record.read_text() or "{}").get("pid") == proc.pid:
            return Served(proc, f"http://127.0.0.1:{port}", state)
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("serve did not start")


def stop_serve(served: Served) -> None:
    if served.proc.poll() is None:
        served.proc.send_signal(signal.SIGTERM)
        try:
            served.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            served.proc.kill()


@pytest.fixture
def meeting(room_config, obs, chamber_set, sample_meeting, tmp_path):
    apply(obs, chamber_set)
    m = replace(sample_meeting, agenda=sample_meeting.agenda + (AgendaItem("7", "Land at Mill Lane", exempt=True),))
    with Store.open(tmp_path / "state.sqlite3") as store:
        store.upsert_meeting(m)
    return m


@pytest.fixture
def served(meeting, tmp_path):
    s = start_serve(tmp_path / "state.sqlite3", meeting.id)
    yield s
    stop_serve(s)


def program(obs):
    return obs.call("GetCurrentProgramScene")["currentProgramSceneName"]


def cue(*args, env=None):
    return subprocess.run([*MEETSTREAM, "cue", *args], env=env or dict(os.environ), capture_output=True, text=True, timeout=60)


def test_the_api_drives_the_meeting_and_refuses_before_confirmation(served, obs):
    status, state = served.call("GET", "/api/state")
    assert status == 200 and state["meeting"]["committee"] == "Planning Committee" and len(state["agenda"]) == 7
    assert served.call("POST", "/api/cue/chamber")[0] == 200 and program(obs) == "Chamber"
    status, answer = served.call("POST", "/api/cue/speaker", {"name": "Smith"})
    assert status == 200 and answer["state"]["speaker"] == "Cllr Jane Smith"
    status, answer = served.call("POST", "/api/cue/speaker", {"oneoff": "Mr J Brown, Applicant"})
    assert status == 200 and program(obs) == "Chamber"
    assert obs.call("GetInputSettings", {"inputName": "Lower third"})["inputSettings"]["text"] == "Mr J Brown, Applicant"
    assert served.call("POST", "/api/cue/item", {"number": "5"})[1]["state"]["banner"] == "PRIVATE"
    assert program(obs) == "Private session"
    status, answer = served.call("GET", "/api/check/public")
    assert status == 409 and "item 5 is exempt" in answer["error"]
    assert served.call("POST", "/api/cue/public")[0] == 409 and program(obs) == "Private session"
    assert served.call("POST", "/api/cue/speaker", {"name": "Nobody"})[0] == 400
    status, button = served.call("GET", "/api/button/state")
    assert button == {"text": "PRIVATE", "bg": "#b00020", "fg": "#ffffff", "active": True}
    status, state = served.call("GET", "/api/state")
    assert all("Staffing" not in it["title"] for it in state["agenda"])  # exempt titles never leave
    assert state["last_actions"][0]["text"].startswith("PRIVATE session")
    with urllib.request.urlopen(urllib.request.Request(served.url + "/api/preview.jpg", headers={"Authorization": f"Bearer {served.key}"}),
                                timeout=10) as r:
        assert r.headers["Content-Type"] == "image/jpeg" and r.read(3) == b"\xff\xd8\xff"


def test_cue_goes_through_the_server_without_touching_obs_itself(served, obs, monkeypatch):
    env = dict(os.environ)
    env.pop("MEETSTREAM_OBS_PASSWORD")  # acting directly would need it: only the server has OBS
    result = cue("chamber", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ON AIR: program 'Chamber'")
    result = cue("item", "5", env=env)
    assert result.returncode == 0 and result.stdout.startswith("PRIVATE")
    result = cue("gallery", env=env)
    assert result.returncode == 2 and result.stderr.startswith("Error: the meeting is in private session")
    assert program(obs) == "Private session"


def test_a_second_serve_for_the_room_is_refused(served, tmp_path):
    result = subprocess.run([*MEETSTREAM, "serve", "--listen", f"127.0.0.1:{free_port()}"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"Error: `meetstream serve` for room 'chamber' is already running (pid {served.proc.pid}): stop it first, or use it\n"


def test_without_the_token_every_request_is_refused(meeting, tmp_path, monkeypatch):
    monkeypatch.setenv("MEETSTREAM_API_TOKEN", "tablet-token-1234567")
    s = start_serve(tmp_path / "state.sqlite3", meeting.id)
    try:
        for path in ("/api/state", "/api/preview.jpg", "/api/button/state"):
            status, answer = s.call("GET", path, anonymous=True)
            assert status == 401 and answer["ok"] is False and answer["error"].startswith("a valid token is required")
        with pytest.raises(urllib.error.HTTPError) as refused:  # a browser: the pairing page, still refused
            urllib.request.urlopen(s.url + "/", timeout=10)
        assert refused.value.code == 401 and b"pair-page" in refused.value.read()
        assert s.call("POST", "/api/cue/private", {}, anonymous=True)[0] == 401
        assert s.call("POST", "/api/cue/private", {}, token="wrong")[0] == 401
        status, answer = s.call("GET", "/api/state", token="tablet-token-1234567")
        assert status == 200 and "tablet-token" not in json.dumps(answer)
        assert cue("holding").returncode == 0  # the thin client carries the token from the environment
    finally:
        stop_serve(s)


def test_serve_refuses_the_network_without_a_token(meeting, tmp_path):
    result = subprocess.run([*MEETSTREAM, "serve", "--listen", f"0.0.0.0:{free_port()}"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "set a token first" in result.stderr and result.stderr.count("\n") == 1


def test_private_and_a_console_key_at_once_never_show_the_speaker(served, obs, obs_server):
    served.call("POST", "/api/cue/chamber")
    with Observer(obs_server.port, OBS_PASSWORD) as observer:
        for _ in range(5):
            done = {}

            def press(action, body=None):
                done[action] = (served.call("POST", f"/api/cue/{action}", body), time.monotonic())

            threads = [threading.Thread(target=press, args=("private",)),
                       threading.Thread(target=press, args=("speaker", {"name": "Jane Smith"}))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert done["private"][0][0] == 200
            private_at = done["private"][1]
            observer.wait_samples(2)
            assert observer.public_since(private_at) == []
            served.call("POST", "/api/cue/public")
    assert program(obs) == "Chamber"


def test_twenty_stream_deck_presses_at_once_through_the_server(served, obs, obs_server):
    served.call("POST", "/api/cue/chamber")
    cues = [["chamber"], ["gallery"], ["speaker", "Jane Smith"], ["agenda"]] * 5
    cues[9] = ["private"]
    with Observer(obs_server.port, OBS_PASSWORD) as observer:
        procs = [subprocess.Popen([*MEETSTREAM, "cue", *c], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in cues]
        done = {}
        while len(done) < len(procs):
            for i, p in enumerate(procs):
                if i not in done and p.poll() is not None:
                    done[i] = time.monotonic()
            time.sleep(0.005)
        observer.wait_samples(3)
    codes = [p.returncode for p in procs]
    assert codes[9] == 0 and set(codes) <= {0, 2}
    assert observer.public_since(done[9]) == []
    assert program(obs) == "Private session"


def test_serve_killed_while_private_is_resumed_by_the_next_serve_which_puts_obs_right(meeting, tmp_path, obs, obs_server):
    state = tmp_path / "state.sqlite3"
    first = start_serve(state, meeting.id)
    first.call("POST", "/api/cue/chamber")
    first.call("POST", "/api/cue/item", {"number": "5"})
    first.proc.kill()  # kill -9: no clean shutdown, the serve file is left behind
    first.proc.wait(timeout=10)
    raw = RawObs(obs_server.port, OBS_PASSWORD)
    raw.call("SetCurrentProgramScene", {"sceneName": "Chamber"})  # someone clicks while nothing watches
    raw.call("SetInputMute", {"inputName": "Chamber microphones", "inputMuted": False})
    assert cue("gallery").returncode == 2  # the stale serve file: the cue acts directly, and refuses
    second = start_serve(state)  # no meeting named: carries on the recorded session
    try:
        assert raw.sample().private
        status, s = second.call("GET", "/api/state")
        assert s["state"] == "private" and s["item"]["number"] == "5"
    finally:
        raw.close()
        stop_serve(second)


def test_a_store_that_cannot_be_written_refuses_the_cue_before_obs_is_touched(room_config, obs, chamber_set, sample_meeting, tmp_path, monkeypatch):
    """A full disk, for real: the state store on a 1 MiB tmpfs, filled up."""
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True).returncode != 0:
        pytest.fail("this test mounts a tmpfs (CI runs as root): mount failed")
    served = None
    try:
        apply(obs, chamber_set)
        state = mount / "state.sqlite3"
        with Store.open(state) as store:
            store.upsert_meeting(sample_meeting)
        env = dict(os.environ, MEETSTREAM_STATE=str(state))
        assert cue("chamber", "--meeting", sample_meeting.id, env=env).returncode == 0
        monkeypatch.setenv("MEETSTREAM_STATE", str(state))
        served = start_serve(state)
        # Unbuffered, down to the last byte: a buffered file's close() would flush what did not fit
        # and raise ENOSPC itself (how full the disk got then depended on the other files' sizes).
        with open(mount / "filler", "wb", buffering=0) as f:
            for chunk in (65536, 4096, 1):
                try:
                    while f.write(b"\0" * chunk):
                        pass
                except OSError:
                    pass
        before = program(obs)
        status, answer = served.call("POST", "/api/cue/gallery")  # the server had the store open
        assert status == 503 and answer["error"].startswith("the state store") and "nothing was sent to OBS" in answer["error"]
        assert served.call("GET", "/api/state")[0] == 200  # still serving, nothing crashed
        stop_serve(served)
        result = cue("gallery", env=env)  # a new process cannot even open it
        assert result.returncode == 2, result
        assert "state store" in result.stderr and result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert program(obs) == before == "Chamber"
    finally:
        if served is not None:
            stop_serve(served)  # a failure above must not leave serve running (it holds the mount)
        subprocess.run(["umount", str(mount)], capture_output=True)
