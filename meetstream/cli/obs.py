"""`meetstream obs …`: apply, check and inspect a room's scene set in OBS."""

import typer

app = typer.Typer(help="Build and check the scene set in OBS Studio.", no_args_is_help=True, rich_markup_mode=None)
