"""`meetstream cue …`: director actions from the command line (Stream Deck / Companion buttons).

Each cue acts on the room's live session in the store, so a console on the same meeting sees it.
"""

import inspect
from typing import Callable, List, Optional

import typer

from meetstream.core.actions import CUE, Action
from meetstream.entrypoints.cli.context import ROOM_HELP, app_context, console

app = typer.Typer(help="Director actions: item, speaker, private, recess…", no_args_is_help=True, rich_markup_mode=None)

RoomOpt = typer.Option(None, "--room", "-r", help=ROOM_HELP)
JsonOpt = typer.Option(False, "--json", help="Print the result as JSON (what a script or Companion reads).")
MeetingOpt = typer.Option(None, "--meeting", "-m", help='Meeting id or ref, or "next" (default: the room\'s current session).')


def _cue(ctx: typer.Context, room: str | None, meeting: str | None, action: str, body: dict | None = None,
         as_json: bool = False, after: Callable | None = None) -> None:
    """One cue, through the room's `serve` when one runs for it, else on OBS directly under the
    room's lock. Either way it is the session's `act` with the control API's body (meetstream.core.actions)."""
    from meetstream.services.meetings import resolve_room

    app_ctx = app_context(ctx)
    settings = app_ctx.settings
    key, meeting_id = resolve_room(app_ctx.store, settings, room, meeting)
    body = dict(body or {}) | ({"meeting": meeting_id} if meeting_id else {})
    from meetstream import bootstrap
    from meetstream.entrypoints.http.client import send_cue

    server = bootstrap.serving(app_ctx.store, key)
    if server is not None:
        code = send_cue(server, action, body, as_json)
        if code is not None:
            raise typer.Exit(code)
    _cue_directly(app_ctx, key, meeting_id, action, body, as_json, after)


def _cue_directly(app_ctx, key: str, meeting_id: str | None, action: str, body: dict, as_json: bool,
                  after: Callable | None) -> None:
    from meetstream import bootstrap

    night = bootstrap.room(app_ctx.settings, app_ctx.store, key, meeting_id)
    session = night.session
    try:
        # No watchdog may be running: a cue is also the moment a private session that was
        # changed by hand, or lost in an OBS restart, is put right (and goes on the timeline).
        session.keep_private()
        verified = session.act(action, {k: v for k, v in body.items() if k != "meeting"})
        _render(session, verified, as_json)
        if after is not None:
            after(session, verified)
    finally:
        night.close()


def _render(session, verified, as_json: bool) -> None:
    if as_json:
        import json

        from meetstream.services.words import cue_record

        typer.echo(json.dumps(cue_record(session, verified)))
        return
    from meetstream.services.words import cue_line

    console().print(cue_line(session, verified), markup=False)


def _command(a: Action) -> None:
    """`cue NAME [ARG] [--option …]` for an action of the table: its help, its positional
    argument, its options, and --room, --meeting and --json."""
    P = inspect.Parameter
    params = [P("ctx", P.POSITIONAL_OR_KEYWORD, annotation=typer.Context)]
    if a.arg is not None:
        params.append(P(a.arg, P.POSITIONAL_OR_KEYWORD, annotation=str, default=typer.Argument(..., help=a.arg_help)))
    for o in a.options:
        flags = [o.flag, *([o.short] if o.short else [])]
        if o.many:
            default, kind = typer.Option([], *flags, help=o.help), List[str]
        else:
            default, kind = typer.Option(... if o.default is None else o.default, *flags, help=o.help), str
        params.append(P(f"opt_{o.field}", P.POSITIONAL_OR_KEYWORD, annotation=kind, default=default))
    params += [P("room", P.POSITIONAL_OR_KEYWORD, annotation=Optional[str], default=RoomOpt),
               P("meeting", P.POSITIONAL_OR_KEYWORD, annotation=Optional[str], default=MeetingOpt),
               P("as_json", P.POSITIONAL_OR_KEYWORD, annotation=bool, default=JsonOpt)]

    def command(ctx: typer.Context, **given) -> None:
        body = {a.arg: given[a.arg]} if a.arg is not None else {}
        for o in a.options:
            value = given[f"opt_{o.field}"]
            if o.many:
                value = list(value) or None
            if value not in ("", None) or o.default is None:
                body[o.field] = value
        _cue(ctx, given["room"], given["meeting"], a.name, body, given["as_json"], after=_take_off_in_time)

    command.__signature__ = inspect.Signature(params)
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__doc__ = a.help + (f"\n\nExample: {a.example}" if a.example else "")
    app.command(a.name)(command)


for _a in CUE:
    _command(_a)


def _take_off_in_time(session, done) -> None:
    """Without a `serve` nothing else takes the result off when its time is up: this process
    waits for it (Ctrl-C takes it off at once)."""
    import time

    from meetstream.core.votes import VoteRecorded

    if not isinstance(done, VoteRecorded) or not done.shown:
        return
    now = None  # its own time: a later vote shown meanwhile by another process stays up
    try:
        time.sleep(done.seconds + 0.2)
    except KeyboardInterrupt:
        from datetime import datetime, timezone

        now = datetime.max.replace(tzinfo=timezone.utc)
    session.expire_vote(now=now)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="cue")
