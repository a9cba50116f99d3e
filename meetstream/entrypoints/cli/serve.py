"""`meetstream serve`: the room's resident control process and its local API."""

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
    ) -> None:
        """Run the room: one resident process owns OBS, the session, the watchdog and the store
        writes; `cue`, the console, the web console and Companion buttons all talk to it.

        Open http://127.0.0.1:8765/ (or the tablet address with ?token=…) for the web console.

        Example: meetstream serve next --listen 0.0.0.0:8765
        """
        from meetstream.entrypoints.http.run import serve_room
        from meetstream.services.meetings import resolve_room

        app_ctx = app_context(ctx)
        settings = app_ctx.settings
        key, meeting_id = resolve_room(app_ctx.store, settings, room, meeting)
        serve_room(settings, app_ctx.store, key, meeting_id, listen or settings.control.listen,
                   say=lambda text: console().print(text, markup=False, highlight=False))
