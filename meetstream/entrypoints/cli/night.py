"""`meetstream start` and `meetstream end`: put a meeting on air, and close it."""

from typing import Optional

import typer

from meetstream.entrypoints.cli.context import ROOM_HELP, app_context, console


def _progress(out):
    from rich.markup import escape

    def show(step: str, detail: str) -> None:
        out.print(f"[green]✓[/] {escape(step)}" + (f" [dim]— {escape(detail)}[/]" if detail else ""), markup=True)

    return show


def _finish_end(out, lines: list[str], left: list[str]) -> None:
    """The end summary as every surface shows it (meetstream.services.words.end_lines); what is left
    makes the exit code 2."""
    out.print("\n" + "\n".join(lines), markup=False, highlight=False)
    if left:
        from meetstream.errors import MeetstreamError

        raise MeetstreamError(f"the meeting is closed here, but {len(left)} thing(s) are left: " + "; ".join(left))


def register(app: typer.Typer) -> None:
    @app.command()
    def start(
        ctx: typer.Context,
        meeting: str = typer.Argument(..., help='Meeting id or ref from `calendar list`, or "next" for the next one in this room.'),
        room: Optional[str] = typer.Option(None, "--room", "-r", help=ROOM_HELP),
        stream_timeout: float = typer.Option(120.0, help="Seconds to wait for YouTube to see the stream."),
        no_record: bool = typer.Option(False, "--no-record", help="Go on air without the local recording (the archive's backup)."),
    ) -> None:
        """Preflight, then on air: scene set, broadcast bound, stream key in OBS, output, live.

        The holding slate shows until you cue the chamber (`meetstream live` or `meetstream cue chamber`).

        Example: meetstream start next
        """
        from meetstream import bootstrap
        from meetstream.services.meetings import resolve_room

        app_ctx = app_context(ctx)
        settings = app_ctx.settings
        key, meeting_id = resolve_room(app_ctx.store, settings, room, meeting)
        out = console()
        night = bootstrap.room(settings, app_ctx.store, key, meeting_id)
        try:
            out.print(f"Starting {night.session.meeting.committee} in {settings.room(key).name}", markup=False)
            night.start(progress=_progress(out), stream_timeout=stream_timeout, **({"record": False} if no_record else {}))
        finally:
            night.close()

    @app.command()
    def end(ctx: typer.Context, room: Optional[str] = typer.Option(None, "--room", "-r", help=ROOM_HELP)) -> None:
        """Close the meeting: adjourned slate, broadcast completed, output stopped, chapters written.

        Example: meetstream end
        """
        from meetstream import bootstrap

        app_ctx = app_context(ctx)
        settings = app_ctx.settings
        key = settings.room_key(room)
        out = console()
        server = bootstrap.serving(app_ctx.store, key)
        if server is not None:  # `meetstream serve` owns the room: it ends the meeting
            from meetstream.entrypoints.http.remote import RemoteControl
            from meetstream.errors import MeetstreamError

            outcome = RemoteControl(server).act("end")
            if not outcome.ok:
                raise MeetstreamError(outcome.message)
            if outcome.end is None:  # a rehearsal's own End
                out.print(outcome.message, markup=False)
                return
            _finish_end(out, outcome.end["lines"], outcome.end["left"])
            return
        night = bootstrap.room(settings, app_ctx.store, key)
        try:
            summary = night.end(progress=_progress(out))
        finally:
            night.close()
        from meetstream.services.words import end_lines

        _finish_end(out, end_lines(summary), summary.left)
