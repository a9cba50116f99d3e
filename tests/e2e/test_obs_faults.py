"""Each fault: one clear line, exit code 2, nothing half done."""

import base64
import hashlib
import socket
import threading

import pytest

from meetstream.adapters.obs.headless import free_port

from helpers import REPO

pytestmark = pytest.mark.obs


def config_for(tmp_path, port, scene_set=None):
    path = tmp_path / "meetstream.yaml"
    path.write_text(
        "rooms:\n  chamber:\n    name: Council Chamber\n"
        f"    obs: {{host: 127.0.0.1, port: {port}, timeout: 2}}\n"
        f"    scene_set: {scene_set or REPO / 'scenes' / 'council-chamber.yaml'}\n"
    )
    return path


def one_line_error(result, contains):
    assert result.code == 2, result
    assert result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith("Error: "), result.err
    assert contains in result.err, result.err
    assert "Traceback" not in result.err


def test_obs_not_running(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("MEETSTREAM_OBS_PASSWORD", "whatever")
    port = free_port()
    result = cli("--config", config_for(tmp_path, port), "obs", "status")
    one_line_error(result, f"OBS is not reachable at 127.0.0.1:{port}")


def test_wrong_password(cli, tmp_path, obs_server, monkeypatch):
    monkeypatch.setenv("MEETSTREAM_OBS_PASSWORD", "not-the-password")
    result = cli("--config", config_for(tmp_path, obs_server.port), "obs", "status")
    one_line_error(result, "refused the password")
    assert "not-the-password" not in result.err


def test_no_password_set(cli, tmp_path, obs_server, monkeypatch):
    monkeypatch.delenv("MEETSTREAM_OBS_PASSWORD", raising=False)
    result = cli("--config", config_for(tmp_path, obs_server.port), "obs", "status")
    one_line_error(result, "wants a password")


@pytest.fixture
def obs_websocket_4():
    """A peer that speaks like obs-websocket 4.x: it upgrades to WebSocket and then says nothing
    (v4 sends no Hello; it waits for requests)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    conns = []

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conns.append(conn)
            request = conn.recv(4096).decode()
            key = next(l.split(":", 1)[1].strip() for l in request.split("\r\n") if l.lower().startswith("sec-websocket-key"))
            accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
            conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())

    threading.Thread(target=serve, daemon=True).start()
    yield port
    server.close()
    for c in conns:
        c.close()


def test_obs_too_old(cli, tmp_path, obs_websocket_4, monkeypatch):
    monkeypatch.setenv("MEETSTREAM_OBS_PASSWORD", "whatever")
    result = cli("--config", config_for(tmp_path, obs_websocket_4), "obs", "status")
    one_line_error(result, "did not greet as obs-websocket 5")


def test_a_scene_set_with_a_yaml_error_never_reaches_obs(cli, tmp_path, obs, obs_server, monkeypatch):
    from helpers import OBS_PASSWORD

    monkeypatch.setenv("MEETSTREAM_OBS_PASSWORD", OBS_PASSWORD)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ninputs:\n  a: [unclosed\n")
    before = obs.call("GetSceneList")
    result = cli("--config", config_for(tmp_path, obs_server.port), "obs", "apply", bad)
    one_line_error(result, f"{bad}:4: YAML syntax error")
    assert obs.call("GetSceneList") == before


def test_a_scene_set_naming_a_kind_obs_lacks_is_refused_with_nothing_created(cli, tmp_path, obs, obs_server, monkeypatch):
    from helpers import OBS_PASSWORD

    monkeypatch.setenv("MEETSTREAM_OBS_PASSWORD", OBS_PASSWORD)
    text = (REPO / "scenes" / "council-chamber.yaml").read_text().replace(
        '    member: Jane Smith\n    fallback: {kind: colour, color: "#5c4d7d"}\n', "    member: Jane Smith\n")
    (tmp_path / "slates").symlink_to(REPO / "scenes" / "slates")
    strict = tmp_path / "strict.yaml"
    strict.write_text(text)
    before = obs.call("GetSceneList")
    result = cli("--config", config_for(tmp_path, obs_server.port), "obs", "apply", strict)
    one_line_error(result, "input 'Feed - Jane Smith' needs OBS input kind ndi_source")
    assert obs.call("GetSceneList") == before


def test_obs_killed_in_the_middle_of_apply_is_completed_by_running_it_again(cli, room_config, obs, obs_server):
    """Kill OBS while apply is sending; after OBS is back, apply again completes the set."""
    from meetstream.adapters.obs import build
    from meetstream.adapters.obs.sceneset import load_scene_set

    ss = load_scene_set(REPO / "scenes" / "council-chamber.yaml")
    ob = build.observe(obs, ss)
    plan = build.plan_build(ss, ob, build.resolve(ss, ob.kinds))
    obs.batch(plan[:10])
    obs_server.kill()
    obs_server.start()
    result = cli("obs", "apply")
    assert result.code == 0, result
    assert cli("obs", "check").code == 0
