"""`meetstream live`: the full-screen console for running a meeting."""

from __future__ import annotations

from typing import Optional

import typer

from meetstream.cli.context import app_context


def register(app: typer.Typer) -> None:
    @app.command()
    def live(
        ctx: typer.Context,
        meeting: Optional[str] = typer.Argument(None, help="Meeting id (default: the room's current session)."),
        room: Optional[str] = typer.Option(None, "--room", "-r", help="Room key from meetstream.yaml."),
        resume: bool = typer.Option(False, "--resume", help="Carry on a session after the console was closed or killed: OBS is put back into the recorded state."),
    ) -> None:
        """Run the meeting from a full-screen console.

        Keys: n/p next/previous item, 1-9 speaker, c chamber, g gallery, a agenda card,
        h holding, x private (asks), u public (asks), r recess, s resume, e end (asks), q quit.

        Example: meetstream live --resume
        """
        from meetstream import bootstrap
        from meetstream.cli.night import resolve
        from meetstream.console import LiveConsole

        app_ctx = app_context(ctx)
        settings = app_ctx.settings
        key = room or settings.default_room()
        session = bootstrap.live_session(settings, app_ctx.store, key, resolve(app_ctx, key, meeting))
        if resume:
            session.reassert()
        watchdog = bootstrap.watchdog(settings, app_ctx.store, session)
        on_end = bootstrap.end_action(settings, app_ctx.store, session)
        try:
            LiveConsole(session, watchdog, on_end=on_end).run()
        finally:
            watchdog.stop()
            session.director.conn.close()
