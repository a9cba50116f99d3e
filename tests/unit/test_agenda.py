"""Agenda items from event bodies, agenda YAML overrides, and the roster."""

from __future__ import annotations

from datetime import date

import pytest

from meetstream.agenda import load_overrides, parse_agenda
from meetstream.domain import AgendaItem
from meetstream.errors import ConfigError
from meetstream.roster import load_roster


def numbers_and_exempt(parsed):
    return [(i.number, i.exempt) for i in parsed.items]


def test_an_html_ordered_list_becomes_numbered_items():
    body = "<html><body><p>Agenda</p><ol><li>Apologies for absence</li><li>Declarations of interest</li>" \
           "<li>Minutes &amp; matters arising</li></ol></body></html>"
    parsed = parse_agenda(body, "html")
    assert parsed.items == (
        AgendaItem("1", "Apologies for absence"),
        AgendaItem("2", "Declarations of interest"),
        AgendaItem("3", "Minutes & matters arising"),
    )
    assert parsed.warnings == ()


def test_an_ordered_list_that_starts_later_keeps_its_numbers():
    parsed = parse_agenda('<ol start="5"><li>Budget</li><li>Treasury strategy</li></ol>', "html")
    assert [i.number for i in parsed.items] == ["5", "6"]


def test_items_after_a_part_2_heading_are_exempt_until_part_1_resumes():
    body = ("<p>1. Apologies</p><p>2. Exclusion of the press and public</p><h3>Part 2 (exempt information)</h3>"
            "<p>3. Staffing restructure</p><p>4. Contract award</p><h3>Part 1</h3><p>5. Any other business</p>")
    parsed = parse_agenda(body, "html")
    assert numbers_and_exempt(parsed) == [("1", False), ("2", False), ("3", True), ("4", True), ("5", False)]


def test_an_item_citing_schedule_12a_is_exempt_on_its_own():
    parsed = parse_agenda("1. Minutes\n2. Land disposal (Paragraph 3, Schedule 12A)\n3. Questions", "text")
    assert numbers_and_exempt(parsed) == [("1", False), ("2", True), ("3", False)]


def test_plain_text_numbers_with_letters_brackets_and_item_words_are_read():
    text = "1) Apologies\n4a. 26/0412/FUL Land north of Mill Lane\n4(b) 26/0533/HOU 12 Church Street\nItem 5 - Appeals"
    parsed = parse_agenda(text, "text")
    assert [(i.number, i.title) for i in parsed.items] == [
        ("1", "Apologies"), ("4a", "26/0412/FUL Land north of Mill Lane"), ("4b", "26/0533/HOU 12 Church Street"),
        ("5", "Appeals")]


def test_dates_and_times_in_the_body_are_not_agenda_items():
    parsed = parse_agenda("Meeting on\n3 December 2026\n18.30 pm start\n1. Apologies", "text")
    assert [i.number for i in parsed.items] == ["1"]


def test_a_body_without_a_numbered_list_warns_and_gives_no_items():
    parsed = parse_agenda("<p>Papers to follow.</p>", "html")
    assert parsed.items == ()
    assert "no numbered agenda" in parsed.warnings[0]


def test_an_empty_body_gives_no_items_and_no_warning_here():
    assert parse_agenda(None) == parse_agenda("   ") == parse_agenda("", "text")
    assert parse_agenda(None).items == ()


def test_malformed_html_still_yields_the_items_it_can():
    parsed = parse_agenda("<div><ol><li>Apologies<li>Minutes</ol><p>3. Questions", "html")
    assert [i.title for i in parsed.items] == ["Apologies", "Minutes", "Questions"]


def test_an_agenda_override_file_is_read_by_committee_and_date(tmp_path):
    f = tmp_path / "planning.yaml"
    f.write_text('committee: Planning Committee\ndate: 2026-12-03\nitems:\n  - "1. Apologies"\n'
                 '  - {number: "7", title: "Enforcement case", exempt: true}\n')
    [o] = load_overrides(f)
    assert o.items == (AgendaItem("1", "Apologies"), AgendaItem("7", "Enforcement case", True))
    assert o.applies_to("any-id", None, "planning committee", date(2026, 12, 3))
    assert not o.applies_to("any-id", None, "Planning Committee", date(2026, 12, 4))


def test_an_override_file_named_after_the_event_id_needs_no_meeting_line(tmp_path):
    (tmp_path / "AAMkAGabc=.yaml").write_text('items: ["1. Apologies"]\n')
    [o] = load_overrides(tmp_path)
    assert o.applies_to("AAMkAGabc=", None, "X", date(2026, 1, 1))


def test_a_bad_override_names_the_file_line_and_field(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text('committee: Planning\ndate: 2026-12-03\nitems:\n  - "Apologies without a number"\n')
    with pytest.raises(ConfigError) as err:
        load_overrides(f)
    assert f"{f}:4: items.0:" in str(err.value)


def test_the_roster_enriches_by_email_then_name_with_the_committee_role(tmp_path):
    f = tmp_path / "roster.yaml"
    f.write_text("members:\n  - name: Jane Smith\n    email: jane@x.gov.uk\n    title: Cllr\n    role: Member\n"
                 "    roles: {Planning Committee: Chair}\n    ward: Brimington North\n"
                 "  - name: Helen Price\n    teams_name: Price, Helen (Cllr)\n")
    roster = load_roster(f)
    assert roster.member("J. Smith", "JANE@x.gov.uk", "Planning Committee").lower_third() == "Cllr Jane Smith, Chair, Brimington North"
    assert roster.member("Jane Smith", None, "Audit").role == "Member"
    assert roster.member("Price, Helen (Cllr)", None).name == "Helen Price"
    stranger = roster.member("Cllr Bob Jones", "bob@x.gov.uk")
    assert (stranger.name, stranger.title, stranger.email) == ("Bob Jones", "Cllr", "bob@x.gov.uk")


def test_a_bad_roster_names_the_file_line_and_field(tmp_path):
    f = tmp_path / "roster.yaml"
    f.write_text("members:\n  - name: Jane Smith\n    email: jane@x\n  - name: Tom\n    email: jane@x\n")
    with pytest.raises(ConfigError) as err:
        load_roster(f)
    assert str(err.value).startswith(f"{f}:5: members.1.email:")
    f.write_text("members:\n  - name: Jane Smith\n    wrd: North\n")
    with pytest.raises(ConfigError, match=r":3: members\.0\.wrd: unknown field"):
        load_roster(f)
