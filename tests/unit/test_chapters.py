"""Timeline -> chapters: YouTube's rules, and no exempt title ever published."""

from datetime import datetime, timedelta, timezone

from meetstream.core.chapters import chapter_text, chapters, fmt
from meetstream.core.domain import AgendaItem, Meeting, TimelineEntry

T0 = datetime(2026, 12, 1, 18, 30, tzinfo=timezone.utc)
MEETING = Meeting(
    id="m", committee="Full Council", start=T0, end=T0 + timedelta(hours=3),
    agenda=(AgendaItem("1", "Apologies"), AgendaItem("2", "Budget"), AgendaItem("3", "Land at Station Road", exempt=True),
            AgendaItem("4", "Any other business")),
)


def at(seconds, kind, item=None):
    return TimelineEntry("m", T0 + timedelta(seconds=seconds), kind, item)


def test_a_meeting_with_a_private_session_and_a_recess():
    timeline = [
        at(0, "holding"), at(95, "chamber"), at(100, "item", "1"), at(400, "item", "2"), at(420, "speaker", "2"),
        at(1800, "recess", "2"), at(2400, "resume", "2"), at(3000, "private", "3"), at(3900, "item", "4"),
        at(3960, "public", "4"), at(4500, "adjourned", "4"),
    ]
    text = chapter_text(chapters(MEETING, timeline, T0, T0 + timedelta(seconds=4600)))
    assert text == (
        "0:00 Opening of the meeting\n"
        "1:40 1. Apologies\n"
        "6:40 2. Budget\n"
        "30:00 Recess\n"
        "40:00 2. Budget\n"
        "50:00 Private session (public excluded)\n"
        "1:06:00 4. Any other business"
    )
    assert "Station Road" not in text


def test_chapters_shorter_than_ten_seconds_give_way_to_the_next():
    timeline = [at(30, "item", "1"), at(35, "item", "2"), at(300, "item", "4")]
    assert chapters(MEETING, timeline, T0, T0 + timedelta(seconds=600)) == [
        (0, "Opening of the meeting"), (30, "2. Budget"), (300, "4. Any other business")]


def test_a_short_opening_is_relabelled_but_stays_at_zero():
    timeline = [at(3, "item", "1"), at(200, "item", "2"), at(400, "item", "4")]
    got = chapters(MEETING, timeline, T0, T0 + timedelta(seconds=600))
    assert got[0] == (0, "1. Apologies") and len(got) == 3


def test_fewer_than_three_chapters_writes_none():
    assert chapters(MEETING, [at(60, "item", "1")], T0, T0 + timedelta(seconds=600)) == []


def test_entries_before_the_video_started_count_from_zero_and_a_last_short_chapter_is_dropped():
    timeline = [at(-50, "item", "1"), at(100, "item", "2"), at(200, "item", "4"), at(595, "item", "1")]
    got = chapters(MEETING, timeline, T0, T0 + timedelta(seconds=600))
    assert got == [(0, "1. Apologies"), (100, "2. Budget"), (200, "4. Any other business")]


def test_time_format():
    assert [fmt(s) for s in (0, 59, 61, 3600, 3725)] == ["0:00", "0:59", "1:01", "1:00:00", "1:02:05"]


def test_a_public_item_with_a_vote_carries_its_result_and_an_exempt_one_never_its_title():
    def vote(seconds, item, line):
        return TimelineEntry("m", T0 + timedelta(seconds=seconds), "vote", item, {"line": line, "motion": "That Station Road be sold"})

    timeline = [
        at(0, "holding"), at(100, "item", "1"), at(400, "item", "2"), vote(900, "2", "carried 9–3–1"),
        at(1200, "private", "3"), vote(1500, "3", "lost 4–8–0"), at(1800, "public", "4"), at(2400, "adjourned", "4"),
    ]
    text = chapter_text(chapters(MEETING, timeline, T0, T0 + timedelta(seconds=2500)))
    assert "6:40 2. Budget — carried 9–3–1" in text
    assert "Station Road" not in text and "lost 4–8–0" not in text
