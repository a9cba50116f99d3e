"""The `meetstream` command's entry point.

`meetstream cue …` while a `meetstream serve` runs for the room is a Stream Deck press: it goes
straight to the server with the standard library alone (meetstream.entrypoints.http.client), without
loading the full command line. Everything else, and every cue when no server runs, is the full
CLI (meetstream.entrypoints.cli.main).
"""

from __future__ import annotations

import sys


def run() -> None:
    argv = sys.argv[1:]
    cue, state = _cue_args(argv)
    if cue is not None and "--help" not in cue and "-h" not in cue:  # help is the full command line's
        from meetstream.entrypoints.http.client import try_cue

        code = try_cue(cue + (["--state", state] if state else []))
        if code is not None:
            sys.exit(code)
    from meetstream.entrypoints.cli.main import run as full

    full()


def _cue_args(argv: list[str]) -> tuple[list[str] | None, str | None]:
    """The arguments after `cue` (and a global --state), when the command is a cue."""
    state = None
    i = 0
    while i < len(argv) and argv[i] in ("--state", "--config", "-c"):
        if i + 1 >= len(argv):
            return None, None
        if argv[i] == "--state":
            state = argv[i + 1]
        i += 2
    if i < len(argv) and argv[i] == "cue":
        return argv[i + 1:], state
    return None, None
