"""modern.gov: the public web service (mgWebService.asmx) every modern.gov council site exposes.

    ModernGovClient(base_url, ...)            HTTP GET, hardened XML, time-outs, retries, spacing
        .committees() / .meetings(id, start, end) / .meeting(id, committee)
    read_meetings(client, committees, start, end) -> list[ModernGovMeeting]
    find_meeting(meetings, committee, start)  the modern.gov meeting a calendar event is
    to_agenda(meeting) -> ParsedAgenda        its items as meetstream AgendaItems, exempt fail-safe

Only this package knows modern.gov's XML; it hands back plain data (model.py) and domain
AgendaItems. Its simulator is meetstream/sandbox/moderngov.py.
"""

from meetstream.adapters.moderngov.client import (
    ModernGovClient,
    ModernGovError,
    ModernGovTimeout,
    ModernGovXmlError,
)
from meetstream.adapters.moderngov.items import to_agenda
from meetstream.adapters.moderngov.model import Committee, LinkedDocument, MeetingSummary, ModernGovItem, ModernGovMeeting
from meetstream.adapters.moderngov.read import find_meeting, read_meetings, resolve_committees

__all__ = [
    "Committee",
    "LinkedDocument",
    "MeetingSummary",
    "ModernGovClient",
    "ModernGovError",
    "ModernGovItem",
    "ModernGovMeeting",
    "ModernGovTimeout",
    "ModernGovXmlError",
    "find_meeting",
    "read_meetings",
    "resolve_committees",
    "to_agenda",
]
