"""The meeting decides privacy by resolution (Local Government Act 1972 s100A(4)): an item the
agenda marks exempt is armed, and only a resolution of the meeting keeps it public; a resolution
to exclude the public takes items private that the agenda left public. The session is driven
with a fake director (tests/unit/test_session.py); the real OBS is in tests/e2e/test_resolutions_obs.py."""

import json

import pytest

from meetstream.core import resolutions
from meetstream.core.domain import AgendaItem, SessionState
from meetstream.core.resolutions import EXCLUDE, PUBLIC, Resolution
from meetstream.errors import BadInput, NotFound, Refusal
from meetstream.services.session import LiveSession

from fakes import FakeDirector

# The statutory form, as councils minute it (the issue quotes it; e.g. Chesterfield, Derbyshire
# and West Yorkshire CA minutes use this wording).
STATUTORY = ("RESOLVED – That under Section 100A(4) of the Local Government Act 1972 the public be excluded from the "
             "meeting for the following item(s) of business on the grounds that it/they involve the likely disclosure "
             "of exempt information as defined in paragraph(s) 3 of Part 1 of Schedule 12A of the Act.")


@pytest.fixture
def session(store, sample_meeting, tmp_path, monkeypatch):
    from helpers import chamber_config

    chamber_config(tmp_path, monkeypatch)
    store.upsert_meeting(sample_meeting)
    return LiveSession(store, FakeDirector(), "chamber", sample_meeting)


def entries(store, kind):
    return [e for e in store.timeline("mtg-planning-1") if e.kind == kind]


def test_the_minute_of_an_exclusion_is_the_statutory_text():
    assert Resolution(EXCLUDE, ("5", "6"), ("3",)).minute() == STATUTORY
    assert "paragraph(s) 1 and 3 of Part 1" in Resolution(EXCLUDE, ("5",), ("1", "3")).minute()


def test_items_are_read_as_an_officer_types_them(sample_meeting):
    m = sample_meeting
    assert resolutions.items_of(m, "5", None) == ("5",)
    assert resolutions.items_of(m, "4-6", None) == ("4", "5", "6")
    assert resolutions.items_of(m, "4 – 5", None) == ("4", "5")
    assert resolutions.items_of(m, "4 to 6", None) == ("4", "5", "6")
    assert resolutions.items_of(m, "6, 4 and 5", None) == ("4", "5", "6")
    assert resolutions.items_of(m, "", m.agenda[4]) == ("5",)
    with pytest.raises(NotFound):
        resolutions.items_of(m, "9", None)
    with pytest.raises(BadInput, match="backwards"):
        resolutions.items_of(m, "6-4", None)


def test_paragraphs_are_one_to_seven_and_default_to_what_the_agenda_cites():
    cited = [AgendaItem("5", "Land", exempt=True, paragraphs=("3",))]
    assert resolutions.paragraphs_of("", cited) == ("3",)
    assert resolutions.paragraphs_of("3 and 1", cited) == ("1", "3")
    for bad in ("8", "0", "three", "3;9", "²"):
        with pytest.raises(BadInput):
            resolutions.paragraphs_of(bad, cited)
    with pytest.raises(BadInput, match="paragraph of Schedule 12A"):
        resolutions.paragraphs_of("", [AgendaItem("5", "Land", exempt=True)])


def test_an_armed_item_without_a_resolution_goes_private_and_readmitting_is_refused(session, store):
    session.go_to_item("4")
    session.chamber()
    session.next_item()
    assert session.state is SessionState.PRIVATE and session.director.role == "private"
    with pytest.raises(Refusal, match="resolution to stay public"):
        session.public()
    assert session.state is SessionState.PRIVATE


