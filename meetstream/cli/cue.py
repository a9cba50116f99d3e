"""`meetstream cue …`: director actions from the command line (Stream Deck / Companion buttons)."""

import typer

app = typer.Typer(help="Director actions: item, speaker, private, recess…", no_args_is_help=True, rich_markup_mode=None)
