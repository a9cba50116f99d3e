"""`meetstream obs …`: apply, check and inspect a room's scene set in OBS."""

from pathlib import Path
from typing import Optional

import typer

from meetstream.entrypoints.cli.context import ROOM_HELP, app_context, console

app = typer.Typer(help="Build and check the scene set in OBS Studio.", no_args_is_help=True, rich_markup_mode=None)

RoomOpt = typer.Option(None, "--room", "-r", help=ROOM_HELP)
FileArg = typer.Argument(None, help="Scene set YAML (default: the room's scene_set).")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of lines.")


@app.command("apply")
def apply_cmd(ctx: typer.Context, file: Optional[Path] = FileArg, room: Optional[str] = RoomOpt,
              dry_run: bool = typer.Option(False, "--dry-run", help="Print the requests; send nothing.")) -> None:
    """Build the scene set in OBS. Running it again sends no create request.

    Example: meetstream obs apply scenes/council-chamber.yaml --dry-run
    """
    from meetstream import bootstrap

    settings = app_context(ctx).settings
    key = settings.room_key(room)
    ss, report = bootstrap.apply_scene_set(settings, key, file, dry_run=dry_run)
    from rich.markup import escape

    out = console()
    for note in report.notes:
        out.print(f"[yellow]note[/]: {escape(note)}", markup=True)
    if dry_run:
        for r in report.requests:
            what = r.data.get("inputName") or r.data.get("sceneName") or ""
            out.print(f"would send {r.type} {what}")
        out.print(f"{len(report.requests)} request(s) would be sent ({report.creates} create).")
    elif report.requests:
        out.print(f"Applied {ss.name!r} to OBS on {settings.room(key).name}: {len(report.requests)} request(s), {report.creates} created.")
    else:
        out.print(f"OBS already matches {ss.name!r}: nothing sent.")


@app.command("check")
def check_cmd(ctx: typer.Context, file: Optional[Path] = FileArg, room: Optional[str] = RoomOpt, as_json: bool = JsonOpt) -> None:
    """What `obs apply` would change (its dry run), one line each; exit 1 if there is anything.

    Example: meetstream obs check --room chamber
    """
    from meetstream import bootstrap

    settings = app_context(ctx).settings
    key = settings.room_key(room)
    ss, diffs = bootstrap.check_scene_set(settings, key, file)
    if as_json:
        import json

        typer.echo(json.dumps({"scene_set": ss.name, "room": key, "matches": not diffs,
                               "differences": [{"where": d.where, "what": d.what} for d in diffs]}, indent=2))
        if diffs:
            raise typer.Exit(1)
        return
    out = console()
    if not diffs:
        out.print(f"OBS matches {ss.name!r}.")
        return
    for d in diffs:
        out.print(f"- {d}")
    out.print(f"{len(diffs)} difference(s): run `meetstream obs apply` to fix what can be fixed.")
    raise typer.Exit(1)


@app.command("status")
def status_cmd(ctx: typer.Context, room: Optional[str] = RoomOpt, as_json: bool = JsonOpt) -> None:
    """Program scene, stream and recording state, and which audio is muted."""
    from meetstream import bootstrap

    settings = app_context(ctx).settings
    st, where = bootstrap.obs_status(settings, settings.room_key(room))
    if as_json:
        import dataclasses
        import json

        typer.echo(json.dumps({"where": where, **dataclasses.asdict(st)}, indent=2))
        return
    from rich.markup import escape

    out = console()
    out.print(f"OBS {st.obs_version} (obs-websocket {st.websocket_version}) at {where}")
    out.print(f"Program scene: [bold]{escape(st.program_scene)}[/]", markup=True)
    out.print(f"Stream: {'[red]LIVE[/]' if st.streaming else 'off'}" + (f" ({st.stream_timecode}, {st.stream_bytes // 1024} KiB, {st.skipped_frames} skipped frames)" if st.streaming else ""), markup=True)
    out.print(f"Recording: {'[red]REC[/]' if st.recording else 'off'}", markup=True)
    for name, muted in st.audio.items():
        out.print(f"  {'muted' if muted else 'LIVE':<6} {name}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="obs")
