"""The stored YouTube sign-in: refreshed when expired, kept 0600, and a dead refresh token is one line."""

import json
import stat
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from meetstream.errors import YouTubeError
from meetstream.adapters.youtube.auth import load_credentials


@pytest.fixture
def token_endpoint():
    """A local stand-in for Google's token endpoint; `answers` is what it says next."""
    answers = []
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            seen.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
            status, body = answers.pop(0)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/token", answers, seen
    server.shutdown()
    server.server_close()


def expired_token_file(tmp_path, token_uri, scopes=("https://www.googleapis.com/auth/youtube.force-ssl",)):
    path = tmp_path / "youtube-token.json"
    path.write_text(json.dumps({
        "token": "old-access-token", "refresh_token": "refresh-token-1234", "token_uri": token_uri,
        "client_id": "client-id.apps.googleusercontent.com", "client_secret": "client-secret-5678",
        "scopes": list(scopes), "expiry": "2020-01-01T00:00:00Z",
    }))
    path.chmod(0o644)
    return path


def test_an_expired_access_token_is_refreshed_and_saved_only_for_the_owner(tmp_path, token_endpoint):
    url, answers, seen = token_endpoint
    answers.append((200, {"access_token": "new-access-token", "expires_in": 3600, "token_type": "Bearer"}))
    path = expired_token_file(tmp_path, url)
    creds = load_credentials(path, token_uri=url)
    assert creds.token == "new-access-token" and creds.valid
    assert "refresh_token=refresh-token-1234" in seen[0]
    assert json.loads(path.read_text())["token"] == "new-access-token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_refresh_asks_only_for_the_scope_the_token_was_granted(tmp_path, token_endpoint):
    # A device-flow sign-in holds `youtube` (its allowed scopes exclude force-ssl); asking to refresh
    # it with force-ssl would ask for more than was granted.
    url, answers, seen = token_endpoint
    answers.append((200, {"access_token": "new-access-token", "expires_in": 3600, "token_type": "Bearer"}))
    path = expired_token_file(tmp_path, url, scopes=["https://www.googleapis.com/auth/youtube"])
    creds = load_credentials(path, token_uri=url)
    assert creds.valid and creds.scopes == ["https://www.googleapis.com/auth/youtube"]
    assert "scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fyoutube&" in seen[0] + "&"
    assert "force-ssl" not in seen[0]


def test_a_revoked_or_week_old_testing_refresh_token_says_sign_in_again(tmp_path, token_endpoint):
    url, answers, _ = token_endpoint
    answers.append((400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}))
    path = expired_token_file(tmp_path, url)
    before = path.read_text()
    with pytest.raises(YouTubeError) as err:
        load_credentials(path, token_uri=url)
    assert str(err.value).startswith("YouTube sign-in has expired or was revoked; run `meetstream auth youtube` again")
    assert "7 days" in str(err.value)
    assert path.read_text() == before  # nothing stored is lost


def test_google_out_of_reach_while_renewing_is_one_line(tmp_path):
    path = expired_token_file(tmp_path, "unused")
    with pytest.raises(YouTubeError, match="cannot reach Google to renew the YouTube sign-in"):
        load_credentials(path)  # oauth2.googleapis.com: refused by the test's network guard
