"""`meetstream start` and `meetstream end`: put a meeting on air, and close it."""

from __future__ import annotations

from typing import Optional

import typer

from meetstream.cli.context import ROOM_HELP, app_context, console


def _progress(out):
    def show(step: str, detail: str) -> None:
        out.print(f"[green]✓[/] {step}" + (f" [dim]— {detail}[/]" if detail else ""))

    return show


def print_summary(out, summary) -> None:
    out.print(f"\n[bold]{summary.committee}[/]: on air for {summary.duration}")
    out.print(f"Agenda items covered: {', '.join(summary.items) or 'none'}")
    out.print(f"Incidents: {len(summary.incidents)}" + "".join(f"\n  {i}" for i in summary.incidents))
    out.print(f"YouTube quota used tonight: {summary.quota_units} units")
    if summary.recording:
        out.print(f"Backup recording: {summary.recording}")
    if summary.chapters:
        out.print("Chapters:\n" + summary.chapters)
    if summary.left:
        out.print("\n[bold]Closed here; still to do:[/]" + "".join(f"\n  {x}" for x in summary.left), markup=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def start(
        ctx: typer.Context,
        meeting: str = typer.Argument(..., help='Meeting id or ref from `calendar list`, or "next" for the next one in this room.'),
        room: Optional[str] = typer.Option(None, "--room", "-r", help=ROOM_HELP),
        stream_timeout: float = typer.Option(120.0, help="Seconds to wait for YouTube to see the stream."),
    ) -> None:
        """Preflight, then on air: scene set, broadcast bound, stream key in OBS, output, live.

        The holding slate shows until you cue the chamber (`meetstream live` or `meetstream cue chamber`).

        Example: meetstream start next
        """
        from meetstream import bootstrap
        from meetstream.meetings import resolve

        app_ctx = app_context(ctx)
        settings = app_ctx.settings
        key = settings.room_key(room)
        meeting_id = resolve(app_ctx.store, settings, key, meeting)
        out = console()
        night = bootstrap.room(settings, app_ctx.store, key, meeting_id)
        try:
            out.print(f"Starting [bold]{night.session.meeting.committee}[/] in {settings.room(key).name}")
            night.start(progress=_progress(out), stream_timeout=stream_timeout)
        finally:
            night.close()

    @app.command()
    def end(ctx: typer.Context, room: Optional[str] = typer.Option(None, "--room", "-r", help=ROOM_HELP)) -> None:
        """Close the meeting: adjourned slate, broadcast completed, output stopped, chapters written.

        Example: meetstream end
        """
        from meetstream import bootstrap
        from meetstream.control.client import find_server

        app_ctx = app_context(ctx)
        settings = app_ctx.settings
        key = settings.room_key(room)
        out = console()
        server = find_server(app_ctx.store.path, key)
        if server is not None:  # `meetstream serve` owns the room: it ends the meeting
            from meetstream.control.remote import RemoteControl
            from meetstream.errors import MeetstreamError

            outcome = RemoteControl(server).act("end")
            if not outcome.ok or " LEFT: " in outcome.message:
                raise MeetstreamError(outcome.message)
            out.print(outcome.message, markup=False)
            return
        night = bootstrap.room(settings, app_ctx.store, key)
        try:
            summary = night.end(progress=_progress(out))
        finally:
            night.close()
        print_summary(out, summary)
        if summary.left:
            from meetstream.errors import MeetstreamError

            raise MeetstreamError(f"the meeting is closed here, but {len(summary.left)} thing(s) are left: " + "; ".join(summary.left))
