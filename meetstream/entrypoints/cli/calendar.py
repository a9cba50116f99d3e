"""`meetstream calendar …`, `links`, `teams create` and `auth microsoft`: the Graph commands.

Thin: each parses, calls a service in meetstream.services.meetings (sync, lookup, links, view) or
meetstream.adapters.teams.auth, and renders the result.
"""

from datetime import date, datetime, timedelta
from typing import Optional

import typer

from meetstream.entrypoints.cli import auth
from meetstream.entrypoints.cli.context import app_context
from meetstream.errors import ConfigError

app = typer.Typer(help="Read the committee calendar from Microsoft 365.", no_args_is_help=True, rich_markup_mode=None)
teams_app = typer.Typer(help="Teams meetings for calendar events.", no_args_is_help=True, rich_markup_mode=None)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="calendar")
    root.add_typer(teams_app, name="teams")
    root.command("links")(links)
    auth.app.command("microsoft")(auth_microsoft)


def _day(text: str | None, zone: str, option: str, end: bool = False) -> datetime | None:
    if text is None:
        return None
    from meetstream.core.timefmt import local_midnight

    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a date (use YYYY-MM-DD)") from None
    if end:
        d += timedelta(days=1)  # --to is the last day included
    return local_midnight(d, zone)


def _console():
    from rich.console import Console

    # Whole lines (officers copy links and warnings) and no markup: calendar text is printed as is.
    return Console(highlight=False, soft_wrap=True, markup=False)


def _local(dt: datetime, zone: str, fmt: str = "%a %d %b %Y %H:%M") -> str:
    from meetstream.core.timefmt import local

    return local(dt, zone).strftime(fmt)


