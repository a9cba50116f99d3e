"""`meetstream secrets …`: put the OBS password or the Graph client secret in the OS keyring."""

import sys
from typing import Optional

import typer

from meetstream.entrypoints.cli.context import ROOM_HELP, app_context, console

app = typer.Typer(help="Keep the OBS password and the Graph client secret in the OS keyring.", no_args_is_help=True,
                  rich_markup_mode=None)

KINDS = ("obs", "graph")


@app.command("set")
def set_cmd(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help="obs (a room's OBS WebSocket password) or graph (the app-only client secret)."),
    room: Optional[str] = typer.Option(None, "--room", "-r", help=ROOM_HELP),
) -> None:
    """Store a secret in the OS keyring. Asked for twice and never echoed; read from stdin when piped.

    Example: meetstream secrets set obs --room chamber
    """
    from meetstream.errors import ConfigError
    from meetstream.secrets import keyring_name, store_secret

    if kind not in KINDS:
        raise ConfigError(f"no secret {kind!r}: one of {', '.join(KINDS)}")
    key = app_context(ctx).settings.room_key(room) if kind == "obs" else None
    what = f"OBS WebSocket password for {key}" if kind == "obs" else "Graph client secret"
    if sys.stdin.isatty():
        value = typer.prompt(what, hide_input=True, confirmation_prompt=True)
    else:
        value = sys.stdin.readline().rstrip("\r\n")
    name = keyring_name(kind, key)
    where = store_secret(name, value)
    console().print(f"Stored the {what} in the {where} (service meetstream, name {name}).", markup=False)


@app.command("status")
def status_cmd(ctx: typer.Context) -> None:
    """Where each secret would be read from now (environment, keyring, or not set); never the value."""
    from meetstream.secrets import keyring_name, secret_source

    settings = app_context(ctx).settings
    out = console()
    for key, room in settings.rooms.items():
        out.print(f"OBS password, {key}: {secret_source(room.obs.password_env, keyring_name('obs', key))}", markup=False)
    out.print(f"Graph client secret: {secret_source(settings.calendar.client_secret_env, keyring_name('graph'))}", markup=False)
    out.print(f"Control API token: {secret_source(settings.control.token_env, None)}", markup=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="secrets")
