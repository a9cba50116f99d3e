"""The council's modern.gov site as the meetings service is handed it: its committees, their
meetings, and each meeting's agenda read as meetstream's (exempt markings included)."""

from __future__ import annotations

from datetime import date, datetime

from meetstream.adapters.moderngov.client import ModernGovClient
from meetstream.adapters.moderngov.items import to_agenda
from meetstream.adapters.moderngov.model import Committee, ModernGovMeeting
from meetstream.adapters.moderngov.read import read_meetings, resolve_committees
from meetstream.core.agenda import ParsedAgenda


class ModernGovSite:
    def __init__(self, client: ModernGovClient):
        self.client = client

    @property
    def counters(self):
        return self.client.counters

    def committees(self, wanted: list[str | int]) -> list[Committee]:
        """By id (no request) or by title (one GetCommittees for all of them)."""
        return resolve_committees(self.client, wanted)

    def meetings(self, committee_ids: list[int], start: date | datetime, end: date | datetime) -> list[ModernGovMeeting]:
        """Every meeting of those committees from `start` to `end`, agendas included."""
        return read_meetings(self.client, committee_ids, start, end)

    @staticmethod
    def agenda(meeting: ModernGovMeeting) -> ParsedAgenda:
        return to_agenda(meeting)
