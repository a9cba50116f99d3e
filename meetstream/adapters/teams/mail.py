"""Sending members their join links with Graph sendMail (many at once through $batch)."""

from __future__ import annotations

from typing import Callable

from meetstream.adapters.teams.http import GraphClient, error_message
from meetstream.core.domain import Letter


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
