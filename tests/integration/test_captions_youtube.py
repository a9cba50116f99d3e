"""The caption round against the YouTube simulator's captions resources (sandbox/youtube_captions.py,
each rule cited there): fetch the ASR track, correct it, drop private cues, review round-trip,
upload that replaces (never duplicates), the quota ledger, and bad input as one line, exit 2."""

from __future__ import annotations

from datetime import timedelta

import pytest

from meetstream.services.captions import correct, export_review, fetch, import_review, upload
from meetstream.services.captions.cues import parse
from meetstream.core.domain import Broadcast
from meetstream.errors import YouTubeError
from meetstream.adapters.youtube.captions import CaptionTracks, CaptionsUnavailable

from unit.test_captions import MEETING, SAMPLE, T0, TIMELINE  # the meeting, its night and the invented sample
from youtube_fixtures import settings_for, write_config, youtube, youtube_sandbox, youtube_settings  # noqa: F401

VIDEO = "vidPlanning1"
NAME = "English (reviewed by Example Borough Council)"


def recorded(sim, store) -> None:
    """A completed broadcast: the video on the simulator, the broadcast and timeline in the store."""
    with sim._lock:
        sim.videos[VIDEO] = {"kind": "youtube#video", "etag": "e", "id": VIDEO,
                             "snippet": {"title": "Planning Committee", "description": "", "categoryId": "25"},
                             "liveStreamingDetails": {"actualStartTime": T0.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                                                      "actualEndTime": (T0 + timedelta(minutes=28)).strftime("%Y-%m-%dT%H:%M:%S.000Z")}}
    store.upsert_meeting(MEETING)
    store.save_broadcast(Broadcast(MEETING.id, VIDEO, None, "Planning Committee", T0, "public", "complete"))
    for e in TIMELINE:
        store.append_timeline(e)


@pytest.fixture
def tracks(youtube_sandbox, youtube, store):
    recorded(youtube_sandbox, store)
    youtube_sandbox.add_asr_track(VIDEO, SAMPLE.read_text(encoding="utf-8"))
    return CaptionTracks(youtube)


def ours(sim) -> list[dict]:
    return [t for t in sim.caption_tracks.values() if t["snippet"]["name"] == NAME]


def test_fetch_downloads_the_asr_track_and_the_ledger_counts_the_round(tracks, youtube_sandbox, youtube_settings, store):
    got = fetch(store, youtube_settings, MEETING, tracks)
    assert got.cues == 16 and got.source.startswith("youtube:ASR:en:")
    # videos.list 1 (the video's start, for the private windows) + captions.list 50 + captions.download 200
    assert got.units == 251
    assert [(c.method, c.units) for c in youtube_sandbox.calls] == [("videos.list", 1), ("captions.list", 50), ("captions.download", 200)]
    assert tracks.client.ledger.spent_today() == youtube_sandbox.spent_today() == 251
    assert store.caption_record(MEETING.id)["state"] == "fetched"


def test_correct_fixes_names_and_wards_and_drops_every_private_cue(tracks, youtube_settings, store):
    fetch(store, youtube_settings, MEETING, tracks)
    result = correct(store, youtube_settings, MEETING)
    after = {c.at: c.after for c in result.changes}
    assert after["0:09"] == "i'm Councillor Jane Smith and i chair this committee"
    assert after["0:35"] == "i call Councillor Serjeant from Staveley Central"
    assert after["0:46"] == "and Councillor Murphy for Whittington Moor also raised the drainage issue"
    assert "12:00" not in after  # "councillor smyth" in the private session: dropped, its change not shown
    assert {d.cue.at(): d.why for d in result.dropped} == {"10:30": "private session", "12:00": "private session",
                                                          "16:00": "names exempt item 5", "20:10": "recess"}
    stored = store.caption_record(MEETING.id)
    assert stored["state"] == "corrected" and "bidder" not in stored["corrected"] and "depot" not in stored["corrected"]


def test_review_round_trip_keeps_the_edit_and_drops_a_private_cue_put_back(tracks, youtube_settings, store, tmp_path):
    fetch(store, youtube_settings, MEETING, tracks)
    correct(store, youtube_settings, MEETING)
    path = tmp_path / "planning.srt"
    assert export_review(store, MEETING, path) == 12
    text = path.read_text(encoding="utf-8")
    assert "00:00:09,500 --> 00:00:13,000" in text  # SRT, by the file's name
    edited = text.replace("i'm Councillor Jane Smith", "I'm Councillor Jane Smith")
    edited += "\n13\n00:11:00,000 --> 00:11:04,000\nthe depot offer was confidential\n"  # a hand edit puts one back
    path.write_text(edited, encoding="utf-8")
    got = import_review(store, MEETING, path)
    assert got.cues == 12 and [(d.cue.at(), d.why) for d in got.dropped] == [("11:00", "private session")]
    reviewed = parse(store.caption_record(MEETING.id)["reviewed"], "vtt")
    assert any(c.text.startswith("I'm Councillor Jane Smith") for c in reviewed)
    assert not any("depot" in c.text for c in reviewed)


