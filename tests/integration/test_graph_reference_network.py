"""No route to Microsoft: one `Error:` line, exit 2, saying what to check; never requests'
`ConnectionError: HTTPConnectionPool(…)`. A closed loopback port stands for the unreachable host."""

from __future__ import annotations

import socket

import pytest
from graph_fixtures import graph_config, graph_sim, write_config  # noqa: F401


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("MEETSTREAM_TOKEN_CACHE_PLAINTEXT", "1")


def one_clear_line(result, *wanted: str) -> None:
    assert result.code == 2, result
    assert result.out == "" or "Error" not in result.out
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot reach "), result.err
    assert "unexpected" not in result.err and "HTTPConnectionPool" not in result.err and "Traceback" not in result.err
    for w in wanted:
        assert w in result.err


def test_signing_in_with_no_route_to_the_sign_in_service(graph_sim, tmp_path, cli, env):
    dead = f"http://127.0.0.1:{closed_port()}"
    config = write_config(tmp_path, graph_sim, authority_host=dead, graph_url=dead + "/v1.0")
    result = cli("--config", config, "--state", tmp_path / "s.sqlite3", "auth", "microsoft")
    one_clear_line(result, "Microsoft sign-in service", "calendar.authority_host", "network")


def test_app_only_sign_in_with_no_route(graph_sim, tmp_path, cli, env, monkeypatch):
    monkeypatch.setenv("MEETSTREAM_GRAPH_CLIENT_SECRET", "a-secret-never-shown")
    dead = f"http://127.0.0.1:{closed_port()}"
    config = write_config(tmp_path, graph_sim, authority_host=dead, graph_url=dead + "/v1.0", app_only=True)
    result = cli("--config", config, "--state", tmp_path / "s.sqlite3", "auth", "microsoft")
    one_clear_line(result, "calendar.authority_host")
    assert "a-secret-never-shown" not in result.out + result.err


def test_a_sync_when_microsoft_went_away_after_signing_in(graph_sim, graph_config, tmp_path, cli, env):
    state = tmp_path / "state.sqlite3"
    assert cli("--config", graph_config, "--state", state, "auth", "microsoft").code == 0
    assert cli("--config", graph_config, "--state", state, "calendar", "sync").code == 0
    before = (tmp_path / "state.sqlite3").stat().st_size
    graph_sim.stop()  # its port is closed now: msal cannot reach the authority, nor we Graph
    result = cli("--config", graph_config, "--state", state, "calendar", "sync")
    one_clear_line(result, "check the network")
    tokens = graph_sim.issued_tokens()
    assert not any(t in result.out + result.err for t in tokens)
    listed = cli("--config", graph_config, "--state", state, "calendar", "list", "--json")
    assert listed.code == 0 and "Full Council" in listed.out  # nothing stored was lost
    assert (tmp_path / "state.sqlite3").stat().st_size >= before


def test_a_sync_with_no_route_to_graph_itself(graph_sim, tmp_path, cli, env):
    from graph_fixtures import sign_in

    from meetstream.config import load_settings

    dead = f"http://127.0.0.1:{closed_port()}/v1.0"
    config = write_config(tmp_path, graph_sim, graph_url=dead)
    state = tmp_path / "state.sqlite3"
    sign_in(load_settings(config), state)
    result = cli("--config", config, "--state", state, "calendar", "sync")
    one_clear_line(result, "Microsoft Graph", "calendar.graph_url")
