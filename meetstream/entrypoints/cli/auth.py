"""`meetstream auth …`: sign in to Microsoft 365 and YouTube. Each service adds its command here."""

import typer

app = typer.Typer(help="Sign in to Microsoft 365 (Graph) and YouTube.", no_args_is_help=True, rich_markup_mode=None)


def register(root: typer.Typer) -> None:
    """`auth`; the calendar and YouTube modules add their sign-in commands to `app`."""
    root.add_typer(app, name="auth")
