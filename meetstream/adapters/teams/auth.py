"""Signing in to Microsoft 365 with msal: device code for an officer, client credentials for an
unattended nightly sync. The token cache persists between runs, encrypted where the OS allows
(msal-extensions: DPAPI, Keychain, libsecret), otherwise in a file of mode 0600 with a warning.

msal and msal_extensions are imported inside functions only.

A loopback authority (the Graph simulator): msal rejects http authorities, so for
`calendar.authority_host: http://127.0.0.1:PORT` msal is given `https://127.0.0.1:PORT/<tenant>`,
instance_discovery=False, and an http_client that sends those requests over plain HTTP to the
same loopback port. Plain http is never used for any other host.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

from meetstream.errors import CalendarError, ConfigError
from meetstream.net import is_loopback_host
from meetstream.secrets import get_secret, register

log = logging.getLogger("meetstream.adapters.teams")

APP_ONLY_SCOPES = ["https://graph.microsoft.com/.default"]
SECRET_KEYRING_NAME = "graph:client_secret"
CACHE_NAME = "msal-token-cache.bin"


def delegated_scopes(cfg) -> list[str]:
    """What an officer consents to. The .Shared scopes reach a shared democratic-services mailbox."""
    scopes = ["Calendars.ReadWrite.Shared", "Mail.Send.Shared"]
    if cfg.group:
        scopes.append("Group.Read.All")
    return scopes


def token_cache_path(state_path: Path | None) -> Path:
    """Beside the state store (so `--state` keeps rehearsals and tests apart), else the user data dir."""
    if state_path is not None:
        return Path(state_path).resolve().parent / CACHE_NAME
    from platformdirs import user_data_path

    return user_data_path("meetstream") / CACHE_NAME


@dataclass
class CacheInfo:
    cache: object
    path: Path
    encrypted: bool
    warning: str | None = None


def build_cache(path: Path) -> CacheInfo:
    """An msal token cache persisted at `path`: encrypted if the OS allows, else a 0600 file."""
    from msal_extensions import FilePersistence, PersistedTokenCache

    path.parent.mkdir(parents=True, exist_ok=True)
    warning = None
    persistence = None
    if not os.environ.get("MEETSTREAM_TOKEN_CACHE_PLAINTEXT"):
        try:
            from msal_extensions import build_encrypted_persistence

            persistence = build_encrypted_persistence(str(path))
            persistence.load() if Path(path).exists() else None
        except Exception as err:  # no DPAPI/Keychain/libsecret (e.g. headless Linux without PyGObject)
            persistence = None
            warning = (f"no OS keyring for the Microsoft token cache ({type(err).__name__}); "
                       f"it is kept unencrypted in {path} (mode 0600)")
    if persistence is None:
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
        os.chmod(path, 0o600)
        persistence = FilePersistence(str(path))
        if warning is None:
            warning = f"the Microsoft token cache is kept unencrypted in {path} (mode 0600)"
    return CacheInfo(PersistedTokenCache(persistence), path, persistence.is_encrypted, warning)


class _LoopbackHttp:
    """The http_client msal is given for a loopback authority: https://127.0.0.1:P -> http://127.0.0.1:P."""

    def __init__(self, netloc: str):
        import requests

        self.netloc = netloc
        self.session = requests.Session()

    def _url(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.netloc == self.netloc:
            return urlunsplit(("http",) + tuple(parts)[1:])
        if not is_loopback_host(parts.hostname):
            raise CalendarError(f"the sandbox authority sent msal to {parts.netloc}; refusing to leave loopback")
        return url

    def get(self, url, params=None, headers=None, **kw):
        return self.session.get(self._url(url), params=params, headers=headers, timeout=kw.get("timeout", 30))

    def post(self, url, params=None, data=None, headers=None, **kw):
        return self.session.post(self._url(url), params=params, data=data, headers=headers, timeout=kw.get("timeout", 30))

    def close(self):
        self.session.close()


def _authority(cfg) -> tuple[str, dict]:
    host = cfg.authority_host.rstrip("/")
    parts = urlsplit(host)
    if parts.scheme == "http":
        if not is_loopback_host(parts.hostname):
            raise ConfigError(f"calendar.authority_host {host} must be https (http only for a loopback sandbox)")
        return f"https://{parts.netloc}/{cfg.tenant}", {"instance_discovery": False, "http_client": _LoopbackHttp(parts.netloc)}
    return f"{host}/{cfg.tenant}", {}


@contextmanager
def _reaching(cfg):
    """msal's own HTTP failures (no route to the authority, DNS, a proxy) as one user error, not
    requests' ConnectionError: msal asks the authority before every sign-in and token refresh."""
    import requests

    try:
        yield
    except requests.RequestException as err:
        host = urlsplit(cfg.authority_host).netloc or cfg.authority_host
        raise CalendarError(f"cannot reach the Microsoft sign-in service at {host} ({type(err).__name__}); "
                            "check the network connection, any proxy or firewall, and calendar.authority_host") from err


class GraphAuth:
    """Tokens for Graph from msal, with a persistent cache. Build once per command."""

    def __init__(self, cfg, cache_path: Path):
        if not cfg.client_id:
            raise ConfigError("calendar.client_id is not set in meetstream.yaml (the app registration's Application (client) ID)")
        self.cfg = cfg
        self.cache_path = cache_path
        self._cache: CacheInfo | None = None
        self._app = None

    @property
    def cache(self) -> CacheInfo:
        if self._cache is None:
            self._cache = build_cache(self.cache_path)
        return self._cache

    def _public(self):
        import msal

        if self._app is None:
            authority, extra = _authority(self.cfg)
            self._app = msal.PublicClientApplication(self.cfg.client_id, authority=authority, token_cache=self.cache.cache, **extra)
        return self._app

    def _confidential(self):
        import msal

        if self._app is None:
            secret = get_secret(self.cfg.client_secret_env, SECRET_KEYRING_NAME)
            if not secret:
                raise ConfigError(
                    f"calendar.app_only is set but there is no client secret: set {self.cfg.client_secret_env} "
                    f"or store it in the keyring (service meetstream, name {SECRET_KEYRING_NAME})"
                )
            register(secret)
            authority, extra = _authority(self.cfg)
            self._app = msal.ConfidentialClientApplication(
                self.cfg.client_id, client_credential=secret, authority=authority, token_cache=self.cache.cache, **extra
            )
        return self._app

    # --- signing in ------------------------------------------------------------------------------

    def sign_in_device(self, show: Callable[[str], None]) -> str:
        """Device-code flow: `show` gets Microsoft's instruction (URL and code). Returns the account."""
        with _reaching(self.cfg):
            return self._sign_in_device(show)

    def _sign_in_device(self, show: Callable[[str], None]) -> str:
        app = self._public()
        try:
            flow = app.initiate_device_flow(scopes=delegated_scopes(self.cfg))
        except ValueError as err:  # msal raises ValueError for an authority it cannot use
            raise CalendarError(f"cannot start Microsoft sign-in at {self.cfg.authority_host}: {err}") from err
        if "user_code" not in flow:
            raise CalendarError(f"Microsoft sign-in could not start: {flow.get('error_description') or flow.get('error') or 'no device code'}")
        show(flow["message"])
        result = app.acquire_token_by_device_flow(flow)
        token = self._checked(result, "sign-in")
        register(token)
        claims = result.get("id_token_claims") or {}
        return claims.get("preferred_username") or claims.get("name") or "signed in"

    def sign_in_app(self) -> str:
        """Client credentials: checks the secret works now, so the nightly sync will not find out."""
        self.token()
        return f"app {self.cfg.client_id} in tenant {self.cfg.tenant}"

    def token(self) -> str:
        """A current access token (from the cache when it can be)."""
        with _reaching(self.cfg):
            return self._token()

    def _token(self) -> str:
        if self.cfg.app_only:
            result = self._confidential().acquire_token_for_client(scopes=APP_ONLY_SCOPES)
            token = self._checked(result, "app-only sign-in")
        else:
            app = self._public()
            accounts = app.get_accounts()
            result = app.acquire_token_silent(delegated_scopes(self.cfg), account=accounts[0]) if accounts else None
            if not result:
                raise CalendarError("not signed in to Microsoft 365 (or the sign-in expired): run `meetstream auth microsoft`")
            token = self._checked(result, "silent sign-in")
        register(token)
        return token

    def account(self) -> str | None:
        if self.cfg.app_only:
            return None
        with _reaching(self.cfg):
            accounts = self._public().get_accounts()
        return accounts[0].get("username") if accounts else None

    @staticmethod
    def _checked(result: dict | None, what: str) -> str:
        if not result or "access_token" not in result:
            result = result or {}
            desc = (result.get("error_description") or "").splitlines()[0] if result.get("error_description") else ""
            raise CalendarError(f"Microsoft {what} failed: {result.get('error', 'no token')}{': ' + desc if desc else ''} "
                                "(run `meetstream auth microsoft`)")
        return result["access_token"]


@dataclass(frozen=True)
class SignedIn:
    """What `meetstream auth microsoft` reports: who, and where (and how) the tokens are kept."""

    account: str
    cache_path: Path
    encrypted: bool
    warning: str | None = None


def sign_in(settings, state_path: Path | None, show: Callable[[str], None]) -> SignedIn:
    """Sign in for the calendar: device code for an officer (`show` gets Microsoft's instruction),
    or, with `calendar.app_only`, check the app's client secret now."""
    graph = GraphAuth(settings.calendar, token_cache_path(state_path))
    who = graph.sign_in_app() if settings.calendar.app_only else graph.sign_in_device(show)
    return SignedIn(who, graph.cache.path, graph.cache.encrypted, graph.cache.warning)
