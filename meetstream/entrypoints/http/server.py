"""The room's local API over HTTP and a WebSocket (aiohttp), and the web console's files.

docs/control-api.md is the contract. The server runs its own asyncio loop on its own thread;
every handler hands the blocking work (an action, a state read, a screenshot) to threads, so a
slow OBS or a browser on a bad Wi-Fi never stalls the loop for the other surfaces.

Every request proves it comes from a meetstream surface, on loopback too: the room key, the LAN
token or a paired device's cookie (meetstream.entrypoints.http.auth); a browser that has none is
shown the pairing page. Without a LAN token the server only listens on loopback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from meetstream.errors import ConfigError
from meetstream.net import is_loopback_host
from meetstream.entrypoints.http.auth import Access, Refusal, client_of
from meetstream.entrypoints.http.pairing import CODE_LIFETIME, clean_name

log = logging.getLogger("meetstream.http.auth")

WEB = Path(__file__).resolve().parent / "web"
# Each outcome's kind (meetstream.services.control.outcome_of, from the error's type) -> its status.
MIN_TOKEN = 22  # characters: 128 bits as URL-safe base64, what a LAN listen asks of a token
# What a browser not yet paired may load: the pairing page's own files, nothing else.
PUBLIC_FILES = {"pair.js", "pair.css"}
DEVICE_COOKIE_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie; revoked with `serve --revoke`
STATUS = {"ok": 200, "refused": 409, "bad_input": 400, "not_found": 400, "failed": 502, "unavailable": 503}


@dataclass
class RunningServer:
    url: str
    host: str
    port: int
    _loop: asyncio.AbstractEventLoop
    _thread: threading.Thread
    _runner: object
    access: Access

    def stop(self) -> None:
        fut = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
        try:
            fut.result(timeout=10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)


def start_server(control, *, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
                 access: Access | None = None) -> RunningServer:
    """Serve `control` (a meetstream.services.control.RoomControl) until `.stop()`. `access` holds
    the room key and the paired devices (`meetstream serve` hands in the room's, from files beside
    the state store); without it a key is made in memory (`.access.key`) and no device is paired."""
    if not is_loopback_host(host) and token and len(token) < MIN_TOKEN:
        raise ConfigError(f"a token for listening on {host} must be at least {MIN_TOKEN} characters (128 bits: "
                          "`python -c \"import secrets; print(secrets.token_urlsafe())\"` makes one)")
    if not is_loopback_host(host) and not token:
        raise ConfigError(f"listening on {host} exposes the control API to the network: set a token first "
                          "(the environment variable named by control.token_env, MEETSTREAM_API_TOKEN by default)")
    from aiohttp import web

    if access is None:
        access = Access.ephemeral(token)
    elif token and access.token != token:
        raise ValueError("the LAN token is given twice, differently")
    loop = asyncio.new_event_loop()
    ready: dict = {}
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            runner = web.AppRunner(_app(control, access), access_log=None)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, host, port)
            loop.run_until_complete(site.start())
            ready["runner"] = runner
            ready["port"] = site._server.sockets[0].getsockname()[1]
        except BaseException as err:  # noqa: BLE001 - handed to the starting thread
            ready["error"] = err
            started.set()
            return
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="control-api", daemon=True)
    thread.start()
    started.wait(15)
    if "error" in ready:
        err = ready["error"]
        if isinstance(err, OSError):
            raise ConfigError(f"cannot listen on {host}:{port} ({err.strerror or err}): is another `meetstream serve` using it? "
                              "pick another with --listen") from err
        raise err
    shown = f"[{host}]" if ":" in host else host
    return RunningServer(f"http://{shown}:{ready['port']}", host, ready["port"], loop, thread, ready["runner"], access)


def _our_host(host: str | None) -> bool:
    """An IP address, `localhost` or this machine's own name: never a name someone else's DNS
    points here (the end of DNS rebinding)."""
    import ipaddress
    import socket

    if not host:
        return False
    if host.startswith("["):  # [::1]:8765
        name = host[1:].split("]", 1)[0]
    else:  # 127.0.0.1:8765, chamber-pc:8765
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.rstrip(".").lower()
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    own = socket.gethostname().lower()
    return name in ("localhost", own, own + ".local") or name == socket.getfqdn().lower()


def _content_policy() -> str:
    """The console's Content-Security-Policy: never framed (clickjacking), no plugins, no base or
    form target elsewhere. Scripts are not restricted by it: the console renders data only as text
    (textContent), and an accessibility checker injected into the page must still run."""
    return "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


UNAUTHORISED = ("a valid token is required: meetstream's own clients on this PC send the room key, a browser is "
                "paired once with the code `meetstream serve --pair` shows, the network sends the LAN token")


def _device_name(user_agent: str) -> str:
    """A paired browser's default name, from its User-Agent: enough to tell the tablet from the PC."""
    browser = next((b for key, b in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                                      ("Safari/", "Safari")) if key in user_agent), "a browser")
    system = next((s for key, s in (("Android", "Android"), ("iPad", "iPad"), ("iPhone", "iPhone"),
                                     ("Windows", "Windows"), ("Mac OS", "macOS"), ("Linux", "Linux")) if key in user_agent), "")
    return f"{browser} on {system}" if system else browser


