"""The modern.gov parser on real saved responses (tests/fixtures/moderngov, sources in its README),
the hardened XML reader, and modern.gov items -> AgendaItems (exempt when either side says so)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from helpers import REPO

from meetstream.adapters.moderngov import ModernGovItem, ModernGovMeeting, find_meeting, to_agenda
from meetstream.adapters.moderngov.items import MARKED, PAPERS
from meetstream.adapters.moderngov.model import LinkedDocument
from meetstream.adapters.moderngov.parse import ShapeError, parse_clock, parse_committees, parse_meeting, parse_meetings, uk_start
from meetstream.adapters.moderngov.xmlsafe import XmlRefused, parse_xml

FIXTURES = REPO / "tests" / "fixtures" / "moderngov"


def load(name: str):
    return parse_xml((FIXTURES / name).read_bytes())


# --- real responses ----------------------------------------------------------------------------


def test_committees_from_a_real_response():
    committees = parse_committees(load("lgsf_committees.xml"))
    assert [(c.id, c.title, c.expired) for c in committees] == [
        (312, "Appointment Sub Committee for Director of Adult Social Services", True),
        (163, "Art Galleries Committee", False),
        (144, "Audit Committee", False),
    ]
    assert committees[-1].category == "Governance and Decision Making Committees"


def test_meetings_list_from_a_real_response():
    listed = parse_meetings(load("lgsf_meetings.xml"))
    assert [m.id for m in listed] == [4966, 4967]
    cancelled, confirmed = listed
    assert cancelled.cancelled and cancelled.status == "Cancelled"
    assert not confirmed.cancelled and confirmed.status == "Confirmed"
    assert {m.committee_id for m in listed} == {144}
    assert confirmed.committee_title == "Audit Committee"
    # "10.00 am" on 10/02/2026, UK time: GMT in February, so 10:00 UTC.
    assert confirmed.start == datetime(2026, 2, 10, 10, 0, tzinfo=timezone.utc)
    assert confirmed.time_known and confirmed.webcast is False


def test_a_meeting_with_its_agenda_from_a_real_response():
    m = parse_meeting(load("lgsf_meeting_with_minutes.xml"))
    assert m.id == 4967
    assert m.location == "Council Antechamber, Level 2, Town Hall Extension"
    assert m.agenda_published is True and not m.cancelled
    assert m.committee_title is None  # GetMeeting names no committee: the caller supplies it
    # The printed numbers (fulldisplaynumberformat "1.", "9."), not modern.gov's order (4, 12).
    assert [(i.number, i.order, i.title) for i in m.items] == [("1", 4, "Minutes"), ("9", 12, "Work Programme")]
    minutes = m.items[0]
    assert minutes.id == "18831" and not minutes.restricted
    assert "To approve as a correct record" in minutes.text and minutes.text.lstrip().startswith("<div")
    [doc] = minutes.documents
    assert doc.id == "60860" and not doc.restricted and doc.restriction is None
    assert doc.url == "https://democracy.manchester.gov.uk/mgConvert2PDF.aspx?ID=60860"


def test_a_cancelled_meeting_from_a_real_response():
    m = parse_meeting(load("lgsf_meeting_no_minutes.xml"))
    assert m.cancelled and m.items == () and m.agenda_published is False


def test_real_agenda_becomes_public_agenda_items():
    parsed = to_agenda(parse_meeting(load("lgsf_meeting_with_minutes.xml")))
    assert [(i.number, i.title, i.exempt) for i in parsed.items] == [("1", "Minutes", False), ("9", "Work Programme", False)]
    assert parsed.warnings == ()


def test_the_wrong_shape_is_named():
    with pytest.raises(ShapeError, match="expected <getmeetings>"):
        parse_meetings(load("lgsf_committees.xml"))


# --- times ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, want", [
    ("10.00 am", time(10, 0)), ("6.30 pm", time(18, 30)), ("12.00 pm", time(12, 0)), ("12.15 am", time(0, 15)),
    ("13:30", time(13, 30)), ("10am", time(10, 0)), ("7 p.m.", time(19, 0)), ("", None),
])
def test_modern_gov_clock_times(text, want):
    assert parse_clock(text) == want


def test_a_clock_time_that_is_not_one_is_refused():
    with pytest.raises(ShapeError, match="not a clock time"):
        parse_clock("after the Cabinet")


def test_uk_local_times_become_utc_across_the_clock_change():
    assert uk_start(date(2026, 7, 1), time(18, 30))[0] == datetime(2026, 7, 1, 17, 30, tzinfo=timezone.utc)
    assert uk_start(date(2026, 12, 1), time(18, 30))[0] == datetime(2026, 12, 1, 18, 30, tzinfo=timezone.utc)
    start, known = uk_start(date(2026, 7, 1), None)
    assert not known and start == datetime(2026, 6, 30, 23, 0, tzinfo=timezone.utc)


# --- hardened XML ----------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<committees><committee><committeetitle>&lol9;</committeetitle></committee></committees>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE committees [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<committees><committee><committeeid>1</committeeid><committeetitle>&xxe;</committeetitle></committee></committees>"""


