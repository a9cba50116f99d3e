"""A local Google OAuth 2.0 authorization server: the device flow, and refreshing its tokens.

meetstream's device-flow sign-in (`meetstream auth youtube --device`) talks to it unchanged over
loopback HTTP: the client JSON it writes (`client_secrets_file()`) names its token endpoint, and
a loopback token endpoint sends the whole flow here instead of to Google. It serves:

  POST /device/code   client_id, scope -> device_code, user_code, verification_url, expires_in, interval
  POST /token         grant_type=urn:ietf:params:oauth:grant-type:device_code (the polling)
                      grant_type=refresh_token
  GET  /device        the page the officer would open on a laptop or phone: enter the code, Allow or Deny
  POST /device        user_code, decision=allow|deny (what that page sends)

Rules follow "OAuth 2.0 for TV and Limited-Input Device Applications"
(https://developers.google.com/youtube/v3/guides/auth/devices, cited below as [page]) and, where
the page defers to the standard, RFC 8628 (the device authorization grant) and RFC 6749. What
neither says is marked GUESS.

The officer is scripted for tests: `approve_after=N` lets the device poll N times and then
applies `decision` ("allow" or "deny"); `approve()` / `deny()` act at once; a rehearsal can
leave both unset and use the page at `verification_url`. The clock is injectable (`clock=`
returns seconds) so a test can run a 30-minute code's life in a moment: the simulator judges
"too fast" and "expired" by it.

    sim = GoogleOAuthSimulator(approve_after=2).start()
    path = sim.client_secrets_file(tmp_path / "tv-client.json")   # youtube.device_client_secrets
    sim.stop()
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from meetstream.sandbox.loopback import LoopbackServer

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# [page] "Allowed scopes": the device flow is supported only for these.
ALLOWED_SCOPES = frozenset({
    "email", "openid", "profile",
    "https://www.googleapis.com/auth/drive.appdata", "https://www.googleapis.com/auth/drive.file",
    "https://www.googleapis.com/auth/youtube", "https://www.googleapis.com/auth/youtube.readonly",
})
SLOW_DOWN_STEP = 5  # RFC 8628 §3.5: "the interval MUST be increased by 5 seconds"


@dataclass
class _Device:
    client_id: str
    scope: str
    user_code: str
    issued: float
    expires: float
    interval: float
    last_poll: float | None = None
    polls: int = 0
    decision: str | None = None  # "allow" / "deny" once the officer has answered


@dataclass
class Exchange:
    """One request as the simulator saw it: what the tests read (never a token or a secret)."""

    path: str
    grant: str | None
    status: int
    error: str | None = None


class GoogleOAuthSimulator(LoopbackServer):
    """The simulator. Thread-safe; `log`, `clients` and `issued_tokens()` are there to inspect."""

    thread_name = "google-oauth-simulator"

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: int = 5,  # [page] step 2's sample response says 5
        expires_in: int = 1800,  # [page] step 2's sample response says 1800
        access_lifetime: int = 3599,  # GUESS: Google's access tokens last about an hour
        approve_after: int | None = None,
        decision: str = "allow",
        slow_down_polls: set[int] | None = None,
        device_code_quota: int | None = None,
    ):
        self.clock = clock
        self.interval = interval
        self.expires_in = expires_in
        self.access_lifetime = access_lifetime
        self.approve_after = approve_after
        self.decision = decision
        # Poll numbers answered slow_down whatever the pace: Google may ask a well-behaved device
        # to slow down too (GUESS: the page says only "polling too frequently").
        self.slow_down_polls = set(slow_down_polls or ())
        # Device codes handed out before the answer is rate_limit_exceeded (None: no limit).
        self.device_code_quota = device_code_quota
        self.clients: dict[str, dict] = {}
        self.log: list[Exchange] = []
        self._devices: dict[str, _Device] = {}
        self._refresh: dict[str, dict] = {}  # refresh token -> {"client_id", "scope"}
        self._access: list[str] = []
        self._device_codes: list[str] = []
        self._codes_issued = 0
        self._lock = threading.RLock()

    # --- set-up ----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    def add_client(self, kind: str = "tv") -> tuple[str, str]:
        """A registered OAuth client: kind "tv" ("TVs and Limited Input devices") or "desktop"."""
        client_id = f"{secrets.randbelow(10**12):012d}-sim{kind}.apps.googleusercontent.com"
        secret = "GOCSPX-sim" + secrets.token_urlsafe(18)
        with self._lock:
            self.clients[client_id] = {"secret": secret, "kind": kind}
        return client_id, secret

    def client_secrets_file(self, path: Path, kind: str = "tv") -> Path:
        """Write a client JSON shaped like Google Cloud's download, for a new client of `kind`."""
        client_id, secret = self.add_client(kind)
        # GUESS (reported by other projects, not on the page): a TV client downloads with the same
        # "installed" shape as a Desktop one.
        path = Path(path)
        path.write_text(json.dumps({"installed": {
            "client_id": client_id, "project_id": "meetstream-sandbox", "client_secret": secret,
            "auth_uri": f"{self.url}/o/oauth2/auth", "token_uri": self.token_url,
            "auth_provider_x509_cert_url": f"{self.url}/oauth2/v1/certs", "redirect_uris": ["http://localhost"],
        }}))
        return path

    def approve(self, user_code: str | None = None) -> None:
        """The officer enters the code (default: the newest) and chooses Allow."""
        self._decide(user_code, "allow")

    def deny(self, user_code: str | None = None) -> None:
        self._decide(user_code, "deny")

    def _decide(self, user_code: str | None, decision: str) -> bool:
        with self._lock:
            devices = [d for d in self._devices.values() if user_code in (None, d.user_code)]
            if not devices:
                return False
            devices[-1].decision = decision
            return True

    def user_codes(self) -> list[str]:
        with self._lock:
            return [d.user_code for d in self._devices.values()]

    def issued_tokens(self) -> list[str]:
        """Every access and refresh token handed out, and every device code (which, with the
        client secret, fetches them): none of these may ever be printed."""
        with self._lock:
            return list(self._access) + list(self._refresh) + list(self._device_codes)

    def errors(self) -> list[str]:
        with self._lock:
            return [e.error for e in self.log if e.error]

    # --- serving ---------------------------------------------------------------------------------

    def _handler_class(self):
        return _Handler

    def handle(self, method: str, raw_path: str, body: bytes) -> tuple[int, str, bytes]:
        path = urlsplit(raw_path).path
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        if path == "/device":
            return self._page(method, form)
        if method != "POST" or path not in ("/device/code", "/token"):
            return _json(404, {"error": "not_found"})
        status, payload = self._device_code(form) if path == "/device/code" else self._token(form)
        with self._lock:
            self.log.append(Exchange(path, form.get("grant_type"), status,
                                     payload.get("error") or payload.get("error_code")))
        return _json(status, payload)

    def _device_code(self, form: dict) -> tuple[int, dict]:
        client = self.clients.get(form.get("client_id", ""))
        if client is None:
            # [page] invalid_client 401: "The OAuth client was not found" (the page lists it for
            # polling; GUESS that this endpoint answers the same)
            return 401, {"error": "invalid_client", "error_description": "The OAuth client was not found."}
        if client["kind"] != "tv":
            # [page] invalid_client: "The OAuth client type is incorrect" (GUESS: said here too)
            return 401, {"error": "invalid_client", "error_description": "Invalid client type."}
        scopes = form.get("scope", "").split()
        bad = [s for s in scopes if s not in ALLOWED_SCOPES]
        if not scopes or bad:
            # [page] "Allowed scopes"; the wording is GUESS, as other projects report it
            return 400, {"error": "invalid_scope", "error_description": f"Invalid device flow scope: {(bad or [''])[0]}"}
        with self._lock:
            if self.device_code_quota is not None and self._codes_issued >= self.device_code_quota:
                return 403, {"error_code": "rate_limit_exceeded"}  # [page] "Quota exceeded response"
            self._codes_issued += 1
            device_code = "4/" + secrets.token_urlsafe(32)
            self._device_codes.append(device_code)
            # [page] the sample "GQVQ-JKEC"; case-sensitive, so mixed case here keeps callers honest
            alphabet = "BCDFGHJKLMNPQRSTVWXZbcdfghjkmnpqrstvwxz"
            user_code = "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(2))
            now = self.clock()
            self._devices[device_code] = _Device(form["client_id"], " ".join(scopes), user_code, now,
                                                 now + self.expires_in, float(self.interval))
        return 200, {"device_code": device_code, "user_code": user_code, "verification_url": f"{self.url}/device",
                     "expires_in": self.expires_in, "interval": self.interval}  # [page] step 2

    def _token(self, form: dict) -> tuple[int, dict]:
        grant = form.get("grant_type", "")
        client = self.clients.get(form.get("client_id", ""))
        if grant == DEVICE_GRANT:
            # [page] step 4: the polling request carries client_secret; GUESS: a wrong one is invalid_client
            if client is None or form.get("client_secret") != client["secret"]:
                return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
            return self._poll(form)
        if grant == "refresh_token":
            # [page] "Refreshing an access token": client_secret optional; GUESS: checked when sent
            if client is None or form.get("client_secret", client["secret"]) != client["secret"]:
                return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
            return self._refreshed(form)
        return 400, {"error": "unsupported_grant_type", "error_description": f"Invalid grant_type: {grant}"}  # [page]

    def _poll(self, form: dict) -> tuple[int, dict]:
        with self._lock:
            d = self._devices.get(form.get("device_code", ""))
            if d is None or d.client_id != form.get("client_id"):
                # [page] invalid_grant: invalid, "already been claimed or cannot be parsed"
                return 400, {"error": "invalid_grant", "error_description": "Malformed auth code."}
            now = self.clock()
            if now >= d.expires:
                # RFC 8628 §3.5 names expired_token; the page is silent: status and wording GUESS
                return 400, {"error": "expired_token", "error_description": "Expired"}
            since = now - (d.last_poll if d.last_poll is not None else d.issued)
            d.last_poll = now
            d.polls += 1
            if since < d.interval or d.polls in self.slow_down_polls:
                d.interval += SLOW_DOWN_STEP  # RFC 8628 §3.5, for this and all later polls
                return 403, {"error": "slow_down", "error_description": "Forbidden"}  # [page]
            if d.decision is None and self.approve_after is not None and d.polls > self.approve_after:
                d.decision = self.decision
            if d.decision is None:
                return 428, {"error": "authorization_pending", "error_description": "Precondition Required"}  # [page]
            del self._devices[form["device_code"]]  # one answer per code: a later poll is invalid_grant
            if d.decision != "allow":
                return 403, {"error": "access_denied", "error_description": "Forbidden"}  # [page]
            return 200, self._issue(d.client_id, d.scope, refresh=True)

    def _refreshed(self, form: dict) -> tuple[int, dict]:
        with self._lock:
            r = self._refresh.get(form.get("refresh_token", ""))
            if r is None or r["client_id"] != form.get("client_id"):
                # the wording matches what Google says of a revoked token (tests/integration/test_youtube_auth.py)
                return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
            asked = form.get("scope", "").split()
            if any(s not in r["scope"].split() for s in asked):
                # RFC 6749 §6: a refresh may not ask for a scope the grant did not include (wording GUESS)
                return 400, {"error": "invalid_scope", "error_description": "Bad Request"}
            return 200, self._issue(r["client_id"], " ".join(asked) or r["scope"], refresh=False)

    def _issue(self, client_id: str, scope: str, *, refresh: bool) -> dict:
        access = "ya29.sim-" + secrets.token_urlsafe(32)
        self._access.append(access)
        # [page] "Access granted": access_token, expires_in, refresh_token, scope, token_type
        out = {"access_token": access, "expires_in": self.access_lifetime, "scope": scope, "token_type": "Bearer"}
        if refresh:  # [page] "refresh tokens are always returned for devices"
            token = "1//sim-" + secrets.token_urlsafe(32)
            self._refresh[token] = {"client_id": client_id, "scope": scope}
            out["refresh_token"] = token
        return out

    def _page(self, method: str, form: dict) -> tuple[int, str, bytes]:
        """The verification page, for a rehearsal with a person at the other device."""
        said = ""
        if method == "POST":
            decision = "allow" if form.get("decision") == "allow" else "deny"
            known = self._decide(form.get("user_code", "").strip(), decision)
            said = ("<p>Done: you may close this page.</p>" if known
                    else "<p>That code is not known here; check it and try again.</p>")
        text = ("<!doctype html><title>Connect a device (sandbox)</title><h1>Connect a device</h1>"
                f"{said}<form method=post><label>Code <input name=user_code autofocus></label> "
                "<button name=decision value=allow>Allow</button> <button name=decision value=deny>Deny</button></form>"
                f"<p>meetstream's stand-in for Google's device page at {html.escape(self.url)}.</p>")
        return 200, "text/html; charset=utf-8", text.encode()


def _json(status: int, payload: dict) -> tuple[int, str, bytes]:
    return status, "application/json; charset=utf-8", json.dumps(payload).encode()


class _Handler(BaseHTTPRequestHandler):
    simulator: GoogleOAuthSimulator

    def log_message(self, *args):
        pass

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        status, kind, data = self.simulator.handle(method, self.path, self.rfile.read(length) if length else b"")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")
