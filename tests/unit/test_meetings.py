"""Naming a meeting on the command line: an id, a short ref, a day and committee words, or "next"."""

from dataclasses import replace
from datetime import timedelta

import pytest

from meetstream.config import Settings
from meetstream.errors import StateError
from meetstream.services.meetings import next_meeting, resolve, short_ref
from meetstream.core.timefmt import local

SETTINGS = Settings.model_validate({"rooms": {"chamber": {"name": "Council Chamber", "scene_set": "s.yaml"},
                                              "committee1": {"name": "Committee Room 1", "scene_set": "s.yaml"}}})


@pytest.fixture
def meetings(store, sample_meeting):
    later = replace(sample_meeting, id="mtg-licensing-1", committee="Licensing Committee",
                    start=sample_meeting.start + timedelta(days=1), end=sample_meeting.end + timedelta(days=1))
    elsewhere = replace(sample_meeting, id="mtg-cabinet-1", committee="Cabinet", room="committee1")
    for m in (later, sample_meeting, elsewhere):
        store.upsert_meeting(m)
    return sample_meeting, later


def test_next_is_the_first_meeting_still_to_end_in_that_room(store, meetings):
    first, _ = meetings
    assert next_meeting(store, "chamber").id == first.id
    assert resolve(store, SETTINGS, "chamber", "next") == first.id
    assert resolve(store, SETTINGS, "committee1", "next") == "mtg-cabinet-1"


def test_a_ref_a_day_with_committee_words_or_nothing(store, meetings):
    first, later = meetings
    assert resolve(store, SETTINGS, "chamber", short_ref(later.id)) == later.id
    day = local(later.start, "Europe/London").date().isoformat()
    assert resolve(store, SETTINGS, "chamber", f"{day} licensing") == later.id
    assert resolve(store, SETTINGS, "chamber", None) is None


def test_no_next_meeting_is_one_clear_error(store):
    with pytest.raises(StateError, match="no upcoming webcast meeting in room 'chamber'"):
        resolve(store, SETTINGS, "chamber", "next")
