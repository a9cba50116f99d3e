"""`meetstream serve`: the room's resident control process and its local API; with `--pair`,
`--devices` or `--revoke` it looks after the browsers paired with a running room's web console."""

from typing import Optional

import typer

from meetstream.entrypoints.cli.context import ROOM_HELP, app_context, console


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        ctx: typer.Context,
        meeting: Optional[str] = typer.Argument(None, help='Meeting id or ref, or "next" (default: the room\'s current session).'),
        room: Optional[str] = typer.Option(None, "--room", "-r", help=ROOM_HELP),
        listen: Optional[str] = typer.Option(None, "--listen", help="HOST:PORT (default control.listen, 127.0.0.1:8765). Anything but loopback needs a token."),
        pair: bool = typer.Option(False, "--pair", help="Show a new pairing code for a browser (the room's serve must be running)."),
        devices: bool = typer.Option(False, "--devices", help="List the browsers paired with the room's web console."),
        revoke: Optional[str] = typer.Option(None, "--revoke", help="Unpair a browser (its id from --devices), at once."),
    ) -> None:
        """Run the room: one resident process owns OBS, the session, the watchdog and the store
        writes; `cue`, the console, the web console and Companion buttons all talk to it.

        Open http://127.0.0.1:8765/ on a browser and enter the pairing code serve shows (once per
        device; `meetstream serve --pair` shows a new code). meetstream's own commands on this PC
        use the room key by themselves.

        Example: meetstream serve next --listen 0.0.0.0:8765
        """
        app_ctx = app_context(ctx)
        chosen = [name for name, on in (("--pair", pair), ("--devices", devices), ("--revoke", revoke is not None)) if on]
        if len(chosen) > 1:
            from meetstream.errors import ConfigError

            raise ConfigError(f"{' and '.join(chosen)} cannot be asked at once: one at a time")
        if chosen:
            _devices_task(app_ctx, room, meeting, listen, pair=pair, listing=devices, revoke=revoke)
            return
        from meetstream.entrypoints.http.run import serve_room
        from meetstream.services.meetings import resolve_room

        settings = app_ctx.settings
        key, meeting_id = resolve_room(app_ctx.store, settings, room, meeting)
        serve_room(settings, app_ctx.store, key, meeting_id, listen or settings.control.listen,
                   say=lambda text: console().print(text, markup=False, highlight=False))


def _devices_task(app_ctx, room, meeting, listen, *, pair: bool, listing: bool, revoke) -> None:
    from meetstream.entrypoints.http.run import new_pairing_code, paired_devices, revoke_device
    from meetstream.errors import ConfigError

    if meeting is not None or listen is not None:
        raise ConfigError("--pair, --devices and --revoke take only --room (the meeting and --listen are the running serve's)")
    key = app_ctx.settings.room_key(room)
    say = console().print
    from meetstream.paths import state_path

    state = state_path(app_ctx.state_path)  # the store's file, without opening it
    if pair:
        for line in new_pairing_code(state, key):
            say(line, markup=False, highlight=False)
    elif listing:
        for line in paired_devices(state, key):
            say(line, markup=False, highlight=False)
    else:
        say(revoke_device(state, key, revoke), markup=False, highlight=False)