def test_staying_public_readmits_at_the_item_and_shows_its_title(session, store):
    session.go_to_item("5")
    assert session.state is SessionState.PRIVATE
    done = session.act("stay-public", {"items": "5", "reason": "no_reference"})
    assert session.state is SessionState.ON_AIR and session.director.shown[-1] == ("chamber", "5")
    assert session.item.public_title() == "5. Staffing restructure (Part 2)"
    assert done.resolution.reason == resolutions.REASONS["no_reference"]
    [r] = entries(store, "resolution")
    assert r.detail["resolution"] == PUBLIC and r.detail["items"] == ["5"]
    # Recorded before the picture changed: the resolution, then the public entry.
    assert [e.kind for e in store.timeline("mtg-planning-1")][-2:] == ["resolution", "public"]
    session.speaker("Khan")  # a public item now: speakers may be shown
    assert session.state is SessionState.ON_AIR


def test_staying_public_in_advance_keeps_the_item_public_when_reached(session, store):
    session.go_to_item("4")
    session.chamber()
    session.act("stay-public", {"items": "5", "reason": "Part 2 not required"})
    assert session.state is SessionState.ON_AIR
    session.next_item()
    assert session.state is SessionState.ON_AIR and session.director.shown[-1] == ("chamber", "5")
    # A new process reads the same decision from the store.
    again = LiveSession(store, FakeDirector(), "chamber")
    assert again.item.number == "5" and not again.item.exempt


def test_a_withheld_title_is_shown_by_its_number_only(store, sample_meeting):
    from dataclasses import replace

    agenda = sample_meeting.agenda[:4] + (AgendaItem("5", "Exempt report", exempt=True, withheld=True),) + sample_meeting.agenda[5:]
    m = replace(sample_meeting, agenda=agenda)
    store.upsert_meeting(m)
    s = LiveSession(store, FakeDirector(), "chamber", m)
    s.go_to_item("5")
    s.act("stay-public", {"items": "5", "reason": "lost"})
    assert s.item.public_title() == "5."


def test_staying_public_for_an_item_not_armed_is_refused(session, store):
    session.go_to_item("4")
    with pytest.raises(Refusal, match="not marked exempt"):
        session.act("stay-public", {"items": "4", "reason": "lost"})
    assert entries(store, "resolution") == []


def test_staying_public_needs_a_reason(session, store):
    with pytest.raises(BadInput, match="say why"):
        session.act("stay-public", {"items": "5", "reason": ""})
    assert entries(store, "resolution") == []


def test_excluding_the_public_goes_private_at_the_first_item(session, store):
    session.go_to_item("2")
    session.chamber()
    session.act("exclude", {"items": "3-4", "paragraph": "1"})
    assert session.state is SessionState.ON_AIR  # not yet: the current item is public
    session.next_item()
    assert session.state is SessionState.PRIVATE and session.director.shown[-1] == ("private", "3")
    # Its title is hidden now, like any exempt item's.
    assert session.item.public_title() == "3. Exempt item (public excluded)"
    [r] = entries(store, "resolution")
    assert r.detail["minute"] == STATUTORY.replace("paragraph(s) 3", "paragraph(s) 1")


def test_excluding_the_public_for_the_current_item_goes_private_at_once(session, store):
    session.go_to_item("4")
    session.chamber()
    done = session.act("exclude", {"items": "4", "paragraph": "3"})
    assert session.state is SessionState.PRIVATE and session.director.role == "private"
    assert done.resolution.items == ("4",)
    with pytest.raises(Refusal):
        session.public()


def test_a_later_resolution_wins(session, store):
    session.go_to_item("4")
    session.act("exclude", {"items": "5", "paragraph": "3"})
    session.act("stay-public", {"items": "5", "reason": "lost"})
    session.chamber()
    session.next_item()
    assert session.state is SessionState.ON_AIR


