"""Google sign-in for YouTube: the installed-app OAuth flow, token kept in a 0600 file.

`sign_in()` runs the browser flow once; `load_credentials()` reads the token file and refreshes
the access token when it has expired. An expired or revoked refresh token (invalid_grant) is
one line telling the officer to run `meetstream auth youtube` again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from meetstream import secrets
from meetstream.errors import ConfigError, YouTubeError

SCOPES = ["https://www.googleapis.com/auth/youtube.force-ssl"]

REAUTH = (
    "YouTube sign-in has expired or was revoked; run `meetstream auth youtube` again "
    "(an OAuth app left in 'Testing' in Google Cloud gets refresh tokens that die after 7 days: publish it to stop this)"
)


def token_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path("meetstream") / "youtube-token.json"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _register(creds) -> None:
    secrets.register(creds.token)
    secrets.register(creds.refresh_token)
    secrets.register(creds.client_secret)


def sign_in(client_secrets: Path | None, *, token_file: Path | None = None, open_browser: bool = True) -> Path:
    """Run the installed-app flow in the browser and save the token; returns where it was saved."""
    if client_secrets is None:
        raise ConfigError("youtube.client_secrets is not set in meetstream.yaml (download the OAuth client JSON "
                          "of type 'Desktop app' from Google Cloud and give its path)")
    if not Path(client_secrets).is_file():
        raise ConfigError(f"youtube.client_secrets file {client_secrets} does not exist")
    from google_auth_oauthlib.flow import InstalledAppFlow

    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), SCOPES)
    except (ValueError, KeyError, json.JSONDecodeError) as err:
        raise ConfigError(f"{client_secrets} is not an OAuth client JSON for a desktop app ({err})") from err
    try:
        # prompt=consent makes Google hand out a refresh token even on a repeat sign-in.
        creds = flow.run_local_server(port=0, open_browser=open_browser, prompt="consent", access_type="offline")
    except Exception as err:
        raise YouTubeError(f"YouTube sign-in did not complete ({type(err).__name__}: {secrets.scrub(str(err))})") from err
    _register(creds)
    path = token_file or token_path()
    _write_private(path, creds.to_json())
    return path


def load_credentials(token_file: Path | None = None, *, token_uri: str | None = None):
    """The stored credentials, refreshed if expired; YouTubeError if there are none usable.

    `token_uri` replaces Google's token endpoint (google-auth ignores the one in the file): only
    for a local stand-in in tests and rehearsal.
    """
    from google.auth.exceptions import RefreshError, TransportError
    from google.auth.transport.requests import Request
    from google.oauth2.credentials import Credentials

    path = token_file or token_path()
    if not path.exists():
        raise YouTubeError("not signed in to YouTube; run `meetstream auth youtube`")
    try:
        creds = Credentials.from_authorized_user_file(str(path), SCOPES)
    except (ValueError, KeyError, json.JSONDecodeError) as err:
        raise YouTubeError(f"the YouTube token file {path} is damaged; run `meetstream auth youtube` again") from err
    if token_uri:  # (with_token_uri() would drop the expiry)
        creds = Credentials(token=creds.token, refresh_token=creds.refresh_token, token_uri=token_uri,
                            client_id=creds.client_id, client_secret=creds.client_secret, scopes=creds.scopes,
                            expiry=creds.expiry)
    _register(creds)
    if not creds.valid:
        if not creds.refresh_token:
            raise YouTubeError(REAUTH)
        try:
            creds.refresh(Request())
        except RefreshError as err:
            raise YouTubeError(REAUTH) from err
        except TransportError as err:
            raise YouTubeError(f"cannot reach Google to renew the YouTube sign-in ({secrets.scrub(str(err))[:200]}); check the network") from err
        _register(creds)
        _write_private(path, creds.to_json())
    return creds
