"""The live session's rules, with a fake director that records what it was asked to show.

The real director against the real OBS is exercised in tests/e2e; here it is the policy: what
may go to air in which state, and that every action lands on the timeline.
"""

import pytest

from meetstream.domain import SessionState
from meetstream.errors import StateError
from meetstream.session import LiveSession


class FakeDirector:
    def __init__(self):
        self.shown = []

    def show(self, role, *, item=None):
        self.shown.append((role, item.number if item else None))

    def agenda(self, item):
        self.shown.append(("overlay", item.number))

    def speaker(self, member, *, item=None):
        self.shown.append(("speaker", member.name))

    def private(self):
        self.shown.append(("private", None))


@pytest.fixture
def session(store, sample_meeting):
    store.upsert_meeting(sample_meeting)
    return LiveSession(store, FakeDirector(), "chamber", sample_meeting)


def kinds(store, meeting_id="mtg-planning-1"):
    return [e.kind for e in store.timeline(meeting_id)]


def test_reaching_an_exempt_item_goes_private_without_being_asked(session, store):
    session.chamber()
    session.go_to_item("4")
    session.next_item()
    assert session.state is SessionState.PRIVATE
    assert session.director.shown[-1] == ("private", None)
    assert kinds(store) == ["chamber", "item", "private"]
    assert store.timeline("mtg-planning-1")[-1].detail["reason"] == "item 5 is exempt"


def test_nothing_public_can_be_shown_in_a_private_session(session):
    session.chamber()
    session.private()
    for action in (session.chamber, session.gallery, session.agenda_card, session.recess, session.holding,
                   lambda: session.speaker("Jane Smith")):
        with pytest.raises(StateError):
            action()
    assert session.director.shown[-1] == ("private", None)


def test_the_public_is_readmitted_only_once_off_the_exempt_item(session):
    session.chamber()
    session.go_to_item("5")
    with pytest.raises(StateError, match="item 5 is exempt"):
        session.public()
    session.next_item()
    assert session.director.shown[-1] == ("overlay", "6")  # text only: still private
    assert session.state is SessionState.PRIVATE
    session.public()
    assert session.state is SessionState.ON_AIR
    assert kinds(store=session.store)[-1] == "public"


def test_speaker_by_surname_and_unknown_member(session):
    session.chamber()
    session.speaker("Khan")
    assert session.speaker_name == "Cllr Amir Khan"
    with pytest.raises(StateError, match="no member 'Cllr Nobody'"):
        session.speaker("Cllr Nobody")


def test_an_unknown_agenda_item_is_refused_and_changes_nothing(session, store):
    session.chamber()
    with pytest.raises(StateError, match="no agenda item '99'"):
        session.go_to_item("99")
    assert kinds(store) == ["chamber"]


def test_recess_and_resume(session):
    session.chamber()
    session.recess()
    with pytest.raises(StateError):
        session.chamber()
    session.resume()
    assert session.state is SessionState.ON_AIR


def test_a_new_session_object_carries_on_from_the_store(session, store, sample_meeting):
    session.chamber()
    session.go_to_item("5")
    again = LiveSession(store, FakeDirector(), "chamber")
    assert again.meeting.id == sample_meeting.id
    assert again.state is SessionState.PRIVATE and again.item_number == "5"
    again.reassert()
    assert again.director.shown == [("private", None)]


def test_a_failed_director_action_records_nothing(session, store):
    class Broken(FakeDirector):
        def private(self):
            raise StateError("OBS said no")

    session.chamber()
    session.director = Broken()
    with pytest.raises(StateError):
        session.private()
    assert session.state is SessionState.ON_AIR
    assert store.session("chamber")["state"] is SessionState.ON_AIR
    assert kinds(store) == ["chamber"]
