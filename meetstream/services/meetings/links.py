"""Teams join links: making a calendar event a Teams meeting, and mailing members their link.

Every send is recorded the moment Graph accepts it, so running `links --send` again sends only
what did not go (a new link goes to everyone again; `--resend` sends to everyone anyway).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape

from meetstream.core.domain import Letter, Meeting, Member
from meetstream.core.timefmt import local
from meetstream.errors import StateError
from meetstream.services.meetings.lookup import short_ref


def youtube_url(store, meeting_id: str) -> str | None:
    """https://youtu.be/<broadcast id> once the meeting has a broadcast."""
    b = store.find_broadcast(meeting_id)
    return f"https://youtu.be/{b.broadcast_id}" if b is not None else None


@dataclass(frozen=True)
class LinkPlan:
    member: Member
    action: str  # "send", "already sent", "no email"
    letter: Letter | None = None  # when action == "send"


def plan_links(store, settings, meeting: Meeting, *, resend: bool = False) -> list[LinkPlan]:
    """Who gets an email with which link. Pure apart from reading what was sent before."""
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
    letters = [p.letter for p in plan if p.action == "send"]
    # Recorded as each is accepted, not after the last batch: when a later batch fails and raises,
    # the members already mailed are on record and a rerun does not mail them again.
    return calendar.send_letters(letters, on_sent=lambda address: store.record_mail_sent(meeting.id, address, meeting.join_url))


def create_teams_meeting(store, meeting: Meeting, get_calendar) -> tuple[str, bool]:
    """(join url, created?): an event that already has a link is left alone, and Graph is not asked
    (`get_calendar()` is only called when Graph is needed); one whose link is in Graph but not yet
    in the store is found, not created."""
    if meeting.join_url:
        return meeting.join_url, False
    url, created = get_calendar().ensure_teams_meeting(meeting.id)
    store.upsert_meeting(replace(meeting, join_url=url))
    return url, created


def join_letter(meeting, member, youtube_url: str | None, council_zone: str, council: str = "Council") -> Letter:
    """The email a member gets: which meeting, when (in the council's zone), their Teams link."""
    when = local(meeting.start, council_zone).strftime("%A %-d %B %Y at %H:%M")
    lines = [
        f"<p>Dear {escape(member.display_name())},</p>",
        f"<p>{escape(meeting.committee)} meets on {escape(when)}"
        + (f" in {escape(meeting.location)}" if meeting.location else "") + ".</p>",
        f'<p>Join the meeting in Microsoft Teams: <a href="{escape(meeting.join_url or "", quote=True)}">{escape(meeting.join_url or "")}</a></p>',
        "<p>Please use this link only yourself: it admits you as a participant.</p>",
    ]
    if youtube_url:
        lines.append(f'<p>The public webcast will be at <a href="{escape(youtube_url, quote=True)}">{escape(youtube_url)}</a>.</p>')
    lines.append(f"<p>{escape(council)} Democratic Services</p>")
    subject = f"Your Teams link: {meeting.committee}, {local(meeting.start, council_zone).strftime('%-d %B %Y')}"
    return Letter(to=member.email, name=member.name, subject=subject, html="".join(lines))
