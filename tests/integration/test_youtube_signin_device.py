"""`meetstream auth youtube --device`, end to end through the CLI against the Google OAuth
simulator (meetstream.sandbox.google_oauth): the officer approves, refuses, is too slow, or the
code expires; Google asks the device to slow down; the token lands in a 0600 file that
load_credentials() reads and refreshes; no token, device code or client secret is ever printed.

Time is virtual: the flow sleeps and reads the clock through seams the test replaces, and the
simulator judges "too fast" and "expired" by the same clock, so a 30-minute code lives in a moment.
"""

from __future__ import annotations

import json
import stat

import pytest

from meetstream.sandbox.google_oauth import GoogleOAuthSimulator
from meetstream.adapters.youtube import auth

YOUTUBE = "https://www.googleapis.com/auth/youtube"


class VirtualClock:
    def __init__(self):
        self.t = 1_000.0
        self.sleeps: list[float] = []
        self.while_asleep = lambda: None  # what the officer does meanwhile

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds
        self.while_asleep()


@pytest.fixture
def clock(monkeypatch):
    c = VirtualClock()
    monkeypatch.setattr(auth, "_sleep", c.sleep)
    monkeypatch.setattr(auth, "_clock", c.now)
    return c


@pytest.fixture
def google(clock):
    sim = GoogleOAuthSimulator(clock=clock.now).start()
    yield sim
    sim.stop()


