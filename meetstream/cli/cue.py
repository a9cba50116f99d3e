"""`meetstream cue …`: director actions from the command line (Stream Deck / Companion buttons).

Each cue acts on the room's live session in the store, so a console on the same meeting sees it.
"""

from __future__ import annotations

from typing import Callable, List, Optional

import typer

from meetstream.cli.context import ROOM_HELP, app_context, console

app = typer.Typer(help="Director actions: item, speaker, private, recess…", no_args_is_help=True, rich_markup_mode=None)

RoomOpt = typer.Option(None, "--room", "-r", help=ROOM_HELP)
JsonOpt = typer.Option(False, "--json", help="Print the result as JSON (what a script or Companion reads).")
MeetingOpt = typer.Option(None, "--meeting", "-m", help='Meeting id or ref, or "next" (default: the room\'s current session).')


def _cue(ctx: typer.Context, room: str | None, meeting: str | None, action: str, body: dict | None = None,
         as_json: bool = False, after: Callable | None = None) -> None:
    """One cue, through the room's `serve` when one runs for it, else on OBS directly under the
    room's lock. Either way the action is the control API's (meetstream.control.room.ACTIONS)."""
    from meetstream.meetings import resolve_room

    app_ctx = app_context(ctx)
    settings = app_ctx.settings
    key, meeting_id = resolve_room(app_ctx.store, settings, room, meeting)
    body = dict(body or {}) | ({"meeting": meeting_id} if meeting_id else {})
    from meetstream.control.client import find_server, send_cue

    server = find_server(app_ctx.store.path, key)
    if server is not None:
        code = send_cue(server, action, body, as_json)
        if code is not None:
            raise typer.Exit(code)
    _cue_directly(app_ctx, key, meeting_id, action, body, as_json, after)


def _cue_directly(app_ctx, key: str, meeting_id: str | None, action: str, body: dict, as_json: bool,
                  after: Callable | None) -> None:
    from meetstream import bootstrap
    from meetstream.control.room import ACTIONS

    night = bootstrap.room(app_ctx.settings, app_ctx.store, key, meeting_id)
    session = night.session
    try:
        # No watchdog may be running: a cue is also the moment a private session that was
        # changed by hand, or lost in an OBS restart, is put right (and goes on the timeline).
        session.keep_private()
        verified = ACTIONS[action](session, {k: v for k, v in body.items() if k != "meeting"})
        _render(session, verified, as_json)
        if after is not None:
            after(session, verified)
    finally:
        night.close()


def _render(session, verified, as_json: bool) -> None:
    if as_json:
        import json

        from meetstream.control.words import cue_record

        typer.echo(json.dumps(cue_record(session, verified)))
        return
    from meetstream.control.words import cue_line

    console().print(cue_line(session, verified), markup=False)


def _simple(name: str, help_text: str) -> None:
    def command(ctx: typer.Context, room: Optional[str] = RoomOpt, meeting: Optional[str] = MeetingOpt,
                as_json: bool = JsonOpt) -> None:
        _cue(ctx, room, meeting, name, as_json=as_json)

    command.__doc__ = help_text
    app.command(name)(command)


_simple("holding", "Show the holding slate (microphones muted).")
_simple("chamber", "Show the chamber camera.")
_simple("gallery", "Show the Teams gallery.")
_simple("agenda", "Show the agenda card.")
_simple("next", "Move to the next agenda item (an exempt item goes private by itself).")
_simple("prev", "Move back to the previous agenda item.")
_simple("private", "Private session: the private slate, every microphone muted, verified.")
_simple("public", "Readmit the public after a private session: chamber, microphones live.")
_simple("recess", "Recess slate, microphones muted.")
_simple("resume", "Resume after a recess: chamber, microphones live.")
_simple("adjourned", "The meeting has closed: adjourned slate, microphones muted.")


@app.command("item")
def item_cmd(ctx: typer.Context, number: str = typer.Argument(..., help="Agenda item number as printed, e.g. 5 or 5a."),
             room: Optional[str] = RoomOpt, meeting: Optional[str] = MeetingOpt, as_json: bool = JsonOpt) -> None:
    """Go to agenda item N and put it on the overlay (an exempt item goes private by itself).

    Example: meetstream cue item 5
    """
    _cue(ctx, room, meeting, "item", {"number": number}, as_json)


@app.command("speaker")
def speaker_cmd(ctx: typer.Context, name: str = typer.Argument(..., help="Member's name or surname."),
                item: Optional[str] = typer.Option(None, "--item", "-i", help="Also move to this agenda item."),
                room: Optional[str] = RoomOpt, meeting: Optional[str] = MeetingOpt, as_json: bool = JsonOpt) -> None:
    """Show a member (their Teams feed, or the chamber) with their lower third.

    Example: meetstream cue speaker "Jane Smith" --item 5
    """
    _cue(ctx, room, meeting, "speaker", {"name": name} | ({"item": item} if item else {}), as_json)


@app.command("vote")
def vote_cmd(ctx: typer.Context,
             motion: str = typer.Option(..., "--motion", help="The motion voted on, as the minutes will have it."),
             votes_for: str = typer.Option(..., "--for", help="Votes for."),
             against: str = typer.Option(..., "--against", help="Votes against."),
             abstain: str = typer.Option("0", "--abstain", help="Abstentions."),
             result: str = typer.Option(..., "--result", help="carried, lost, carried_casting or lost_casting (the chair's casting vote)."),
             named: List[str] = typer.Option([], "--named", help='A named vote, "Jane Smith=for" (again for each member).'),
             room: Optional[str] = RoomOpt, meeting: Optional[str] = MeetingOpt, as_json: bool = JsonOpt) -> None:
    """Record a vote on the current item; its result is shown on the stream for a while (never in
    a private session). Named votes must add up to the counts.

    Example: meetstream cue vote --motion "That the application be approved" --for 9 --against 3 --abstain 1 --result carried
    """
    from meetstream.votes import vote_args

    body = {"motion": motion, "for": votes_for, "against": against, "abstain": abstain, "result": result,
            "named": list(named) or None}
    vote_args(body)  # bad input is one line before any room is touched
    _cue(ctx, room, meeting, "vote", body, as_json, after=_take_off_in_time)


def _take_off_in_time(session, done) -> None:
    """Without a `serve` nothing else takes the result off when its time is up: this process
    waits for it (Ctrl-C takes it off at once)."""
    import time

    if not done.shown:
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
