"""The live session's rules, with a fake director that records what it was asked to show.

The real director against the real OBS is exercised in tests/e2e; here it is the policy: what
may go to air in which state, and that every action lands on the timeline.
"""

import pytest

from meetstream.core.domain import SessionState
from meetstream.errors import NotVerified, ObsError, StateError
from meetstream.services.session import LiveSession


class FakeDirector:
    """The session's Director port over a pretend OBS: records every action, and `obs_role` is
    what the pretend OBS shows (a test changes it to play someone clicking in OBS)."""

    def __init__(self):
        self.shown = []
        self.obs_role = None
        self.enforced = 0

    def show(self, role, *, item=None):
        self.shown.append((role, item.number if item else None))
        self.obs_role = role

    def agenda(self, item, *, role):
        self.shown.append(("overlay", item.number))
        self.obs_role = role

    def speaker(self, member, *, item=None):
        self.shown.append(("speaker", member.name))
        self.obs_role = "speaker"

    def private(self, *, item=None):
        self.shown.append(("private", item.number if item else None))
        self.obs_role = "private"

    def verify(self, role):
        if self.obs_role != role:
            raise NotVerified(f"{role.upper()} NOT VERIFIED: program is {self.obs_role}")
        return Read()

    def enforce(self, role):
        self.enforced += 1
        if self.obs_role == role:
            return Read()
        was, self.obs_role = self.obs_role, role
        return Read(put_right=(f"program was {was}",))

    def program_scene(self):
        return self.obs_role


class Read:
    def __init__(self, put_right=()):
        self.put_right = put_right


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
    assert session.director.shown[-1] == ("private", "5")
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
    assert session.director.obs_role == "private"


def test_a_refused_action_still_puts_right_a_private_session_changed_in_obs(session, store):
    session.chamber()
    session.private()
    session.director.obs_role = "chamber"  # someone clicks Chamber in OBS
    with pytest.raises(StateError, match="private session"):
        session.speaker("Jane Smith")
    assert session.director.obs_role == "private"
    assert kinds(store)[-1] == "incident"
    assert "put right" in store.timeline("mtg-planning-1")[-1].detail["what"]


def test_moving_between_exempt_items_keeps_private_whatever_obs_shows(session, store, sample_meeting):
    from dataclasses import replace

    from meetstream.core.domain import AgendaItem

    two_exempt = replace(sample_meeting, agenda=sample_meeting.agenda[:5] + (AgendaItem("6", "Land disposal", exempt=True),))
    store.upsert_meeting(two_exempt)
    session.meeting = two_exempt
    session.chamber()
    session.go_to_item("5")
    session.director.obs_role = "chamber"  # a hand click in OBS
    session.next_item()
    assert session.director.shown[-1] == ("private", "6")
    assert session.director.obs_role == "private"
    assert session.state is SessionState.PRIVATE

def test_the_public_is_readmitted_only_once_off_the_exempt_item(session):
    session.chamber()
    session.go_to_item("5")
    with pytest.raises(StateError, match="item 5 is exempt"):
        session.public()
    session.next_item()
    assert session.director.shown[-1] == ("private", "6")  # the item changes under the private slate
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
    assert again.director.shown == [("private", "5")]


def test_a_failed_public_action_records_nothing(session, store):
    class Broken(FakeDirector):
        def show(self, role, *, item=None):
            raise ObsError("OBS said no")

    session.chamber()
    session.director = Broken()
    with pytest.raises(ObsError):
        session.gallery()
    assert session.state is SessionState.ON_AIR
    assert store.session("chamber")["state"] is SessionState.ON_AIR
    assert kinds(store) == ["chamber"]


def test_a_failed_private_action_is_recorded_private_with_an_incident_and_raises(session, store):
    class Broken(FakeDirector):
        def private(self, *, item=None):
            raise NotVerified("PRIVATE NOT VERIFIED: Mic/Aux not muted")

    session.chamber()
    session.director = Broken()
    with pytest.raises(NotVerified):
        session.private()
    assert store.session("chamber")["state"] is SessionState.PRIVATE  # the watchdog keeps enforcing it
    last = store.timeline("mtg-planning-1")[-1]
    assert last.kind == "incident" and "Mic/Aux not muted" in last.detail["problem"]
    assert session.director.obs_role == "private"  # put back before the failure was reported


def test_a_failed_readmission_stays_private(session, store):
    class Broken(FakeDirector):
        def show(self, role, *, item=None):
            self.obs_role = role  # half done: the scene switched, then OBS failed
            raise ObsError("OBS stopped answering")

    session.chamber()
    session.go_to_item("6")
    session.private()
    session.director = Broken()
    session.director.obs_role = "private"
    with pytest.raises(ObsError):
        session.public()
    assert store.session("chamber")["state"] is SessionState.PRIVATE
    assert session.director.obs_role == "private"
