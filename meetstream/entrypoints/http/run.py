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
    from meetstream.entrypoints.http.server import start_server
    from meetstream.paths import serve_file, serve_lock_file
    from meetstream.roomlock import hold_for_life

    host, port = parse_listen(listen)
    settings.room(room)
    lock_fd = hold_for_life(serve_lock_file(store.path, room), f"`meetstream serve` for room {room!r}")
    token = os.environ.get(settings.control.token_env) or None
    secrets.register(token)
    night = bootstrap.room(settings, store, room, meeting_id)
    control = night.control()
    record_path = serve_file(store.path, room)
    server = None
    try:
        server = start_server(control, host=host, port=port, token=token)
        connect = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        record_path.write_text(json.dumps({"host": connect, "port": server.port, "pid": os.getpid(), "url": server.url,
                                           "token_required": bool(token), "token_env": settings.control.token_env}))
        os.chmod(record_path, 0o600)
        meeting = control.session.meeting
        say(f"Serving room {room!r}" + (f" ({meeting.committee})" if meeting else "") + f" at {server.url}")
        say(f"Web console: {server.url}/" + ("?token=… (the token in $" + settings.control.token_env + ")" if token else ""))
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