def _app(control, access: Access):
    from aiohttp import WSMsgType, web

    policy = _content_policy()
    throttle = access.throttle

    def secured(response):
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    def refuse(status: int, error: str, headers: dict | None = None):
        return web.json_response({"ok": False, "error": error}, status=status, headers=headers)

    def public(request) -> bool:
        """What a browser not yet paired may ask: the pairing page's files and the pairing itself."""
        if request.method == "POST":
            return request.path == "/api/pair"
        return request.path.startswith("/static/") and request.path.removeprefix("/static/") in PUBLIC_FILES

    @web.middleware
    async def guard(request, handler):
        return secured(await checked(request, handler))

    async def checked(request, handler):
        # Every request proves it comes from a meetstream surface, not from a web page the officer
        # happens to have open: this server's own address (a DNS-rebound name is refused), no
        # other page's Origin on anything that acts or listens, actions only as JSON (a form or a
        # "simple" cross-origin POST cannot send it without asking first), and a credential.
        if not _our_host(request.host):
            return refuse(421, "this is not an address meetstream serve answers on")
        acting = request.method not in ("GET", "HEAD", "OPTIONS") or request.headers.get("Upgrade", "").lower() == "websocket"
        origin = request.headers.get("Origin")
        if acting and origin is not None and origin != f"{request.scheme}://{request.host}":
            return refuse(403, "requests from another web page are refused")
        # Fetch metadata: what another page on this machine (same site: 127.0.0.1 on another port)
        # or another site makes the browser ask (an <img>, a no-cors fetch) is refused even where
        # no Origin is sent; following a link or a bookmark to the console (a navigation) is not.
        if (request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site")
                and not (request.method == "GET" and request.headers.get("Sec-Fetch-Mode") == "navigate")):
            return refuse(403, "requests from another web page are refused")
        if request.method == "POST" and public(request):
            if request.content_type != "application/json":
                return refuse(415, "send the action as JSON (Content-Type: application/json)")
            return await handler(request)
        if public(request):
            return await handler(request)
        who = access.who(request.headers, request.query, request.cookies)
        if isinstance(who, Refusal):
            return await unauthorised(request, who)
        request["who"] = who
        if request.method == "POST" and request.content_type != "application/json":
            return refuse(415, "send the action as JSON (Content-Type: application/json)")
        return await handler(request)

    async def unauthorised(request, refusal: Refusal):
        address = client_of(request)
        if refusal.presented:
            # One line per failure, never the credential itself (nor the query it may be in).
            failures = throttle.record(address)
            log.warning("control API: refused %s %s from %s: %s (%d failure(s) from this address in 10 min)",
                        request.method, request.path, address, refusal.what, failures)
            if not await throttle.slow_down(address, failures):
                return refuse(429, "too many failed attempts from this address: wait a few minutes", {"Retry-After": "60"})
        elif throttle.should_log_missing(address):  # an unpaired browser polls: one line a minute
            log.warning("control API: refused %s %s from %s: no credential (logged once a minute per address)",
                        request.method, request.path, address)
        if request.method == "GET" and request.path == "/":
            # A browser not paired yet is shown the pairing page (still a 401: it is refused).
            return web.FileResponse(WEB / "pair.html", status=401)
        return refuse(401, UNAUTHORISED)

    async def pair(request):
        address = client_of(request)
        wait = throttle.locked_for_pairing(address)
        if wait:
            log.warning("control API: refused a pairing code from %s: too many failures, no code is checked for %d s",
                        address, int(wait))
            return refuse(429, "too many wrong codes from this device: wait, then ask for a new code",
                          {"Retry-After": str(int(wait) + 1)})
        body = await body_of(request)
        if access.codes.redeem(str(body.get("code", ""))[:64]):
            name = clean_name(body.get("name"), _device_name(request.headers.get("User-Agent", "")))
            device, cookie = await blocking(access.devices.add, name)
            log.warning("control API: paired device %s (%s) from %s", device, name, address)
            response = web.json_response({"ok": True, "device": device, "name": name})
            response.set_cookie(access.cookie_name, cookie, max_age=DEVICE_COOKIE_AGE, path="/", httponly=True,
                                samesite="Strict", secure=request.secure)
            return response
        failures = throttle.record(address)
        log.warning("control API: wrong pairing code from %s (%d failure(s) from this address in 10 min)", address, failures)
        await throttle.slow_down(address, failures)
        return refuse(401, "that code is wrong, used or out of date: ask for a new one (`meetstream serve --pair` on the PC)")

    async def pairing_code(request):
        # Only meetstream on the PC (the room key) makes codes: a paired tablet or the LAN token
        # cannot let another device in.
        if request["who"].kind != "key":
            return refuse(403, "a pairing code is made only on the PC that runs serve: `meetstream serve --pair`")
        return web.json_response({"ok": True, "code": access.codes.issue(), "expires_in": int(CODE_LIFETIME)})

    async def blocking(fn, *args):
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    async def state(request):
        return web.json_response(await blocking(control.state))

    async def body_of(request) -> dict:
        if not request.can_read_body:
            return {}
        try:
            data = await request.json()
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: JSON nested 100,000 deep
            raise web.HTTPBadRequest(text=json.dumps({"ok": False, "error": "the body is not JSON"}), content_type="application/json")
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text=json.dumps({"ok": False, "error": "the body is a JSON object"}), content_type="application/json")
        return data

    async def cue(request):
        outcome = await blocking(control.act, request.match_info["action"], await body_of(request))
        answer = {"ok": outcome.ok, ("message" if outcome.ok else "error"): outcome.message}
        if outcome.end is not None:
            answer["end"] = outcome.end
        if outcome.refused is not None:
            answer["refusal"] = outcome.refused.as_json()
        answer["state"] = await blocking(control.state)
        return web.json_response(answer, status=STATUS[outcome.kind])

    async def check(request):
        query = {k: v for k, v in request.query.items() if k != "token"}  # the token proves who asks; it is not the action's
        outcome = await blocking(control.check, request.match_info["action"], query)
        answer = {"ok": outcome.ok} | ({} if outcome.ok else {"error": outcome.message})
        if outcome.refused is not None:
            answer["refusal"] = outcome.refused.as_json()
        return web.json_response(answer, status=STATUS[outcome.kind])

    async def action_table(request):
        from meetstream.core.actions import as_json

        return web.json_response({"actions": as_json()})

    async def button(request):
        s = await blocking(control.state)
        what = request.match_info["what"]
        if what == "state":
            return web.json_response({"text": s["banner"], "bg": s["colour"], "fg": "#ffffff", "active": s["state"] != "off_air"})
        if what == "next":
            # A Stream Deck key that warns before Next: red when the next item is armed (it goes
            # private unless the meeting resolves to stay public).
            nxt = s["next_item"]
            if nxt is None:
                return web.json_response({"text": "END OF AGENDA", "bg": "#303030", "fg": "#ffffff", "active": False})
            armed = bool(nxt.get("armed"))
            return web.json_response({"text": f"NEXT {nxt['number']}" + ("\nARMED" if armed else ""),
                                      "bg": "#b00020" if armed else "#303030", "fg": "#ffffff", "active": armed,
                                      "standing": nxt.get("standing")})
        if what == "auto":  # the automatic director's key lights while it is on
            on = bool(s.get("chamber") and s["chamber"]["auto"])
            return web.json_response({"text": "AUTO" if on else "MANUAL", "bg": "#1b7f3b" if on else "#303030",
                                      "fg": "#ffffff", "active": on})
        from meetstream.core.actions import action

        known = action(what)
        active = known is not None and known.leads_to == s["state"]
        return web.json_response({"text": what.upper(), "bg": s["colour"] if active else "#303030", "fg": "#ffffff", "active": active})

    async def preview(request):
        try:
            jpeg = await blocking(control.preview_jpeg)
        except Exception as err:  # OBS away: the page shows its last picture and the health line says why
            return web.json_response({"ok": False, "error": f"no preview: {err}"}, status=503)
        return web.Response(body=jpeg, content_type="image/jpeg")

    sockets: set = set()  # the open WebSockets, closed on shutdown

    # One state for every open socket: read once per change (or once a second) on one executor
    # thread, however many tablets are connected; a socket waits for the change on the loop, never
    # in a thread of its own, so the action path never queues behind them.
    shared = {"version": None, "at": 0.0, "text": ""}
    reading = asyncio.Lock()

    async def state_text() -> str:
        loop = asyncio.get_running_loop()
        async with reading:
            if shared["version"] != control.version or loop.time() - shared["at"] >= 1.0:
                version = control.version
                shared["text"] = json.dumps(await blocking(control.state))
                shared["version"], shared["at"] = version, loop.time()
            return shared["text"]

    async def ws(request):
        sock = web.WebSocketResponse(heartbeat=20)
        await sock.prepare(request)
        sockets.add(sock)
        loop = asyncio.get_running_loop()
        try:
            while not sock.closed:
                seen = control.version
                # A client too slow to take a state in 5 s is dropped, not waited for.
                await asyncio.wait_for(sock.send_str(await state_text()), 5)
                until = loop.time() + 1.0
                while control.version == seen and loop.time() < until and not sock.closed:
                    try:  # pings and closes are read meanwhile
                        msg = await sock.receive(timeout=0.1)
                        if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                            return sock
                    except asyncio.TimeoutError:
                        pass
        except (ConnectionResetError, RuntimeError, asyncio.TimeoutError):
            pass
        finally:
            sockets.discard(sock)
            if not sock.closed:
                await sock.close()
        return sock

    async def close_sockets(app):
        # A tablet left connected must not hold the server open when it stops.
        from aiohttp import WSCloseCode

        for sock in list(sockets):
            await sock.close(code=WSCloseCode.GOING_AWAY, message=b"meetstream serve stopped")

    async def index(request):
        return web.FileResponse(WEB / "index.html")

    async def static(request):
        name = request.match_info["name"]
        path = (WEB / name).resolve()
        if path.parent != WEB or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path)

    app = web.Application(middlewares=[guard])
    app.on_shutdown.append(close_sockets)
    app.add_routes([
        web.get("/", index),
        web.get("/static/{name}", static),
        web.get("/api/state", state),
        web.get("/api/actions", action_table),
        web.get("/api/ws", ws),
        web.get("/api/preview.jpg", preview),
        web.get("/api/button/{what}", button),
        web.get("/api/check/{action}", check),
        web.post("/api/cue/{action}", cue),
        web.post("/api/pair", pair),
        web.post("/api/pair/code", pairing_code),
    ])
    return app
