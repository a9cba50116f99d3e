"""Agenda items from event bodies, agenda YAML overrides, and the roster.

The layouts copied from real council agendas are in test_agenda_real_layouts.py; these are the
rules, each on the smallest body that shows it.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from meetstream.core.agenda import exempt_summary, parse_agenda
from meetstream.services.meetings.overrides import load_overrides
from meetstream.services.meetings.view import as_json
from meetstream.core.domain import AgendaItem, Meeting
from meetstream.errors import ConfigError
from meetstream.services.meetings.roster_file import load_roster


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


def test_an_item_marked_exempt_inline_arms_only_itself():
    # Issue 22: "8. Tree works at ... (exempt: paragraph 3 of Schedule 12A)" in the public part arms
    # item 8 only; "9. Close" stays public.
    parsed = parse_agenda("1. Minutes\n2. Land disposal (Paragraph 3, Schedule 12A)\n3. Questions", "text")
    assert numbers_and_exempt(parsed) == [("1", False), ("2", True), ("3", False)]
    assert [i.reason for i in parsed.items] == [None, "marked exempt (paragraph 3)", None]
    assert parsed.items[1].paragraphs == ("3",)
    parsed = parse_agenda("7. Budget\n8. Tree works at Mill Lane (exempt: paragraph 3 of Schedule 12A)\n9. Close", "text")
    assert numbers_and_exempt(parsed) == [("7", False), ("8", True), ("9", False)] and parsed.warnings == ()


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
    assert o.items == (AgendaItem("1", "Apologies"),
                       AgendaItem("7", "Enforcement case", True, "marked exempt in the agenda override"))
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


# --- exempt sections -------------------------------------------------------------------------


def exempt_numbers(parsed):
    return [i.number for i in parsed.items if i.exempt]


def test_the_exclusion_motion_makes_every_following_item_exempt():
    body = ("1. Apologies\n2. Budget\n3. Exclusion of the press and public - exempt information under "
            "Schedule 12A\n4. Contract award\n5. Staffing\n6. Any other business")
    parsed = parse_agenda(body, "text")
    assert exempt_numbers(parsed) == ["4", "5", "6"]
    assert {i.reason for i in parsed.items if i.exempt} == {"after the exclusion motion, item 3"}
    assert not parsed.items[2].exempt  # the motion is moved and voted on in public


@pytest.mark.parametrize("motion", [
    "That under Section 100A(4) the public be excluded from the meeting for the following items on the grounds "
    "that they involve the likely disclosure of exempt information as defined in paragraph 3 of Part 1 of "
    "Schedule 12A to the Local Government Act 1972.",
    "Part I of Schedule 12A of the Local Government Act 1972",
    "Part 1 of Schedule 12A",
    "paragraphs 1 and 3 of Part 1 of Schedule 12A",
])
def test_statutory_part_1_wording_never_ends_an_exempt_section(motion):
    body = f"1. Apologies\nPart 2 (exempt)\n{motion}\n2. Land at Mill Lane\n{motion}\n3. Staffing"
    parsed = parse_agenda(body, "text")
    assert exempt_numbers(parsed) == ["2", "3"]
    assert parsed.items[2].reason == "under the heading 'Part 2 (exempt)'"


@pytest.mark.parametrize("back", ["Part 1", "PART A - OPEN BUSINESS", "Public items", "Part I",
                                  "Readmission of the press and public", "Inclusion of the Public and Press",
                                  "Members are requested to return to public session."])
def test_an_explicit_return_to_public_ends_the_exempt_section(back):
    parsed = parse_agenda(f"1. Apologies\n2. Exclusion of the public\n3. Land deal\n{back}\n4. Any other business", "text")
    assert exempt_numbers(parsed) == ["3"]


def test_a_numbered_readmission_item_is_public_and_so_is_what_follows():
    parsed = parse_agenda("1. A\n2. Exclusion of the press and public\n3. Land deal\n"
                          "4. Readmission of the press and public\n5. Any other business", "text")
    assert exempt_numbers(parsed) == ["3"]


@pytest.mark.parametrize("heading", [
    "Part 2", "Part II", "PART TWO - IN PRIVATE", "Part B", "PART B – CLOSED BUSINESS", "Non-Public Agenda",
    "Part 2 - Non-Public Agenda", "Private business", "Private and confidential", "Confidential items",
    "Restricted", "RESTRICTED REPORTS FOR CONSIDERATION", "EXEMPT/CONFIDENTIAL SECTION (PINK)", "Exempt items",
    "Items which the press and public are likely to be excluded from",
    "Matters to be considered with the Press and Public Excluded:",
    "Items to be considered in the absence of the public and press", "Not for publication",
    "Section Two", "Closed session",
])
def test_each_private_heading_councils_use_starts_an_exempt_section(heading):
    parsed = parse_agenda(f"1. Apologies\n2. Minutes\n{heading}\n3. Land deal\n4. Staffing", "text")
    assert exempt_numbers(parsed) == ["3", "4"]
    assert parsed.items[2].reason.startswith("under the heading '") or parsed.items[2].reason.startswith("after the exclusion")


@pytest.mark.parametrize("line", [
    "UNRESTRICTED REPORTS FOR CONSIDERATION", "Public Agenda", "Part 1 - Public Agenda", "OTHER REPORTS",
    "In accordance with Chapter 2, Part 2 (Rule 14) of the Council's Constitution.",
    "The Chair to advise that this meeting will be webcast and that members of the press/public may record "
    "and take photographs except where there are confidential or exempt items.",
    "Notice of Intention to conduct business in a closed meeting, and any representations received",
])
def test_lines_that_only_mention_parts_or_exempt_items_in_passing_keep_items_public(line):
    parsed = parse_agenda(f"1. Apologies\n{line}\n2. Minutes\n3. Budget", "text")
    assert exempt_numbers(parsed) == [] and parsed.warnings == ()


def test_a_part_2_heading_that_says_public_is_public_and_one_that_also_says_exempt_arms_with_a_warning():
    parsed = parse_agenda("1. Apologies\nPART 2 - PUBLIC INVOLVEMENT AND SCRUTINY\n2. Petitions", "text")
    assert exempt_numbers(parsed) == [] and parsed.warnings == ()
    parsed = parse_agenda("1. Apologies\nPart 2 - exempt items (public session to follow)\n2. Land", "text")
    assert exempt_numbers(parsed) == ["2"]
    assert parsed.warnings == ("the heading 'Part 2 - exempt items (public session to follow)' reads as both "
                               "private and public; the items under it are armed",)


@pytest.mark.parametrize("title,paragraphs", [
    ("Leisure contract (exempt appendix)", ()),
    ("Budget - confidential appendix B", ()),
    ("Leisure contract - Appendix 2 is exempt (paragraph 3)", ("3",)),
])
def test_a_title_mentioning_an_exempt_appendix_is_a_public_item_with_an_exempt_appendix(title, paragraphs):
    parsed = parse_agenda(f"1. Apologies\n2. {title}\n3. Close", "text")
    item = parsed.items[1]
    assert (item.exempt, item.appendix, item.paragraphs) == (False, True, paragraphs)
    assert item.reason.startswith("exempt appendix") and not parsed.items[2].appendix
    assert exempt_numbers(parsed) == [] and parsed.warnings == ()


def test_a_not_for_publication_title_is_armed_and_a_restricted_byway_is_not():
    parsed = parse_agenda("1. Staffing matter - not for publication\n2. Restricted byway order, Mill Lane", "text")
    assert [(i.exempt, i.reason) for i in parsed.items] == [(True, "marked not for publication"), (False, None)]


@pytest.mark.parametrize("title,reason,paragraphs,withheld", [
    ("Disposal of land (exempt: paragraph 3 of Schedule 12A)", "marked exempt (paragraph 3)", ("3",), False),
    ("Contract award (Paragraph 3)", "marked exempt (paragraph 3)", ("3",), False),
    ("Staffing (paras 1 & 2)", "marked exempt (paragraphs 1 and 2)", ("1", "2"), False),
    ("Land deal - by virtue of paragraph(s) 3 and 4 of Part 1 of Schedule 12A", "marked exempt (paragraphs 3 and 4)",
     ("3", "4"), False),
    ("Exempt business", "marked exempt", (), True),
    ("Exempt item", "marked exempt", (), True),
    ("Confidential report", "marked confidential", (), True),
    ("Item withheld", "marked withheld", (), True),
    ("Exempt item (paragraph 1)", "marked exempt (paragraph 1)", ("1",), True),
    ("Confidential: staffing matter", "marked confidential", (), False),
    ("Non-public minutes", "marked non-public", (), False),
])
def test_an_item_whose_title_says_it_is_exempt_is_armed_with_that_reason(title, reason, paragraphs, withheld):
    parsed = parse_agenda(f"1. Apologies\n2. {title}\n3. Close", "text")
    item = parsed.items[1]
    assert (item.exempt, item.reason, item.paragraphs, item.withheld) == (True, reason, paragraphs, withheld)
    assert not parsed.items[2].exempt


@pytest.mark.parametrize("title", ["Exemption from Standing Orders", "Private hire licensing policy",
                                   "UNRESTRICTED MINUTES", "Council Tax exemptions",
                                   "To agree the public minutes and non-public summary of the meeting",
                                   "Change to the contract procedure rule (Chapter 9, Part 2 of the Council's Constitution)"])
def test_titles_that_merely_look_private_stay_public(title):
    parsed = parse_agenda(f"1. Apologies\n2. {title}\n3. Budget", "text")
    assert exempt_numbers(parsed) == []


def test_an_item_whose_text_mentions_an_exempt_appendix_is_public_with_an_exempt_appendix():
    parsed = parse_agenda("1. Apologies\n2. Culture budget\nTo be read with the non-public appendix at item 9.\n3. Fees", "text")
    assert exempt_numbers(parsed) == []
    assert (parsed.items[1].appendix, parsed.items[1].reason) == (True, "exempt appendix")


def test_exclusion_wording_before_the_first_item_makes_every_item_exempt_and_warns():
    parsed = parse_agenda("The press and public are likely to be excluded for part of this meeting.\n1. A\n2. B", "text")
    assert exempt_numbers(parsed) == ["1", "2"]
    assert parsed.warnings == ("exclusion wording comes before the first item; every item is armed",)


def test_a_possible_exclusion_near_the_start_arms_nothing_by_itself():
    parsed = parse_agenda("1. Apologies\n2. Exempt information - possible exclusion of the press and public\n"
                          "3. Minutes\n4. Budget", "text")
    assert exempt_numbers(parsed) == [] and parsed.warnings == ()
    # ...but what it names it applies: an appendix of item 4, a whole item 5
    parsed = parse_agenda("1. Apologies\n2. Possible exclusion of the press and public\nTo consider whether to "
                          "exclude the public during Appendix 2 of item 4 and item 5 (paragraph 3).\n"
                          "3. Minutes\n4. Budget\n5. Land deal\n6. Close", "text")
    assert [(i.number, i.exempt, i.appendix) for i in parsed.items[2:]] == [
        ("3", False, False), ("4", False, True), ("5", True, False), ("6", False, False)]


@pytest.mark.parametrize("title", ["Notice of intention to conduct business in private",
                                   "Notice of Intention to Conduct Business in Private, Any Representations Received",
                                   "Notice of private meeting"])
def test_a_notice_of_private_business_arms_nothing(title):
    parsed = parse_agenda(f"1. Apologies\n2. {title}\nThis agenda contains exempt items as set out at item 5.\n"
                          "3. Minutes\n4. Budget\n5. Close", "text")
    assert exempt_numbers(parsed) == [] and parsed.warnings == ()


def test_the_opening_consider_whether_template_arms_nothing_and_a_part_2_heading_does():
    body = ("1. Procedural business\n(a) Declarations of substitutes\n(b) Declarations of interest\n"
            "(c) Exclusion of Press and Public: to consider whether the press and public should be excluded from "
            "the meeting when any of the following items are under consideration.\n2. Minutes\n"
            "3. Chair's communications\n4. Budget\nPart Two\n5. Land deal")
    parsed = parse_agenda(body, "text")
    assert [i.number for i in parsed.items] == ["1", "1a", "1b", "1c", "2", "3", "4", "5"]
    assert exempt_numbers(parsed) == ["5"]


def test_a_definite_motion_that_names_items_arms_exactly_those():
    parsed = parse_agenda("10. Budget\n11. Exclusion of the press and public - That under Section 100A(4) the "
                          "public be excluded for items 13 and 14 (paragraph 3)\n12. Questions\n13. Land\n"
                          "14. Staffing\n15. Close", "text")
    assert exempt_numbers(parsed) == ["13", "14"]
    assert parsed.items[3].reason == "named in item 11" and parsed.items[3].paragraphs == ("3",)


@pytest.mark.parametrize("text,numbers", [
    ("20/1 Apologies\n20/2 Minutes\n20/3 Close", ["20/1", "20/2", "20/3"]),
    ("1: Apologies\n2: Minutes\n3: Close", ["1", "2", "3"]),
    ("(a) Apologies\n(b) Minutes\n(c) Close", ["a", "b", "c"]),
    ("i. Apologies\nii. Minutes\niii. Close", ["i", "ii", "iii"]),
    ("17. Motions\n17(1) Living wage\n17(6) Notice board\n18. Close", ["17", "17(1)", "17(6)", "18"]),
])
def test_the_numberings_councils_use_are_read(text, numbers):
    assert [i.number for i in parse_agenda(text, "text").items] == numbers


def test_every_armed_or_appendix_item_has_a_reason_and_no_other_item_has_one():
    parsed = parse_agenda("1. A\n2. Exclusion of the public\n3. B\nPart 1\n4. C\n5. D (exempt appendix)", "text")
    assert [(i.exempt, i.appendix, i.reason is not None) for i in parsed.items] == [
        (False, False, False), (False, False, False), (True, False, True), (False, False, False), (False, True, True)]


# --- which numbered lines are items --------------------------------------------------------------


def test_a_modern_gov_copy_with_numbers_on_their_own_line_is_read():
    text = "Items\nNo. Item\n1.\nApologies for Absence\n2.\nMinutes pdf icon PDF 100 KB\nTo approve the minutes.\n3.\nBudget"
    parsed = parse_agenda(text, "text")
    assert [(i.number, i.title) for i in parsed.items] == [("1", "Apologies for Absence"), ("2", "Minutes"), ("3", "Budget")]


def test_numbered_recommendations_inside_an_item_are_not_items():
    text = "1. Apologies\n2. Minutes\n3. Budget\nRecommendations:\n1. To note the report\n2. To approve\n4. Fees"
    assert [i.number for i in parse_agenda(text, "text").items] == ["1", "2", "3", "4"]


def test_recommendations_numbered_past_the_next_item_are_still_not_items():
    text = "1. A\n2. B\n3. C\n4. Budget\n1. a\n2. b\n3. c\n4. d\n5. e\n6. f\n5. Treasury\n6. Any other business"
    parsed = parse_agenda(text, "text")
    assert [(i.number, i.title) for i in parsed.items][3:] == [("4", "Budget"), ("5", "Treasury"), ("6", "Any other business")]


def test_steps_indented_deeper_than_the_items_are_told_apart_without_a_warning():
    text = "1. A\n2. Budget\n    1. To note\n    2. To agree\n3. C"
    parsed = parse_agenda(text, "text")
    assert [i.number for i in parsed.items] == ["1", "2", "3"] and parsed.warnings == ()


def test_a_same_looking_list_that_could_be_the_next_items_is_read_as_items_with_a_warning():
    parsed = parse_agenda("1. A\n2. Budget\n1. To note\n2. To agree\n3. C", "text")
    assert [i.number for i in parsed.items] == ["1", "2", "3"]
    assert "item 3 follows a numbered list inside item 2" in parsed.warnings[0]


def test_a_stray_number_that_breaks_the_sequence_is_text():
    parsed = parse_agenda("1. A\n2. B\n100 Station Road is the site.\n3. C", "text")
    assert [i.number for i in parsed.items] == ["1", "2", "3"]


def test_a_duplicated_number_keeps_the_second_and_an_exempt_looking_first_one_makes_its_item_exempt():
    parsed = parse_agenda("1. A\n2. B\n3. Land (exempt)\n3. D\n4. E", "text")
    assert [i.number for i in parsed.items] == ["1", "2", "3", "4"]
    assert exempt_numbers(parsed) == ["2"]  # the exempt-looking line is read as item 2's text: only item 2
    assert any("two lines in a row are numbered 3" in w for w in parsed.warnings)


@pytest.mark.parametrize("text,numbers", [
    ("5. Planning applications\n(a) Mill Lane\n(b) Church Street", ["5", "5a", "5b"]),
    ("5. Questions\n(i) From the public\n(ii) From members\n(iii) To the leader", ["5", "5(i)", "5(ii)", "5(iii)"]),
    ("5. Minutes\na. Council\nb. Cabinet", ["5", "5a", "5b"]),
    ("5. Addresses\n(1) Ms A\n(2) Mr B", ["5", "5(1)", "5(2)"]),
    ("17. Motions on notice\n17(1) Living wage\n17(6) Cornmarket Notice Board", ["17", "17(1)", "17(6)"]),
    ("5. Minutes\n5a. Council\n5(b) Cabinet\n5.1 Scrutiny", ["5", "5a", "5b", "5.1"]),
    ("4. Question Time\nA. From the public\nB. From members", ["4", "4a", "4b"]),
])
def test_sub_items_are_kept_with_a_readable_stable_number(text, numbers):
    assert [i.number for i in parse_agenda(text, "text").items] == numbers


def test_lettered_steps_of_the_exclusion_motion_are_its_text_not_items():
    parsed = parse_agenda("1. A\n2. Exclusion of the press and public\na) To highlight exempt reports\n"
                          "b) To pass the resolution\n3. Land deal", "text")
    assert [i.number for i in parsed.items] == ["1", "2", "3"] and exempt_numbers(parsed) == ["3"]


def test_list_items_whose_text_sits_in_a_paragraph_are_read():
    body = "<ol><li><p>Apologies</p></li><li><p>Minutes</p></li><li><p>Budget</p><ol type='a'><li><p>Fees</p></li></ol></li></ol>"
    assert [(i.number, i.title) for i in parse_agenda(body, "html").items] == [
        ("1", "Apologies"), ("2", "Minutes"), ("3", "Budget"), ("3a", "Fees")]


def test_a_word_list_paragraph_with_its_number_in_a_separate_span_is_read():
    para = ("<p class=MsoListParagraph style='text-indent:-18.0pt;mso-list:l0 level{lvl} lfo1'><![if !supportLists]>"
            "<span style='mso-list:Ignore'>{n}.<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp;&nbsp; </span>"
            "</span><![endif]>{t}<o:p></o:p></p>")
    body = "<html><head><style>@list l0:level1 {mso-level-text:\"%1\\.\";}</style></head><body>" + "".join(
        para.format(lvl=lvl, n=n, t=t) for lvl, n, t in
        [(1, 1, "Apologies"), (1, 2, "Budget"), (2, 1, "To note"), (2, 2, "To agree"), (1, 3, "Fees")]) + "</body></html>"
    parsed = parse_agenda(body, "html")
    assert [(i.number, i.title) for i in parsed.items] == [("1", "Apologies"), ("2", "Budget"), ("3", "Fees")]
    assert parsed.warnings == ()


# --- showing exempt items ------------------------------------------------------------------------


def test_public_title_never_shows_an_exempt_title():
    item = AgendaItem("7", "Disposal of land at Station Road", True, "after the exclusion motion, item 6")
    assert item.public_title() == "7. Exempt item (public excluded)"
    assert AgendaItem("1", "Apologies").public_title() == "1. Apologies"


def agenda_meeting(*items):
    t0 = datetime(2026, 12, 3, 18, 30, tzinfo=timezone.utc)
    return Meeting(id="m1", committee="Full Council", start=t0, end=t0 + timedelta(hours=2), agenda=tuple(items))


def test_the_json_listing_gives_exempt_items_a_reason_and_never_their_title():
    parsed = parse_agenda("1. Apologies\n2. Exclusion of the press and public\n3. Disposal of land at Station Road", "text")
    out = as_json(agenda_meeting(*parsed.items), "Europe/London")
    assert [{k: a[k] for k in ("number", "title", "exempt", "reason")} for a in out["agenda"]] == [
        {"number": "1", "title": "Apologies", "exempt": False, "reason": None},
        {"number": "2", "title": "Exclusion of the press and public", "exempt": False, "reason": None},
        {"number": "3", "title": "Exempt item (public excluded)", "exempt": True, "reason": "after the exclusion motion, item 2"},
    ]
    assert "Station Road" not in json.dumps(out)


def test_the_summary_of_private_items_groups_them_by_reason_and_names_no_titles():
    parsed = parse_agenda("1. A\n2. Exclusion of the public\n3. Secret one\n4. Secret two\n5. Secret three\n"
                          "Part 1\n6. B\n7. Secret four (exempt appendix)", "text")
    summary = exempt_summary(parsed.items)
    assert summary == "3-5 (after the exclusion motion, item 2)"  # item 7 is public (its appendix is exempt)
    assert "Secret" not in summary
    assert exempt_summary(parse_agenda("1. A", "text").items) == "none"
    assert exempt_summary([AgendaItem("4", "x", True)]) == "4 (marked exempt)"  # a row stored before reasons


def test_a_stored_meeting_keeps_each_reason_and_rows_stored_before_reasons_still_load(tmp_path):
    from meetstream.store import Store

    parsed = parse_agenda("1. A\n2. Exclusion of the public\n3. B", "text")
    with Store.open(tmp_path / "s.sqlite3") as store:
        store.upsert_meeting(agenda_meeting(*parsed.items))
        assert store.get_meeting("m1").agenda == parsed.items
        old = json.dumps([{"number": "1", "title": "A", "exempt": False}, {"number": "2", "title": "B", "exempt": True}])
        with store.transaction() as c:
            c.execute("UPDATE meetings SET agenda_json = ? WHERE id = 'm1'", (old,))
        assert store.get_meeting("m1").agenda == (AgendaItem("1", "A"), AgendaItem("2", "B", True))


# --- overrides -----------------------------------------------------------------------------------


def test_an_override_string_item_follows_the_parsers_title_and_motion_rules(tmp_path):
    f = tmp_path / "council.yaml"
    f.write_text('committee: Full Council\ndate: 2026-12-03\nitems:\n  - "1. Apologies"\n'
                 '  - "2. Land sale (exempt: paragraph 3 of Schedule 12A)"\n')
    [o] = load_overrides(f)
    assert [(i.number, i.exempt, i.reason) for i in o.items] == [("1", False, None), ("2", True, "marked exempt (paragraph 3)")]
    f.write_text('committee: Full Council\ndate: 2026-12-03\nitems:\n  - "5. Exclusion of the press and public"\n'
                 '  - "6. Staffing review"\n  - "7. Pay award"\n')
    [o] = load_overrides(f)
    assert [(i.number, i.exempt, i.reason) for i in o.items] == [
        ("5", False, None), ("6", True, "after the exclusion motion, item 5"), ("7", True, "after the exclusion motion, item 5")]


def test_an_override_can_mark_an_item_explicitly_public_or_explicitly_exempt(tmp_path):
    f = tmp_path / "council.yaml"
    f.write_text('committee: Full Council\ndate: 2026-12-03\nitems:\n'
                 '  - "3. Exempt information - possible exclusion of the press and public"\n'
                 '  - {number: "4", title: "Minutes", exempt: false}\n'
                 '  - {number: "5", title: "Budget"}\n'
                 '  - {number: "6", title: "Enforcement", exempt: true}\n')
    [o] = load_overrides(f)
    # The possible exclusion before the minutes is the opening template: it arms nothing.
    assert [(i.number, i.exempt, i.reason) for i in o.items] == [
        ("3", False, None), ("4", False, None), ("5", False, None), ("6", True, "marked exempt in the agenda override")]


def test_an_override_exempt_flag_must_be_true_or_false(tmp_path):
    f = tmp_path / "council.yaml"
    f.write_text('committee: Full Council\ndate: 2026-12-03\nitems:\n  - {number: "4", title: "Minutes", exempt: "no"}\n')
    with pytest.raises(ConfigError, match=r"items\.0\.exempt: must be true or false"):
        load_overrides(f)


@pytest.mark.parametrize("line", ["Section 1 sets out the background to the scheme.",
                                  "Section A of the report explains the options."])
def test_a_description_starting_with_section_1_does_not_end_an_exempt_section(line):
    parsed = parse_agenda(f"1. A\nPart 2\n2. Land deal\n{line}\n3. Staffing", "text")
    assert exempt_numbers(parsed) == ["2", "3"]
