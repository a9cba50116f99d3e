"""`meetstream youtube …`, `meetstream schedule` and `meetstream auth youtube`.

Thin: parse, call one service function, render with Rich. googleapiclient is never imported
here; the services import it lazily when a command actually talks to YouTube.
"""

from typing import List

import typer

from meetstream.entrypoints.cli import auth
from meetstream.entrypoints.cli.context import app_context, console

app = typer.Typer(help="YouTube Live: the rooms' streams and the API quota.", no_args_is_help=True, rich_markup_mode=None)


@app.command("streams")
def streams_command(
    ctx: typer.Context,
    show_key: bool = typer.Option(False, "--show-key", help="Show each stream key in full (keep it off screen shares)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (the key hidden unless --show-key)."),
) -> None:
    """List each room's reusable YouTube stream: status, ingest address and key (hidden unless --show-key).

    Example: meetstream youtube streams
    """
    from rich.table import Table

    from meetstream import bootstrap
    from meetstream.services.schedule import stream_report
    from meetstream.secrets import redact

    app_ctx = app_context(ctx)
    settings, store = app_ctx.settings, app_ctx.store
    rows = stream_report(settings, store, bootstrap.youtube_client(settings, store))
    if as_json:
        import json

        typer.echo(json.dumps([{"room": r.room, "stream": r.stream_id, "status": r.status, "health": r.health,
                                "ingestion_address": r.ingestion_address,
                                "key": (r.key if show_key else redact(r.key)) if r.key else None} for r in rows], indent=2))
        return
    table = Table("room", "stream", "status", "health", "ingest address", "stream key")
    for r in rows:
        if r.stream_id is None:
            table.add_row(r.room, "none yet", "-", "-", "-", "made by `meetstream schedule`")
            continue
        table.add_row(r.room, r.stream_id, r.status, r.health or "-", r.ingestion_address or "-", redact(r.key))
    out = console()
    out.print(table)
    if show_key:  # whole, on lines of their own, so a narrow terminal cannot cut them
        for r in rows:
            if r.key:
                out.print(f"{r.room}: server {r.ingestion_address}  key {r.key}", soft_wrap=True)


