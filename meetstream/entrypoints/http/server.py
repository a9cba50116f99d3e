"""The room's local API over HTTP and a WebSocket (aiohttp), and the web console's files.

docs/control-api.md is the contract. The server runs its own asyncio loop on its own thread;
every handler hands the blocking work (an action, a state read, a screenshot) to threads, so a
slow OBS or a browser on a bad Wi-Fi never stalls the loop for the other surfaces.

A token, when set, is required on every request (header `Authorization: Bearer …` or `?token=`);
without one the server only listens on loopback.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from meetstream.errors import ConfigError
from meetstream.net import is_loopback_host

WEB = Path(__file__).resolve().parent / "web"
# Each outcome's kind (meetstream.services.control.outcome_of, from the error's type) -> its status.
MIN_TOKEN = 22  # characters: 128 bits as URL-safe base64, what a LAN listen asks of a token
STATUS = {"ok": 200, "refused": 409, "bad_input": 400, "not_found": 400, "failed": 502, "unavailable": 503}


@dataclass
class RunningServer:
    url: str
    host: str
    port: int
    _loop: asyncio.AbstractEventLoop
    _thread: threading.Thread
    _runner: object

    def stop(self) -> None:
        fut = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
        try:
            fut.result(timeout=10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)


def start_server(control, *, host: str = "127.0.0.1", port: int = 8765, token: str | None = None) -> RunningServer:
    """Serve `control` (a meetstream.services.control.RoomControl) until `.stop()`."""
    if not is_loopback_host(host) and token and len(token) < MIN_TOKEN:
        raise ConfigError(f"a token for listening on {host} must be at least {MIN_TOKEN} characters (128 bits: "
                          "`python -c \"import secrets; print(secrets.token_urlsafe())\"` makes one)")
    if not is_loopback_host(host) and not token:
        raise ConfigError(f"listening on {host} exposes the control API to the network: set a token first "
                          "(the environment variable named by control.token_env, MEETSTREAM_API_TOKEN by default)")
    from aiohttp import web

    loop = asyncio.new_event_loop()
    ready: dict = {}
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            runner = web.AppRunner(_app(control, token), access_log=None)
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
    return RunningServer(f"http://{shown}:{ready['port']}", host, ready["port"], loop, thread, ready["runner"])


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


def _app(control, token: str | None):
    from aiohttp import WSMsgType, web

    def authorised(request) -> bool:
        if not token:
            return True
        given = request.query.get("token") or ""
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            given = header[7:]
        # A header is whatever bytes a client sent: compared as bytes, never decoded into an error.
        return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), token.encode())

    policy = _content_policy()

    @web.middleware
    async def guard(request, handler):
        # Every request proves it comes from a meetstream surface, not from a web page the officer
        # happens to have open: this server's own address (a DNS-rebound name is refused), no
        # other page's Origin on anything that acts or listens, and actions only as JSON (a form
        # or a "simple" cross-origin POST cannot send it without asking first).
        if not _our_host(request.host):
            return web.json_response({"ok": False, "error": "this is not an address meetstream serve answers on"}, status=421)
        acting = request.method not in ("GET", "HEAD", "OPTIONS") or request.headers.get("Upgrade", "").lower() == "websocket"
        origin = request.headers.get("Origin")
        if acting and origin is not None and origin != f"http://{request.host}":
            return web.json_response({"ok": False, "error": "requests from another web page are refused"}, status=403)
        if not authorised(request):
            return web.json_response({"ok": False, "error": "a valid token is required"}, status=401)
        if request.method == "POST" and request.content_type != "application/json":
            return web.json_response({"ok": False, "error": "send the action as JSON (Content-Type: application/json)"}, status=415)
        response = await handler(request)
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

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
    ])
    return app