@app.command("sync")
def sync(
    ctx: typer.Context,
    from_: Optional[str] = typer.Option(None, "--from", help="First day to read (YYYY-MM-DD, council time)."),
    to: Optional[str] = typer.Option(None, "--to", help="Last day to read (YYYY-MM-DD, council time)."),
) -> None:
    """Read the committee calendar into the store (and, with `agendas.source: moderngov`, the
    agendas from the council's modern.gov site, joined onto it).

    The first run reads the next `calendar.days_ahead` days; later runs fetch only what changed.
    With --from/--to, read just that window (the change-tracking link is left alone).

    Example: meetstream calendar sync --from 2026-12-01 --to 2026-12-31
    """
    from meetstream import bootstrap
    from meetstream.services.meetings.sync import sync_meetings

    app_ctx = app_context(ctx)
    settings, store = app_ctx.settings, app_ctx.store
    zone = settings.council.timezone
    start, end = _day(from_, zone, "--from"), _day(to, zone, "--to", end=True)
    moderngov = settings.agendas.source == "moderngov"
    # With modern.gov, the Microsoft 365 calendar is optional: it adds the Teams links and attendees.
    graph = bootstrap.calendar(settings, app_ctx.state_path) if settings.calendar.client_id or not moderngov else None
    s, mg = sync_meetings(store, settings, graph, bootstrap.moderngov(settings) if moderngov else None, start=start, end=end)
    out = _console()
    if mg is not None:
        out.print(f"modern.gov: {mg.meetings} meetings read ({mg.requests} requests): {mg.joined} joined with the calendar, "
                  f"{mg.alone} from modern.gov only, {mg.changed} changed, {mg.cancelled} cancelled.", soft_wrap=True)
        for w in mg.warnings:
            out.print(f"Warning: {w}", style="yellow", soft_wrap=True)
    if s is None:
        out.print("No Microsoft 365 calendar configured (calendar.client_id): no Teams links or attendees.", soft_wrap=True)
        return
    what = {"full": "Read the whole calendar", "delta": "Read the changes", "window": "Read the window"}[s.mode]
    out.print(f"{what} ({_local(s.start, zone, '%d %b %Y')} to {_local(s.end - timedelta(seconds=1), zone, '%d %b %Y')}): "
              f"{s.inserted} new, {s.updated} changed, {s.unchanged} unchanged, {s.cancelled} cancelled, "
              f"{s.removed} removed, {s.not_webcast} not webcast, {s.skipped} skipped "
              f"({s.requests} request{'s' if s.requests != 1 else ''}, {s.seconds:.1f}s).", soft_wrap=True)
    if s.note:
        out.print(s.note, soft_wrap=True)
    for w in s.warnings:
        out.print(f"Warning: {w}", style="yellow", soft_wrap=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    all_: bool = typer.Option(False, "--all", help="Include past meetings."),
) -> None:
    """Upcoming webcast meetings (times in the council's zone; REF names a meeting in other commands).

    Example: meetstream calendar list --json
    """
    from meetstream.core.resolutions import privacy_summary
    from meetstream.services.meetings import short_ref
    from meetstream.services.meetings.view import as_json as meeting_json
    from meetstream.core.timefmt import now_utc

    app_ctx = app_context(ctx)
    settings, store = app_ctx.settings, app_ctx.store
    zone = settings.council.timezone
    meetings = store.meetings(None if all_ else now_utc(), include_cancelled=True)
    if as_json:
        import json

        typer.echo(json.dumps([meeting_json(m, zone, store.votes(m.id)) for m in meetings], indent=2))
        return
    from rich.table import Table
    from rich.text import Text

    out = _console()
    if not meetings:
        out.print("No upcoming webcast meetings in the store (run `meetstream calendar sync`).")
        return
    from rich import box

    table = Table(title=f"Webcast meetings ({zone})", box=box.SIMPLE_HEAD)
    # At 80 columns the words wrap at spaces and no word is cut: the committee keeps room for
    # "Sub-Committee", the time goes under the day, the agenda count under its figure.
    for col in ("Ref", "When", "Committee", "Room", "Agenda", "Teams"):
        table.add_column(col, no_wrap=col in ("Ref", "Room", "Teams"), min_width=13 if col == "Committee" else None,
                         overflow="fold")
    for m in meetings:
        exempt = sum(1 for i in m.agenda if i.exempt)
        items = f"{len(m.agenda)}" + (f" ({exempt} exempt)" if exempt else "")
        items += " mg" if (m.source_of("agenda") or "").startswith("modern.gov") else ""
        committee = m.committee + (" [CANCELLED]" if m.cancelled else "") + (" *" if m.warnings else "")
        table.add_row(short_ref(m.id), _local(m.start, zone, "%a %d %b %H:%M"), Text(committee), m.room or "-",
                      items, "yes" if m.join_url else "no")
    out.print(table)
    if any((m.source_of("agenda") or "").startswith("modern.gov") for m in meetings):
        out.print("mg: agenda and exempt markings from modern.gov (`--json` says where each fact came from)")
    for m in meetings:
        # Which items the session will take private unless the meeting resolves to stay public,
        # and why, so the officer can check before the night; numbers and reasons only, no titles.
        if any(i.exempt or i.appendix for i in m.agenda):
            out.print(Text(f"{short_ref(m.id)} {m.committee}: armed (private unless the meeting resolves to stay "
                           f"public): {privacy_summary(m.agenda)}"), soft_wrap=True)
    for m in meetings:
        for w in m.warnings:
            out.print(f"* {short_ref(m.id)} {m.committee}: {w}", style="yellow", soft_wrap=True)


