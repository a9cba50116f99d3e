"""The rules of the night, in one place: `decide(now, meeting, action, …)` says what an officer's
action does in the session's state, or why it is refused. Pure: no OBS, no store, no clock.

A `Transition` is what the session carries out (what the director is asked to show, the state it
leaves, the timeline entry); a `Refused` is a code, the reason in plain words with one `{fix}`
slot, and the actions that would help, which each surface names its own way (meetstream.core.actions).
Asking "would this be refused?" is a call to `decide`, nothing more.

Private is fail-safe: nothing public is decided while private; reaching an armed item (one the
agenda marks exempt, or the meeting resolved to exclude the public for) goes private whatever the
state (but adjourned); readmitting the public on an armed item is refused. Only a resolution of
the meeting (meetstream.core.resolutions) disarms an item: `meeting` as handed to `decide` is the
agenda as the meeting has decided it (`resolutions.decided_meeting`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meetstream.core import actions
from meetstream.core.resolutions import EXCLUDE, Resolution, as_decided
from meetstream.core.domain import AgendaItem, Meeting, Member, SessionState, TimelineKind, Vote, short_ref

KEEP = "__keep__"  # a Transition field that leaves the session's value as it is

# The slate shown for a state, when an overlay changes under it.
STATE_ROLE = {
    SessionState.HOLDING: "holding",
    SessionState.PRIVATE: "private",
    SessionState.RECESS: "recess",
    SessionState.ADJOURNED: "adjourned",
}


@dataclass(frozen=True)
class Now:
    """The session as `decide` needs it."""

    room: str
    state: SessionState = SessionState.OFF_AIR
    item: AgendaItem | None = None
    ended: bool = False
    taken_by: str | None = None  # "Full Council (a1b2c3)": another meeting holds the room


@dataclass(frozen=True)
class Refused:
    code: str
    reason: str  # plain words; "{fix}" (and "{also}") mark where the helping actions are named
    fix: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # a second way out, named at "{also}"

    def words(self, surface: str = "cli") -> str:
        """The reason as `surface` says it: "cli", "console" or "web"."""
        text = self.reason
        for slot, names in (("{fix}", self.fix), ("{also}", self.also)):
            named = [n for n in (_name(actions.BY_NAME[a], surface) for a in names) if n]
            text = text.replace(slot, " or ".join(named))
        return text.replace(" ()", "").replace("()", "")

    @property
    def by_state(self) -> bool:
        """Refused because of the session's state (private, recess, adjourned …), not because of
        where the agenda stands: a console dims the first kind, and explains the second on a tap."""
        return self.code in _BY_STATE

    def as_json(self) -> dict:
        return {"code": self.code, "reason": self.reason, "fix": list(self.fix), "also": list(self.also),
                "by_state": self.by_state}

    @classmethod
    def from_json(cls, data: dict) -> "Refused":
        return cls(str(data.get("code", "")), str(data.get("reason", "")), tuple(data.get("fix") or ()),
                   tuple(data.get("also") or ()))


_BY_STATE = {"private", "recess", "adjourned", "not_private", "not_recess", "ended", "room_taken", "no_meeting"}


def _name(a: actions.Action, surface: str) -> str | None:
    if surface == "cli":
        return a.cli_words
    if surface not in a.surfaces:
        return None
    if surface == "console":
        return f"{a.key} ({a.label})" if a.key else None
    return a.refer or a.label


@dataclass(frozen=True)
class Transition:
    do: str  # what the director does: "show_role", "overlay" (the item under a slate), "show_member", "go_private"; or "record_vote", "end"
    role: str | None
    state: SessionState
    kind: TimelineKind
    item_number: str | None = KEEP
    speaker: str | None = KEEP
    detail: dict = field(default_factory=dict)
    item: AgendaItem | None = None  # the item the overlay shows
    member: Member | None = None
    vote: Vote | None = None
    resolution: Resolution | None = None  # recorded first, whatever the director then does


def decide(now: Now, meeting: Meeting | None, action: str, *, item: AgendaItem | None = None,
           member: Member | None = None, oneoff: str | None = None, vote: Vote | None = None,
           resolution: Resolution | None = None, mode: str | None = None) -> Transition | Refused:
    """What `action` does now. `item` (for "item", and "speaker" with --item), `member` or
    `oneoff` (for "speaker"; neither: "would a speaker be allowed?"), `vote` (made by
    meetstream.core.votes.make_vote: its bad input is refused there) and `resolution` (for
    "exclude" and "stay-public", and a vote on an exclusion; none: "would it be allowed?") are
    resolved by the caller."""
    refused = room_refusal(now, meeting)
    if refused is not None:
        return refused
    rule = _RULES.get(action)
    if rule is None:
        return Refused("unknown_action", f"no action {action!r}")
    return rule(now, meeting, item=item, member=member, oneoff=oneoff, vote=vote, resolution=resolution, mode=mode)


def label(meeting: Meeting) -> str:
    """How a refusal names a meeting: "Full Council (a1b2c3)", the ref `calendar list` shows."""
    return f"{meeting.committee} ({short_ref(meeting.id)})"


def room_refusal(now: Now, meeting: Meeting | None) -> Refused | None:
    """A meeting holds its room from its first action until `end` releases it: while another
    holds it, nothing is done for this one; once this one has ended, nothing more is."""
    if now.taken_by:
        for_what = f" for {label(meeting)}" if meeting is not None else ""
        return Refused("room_taken", f"room {now.room!r} is running {now.taken_by} until it ends: "
                                     f"`meetstream end --room {now.room}` ends it, then try again{for_what}")
    if now.ended and meeting is not None:
        return Refused("ended", f"{meeting.committee} has ended: the room's next meeting starts with "
                                f"`meetstream start next --room {now.room}` (or name it with --meeting)")
    return None


# --- the rules, one per action -----------------------------------------------------------------

def _no_meeting(now: Now) -> Refused:
    return Refused("no_meeting", f"no meeting is in session in room {now.room!r}: name one with --meeting ID")


def _public_shot(now: Now, what: str) -> Refused | None:
    """Anything public (a camera, a speaker, the agenda card) is refused unless the meeting sits in public."""
    if now.state is SessionState.PRIVATE:
        return Refused("private", f"the meeting is in private session: cannot {what} (readmit the public with {{fix}} first)",
                       ("public",))
    if now.state is SessionState.RECESS:
        return Refused("recess", f"the meeting is in recess: cannot {what} ({{fix}} first)", ("resume",))
    if now.state is SessionState.ADJOURNED:
        return Refused("adjourned", f"the meeting is adjourned: cannot {what}")
    return None


def _shot(role: str, what: str):
    def rule(now: Now, meeting, **_) -> Transition | Refused:
        return _public_shot(now, what) or Transition("show_role", role, SessionState.ON_AIR, TimelineKind(role),
                                                     speaker=None, item=now.item)

    return rule


def _holding(now: Now, meeting, **_) -> Transition | Refused:
    if now.state in (SessionState.PRIVATE, SessionState.ADJOURNED):
        return Refused(now.state.value, f"the meeting is {now.state.value}: cannot show the holding slate")
    return Transition("show_role", "holding", SessionState.HOLDING, TimelineKind.HOLDING, item=now.item)


def _speaker(now: Now, meeting, *, item=None, member=None, oneoff=None, **_) -> Transition | Refused:
    if meeting is None and oneoff is None:
        return _no_meeting(now)
    at = item if item is not None else now.item
    if at is not None and at.exempt:
        return Refused("exempt_item", f"item {at.number} is exempt: speakers are not shown in a private session")
    if oneoff is not None:
        refused = _public_shot(now, f"show {oneoff}")
        return refused or Transition("show_member", "speaker", SessionState.ON_AIR, TimelineKind.SPEAKER, speaker=oneoff,
                                     item=at, member=Member(oneoff),
                                     detail={"member": oneoff, "lower_third": oneoff, "oneoff": True})
    name = member.display_name() if member is not None else "a speaker"
    refused = _public_shot(now, f"show {name}")
    if refused or member is None:
        return refused or Transition("show_member", "speaker", SessionState.ON_AIR, TimelineKind.SPEAKER)
    return Transition("show_member", "speaker", SessionState.ON_AIR, TimelineKind.SPEAKER,
                      item_number=at.number if at is not None else KEEP, speaker=member.display_name(), item=at,
                      member=member, detail={"member": member.display_name(), "lower_third": member.lower_third()})


def _step(delta: int):
    def rule(now: Now, meeting, **_) -> Transition | Refused:
        if meeting is None:
            return _no_meeting(now)
        if not meeting.agenda:
            return Refused("no_agenda", f"{meeting.committee} has no agenda items")
        numbers = [i.number for i in meeting.agenda]
        if now.item is None:
            target = 0
        else:
            target = numbers.index(now.item.number) + delta if now.item.number in numbers else 0
        if not 0 <= target < len(numbers):
            return Refused("agenda_end", "already at the " + ("last" if delta > 0 else "first") + " agenda item")
        return _go_to(now, meeting, item=meeting.agenda[target])

    return rule


def _go_to(now: Now, meeting, *, item=None, **_) -> Transition | Refused:
    """Move the agenda on. Reaching an exempt item goes private at once, without being asked."""
    if meeting is None:
        return _no_meeting(now)
    if item is None:
        return Refused("no_agenda", f"{meeting.committee} has no agenda items")
    if now.state is SessionState.ADJOURNED:
        return Refused("adjourned", "the meeting is adjourned")
    detail = {"title": item.public_title()}
    if now.state is SessionState.PRIVATE:
        # Whatever OBS shows now (someone may have clicked a scene), the item changes under the
        # private slate, and the whole private state is put back and read back.
        return Transition("go_private", "private", SessionState.PRIVATE, TimelineKind.ITEM, item_number=item.number,
                          speaker=None, detail=detail, item=item)
    if item.exempt:
        return Transition("go_private", "private", SessionState.PRIVATE, TimelineKind.PRIVATE, item_number=item.number,
                          speaker=None, detail=detail | {"reason": f"item {item.number} is exempt", "why": item.reason or "marked exempt"},
                          item=item)
    if now.state is SessionState.ON_AIR:
        # A new item on air starts on the chamber: the last item's speaker is done.
        return Transition("show_role", "chamber", SessionState.ON_AIR, TimelineKind.ITEM, item_number=item.number,
                          speaker=None, detail=detail, item=item)
    # Recess or holding: the slate stays (put back whole), only the overlay text changes.
    return Transition("overlay", STATE_ROLE.get(now.state, "holding"), now.state, TimelineKind.ITEM,
                      item_number=item.number, detail=detail, item=item)


def _private(now: Now, meeting, **_) -> Transition | Refused:
    if now.state is SessionState.ADJOURNED:
        return Refused("adjourned", "the meeting is adjourned")
    return Transition("go_private", "private", SessionState.PRIVATE, TimelineKind.PRIVATE, speaker=None, item=now.item)


def _public(now: Now, meeting, **_) -> Transition | Refused:
    if now.state is not SessionState.PRIVATE:
        return Refused("not_private", "the meeting is not in private session")
    if now.item is not None and now.item.exempt:
        return Refused("exempt_item", f"item {now.item.number} is exempt: move to a public item ({{fix}}) before "
                                      "readmitting the public, or record the meeting's resolution to stay public for "
                                      "it ({also})", ("next", "item"), ("stay-public",))
    return Transition("show_role", "chamber", SessionState.ON_AIR, TimelineKind.PUBLIC, speaker=None, item=now.item)


def _recess(now: Now, meeting, **_) -> Transition | Refused:
    if now.state is SessionState.PRIVATE:
        return Refused("private", "the meeting is in private session: a recess would return to public; stay private, "
                                  "or {fix} first", ("public",))
    if now.state is SessionState.ADJOURNED:
        return Refused("adjourned", "the meeting is adjourned: cannot show a recess")
    return Transition("show_role", "recess", SessionState.RECESS, TimelineKind.RECESS, speaker=None)


def _resume(now: Now, meeting, **_) -> Transition | Refused:
    if now.state is not SessionState.RECESS:
        return Refused("not_recess", "the meeting is not in recess")
    return Transition("show_role", "chamber", SessionState.ON_AIR, TimelineKind.RESUME, speaker=None, item=now.item)


def _adjourned(now: Now, meeting, **_) -> Transition:
    return Transition("show_role", "adjourned", SessionState.ADJOURNED, TimelineKind.ADJOURNED, speaker=None)


def _vote(now: Now, meeting, *, vote=None, resolution=None, **_) -> Transition | Refused:
    if meeting is None:
        return _no_meeting(now)
    if now.state is SessionState.ADJOURNED:
        return Refused("adjourned", "the meeting is adjourned: a vote is recorded while the meeting sits")
    if now.item is None:
        return Refused("no_item", "no agenda item is current: move to the item the vote is on first ({fix})",
                       ("item", "next"))
    return Transition("record_vote", None, now.state, TimelineKind.VOTE, vote=vote, resolution=resolution)


def _resolving(now: Now, meeting) -> Refused | None:
    if meeting is None:
        return _no_meeting(now)
    if now.state is SessionState.ADJOURNED:
        return Refused("adjourned", "the meeting is adjourned: a resolution is made while the meeting sits")
    return None


def _exclude(now: Now, meeting, *, resolution=None, **_) -> Transition | Refused:
    """The meeting resolves to exclude the public for items: at once if the current item is one
    of them, else when the first of them is reached."""
    refused = _resolving(now, meeting)
    if refused is not None:
        return refused
    here = now.item is not None and resolution is not None and now.item.number in resolution.items
    if here and now.state is not SessionState.PRIVATE:
        item = as_decided(now.item, {now.item.number.casefold(): resolution})
        return Transition("go_private", "private", SessionState.PRIVATE, TimelineKind.PRIVATE, speaker=None,
                          item=item, resolution=resolution,
                          detail={"reason": f"the meeting resolved to exclude the public for item {item.number}"})
    return Transition("resolve", None, now.state, TimelineKind.RESOLUTION, resolution=resolution)


def _stay_public(now: Now, meeting, *, resolution=None, **_) -> Transition | Refused:
    """The meeting stays public for items the agenda marks exempt: readmitted at once when the
    current item is one of them and the meeting sits in private."""
    refused = _resolving(now, meeting)
    if refused is not None:
        return refused
    if resolution is None:
        return Transition("resolve", None, now.state, TimelineKind.RESOLUTION)
    if not any(meeting.item(n).exempt for n in resolution.items):
        return Refused("not_armed", f"item(s) {', '.join(resolution.items)} are not marked exempt: the meeting is "
                                    "public for them already")
    here = now.item is not None and now.item.number in resolution.items
    if here and now.state is SessionState.PRIVATE:
        item = as_decided(now.item, {now.item.number.casefold(): resolution})
        return Transition("show_role", "chamber", SessionState.ON_AIR, TimelineKind.PUBLIC, speaker=None, item=item,
                          resolution=resolution, detail={"reason": f"the meeting stays public for item {item.number}"})
    return Transition("resolve", None, now.state, TimelineKind.RESOLUTION, resolution=resolution)


def follows_vote(now: Now, meeting, resolution: Resolution) -> Transition:
    """What a vote on an exclusion motion does once recorded: carried, the public is excluded;
    lost, the meeting stays public (recorded even where nothing was armed: it is the minute)."""
    got = (_exclude if resolution.kind == EXCLUDE else _stay_public)(now, meeting, resolution=resolution)
    if isinstance(got, Refused):
        return Transition("resolve", None, now.state, TimelineKind.RESOLUTION, resolution=resolution)
    return got


def _auto(now: Now, meeting, *, mode=None, **_) -> Transition | Refused:
    """The automatic director on or off. Turning it on in a private session is allowed: it acts
    only once the meeting sits in public again (meetstream.core.autodirector never shows a shot
    outside ON AIR, and its shots are decided here like any surface's)."""
    if meeting is None:
        return _no_meeting(now)
    if now.state is SessionState.ADJOURNED:
        return Refused("adjourned", "the meeting is adjourned: the automatic director has nothing to direct")
    return Transition("auto", None, now.state, TimelineKind.AUTO, detail={"auto": mode != "off"})


def _end(now: Now, meeting, **_) -> Transition | Refused:
    if meeting is None:
        return Refused("no_meeting", f"no meeting is in session in room {now.room!r}")
    return Transition("end", "adjourned", SessionState.ADJOURNED, TimelineKind.END)


_RULES = {
    "next": _step(+1),
    "prev": _step(-1),
    "item": _go_to,
    "speaker": _speaker,
    "chamber": _shot("chamber", "show the chamber"),
    "gallery": _shot("gallery", "show the Teams gallery"),
    "agenda": _shot("agenda", "show the agenda card"),
    "holding": _holding,
    "private": _private,
    "public": _public,
    "exclude": _exclude,
    "stay-public": _stay_public,
    "recess": _recess,
    "resume": _resume,
    "auto": _auto,
    "adjourned": _adjourned,
    "vote": _vote,
    "end": _end,
}
assert set(_RULES) == set(actions.BY_NAME), "every action in meetstream.core.actions has one rule here, and no other"


def allowed_now(now: Now, meeting: Meeting | None) -> dict[str, dict | None]:
    """For each action a surface offers without an argument (and a speaker): None when it would
    be done now, else its refusal (as JSON). What the consoles dim, and why."""
    out: dict[str, dict | None] = {}
    first = meeting.agenda[0] if meeting is not None and meeting.agenda else None
    for a in actions.ACTIONS:
        got = decide(now, meeting, a.name, item=first if a.arg == "number" else None)
        out[a.name] = got.as_json() if isinstance(got, Refused) else None
    return out
