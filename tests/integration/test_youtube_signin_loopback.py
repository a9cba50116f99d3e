"""`meetstream auth youtube` (the installed-app loopback flow): the address it prints says it
works only in a browser on this computer and names `--device`, and nobody coming back ends in
one clear line at the timeout instead of a wait for ever (the issue this answers)."""

from __future__ import annotations

import json
import time


def test_no_browser_coming_back_times_out_with_the_way_to_sign_in_from_another_device(cli, tmp_path, monkeypatch):
    # Google's own endpoints: nothing is sent to them before a browser comes back, and none does.
    client = tmp_path / "desktop-client.json"
    client.write_text(json.dumps({"installed": {
        "client_id": "123-desktop.apps.googleusercontent.com", "client_secret": "GOCSPX-desktop-secret-1234",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
        "redirect_uris": ["http://localhost"]}}))
    config = tmp_path / "meetstream.yaml"
    config.write_text("council:\n  name: Example Borough Council\n"
                      "rooms:\n  chamber:\n    name: Council Chamber\n    scene_set: scenes/council-chamber.yaml\n"
                      "youtube:\n  client_secrets: desktop-client.json\n")
    monkeypatch.setenv("MEETSTREAM_CONFIG", str(config))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home-config"))

    started = time.monotonic()
    result = cli("auth", "youtube", "--no-browser", "--timeout", "1")
    assert time.monotonic() - started < 30
    assert result.code == 2, result
    assert "Open this address in a browser on THIS computer" in result.out
    assert "redirect_uri=http%3A%2F%2Flocalhost%3A" in result.out
    assert "run `meetstream auth youtube --device`" in result.out
    assert result.err.strip() == (
        "Error: YouTube sign-in timed out after 1 second: no browser on this computer came back to http://localhost; "
        "if the browser is on another device, run `meetstream auth youtube --device`")
    assert json.loads(client.read_text())["installed"]["client_secret"] not in result.out + result.err
    assert not (tmp_path / "home-config").exists()