@pytest.fixture
def signin(tmp_path, google, monkeypatch):
    """meetstream.yaml with a TV client of the simulator; the token goes under tmp_path."""
    client_file = google.client_secrets_file(tmp_path / "tv-client.json")
    config = tmp_path / "meetstream.yaml"
    config.write_text(
        "council:\n  name: Example Borough Council\n"
        "rooms:\n  chamber:\n    name: Council Chamber\n    scene_set: scenes/council-chamber.yaml\n"
        "youtube:\n  device_client_secrets: tv-client.json\n"
    )
    monkeypatch.setenv("MEETSTREAM_CONFIG", str(config))
    monkeypatch.setenv("MEETSTREAM_STATE", str(tmp_path / "state.sqlite3"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home-config"))
    token = tmp_path / "home-config" / "meetstream" / "youtube-token.json"
    return token, json.loads(client_file.read_text())["installed"]["client_secret"]


def nothing_secret_in(result, google, client_secret):
    shown = result.out + result.err
    assert client_secret not in shown
    assert google.issued_tokens() and not any(t in shown for t in google.issued_tokens())


def one_error_line(result) -> str:
    assert result.code == 2, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.err
    return lines[0]


def test_approved_after_two_pending_polls_saves_a_0600_token_that_loads(cli, signin, google, clock):
    token, secret = signin
    google.approve_after = 2
    result = cli("auth", "youtube", "--device")
    assert result.code == 0, result
    [code] = [line.split("enter the code ")[1] for line in result.out.splitlines() if "enter the code" in line]
    assert f"open {google.url}/device and enter the code {code}" in result.out
    assert "valid for 30 minutes" in result.out
    assert f"Signed in to YouTube; token saved to {token} (mode 0600)." in " ".join(result.out.split())
    assert clock.sleeps == [5, 5, 5]  # the interval Google named, from the code's issue
    assert google.errors() == ["authorization_pending", "authorization_pending"]
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    nothing_secret_in(result, google, secret)

    creds = auth.load_credentials(token)
    assert creds.valid and creds.scopes == [YOUTUBE] and creds.refresh_token in google.issued_tokens()


def test_the_officer_enters_the_code_on_the_device_page(cli, signin, google, clock):
    import requests

    token, secret = signin
    answers = []

    def officer():  # at the laptop: reads the code off the chamber PC's screen, types it, Allow
        if not answers:
            typed = {"user_code": google.user_codes()[0], "decision": "allow"}
            answers.append(requests.post(f"{google.url}/device", data=typed, timeout=10))

    clock.while_asleep = officer
    result = cli("auth", "youtube", "--device")
    assert result.code == 0, result
    assert answers[0].status_code == 200 and "Done" in answers[0].text
    assert google.errors() == [] and token.exists()
    nothing_secret_in(result, google, secret)


def test_slow_down_adds_five_seconds_to_every_later_poll(cli, signin, google, clock):
    token, secret = signin
    google.slow_down_polls = {2}
    google.approve_after = 3
    result = cli("auth", "youtube", "--device")
    assert result.code == 0, result
    # RFC 8628 §3.5; the simulator answers slow_down again to any poll that comes too soon.
    assert clock.sleeps == [5, 5, 10, 10]
    assert google.errors() == ["authorization_pending", "slow_down", "authorization_pending"]
    assert token.exists()
    nothing_secret_in(result, google, secret)


def test_refused_on_the_other_device_is_one_line_and_no_token(cli, signin, google):
    token, secret = signin
    google.approve_after, google.decision = 1, "deny"
    result = cli("auth", "youtube", "--device")
    line = one_error_line(result)
    assert line == ("Error: the YouTube sign-in was refused on the other device (access_denied); run "
                    "`meetstream auth youtube --device` again and choose Allow")
    assert not token.exists()
    nothing_secret_in(result, google, secret)


def test_a_code_left_until_it_expires_says_so(cli, signin, google, clock):
    token, secret = signin
    google.expires_in = 12
    result = cli("auth", "youtube", "--device")
    line = one_error_line(result)
    assert line.startswith("Error: the code ") and "expired before it was approved (it lasts 12 seconds)" in line
    assert google.errors() == ["authorization_pending", "authorization_pending", "expired_token"]
    assert clock.sleeps == [5, 5, 5] and not token.exists()
    nothing_secret_in(result, google, secret)


def test_the_wait_ends_at_the_timeout_with_a_clear_line(cli, signin, google, clock):
    token, secret = signin
    result = cli("auth", "youtube", "--device", "--timeout", "20")
    assert "waiting up to 20 seconds" in result.out
    line = one_error_line(result)
    code = google.user_codes()[0]
    assert line == (f"Error: YouTube sign-in timed out after 20 seconds: the code {code} was not approved at "
                    f"{google.url}/device; run `meetstream auth youtube --device` again for a new code")
    assert clock.sleeps == [5, 5, 5, 5] and sum(clock.sleeps) <= 20
    assert not token.exists()
    nothing_secret_in(result, google, secret)


def test_a_desktop_client_is_refused_with_what_to_create_instead(cli, signin, google, tmp_path):
    google.client_secrets_file(tmp_path / "tv-client.json", kind="desktop")  # the officer downloaded the wrong type
    result = cli("auth", "youtube", "--device")
    line = one_error_line(result)
    assert "(invalid_client): it must be of type 'TVs and Limited Input devices'" in line
    assert "youtube.device_client_secrets" in line


def test_too_many_codes_for_the_client_says_wait(cli, signin, google):
    google.device_code_quota = 0
    line = one_error_line(cli("auth", "youtube", "--device"))
    assert "rate_limit_exceeded" in line and "wait a few minutes" in line


def test_without_a_client_file_the_device_flow_says_which_client_to_create(cli, tmp_path, monkeypatch):
    config = tmp_path / "meetstream.yaml"
    config.write_text("council:\n  name: Example Borough Council\n"
                      "rooms:\n  chamber:\n    name: Council Chamber\n    scene_set: scenes/council-chamber.yaml\n")
    monkeypatch.setenv("MEETSTREAM_CONFIG", str(config))
    line = one_error_line(cli("auth", "youtube", "--device"))
    assert line == ("Error: youtube.device_client_secrets is not set in meetstream.yaml (create an OAuth client of type "
                    "'TVs and Limited Input devices' in Google Cloud, download its JSON and give its path)")


def test_a_device_flow_token_refreshes_with_the_scope_it_was_granted(cli, signin, google):
    token, _ = signin
    google.approve_after = 0
    assert cli("auth", "youtube", "--device").code == 0
    data = json.loads(token.read_text())
    data["expiry"] = "2020-01-01T00:00:00Z"
    token.write_text(json.dumps(data))
    creds = auth.load_credentials(token, token_uri=google.token_url)
    # The simulator refuses a refresh that asks for more than was granted (youtube.force-ssl here).
    assert creds.valid and google.log[-1].status == 200 and google.log[-1].grant == "refresh_token"
    assert json.loads(token.read_text())["scopes"] == [YOUTUBE]
    assert stat.S_IMODE(token.stat().st_mode) == 0o600


def test_google_out_of_reach_is_one_line(cli, signin, tmp_path):
    # A client JSON that names Google's endpoints goes to Google: refused by the test's network guard.
    (tmp_path / "tv-client.json").write_text(json.dumps({"installed": {
        "client_id": "123-tv.apps.googleusercontent.com", "client_secret": "GOCSPX-tv-secret-5678",
        "token_uri": "https://oauth2.googleapis.com/token"}}))
    result = cli("auth", "youtube", "--device")
    line = one_error_line(result)
    assert line.startswith("Error: cannot reach Google to sign in (") and line.endswith("; check the network")
    assert "GOCSPX-tv-secret-5678" not in result.out + result.err
