"""Shared fixtures. Outside peers are real: one headless OBS Studio per test session (each test
gets a fresh scene collection in it) and nginx-rtmp; Graph and YouTube are our simulators.

Constants and helpers the tests share live in tests/helpers.py (import them from there)."""

from __future__ import annotations

import itertools
import os
import socket
import time

import pytest
from helpers import LOOPBACK_ADDRESSES, OBS_PASSWORD, REPO

from meetstream.entrypoints.cli.main import main as cli_main


@pytest.fixture(autouse=True)
def _no_outside_network(monkeypatch):
    """Only loopback: a test that reaches for the real Graph or YouTube fails at once."""
    real = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in LOOPBACK_ADDRESSES and not host.startswith("/"):
            raise OSError(f"test tried to reach {host!r}: only loopback is allowed")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def obs_server(tmp_path_factory):
    """The real OBS Studio, headless under Xvfb, shared by the whole test session."""
    from meetstream.adapters.obs.headless import HeadlessObs

    server = HeadlessObs(tmp_path_factory.mktemp("obs-home"), password=OBS_PASSWORD)
    server.start()
    yield server
    server.stop()


_collections = itertools.count(1)


def _stop_output(conn, output: str) -> None:
    """Leave the output stopped, whatever the last test left it doing.

    An output still retrying a killed RTMP server can stop on its own between the status
    read and the stop request; OBS then answers 501 (OutputNotRunning), which is what we want.
    """
    from meetstream.adapters.obs.connection import OUTPUT_NOT_RUNNING, ObsRequestError

    if not conn.call(f"Get{output}Status")["outputActive"]:
        return
    try:
        conn.call(f"Stop{output}")
    except ObsRequestError as e:
        if e.code != OUTPUT_NOT_RUNNING:
            raise
    deadline = time.monotonic() + 10
    while conn.call(f"Get{output}Status")["outputActive"] and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.fixture
def obs(obs_server):
    """A connection to the shared OBS, switched to a new empty scene collection for this test."""
    from meetstream.adapters.obs.connection import ObsConnection

    if obs_server.proc is None or obs_server.proc.poll() is not None:
        obs_server.start()  # a previous test killed it on purpose
    conn = ObsConnection("127.0.0.1", obs_server.port, OBS_PASSWORD, timeout=10).connect()
    for output in ("Stream", "Record"):
        _stop_output(conn, output)
    conn.call("CreateSceneCollection", {"sceneCollectionName": f"test-{next(_collections)}-{os.getpid()}"})
    yield conn
    conn.close()


@pytest.fixture
def rtmp_server(tmp_path):
    """Real nginx with the RTMP module on loopback."""
    from meetstream.sandbox.rtmp import LocalRtmpServer

    server = LocalRtmpServer(tmp_path / "nginx")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def store(tmp_path):
    from meetstream.store import Store

    s = Store.open(tmp_path / "state.sqlite3")
    yield s
    s.close()


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def cli(capsys, tmp_path):
    """Run the real CLI entry point in-process; returns exit code, stdout and stderr."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = cli_main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def room_config(tmp_path, obs_server, monkeypatch):
    """A meetstream.yaml whose one room points at the test OBS, and a state file beside it."""
    scenes = REPO / "scenes" / "council-chamber.yaml"
    path = tmp_path / "meetstream.yaml"
    path.write_text(
        "council: {name: Test Borough Council}\n"
        "rooms:\n"
        "  chamber:\n"
        "    name: Council Chamber\n"
        f"    obs: {{host: 127.0.0.1, port: {obs_server.port}, timeout: 10}}\n"
        f"    scene_set: {scenes}\n"
    )
    monkeypatch.setenv("MEETSTREAM_OBS_PASSWORD", OBS_PASSWORD)
    monkeypatch.setenv("MEETSTREAM_CONFIG", str(path))
    monkeypatch.setenv("MEETSTREAM_STATE", str(tmp_path / "state.sqlite3"))
    return path


@pytest.fixture
def chamber_set():
    from meetstream.adapters.obs.sceneset import load_scene_set

    return load_scene_set(REPO / "scenes" / "council-chamber.yaml")


@pytest.fixture
def director(obs, chamber_set):
    """The shipped council-chamber scene set applied to the test OBS, and a Director on it."""
    from meetstream.adapters.obs.build import apply
    from meetstream.adapters.obs.director import Director

    apply(obs, chamber_set)
    return Director(obs, chamber_set).load()


@pytest.fixture
def sample_meeting():
    from datetime import datetime, timedelta, timezone

    from meetstream.core.domain import AgendaItem, Meeting, Member

    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=1)
    return Meeting(
        id="mtg-planning-1",
        committee="Planning Committee",
        start=start,
        end=start + timedelta(hours=3),
        room="chamber",
        agenda=(
            AgendaItem("1", "Apologies for absence"),
            AgendaItem("2", "Declarations of interest"),
            AgendaItem("3", "Minutes of the last meeting"),
            AgendaItem("4", "Planning application CHE/22/00123"),
            AgendaItem("5", "Staffing restructure (Part 2)", exempt=True),
            AgendaItem("6", "Any other business"),
        ),
        members=(
            Member("Jane Smith", title="Cllr", role="Chair", ward="Brimington North"),
            Member("Amir Khan", title="Cllr", role="Vice-Chair", ward="Hasland"),
            Member("Peter Lowe", title="Cllr", ward="Dunston"),
        ),
    )
