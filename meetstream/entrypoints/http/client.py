"""`meetstream cue …` as a thin client of a running `meetstream serve`.

A Stream Deck press is a new process each time, so this path imports only the standard library
(http.client, json) and meetstream.paths: no Typer, no pydantic, no OBS library. When no server
runs for the room (no serve file, or nothing listening), `try_cue` returns None and the full CLI
acts on OBS directly, under the same room lock.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from meetstream.core.actions import CUE

_CUES = {a.name: a for a in CUE}


def try_cue(argv: list[str]) -> int | None:
    """Run `cue ARGV` through a running server: the exit code, or None to fall back."""
    parsed = _parse(argv)
    if parsed is None:
        return None
    action, body, room, state, as_json = parsed
    server = find_server(state, room)
    if server is None:
        return None
    return send_cue(server, action, body, as_json)


def send_cue(server: dict, action: str, body: dict, as_json: bool) -> int | None:
    """POST one cue to a running server and print its answer as `cue` does: the exit code, or
    None when nothing listens there (a stale serve file: act directly)."""
    try:
        status, answer = request(server, "POST", f"/api/cue/{action}", body)
    except OSError:
        return None
    if as_json:  # the API's answer as it came, success or refusal: a script reads "ok"
        print(json.dumps(answer))
        return 0 if status == 200 else 2
    if status == 200:
        print(answer.get("message", ""))
        return 0
    print(f"Error: {answer.get('error', f'the control server answered {status}')}", file=sys.stderr)
    return 2


def _parse(argv: list[str]):
    """(action, body, room, state path) for the argument shapes the fast path knows, else None."""
    args = list(argv)
    room = state = None
    as_json = False
    rest: list[str] = []
    option_body: dict = {}
    while args:
        a = args.pop(0)
        if a in ("--room", "-r") and args:
            room = args.pop(0)
        elif a.startswith("--room="):
            room = a.split("=", 1)[1]
        elif a == "--state" and args:
            state = args.pop(0)
        elif a == "--json":
            as_json = True
        elif rest[:1] and rest[0] in _CUES and a.split("=", 1)[0] in _options(rest[0]):
            name, eq, value = a.partition("=")
            if not eq:
                if not args:
                    return None
                value = args.pop(0)
            option = _options(rest[0])[name]
            if option.many:  # given again for each value
                option_body.setdefault(option.field, []).append(value)
            else:
                option_body[option.field] = value
        elif a.startswith("-"):
            return None  # --help, --meeting, --item …: the full CLI handles them
        else:
            rest.append(a)
    if not rest or rest[0] not in _CUES:
        return None
    action = _CUES[rest[0]]
    body: dict = dict(option_body)
    if action.arg is not None:
        if len(rest) != 2:
            return None
        body[action.arg] = rest[1]
    elif len(rest) != 1:
        return None
    from meetstream.paths import state_path

    return action.name, body, room, state_path(state), as_json


def _options(name: str) -> dict:
    """An action's --options by flag (`cue vote --for 9`); the server checks the values. Any other
    option (-i, --help, --meeting) is the full command line's."""
    return {o.flag: o for o in _CUES[name].options}


def find_server(state: Path, room: str | None) -> dict | None:
    """The running server's record for `room` (or the only one running, when no room is named)."""
    from meetstream.paths import serve_file

    if room is not None:
        files = [serve_file(state, room)]
    else:
        folder = state.parent
        if not folder.is_dir():
            return None
        files = sorted(folder.glob(f"{state.name}.serve-*.json"))
        if len(files) != 1:
            return None
    try:
        record = json.loads(files[0].read_text())
    except (OSError, ValueError):
        return None
    record["token"] = os.environ.get(record.get("token_env") or "MEETSTREAM_API_TOKEN") if record.get("token_required") else None
    record["key"] = read_key(files[0].with_suffix(".key"))  # meetstream.paths.serve_key_file, beside the serve file
    return record


def read_key(path: Path) -> str | None:
    """The room key `serve` made (0600): this PC's user proves with it that the request is meetstream's
    own. None when it cannot be read (another user's serve): the LAN token, if set, is sent instead."""
    try:
        return path.read_text(encoding="ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def request(server: dict, method: str, path: str, body: dict | None = None, timeout: float = 30.0) -> tuple[int, dict]:
    import http.client

    conn = http.client.HTTPConnection(server["host"], server["port"], timeout=timeout)
    headers = {"Content-Type": "application/json"}
    credential = server.get("key") or server.get("token")
    if credential:
        headers["Authorization"] = f"Bearer {credential}"
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        return response.status, json.loads(raw or b"{}")
    except ValueError:
        return response.status, {"error": raw.decode(errors="replace")[:200]}