def test_upload_inserts_once_then_replaces_and_never_duplicates(tracks, youtube_sandbox, youtube_settings, store, tmp_path):
    fetch(store, youtube_settings, MEETING, tracks)
    correct(store, youtube_settings, MEETING)
    path = tmp_path / "planning.vtt"
    export_review(store, MEETING, path)
    import_review(store, MEETING, path)
    mark = youtube_sandbox.spent_today()

    first = upload(store, youtube_settings, MEETING, tracks)
    assert (first.action, first.units) == ("inserted", 450)  # captions.list 50 + captions.insert 400
    assert len(ours(youtube_sandbox)) == 1 and ours(youtube_sandbox)[0]["snippet"]["status"] == "serving"

    again = upload(store, youtube_settings, MEETING, tracks)
    assert (again.action, again.units) == ("unchanged", 0)

    path.write_text(path.read_text(encoding="utf-8").replace("the motion is carried", "The motion is carried."), encoding="utf-8")
    import_review(store, MEETING, path)
    second = upload(store, youtube_settings, MEETING, tracks)
    assert (second.action, second.units) == ("updated", 500)  # captions.list 50 + captions.update 450
    [track] = ours(youtube_sandbox)
    assert track["id"] == first.track_id and "The motion is carried." in youtube_sandbox.track_text(track["id"])
    assert "bidder" not in youtube_sandbox.track_text(track["id"])
    assert youtube_sandbox.spent_today() - mark == 950
    assert tracks.client.ledger.spent_today() == youtube_sandbox.spent_today()


def test_a_track_of_ours_made_twice_is_put_back_to_one(tracks, youtube_sandbox, youtube_settings, store, tmp_path):
    fetch(store, youtube_settings, MEETING, tracks)
    correct(store, youtube_settings, MEETING)
    path = tmp_path / "p.vtt"
    export_review(store, MEETING, path)
    import_review(store, MEETING, path)
    tracks.insert(VIDEO, "en-GB", NAME, b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nold\n")
    youtube_sandbox.caption_tracks[ours(youtube_sandbox)[0]["id"]]["snippet"]["name"] = NAME
    got = upload(store, youtube_settings, MEETING, tracks)
    assert got.action == "updated" and len(ours(youtube_sandbox)) == 1


def test_asr_download_refused_says_how_to_use_a_file_instead(tracks, youtube_sandbox, youtube_settings, store, tmp_path):
    youtube_sandbox.forbid_asr_download()
    with pytest.raises(CaptionsUnavailable, match="--from FILE"):
        fetch(store, youtube_settings, MEETING, tracks)
    transcript = tmp_path / "transcript.srt"
    transcript.write_text("1\n00:00:05,000 --> 00:00:09,000\nwelcome to the planning comittee\n", encoding="utf-8")
    got = fetch(store, youtube_settings, MEETING, tracks, source_file=transcript)
    assert got.source == "file:transcript.srt" and got.cues == 1


def test_no_automatic_track_yet_is_one_line(youtube_sandbox, youtube, youtube_settings, store):
    recorded(youtube_sandbox, store)
    with pytest.raises(YouTubeError, match="no automatic captions"):
        fetch(store, youtube_settings, MEETING, CaptionTracks(youtube))


# --- the command line --------------------------------------------------------------------------

@pytest.fixture
def configured(tmp_path, youtube_sandbox, monkeypatch):
    from meetstream.store import Store

    monkeypatch.setenv("MEETSTREAM_CONFIG", str(write_config(tmp_path, youtube_sandbox.url)))
    monkeypatch.setenv("MEETSTREAM_STATE", str(tmp_path / "state.sqlite3"))
    with Store.open(tmp_path / "state.sqlite3") as s:
        recorded(youtube_sandbox, s)
    youtube_sandbox.add_asr_track(VIDEO, SAMPLE.read_text(encoding="utf-8"))
    return youtube_sandbox


def test_the_whole_round_from_the_command_line(cli, configured, tmp_path):
    ref = MEETING.id
    fetched = cli("captions", "fetch", ref)
    assert fetched.code == 0, fetched
    assert "Fetched 16 cue(s) for Planning Committee from youtube; spent 251 quota units." in fetched.out
    corrected = cli("captions", "correct", ref)
    assert corrected.code == 0, corrected
    assert "    0:35  i call councillor sergeant from stavely central\n       →  i call Councillor Serjeant from Staveley Central" in corrected.out
    assert "10:30  private session" in corrected.out and "bidder" not in corrected.out and "depot" not in corrected.out
    path = tmp_path / "review.vtt"
    assert cli("captions", "review", ref, "--export", str(path)).code == 0
    imported = cli("captions", "review", ref, "--import", str(path))
    assert imported.code == 0 and "Imported 12 cue(s)" in imported.out
    up = cli("captions", "upload", ref)
    assert up.code == 0 and f"Inserted '{NAME}' on the video; spent 450 quota units." in up.out
    status = cli("captions", "status", "--json")
    import json

    [row] = json.loads(status.out)
    assert row["state"] == "uploaded" and row["meeting"] == ref and row["overdue"] is False


def test_a_malformed_vtt_on_import_is_one_error_line_and_exit_2(cli, configured, tmp_path):
    ref = MEETING.id
    cli("captions", "fetch", ref)
    cli("captions", "correct", ref)
    bad = tmp_path / "edited.vtt"
    bad.write_text("WEBVTT\n\n00:00:05.000 -> 00:00:09.000\nhello\n", encoding="utf-8")
    result = cli("captions", "review", ref, "--import", str(bad))
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "is not a WebVTT timing line" in lines[0]


def test_upload_before_review_says_what_to_do_next(cli, configured):
    cli("captions", "fetch", MEETING.id)
    result = cli("captions", "upload", MEETING.id)
    assert result.code == 2 and "run `meetstream captions correct MEETING`" in result.err
