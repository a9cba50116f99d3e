"""A Graph event (as Graph sends it) becomes a Meeting, whatever odd shape it comes in."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from meetstream.core.agenda.overrides import AgendaOverride
from meetstream.config import Settings
from meetstream.core.domain import AgendaItem, Member
from meetstream.core.roster import Roster, RosterEntry
from meetstream.adapters.teams.events import EventContext, EventError, event_to_meeting, is_webcast

SETTINGS = Settings.model_validate({
    "rooms": {"chamber": {"name": "Council Chamber", "locations": ["Town Hall - Council Chamber"], "scene_set": "s.yaml"}},
    "calendar": {"committees": ["Planning Committee"], "categories": ["Webcast"]},
})
ROSTER = Roster((RosterEntry(Member("Jane Smith", "jane@x.gov.uk", "Cllr", "Member", "Brimington North"),
                             {"Planning Committee": "Chair"}),))
CTX = EventContext.from_settings(SETTINGS, ROSTER)


def event(**over) -> dict:
    ev = {
        "id": "AAMkAGevent1=",
        "iCalUId": "040000008200E00074C5B7101A82E008",
        "subject": "Planning Committee",
        "start": {"dateTime": "2026-07-02T18:30:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-07-02T21:00:00.0000000", "timeZone": "UTC"},
        "isAllDay": False,
        "isCancelled": False,
        "location": {"displayName": "Town Hall - Council Chamber"},
        "categories": [],
        "onlineMeeting": {"joinUrl": "https://teams.microsoft.com/l/meetup-join/abc"},
        "attendees": [
            {"type": "required", "emailAddress": {"name": "Cllr Jane Smith", "address": "jane@x.gov.uk"}},
            {"type": "resource", "emailAddress": {"name": "Council Chamber", "address": "chamber@x.gov.uk"}},
            {"type": "optional", "emailAddress": {"name": "Cllr Bob Jones", "address": "bob@x.gov.uk"}},
        ],
        "body": {"contentType": "html", "content": "<ol><li>Apologies</li><li>Minutes</li></ol>"},
    }
    ev.update(over)
    return ev


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_a_plain_event_becomes_a_meeting_in_its_room_with_its_link_and_agenda():
    m = event_to_meeting(event(), CTX)
    assert (m.committee, m.room, m.start, m.end) == ("Planning Committee", "chamber", utc(2026, 7, 2, 18, 30), utc(2026, 7, 2, 21))
    assert m.join_url == "https://teams.microsoft.com/l/meetup-join/abc"
    assert [i.title for i in m.agenda] == ["Apologies", "Minutes"]
    assert m.warnings == ()


def test_a_windows_zone_name_is_read_as_the_zone_it_names():
    m = event_to_meeting(event(start={"dateTime": "2026-07-02T18:30:00.0000000", "timeZone": "GMT Standard Time"},
                               end={"dateTime": "2026-07-02T21:00:00.0000000", "timeZone": "GMT Standard Time"}), CTX)
    assert m.start == utc(2026, 7, 2, 17, 30)  # British Summer Time
    assert m.warnings == ()


def test_an_unknown_zone_is_read_as_utc_with_a_warning():
    m = event_to_meeting(event(start={"dateTime": "2026-07-02T18:30:00.0000000", "timeZone": "Mars Standard Time"}), CTX)
    assert m.start == utc(2026, 7, 2, 18, 30)
    assert any("unknown time zone 'Mars Standard Time'" in w for w in m.warnings)


def test_an_all_day_event_runs_midnight_to_midnight_in_the_council_zone_with_a_warning():
    m = event_to_meeting(event(isAllDay=True, start={"dateTime": "2026-07-02T00:00:00.0000000", "timeZone": "UTC"},
                               end={"dateTime": "2026-07-03T00:00:00.0000000", "timeZone": "UTC"}), CTX)
    assert (m.start, m.end) == (utc(2026, 7, 1, 23), utc(2026, 7, 2, 23))
    assert any("all-day" in w for w in m.warnings)


def test_an_unknown_room_and_a_missing_location_are_warnings_not_errors():
    unknown = event_to_meeting(event(location={"displayName": "The Old Library"}), CTX)
    assert unknown.room is None and unknown.location == "The Old Library"
    assert any("'The Old Library' is not a configured room" in w for w in unknown.warnings)
    nowhere = event_to_meeting(event(location=None), CTX)
    assert nowhere.room is None and any("no location" in w for w in nowhere.warnings)


def test_an_event_with_no_body_has_no_agenda_and_a_warning():
    m = event_to_meeting(event(body=None), CTX)
    assert m.agenda == () and any("no body" in w for w in m.warnings)


def test_attendees_become_members_enriched_from_the_roster_and_rooms_are_left_out():
    m = event_to_meeting(event(), CTX)
    assert [x.lower_third() for x in m.members] == ["Cllr Jane Smith, Chair, Brimington North", "Cllr Bob Jones"]


def test_a_cancelled_event_loses_the_canceled_prefix_and_is_marked_cancelled():
    m = event_to_meeting(event(subject="Canceled: Planning Committee", isCancelled=True), CTX)
    assert (m.committee, m.cancelled) == ("Planning Committee", True)


def test_a_committee_in_the_list_is_named_even_inside_a_longer_subject():
    m = event_to_meeting(event(subject="Planning Committee - reconvened", categories=[]), CTX)
    assert m.committee == "Planning Committee" and m.title == "Planning Committee - reconvened"
    assert is_webcast(event(subject="Planning Committee - reconvened"), CTX)


def test_only_a_webcast_category_or_a_listed_committee_makes_an_event_a_webcast():
    assert is_webcast(event(subject="Licensing", categories=["Webcast"]), CTX)
    assert not is_webcast(event(subject="Group leaders", categories=["Internal"]), CTX)


def test_an_event_without_a_start_cannot_be_a_meeting():
    with pytest.raises(EventError, match="no start"):
        event_to_meeting(event(start=None), CTX)


def test_an_agenda_yaml_override_wins_over_the_body():
    override = AgendaOverride("agendas/p.yaml:1", (AgendaItem("1", "From the file"), AgendaItem("2", "Secret", True)),
                              meeting="AAMkAGevent1=")
    ctx = EventContext.from_settings(SETTINGS, ROSTER, [override])
    m = event_to_meeting(event(), ctx)
    assert m.agenda == override.items


def test_graph_seven_digit_fractions_and_offsets_are_read():
    m = event_to_meeting(event(start={"dateTime": "2026-07-02T18:30:00.1234567", "timeZone": "UTC"}), CTX)
    assert m.start == datetime(2026, 7, 2, 18, 30, 0, 123456, tzinfo=timezone.utc)
