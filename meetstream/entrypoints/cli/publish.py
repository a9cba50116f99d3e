"""`meetstream publish OUTDIR` and `meetstream report`: what the council publishes, read from the
store alone (views from YouTube, within the quota ledger). Both safe to run every night."""

from datetime import datetime
from pathlib import Path
from typing import Optional

import typer

from meetstream.entrypoints.cli.context import app_context, console


def publish_command(
    ctx: typer.Context,
    outdir: Path = typer.Argument(..., help="Folder to write the site into (made if missing); put it on the web server."),
) -> None:
    """Write the public webcast site: upcoming webcasts, the archive indexed by agenda item, an iCalendar and a JSON feed.

    Exempt items appear only as "Exempt item"; files are rewritten only when their content changes.

    Example: meetstream publish /var/www/webcasts
    """
    from meetstream.services.publish.site import publish_site

    app_ctx = app_context(ctx)
    done = publish_site(app_ctx.settings, app_ctx.store, outdir)
    w = done.written
    console().print(f"Published {done.upcoming} upcoming and {done.archived} past meetings to {done.outdir}: "
                    f"{len(w.changed)} file(s) written, {len(w.unchanged)} unchanged"
                    + (f", {len(w.removed)} removed" if w.removed else "") + ".", markup=False)


def report_command(
    ctx: typer.Context,
    start: Optional[datetime] = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="First day (YYYY-MM-DD, council time); default 364 days before --to."),
    end: Optional[datetime] = typer.Option(None, "--to", formats=["%Y-%m-%d"], help="Last day, included (YYYY-MM-DD); default today."),
    fmt: str = typer.Option("html", "--format", help="html (charts, printable), csv or json."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file (default: print it)."),
    views: bool = typer.Option(True, "--views/--no-views", help="Ask YouTube for each video's views (1 quota unit per 50 videos)."),
) -> None:
    """The webcast report: meetings scheduled, webcast and cancelled, minutes on air and private, delays, incidents, quota and views.

    Example: meetstream report --from 2025-04-01 --to 2026-03-31 --format html -o webcasts-2025-26.html
    """
    from meetstream import bootstrap
    from meetstream.errors import ConfigError
    from meetstream.services.publish.report import FORMATS, build_report, render
    from meetstream.services.publish.write import write_atomic

    if fmt not in FORMATS:
        raise ConfigError(f"unknown --format {fmt!r} (one of: {', '.join(FORMATS)})")
    app_ctx = app_context(ctx)
    settings, store = app_ctx.settings, app_ctx.store
    report = build_report(settings, store, start.date() if start else None, end.date() if end else None,
                          views_factory=(lambda: bootstrap.youtube_stats(settings, store)) if views else None)
    text = render(report, fmt)
    if output is None:
        typer.echo(text, nl=False)
        return
    changed = write_atomic(output, text.encode("utf-8"))
    console().print(f"Report for {report.start.isoformat()} to {report.end.isoformat()} "
                    f"{'written to' if changed else 'unchanged in'} {output}"
                    + (f" (views {report.views_note})" if report.views_note else "") + ".", markup=False)


def register(app: typer.Typer) -> None:
    """Add `publish` and `report` to the CLI."""
    app.command("publish")(publish_command)
    app.command("report")(report_command)