@app.command("quota")
def quota_command(
    ctx: typer.Context,
    days: int = typer.Option(60, "--days", help="Window of the pending schedule to cost."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show today's YouTube API quota spend (Pacific-time day, as YouTube counts) and what the pending schedule would cost.

    Example: meetstream youtube quota
    """
    from rich.table import Table

    from meetstream.services.schedule import quota_report

    app_ctx = app_context(ctx)
    q = quota_report(app_ctx.settings, app_ctx.store, days=days)
    if as_json:
        import json

        typer.echo(json.dumps({"day_pacific": q.day, "spent": q.spent, "daily_quota": q.daily_quota, "remaining": q.remaining,
                               "by_method": {m: {"calls": c, "units": u} for m, (c, u) in q.by_method.items()},
                               "pending": {"days": days, "changes": q.pending_changes, "units": q.pending_units}}, indent=2))
        return
    table = Table("method", "calls", "units", title=f"YouTube quota for {q.day} (Pacific time)")
    for method, (calls, units) in q.by_method.items():
        table.add_row(method, str(calls), str(units))
    out = console()
    out.print(table)
    out.print(f"Spent today: {q.spent} of {q.daily_quota} units; {q.remaining} left.")
    out.print(f"Pending schedule ({days} days): {q.pending_changes} change(s), about {q.pending_units} units.")


def schedule_command(
    ctx: typer.Context,
    days: int = typer.Option(60, "--days", min=1, max=730, help="Schedule meetings starting within this many days."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan and its quota cost; call nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: each action, and what was done."),
    confirm_cancel: List[str] = typer.Option([], "--confirm-cancel", help=(
        "A meeting (REF from `calendar list`) whose cancellation only one sync has seen: confirm it, so its "
        "broadcast is deleted now (again for each meeting).")),
) -> None:
    """Create, update or delete YouTube broadcasts so every webcast meeting has one. Safe to run again.

    A broadcast is deleted for a cancelled meeting once a second sync has seen the cancellation
    too (or --confirm-cancel says so): one odd answer from a calendar never deletes one.

    Example: meetstream schedule --days 30 --dry-run
    """
    from rich.table import Table
    from rich.text import Text

    from meetstream import bootstrap
    from meetstream.services.schedule import schedule

    app_ctx = app_context(ctx)
    settings, store = app_ctx.settings, app_ctx.store
    if confirm_cancel:
        from meetstream.services.meetings import resolve

        for ref in confirm_cancel:
            meeting = store.get_meeting(resolve(store, settings, settings.room_key(None), ref))
            if not meeting.cancelled:
                raise typer.BadParameter(f"{meeting.committee} ({ref}) is not cancelled in the store: nothing to confirm",
                                         param_hint="--confirm-cancel")
            if not dry_run:
                store.confirm_cancellation(meeting.id)
    result = schedule(settings, store, days=days, dry_run=dry_run, open_client=lambda: bootstrap.youtube_client(settings, store))
    if as_json:
        import json

        typer.echo(json.dumps({
            "dry_run": dry_run, "estimated_units": result.estimated_units, "units_spent": None if dry_run else result.units_spent,
            "actions": [{"kind": a.kind, "meeting": a.label, "broadcast": a.broadcast.broadcast_id if a.broadcast else None,
                         "why": a.reason, "units": a.cost} for a in result.actions],
            "done": [{"meeting": a.label, "outcome": outcome} for a, outcome in result.done],
        }, indent=2))
        return
    out = console()
    table = Table("action", "meeting", "broadcast", "why", "units")
    for a in result.actions:
        bid = a.broadcast.broadcast_id if a.broadcast else "-"
        table.add_row(a.kind, Text(a.label), bid, Text(a.reason), str(a.cost))
    if result.actions:
        out.print(table)
    if dry_run:
        out.print(f"Dry run: {len(result.changes)} change(s), about {result.estimated_units} quota units; nothing was sent to YouTube.")
    else:
        done = ", ".join(f"{outcome}: {a.label}" for a, outcome in result.done) or "nothing to change"
        out.print(f"{done}. Spent {result.units_spent} quota units.")


def auth_youtube_command(
    ctx: typer.Context,
    device: bool = typer.Option(False, "--device", help=(
        "Sign in from another device (laptop or phone): show a code to enter at Google's device page. "
        "Needs an OAuth client of type 'TVs and Limited Input devices' (youtube.device_client_secrets).")),
    no_browser: bool = typer.Option(False, "--no-browser", help=(
        "Print the sign-in address instead of opening a browser; it still has to be opened on this computer.")),
    timeout: int = typer.Option(600, "--timeout", min=1, max=3600, help="Give up after this many seconds without an answer."),
) -> None:
    """Sign in to YouTube; the token is kept in a file only you can read.

    With a browser on this computer: `meetstream auth youtube` (Google's installed-app flow; the
    browser returns to localhost here). From a laptop or phone (the chamber PC runs OBS): add
    `--device` and enter the code shown at the address shown.

    Example: meetstream auth youtube --device
    """
    from meetstream import bootstrap

    out = console()
    path = bootstrap.sign_in_youtube(app_context(ctx).settings, open_browser=not no_browser and not device,
                                     device=device, timeout=timeout, show=lambda line: out.print(line, markup=False))
    out.print(f"Signed in to YouTube; token saved to {path} (mode 0600).")


def register(root: typer.Typer) -> None:
    """Add `youtube …`, `schedule` and `auth youtube` to the CLI."""
    root.add_typer(app, name="youtube")
    root.command("schedule")(schedule_command)
    auth.app.command("youtube")(auth_youtube_command)
