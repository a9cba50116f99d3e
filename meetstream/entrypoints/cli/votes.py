"""`meetstream votes MEETING`: a meeting's recorded votes, for the minutes (table, --csv, --json).

Exempt items appear by their public title only; their motions only with --confidential (for the
confidential part of the minutes, never for publishing).
"""

from typing import Optional

import typer

from meetstream.entrypoints.cli.context import app_context, console

CSV_COLUMNS = ("item", "title", "motion", "for", "against", "abstain", "result", "named")


def register(app: typer.Typer) -> None:
    @app.command()
    def votes(
        ctx: typer.Context,
        meeting: str = typer.Argument(..., help="The meeting: REF from `calendar list`, its id, 'YYYY-MM-DD committee', or 'next'."),
        as_csv: bool = typer.Option(False, "--csv", help="CSV for the minutes: item, title, motion, for, against, abstain, result, named votes."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        confidential: bool = typer.Option(False, "--confidential", help="Include exempt items' motions (the confidential minutes; never publish these)."),
        room: Optional[str] = typer.Option(None, "--room", "-r", help="Room key, for 'next' (default: the first room)."),
    ) -> None:
        """The votes recorded at a meeting, in the order they were taken.

        Example: meetstream votes 2026-12-03 planning --csv > votes.csv
        """
        from meetstream.services.meetings import resolve
        from meetstream.core.votes import vote_record

        app_ctx = app_context(ctx)
        settings, store = app_ctx.settings, app_ctx.store
        if as_csv and as_json:
            raise typer.BadParameter("choose one of --csv and --json")
        m = store.get_meeting(resolve(store, settings, settings.room_key(room), meeting))
        records = [vote_record(m, v, confidential=confidential) for v in store.votes(m.id)]
        if as_json:
            import json

            typer.echo(json.dumps({"meeting": m.id, "committee": m.committee, "votes": records}, indent=2, ensure_ascii=False))
            return
        if as_csv:
            import csv
            import sys

            from meetstream.core.cells import cell

            out = csv.writer(sys.stdout, lineterminator="\n")
            out.writerow(CSV_COLUMNS)
            for r in records:
                named = "; ".join(f"{name}: {choice}" for name, choice in r["named"].items())
                out.writerow([cell(v) for v in (r["item"], r["title"], r["motion"], r["for"], r["against"], r["abstain"],
                                                r["result_words"], named)])
            return
        _table(m, records)


def _table(meeting, records: list[dict]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    out = console()
    if not records:
        out.print(f"No votes recorded for {meeting.committee}.", markup=False)
        return
    table = Table(title=Text(f"Votes: {meeting.committee}"), box=box.SIMPLE_HEAD)
    for col in ("Item", "Title", "Motion", "For", "Against", "Abstain", "Result", "Named"):
        table.add_column(col, overflow="fold", justify="right" if col in ("For", "Against", "Abstain") else "left")
    for r in records:
        named = "; ".join(f"{name}: {choice}" for name, choice in r["named"].items())
        # Data is text: a motion "[as amended]" is printed as written, never read as markup.
        table.add_row(Text(r["item"]), Text(r["title"]), Text(r["motion"]), str(r["for"]), str(r["against"]),
                      str(r["abstain"]), r["result_words"], Text(named or "-"))
    out.print(table)
