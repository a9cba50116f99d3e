"""`meetstream secrets`: into the OS keyring, never echoed, one line when there is no keyring.

The keyring here is an in-memory backend of the keyring library's own interface (no OS keyring
runs in CI); meetstream's code under test is the real one."""

import io

import keyring
import pytest
from keyring.backend import KeyringBackend

from meetstream.secrets import get_secret


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.entries = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "meetstream.yaml"
    path.write_text("rooms:\n  chamber: {name: Council Chamber, scene_set: s.yaml}\n  committee1: {name: Committee Room 1, scene_set: s.yaml}\n")
    monkeypatch.setenv("MEETSTREAM_CONFIG", str(path))
    monkeypatch.setenv("MEETSTREAM_STATE", str(tmp_path / "state.sqlite3"))
    monkeypatch.delenv("MEETSTREAM_OBS_PASSWORD", raising=False)
    return path


@pytest.fixture
def memory_keyring():
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


def test_a_piped_obs_password_goes_to_the_keyring_for_that_room_and_is_never_printed(cli, config, memory_keyring, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-Passw0rd\n"))
    result = cli("secrets", "set", "obs", "--room", "committee1")
    assert result.code == 0, result
    assert memory_keyring.entries == {("meetstream", "obs:committee1"): "s3cret-Passw0rd"}
    assert "s3cret" not in result.out + result.err
    assert get_secret("MEETSTREAM_OBS_PASSWORD", "obs:committee1") == "s3cret-Passw0rd"  # what the OBS connection reads
    status = cli("secrets", "status")
    assert "OBS password, committee1: keyring" in status.out and "OBS password, chamber: not set" in status.out
    assert "s3cret" not in status.out


def test_no_keyring_is_one_line_and_exit_2(cli, config, monkeypatch):
    from keyring.backends.fail import Keyring as NoKeyring

    before = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-Passw0rd\n"))
        result = cli("secrets", "set", "graph")
    finally:
        keyring.set_keyring(before)
    assert result.code == 2
    assert result.err.count("\n") == 1 and "no usable OS keyring" in result.err and "s3cret" not in result.err


def test_an_unknown_kind_or_room_or_an_empty_secret_is_refused(cli, config, memory_keyring, monkeypatch):
    assert cli("secrets", "set", "youtube").code == 2
    assert cli("secrets", "set", "obs", "--room", "nowhere").code == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert cli("secrets", "set", "graph").code == 2
    assert memory_keyring.entries == {}
