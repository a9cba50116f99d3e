"""Sending members their join links with Graph sendMail (many at once through $batch)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Callable

from meetstream.teams.http import GraphClient, error_message
from meetstream.timefmt import local


@dataclass(frozen=True)
class Letter:
    to: str  # email address
    name: str
    subject: str
    html: str


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


def send_letters(client: GraphClient, mail_path: str, letters: list[Letter],
                 on_sent: Callable[[str], None] | None = None) -> dict[str, str | None]:
    """Send each letter; returns {address: None if sent (202), else the error text}.

    `on_sent(address)` is called the moment Graph accepts a letter, before the next batch goes:
    if a later batch fails (and raises), what was already accepted has been reported.
    """
    requests_ = []
    by_id: dict[str, Letter] = {}
    for i, letter in enumerate(letters):
        by_id[str(i + 1)] = letter
        requests_.append({
            "id": str(i + 1),
            "method": "POST",
            "url": "/" + mail_path,
            "headers": {"Content-Type": "application/json"},
            "body": {
                "message": {
                    "subject": letter.subject,
                    "body": {"contentType": "HTML", "content": letter.html},
                    "toRecipients": [{"emailAddress": {"address": letter.to, "name": letter.name}}],
                },
                "saveToSentItems": True,
            },
        })
    if not requests_:
        return {}

    def accepted(rid: str, result: dict) -> None:
        if result["status"] == 202 and on_sent is not None and rid in by_id:
            on_sent(by_id[rid].to)

    results = client.batch(requests_, on_result=accepted)
    out: dict[str, str | None] = {}
    for i, letter in enumerate(letters):
        r = results.get(str(i + 1), {"status": 500, "body": None})
        out[letter.to] = None if r["status"] == 202 else error_message(r["status"], r["body"])[0]
    return out
