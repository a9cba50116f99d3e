"""`meetstream live`: the full-screen console for running a meeting."""

from typing import Optional

import typer

from meetstream.entrypoints.cli.context import ROOM_HELP, app_context


def register(app: typer.Typer) -> None:
    @app.command()
    def live(
        ctx: typer.Context,
        meeting: Optional[str] = typer.Argument(None, help="Meeting id (default: the room's current session)."),
        room: Optional[str] = typer.Option(None, "--room", "-r", help=ROOM_HELP),
        resume: bool = typer.Option(False, "--resume", help="Carry on a session after the console was closed or killed (OBS is always put back into the recorded state)."),
    ) -> None:
        """Run the meeting from a full-screen console.

        Keys: n/p next/previous item, 1-9 speaker, / find a member, o one-off speaker,
        c chamber, g gallery, a agenda card, h holding, x private (asks), u public (asks,
        Enter = No), r recess, s resume, v record a vote on the current item, e end (asks, Enter = No), q quit.

        With `meetstream serve` running for the room the console is its client; without one,
        this process owns the room while the console is open.

        Example: meetstream live --resume
        """
        from meetstream import bootstrap
        from meetstream.services.meetings import resolve_room
        from meetstream.entrypoints.console import LiveConsole
        from meetstream.entrypoints.http.remote import RemoteControl

        app_ctx = app_context(ctx)
        settings = app_ctx.settings
        key, meeting_id = resolve_room(app_ctx.store, settings, room, meeting)
        server = bootstrap.serving(app_ctx.store, key)
        if server is not None:
            LiveConsole(RemoteControl(server)).run()  # `meetstream serve` owns the room
            return
        # No server: this process owns the room while the console is open (the same RoomControl
        # `serve` runs); the recorded state is put back into OBS first (--resume or not).
        night = bootstrap.room(settings, app_ctx.store, key, meeting_id)
        control = night.control()
        try:
            LiveConsole(control).run()
        finally:
            control.stop()
            night.close()
