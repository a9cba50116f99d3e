"""Google sign-in for YouTube, token kept in a 0600 file. Two ways to sign in:

- the installed-app (loopback) flow, `sign_in()`: a browser on this computer opens Google's
  page and Google sends it back to http://localhost:<port> here. It cannot work from another
  device, so it waits at most `timeout` seconds and then says what to do instead.
- the device flow ("OAuth 2.0 for TV and Limited-Input Device Applications",
  https://developers.google.com/youtube/v3/guides/auth/devices), `sign_in_device()`: this
  computer shows a short code, the officer enters it at google.com/device on a laptop or phone,
  and this computer polls Google until it is approved, refused, expired or timed out. It needs
  an OAuth client of type "TVs and Limited Input devices", and Google allows it only for a
  short list of scopes (the page's "Allowed scopes"): for YouTube, `youtube` and
  `youtube.readonly`, not `youtube.force-ssl`. So it asks for `youtube`, which every call
  meetstream makes accepts (liveBroadcasts, liveStreams, videos: the discovery document).

`load_credentials()` reads the token file either flow wrote and refreshes the access token
when it has expired. An expired or revoked refresh token (invalid_grant) is one line telling
the officer to run `meetstream auth youtube` again.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from meetstream import secrets
from meetstream.errors import ConfigError, YouTubeError
from meetstream.net import is_loopback_url

SCOPES = ["https://www.googleapis.com/auth/youtube.force-ssl"]
# The device flow's allowed scopes do not include force-ssl (see the module docstring).
DEVICE_SCOPES = ["https://www.googleapis.com/auth/youtube"]

GOOGLE_DEVICE_CODE_URL = "https://oauth2.googleapis.com/device/code"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_INTERVAL = 5  # RFC 8628 §3.2: when the server names no interval
SLOW_DOWN_STEP = 5  # RFC 8628 §3.5: slow_down adds 5 s "for this and all subsequent requests"
DEFAULT_TIMEOUT = 600

# Seams for the tests: the device flow's polling waits on these, not on the wall clock.
_sleep: Callable[[float], None] = time.sleep
_clock: Callable[[], float] = time.monotonic

REAUTH = (
    "YouTube sign-in has expired or was revoked; run `meetstream auth youtube` again "
    "(an OAuth app left in 'Testing' in Google Cloud gets refresh tokens that die after 7 days: publish it to stop this)"
)
TV_CLIENT = "TVs and Limited Input devices"


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


def _duration(seconds: float) -> str:
    if seconds >= 120:
        return f"{round(seconds / 60)} minutes"
    return "1 second" if round(seconds) == 1 else f"{round(seconds)} seconds"


def sign_in(client_secrets: Path | None, *, token_file: Path | None = None, open_browser: bool = True,
            timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Run the installed-app flow in a browser on this computer and save the token; returns where
    it was saved. Gives up after `timeout` seconds with a line that names the device flow."""
    if client_secrets is None:
        raise ConfigError("youtube.client_secrets is not set in meetstream.yaml (download the OAuth client JSON "
                          "of type 'Desktop app' from Google Cloud and give its path)")
    if not Path(client_secrets).is_file():
        raise ConfigError(f"youtube.client_secrets file {client_secrets} does not exist")
    from google_auth_oauthlib.flow import InstalledAppFlow, WSGITimeoutError

    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), SCOPES)
    except (ValueError, KeyError, json.JSONDecodeError) as err:
        raise ConfigError(f"{client_secrets} is not an OAuth client JSON for a desktop app ({err})") from err
    secrets.register(flow.client_config.get("client_secret"))
    # The address only works in a browser on this computer: Google sends that browser back to
    # localhost here. The issue this answers: an officer opened it on a laptop and waited forever.
    prompt = ("Open this address in a browser on THIS computer (Google returns to http://localhost on it):\n{url}\n"
              f"Waiting up to {_duration(timeout)}. Signing in from a laptop or phone instead? "
              "Press Ctrl+C and run `meetstream auth youtube --device`.")
    try:
        # prompt=consent makes Google hand out a refresh token even on a repeat sign-in.
        creds = flow.run_local_server(port=0, open_browser=open_browser, prompt="consent", access_type="offline",
                                      timeout_seconds=timeout, authorization_prompt_message=prompt)
    except WSGITimeoutError as err:
        raise YouTubeError(
            f"YouTube sign-in timed out after {_duration(timeout)}: no browser on this computer came back to "
            "http://localhost; if the browser is on another device, run `meetstream auth youtube --device`"
        ) from err
    except Exception as err:
        raise YouTubeError(f"YouTube sign-in did not complete ({type(err).__name__}: {secrets.scrub(str(err))})") from err
    _register(creds)
    path = token_file or token_path()
    _write_private(path, creds.to_json())
    return path


