"""The obs and cue commands, end to end: config file -> CLI -> real OBS -> store."""

import logging

import pytest

from meetstream.store import Store

from helpers import OBS_PASSWORD

pytestmark = pytest.mark.obs


def test_obs_apply_then_apply_again_sends_nothing(cli, room_config, obs):
    first = cli("obs", "apply")
    assert first.code == 0, first
    assert "created" in first.out
    second = cli("obs", "apply")
    assert second.code == 0
    assert "OBS already matches 'Council chamber with Teams members': nothing sent." in second.out


def test_obs_apply_dry_run_prints_the_plan_and_changes_nothing(cli, room_config, obs):
    result = cli("obs", "apply", "--dry-run")
    assert result.code == 0
    assert "would send CreateScene Private session" in result.out
    assert "Private session" not in {s["sceneName"] for s in obs.call("GetSceneList")["scenes"]}


def test_obs_check_exits_1_and_lists_differences(cli, room_config, obs):
    cli("obs", "apply")
    obs.call("RemoveScene", {"sceneName": "Adjourned"})
    result = cli("obs", "check")
    assert result.code == 1
    assert "- scene 'Adjourned': missing" in result.out
    cli("obs", "apply")
    assert cli("obs", "check").code == 0


def test_obs_status_shows_program_scene_outputs_and_mutes(cli, room_config, obs):
    cli("obs", "apply")
    cli("cue", "private")
    result = cli("obs", "status")
    assert result.code == 0
    assert "Program scene: Private session" in result.out
    assert "Stream: off" in result.out
    assert "  muted  Chamber microphones\n" in result.out


def test_cue_commands_drive_obs_and_the_timeline(cli, room_config, obs, sample_meeting, tmp_path):
    cli("obs", "apply")
    with Store.open(tmp_path / "state.sqlite3") as store:
        store.upsert_meeting(sample_meeting)
    assert cli("cue", "chamber", "--meeting", sample_meeting.id).code == 0
    result = cli("cue", "speaker", "Jane Smith", "--item", "4")
    assert result.code == 0, result
    assert "ON AIR: program 'Speaker'" in result.out and "speaker Cllr Jane Smith" in result.out
    result = cli("cue", "next")  # item 5 is exempt
    assert result.code == 0
    assert result.out.startswith("PRIVATE: program 'Private session', all 2 audio input(s) muted")
    assert "Staffing" not in result.out
    refused = cli("cue", "speaker", "Amir Khan")
    assert refused.code == 2
    assert refused.err == "Error: item 5 is exempt: speakers are not shown in a private session\n"
    assert obs.call("GetCurrentProgramScene")["currentProgramSceneName"] == "Private session"
    cli("cue", "next")
    assert cli("cue", "public").code == 0
    with Store.open(tmp_path / "state.sqlite3") as store:
        kinds = [e.kind for e in store.timeline(sample_meeting.id)]
    assert kinds == ["chamber", "speaker", "private", "item", "public"]


def test_unknown_member_and_unknown_item_are_one_line_errors(cli, room_config, obs, sample_meeting, tmp_path):
    cli("obs", "apply")
    with Store.open(tmp_path / "state.sqlite3") as store:
        store.upsert_meeting(sample_meeting)
    cli("cue", "chamber", "--meeting", sample_meeting.id)
    bad_member = cli("cue", "speaker", "Nobody Atall")
    assert bad_member.code == 2
    assert bad_member.err.count("\n") == 1 and "no member 'Nobody Atall'" in bad_member.err
    bad_item = cli("cue", "item", "42")
    assert bad_item.code == 2 and "no agenda item '42'" in bad_item.err


def test_the_obs_password_never_reaches_output_or_logs_even_with_debug(cli, room_config, obs, caplog):
    caplog.set_level(logging.DEBUG)
    results = [cli("--debug", "obs", "apply"), cli("--debug", "cue", "private"), cli("--debug", "obs", "status")]
    for r in results:
        assert r.code == 0, r
        assert OBS_PASSWORD not in r.out + r.err
    assert OBS_PASSWORD not in caplog.text
    assert all(OBS_PASSWORD not in repr(rec.args) for rec in caplog.records)


def test_json_output_of_obs_status_check_and_cue_matches_what_obs_reports(cli, room_config, obs, sample_meeting, tmp_path):
    import json

    cli("obs", "apply")
    with Store.open(tmp_path / "state.sqlite3") as store:
        store.upsert_meeting(sample_meeting)
    cued = cli("cue", "private", "--meeting", sample_meeting.id, "--json")
    assert cued.code == 0, cued
    record = json.loads(cued.out)
    program = obs.call("GetCurrentProgramScene")["currentProgramSceneName"]  # the test's own client
    assert record["ok"] and record["state"]["private"] and record["state"]["state"] == "private"
    assert record["read_back"]["program"] == program == "Private session" and record["read_back"]["all_muted"]
    status = json.loads(cli("obs", "status", "--json").out)
    assert status["program_scene"] == program and status["streaming"] is False
    assert status["audio"]["Chamber microphones"] is obs.call("GetInputMute", {"inputName": "Chamber microphones"})["inputMuted"] is True
    obs.call("RemoveScene", {"sceneName": "Adjourned"})
    check = cli("obs", "check", "--json")
    assert check.code == 1
    assert {"where": "scene 'Adjourned'", "what": "missing"} in json.loads(check.out)["differences"]