def links(
    ctx: typer.Context,
    meeting: str = typer.Argument(..., help="The meeting: REF from `calendar list`, its id, or 'YYYY-MM-DD committee'."),
    send: bool = typer.Option(False, "--send", help="Email each member their Teams join link (not again to anyone already sent it)."),
    resend: bool = typer.Option(False, "--resend", help="With --send: send to everyone again."),
    dry_run: bool = typer.Option(False, "--dry-run", help="With --send: show who would get what; send nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="With --send: send without asking (scripts)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (the links, and with --send who got what)."),
) -> None:
    """Show a meeting's Teams join link and YouTube link; --send emails members their join link,
    after showing who gets what and asking.

    Example: meetstream links 3f9a1c --send
    """
    import sys

    import json

    from meetstream import bootstrap
    from meetstream.errors import CalendarError, ConfigError
    from meetstream.services.meetings import resolve_meeting
    from meetstream.services.meetings.links import plan_links, send_links, youtube_url

    app_ctx = app_context(ctx)
    settings, store = app_ctx.settings, app_ctx.store
    m = resolve_meeting(store, meeting, settings.council.timezone)
    record = {"meeting": m.id, "committee": m.committee, "cancelled": m.cancelled, "teams": m.join_url,
              "youtube": youtube_url(store, m.id)}
    out = _console()
    if not as_json:
        out.print(f"{m.committee}, {_local(m.start, settings.council.timezone)}" + (" (CANCELLED)" if m.cancelled else ""))
        out.print(f"Teams:   {m.join_url or '(none yet: meetstream teams create ' + meeting + ')'}")
        out.print(f"YouTube: {record['youtube'] or '(not scheduled yet)'}")
    if not (send or resend):
        if as_json:
            typer.echo(json.dumps(record, indent=2))
        return
    plan = plan_links(store, settings, m, resend=resend)
    record["plan"] = [{"member": p.member.display_name(), "email": p.member.email, "action": p.action} for p in plan]
    to_send = sum(1 for p in plan if p.action == "send")
    if not as_json:
        for p in plan:
            out.print(f"  {p.action:<12} {p.member.display_name()} <{p.member.email or '-'}>", soft_wrap=True)
    if not to_send or dry_run:
        if as_json:
            typer.echo(json.dumps(record | {"sent": [], "failed": {}}, indent=2))
        elif not to_send:
            out.print("Nothing to send: every member with an email has this link already (--resend to send again).")
        else:
            out.print(f"Dry run: {to_send} email{'s' if to_send != 1 else ''} would be sent; nothing was sent.")
        return
    if not yes:
        if not sys.stdin.isatty():
            raise ConfigError(f"{to_send} email(s) to send: add --yes to send without being asked, or --dry-run to only look")
        if not typer.confirm(f"Send the Teams link to {to_send} member{'s' if to_send != 1 else ''}?", default=False):
            out.print("Nothing sent.")
            return
    results = send_links(store, m, plan, bootstrap.calendar(settings, app_ctx.state_path))
    sent = [a for a, e in results.items() if e is None]
    failed = {a: e for a, e in results.items() if e is not None}
    if as_json:
        typer.echo(json.dumps(record | {"sent": sent, "failed": failed}, indent=2))
    else:
        out.print(f"Sent {len(sent)} email{'s' if len(sent) != 1 else ''}.")
    if failed:
        first = next(iter(failed.items()))
        raise CalendarError(f"{len(failed)} email(s) not sent, e.g. to {first[0]}: {first[1]} (run the command again to retry them)")


@teams_app.command("create")
def teams_create(
    ctx: typer.Context,
    meeting: str = typer.Argument(..., help="The meeting: REF from `calendar list`, its id, or 'YYYY-MM-DD committee'."),
) -> None:
    """Make a calendar event a Teams meeting and store its join link (nothing if it has one).

    Example: meetstream teams create 3f9a1c
    """
    from meetstream import bootstrap
    from meetstream.services.meetings import resolve_meeting
    from meetstream.services.meetings.links import create_teams_meeting

    app_ctx = app_context(ctx)
    settings, store = app_ctx.settings, app_ctx.store
    m = resolve_meeting(store, meeting, settings.council.timezone)
    out = _console()
    if m.join_url:
        out.print(f"{m.committee} already has a Teams link: {m.join_url}")
        return
    url, created = create_teams_meeting(store, m, lambda: bootstrap.calendar(settings, app_ctx.state_path))
    if created:
        out.print(f"{m.committee} is now a Teams meeting: {url}")
    else:
        out.print(f"{m.committee} is already a Teams meeting in the calendar; its link is stored now: {url}")


def auth_microsoft(ctx: typer.Context) -> None:
    """Sign in to Microsoft 365 for the calendar (device code), or check app-only credentials.

    With `calendar.app_only: true` the client secret comes from the environment variable named
    in `calendar.client_secret_env` (or the keyring) and is checked now.

    Example: meetstream auth microsoft
    """
    from meetstream import bootstrap

    app_ctx = app_context(ctx)
    out = _console()
    done = bootstrap.sign_in_microsoft(app_ctx.settings, app_ctx.state_path, show=out.print)
    out.print(f"Signed in to Microsoft 365 as {done.account}. Token cache: {done.cache_path}" + (" (encrypted)" if done.encrypted else ""))
    if done.warning:
        out.print(f"Warning: {done.warning}", style="yellow")
