"""Teams join links: making a calendar event a Teams meeting, and mailing members their link.

Every send is recorded the moment Graph accepts it, so running `links --send` again sends only
what did not go (a new link goes to everyone again; `--resend` sends to everyone anyway).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from meetstream.domain import Meeting, Member
from meetstream.errors import StateError
from meetstream.meetings.lookup import short_ref


def youtube_url(store, meeting_id: str) -> str | None:
    """https://youtu.be/<broadcast id> once the meeting has a broadcast."""
    b = store.find_broadcast(meeting_id)
    return f"https://youtu.be/{b.broadcast_id}" if b is not None else None


@dataclass(frozen=True)
class LinkPlan:
    member: Member
    action: str  # "send", "already sent", "no email"
    letter: object | None = None  # teams.mail.Letter when action == "send"


def plan_links(store, settings, meeting: Meeting, *, resend: bool = False) -> list[LinkPlan]:
    """Who gets an email with which link. Pure apart from reading what was sent before."""
    from meetstream.teams.mail import join_letter

    if not meeting.join_url:
        raise StateError(f"{meeting.committee} has no Teams join link yet: run `meetstream teams create {short_ref(meeting.id)}`")
    if meeting.cancelled:
        raise StateError(f"{meeting.committee} is cancelled: no links are sent")
    sent = store.mail_sent(meeting.id)
    yt = youtube_url(store, meeting.id)
    out = []
    for member in meeting.members:
        if not member.email:
            out.append(LinkPlan(member, "no email"))
        elif not resend and sent.get(member.email.casefold(), (None,))[0] == meeting.join_url:
            out.append(LinkPlan(member, "already sent"))
        else:
            out.append(LinkPlan(member, "send", join_letter(meeting, member, yt, settings.council.timezone, settings.council.name)))
    return out


def send_links(store, meeting: Meeting, plan: list[LinkPlan], calendar) -> dict[str, str | None]:
    """Send the planned letters ({address: None if sent, else why not}); each success is recorded
    at once, so a rerun never repeats it."""
    from meetstream.teams.mail import send_letters

    letters = [p.letter for p in plan if p.action == "send"]
    # Recorded as each is accepted, not after the last batch: when a later batch fails and raises,
    # the members already mailed are on record and a rerun does not mail them again.
    return send_letters(calendar.client, calendar.mail_path, letters,
                        on_sent=lambda address: store.record_mail_sent(meeting.id, address, meeting.join_url))


def create_teams_meeting(store, meeting: Meeting, get_calendar) -> tuple[str, bool]:
    """(join url, created?): an event that already has a link is left alone, and Graph is not asked
    (`get_calendar()` is only called when Graph is needed); one whose link is in Graph but not yet
    in the store is found, not created."""
    from meetstream.teams.onlinemeeting import ensure_teams_meeting

    if meeting.join_url:
        return meeting.join_url, False
    url, created = ensure_teams_meeting(get_calendar(), meeting.id)
    store.upsert_meeting(replace(meeting, join_url=url))
    return url, created