def test_entity_expansion_is_refused():
    with pytest.raises(XmlRefused, match="DOCTYPE"):
        parse_xml(BILLION_LAUGHS)


def test_an_external_entity_is_refused():
    with pytest.raises(XmlRefused, match="DOCTYPE"):
        parse_xml(XXE)


def test_a_doctype_hidden_in_another_encoding_is_refused():
    with pytest.raises(XmlRefused, match="DOCTYPE"):
        parse_xml(XXE.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="utf-16"?>').decode().encode("utf-16"))


def test_malformed_xml_says_where():
    with pytest.raises(XmlRefused, match=r"line 1, column \d+: mismatched tag"):
        parse_xml(b"<meeting><meetingid>1</meet>")
    with pytest.raises(XmlRefused):
        parse_xml(b"")


def test_tags_are_read_whatever_their_case_or_prefix():
    root = parse_xml(b'<m:Meeting xmlns:m="urn:x"><MeetingId>7</MeetingId><restrictionsRef>P3</restrictionsRef></m:Meeting>')
    assert root.tag == "meeting" and root.findtext("meetingid") == "7" and root.findtext("restrictionsref") == "P3"


# --- items -> AgendaItems ------------------------------------------------------------------------

START = datetime(2026, 11, 5, 18, 30, tzinfo=timezone.utc)


def meeting(*items: ModernGovItem, **kw) -> ModernGovMeeting:
    return ModernGovMeeting(id=1, committee_id=10, committee_title="Cabinet", start=START, time_known=True,
                            status="Confirmed", cancelled=False, moved=False, items=items, **kw)


def item(number: str, title: str, order: int = 0, **kw) -> ModernGovItem:
    return ModernGovItem(id=f"i{number or title}", number=number, order=order, title=title, **kw)


def test_an_item_marked_only_by_modern_gov_is_exempt_and_the_next_is_not():
    parsed = to_agenda(meeting(item("1", "Apologies"), item("2", "Northgate depot lease", restricted=True),
                               item("3", "Any other business")))
    assert [(i.number, i.exempt, i.reason) for i in parsed.items] == [
        ("1", False, None), ("2", True, MARKED), ("3", False, None)]
    assert "Northgate" not in (parsed.items[1].public_title())


def test_modern_gov_reason_is_kept_short_and_title_free():
    paper = LinkedDocument("9", "Exempt report", "https://x/9", True, "Paragraph 3")
    parsed = to_agenda(meeting(item("4", "Depot lease", restricted=True, restriction="Paragraph 3", documents=(paper,))))
    assert parsed.items[0].reason == f"{MARKED} (Paragraph 3)"
    long = "Information relating to the financial or business affairs of any particular person (including the authority)"
    parsed = to_agenda(meeting(item("4", "Depot lease", restricted=True, restriction=long)))
    assert parsed.items[0].reason == MARKED


def test_a_restricted_paper_makes_its_item_a_public_item_with_an_exempt_appendix():
    # The report is public, its appendix is not (issue 22: armed only if the meeting resolves to
    # discuss the appendix in private).
    paper = LinkedDocument("9", "Appendix B", "https://x/9", True)
    parsed = to_agenda(meeting(item("5", "Budget 2027/28", documents=(paper,))))
    assert not parsed.items[0].exempt and parsed.items[0].appendix and parsed.items[0].reason == PAPERS


def test_the_text_rules_still_apply_when_modern_gov_marks_nothing():
    parsed = to_agenda(meeting(
        item("1", "Apologies", order=1),
        item("2", "Exclusion of the press and public", order=2),
        item("3", "Land at Mill Lane", order=3),
        item("4", "Staffing restructure (exempt: paragraph 1 of Schedule 12A)", order=4),
    ))
    by = {i.number: i for i in parsed.items}
    assert not by["1"].exempt and not by["2"].exempt
    assert by["3"].exempt and by["3"].reason == "after the exclusion motion, item 2"
    assert by["4"].exempt


def test_an_item_text_citing_schedule_12a_is_exempt():
    text = "<p>This report is exempt by virtue of paragraph 3 of Part 1 of Schedule 12A.</p>"
    parsed = to_agenda(meeting(item("6", "Commercial property review", text=text)))
    assert parsed.items[0].exempt and "12A" in parsed.items[0].reason


def test_unnumbered_headings_open_and_close_the_private_part():
    parsed = to_agenda(meeting(
        item("1", "Minutes", order=1),
        item("", "PART B - items likely to be considered in private", order=2),
        item("2", "Contract award", order=3),
        item("", "Part A", order=4),
        item("3", "Date of next meeting", order=5),
    ))
    assert [(i.number, i.exempt) for i in parsed.items] == [("1", False), ("2", True), ("3", False)]


def test_a_withdrawn_item_is_left_out_and_named():
    parsed = to_agenda(meeting(item("1", "Apologies"), item("2", "WITHDRAWN - Parking charges review", withdrawn=True),
                               item("3", "Work programme")))
    assert [i.number for i in parsed.items] == ["1", "3"]
    assert parsed.warnings == ("item 2 is withdrawn; it is left out",)


def test_items_follow_modern_gov_order():
    parsed = to_agenda(meeting(item("2", "Second", order=20), item("1", "First", order=10)))
    assert [i.number for i in parsed.items] == ["1", "2"]


# --- joining a calendar event ----------------------------------------------------------------------


def test_find_meeting_by_committee_and_start():
    a = meeting().__class__(id=1, committee_id=10, committee_title="Planning Committee", start=START, time_known=True,
                            status="Confirmed", cancelled=False, moved=False)
    b = a.__class__(**{**a.__dict__, "id": 2, "start": START + timedelta(days=28)})
    c = a.__class__(**{**a.__dict__, "id": 3, "cancelled": True, "status": "Cancelled"})
    assert find_meeting([a, b, c], "planning  committee", START + timedelta(minutes=30)).id == 1
    assert find_meeting([b, c], "Planning Committee", START).id == 3  # only the cancelled one fits
    assert find_meeting([a], "Planning Committee", START + timedelta(hours=3)) is None
    assert find_meeting([a], "Licensing Committee", START) is None
    untimed = a.__class__(**{**a.__dict__, "id": 4, "time_known": False,
                             "start": datetime(2026, 11, 5, 0, 0, tzinfo=timezone.utc)})
    assert find_meeting([untimed], "Planning Committee", START).id == 4


def test_xml_declaring_an_encoding_nobody_knows_is_refused_in_one_line():
    with pytest.raises(XmlRefused, match="declares an encoding that cannot be read"):
        parse_xml(b'<?xml version="1.0" encoding="x-no-such-encoding"?><getmeetings/>')
