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
                 "example", "surfaces", "resolves")

    def __init__(self, name: str, label: str, help: str, *, key: str | None = None, arg: str | None = None,
                 arg_help: str = "", cli: str = "", refer: str = "", leads_to: str | None = None,
                 confirm: Confirm | None = None, options: tuple[Option, ...] = (), example: str = "",
                 surfaces: tuple[str, ...] = ("cli", "api", "console", "web"), resolves: str | None = None):
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
        self.resolves = resolves  # a resolution of the meeting: "exclude" or "public" (meetstream.core.resolutions)

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
    Action("exclude", "Exclude public", "Record the meeting's resolution to exclude the press and public for items "
           "(s100A(4), naming the Schedule 12A paragraph): private at once when the current item is one of them, "
           "else on reaching the first.", key="X", arg="items",
           arg_help="The items: 5, 5-6 or 5, 6 and 8.", example="meetstream cue exclude 5-6 --paragraph 3",
           cli="`cue exclude ITEMS`", refer="Exclude public",
           options=(Option("paragraph", "--paragraph", "Schedule 12A paragraph(s), 1 to 7 (default: the ones the agenda "
                                                       "cites for the items).", default=""),),
           resolves="exclude", confirm=Confirm("Exclude the public?", "The resolution is recorded for the minutes; at these items the private "
                           "slate goes on air and all sound is muted.", "Yes, the public is excluded", default_no=False)),
    Action("stay-public", "Stay public", "Record that the meeting stays public for items the agenda marks exempt "
           "(the motion to exclude was lost, or the item is discussed without its exempt information): they are shown "
           "with their public title and microphones live.", key="K", arg="items",
           arg_help="The items: 5, 5-6 or 5, 6 and 8.",
           example="meetstream cue stay-public 5 --reason no_reference", cli="`cue stay-public ITEM`",
           refer="Stay public",
           options=(Option("reason", "--reason", "Why: lost (the motion to exclude was lost), no_reference (discussed "
                                                 "without reference to the exempt information), not_required (Part 2 not "
                                                 "required), or your own words."),),
           resolves="public", confirm=Confirm("Keep the item public?", "The agenda marks it exempt. It will be shown in public, with its "
                           "title and the microphones live.", "Yes, the meeting stays public", default_no=True)),
    Action("recess", "Recess", "Recess slate, microphones muted.", key="r", leads_to="recess"),
    Action("resume", "Resume", "Resume after a recess: chamber, microphones live.", key="s", leads_to="on_air"),
    Action("auto", "Auto director", "Turn the automatic director on or off: the chamber's microphones pick the shot "
           "and the name (never in a private session, recess or holding); any cue of yours takes over until the "
           "next microphone change.", key="A", arg="mode", arg_help="on or off.", cli="`cue auto on|off`",
           example="meetstream cue auto on"),
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
                           many=True),
                    Option("exclusion", "--exclusion", "The motion is to exclude the public for these items (5 or 5-6): "
                                                       "carried, they go private; lost, they stay public.", default=""),
                    Option("paragraph", "--paragraph", "With --exclusion: the Schedule 12A paragraph(s), 1 to 7.",
                           default=""))),
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
                    "resolves": a.resolves, "options": [{"field": o.field, "help": o.help, "required": o.default is None} for o in a.options],
                    "confirm": None if a.confirm is None else {"question": a.confirm.question, "detail": a.confirm.detail,
                                                               "yes": a.confirm.yes, "defaultNo": a.confirm.default_no}})
    return out
