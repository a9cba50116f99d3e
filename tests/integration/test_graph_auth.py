"""msal against the simulator's authority: device code, client credentials, the token cache."""

from __future__ import annotations

import os
import stat

from graph_fixtures import CLIENT_ID, MAILBOX, graph_config, graph_sim, write_config  # noqa: F401

from meetstream.config import load_settings
from meetstream.adapters.teams.auth import GraphAuth, token_cache_path


def test_device_code_sign_in_shows_the_code_and_caches_the_token_in_a_0600_file(graph_sim, graph_config, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("MEETSTREAM_TOKEN_CACHE_PLAINTEXT", "1")
    state = tmp_path / "state.sqlite3"
    result = cli("--config", graph_config, "--state", state, "auth", "microsoft")
    assert result.code == 0, result
    assert "https://microsoft.com/devicelogin" in result.out and "enter the code" in result.out
    assert f"Signed in to Microsoft 365 as {MAILBOX}" in result.out
    assert "Warning: the Microsoft token cache is kept unencrypted" in result.out
    cache = token_cache_path(state)
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    tokens = graph_sim.issued_tokens()
    assert tokens and not any(t in result.out + result.err for t in tokens)
    assert not any(t in cache.read_text() for t in ["s3cret"])

    # The next run signs in silently from the cache: no new device code.
    auth = GraphAuth(load_settings(graph_config).calendar, cache)
    assert auth.token() in graph_sim.issued_tokens()
    assert auth.account() == MAILBOX
    assert [r.path for r in graph_sim.log].count(f"/{graph_sim.tenant}/oauth2/v2.0/devicecode") == 1


def test_without_an_os_keyring_the_cache_falls_back_to_a_file_with_a_warning(graph_sim, graph_config, tmp_path):
    auth = GraphAuth(load_settings(graph_config).calendar, tmp_path / "cache.bin")
    auth.sign_in_device(lambda message: None)
    if auth.cache.encrypted:  # a desktop with a keyring: the cache is encrypted and no warning is due
        assert auth.cache.warning is None
    else:
        assert "unencrypted" in auth.cache.warning
        assert stat.S_IMODE(os.stat(tmp_path / "cache.bin").st_mode) == 0o600


def test_app_only_sign_in_uses_the_client_secret_from_the_environment(graph_sim, tmp_path, cli, monkeypatch):
    graph_sim.client_secrets[CLIENT_ID] = "n1ghtly-sync-secret"
    monkeypatch.setenv("MEETSTREAM_GRAPH_CLIENT_SECRET", "n1ghtly-sync-secret")
    config = write_config(tmp_path, graph_sim, app_only=True)
    state = tmp_path / "state.sqlite3"
    result = cli("--config", config, "--state", state, "auth", "microsoft")
    assert result.code == 0, result
    assert f"app {CLIENT_ID}" in result.out
    synced = cli("--config", config, "--state", state, "calendar", "sync")
    assert synced.code == 0, synced
    assert "10 new" in synced.out
    assert "n1ghtly-sync-secret" not in result.out + result.err + synced.out + synced.err


def test_a_wrong_client_secret_is_one_clear_error_that_does_not_show_the_secret(graph_sim, tmp_path, cli, monkeypatch):
    graph_sim.client_secrets[CLIENT_ID] = "the-right-one"
    monkeypatch.setenv("MEETSTREAM_GRAPH_CLIENT_SECRET", "a-wrong-secret-value")
    config = write_config(tmp_path, graph_sim, app_only=True)
    result = cli("--config", config, "--state", tmp_path / "s.sqlite3", "auth", "microsoft")
    assert result.code == 2
    assert result.err.startswith("Error: Microsoft app-only sign-in failed: invalid_client")
    assert len(result.err.strip().splitlines()) == 1
    assert "a-wrong-secret-value" not in result.out + result.err


def test_a_missing_client_secret_says_where_to_put_it(graph_sim, tmp_path, cli, monkeypatch):
    monkeypatch.delenv("MEETSTREAM_GRAPH_CLIENT_SECRET", raising=False)
    config = write_config(tmp_path, graph_sim, app_only=True)
    result = cli("--config", config, "--state", tmp_path / "s.sqlite3", "auth", "microsoft")
    assert result.code == 2 and "set MEETSTREAM_GRAPH_CLIENT_SECRET" in result.err


def test_syncing_before_signing_in_says_to_sign_in(graph_sim, graph_config, tmp_path, cli):
    result = cli("--config", graph_config, "--state", tmp_path / "fresh" / "state.sqlite3", "calendar", "sync")
    assert result.code == 2
    assert result.err == "Error: not signed in to Microsoft 365 (or the sign-in expired): run `meetstream auth microsoft`\n"


def test_a_token_graph_no_longer_accepts_is_one_clear_error(graph_sim, graph_config, tmp_path, cli):
    state = tmp_path / "state.sqlite3"
    assert cli("--config", graph_config, "--state", state, "auth", "microsoft").code == 0
    graph_sim.revoke_tokens()
    result = cli("--config", graph_config, "--state", state, "calendar", "sync")
    assert result.code == 2
    assert "401 InvalidAuthenticationToken" in result.err and "meetstream auth microsoft" in result.err
