"""A local Microsoft Graph (and Microsoft identity platform) for rehearsal and tests.

The real msal and requests talk to it unchanged over loopback HTTP. It serves:

  identity   GET  /{tenant}/v2.0/.well-known/openid-configuration
             POST /{tenant}/oauth2/v2.0/devicecode
             POST /{tenant}/oauth2/v2.0/token   (device_code, client_credentials, refresh_token)
  graph      GET  /v1.0/{me|users/{id}}[/calendars/{id}]/calendarView[/delta]
             GET  /v1.0/groups/{id}[/calendar]/calendarView   (no delta: event-delta, v1.0)
             GET/PATCH /v1.0/{me|users/{id}|groups/{id}}[/calendar]/events/{id}
             POST /v1.0/{me|users/{id}}/sendMail   (mail kept in `sent_mail` for inspection)
             POST /v1.0/$batch

Shapes follow the Graph v1.0 reference (microsoftgraph/microsoft-graph-docs-contrib:
user-list-calendarview, event-delta, concepts/delta-query-events, user-sendmail, json-batching,
errors, throttling). Where the reference is silent, the behaviour here is a guess and says so
in a comment marked GUESS.

msal insists on an https authority; `meetstream.adapters.teams.auth` passes msal an https authority for
this server's host and an http_client that sends the requests here over plain loopback HTTP, so
no certificate is needed. The tokens it issues are unsigned JWTs: msal reads id_token claims
without verifying a signature, and Graph calls here check only that the token was issued here.

Use from a test or from `meetstream rehearse`:

    sim = GraphSimulator.from_file(SAMPLE_COUNCIL).start()
    ... settings.calendar: authority_host=sim.url, graph_url=sim.graph_url, tenant=sim.tenant
    sim.stop()
"""

from __future__ import annotations

import base64
import copy
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from meetstream.sandbox.loopback import LoopbackServer

DATA = Path(__file__).resolve().parent / "data"
SAMPLE_COUNCIL = DATA / "sample-council.yaml"
SAMPLE_ROSTER = DATA / "sample-roster.yaml"

# Windows zone names the fixtures may use (Exchange's originalStartTimeZone values).
_WINDOWS = {
    "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "W. Europe Standard Time": "Europe/Berlin",
    "Romance Standard Time": "Europe/Paris",
    "Eastern Standard Time": "America/New_York",
    "Pacific Standard Time": "America/Los_Angeles",
    "UTC": "UTC",
}
_IANA_TO_WINDOWS = {"Europe/London": "GMT Standard Time", "UTC": "UTC", "Europe/Berlin": "W. Europe Standard Time"}

SANDBOX_CLIENT_ID = "meetstream-sandbox"  # any client id signs in here; this one names rehearsals
DEFAULT_PAGE = 10  # calendarView's default $top (documented: 10 items per page)
MAX_PAGE = 1000  # GUESS: the largest $top / odata.maxpagesize honoured for Outlook events
DELTA_DEFAULT_PAGE = 10  # GUESS: delta's page size when no odata.maxpagesize is sent


def _zone(name: str | None) -> ZoneInfo:
    name = (name or "UTC").strip()
    return ZoneInfo(_WINDOWS.get(name, name))


