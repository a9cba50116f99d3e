"""`meetstream rehearse`: a whole meeting night on the simulators."""

from datetime import datetime
from pathlib import Path
from typing import Optional

import typer

from meetstream.entrypoints.cli.context import app_context, console


def register(app: typer.Typer) -> None:
    @app.command()
    def rehearse(
        ctx: typer.Context,
        headless: bool = typer.Option(False, "--headless", help="Start OBS under Xvfb (Linux) instead of using yours."),
        script: Optional[str] = typer.Option(None, "--script", help="auto: walk the sample agenda unattended (the one script). Without --script the live console opens."),
        out: Optional[Path] = typer.Option(None, "--out", help="Folder for the rehearsal's state, screenshots, timeline and chapters."),
        pause: float = typer.Option(0.5, "--pause", min=0, max=60, help="Seconds between the scripted steps (time to watch them)."),
        agendas: str = typer.Option("calendar", "--agendas", help="Where agendas come from: calendar (the invitations) or moderngov (a modern.gov simulator)."),
        meetings: int = typer.Option(1, "--meetings", min=1, max=4, help="How many of the chamber's next meetings to run, one after another in the same room (each started and ended as on its own night)."),
        chamber: Optional[str] = typer.Option(None, "--chamber", help="dicentis, televic, shure or levels: with --script auto, a recorded debate through that microphone system's simulator drives the picture (the automatic director) at the first public item."),
    ) -> None:
        """Rehearse a meeting night on the built-in simulators: no real account is touched.

        Example: meetstream rehearse --headless --script auto
        """
        from meetstream.errors import ConfigError
        from meetstream.entrypoints.rehearsal import run_rehearsal

        if agendas not in ("calendar", "moderngov"):
            raise ConfigError(f"unknown agenda source {agendas!r} (calendar or moderngov)")
        if script not in (None, "auto"):
            raise ConfigError(f"unknown script {script!r} (the one script is `auto`)")
        if chamber is not None:
            from meetstream.sandbox.chamber.rehearsal import KINDS

            if chamber not in KINDS:
                raise ConfigError(f"unknown chamber {chamber!r} (one of: {', '.join(KINDS)})")
            if script is None:
                raise ConfigError("--chamber replays a recorded debate in the scripted rehearsal: add --script auto")
        folder = out or Path.cwd() / f"rehearsal-{datetime.now():%Y%m%d-%H%M%S}"
        obs_settings = None
        if not headless:
            settings = app_context(ctx).settings
            obs_settings = settings.room(settings.room_key(None)).obs
        c = console()
        report = run_rehearsal(folder, headless=headless, script=script, obs_settings=obs_settings, say=c.print, pause=pause,
                               agendas=agendas, meetings=meetings, chamber=chamber)
        c.print("\n[bold]Timeline[/]", markup=True)
        for line in report.timeline:
            c.print(f"  {line}")
        c.print("\n[bold]Chapters written to the video description[/]", markup=True)
        c.print(report.chapters or "  (none)")
        c.print(f"\nYouTube quota for {'this meeting' if meetings == 1 else f'these {meetings} meetings'}: {report.quota_units} units")
        c.print(f"Screenshots of the program output: {len(report.screenshots)} in {report.screenshots[0].parent if report.screenshots else folder}")
        c.print(f"Everything is in {folder}")
