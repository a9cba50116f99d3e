"""`meetstream recover MEETING`: the local recording uploaded as the meeting's video when YouTube's
archive is missing or has a hole (meetstream.services.recover). Thin: parse, get the ports from
bootstrap, call the service, render."""

from pathlib import Path
from typing import Optional

import typer

from meetstream.entrypoints.cli.context import app_context, console


def register(app: typer.Typer) -> None:
    @app.command()
    def recover(
        ctx: typer.Context,
        meeting: str = typer.Argument(..., help="The meeting: REF from `calendar list`, its id, or 'YYYY-MM-DD committee'."),
        recording: Optional[Path] = typer.Option(None, "--recording", help="The recording file (default: the one OBS made for the meeting)."),
        force: bool = typer.Option(False, "--force", help="Upload even when YouTube's archive looks whole."),
    ) -> None:
        """Upload the local recording as the meeting's video when the live archive failed.

        Cut first on this PC (private sessions removed, keyframe to keyframe), read back, then sent
        with YouTube's resumable upload (1,600 quota units); run it again to resume a broken upload.

        Example: meetstream recover 2025-03-04 planning
        """
        from meetstream import bootstrap
        from meetstream.entrypoints.cli.night import _progress
        from meetstream.services.meetings import resolve_meeting
        from meetstream.services.recover import recover as run

        app_ctx = app_context(ctx)
        settings, store = app_ctx.settings, app_ctx.store
        found = resolve_meeting(store, meeting, settings.council.timezone)
        if recording is not None and not recording.is_file():
            from meetstream.errors import BadInput

            raise BadInput(f"no recording file at {recording}")
        uploads, media = bootstrap.recovery(settings, store)
        out = console()
        result = run(store, settings, found, uploads, media, recording=recording, force=force, progress=_progress(out))
        if result.nothing_to_do:
            out.print(f"Nothing to do: {result.nothing_to_do}", markup=False)
            return
        out.print(f"\nRecovered {found.committee}: {result.url} ({result.privacy}), {result.cut_seconds / 60:.1f} min, "
                  f"{len(result.chapters)} chapters, {result.units:,} quota units", markup=False)
