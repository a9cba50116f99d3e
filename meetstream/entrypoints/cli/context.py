"""What every command gets: where config and state live, built lazily so --help stays fast."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer


@dataclass
class AppContext:
    config_path: Path | None = None
    state_path: Path | None = None
    debug: bool = False
    _settings: object = field(default=None, repr=False)
    _store: object = field(default=None, repr=False)

    @property
    def settings(self):
        if self._settings is None:
            from meetstream.config import load_settings

            self._settings = load_settings(self.config_path)
        return self._settings

    @property
    def store(self):
        if self._store is None:
            from meetstream.store import Store

            self._store = Store.open(self.state_path)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def app_context(ctx: typer.Context) -> AppContext:
    return ctx.find_root().obj


def console():
    from rich.console import Console

    # No markup by default: what is printed is mostly data (titles, names, motions), and "[/]" in
    # an agenda line is text. A line of our own with a style says markup=True and escapes its data.
    return Console(highlight=False, soft_wrap=True, markup=False)


ROOM_HELP = "Room key from meetstream.yaml (default: the first room)."
