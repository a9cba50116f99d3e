"""`meetstream captions …`: a recorded meeting's captions, one step at a time.

    meetstream captions fetch MEETING [--from FILE]     YouTube's automatic track (or a file)
    meetstream captions correct MEETING                 the council's words; private cues dropped
    meetstream captions review MEETING --export FILE    to edit (.vtt or .srt) …
    meetstream captions review MEETING --import FILE    … and back (private cues dropped again)
    meetstream captions upload MEETING                  onto the video; a second upload replaces it
    meetstream captions status                          every recording, its state and deadline

Thin: parse, get the captions port from bootstrap, call one service function, render. A dropped
cue is shown by its time and reason only, never its words (they may be a private session's).
"""

from pathlib import Path
from typing import Optional

import typer

from meetstream.entrypoints.cli.context import app_context, console

app = typer.Typer(help="Captions for recorded meetings: fetch, correct, review, upload, and the deadline.",
                  no_args_is_help=True, rich_markup_mode=None)

MEETING_HELP = "The meeting: REF from `calendar list`, its id, or 'YYYY-MM-DD committee'."


def _meeting(app_ctx, ref: str):
    from meetstream.services.meetings import resolve_meeting

    return resolve_meeting(app_ctx.store, ref, app_ctx.settings.council.timezone)


def _dropped(dropped) -> None:
    if not dropped:
        return
    typer.echo(f"Dropped {len(dropped)} cue(s) that may not be published:")
    for d in dropped:
        typer.echo(f"  {d.cue.at()}  {d.why}")


@app.command("fetch")
def fetch_command(
    ctx: typer.Context,
    meeting: str = typer.Argument(..., help=MEETING_HELP),
    source: Optional[Path] = typer.Option(None, "--from", help="A caption file (WebVTT or SRT) to use instead of YouTube's automatic track."),
    again: bool = typer.Option(False, "--again", help="Fetch again even though the captions were reviewed or uploaded."),
) -> None:
    """Fetch the video's automatic captions from YouTube (or read --from FILE).

    Example: meetstream captions fetch "2026-12-03 planning"
    """
    from meetstream import bootstrap
    from meetstream.services.captions import fetch

    app_ctx = app_context(ctx)
    m = _meeting(app_ctx, meeting)
    tracks = bootstrap.caption_tracks(app_ctx.settings, app_ctx.store)
    got = fetch(app_ctx.store, app_ctx.settings, m, tracks, source_file=source, again=again)
    typer.echo(f"Fetched {got.cues} cue(s) for {m.committee} from {got.source.split(':')[0] if got.source.startswith('youtube') else got.source}; "
               f"spent {got.units} quota units.")
    typer.echo("Next: meetstream captions correct MEETING")