def _graph_dt(dt: datetime) -> str:
    """Graph's dateTime text: no offset, seven fractional digits."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".0000000"


def _parse_graph_dt(value: dict) -> datetime:
    text = re.sub(r"(\.\d{6})\d+", r"\1", value["dateTime"])
    naive = datetime.fromisoformat(text)
    if naive.tzinfo is not None:
        return naive.astimezone(timezone.utc)
    return naive.replace(tzinfo=_zone(value.get("timeZone"))).astimezone(timezone.utc)


def _parse_bound(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def _b64(obj: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")


def _unb64(text: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def _new_id() -> str:
    # Graph event ids are long opaque URL-safe base64 strings ("AAMkAGI2T..."); ours look alike.
    return "AAMkAGsim" + secrets.token_urlsafe(30).replace("-", "A").replace("_", "B") + "="


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr"):
            self.out.append("\n")

    def handle_data(self, data):
        self.out.append(data)


def _html_to_text(content: str) -> str:
    p = _Text()
    p.feed(content)
    return "\n".join(line.strip() for line in "".join(p.out).splitlines() if line.strip())


class GraphHTTPError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


@dataclass
class _Calendar:
    key: str  # "users/dem@x.gov.uk", "users/dem@x.gov.uk/calendars/<id>", "groups/<id>"
    events: dict[str, dict] = field(default_factory=dict)  # id -> stored event (masters, singles)
    tombstones: dict[str, tuple[int, dict]] = field(default_factory=dict)  # id -> (seq, last copy)


@dataclass
class RequestRecord:
    method: str
    path: str
    query: dict
    status: int
    prefer: str | None = None


class GraphSimulator(LoopbackServer):
    """The simulator. Thread-safe; all state is inspectable by tests (events, sent_mail, log)."""

    thread_name = "graph-simulator"

    def __init__(
        self,
        *,
        tenant: str = "council.example",
        latency: float = 0.0,
        device_interval: int = 5,
        auto_approve_after: int | None = 1,
        client_secrets: dict[str, str] | None = None,
        users: list[str] | None = None,
    ):
        self.tenant = tenant
        self.latency = latency
        self.device_interval = device_interval
        # Device codes are approved after this many polls (None: only by approve_device_code()).
        self.auto_approve_after = auto_approve_after
        self.client_secrets = dict(client_secrets or {})
        self.users = [u.casefold() for u in (users or ["democratic.services@example.gov.uk"])]
        self.calendars: dict[str, _Calendar] = {}
        self.sent_mail: list[dict] = []
        self.log: list[RequestRecord] = []
        self.seq = 0
        self.delta_epoch = 1
        self._expiry: tuple[int, str] = (400, "syncStateNotFound")
        self._throttle: list[tuple[int, int]] = []  # (status, retry_after) per coming request
        self._throttle_after = 0
        self._devices: dict[str, dict] = {}
        self._tokens: dict[str, dict] = {}  # access token -> claims
        self._refresh: dict[str, dict] = {}
        self._lock = threading.RLock()
        self.meta: dict = {}  # what the fixture said (council, mailbox, rooms)

    # --- running ---------------------------------------------------------------------------------

    def _handler_class(self):
        return _Handler

    @property
    def url(self) -> str:
        """The authority host (use as calendar.authority_host)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def graph_url(self) -> str:
        return f"{self.url}/v1.0"

    def calendar_settings(self) -> dict:
        """The `calendar:` settings that point meetstream at this simulator (for rehearsal)."""
        return {"tenant": self.tenant, "client_id": SANDBOX_CLIENT_ID, "authority_host": self.url, "graph_url": self.graph_url,
                "mailbox": self.meta.get("mailbox", self.users[0]), "calendar_id": None, "group": None, "app_only": False}

    # --- what tests and rehearsal change ---------------------------------------------------------

    def calendar(self, key: str) -> _Calendar:
        key = key.strip("/")
        parts = key.split("/")
        parts[1] = parts[1].casefold()
        key = "/".join(parts)
        with self._lock:
            if key not in self.calendars:
                self.calendars[key] = _Calendar(key)
            return self.calendars[key]

    def add_event(self, owner: str, event: dict) -> dict:
        """Add a Graph-shaped event to `owner`'s calendar ("users/x@y", "groups/g"); returns it."""
        with self._lock:
            ev = copy.deepcopy(event)
            ev.setdefault("id", _new_id())
            ev.setdefault("iCalUId", "040000008200E00074C5B7101A82E008" + uuid.uuid4().hex.upper())
            ev.setdefault("type", "seriesMaster" if ev.get("recurrence") else "singleInstance")
            ev.setdefault("isCancelled", False)
            ev.setdefault("isAllDay", False)
            ev.setdefault("categories", [])
            ev.setdefault("attendees", [])
            ev.setdefault("body", {"contentType": "html", "content": ""})
            ev.setdefault("location", {"displayName": "", "locationType": "default"})
            ev.setdefault("isOnlineMeeting", bool(ev.get("onlineMeeting")))
            ev.setdefault("onlineMeetingProvider", "teamsForBusiness" if ev.get("onlineMeeting") else "unknown")
            ev.setdefault("onlineMeeting", None)
            ev.setdefault("originalStartTimeZone", ev["start"].get("timeZone", "UTC"))
            ev.setdefault("originalEndTimeZone", ev["end"].get("timeZone", "UTC"))
            ev.setdefault("organizer", {"emailAddress": {"name": "Democratic Services", "address": owner.split("/")[1]}})
            ev.setdefault("exceptions", {})
            self._touch(ev)
            ev["_created"] = ev["_seq"]
            ev["_changed"] = {}  # occurrence id ("" for the event itself) -> {property: seq}
            self.calendar(owner).events[ev["id"]] = ev
            return ev

    def update_event(self, event_id: str, changes: dict) -> dict:
        """Change an event (or one occurrence of a series) as an organiser editing it would."""
        with self._lock:
            cal, ev, occ = self._find(event_id)
            if occ is not None:
                ev["exceptions"].setdefault(occ, {}).update(copy.deepcopy(changes))
            else:
                ev.update(copy.deepcopy(changes))
            self._touch(ev)
            marks = ev.setdefault("_changed", {}).setdefault(occ or "", {})
            for prop in changes:
                marks[prop] = self.seq
            return ev

    def cancel_event(self, event_id: str) -> None:
        """The organiser cancels: attendees' copies keep the event, isCancelled and "Canceled: " subject."""
        with self._lock:
            _, ev, occ = self._find(event_id)
            subject = (ev["exceptions"].get(occ, {}).get("subject") if occ else None) or ev.get("subject", "")
            changes = {"isCancelled": True, "subject": "Canceled: " + subject}
        self.update_event(event_id, changes)

    def delete_event(self, event_id: str) -> None:
        with self._lock:
            cal, ev, occ = self._find(event_id)
            self.seq += 1
            if occ is not None:
                ev["exceptions"].setdefault(occ, {})["_deleted"] = True
                self._touch(ev)
                return
            del cal.events[ev["id"]]
            cal.tombstones[ev["id"]] = (self.seq, ev)

    def throttle(self, count: int, retry_after: int = 1, status: int = 429, after: int = 0) -> None:
        """A throttling storm: after `after` more Graph requests, the next `count` get `status`
        with Retry-After (seconds)."""
        with self._lock:
            self._throttle_after = after
            self._throttle.extend([(status, retry_after)] * count)

    def calm(self) -> None:
        """End any throttling storm."""
        with self._lock:
            self._throttle.clear()

    def expire_delta_tokens(self, status: int = 400, code: str = "syncStateNotFound") -> None:
        """Every delta link (and next link) handed out so far is now refused as expired.

        delta-query-overview ("Token duration"): an expired token gets "a 40X-series error with
        error codes such as syncStateNotFound"; errors ("Code property") lists syncStateNotFound and
        resyncRequired. ("Synchronization reset"): 410 Gone with a Location header holding the
        initial query (an empty $deltaToken). Which of these Outlook events send is not said, so
        the default is the 400 the token-duration text describes; a test can ask for the others.
        """
        with self._lock:
            self.delta_epoch += 1
            self._expiry = (status, code)

    def approve_device_code(self, user_code: str, user: str | None = None) -> None:
        with self._lock:
            for d in self._devices.values():
                if d["user_code"] == user_code:
                    d["approved"] = user or self.users[0]

    def issued_tokens(self) -> set[str]:
        """Every access token issued (tests check none of them is ever printed)."""
        with self._lock:
            return set(self._tokens)

    def revoke_tokens(self) -> None:
        """Graph forgets every token it issued: the next call is 401 InvalidAuthenticationToken."""
        with self._lock:
            self._tokens.clear()

    def graph_requests(self) -> list[RequestRecord]:
        return [r for r in self.log if r.path.startswith("/v1.0")]

    def reset_log(self) -> None:
        with self._lock:
            self.log.clear()

    def events(self, owner: str | None = None) -> list[dict]:
        with self._lock:
            cals = [self.calendar(owner)] if owner else list(self.calendars.values())
            return [copy.deepcopy(e) for c in cals for e in c.events.values()]

    def _touch(self, ev: dict) -> None:
        self.seq += 1
        ev["_seq"] = self.seq
        ev["changeKey"] = secrets.token_urlsafe(8)
        ev["lastModifiedDateTime"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def _find(self, event_id: str) -> tuple[_Calendar, dict, str | None]:
        master_id, occ = event_id, None
        if "_occ_" in event_id:
            master_id = event_id.split("_occ_")[0]
            occ = event_id
        for cal in self.calendars.values():
            if master_id in cal.events:
                return cal, cal.events[master_id], occ
        raise GraphHTTPError(404, "ErrorItemNotFound", "The specified object was not found in the store.")

    # --- loading a calendar fixture --------------------------------------------------------------

    @classmethod
    def from_file(cls, path: Path | str = SAMPLE_COUNCIL, *, today: date | None = None, **kw) -> "GraphSimulator":
        """A simulator holding the calendar in a YAML/JSON fixture (see sample-council.yaml)."""
        import yaml

        path = Path(path)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))  # JSON is YAML too
        sim = cls(tenant=data.get("tenant", "council.example"), users=data.get("users"), **kw)
        sim.load(data, today=today)
        return sim

    def load(self, data: dict, *, today: date | None = None) -> list[dict]:
        """Add the fixture's events. Dates may be relative (`in_days: 7`) to `today` (default: today)."""
        today = today or datetime.now(ZoneInfo(data.get("timezone", "Europe/London"))).date()
        people = {p["email"].casefold(): p for p in data.get("people", [])}
        self.meta = {k: v for k, v in data.items() if k not in ("events", "people")}
        owner = data.get("calendar", f"users/{data.get('mailbox', self.users[0])}")
        added = []
        for spec in data.get("events", []):
            added.append(self.add_event(spec.get("calendar", owner), fixture_event(spec, today, people)))
        return added

    # --- serving ---------------------------------------------------------------------------------

    def handle(self, method: str, raw_path: str, headers: dict, body: bytes) -> tuple[int, dict, Any]:
        """One HTTP request -> (status, headers, JSON body or None). Used by the handler and $batch."""
        if self.latency:
            time.sleep(self.latency)
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        try:
            if path.startswith("/v1.0/") or path == "/v1.0":
                status, out_headers, payload = self._graph(method, path[len("/v1.0") :], query, headers, body)
            else:
                status, out_headers, payload = self._identity(method, path, query, headers, body)
        except GraphHTTPError as err:
            status, out_headers = err.status, dict(err.headers)
            payload = _error_body(err.code, err.message, headers)
        with self._lock:
            self.log.append(RequestRecord(method, path, query, status, headers.get("prefer")))
        return status, out_headers, payload

    # identity ------------------------------------------------------------------------------------

    def _identity(self, method, path, query, headers, body):
        host = headers.get("host", f"127.0.0.1:{self.port}")
        m = re.match(r"^/([^/]+)/(v2\.0/\.well-known/openid-configuration|oauth2/v2\.0/(devicecode|token|authorize))$", path)
        if not m:
            raise GraphHTTPError(404, "not_found", f"no identity endpoint {path}")
        tenant = m.group(1)
        base = f"https://{host}/{tenant}"
        if m.group(2).startswith("v2.0/.well-known"):
            return 200, {}, {
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "issuer": f"https://{host}/{self._tid()}/v2.0",
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                "tenant_region_scope": "EU",
            }
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        if m.group(3) == "devicecode":
            code = secrets.token_urlsafe(24)
            user_code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(9))
            with self._lock:
                self._devices[code] = {"user_code": user_code, "scope": form.get("scope", ""), "client_id": form.get("client_id"),
                                       "polls": 0, "approved": None, "expires": time.time() + 900}
            uri = "https://microsoft.com/devicelogin"
            return 200, {}, {
                "user_code": user_code, "device_code": code, "verification_uri": uri, "expires_in": 900,
                "interval": self.device_interval,
                "message": f"To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate.",
            }
        if m.group(3) != "token":
            raise GraphHTTPError(400, "invalid_request", "interactive sign-in is not simulated; use the device code flow")
        return self._token(form, host)

    def _tid(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_DNS, self.tenant))

    def _token(self, form: dict, host: str):
        grant = form.get("grant_type", "")
        client_id = form.get("client_id", "")
        if grant == "client_credentials":
            secret = form.get("client_secret")
            if client_id not in self.client_secrets or self.client_secrets[client_id] != secret:
                return 401, {}, _oauth_error("invalid_client", "AADSTS7000215: Invalid client secret provided.")
            return 200, {}, self._issue(client_id, None, "https://graph.microsoft.com/.default", host, refresh=False)
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            with self._lock:
                d = self._devices.get(form.get("device_code", ""))
                if d is None or d["expires"] < time.time():
                    return 400, {}, _oauth_error("expired_token", "AADSTS70019: Verification code expired.")
                d["polls"] += 1
                if d["approved"] is None and self.auto_approve_after is not None and d["polls"] > self.auto_approve_after:
                    d["approved"] = self.users[0]
                if d["approved"] is None:
                    return 400, {}, _oauth_error("authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.")
                del self._devices[form["device_code"]]
            return 200, {}, self._issue(client_id, d["approved"], d["scope"], host)
        if grant == "refresh_token":
            with self._lock:
                r = self._refresh.get(form.get("refresh_token", ""))
            if r is None:
                return 400, {}, _oauth_error("invalid_grant", "AADSTS70000: The provided value for the refresh token is not valid.")
            return 200, {}, self._issue(client_id, r["upn"], form.get("scope", r["scope"]), host)
        return 400, {}, _oauth_error("unsupported_grant_type", f"AADSTS70003: grant type {grant!r} is not supported here.")

    def _issue(self, client_id: str, upn: str | None, scope: str, host: str, refresh: bool = True) -> dict:
        now = int(time.time())
        tid = self._tid()
        oid = str(uuid.uuid5(uuid.NAMESPACE_URL, upn or client_id))
        access = "simtoken." + secrets.token_urlsafe(32)
        claims = {"upn": upn, "app": upn is None, "client_id": client_id, "exp": now + 3600}
        with self._lock:
            self._tokens[access] = claims
        out = {"token_type": "Bearer", "scope": " ".join(s for s in scope.split() if s not in ("openid", "profile", "offline_access")),
               "expires_in": 3600, "ext_expires_in": 3600, "access_token": access}
        if upn is not None:
            idt = {"aud": client_id, "iss": f"https://{host}/{tid}/v2.0", "iat": now, "nbf": now, "exp": now + 3600,
                   "name": upn.split("@")[0].replace(".", " ").title(), "oid": oid, "preferred_username": upn,
                   "sub": secrets.token_urlsafe(16), "tid": tid, "ver": "2.0"}
            out["id_token"] = ".".join([_b64({"alg": "none", "typ": "JWT"}), _b64(idt), ""])
            out["client_info"] = _b64({"uid": oid, "utid": tid})
            if refresh:
                rt = "simrefresh." + secrets.token_urlsafe(32)
                with self._lock:
                    self._refresh[rt] = {"upn": upn, "scope": scope}
                out["refresh_token"] = rt
        return out

    # graph ---------------------------------------------------------------------------------------

    def _graph(self, method, path, query, headers, body):
        auth = headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        with self._lock:
            claims = self._tokens.get(token)
        if not token:
            raise GraphHTTPError(401, "InvalidAuthenticationToken", "Access token is empty.")
        if claims is None or claims["exp"] < time.time():
            raise GraphHTTPError(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
        if path == "/$batch" and method == "POST":
            return self._batch(body, headers)
        with self._lock:
            if self._throttle and self._throttle_after > 0:
                self._throttle_after -= 1
            elif self._throttle:
                status, retry = self._throttle.pop(0)
                code = {429: "TooManyRequests", 503: "ServiceUnavailable", 504: "GatewayTimeout"}.get(status, "TooManyRequests")
                message = "Application is over its MailboxConcurrency limit." if status == 429 else "The service is temporarily unavailable."
                raise GraphHTTPError(status, code, message, {"Retry-After": str(retry)})
        if path.startswith("/me/") or path == "/me":
            if claims["upn"] is None:
                raise GraphHTTPError(400, "BadRequest", "/me request is only valid with delegated authentication flow.")
            path = f"/users/{claims['upn']}" + path[3:]
        prefer = _prefer(headers.get("prefer", ""))

        m = re.match(r"^/(users/[^/]+(?:/calendars/[^/]+)?|groups/[^/]+(?:/calendar)?)/calendarView(/delta)?$", path)
        if m and method == "GET":
            owner = self._owner(m.group(1))
            if m.group(2) and m.group(1).startswith("groups/"):
                # event-delta (v1.0) documents calendarView/delta for /me and /users/{id} only.
                # GUESS at the answer for a group: OData's usual one for a segment it does not know.
                raise GraphHTTPError(400, "BadRequest", "Resource not found for the segment 'delta'.")
            if m.group(2):
                return self._delta(owner, path, query, prefer)
            return self._calendar_view(owner, path, query, prefer)
        m = re.match(r"^/(users/[^/]+|groups/[^/]+)(?:/calendar)?/events/([^/]+)$", path)
        if m:
            self._owner(m.group(1))
            if method == "GET":
                with self._lock:
                    _, ev, occ = self._find(m.group(2))
                    inst = self._instance(ev, occ) if occ else ev
                    if inst is None:
                        raise GraphHTTPError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
                    return 200, {}, self._render(inst, prefer, query.get("$select"))
            if method == "PATCH":
                return self._patch(m.group(2), _json(body), prefer)
        m = re.match(r"^/users/([^/]+)/sendMail$", path)
        if m and method == "POST":
            return self._send_mail(m.group(1), _json(body), claims)
        raise GraphHTTPError(400, "BadRequest", f"Resource not found for the segment '{path.strip('/').split('/')[-1]}'.")

    def _owner(self, key: str) -> _Calendar:
        base = key.split("/")
        name = "/".join(base[:2])
        if key.startswith("groups/") and key.endswith("/calendar"):
            key = name
        with self._lock:
            known = {k.split("/calendars/")[0] for k in self.calendars} | {f"users/{u}" for u in self.users}
            if name.casefold() not in {k.casefold() for k in known}:
                if key.startswith("users/"):
                    raise GraphHTTPError(404, "ErrorInvalidUser", f"The requested user '{base[1]}' is invalid.")
                raise GraphHTTPError(404, "Request_ResourceNotFound", f"Resource '{base[1]}' does not exist or one of its queried reference-property objects are not present.")
            if "/calendars/" in key and key.casefold() not in {k.casefold() for k in self.calendars}:
                raise GraphHTTPError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
            return self.calendar(key)

    def _window(self, query) -> tuple[datetime, datetime]:
        q = {k.lower(): v for k, v in query.items()}  # Graph's query parameter names ignore case
        start, end = _parse_bound(q.get("startdatetime")), _parse_bound(q.get("enddatetime"))
        if start is None or end is None:
            raise GraphHTTPError(400, "ErrorInvalidParameter",
                                 "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.")
        return start, end

    def _instances(self, cal: _Calendar, start: datetime, end: datetime) -> list[dict]:
        out = []
        for ev in cal.events.values():
            for inst in self._expand(ev, start, end):
                if _overlaps(inst, start, end):
                    out.append(inst)
        out.sort(key=lambda e: (_parse_graph_dt(e["start"]), e["id"]))
        return out

    def _expand(self, ev: dict, start: datetime, end: datetime) -> list[dict]:
        if not ev.get("recurrence"):
            return [ev]
        out = []
        for occ_start in _occurrences(ev, end):
            occ_id = f"{ev['id']}_occ_{occ_start.strftime('%Y%m%d')}"
            inst = self._instance(ev, occ_id, occ_start)
            if inst is not None:
                out.append(inst)
        return out

    def _instance(self, master: dict, occ_id: str, occ_start: datetime | None = None) -> dict | None:
        """One occurrence of a series (calendarView expands series; /events does not)."""
        if occ_start is None:
            day = occ_id.rsplit("_occ_", 1)[1]
            first = _parse_graph_dt(master["start"])
            local = first.astimezone(_zone(master["start"].get("timeZone")))
            occ_start = local.replace(year=int(day[:4]), month=int(day[4:6]), day=int(day[6:8])).astimezone(timezone.utc)
        ex = master.get("exceptions", {}).get(occ_id, {})
        if ex.get("_deleted"):
            return None
        length = _parse_graph_dt(master["end"]) - _parse_graph_dt(master["start"])
        inst = {k: copy.deepcopy(v) for k, v in master.items() if k not in ("recurrence", "exceptions")}
        zone = master["start"].get("timeZone", "UTC")
        local = occ_start.astimezone(_zone(zone))
        inst.update({"id": occ_id, "type": "exception" if ex else "occurrence", "seriesMasterId": master["id"],
                     "start": {"dateTime": _graph_dt(local), "timeZone": zone},
                     "end": {"dateTime": _graph_dt((occ_start + length).astimezone(_zone(zone))), "timeZone": zone}})
        inst.update({k: copy.deepcopy(v) for k, v in ex.items() if not k.startswith("_")})
        return inst

    def _render(self, ev: dict, prefer: dict, select: str | None = None) -> dict:
        """An event as Graph returns it: times in the Prefer'd zone (default UTC), body as asked."""
        out = {"@odata.etag": f'W/"{ev.get("changeKey", "")}"'}
        zone_name = prefer.get("outlook.timezone") or "UTC"
        for k, v in ev.items():
            if k.startswith("_") or k in ("exceptions",):
                continue
            out[k] = copy.deepcopy(v)
        for k in ("start", "end"):
            if ev.get("isAllDay"):
                # GUESS: all-day events keep their midnight dates, labelled with the requested zone.
                out[k] = {"dateTime": ev[k]["dateTime"][:10] + "T00:00:00.0000000", "timeZone": zone_name}
            else:
                dt = _parse_graph_dt(ev[k]).astimezone(_zone(zone_name))
                out[k] = {"dateTime": _graph_dt(dt), "timeZone": zone_name}
        if prefer.get("outlook.body-content-type") == "text" and out.get("body", {}).get("contentType") == "html":
            out["body"] = {"contentType": "text", "content": _html_to_text(out["body"]["content"])}
        if select:
            wanted = {s.strip() for s in select.split(",")} | {"id", "@odata.etag"}
            out = {k: v for k, v in out.items() if k in wanted}
        return out

    def _page_size(self, query, prefer, default) -> int:
        size = query.get("$top") or prefer.get("odata.maxpagesize") or default
        try:
            size = int(size)
        except ValueError:
            raise GraphHTTPError(400, "BadRequest", f"Invalid page size {size!r}.") from None
        return max(1, min(size, MAX_PAGE))

    def _calendar_view(self, cal, path, query, prefer):
        start, end = self._window(query)
        size = self._page_size(query, prefer, DEFAULT_PAGE)
        skip = int(query.get("$skip") or 0)
        with self._lock:
            items = self._instances(cal, start, end)
            page = [self._render(e, prefer, query.get("$select")) for e in items[skip : skip + size]]
        out: dict[str, Any] = {"@odata.context": f"{self.graph_url}/$metadata#{cal.key}/calendarView", "value": page}
        if skip + size < len(items):
            q = dict(query, **{"$skip": str(skip + size), "$top": str(size)})
            out["@odata.nextLink"] = f"{self.graph_url}{_quote_path(path)}?{urlencode(q)}"
        return 200, _applied(prefer), out

    def _delta(self, cal, path, query, prefer):
        if any(k in query for k in ("$select", "$filter", "$orderby", "$expand", "$search")):
            # GUESS: the reference says delta on calendarView does not support these; we refuse.
            raise GraphHTTPError(400, "ErrorInvalidUrlQuery", "The following parameters are not supported with change tracking over the 'CalendarView' resource: '$orderby, $search, $select, $expand, $filter'.")
        if "$deltatoken" in query:
            state = self._state(query["$deltatoken"], cal, path)
            state = {**state, "since": state["seq"], "seq": self.seq, "offset": 0}
        elif "$skiptoken" in query:
            state = self._state(query["$skiptoken"], cal, path)
        else:
            start, end = self._window(query)
            state = {"cal": cal.key, "w": [start.isoformat(), end.isoformat()], "since": None, "seq": self.seq,
                     "offset": 0, "epoch": self.delta_epoch}
        size = self._page_size({}, prefer, DELTA_DEFAULT_PAGE)
        start, end = (datetime.fromisoformat(t) for t in state["w"])
        with self._lock:
            changes = self._changes(cal, start, end, state["since"], state["seq"])
            page = changes[state["offset"] : state["offset"] + size]
            rendered = [c if "@removed" in c else {"@odata.type": "#microsoft.graph.event", **self._delta_item(c, prefer, state["since"])}
                        for c in page]
        out: dict[str, Any] = {"@odata.context": f"{self.graph_url}/$metadata#Collection(event)", "value": rendered}
        base = f"{self.graph_url}{_quote_path(path)}"
        if state["offset"] + size < len(changes):
            out["@odata.nextLink"] = f"{base}?$skiptoken={_b64({**state, 'offset': state['offset'] + size})}"
        else:
            done = {"cal": cal.key, "w": state["w"], "seq": state["seq"], "epoch": state["epoch"]}
            out["@odata.deltaLink"] = f"{base}?$deltatoken={_b64(done)}"
        return 200, _applied(prefer), out

    def _delta_item(self, inst: dict, prefer: dict, since: int | None) -> dict:
        """An event as a delta round reports it. delta-query-overview ("Resource representation in
        the delta query response"): new instances in full; "updated instances are represented by
        their id with *at least* the properties that have been updated". We send the least the
        reference allows (id, the changed properties, the etag), so a client that needs more must
        read the event."""
        out = self._render(inst, prefer)
        master = self._master_of(inst)
        if since is None or master is None or since < master.get("_created", 0):
            return out
        occ = inst["id"] if inst["id"] != master["id"] else None
        marks = dict(master.get("_changed", {}).get("", {}))
        if occ:
            marks.update(master.get("_changed", {}).get(occ, {}))
        changed = {k for k, seq in marks.items() if seq > since}
        if changed & {"start", "end"}:
            changed |= {"start", "end"}  # a moved meeting: GUESS that both ends come together
        # GUESS: an occurrence of a changed series with nothing of its own changed comes as its id
        # and etag alone (the reference does not say whether it comes at all).
        return {k: v for k, v in out.items() if k in changed or k in ("id", "@odata.etag")}

    def _master_of(self, inst: dict) -> dict | None:
        master_id = inst.get("seriesMasterId") or inst["id"]
        for cal in self.calendars.values():
            if master_id in cal.events:
                return cal.events[master_id]
        return None

    def _state(self, token: str, cal: _Calendar, path: str) -> dict:
        try:
            state = _unb64(token)
        except Exception:
            raise GraphHTTPError(400, "ErrorInvalidUrlQuery", "The sync state token is not valid.") from None
        if state.get("epoch") != self.delta_epoch or state.get("cal") != cal.key:
            # See expire_delta_tokens for the references. The two messages are the errors page's
            # descriptions of the codes; the fallback message is a GUESS.
            status, code = self._expiry
            message = {"syncstatenotfound": "The sync state generation is not found. The delta token is expired and data must be synchronized again.",
                       "resyncrequired": "The delta token is no longer valid, and the app must reset the sync state."}.get(
                code.casefold(), "The sync state has expired; start a new round of delta queries.")
            headers = {}
            if status == 410:
                start, end = (datetime.fromisoformat(t) for t in state["w"])
                window = urlencode({"startDateTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                    "endDateTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"), "$deltatoken": ""})
                headers["Location"] = f"{self.graph_url}{_quote_path(path)}?{window}"
            raise GraphHTTPError(status, code, message, headers)
        return state

    def _changes(self, cal: _Calendar, start, end, since: int | None, upto: int) -> list[dict]:
        """The initial round: every instance in the window. Later: what changed since `since`."""
        if since is None:
            return self._instances(cal, start, end)
        out: list[dict] = []
        for ev in cal.events.values():
            if not (since < ev.get("_seq", 0)):
                continue
            # A changed series: every occurrence in the window is reported; ones gone are @removed.
            for inst in self._expand(ev, start, end) if ev.get("recurrence") else [ev]:
                if _overlaps(inst, start, end):
                    out.append(inst)
                else:
                    # GUESS: an event moved out of the window is reported @removed (the reference
                    # warns removed items may lie outside the window).
                    out.append(_removed(inst["id"]))
            for occ_id, ex in ev.get("exceptions", {}).items():
                if ex.get("_deleted"):
                    out.append(_removed(occ_id))
        for ev_id, (seq, old) in cal.tombstones.items():
            if since < seq:
                ids = [i["id"] for i in self._expand(old, start, end)] if old.get("recurrence") else [ev_id]
                out.extend(_removed(i) for i in ids)
        seen, unique = set(), []
        for item in out:
            if item["id"] not in seen:
                seen.add(item["id"])
                unique.append(item)
        return unique

    def _patch(self, event_id: str, body: dict, prefer: dict):
        if not isinstance(body, dict):
            raise GraphHTTPError(400, "ErrorInvalidRequest", "The request body is not a JSON object.")
        writable = {"subject", "body", "location", "categories", "isOnlineMeeting", "onlineMeetingProvider", "start", "end",
                    "attendees", "isAllDay"}
        bad = set(body) - writable
        if bad:
            raise GraphHTTPError(400, "ErrorInvalidProperty", f"The property '{sorted(bad)[0]}' does not exist on type 'microsoft.graph.event' or is read-only.")
        with self._lock:
            cal, ev, occ = self._find(event_id)
            changes = dict(body)
            current = self._instance(ev, occ) if occ else ev
            if changes.get("isOnlineMeeting") and not (current or {}).get("onlineMeeting"):
                changes.setdefault("onlineMeetingProvider", "teamsForBusiness")
                changes["onlineMeeting"] = {"joinUrl": _join_url()}
            self.update_event(event_id, changes)
            inst = self._instance(ev, occ) if occ else ev
            out = self._render(inst, prefer)
            if "onlineMeeting" in changes and body.get("isOnlineMeeting"):
                # GUESS: the Teams meeting is provisioned asynchronously, so the PATCH response
                # has no joinUrl yet; a GET afterwards does (the reference: "may need a re-GET").
                out["onlineMeeting"] = None
            return 200, {}, out

    def _send_mail(self, user: str, body: dict, claims: dict):
        msg = body.get("message") if isinstance(body, dict) else None
        if not isinstance(msg, dict):
            raise GraphHTTPError(400, "ErrorInvalidRequest", "Empty Payload. JSON content expected.")
        to = [r.get("emailAddress", {}).get("address") for r in msg.get("toRecipients") or [] if isinstance(r, dict)]
        if not to or not all(to):
            raise GraphHTTPError(400, "ErrorInvalidRecipients", "At least one recipient is not valid., Recipient '' is not resolved.")
        with self._lock:
            if f"users/{user.casefold()}" not in {k.split('/calendars/')[0] for k in self.calendars} | {f"users/{u}" for u in self.users}:
                raise GraphHTTPError(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")
            self.sent_mail.append({"from": user, "to": to, "subject": msg.get("subject"), "body": msg.get("body", {}),
                                   "saveToSentItems": body.get("saveToSentItems", True), "message": copy.deepcopy(msg)})
        return 202, {}, None

    def _batch(self, body: bytes, headers: dict):
        req = _json(body)
        items = req.get("requests") if isinstance(req, dict) else None
        if not isinstance(items, list) or not items:
            raise GraphHTTPError(400, "BadRequest", "Invalid batch payload format.")
        if len(items) > 20:
            raise GraphHTTPError(400, "BadRequest", "The number of batch requests exceeds the limit of 20.")
        responses = []
        for item in items:
            sub_headers = {k.lower(): v for k, v in (item.get("headers") or {}).items()}
            sub_headers["authorization"] = headers.get("authorization", "")
            url = item.get("url", "")
            path = url if url.startswith("/v1.0") else "/v1.0" + (url if url.startswith("/") else "/" + url)
            payload = json.dumps(item["body"]).encode() if item.get("body") is not None else b""
            status, h, out = self.handle(item.get("method", "GET").upper(), path, sub_headers, payload)
            resp = {"id": item.get("id"), "status": status, "headers": h}
            if out is not None:
                resp["body"] = out
            responses.append(resp)
        # json-batching: responses may come back in any order; match them on id.
        responses.reverse()
        # throttling ("Throttling and batching"): a throttled item fails with 429 and "the batch
        # itself fails with a status code of 424 (Failed Dependency)"; the body still has every item.
        status = 424 if any(r["status"] == 429 for r in responses) else 200
        return status, {}, {"responses": responses}


class _Handler(BaseHTTPRequestHandler):
    simulator: GraphSimulator
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet: tests and rehearsal read sim.log instead
        pass

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, out_headers, payload = self.simulator.handle(self.command, self.path, headers, body)
        except Exception as err:  # a simulator bug must still answer, as Graph would
            status, out_headers = 500, {}
            payload = _error_body("InternalServerError", f"simulator error: {type(err).__name__}: {err}", headers)
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json; odata.metadata=minimal; charset=utf-8")
        for k, v in out_headers.items():
            self.send_header(k, v)
        self.send_header("request-id", str(uuid.uuid4()))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = _serve


# --- helpers ---------------------------------------------------------------------------------------


def _quote_path(path: str) -> str:
    return quote(path, safe="/@$=:")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise GraphHTTPError(400, "BadRequest", "Unable to read JSON request payload.") from None


def _prefer(header: str) -> dict:
    out = {}
    for part in header.split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip().lower()] = v.strip().strip('"')
    return out


def _applied(prefer: dict) -> dict:
    applied = [f'{k}="{v}"' if k.startswith("outlook") else f"{k}={v}" for k, v in prefer.items()]
    return {"Preference-Applied": ", ".join(applied)} if applied else {}


def _error_body(code: str, message: str, headers: dict) -> dict:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return {"error": {"code": code, "message": message, "innerError": {
        "date": now, "request-id": str(uuid.uuid4()), "client-request-id": headers.get("client-request-id", str(uuid.uuid4()))}}}


def _oauth_error(error: str, description: str) -> dict:
    return {"error": error, "error_description": description, "error_codes": [int(re.search(r"\d+", description).group())],
            "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ"), "trace_id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4())}


def _removed(event_id: str) -> dict:
    return {"@odata.type": "#microsoft.graph.event", "id": event_id, "@removed": {"reason": "deleted"}}


def _overlaps(ev: dict, start: datetime, end: datetime) -> bool:
    s, e = _parse_graph_dt(ev["start"]), _parse_graph_dt(ev["end"])
    return e > start and s < end


def _join_url() -> str:
    thread = secrets.token_hex(16)
    return (f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{thread}%40thread.v2/0"
            "?context=%7b%22Tid%22%3a%22sim%22%7d")


def _occurrences(ev: dict, until: datetime) -> list[datetime]:
    """Starts of a series (Graph's patternedRecurrence: daily/weekly/absoluteMonthly; endDate/numbered/noEnd)."""
    rec = ev["recurrence"]
    pattern, rng = rec.get("pattern", {}), rec.get("range", {})
    zone = _zone(ev["start"].get("timeZone"))
    first = _parse_graph_dt(ev["start"]).astimezone(zone)
    kind, interval = pattern.get("type", "weekly"), max(1, int(pattern.get("interval", 1)))
    count = int(rng.get("numberOfOccurrences") or 0) if rng.get("type") == "numbered" else None
    end_date = date.fromisoformat(rng["endDate"]) if rng.get("type") == "endDate" else None
    days = [d.lower() for d in pattern.get("daysOfWeek") or []]
    names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    out, n, cursor = [], 0, first
    for _ in range(2000):
        if kind == "daily":
            candidates = [cursor]
            step = timedelta(days=interval)
        elif kind == "weekly":
            week_start = cursor - timedelta(days=cursor.weekday())
            wanted = [names.index(d) for d in days] or [first.weekday()]
            candidates = [week_start + timedelta(days=w) for w in sorted(wanted)]
            candidates = [c for c in candidates if c >= first]
            step = timedelta(weeks=interval)
        else:  # absoluteMonthly
            month = cursor.month - 1
            candidates = [cursor.replace(day=min(int(pattern.get("dayOfMonth", first.day)), 28))]
            step = None
        for c in candidates:
            local = c.replace(hour=first.hour, minute=first.minute, tzinfo=None).replace(tzinfo=zone)
            if end_date and local.date() > end_date or count is not None and n >= count:
                return out
            utc = local.astimezone(timezone.utc)
            if utc > until:
                return out
            out.append(utc)
            n += 1
        if step is None:
            y, mth = divmod(month + interval, 12)
            cursor = cursor.replace(year=cursor.year + y, month=mth + 1, day=1)
        else:
            cursor = cursor + step
    return out


def fixture_event(spec: dict, today: date, people: dict | None = None) -> dict:
    """One event from the fixture's friendly form into Graph's shape.

    subject, in_days (or date: YYYY-MM-DD), time "18:30", minutes, zone (IANA or Windows name),
    location, categories, attendees (emails; names from `people`), agenda (lines -> HTML body) or
    body (+ body_type text/html), online (a Teams link), all_day, cancelled, recurrence
    {type, interval, daysOfWeek, count}, id. Anything already in Graph's shape passes through.
    """
    people = people or {}
    if "start" in spec and isinstance(spec["start"], dict):
        return copy.deepcopy(spec)
    day = date.fromisoformat(str(spec["date"])) if spec.get("date") else today + timedelta(days=int(spec.get("in_days", 0)))
    zone_name = spec.get("zone", "Europe/London")
    hh, mm = (int(x) for x in str(spec.get("time", "18:30")).split(":"))
    local = datetime(day.year, day.month, day.day, hh, mm, tzinfo=_zone(zone_name))
    minutes = int(spec.get("minutes", 120))
    ev: dict[str, Any] = {"subject": spec["subject"], "categories": list(spec.get("categories", ["Webcast"])),
                          "isCancelled": bool(spec.get("cancelled"))}
    if spec.get("cancelled"):
        ev["subject"] = "Canceled: " + ev["subject"]
    if spec.get("id"):
        ev["id"] = spec["id"]
    if spec.get("all_day"):
        end_day = day + timedelta(days=int(spec.get("days", 1)))
        ev["isAllDay"] = True
        ev["start"] = {"dateTime": f"{day.isoformat()}T00:00:00.0000000", "timeZone": zone_name}
        ev["end"] = {"dateTime": f"{end_day.isoformat()}T00:00:00.0000000", "timeZone": zone_name}
    else:
        ev["start"] = {"dateTime": _graph_dt(local), "timeZone": zone_name}
        ev["end"] = {"dateTime": _graph_dt(local + timedelta(minutes=minutes)), "timeZone": zone_name}
    ev["originalStartTimeZone"] = ev["originalEndTimeZone"] = _IANA_TO_WINDOWS.get(zone_name, zone_name)
    if "location" in spec:
        ev["location"] = {"displayName": spec["location"] or "", "locationType": "conferenceRoom" if spec["location"] else "default"}
    ev["attendees"] = []
    for who in spec.get("attendees", []):
        p = people.get(str(who).casefold(), {})
        ev["attendees"].append({"type": p.get("type", "required"),
                                "status": {"response": "accepted", "time": "0001-01-01T00:00:00Z"},
                                "emailAddress": {"name": p.get("name", who), "address": who}})
    if "agenda" in spec:
        ev["body"] = {"contentType": "html", "content": _agenda_html(spec["subject"], spec["agenda"])}
    elif "body" in spec:
        ev["body"] = {"contentType": spec.get("body_type", "html"), "content": spec["body"] or ""}
    else:
        ev["body"] = {"contentType": "html", "content": ""}
    if spec.get("online"):
        ev["isOnlineMeeting"] = True
        ev["onlineMeetingProvider"] = "teamsForBusiness"
        ev["onlineMeeting"] = {"joinUrl": spec["online"] if isinstance(spec["online"], str) else _join_url()}
    if spec.get("recurrence"):
        r = spec["recurrence"]
        pattern = {"type": r.get("type", "weekly"), "interval": r.get("interval", 1), "firstDayOfWeek": "sunday"}
        if pattern["type"] == "weekly":
            pattern["daysOfWeek"] = r.get("daysOfWeek") or [day.strftime("%A").lower()]
        if pattern["type"] == "absoluteMonthly":
            pattern["dayOfMonth"] = day.day
        rng = {"type": "numbered", "startDate": day.isoformat(), "recurrenceTimeZone": zone_name,
               "numberOfOccurrences": int(r.get("count", 6))}
        ev["recurrence"] = {"pattern": pattern, "range": rng}
    return ev


def _agenda_html(subject: str, lines: list[str]) -> str:
    """Agenda lines as Outlook would send them: an HTML body with paragraphs."""
    from html import escape

    parts = [f"<p><b>{escape(subject)}</b></p>", "<p>Agenda</p>"]
    for line in lines:
        parts.append(f"<p>{escape(str(line))}</p>")
    return '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>' + "".join(parts) + "</body></html>"
