"""Recorded votes: what the officer typed -> a checked `Vote`, and the words every surface uses.

Pure (no I/O). A vote that does not add up is refused whole with one line saying what is wrong
(`VoteError`: a 400 from the API, exit 2 from the CLI), so nothing half-right reaches the
minutes. The rules:

- counts are whole numbers, 0 or more;
- named votes name members of the meeting, once each, and add up to the counts exactly;
- the result agrees with the counts: carried when more voted for, lost when more voted against;
  a tie is decided by the chair's casting vote, which is then declared (`carried_casting`,
  `lost_casting`). The counts may be taken before the casting vote (a tie) or with it (one apart,
  the way the result went); anything else is not a casting vote.

Exempt items: nothing here ever uses an item's title but `public_title()`, and an exempt item's
motion is left out of what can be published unless the confidential minutes are asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from meetstream.core.cells import blank
from meetstream.core.domain import AgendaItem, Meeting, Vote
from meetstream.errors import BadInput, StateError

RESULTS = {
    "carried": "carried",
    "lost": "lost",
    "carried_casting": "carried on the chair's casting vote",
    "lost_casting": "lost on the chair's casting vote",
}
CHOICES = ("for", "against", "abstain")
MAX_COUNT = 1000  # far above any council; a typo like 99999 is caught
MAX_MOTION = 2000
BODY_FIELDS = ("motion", "for", "against", "abstain", "result", "named")
EXEMPT_MOTION = "(exempt item: in the confidential minutes)"


class VoteError(BadInput):
    """The vote as given does not add up or names someone unknown: bad input, nothing stored."""


@dataclass(frozen=True)
class VoteRecorded:
    """What `LiveSession.vote` did: the vote stored, and whether the overlay went on screen."""

    vote: Vote
    shown: bool
    why_not: str | None = None  # why the overlay was not shown (private session, no overlay, OBS…)
    seconds: int | None = None  # how long it stays up
    program_scene: str | None = None  # read back from OBS with the overlay
    on_program: bool = True  # the program scene carries the overlay (the agenda card does not)
    resolved: object | None = None  # a vote on an exclusion: what its resolution did (core.resolutions.Resolved)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z]+", "_", str(text).casefold()).strip("_")


_RESULT_NAMES = {_norm(k): k for k in RESULTS} | {_norm(v): k for k, v in RESULTS.items()} | {
    "carried_on_casting_vote": "carried_casting", "lost_on_casting_vote": "lost_casting",
    "carried_casting_vote": "carried_casting", "lost_casting_vote": "lost_casting"}


def count(label: str, value) -> int:
    """A count of votes: 9, "9" (from a form or the command line), never -1, 2.5, true or "nine"."""
    # ASCII digits only, and few of them: "²".isdigit() is true but int("²") fails, and a
    # 5,000-digit count is past int()'s limit. Anything else is the one line below.
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,6}", value.strip()):
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise VoteError(f"{label} must be a whole number of votes, 0 or more, got {value!r}")
    if value > MAX_COUNT:
        raise VoteError(f"{label} is {value}: more votes than any council has members (at most {MAX_COUNT})")
    return value


def result_of(value) -> str:
    key = _RESULT_NAMES.get(_norm(value or ""))
    if key is None:
        raise VoteError(f"the result must be one of {', '.join(RESULTS)}, got {value!r}")
    return key


def named_pairs(value) -> list[tuple[str, str]]:
    """Named votes as given: {"Jane Smith": "for"}, ["Jane Smith=for", …] (the command line's
    --named), or [{"member": "Jane Smith", "vote": "for"}, …]; (name, choice) pairs, unchecked."""
    if value is None or value == "" or value == [] or value == {}:
        return []
    if isinstance(value, dict):
        return [(str(k), str(v)) for k, v in value.items()]
    if isinstance(value, str):
        value = [p for p in value.split(";") if p.strip()]
    if not isinstance(value, list):
        raise VoteError("named votes are a mapping of member to for/against/abstain, e.g. {\"Jane Smith\": \"for\"}")
    out = []
    for entry in value:
        if isinstance(entry, dict) and set(entry) == {"member", "vote"}:
            out.append((str(entry["member"]), str(entry["vote"])))
        elif isinstance(entry, str) and "=" in entry:
            name, _, choice = entry.rpartition("=")
            out.append((name, choice))
        else:
            raise VoteError(f"a named vote is NAME=for, NAME=against or NAME=abstain, got {entry!r}")
    return out


def make_vote(meeting: Meeting, item_number: str, *, motion, votes_for, against, abstain=0, result,
              named=None, at: datetime | None = None) -> Vote:
    """The vote, checked against the meeting and itself; VoteError says what does not add up."""
    text = " ".join(str(motion or "").split())
    if blank(text):
        raise VoteError("type the motion that was voted on")
    if len(text) > MAX_MOTION:
        raise VoteError(f"the motion is {len(text)} characters: keep it under {MAX_MOTION} (the minutes carry the full text)")
    f, a, ab = count("for", votes_for), count("against", against), count("abstain", abstain)
    key = result_of(result)
    _agrees(key, f, a)
    pairs = _named(meeting, named_pairs(named))
    if pairs:
        tally = {c: sum(1 for _, got in pairs if got == c) for c in CHOICES}
        if (tally["for"], tally["against"], tally["abstain"]) != (f, a, ab):
            raise VoteError(f"the named votes give for {tally['for']}, against {tally['against']}, abstain {tally['abstain']}, "
                            f"but the counts are for {f}, against {a}, abstain {ab}: correct one or the other")
    return Vote(meeting.id, item_number, text, f, a, ab, key, tuple(pairs), at)


def _agrees(key: str, f: int, a: int) -> None:
    if key == "carried" and f <= a or key == "lost" and f >= a:
        if f == a:
            raise VoteError(f"for and against are equal ({f} each): a tie is decided by the chair's casting vote "
                            "(result carried_casting or lost_casting)")
        said = "carried" if f > a else "lost"
        raise VoteError(f"for {f}, against {a} means the motion was {said}, not {key}")
    if key.endswith("_casting"):
        way = 1 if key == "carried_casting" else -1
        if f - a not in (0, way):
            raise VoteError(f"for {f}, against {a} is not a tie: the chair's casting vote only decides a tie "
                            f"(result {'carried' if f > a else 'lost'})")


def _named(meeting: Meeting, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out, seen = [], set()
    for name, choice in pairs:
        c = _norm(choice)
        c = {"abstained": "abstain", "abstention": "abstain"}.get(c, c)
        if c not in CHOICES:
            raise VoteError(f"{name.strip()!r} voted {choice!r}: a named vote is for, against or abstain")
        try:
            member = meeting.member(name)
        except StateError as err:
            raise VoteError(f"named votes: {err}") from None
        if member.name in seen:
            raise VoteError(f"{member.display_name()} is named twice in the named votes")
        seen.add(member.name)
        out.append((member.name, c))
    return out


def vote_args(body: dict) -> dict:
    """The control API's body -> LiveSession.vote's arguments; an unknown field is refused (a typo
    such as "againts" would otherwise be taken as 0)."""
    unknown = [k for k in body if k not in BODY_FIELDS]
    if unknown:
        raise VoteError(f"unknown field {unknown[0]!r} in the vote (the fields: {', '.join(BODY_FIELDS)})")
    for need in ("motion", "for", "against", "result"):
        if body.get(need) in (None, ""):
            raise VoteError(f"the vote needs {need!r}: "
                            '{"motion": "…", "for": 9, "against": 3, "abstain": 1, "result": "carried"}')
    return {"motion": body["motion"], "votes_for": body["for"], "against": body["against"],
            "abstain": body.get("abstain", 0) if body.get("abstain") not in (None, "") else 0,
            "result": body["result"], "named": body.get("named")}


# --- words --------------------------------------------------------------------------------------

def counts(vote: Vote) -> str:
    return f"{vote.votes_for}–{vote.against}–{vote.abstain}"


def vote_line(vote: Vote, item: AgendaItem | None = None) -> str:
    """'carried 9–3–1', 'carried 6–6–1 (chair's casting vote)': for chapters and the archive.

    Only the result and the counts: never the motion or the item's title, so it is safe for an
    exempt item too. `item`, when given, must be the vote's item (a mismatched pair is a bug).
    """
    if item is not None and item.number.casefold() != vote.item_number.casefold():
        raise ValueError(f"vote on item {vote.item_number} paired with item {item.number}")
    way = "carried" if vote.result.startswith("carried") else "lost"
    return f"{way} {counts(vote)}" + (" (chair's casting vote)" if vote.result.endswith("_casting") else "")


def overlay_text(vote: Vote) -> str:
    """What the vote overlay shows on the stream: the result and the counts, never the motion."""
    way = "CARRIED" if vote.result.startswith("carried") else "LOST"
    casting = " on the chair's casting vote" if vote.result.endswith("_casting") else ""
    return (f"Item {vote.item_number} vote: {way}{casting}\n"
            f"For {vote.votes_for}  ·  Against {vote.against}  ·  Abstain {vote.abstain}")


def named_text(vote: Vote) -> str:
    return "; ".join(f"{name}: {choice}" for name, choice in vote.named)


def recorded_line(done: VoteRecorded) -> str:
    """What a surface says when a vote has been recorded."""
    v = done.vote
    line = f"VOTE recorded on item {v.item_number}: {vote_line(v)}"
    if done.shown:
        line += f"; on screen for {done.seconds} s (read back from OBS; program {done.program_scene!r})"
        if not done.on_program:
            line += ": that scene does not carry the result; cut to the chamber, speaker or gallery to show it"
        return line
    return line + f"; {done.why_not}"


def _item_or_exempt(meeting: Meeting, number: str) -> AgendaItem:
    """The vote's item; one no longer on the agenda is treated as exempt (when unsure, it is)."""
    try:
        return meeting.item(number)
    except StateError:
        return AgendaItem(number, "", exempt=True)


def vote_record(meeting: Meeting, vote: Vote, *, confidential: bool = False) -> dict:
    """A vote as the minutes and `--json` take it: the item's public title, never an exempt one;
    an exempt item's motion only when the confidential minutes are asked for."""
    item = _item_or_exempt(meeting, vote.item_number)
    return {
        "id": vote.id,
        "item": vote.item_number,
        "title": item.public_title().removeprefix(f"{item.number}. "),
        "exempt": item.exempt,
        "motion": vote.motion if confidential or not item.exempt else EXEMPT_MOTION,
        "for": vote.votes_for, "against": vote.against, "abstain": vote.abstain,
        "result": vote.result,
        "result_words": RESULTS[vote.result],
        "line": vote_line(vote, item),
        "named": {name: choice for name, choice in vote.named},
        "at": vote.at.isoformat().replace("+00:00", "Z") if vote.at else None,
    }


def timeline_detail(vote: Vote) -> dict:
    """The `vote` timeline entry's detail (the store adds the vote's id)."""
    return {"motion": vote.motion, "for": vote.votes_for, "against": vote.against, "abstain": vote.abstain,
            "result": vote.result, "named": [list(p) for p in vote.named], "line": vote_line(vote)}