def test_a_vote_on_the_exclusion_carries_the_decision(session, store):
    session.go_to_item("5")  # armed: private
    session.act("stay-public", {"items": "5", "reason": "not_required"})
    session.go_to_item("4")
    session.chamber()
    # Carried: the public is excluded for item 4 (the current item): private at once.
    done = session.act("vote", {"motion": "Exclusion of the press and public", "for": "7", "against": "2",
                                "abstain": "0", "result": "carried", "exclusion": "4", "paragraph": "3"})
    assert session.state is SessionState.PRIVATE
    assert done.resolved is not None and done.resolved.resolution.vote_id == done.vote.id
    # Lost: the meeting stays public for item 6 (not armed: recorded, nothing changes).
    session.go_to_item("6")
    done = session.act("vote", {"motion": "Exclusion of the press and public", "for": "2", "against": "7",
                                "abstain": "0", "result": "lost", "exclusion": "6"})
    kinds = [e.detail["resolution"] for e in entries(store, "resolution")]
    assert kinds == [PUBLIC, EXCLUDE, PUBLIC]
    assert entries(store, "resolution")[-1].detail["reason"] == resolutions.REASONS["lost"]


def test_a_lost_exclusion_vote_on_an_armed_item_readmits_the_public(session, store):
    session.go_to_item("5")
    assert session.state is SessionState.PRIVATE
    session.act("vote", {"motion": "That the public be excluded", "for": "2", "against": "7", "abstain": "0",
                         "result": "lost", "exclusion": "5"})
    assert session.state is SessionState.ON_AIR and session.director.role == "chamber"


def test_a_bad_exclusion_on_a_vote_stores_nothing(session, store):
    session.go_to_item("4")
    with pytest.raises(BadInput):
        session.act("vote", {"motion": "m", "for": "7", "against": "2", "abstain": "0", "result": "carried",
                             "exclusion": "4", "paragraph": "9"})
    assert store.votes("mtg-planning-1") == [] and entries(store, "resolution") == []


def test_resolutions_are_in_the_votes_json_and_csv(cli, session, store, tmp_path):
    session.go_to_item("5")
    session.act("stay-public", {"items": "5", "reason": "no_reference"})
    session.act("exclude", {"items": "6", "paragraph": "3"})
    out = cli("votes", "mtg-planning-1", "--json")
    assert out.code == 0, out
    got = json.loads(out.out)["resolutions"]
    assert [r["resolution"] for r in got] == [PUBLIC, EXCLUDE]
    assert got[1]["minute"] == STATUTORY and got[1]["items"] == ["6"]
    csv_out = cli("votes", "mtg-planning-1", "--csv")
    assert csv_out.code == 0 and STATUTORY in csv_out.out


def test_chapters_name_items_as_the_meeting_decided_them(session, store, sample_meeting):
    from datetime import timedelta

    from meetstream.core.chapters import labels

    session.go_to_item("3")
    session.act("exclude", {"items": "4", "paragraph": "3"})
    session.next_item()  # 4: private by resolution
    session.next_item()  # 5: armed, private
    session.act("stay-public", {"items": "5", "reason": "not_required"})
    timeline = store.timeline("mtg-planning-1")
    shown = [label for _, label in labels(sample_meeting, timeline, timeline[0].at - timedelta(seconds=1))]
    assert not any("CHE/22/00123" in label for label in shown)  # item 4's title, excluded by resolution
    assert "5. Staffing restructure (Part 2)" in shown  # item 5, resolved to stay public


def test_companions_next_key_is_red_while_the_next_item_is_armed(store, sample_meeting):
    import http.client

    from meetstream.entrypoints.http.server import start_server
    from meetstream.services.control import RoomControl

    token = "a-long-enough-test-token-0123456789"
    store.upsert_meeting(sample_meeting)
    control = RoomControl(LiveSession(store, FakeDirector(), "chamber", sample_meeting), None, tick_every=3600)
    server = start_server(control, host="127.0.0.1", port=0, token=token)

    def key():
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/api/button/next", headers={"Authorization": f"Bearer {token}"})
        got = json.loads(conn.getresponse().read())
        conn.close()
        return got

    try:
        control.act("item", {"number": "4"})
        armed = key()
        assert armed["text"] == "NEXT 5\nARMED" and armed["bg"] == "#b00020" and armed["active"]
        assert "goes private unless the meeting resolves to stay public" in armed["standing"]
        control.act("stay-public", {"items": "5", "reason": "not_required"})
        assert key()["text"] == "NEXT 5" and not key()["active"]
    finally:
        server.stop()
        control.stop()
