"""The officer's actions, one row each: the one table every surface is built from.

The `cue` command line (its sub-commands and help), the thin `cue` client, the control API, the
Textual console (keys, questions) and the web console (served this table as JSON, with what each
action would do now) all read it; none lists the actions itself. What an action is *allowed* to do
is not here: that is meetstream.core.rules.decide, the one rulebook.

Standard library only: the thin `cue` client imports it on every Stream Deck press.
"""

from __future__ import annotations


class Confirm:
    """Asked before the action; `default_no`: Enter (or a stray tap) answers No."""

    __slots__ = ("question", "detail", "yes", "default_no")

    def __init__(self, question: str, detail: str, yes: str, default_no: bool):
        self.question, self.detail, self.yes, self.default_no = question, detail, yes, default_no


class Option:
    """A `cue NAME --option` and the body field it fills; `default` None: required; `many`: given
    again for each value (a list)."""

    __slots__ = ("field", "flag", "help", "default", "many", "short")

    def __init__(self, field: str, flag: str, help: str, default: str | None = None, many: bool = False,
                 short: str | None = None):
        self.field, self.flag, self.help, self.default, self.many, self.short = field, flag, help, default, many, short


class Action:
    """One row of the table. Plain slots, not a dataclass: the thin `cue` path imports this on
    every Stream Deck press, and dataclasses (with inspect) would double its start-up."""

    __slots__ = ("name", "label", "help", "key", "arg", "arg_help", "cli", "refer", "leads_to", "confirm", "options",
                 "example", "surfaces")

    def __init__(self, name: str, label: str, help: str, *, key: str | None = None, arg: str | None = None,
                 arg_help: str = "", cli: str = "", refer: str = "", leads_to: str | None = None,
                 confirm: Confirm | None = None, options: tuple[Option, ...] = (), example: str = "",
                 surfaces: tuple[str, ...] = ("cli", "api", "console", "web")):
        self.name = name  # the API's /api/cue/{name}, the `cue` sub-command
        self.label = label  # a button's words, and how a refusal names the action on a touch screen
        self.help = help  # `cue NAME --help`, and a button's title
        self.key = key  # the console's and the web console's key
        self.arg = arg  # the body field of the one positional argument (`cue item 5`)
        self.arg_help = arg_help
        self.cli = cli  # how a refusal names it on the command line
        self.refer = refer  # how a refusal names it on a touch screen, when not by its button's label
        self.leads_to = leads_to  # the session state it puts the meeting in (a Companion button lights in it)
        self.confirm = confirm
        self.options = options  # `cue NAME --option …`: more of the body
        self.example = example  # for `cue NAME --help`
        self.surfaces = surfaces

    @property
    def cli_words(self) -> str:
        return self.cli or f"`cue {self.name}`"


ACTIONS: tuple[Action, ...] = (
    Action("next", "Next item", "Move to the next agenda item (an exempt item goes private by itself).", key="n"),
    Action("prev", "Prev", "Move back to the previous agenda item.", key="p"),
    Action("item", "Item", "Go to agenda item N and put it on the overlay (an exempt item goes private by itself).",
           arg="number", arg_help="Agenda item number as printed, e.g. 5 or 5a.", example="meetstream cue item 5", cli="`cue item N`",
           refer="a public item in the agenda", surfaces=("cli", "api", "web")),
    Action("speaker", "Speaker", "Show a member (their Teams feed, or the chamber) with their lower third.",
           arg="name", arg_help="Member's name or surname.", example='meetstream cue speaker "Jane Smith" --item 5',
           options=(Option("item", "--item", "Also move to this agenda item.", default="", short="-i"),), leads_to="on_air"),
    Action("chamber", "Chamber", "Show the chamber camera.", key="c", leads_to="on_air"),
    Action("gallery", "Gallery", "Show the Teams gallery.", key="g", leads_to="on_air"),
    Action("agenda", "Agenda card", "Show the agenda card.", key="a", leads_to="on_air"),
    Action("holding", "Holding", "Show the holding slate (microphones muted).", key="h", leads_to="holding"),
    Action("private", "PRIVATE", "Private session: the private slate, every microphone muted, verified.", key="x",
           confirm=Confirm("Go PRIVATE?", "The public will be excluded: the private slate goes on air and all sound is muted.",
                           "Yes, go PRIVATE", default_no=False), leads_to="private"),
    Action("public", "Public", "Readmit the public after a private session: chamber, microphones live.", key="u",
           confirm=Confirm("Readmit the public?", "The chamber goes back ON AIR with the microphones live.",
                           "Yes, readmit the public", default_no=True), leads_to="on_air"),
    Action("recess", "Recess", "Recess slate, microphones muted.", key="r", leads_to="recess"),
    Action("resume", "Resume", "Resume after a recess: chamber, microphones live.", key="s", leads_to="on_air"),
    Action("adjourned", "Adjourned", "The meeting has closed: adjourned slate, microphones muted.", surfaces=("cli", "api"), leads_to="adjourned"),
    Action("vote", "Vote", "Record a vote on the current item; its result is shown on the stream for a while (never in "
           "a private session). Named votes must add up to the counts.", key="v",
           example='meetstream cue vote --motion "That the application be approved" --for 9 --against 3 --abstain 1 '
                   "--result carried",
           options=(Option("motion", "--motion", "The motion voted on, as the minutes will have it."),
                    Option("for", "--for", "Votes for."),
                    Option("against", "--against", "Votes against."),
                    Option("abstain", "--abstain", "Abstentions.", default="0"),
                    Option("result", "--result", "carried, lost, carried_casting or lost_casting (the chair's casting vote)."),
                    Option("named", "--named", 'A named vote, "Jane Smith=for" (again for each member).', default="",
                           many=True))),
    Action("end", "END", "Close the meeting: adjourned slate, broadcast completed, output stopped, chapters written.",
           key="e", cli="`meetstream end`", surfaces=("api", "console", "web"),
           confirm=Confirm("End the meeting?", "The closing slate goes on air, the broadcast is completed and the output stopped.",
                           "Yes, end the meeting", default_no=True), leads_to="adjourned"),
)

BY_NAME: dict[str, Action] = {a.name: a for a in ACTIONS}
CUE = tuple(a for a in ACTIONS if "cli" in a.surfaces)  # `meetstream cue NAME`


def action(name: str) -> Action | None:
    return BY_NAME.get(name)


def as_json() -> list[dict]:
    """The table as the web console is served it (GET /api/actions)."""
    out = []
    for a in ACTIONS:
        if "web" not in a.surfaces:
            continue
        out.append({"name": a.name, "label": a.label, "refer": a.refer, "help": a.help, "key": a.key, "arg": a.arg,
                    "confirm": None if a.confirm is None else {"question": a.confirm.question, "detail": a.confirm.detail,
                                                               "yes": a.confirm.yes, "defaultNo": a.confirm.default_no}})
    return out
