"""Agendas as councils publish them: each fixture in tests/fixtures/agendas is parsed and the exact
item numbers, the exempt items and their reasons are checked. Every fixture names its source in
its header; most are real agendas copied from modern.gov and CMIS pages, trimmed.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from meetstream.core.agenda import exempt_summary, parse_agenda
from meetstream.services.meetings.view import as_json
from meetstream.core.domain import Meeting

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agendas"


def body(name: str) -> tuple[str, str]:
    """The fixture as Graph would hand it over: HTML as is, text without its '# ' source header."""
    path = FIXTURES / name
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        return text, "html"
    return "\n".join(line for line in text.splitlines() if not line.startswith("# ")), "text"


def parsed(name: str):
    return parse_agenda(*body(name))


def numbers(name: str) -> list[str]:
    return [i.number for i in parsed(name).items]


def private(name: str) -> dict[str, str]:
    return {i.number: i.reason for i in parsed(name).items if i.exempt}


def test_every_fixture_names_its_source():
    for path in FIXTURES.iterdir():
        if path.suffix in (".txt", ".html"):
            head = path.read_text(encoding="utf-8")[:1500]
            assert "Source" in head or "Constructed" in head, path.name
            assert "http" in head, path.name


# --- modern.gov pages copied as text: the number on its own line -------------------------------


def test_a_modern_gov_agenda_with_numbers_on_their_own_line_gives_every_item():
    assert numbers("modgov_thurrock_cabinet_2024-10-09.txt") == [str(n) for n in range(1, 20)]
    titles = [i.title for i in parsed("modgov_thurrock_cabinet_2024-10-09.txt").items]
    assert titles[1] == "Minutes" and titles[10] == "Microsoft Licensing - Reprocurement"  # "pdf icon PDF 140 KB" gone


def test_an_unnumbered_exclusion_motion_citing_part_i_of_schedule_12a_makes_the_items_after_it_exempt():
    assert private("modgov_thurrock_cabinet_2024-10-09.txt") == {
        "18": "after the exclusion motion following item 17", "19": "after the exclusion motion following item 17"}
    assert parsed("modgov_thurrock_cabinet_2024-10-09.txt").warnings == ()


def test_a_title_mentioning_part_2_of_the_constitution_is_a_public_item():
    item = parsed("modgov_thurrock_cabinet_2024-10-09.txt").items[12]
    assert item.number == "13" and "Part 2" in item.title and not item.exempt


def test_inclusion_of_the_public_and_press_returns_to_public_after_the_exempt_item():
    assert numbers("modgov_thurrock_general_services_2020-03-16.txt") == ["1", "2", "3", "4", "5", "6"]
    assert private("modgov_thurrock_general_services_2020-03-16.txt") == {"5": "after the exclusion motion following item 4"}


def test_constitution_wording_part_2_rule_14_in_descriptions_keeps_every_item_public():
    result = parsed("modgov_thurrock_council_2021-09-22.txt")
    assert [i.number for i in result.items] == [str(n) for n in range(1, 11)]
    assert private("modgov_thurrock_council_2021-09-22.txt") == {} and result.warnings == ()


def test_the_exclusion_motion_item_makes_every_following_item_exempt_and_stays_public_itself():
    name = "modgov_cityoflondon_motion_item_2018.txt"
    assert numbers(name) == [str(n) for n in range(1, 12)]
    assert private(name) == {n: "after the exclusion motion, item 8" for n in ("9", "10", "11")}


def test_sub_items_on_their_own_line_and_a_public_item_with_a_non_public_appendix():
    name = "modgov_cityoflondon_sub_items_2019.txt"
    assert numbers(name) == ["1", "2", "3", "3a", "3b", "3c", "4", "5", "6", "7", "8", "9", "10", "11"]
    # The appendix is exempt, the report is not: item 10 is a public item with an exempt appendix.
    assert private(name) == {}
    item10 = parsed(name).items[-2]
    assert (item10.number, item10.appendix, item10.reason) == ("10", True, "exempt appendix")
    assert parsed(name).warnings == ()


def test_numbered_steps_inside_a_possible_exclusion_item_are_not_items_and_only_the_named_appendix_is_exempt():
    name = "modgov_wyca_2022_possible_exclusion.txt"
    assert numbers(name) == [str(n) for n in range(1, 9)]
    # The motion names Appendix 7 of item 6: item 6 is a public item with an exempt appendix
    # (paragraph 3); nothing is armed, items 4 to 8 are public.
    assert private(name) == {}
    item6 = parsed(name).items[5]
    assert (item6.number, item6.appendix, item6.paragraphs) == ("6", True, ("3",))
    assert item6.reason == "exempt appendix named in item 3 (paragraph 3)"
    assert parsed(name).warnings == ()


def test_dotted_sub_items_and_an_exclusion_motion_after_the_last_item_leave_every_item_public():
    name = "modgov_southwark_assembly_2019-07-17.txt"
    assert numbers(name) == ["1", "1.1", "1.2", "1.3", "1.4", "1.5", "2", "2.1", "2.2", "3", "3.1", "3.2", "4",
                             "5", "5.1", "5.2", "6", "6.1", "6.2", "6.3", "6.4", "7"]
    assert private(name) == {}


def test_part_b_closed_business_items_are_exempt_and_the_closed_meeting_notice_is_not():
    name = "modgov_southwark_cabinet_2019-12-17_part_b.txt"
    assert numbers(name) == [str(n) for n in range(1, 30)]
    assert private(name) == {"28": "under the heading 'PART B - CLOSED BUSINESS'",
                             "29": "under the heading 'PART B - CLOSED BUSINESS'"}


def test_numbered_announcements_and_a_timing_line_inside_an_item_are_not_items():
    name = "modgov_oxford_council_2024_steps_in_item.txt"
    assert [(i.number, i.title) for i in parsed(name).items] == [
        ("1", "Apologies for absence"), ("2", "Declarations of interest"), ("3", "Minutes"), ("4", "Announcements"),
        ("5", "Public addresses and questions that relate to matters for decision at this meeting")]
    assert private(name) == {}


def test_a_part_2_heading_that_says_public_is_a_part_of_the_public_business():
    name = "modgov_oxford_council_2015_part2_public.txt"
    assert numbers(name) == [str(n) for n in range(1, 12)]
    assert private(name) == {} and parsed(name).warnings == ()


# --- CMIS pages, typed text and Outlook HTML ---------------------------------------------------


def test_cmis_numbers_without_a_dot_and_lettered_sub_items_are_read_and_stay_public():
    name = "cmis_birmingham_council_2020-12-01.txt"
    assert numbers(name) == ["1", "2", "3", "3a", "3b", "3c", "4", "5", "6", "6a", "6b", "6c"]
    # Item 1 mentions "confidential or exempt items" in passing: it is the webcast notice, public.
    assert private(name) == {} and parsed(name).warnings == ()


def test_lettered_steps_of_a_cmis_possible_exclusion_item_are_its_text_and_it_arms_nothing():
    name = "cmis_birmingham_cabinet_2023-07-25.txt"
    assert numbers(name) == ["1", "2", "3", "4", "5", "6", "7"]
    # "those parts of the agenda designated as exempt": the designation arms, the motion does not.
    assert private(name) == {}


def test_a_heading_before_a_parish_exclusion_motion_makes_the_motion_and_what_follows_exempt():
    name = "parish_kidsgrove_staffing_2022-06-06.txt"
    assert numbers(name) == [str(n) for n in range(1, 9)]
    reason = "under the heading 'Matters to be considered with the Press and Public Excluded:'"
    assert private(name) == {"7": reason, "8": reason}


def test_motion_sub_items_numbered_17_n_and_lettered_sub_items_of_an_exempt_item():
    name = "constructed_oxford_motions_17_n.txt"
    assert numbers(name) == ["15", "16", "17", "17(1)", "17(2)", "17(3)", "17(4)", "17(5)", "17(6)", "18", "18a", "18b"]
    reason = "under the heading 'Part 2 - exempt information'"
    assert private(name) == {"18": reason, "18a": reason, "18b": reason}


def test_a_non_public_agenda_heading_after_the_motion_item_makes_its_items_exempt():
    name = "constructed_cityoflondon_non_public_agenda.txt"
    assert numbers(name) == ["1", "2", "3", "3a", "3b", "4", "5", "6", "7", "8", "9"]
    reason = "under the heading 'Part 2 - Non-Public Agenda'"
    assert private(name) == {"7": reason, "8": reason, "9": reason}  # 3a/3b's "non-public summary" is public


def test_restricted_sections_go_private_and_unrestricted_ones_do_not():
    name = "constructed_towerhamlets_restricted.txt"
    assert numbers(name) == ["1", "2", "3", "4", "5", "5.1", "5.2", "6", "7", "8", "9", "10", "11"]
    assert private(name) == {"9": "under the heading 'EXEMPT/CONFIDENTIAL SECTION (PINK)'",
                             "10": "under the heading 'RESTRICTED REPORTS FOR CONSIDERATION'",
                             "11": "under the heading 'RESTRICTED REPORTS FOR CONSIDERATION'"}


def test_an_outlook_word_body_with_list_paragraphs_and_nested_recommendations():
    name = "outlook_word_mso_list.html"
    result = parsed(name)
    assert [i.number for i in result.items] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert result.items[4].title == "Review of licence fees and charges"
    reason = "under the heading 'Items which the press and public are likely to be excluded from the meeting'"
    # "Part I of Schedule 12A" under item 7 does not bring item 8 back to public.
    assert private(name) == {"7": reason, "8": reason}
    assert result.warnings == ()


def test_list_items_with_paragraphs_inside_and_a_private_business_heading():
    name = "li_p_private_business.html"
    assert [(i.number, i.title) for i in parsed(name).items][:6] == [
        ("1", "Apologies for absence"), ("2", "Declarations of interest"), ("3", "Minutes of the previous meeting"),
        ("4", "Planning applications"), ("4a", "26/0412/FUL Land north of Mill Lane"), ("4b", "26/0533/HOU 12 Church Street")]
    assert numbers(name) == ["1", "2", "3", "4", "4a", "4b", "5", "6", "7"]
    assert private(name) == {"6": "under the heading 'Private business'", "7": "under the heading 'Private business'"}


# --- nothing an exempt item says reaches the public --------------------------------------------

ALL = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".txt", ".html"))


@pytest.mark.parametrize("name", ALL)
def test_no_exempt_title_leaks_into_reasons_warnings_the_summary_public_titles_or_json(name):
    result = parsed(name)
    exempt_titles = [i.title for i in result.items if i.exempt]
    t0 = datetime(2026, 12, 3, 18, 30, tzinfo=timezone.utc)
    meeting = Meeting(id="m", committee="C", start=t0, end=t0 + timedelta(hours=2), agenda=result.items)
    shown = [exempt_summary(result.items), json.dumps(as_json(meeting, "Europe/London")), *result.warnings,
             *(i.reason or "" for i in result.items), *(i.public_title() for i in result.items)]
    for title in exempt_titles:
        whole = re.compile(rf"(?<!\w){re.escape(title)}(?!\w)")  # "RESTRICTED MINUTES" is not "UNRESTRICTED MINUTES"
        for text in shown:
            assert not whole.search(text), (name, title, text)
    assert all(i.reason for i in result.items if i.exempt or i.appendix)
    assert not any(i.reason for i in result.items if not (i.exempt or i.appendix))
