"""`meetstream archive`: what the retention policy makes due on YouTube, and (--apply) doing it."""

import typer

from meetstream.entrypoints.cli.context import app_context, console

VERB = {"unlist": "unlist", "private": "make private", "delete": "delete"}
DONE = {"unlist": "unlisted", "private": "made private", "delete": "deleted", "gone": "already gone from YouTube (logged)"}


def archive_command(
    ctx: typer.Context,
    apply_: bool = typer.Option(False, "--apply", help="Do what is due (asks first; quota is checked before anything changes)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="With --apply: do not ask (scheduled tasks)."),
) -> None:
    """The retention policy (archive.retention in meetstream.yaml): which videos are due to be unlisted,
    made private or deleted, why and since when; --apply does it and logs each action.

    "Until the minutes are approved" means until the next meeting of the same committee has taken place.
    The published site and feeds stop linking a video once it is done; the webcast report lists the log.

    Example: meetstream archive --apply
    """
    from meetstream import bootstrap
    from meetstream.core.quota import QuotaLedger
    from meetstream.core.timefmt import local, now_utc
    from meetstream.errors import ConfigError
    from meetstream.services import archive

    app_ctx = app_context(ctx)
    settings, store = app_ctx.settings, app_ctx.store
    if yes and not apply_:
        raise ConfigError("--yes only goes with --apply (`meetstream archive --apply --yes`)")
    if not settings.archive.retention:
        raise ConfigError("no retention policy: add archive.retention to meetstream.yaml, e.g. "
                          "[{committee: '*', keep_months: 12, then: unlist}]")
    zone = settings.council.timezone
    out = console()
    due, later = archive.policy(settings, store, now_utc())

    def line(d) -> str:
        return (f"{d.meeting.committee}, {local(d.meeting.start, zone):%d %b %Y}: {VERB[d.action]} "
                f"https://youtu.be/{d.video_id} — {d.reason}, due {local(d.due, zone):%d %b %Y}")

    if not due:
        out.print("Nothing is due under the retention policy.", markup=False)
    else:
        out.print(f"Due now ({len(due)}):", markup=False)
        for d in due:
            out.print("  " + line(d), markup=False)
    if later:
        d = later[0]
        out.print(f"Later: {len(later)} more; next {local(d.due, zone):%d %b %Y} ({d.meeting.committee}).", markup=False)
    if not apply_ or not due:
        if due:
            out.print(f"`meetstream archive --apply` does it (at most {archive.pass_units(due)} YouTube quota units).", markup=False)
        return
    ledger = QuotaLedger(store, settings.youtube.daily_quota)
    archive.check_quota(due, ledger.remaining())  # before the question: a pass that cannot be paid for is refused
    counts = {a: sum(1 for d in due if d.action == a) for a in VERB}
    what = ", ".join(f"{VERB[a]} {n}" for a, n in counts.items() if n)
    if not yes and not typer.confirm(f"On YouTube: {what} video(s), at most {archive.pass_units(due)} quota units. Go ahead?",
                                     default=False):
        out.print("Nothing changed.", markup=False)
        return
    result = archive.apply(due, bootstrap.video_archive(settings, store), store, remaining=ledger.remaining,
                           progress=lambda d, done: out.print(f"  {DONE.get(done, done)}: {d.meeting.committee}, "
                                                              f"{local(d.meeting.start, zone):%d %b %Y} ({d.video_id})", markup=False))
    out.print(f"Done: {len(result.done)} video(s); logged for the webcast report. Run `meetstream publish` to update the site.",
              markup=False)


def register(app: typer.Typer) -> None:
    app.command("archive")(archive_command)
