"""Running `meetstream serve` for a room: one per room (a lock held for the process's life), the
room's control built by the composition root, its API, and the serve file that tells `cue` where
it listens. Ends cleanly on Ctrl-C or SIGTERM; after a kill -9 the next `serve` carries on from
the store and puts OBS back into the recorded state."""

from __future__ import annotations

import json
import os
import signal
import threading
from typing import Callable

from meetstream.errors import ConfigError


def parse_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"--listen {listen!r}: expected HOST:PORT, e.g. 127.0.0.1:8765 or 0.0.0.0:8765")
    return host, int(port)


def serve_room(settings, store, room: str, meeting_id: str | None, listen: str, *, say: Callable[[str], None],
               stop: threading.Event | None = None) -> None:
    from meetstream import bootstrap, secrets
    from meetstream.entrypoints.http.auth import Access
    from meetstream.entrypoints.http.pairing import CODE_LIFETIME, write_private
    from meetstream.entrypoints.http.server import start_server
    from meetstream.paths import serve_file, serve_key_file, serve_lock_file
    from meetstream.roomlock import hold_for_life

    host, port = parse_listen(listen)
    settings.room(room)
    lock_fd = hold_for_life(serve_lock_file(store.path, room), f"`meetstream serve` for room {room!r}")
    token = os.environ.get(settings.control.token_env) or None
    secrets.register(token)
    # The room key (made at the room's first serve, 0600 beside the store) and the paired devices:
    # every request proves it is a meetstream surface, on loopback too.
    access = Access.for_room(store.path, room, token)
    secrets.register(access.key)
    night = bootstrap.room(settings, store, room, meeting_id)
    control = night.control()
    record_path = serve_file(store.path, room)
    server = None
    try:
        server = start_server(control, host=host, port=port, access=access)
        connect = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        # Where serve listens, for `cue` and the console: no secret in it (the key has its own
        # file), and still private from the first byte.
        write_private(record_path, json.dumps({"host": connect, "port": server.port, "pid": os.getpid(), "url": server.url,
                                               "room": room, "token_required": bool(token),
                                               "token_env": settings.control.token_env}))
        meeting = control.session.meeting
        say(f"Serving room {room!r}" + (f" ({meeting.committee})" if meeting else "") + f" at {server.url}")
        say(f"Web console: {server.url}/" + (" (or ?token=… with the token in $" + settings.control.token_env + ")" if token else ""))
        say(f"Pairing code for a browser: {access.codes.issue()} (once, within {int(CODE_LIFETIME // 60)} minutes; "
            "`meetstream serve --pair` shows a new one)")
        say(f"Room key for Companion's `Authorization: Bearer …` header: in {serve_key_file(store.path, room)} (mode 0600)")
        say("`meetstream cue …` now goes through this process. Ctrl-C stops serving (the meeting carries on in OBS).")
        done = stop or threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                signal.signal(sig, lambda *_: done.set())
            except ValueError:  # not the main thread (tests): the caller's event stops it
                pass
        done.wait()
    finally:
        record_path.unlink(missing_ok=True)
        if server is not None:
            server.stop()
        control.stop()
        night.close()
        os.close(lock_fd)


def new_pairing_code(state, room: str) -> list[str]:
    """A fresh pairing code from the room's running serve (asked with the room key): the lines to show."""
    from meetstream.entrypoints.http.client import find_server, request
    from meetstream.entrypoints.http.pairing import CODE_LIFETIME

    server = find_server(state, room)
    if server is None:
        raise ConfigError(f"no `meetstream serve` runs for room {room!r}: start it (it shows a pairing code as it starts)")
    if not server.get("key"):
        raise ConfigError(f"cannot read room {room!r}'s key beside the state store: run this as the user who runs serve")
    try:
        status, answer = request(server, "POST", "/api/pair/code", {}, timeout=10)
    except OSError as err:
        raise ConfigError(f"room {room!r}'s `meetstream serve` at {server.get('url')} is not answering ({err}): is it still running?") from None
    if status != 200 or not isinstance(answer.get("code"), str):
        raise ConfigError(f"room {room!r}'s serve did not make a code: {answer.get('error', f'it answered {status}')}")
    minutes = int(answer.get("expires_in", CODE_LIFETIME)) // 60
    return [f"Pairing code for room {room!r}: {answer['code']} (once, within {minutes} minutes)",
            f"On the tablet, open the web console ({server.get('url')}/ here; the PC's address on the network) and enter it."]


def paired_devices(state, room: str) -> list[str]:
    from meetstream.entrypoints.http.pairing import DeviceBook
    from meetstream.paths import serve_devices_file

    listing = DeviceBook(serve_devices_file(state, room)).listing()
    if not listing:
        return [f"No browser is paired with room {room!r}'s web console."]
    return [f"{d['id']}  {d.get('name', '')}  paired {d.get('paired', '?')}" for d in listing] + [
        "Unpair one with `meetstream serve --revoke ID` (at once, even while serve runs)."]


def revoke_device(state, room: str, device_id: str) -> str:
    from meetstream.entrypoints.http.pairing import DeviceBook
    from meetstream.paths import serve_devices_file

    book = DeviceBook(serve_devices_file(state, room))
    if not book.revoke(device_id):
        raise ConfigError(f"no browser {device_id!r} is paired with room {room!r}: `meetstream serve --devices` lists them")
    return f"Unpaired {device_id}: its next request is refused; pair it again with a new code if it is wanted."