# --- the device flow -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Client:
    client_id: str
    client_secret: str
    device_code_url: str
    token_url: str


def _device_client(client_secrets: Path | None) -> _Client:
    if client_secrets is None:
        raise ConfigError("youtube.device_client_secrets is not set in meetstream.yaml (create an OAuth client of type "
                          f"'{TV_CLIENT}' in Google Cloud, download its JSON and give its path)")
    path = Path(client_secrets)
    if not path.is_file():
        raise ConfigError(f"OAuth client file {path} does not exist")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        # Other projects report that a TV client downloads under "installed", as a Desktop one does.
        info = data.get("installed") or data.get("web") or data
        client = info["client_id"], info["client_secret"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise ConfigError(f"{path} is not an OAuth client JSON from Google Cloud (it needs client_id and client_secret)") from err
    secrets.register(client[1])
    token_uri = info.get("token_uri") or GOOGLE_TOKEN_URL
    if is_loopback_url(token_uri):  # the simulator (sandbox.google_oauth) writes its own endpoints here
        base = token_uri.rsplit("/", 1)[0]
        return _Client(client[0], client[1], f"{base}/device/code", token_uri)
    # Anything else goes to Google itself: a client secret is never sent where a file points.
    return _Client(client[0], client[1], GOOGLE_DEVICE_CODE_URL, GOOGLE_TOKEN_URL)


def _post(url: str, form: dict) -> tuple[int, dict]:
    import requests

    try:
        resp = requests.post(url, data=form, timeout=30)
    except requests.RequestException as err:
        raise YouTubeError(f"cannot reach Google to sign in ({secrets.scrub(str(err))[:200]}); check the network") from err
    try:
        body = resp.json()
    except ValueError:
        body = {}
    return resp.status_code, body if isinstance(body, dict) else {}


def _error(body: dict) -> str:
    # The device-code quota answer names its error "error_code", not "error" (the page, step 2).
    return str(body.get("error") or body.get("error_code") or "")


def _refusal(status: int, body: dict, client_secrets: Path) -> YouTubeError:
    """A one-line answer for every error the page lists; the rest by name."""
    code = _error(body)
    if code == "invalid_client":
        return YouTubeError(f"Google does not accept the OAuth client in {client_secrets} for signing in from another "
                            f"device (invalid_client): it must be of type '{TV_CLIENT}'; create one in Google Cloud "
                            "(APIs & Services, Clients) and set youtube.device_client_secrets to its JSON")
    if code == "invalid_scope":
        return YouTubeError("Google refused the YouTube scope for signing in from another device (invalid_scope); "
                            "sign in on this computer with `meetstream auth youtube` instead")
    if code == "rate_limit_exceeded":
        return YouTubeError("Google is limiting sign-in codes for this OAuth client (rate_limit_exceeded); wait a few "
                            "minutes and run `meetstream auth youtube --device` again")
    if code == "access_denied":
        return YouTubeError("the YouTube sign-in was refused on the other device (access_denied); run "
                            "`meetstream auth youtube --device` again and choose Allow")
    if code == "admin_policy_enforced":
        return YouTubeError("the Google account's Workspace administrator does not allow this app the YouTube scope "
                            "(admin_policy_enforced); ask them to allow the OAuth client, or use another account")
    if code == "org_internal":
        return YouTubeError("the OAuth client's Google Cloud project only lets accounts of its own organisation sign in "
                            "(org_internal); sign in with one, or make the app's user type External")
    if code == "invalid_grant":
        return YouTubeError("Google no longer knows this sign-in code (invalid_grant); run "
                            "`meetstream auth youtube --device` again")
    detail = secrets.scrub(str(body.get("error_description") or ""))[:200]
    return YouTubeError(f"YouTube sign-in failed: Google answered HTTP {status} {code or '(no error code)'}"
                        + (f" ({detail})" if detail else ""))


def sign_in_device(client_secrets: Path | None, *, show: Callable[[str], None], token_file: Path | None = None,
                   timeout: float = DEFAULT_TIMEOUT, sleep: Callable[[float], None] | None = None,
                   clock: Callable[[], float] | None = None) -> Path:
    """Sign in from another device (Google's device flow) and save the token; returns where.

    `show` is handed the lines the officer needs (where to go, the code). Polling follows the
    interval Google names, 5 s longer after each slow_down, and stops at approval, refusal, the
    code's expiry or `timeout` seconds, whichever comes first.
    """
    from google.oauth2.credentials import Credentials

    sleep = sleep or _sleep
    clock = clock or _clock
    client = _device_client(client_secrets)
    started = clock()
    status, body = _post(client.device_code_url, {"client_id": client.client_id, "scope": " ".join(DEVICE_SCOPES)})
    if status != 200 or "device_code" not in body:
        raise _refusal(status, body, Path(client_secrets))
    device_code = str(body["device_code"])
    secrets.register(device_code)  # with the client secret it fetches the tokens: never shown
    user_code = str(body.get("user_code", ""))
    # Google names it verification_url; RFC 8628 names it verification_uri.
    url = str(body.get("verification_url") or body.get("verification_uri") or "https://www.google.com/device")
    expires_in = float(body.get("expires_in") or 1800)
    interval = float(body.get("interval") or DEFAULT_INTERVAL)
    # The page: show both values unmodified (the code is case-sensitive).
    show(f"On a laptop or phone, open {url} and enter the code {user_code}")
    show(f"(the code is valid for {_duration(expires_in)}; waiting up to {_duration(min(timeout, expires_in))} for you to approve)")
    deadline = started + timeout
    while True:
        if clock() + interval > deadline:
            raise YouTubeError(f"YouTube sign-in timed out after {_duration(timeout)}: the code {user_code} was not approved "
                               f"at {url}; run `meetstream auth youtube --device` again for a new code")
        sleep(interval)
        status, body = _post(client.token_url, {"client_id": client.client_id, "client_secret": client.client_secret,
                                                "device_code": device_code, "grant_type": DEVICE_GRANT})
        code = _error(body)
        if status == 200 and body.get("access_token"):
            break
        if code == "authorization_pending":
            continue
        if code == "slow_down":
            interval += SLOW_DOWN_STEP
            continue
        if code == "expired_token":
            raise YouTubeError(f"the code {user_code} expired before it was approved (it lasts {_duration(expires_in)}); "
                               "run `meetstream auth youtube --device` again for a new code")
        raise _refusal(status, body, Path(client_secrets))

    granted = str(body.get("scope") or " ".join(DEVICE_SCOPES)).split()
    missing = [s for s in DEVICE_SCOPES if s not in granted]
    secrets.register(body.get("access_token"))
    secrets.register(body.get("refresh_token"))
    if missing:
        raise YouTubeError("the YouTube sign-in was approved without the permission to manage the channel's YouTube "
                           "account; run `meetstream auth youtube --device` again and tick every box Google offers")
    if not body.get("refresh_token"):  # the page: "refresh tokens are always returned for devices"
        raise YouTubeError("Google approved the YouTube sign-in but sent no refresh token; run "
                           "`meetstream auth youtube --device` again")
    # google-auth keeps naive UTC expiry times.
    expiry = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(seconds=int(body.get("expires_in") or 3600))
    creds = Credentials(token=body["access_token"], refresh_token=body["refresh_token"], token_uri=client.token_url,
                        client_id=client.client_id, client_secret=client.client_secret, scopes=granted, expiry=expiry)
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
        info = json.loads(path.read_text(encoding="utf-8"))
        # The scopes the token was granted, not ours: a device-flow token holds `youtube`, and a
        # refresh that asked for force-ssl would be refused (RFC 6749 §6: no scope beyond the grant).
        creds = Credentials.from_authorized_user_info(info, None if info.get("scopes") else SCOPES)
    except (ValueError, KeyError, TypeError, AttributeError, json.JSONDecodeError) as err:
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
