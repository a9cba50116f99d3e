"""`meetstream votes MEETING`: a meeting's recorded votes and its resolutions on privacy, for the
minutes (table, --csv, --json).

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
        """The votes recorded at a meeting, and its resolutions to exclude the public or to stay public, in order.

        Example: meetstream votes 2026-12-03 planning --csv > votes.csv
        """
        from meetstream.services.meetings import resolve
        from meetstream.core.resolutions import decided, decided_meeting, record as resolution_record
        from meetstream.core.votes import vote_record

        app_ctx = app_context(ctx)
        settings, store = app_ctx.settings, app_ctx.store
        if as_csv and as_json:
            raise typer.BadParameter("choose one of --csv and --json")
        m = store.get_meeting(resolve(store, settings, settings.room_key(room), meeting))
        # The agenda as the meeting decided it: an item it excluded the public for is exempt here too.
        m = decided_meeting(m, decided(store.resolutions(m.id)))
        records = [vote_record(m, v, confidential=confidential) for v in store.votes(m.id)]
        resolved = [resolution_record(m, e) for e in store.resolutions(m.id)]
        if as_json:
            import json

            typer.echo(json.dumps({"meeting": m.id, "committee": m.committee, "votes": records, "resolutions": resolved},
                                  indent=2, ensure_ascii=False))
            return
        if as_csv:
            import csv
            import sys

            from meetstream.core.cells import cell

            out = csv.writer(sys.stdout, lineterminator="\n")
            out.writerow(CSV_COLUMNS)
            for r in _in_order(records, resolved):
                if "minute" in r:  # a resolution: its minute is the motion column, as the minutes read
                    by = next((v for v in records if v.get("id") == r["vote_id"]), None) if r["vote_id"] else None
                    out.writerow([cell(v) for v in (", ".join(r["items"]), "; ".join(r["titles"]), r["minute"],
                                                    *((by["for"], by["against"], by["abstain"]) if by else ("", "", "")),
                                                    _RESOLVED[r["resolution"]], "")])
                    continue
                named = "; ".join(f"{name}: {choice}" for name, choice in r["named"].items())
                out.writerow([cell(v) for v in (r["item"], r["title"], r["motion"], r["for"], r["against"], r["abstain"],
                                                r["result_words"], named)])
            return
        _table(m, _in_order(records, resolved))


_RESOLVED = {"exclude": "resolved: public excluded", "public": "resolved: stays public"}


def _in_order(votes: list[dict], resolved: list[dict]) -> list[dict]:
    """Votes and resolutions as they were taken (a vote's resolution right after it)."""
    both = [(r["at"] or "", 0, i, r) for i, r in enumerate(votes)] + [(r["at"], 1, i, r) for i, r in enumerate(resolved)]
    return [r for *_, r in sorted(both, key=lambda t: t[:3])]


def _table(meeting, records: list[dict]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    out = console()
    if not records:
        out.print(f"No votes or resolutions recorded for {meeting.committee}.", markup=False)
        return
    table = Table(title=Text(f"Votes: {meeting.committee}"), box=box.SIMPLE_HEAD)
    for col in ("Item", "Title", "Motion", "For", "Against", "Abstain", "Result", "Named"):
        table.add_column(col, overflow="fold", justify="right" if col in ("For", "Against", "Abstain") else "left")
    for r in records:
        if "minute" in r:
            table.add_row(Text(", ".join(r["items"])), Text("; ".join(r["titles"])), Text(r["minute"]), "", "", "",
                          _RESOLVED[r["resolution"]], Text("-"))
            continue
        named = "; ".join(f"{name}: {choice}" for name, choice in r["named"].items())
        # Data is text: a motion "[as amended]" is printed as written, never read as markup.
        table.add_row(Text(r["item"]), Text(r["title"]), Text(r["motion"]), str(r["for"]), str(r["against"]),
                      str(r["abstain"]), r["result_words"], Text(named or "-"))
    out.print(table)