@app.command("correct")
def correct_command(
    ctx: typer.Context,
    meeting: str = typer.Argument(..., help=MEETING_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the changes as JSON."),
) -> None:
    """Put the council's words right (members, wards, committees, agenda titles, glossary) and drop
    every cue in a private session or recess, or naming an exempt item. Shows every change.

    Example: meetstream captions correct "2026-12-03 planning"
    """
    from meetstream.services.captions import correct
    from meetstream.services.meetings.roster_file import load_roster

    app_ctx = app_context(ctx)
    settings = app_ctx.settings
    m = _meeting(app_ctx, meeting)
    result = correct(app_ctx.store, settings, m, roster=load_roster(settings.roster))
    if as_json:
        import json

        typer.echo(json.dumps({"meeting": m.id, "cues": result.cues,
                               "changes": [{"at": c.at, "before": c.before, "after": c.after} for c in result.changes],
                               "dropped": [{"at": d.cue.at(), "why": d.why} for d in result.dropped]}, indent=2, ensure_ascii=False))
        return
    for c in result.changes:
        typer.echo(f"{c.at:>8}  {' / '.join(c.before.splitlines())}")
        typer.echo(f"{'→':>8}  {' / '.join(c.after.splitlines())}")
    typer.echo(f"{len(result.changes)} cue(s) corrected; {result.cues} cue(s) kept.")
    _dropped(result.dropped)
    typer.echo("Next: meetstream captions review MEETING --export FILE (.vtt or .srt)")


@app.command("review")
def review_command(
    ctx: typer.Context,
    meeting: str = typer.Argument(..., help=MEETING_HELP),
    export: Optional[Path] = typer.Option(None, "--export", help="Write the track to FILE (.vtt or .srt) to edit."),
    import_: Optional[Path] = typer.Option(None, "--import", help="Read the edited FILE back as the reviewed track."),
) -> None:
    """Export the corrected track to a file to edit, then import it back as the reviewed track.
    On import every cue in a private session is dropped again.

    Example: meetstream captions review "2026-12-03 planning" --export planning.vtt
    """
    from meetstream.services.captions import export_review, import_review

    app_ctx = app_context(ctx)
    if (export is None) == (import_ is None):
        raise typer.BadParameter("give one of --export FILE and --import FILE")
    m = _meeting(app_ctx, meeting)
    if export is not None:
        n = export_review(app_ctx.store, m, export)
        typer.echo(f"Wrote {n} cue(s) to {export}. Edit it, then: meetstream captions review MEETING --import {export}")
        return
    got = import_review(app_ctx.store, m, import_)
    typer.echo(f"Imported {got.cues} cue(s) from {import_} as the reviewed track.")
    _dropped(got.dropped)
    typer.echo("Next: meetstream captions upload MEETING")


@app.command("upload")
def upload_command(
    ctx: typer.Context,
    meeting: str = typer.Argument(..., help=MEETING_HELP),
    force: bool = typer.Option(False, "--force", help="Send it even if it has not changed since the last upload."),
) -> None:
    """Upload the reviewed track to the video under the council's own track name. A second upload
    replaces that track (never a second copy); an unchanged track is not sent again.

    Example: meetstream captions upload "2026-12-03 planning"
    """
    from meetstream import bootstrap
    from meetstream.services.captions import upload

    app_ctx = app_context(ctx)
    m = _meeting(app_ctx, meeting)
    tracks = bootstrap.caption_tracks(app_ctx.settings, app_ctx.store)
    got = upload(app_ctx.store, app_ctx.settings, m, tracks, force=force)
    _dropped(got.dropped)
    if got.action == "unchanged":
        typer.echo(f"{got.name!r} is already on the video as reviewed; nothing sent (--force to send it again).")
        return
    typer.echo(f"{got.action.capitalize()} {got.name!r} on the video; spent {got.units} quota units.")


@app.command("status")
def status_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Every recording (a meeting whose broadcast is complete): its caption state (none, fetched,
    corrected, reviewed, uploaded) and the days left of the council's deadline.

    Example: meetstream captions status
    """
    from meetstream.services.captions import status
    from meetstream.core.timefmt import local

    app_ctx = app_context(ctx)
    settings = app_ctx.settings
    rows = status(app_ctx.store, settings)
    zone = settings.council.timezone
    if as_json:
        import json

        typer.echo(json.dumps([{"meeting": r.meeting_id, "committee": r.committee, "date": local(r.start, zone).date().isoformat(),
                                "video": r.video_id, "state": r.state, "deadline": r.deadline.isoformat(),
                                "days_left": r.days_left, "overdue": r.overdue} for r in rows], indent=2))
        return
    if not rows:
        typer.echo("No recordings yet (a meeting's captions are due once its broadcast is complete).")
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table("date", "committee", "captions", "deadline", "days left", box=box.SIMPLE_HEAD)
    for r in rows:
        left = "done" if r.state == "uploaded" else (f"{-r.days_left} overdue" if r.overdue else str(r.days_left))
        table.add_row(local(r.start, zone).strftime("%a %d %b %Y"), Text(r.committee), r.state, r.deadline.isoformat(), left)
    console().print(table)


def register(root: typer.Typer) -> None:
    """Add `captions …` to the CLI."""
    root.add_typer(app, name="captions")
