"""Every item of every agenda fixture, as a clerk reads it: armed (goes private unless the meeting
resolves to stay public), a public item with an exempt appendix, or public; and the Schedule 12A
paragraphs cited. An item not listed under `armed` or `appendix` is public: none may be armed.

`figures()` counts items, armed, appendix, over-armed (public read as armed) and under-armed
(exempt read as public) across the fixtures: `python tests/unit/test_agenda_clerk.py` prints them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_agenda_real_layouts import FIXTURES, parsed  # noqa: E402

# fixture -> (template, armed, appendix, paragraphs by item)
CLERK: dict[str, tuple[str, set[str], set[str], dict[str, tuple[str, ...]]]] = {
    # the opening "consider whether" / "possible exclusion" templates: they arm nothing by themselves
    "modgov_brighton_procedural_c_2020.txt": ("opening (c) consider whether", set(), set(), {}),
    "modgov_sheffield_sr_2023_identify_items.txt": ("opening 'to identify items'", set(), set(), {}),
    "cmis_birmingham_cabinet_2023-07-25.txt": ("early possible exclusion (designated parts)", set(), set(), {}),
    "modgov_wyca_2022_possible_exclusion.txt": ("early possible exclusion naming an appendix", set(), {"6"}, {"6": ("3",)}),
    "constructed_sheffield_appendix_note.txt": ("early possible exclusion naming an appendix", set(), {"6"}, {"6": ("3",)}),
    "constructed_havering_named_items.txt": ("motion naming an appendix", set(), {"9"}, {"9": ("3",)}),
    "constructed_havering_items_10_to_12.txt": ("motion naming items", {"10", "11", "12"}, set(),
                                                {n: ("3",) for n in ("10", "11", "12")}),
    # notices and "admission of the public": they arm nothing
    "modgov_hackney_cabinet_2023_notice_private.txt": ("notice of private business + definite motion", {"8"}, set(), {"8": ("3",)}),
    "modgov_southwark_cabinet_2019-12-17_part_b.txt": ("notice + Part B heading", {"28", "29"}, set(), {}),
    "modgov_kirklees_cabinet_2020_colon_numbers.txt": ("'1:' numbers, admission of the public", set(), set(), {}),
    # inline exempt items arm only themselves
    "parish_gransden_2020-10_closed_item.txt": ("inline exempt item", {"6"}, set(), {}),
    "modgov_torbay_2019_following_item.txt": ("consider ... the following item", {"35"}, set(), {}),
    # public items with an exempt appendix
    "modgov_cityoflondon_sub_items_2019.txt": ("exempt appendix only", set(), {"10"}, {}),
    # private headings and definite motions
    "constructed_slough_part_ii.txt": ("Part II heading", {"8"}, set(), {}),
    "constructed_oxford_motions_17_n.txt": ("Part 2 heading, 17(n) numbers", {"18", "18a", "18b"}, set(), {"18": ("3",)}),
    "constructed_cityoflondon_non_public_agenda.txt": ("Part 2 non-public heading", {"7", "8", "9"}, set(), {}),
    "constructed_towerhamlets_restricted.txt": ("restricted section headings", {"9", "10", "11"}, set(), {}),
    "li_p_private_business.html": ("private business heading", {"6", "7"}, set(), {}),
    "outlook_word_mso_list.html": ("'likely to be excluded' heading", {"7", "8"}, set(), {}),
    "parish_kidsgrove_staffing_2022-06-06.txt": ("'press and public excluded' heading", {"7", "8"}, set(), {}),
    "modgov_cityoflondon_motion_item_2018.txt": ("definite motion item", {"9", "10", "11"}, set(), {}),
    "modgov_thurrock_cabinet_2024-10-09.txt": ("late exclusion heading before the last items", {"18", "19"}, set(), {}),
    "modgov_thurrock_general_services_2020-03-16.txt": ("exclusion heading ... inclusion of the public", {"5"}, set(), {}),
    # public throughout
    "modgov_oxford_council_2015_part2_public.txt": ("'PART 2 - PUBLIC ...' heading", set(), set(), {}),
    "modgov_oxford_council_2024_steps_in_item.txt": ("public", set(), set(), {}),
    "modgov_southwark_assembly_2019-07-17.txt": ("public, dotted sub-items", set(), set(), {}),
    "modgov_thurrock_council_2021-09-22.txt": ("public", set(), set(), {}),
    "cmis_birmingham_council_2020-12-01.txt": ("public, CMIS numbers", set(), set(), {}),
}

ALL = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".txt", ".html"))


def test_every_fixture_has_a_clerk_reading():
    assert sorted(CLERK) == ALL


@pytest.mark.parametrize("name", ALL)
def test_every_item_reads_as_a_clerk_reads_it(name):
    _, armed, appendix, paragraphs = CLERK[name]
    items = parsed(name).items
    numbers = {i.number for i in items}
    assert armed <= numbers and appendix <= numbers, (name, numbers)
    for i in items:
        assert (i.number, i.exempt) == (i.number, i.number in armed), name
        assert (i.number, i.appendix) == (i.number, i.number in appendix), name
        assert (i.number, i.paragraphs) == (i.number, paragraphs.get(i.number, ())), name
        # an armed or appendix item says why; a plain public item has no reason
        assert bool(i.reason) == (i.exempt or i.appendix), (name, i.number, i.reason)
        if i.reason:
            assert i.title not in i.reason


def figures() -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for name in ALL:
        template, armed, appendix, _ = CLERK[name]
        items = parsed(name).items
        row = out.setdefault(template, dict(fixtures=0, items=0, armed=0, appendix=0, over=0, under=0))
        row["fixtures"] += 1
        row["items"] += len(items)
        row["armed"] += sum(i.exempt for i in items)
        row["appendix"] += sum(i.appendix for i in items)
        row["over"] += sum(i.exempt and i.number not in armed for i in items)
        row["under"] += sum(not i.exempt and i.number in armed for i in items)
    return out


def test_no_public_item_is_armed_and_no_exempt_item_is_missed():
    total = {k: sum(r[k] for r in figures().values()) for k in ("items", "armed", "over", "under")}
    assert total["over"] == 0 and total["under"] == 0, total


if __name__ == "__main__":
    rows = figures()
    print(f"{'template':55} {'fix':>3} {'items':>5} {'armed':>5} {'appx':>4} {'over':>4} {'under':>5}")
    for template, r in rows.items():
        print(f"{template:55} {r['fixtures']:>3} {r['items']:>5} {r['armed']:>5} {r['appendix']:>4} {r['over']:>4} {r['under']:>5}")
    t = {k: sum(r[k] for r in rows.values()) for k in ("fixtures", "items", "armed", "appendix", "over", "under")}
    print(f"{'total':55} {t['fixtures']:>3} {t['items']:>5} {t['armed']:>5} {t['appendix']:>4} {t['over']:>4} {t['under']:>5}")
