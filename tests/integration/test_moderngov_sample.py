"""The modern.gov simulator's sample council is the Graph simulator's: the same committees and
meetings, so a rehearsal can join a calendar event to its modern.gov meeting by committee name and
start time, and the two agree on which items are private."""

from __future__ import annotations

from datetime import date

import pytest

from meetstream.core.agenda import parse_agenda
from meetstream.adapters.moderngov import ModernGovClient, find_meeting, read_meetings, to_agenda
from meetstream.adapters.moderngov.items import MARKED
from meetstream.sandbox.graph import GraphSimulator
from meetstream.sandbox.moderngov import ModernGovSimulator
from meetstream.adapters.teams.events import graph_time, subject_of

TODAY = date(2026, 10, 1)  # a Thursday; the sample's dates are relative to it


@pytest.fixture
def sims():
    mg = ModernGovSimulator.from_sample_council(today=TODAY).start()
    graph = GraphSimulator.from_file(today=TODAY)
    yield mg, graph
    mg.stop()


def webcast_events(graph):
    return [e for e in graph.events() if "Webcast" in e["categories"] and not e["isAllDay"]]


def test_every_webcast_event_has_its_modern_gov_meeting(sims):
    mg, graph = sims
    client = ModernGovClient(mg.url, min_interval=0)
    events = webcast_events(graph)
    committees = sorted({subject_of(e) for e in events})
    meetings = read_meetings(client, committees, TODAY, date(2027, 9, 30))
    assert len(committees) == 6
    for e in events:
        start = graph_time(e["start"], [], "start")
        found = find_meeting(meetings, subject_of(e), start)
        assert found is not None, subject_of(e)
        assert found.start == start and found.location == e["location"]["displayName"]


def test_the_two_sources_agree_on_the_private_part_of_full_council(sims):
    mg, graph = sims
    client = ModernGovClient(mg.url, min_interval=0)
    [event] = [e for e in graph.events() if subject_of(e) == "Full Council"]
    start = graph_time(event["start"], [], "start")
    meeting = find_meeting(read_meetings(client, ["Full Council"], TODAY, date(2026, 12, 31)), "Full Council", start)
    from_mg = to_agenda(meeting)
    from_graph = parse_agenda(event["body"]["content"])
    assert [(i.number, i.exempt) for i in from_mg.items] == [(i.number, i.exempt) for i in from_graph.items]
    seven = {i.number: i for i in from_mg.items}["7"]
    assert seven.reason == f"{MARKED} (Paragraph 3)" and "exempt" not in seven.title.lower()


def test_a_committee_without_an_agenda_yet(sims):
    mg, _ = sims
    client = ModernGovClient(mg.url, min_interval=0)
    [standards] = read_meetings(client, ["Standards Committee"], TODAY, date(2026, 12, 31))
    assert standards.agenda_published is False and to_agenda(standards).items == ()
