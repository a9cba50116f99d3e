"""The Graph HTTP client: bearer token, paging, Retry-After, Graph error bodies -> CalendarError.

requests is imported lazily (inside GraphClient) so `meetstream --help` never loads it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

from meetstream.errors import CalendarError, DeltaExpired
from meetstream.net import is_loopback_host

log = logging.getLogger("meetstream.adapters.teams")

RETRY_STATUSES = (429, 503, 504)
# Inside a batch, 424 (Failed Dependency) marks an item that was not run because another failed
# (json-batching, "dependsOn"): asking again is safe.
BATCH_RETRY_STATUSES = RETRY_STATUSES + (424,)

# An expired or reset sync state. delta-query-overview ("Token duration"): "a 40X-series error with
# error codes such as syncStateNotFound"; ("Synchronization reset"): 410 Gone. errors ("Code
# property"): syncStateNotFound and resyncRequired both mean the delta token is no longer valid.
SYNC_RESET_CODES = frozenset({"syncstatenotfound", "resyncrequired"})


class GraphRequestError(CalendarError):
    """Graph answered with an error body."""

    def __init__(self, message: str, status: int, code: str | None):
        super().__init__(message)
        self.status, self.code = status, code


@dataclass
class Counters:
    requests: int = 0  # HTTP requests sent, retries included
    retries: int = 0
    waited: float = 0.0  # seconds slept for Retry-After
    pages: int = 0


@dataclass
class GraphClient:
    """A small Graph client. `token` returns a bearer token (see teams.auth)."""

    base_url: str
    token: Callable[[], str]
    max_retries: int = 6
    max_wait: float = 300.0  # a Retry-After longer than this is reported, not waited out
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    session: Any = None
    counters: Counters = field(default_factory=Counters)

    def __post_init__(self):
        self.base_url = self.base_url.rstrip("/")
        if self.session is None:
            import requests

            self.session = requests.Session()
        base = urlsplit(self.base_url)
        if base.scheme != "https" and not is_loopback_host(base.hostname):
            raise CalendarError(f"calendar.graph_url {self.base_url} must be https (plain http is allowed only on loopback)")

    # --- requests --------------------------------------------------------------------------------

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            # Follow only links back to the same Graph host: the bearer token goes with them.
            mine, theirs = urlsplit(self.base_url), urlsplit(path_or_url)
            if (mine.scheme, mine.netloc) != (theirs.scheme, theirs.netloc):
                raise CalendarError(f"Graph sent a link to another host ({theirs.netloc}); refusing to send the token there")
            return path_or_url
        return self.base_url + "/" + path_or_url.lstrip("/")

    def request(self, method: str, path_or_url: str, *, params=None, json=None, headers=None,
                accept: tuple[int, ...] = ()) -> Any:
        """One Graph call, retried on 429/503/504 as Retry-After says. Returns the JSON body or None.

        A status in `accept` is returned like a success (its body) instead of raised."""
        import requests

        url = self.url(path_or_url)
        attempt = 0
        while True:
            h = {"Authorization": f"Bearer {self.token()}", "Accept": "application/json"}
            h.update(headers or {})
            self.counters.requests += 1
            try:
                resp = self.session.request(method, url, params=params, json=json, headers=h, timeout=self.timeout)
            except requests.RequestException as err:
                host = urlsplit(url).netloc
                raise CalendarError(f"cannot reach Microsoft Graph at {host} ({type(err).__name__}); "
                                    "check the network connection, any proxy or firewall, and calendar.graph_url") from err
            if resp.status_code in RETRY_STATUSES and attempt < self.max_retries:
                wait = _retry_after(resp.headers.get("Retry-After"), attempt)
                if wait > self.max_wait:
                    raise _error(resp, f"Graph asks us to wait {wait:.0f}s")
                attempt += 1
                self.counters.retries += 1
                self.counters.waited += wait
                log.info("Graph %s on %s %s; retrying in %.1fs (attempt %d)", resp.status_code, method, urlsplit(url).path, wait, attempt)
                self.sleep(wait)
                continue
            if resp.status_code >= 400 and resp.status_code not in accept:
                raise _error(resp)
            if resp.status_code == 204 or not resp.content:
                return None
            try:
                return resp.json()
            except ValueError as err:
                raise CalendarError(f"Graph sent a response that is not JSON ({resp.status_code} from {urlsplit(url).path})") from err

    def get(self, path_or_url: str, **kw) -> Any:
        return self.request("GET", path_or_url, **kw)

    def post(self, path_or_url: str, body: Any, **kw) -> Any:
        return self.request("POST", path_or_url, json=body, **kw)

    def patch(self, path_or_url: str, body: Any, **kw) -> Any:
        return self.request("PATCH", path_or_url, json=body, **kw)

    def pages(self, path_or_url: str, *, params=None, headers=None) -> Iterator[dict]:
        """Each page of a collection, following @odata.nextLink (whose URL carries the query)."""
        page = self.get(path_or_url, params=params, headers=headers)
        while True:
            self.counters.pages += 1
            yield page
            nxt = page.get("@odata.nextLink") if isinstance(page, dict) else None
            if not nxt:
                return
            page = self.get(nxt, headers=headers)

    # --- JSON batching -----------------------------------------------------------------------------

    def batch(self, requests_: list[dict], on_result: Callable[[str, dict], None] | None = None) -> dict[str, dict]:
        """Run many calls as `$batch` (20 a time). Returns {id: {"status", "body"}}.

        Items that come back 429/503/504 (or 424, not run) are retried (only those) after the longest
        Retry-After. `on_result(id, result)` is called for each item as soon as its outcome is final,
        before any later batch is sent: a caller that records what was done there keeps that record
        even when a later batch fails.
        """
        results: dict[str, dict] = {}
        pending = list(requests_)
        attempt = 0
        while pending:
            retry: list[dict] = []
            wait = 0.0
            for i in range(0, len(pending), 20):
                chunk = pending[i : i + 20]
                # throttling ("Throttling and batching"): when an item is throttled "the batch itself
                # fails with a status code of 424 (Failed Dependency)"; its body still holds every
                # item's own status, so it is read like a 200.
                body = self.request("POST", "$batch", json={"requests": chunk}, accept=(424,))
                by_id = {r["id"]: r for r in chunk}
                answered = set()
                for resp in (body or {}).get("responses", []):
                    rid = str(resp.get("id"))
                    if rid not in by_id:
                        continue
                    answered.add(rid)
                    status = int(resp.get("status", 500))
                    if status in BATCH_RETRY_STATUSES and attempt < self.max_retries:
                        headers = {k.lower(): v for k, v in (resp.get("headers") or {}).items()}
                        wait = max(wait, _retry_after(headers.get("retry-after"), attempt))
                        retry.append(by_id[rid])
                    else:
                        results[rid] = {"status": status, "body": resp.get("body")}
                        if on_result is not None:
                            on_result(rid, results[rid])
                for rid in by_id.keys() - answered:
                    # An item Graph did not answer was not done: ask again, within the same limit.
                    if attempt < self.max_retries:
                        retry.append(by_id[rid])
                    else:
                        results[rid] = {"status": 500, "body": None}
                        if on_result is not None:
                            on_result(rid, results[rid])
            if retry:
                attempt += 1
                self.counters.retries += len(retry)
                self.counters.waited += wait
                self.sleep(wait)
            pending = retry
        return results


def _retry_after(value: str | None, attempt: int) -> float:
    try:
        return max(0.0, float(value))  # Graph sends whole seconds
    except (TypeError, ValueError):
        return float(min(2**attempt, 60))  # no header: exponential back-off


def error_message(status: int, body: Any, what: str = "") -> tuple[str, str | None]:
    code = message = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = body["error"].get("code")
        message = body["error"].get("message")
    hint = {
        401: "run `meetstream auth microsoft` to sign in again",
        403: "the app registration lacks a permission or admin consent (see \"Register an app in Microsoft Entra ID\" in the README)",
        404: "check calendar.mailbox, calendar.calendar_id or calendar.group in meetstream.yaml",
        429: "Graph is throttling this app; try again in a few minutes",
    }.get(status, "")
    text = f"Graph refused {what}{status}" if what else f"Graph answered {status}"
    if code:
        text += f" {code}"
    if message:
        text += f": {message}"
    if hint:
        text += f" ({hint})"
    return text, code


def _error(resp, extra: str = "") -> CalendarError:
    try:
        body = resp.json()
    except ValueError:
        body = None
    path = urlsplit(resp.url).path if resp.url else ""
    text, code = error_message(resp.status_code, body)
    if path:
        text += f" [{resp.request.method if resp.request is not None else ''} {path}]"
    if extra:
        text = f"{extra}: {text}"
    if resp.status_code == 410 or (400 <= resp.status_code < 500 and _codes(body) & SYNC_RESET_CODES):
        return DeltaExpired(text)
    return GraphRequestError(text, resp.status_code, code)


def _codes(body: Any) -> set[str]:
    """Every error code in a Graph error body, the nested innerError ones too (errors: "loop
    through all the error codes available"), in lower case (Graph's casing varies)."""
    out: set[str] = set()
    err = body.get("error") if isinstance(body, dict) else None
    for _ in range(10):
        if not isinstance(err, dict):
            break
        if isinstance(err.get("code"), str):
            out.add(err["code"].casefold())
        err = err.get("innerError") or err.get("innererror")
    return out
