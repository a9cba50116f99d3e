"""Captions, the pure parts: reading and writing cue files, the council's words, and the private
sessions no caption may cover. The sample track is invented (tests/fixtures/captions/README.md)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from meetstream.errors import ConfigError

from meetstream.services.captions.cues import CaptionFileError, Cue, parse, to_srt, to_vtt
from meetstream.services.captions.private import PAD_SECONDS, drop_private, windows
from meetstream.services.captions.service import caption_settings, caption_states
from meetstream.services.captions.vocab import correct, correct_text, vocabulary
from meetstream.core.domain import AgendaItem, Broadcast, Meeting, Member, TimelineEntry

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "captions" / "asr_planning_sample.vtt"
T0 = datetime(2026, 11, 3, 18, 30, tzinfo=timezone.utc)  # the video's actualStartTime

MEMBERS = (
    Member("Jane Smith", title="Cllr", role="Chair", ward="Brimington North"),
    Member("Peter Ludlow", title="Cllr", ward="Hasland"),
    Member("Amanda Serjeant", title="Cllr", ward="Staveley Central"),
    Member("Tom Murphy", title="Cllr", ward="Whittington Moor"),
)
AGENDA = (
    AgendaItem("1", "Apologies for absence"),
    AgendaItem("4", "Erection of 42 dwellings at Mastin Moor"),
    AgendaItem("5", "Sale of the depot site to a named bidder", exempt=True, reason="Part 2"),
)
MEETING = Meeting("m1", "Planning Committee", T0, T0 + timedelta(hours=1), room="chamber", agenda=AGENDA, members=MEMBERS)


def at(seconds: float, kind: str, item: str | None = None) -> TimelineEntry:
    return TimelineEntry("m1", T0 + timedelta(seconds=seconds), kind, item)


# The night, as the session recorded it: private for item 5 from 10:00 to 15:00, a recess 20:00-25:00.
TIMELINE = [at(0, "start"), at(5, "item", "1"), at(30, "item", "4"), at(600, "private", "5"), at(900, "public", "4"),
            at(1200, "recess"), at(1500, "resume"), at(1650, "end")]


def sample() -> list[Cue]:
    return parse(SAMPLE.read_text(encoding="utf-8"), name=str(SAMPLE))


def terms():
    return vocabulary(members=MEMBERS, committees=["Planning Committee"], titles=[i.title for i in AGENDA if not i.exempt],
                      glossary=["Section 106", "Mastin Moor"])


# --- files -------------------------------------------------------------------------------------

def test_a_youtube_asr_track_reads_with_its_header_and_word_timings_stripped():
    cues = sample()
    assert len(cues) == 16
    assert cues[7] == Cue(51_000, 55_000, "the section one oh six money should go to hazeland as well")


def test_webvtt_and_srt_round_trip_to_the_same_cues():
    cues = sample()
    assert parse(to_vtt(cues)) == cues
    assert parse(to_srt(cues), "srt") == cues
    assert "00:00:51,000 --> 00:00:55,000" in to_srt(cues)


def test_cues_out_of_order_are_put_in_time_order_on_import():
    text = ("1\n00:00:05,000 --> 00:00:06,000\nsecond\n\n2\n00:00:01,000 --> 00:00:02,000\nfirst\n\n"
            "3\n00:00:05,000 --> 00:00:05,500\nsecond, shorter\n")
    assert [c.text for c in parse(text, "srt")] == ["first", "second, shorter", "second"]
    vtt = to_vtt(parse(text, "srt"))
    assert vtt.index("first") < vtt.index("second")


@pytest.mark.parametrize("text, said", [
    ("WEBVTT\n\n00:00:01 --> soon\nhello\n", "line 3: '00:00:01 --> soon' is not a WebVTT timing line"),
    ("hello there\n", "not a WebVTT file (the first line must be WEBVTT)"),
    ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nbackwards\n", "cue 1 (0:05) ends before it starts"),
    ("1\n00:00:01,000 --> 00:00:02,000\nhi\n\nthree\n00:00:x --> y\nno\n", "line 6: '00:00:x --> y' is not an SRT timing line"),
])
def test_a_malformed_file_is_one_line_naming_what_is_wrong(text, said):
    with pytest.raises(CaptionFileError) as err:
        parse(text, name="edited.srt" if "SRT" in said else "edited.vtt")
    assert said in str(err.value) and "\n" not in str(err.value)


# --- the council's words -------------------------------------------------------------------------

def test_members_wards_and_committees_are_put_right_and_every_change_is_listed():
    fixed, changes = correct(sample(), terms())
    text = {c.start_ms: c.text for c in fixed}
    assert text[9_500] == "i'm Councillor Jane Smith and i chair this committee"
    assert text[14_000] == "apologies have been received from Councillor Ludlow"
    assert text[35_000] == "i call Councillor Serjeant from Staveley Central"
    assert text[41_000] == "thank you chair the residents of Brimington North have written to me"
    assert text[46_000] == "and Councillor Murphy for Whittington Moor also raised the drainage issue"
    assert text[5_000] == "good evening everyone and welcome to this meeting of the Planning Committee"
    assert text[51_000] == "the section one oh six money should go to Hasland as well"
    assert text[30_000].endswith("at Mastin Moor")
    assert text[1_560_000] == "the motion is carried thank you all"  # ordinary words are left alone
    first = changes[0]
    assert (first.at, first.before, first.after) == ("0:05", "good evening everyone and welcome to this meeting of the planning comittee",
                                                      "good evening everyone and welcome to this meeting of the Planning Committee")
    assert len(changes) == len([1 for a, b in zip(sample(), fixed) if a.text != b.text])


def test_the_glossary_can_say_what_a_term_is_heard_as():
    out = correct_text("the section one oh six money", terms(), {"section one oh six": "Section 106"})
    assert out == "the Section 106 money"


def test_a_near_miss_as_close_to_two_members_is_left_alone():
    t = vocabulary(members=(Member("Jon Smith", title="Cllr"), Member("Jan Smith", title="Cllr")))
    assert correct_text("councillor jen smith spoke", t) == "councillor jen smith spoke"


def test_ordinary_words_are_not_taken_for_names():
    for line in ("the smith family were there", "we will take item five now", "the council will now move on",
                 "more homes at the moor"):
        assert correct_text(line, terms()) == line


# --- private sessions --------------------------------------------------------------------------

def test_the_private_session_and_the_recess_are_the_windows_padded_either_side():
    ws = windows(MEETING, TIMELINE, T0)
    assert [(w.start, w.end, w.why) for w in ws] == [
        (600 - PAD_SECONDS, 900 + PAD_SECONDS, "private session"),
        (1200 - PAD_SECONDS, 1500 + PAD_SECONDS, "recess"),
    ]


def test_an_exempt_item_taken_in_public_is_a_window_too_and_a_session_left_private_runs_to_the_end():
    tl = [at(0, "start"), at(100, "item", "5"), at(200, "item", "4"), at(300, "private", "5")]
    ws = windows(MEETING, tl, T0)
    assert ws[0].start == 100 - PAD_SECONDS and ws[0].end == 200 + PAD_SECONDS
    assert ws[1].start == 300 - PAD_SECONDS and ws[1].end > 10 ** 8


def test_every_cue_in_a_private_session_or_recess_or_naming_an_exempt_item_is_dropped():
    kept, dropped = drop_private(sample(), MEETING, TIMELINE, T0)
    gone = {d.cue.start_ms // 1000: d.why for d in dropped}
    assert gone == {630: "private session", 720: "private session", 960: "names exempt item 5", 1210: "recess"}
    assert all("bidder" not in c.text and "depot" not in c.text for c in kept)
    assert all("depot" not in d.why for d in dropped)  # the reason never repeats the exempt title
    assert len(kept) == 12


def test_an_exempt_title_split_across_two_cues_drops_both():
    cues = [Cue(1000, 2000, "they asked about the sale of the depot"), Cue(2000, 3000, "site to a named bidder today"),
            Cue(3000, 4000, "next item")]
    kept, dropped = drop_private(cues, MEETING, [], T0)
    assert [c.text for c in kept] == ["next item"] and len(dropped) == 2


# --- settings and the deadline -------------------------------------------------------------------

def test_settings_without_a_captions_section_have_the_defaults():
    from meetstream.config import Settings

    s = Settings.model_validate({"council": {"name": "Example Borough Council"},
                                 "rooms": {"chamber": {"name": "Chamber", "scene_set": "scenes/council-chamber.yaml"}}})
    cs = caption_settings(s)
    assert cs.glossary == () and cs.deadline_days == 14 and cs.track_name == "English (reviewed by Example Borough Council)"


def test_settings_read_a_glossary_list_or_mapping_and_the_deadline(tmp_path):
    from meetstream.config import load_settings

    config = tmp_path / "meetstream.yaml"
    config.write_text("council: {name: Chesterfield Borough Council}\n"
                      "rooms:\n  chamber: {name: Council Chamber, scene_set: s.yaml}\n"
                      "captions:\n  glossary: {section one oh six: Section 106, Staveley: null}\n  deadline_days: 10\n")
    cs = caption_settings(load_settings(config))
    assert cs.replacements == {"section one oh six": "Section 106"} and set(cs.glossary) == {"Section 106", "Staveley"}
    assert cs.deadline_days == 10 and cs.track_name == "English (reviewed by Chesterfield Borough Council)"
    config.write_text("rooms:\n  chamber: {name: Council Chamber, scene_set: s.yaml}\ncaptions:\n  deadline_days: 0\n")
    with pytest.raises(ConfigError):
        load_settings(config)


def test_status_counts_the_days_left_from_the_end_of_the_meeting(store):
    from youtube_fixtures import settings_for

    store.upsert_meeting(MEETING)
    store.upsert_meeting(Meeting("m2", "Cabinet", T0 + timedelta(days=30), T0 + timedelta(days=30, hours=2)))
    store.save_broadcast(Broadcast("m1", "vid1", None, "Planning", T0, "public", "complete"))
    store.save_broadcast(Broadcast("m2", "vid2", None, "Cabinet", T0 + timedelta(days=30), "public", "created"))
    rows = caption_states(store, settings_for("http://127.0.0.1:9"), today=date(2026, 11, 10))
    assert list(rows) == ["m1"]  # a broadcast not yet held is no recording
    r = rows["m1"]
    assert (r.state, r.deadline, r.days_left, r.overdue) == ("none", date(2026, 11, 17), 7, False)
    late = caption_states(store, settings_for("http://127.0.0.1:9"), today=date(2026, 11, 20))["m1"]
    assert late.days_left == -3 and late.overdue


def test_the_webcast_report_counts_captions_past_the_deadline(store):
    import json
    from datetime import datetime, timezone

    from meetstream.services.publish.report import build_report, render
    from youtube_fixtures import settings_for

    store.upsert_meeting(MEETING)
    store.save_broadcast(Broadcast("m1", "vid1", None, "Planning", T0, "public", "complete"))
    now = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)  # three days past the 14-day deadline
    report = json.loads(render(build_report(settings_for("http://127.0.0.1:9"), store, now=now), "json"))
    row = next(m for m in report["meetings"] if m["id"] == "m1")
    assert row["captions"] == "none" and row["captions_overdue"] is True
    assert report["totals"]["captions_overdue"] == 1 and report["totals"]["captions_uploaded"] == 0


def test_an_srt_timestamp_of_twenty_digits_is_a_caption_file_error_not_an_overflow():
    with pytest.raises(CaptionFileError, match="not valid SRT"):
        parse("1\n99999999999999999999:00:00,000 --> 99999999999999999999:00:01,000\nHello\n", "srt", name="x.srt")
