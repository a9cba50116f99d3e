"""A whole meeting night end to end: real OBS, real nginx-rtmp, the Graph and YouTube simulators."""

import time
from pathlib import Path

import pytest

from meetstream.core.domain import SessionState
from meetstream.errors import MeetstreamError
from meetstream.services.night import end_meeting, on_air_record, start_meeting
from meetstream.services.watchdog import Watchdog

from night_fixtures import night  # noqa: F401  (fixture)
from obs_helpers import close_to, program_rgb

pytestmark = [pytest.mark.obs, pytest.mark.rtmp]

PRIVATE_RED = (0x7A, 0x10, 0x20)
MICS = ("Chamber microphones", "Teams audio")


def on_program(obs):
    return obs.call("GetCurrentProgramScene")["currentProgramSceneName"]


def mics_muted(obs):
    states = {m: obs.call("GetInputMute", {"inputName": m})["inputMuted"] for m in MICS}
    assert len(set(states.values())) == 1, states
    return states[MICS[0]]


def broadcast(night):
    b = night.store.get_broadcast(night.meeting.id)
    return night.youtube_sim.broadcasts[b.broadcast_id]


def wait_for(what, predicate, timeout=15):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_a_whole_meeting_with_a_private_session(night, obs):
    m, s = night.meeting, night.session
    exempt = [i for i in m.agenda if i.exempt]
    assert exempt, "the sample council's Full Council has a Part 2 item"

    record = start_meeting(s, night.outputs, night.onair, stream_timeout=30)
    assert on_program(obs) == "Holding" and mics_muted(obs)
    assert obs.call("GetStreamStatus")["outputActive"]
    key = night.youtube_sim.streams[record["stream_id"]]["cdn"]["ingestionInfo"]["streamName"]
    assert key in night.rtmp.publishing()
    assert broadcast(night)["status"]["lifeCycleStatus"] == "live"

    night.clock.skip()
    s.chamber()
    assert on_program(obs) == "Chamber" and not mics_muted(obs)
    for item in m.agenda:
        night.clock.skip()
        s.go_to_item(item.number)
        if item.exempt:
            assert s.state is SessionState.PRIVATE
            assert on_program(obs) == "Private session" and mics_muted(obs)
            assert close_to(program_rgb(obs), PRIVATE_RED)
            text = obs.call("GetInputSettings", {"inputName": "Agenda overlay"})["inputSettings"]["text"]
            assert item.title not in text
            continue
        if s.state is SessionState.PRIVATE:
            assert on_program(obs) == "Private session" and mics_muted(obs)  # leaving Part 2 waits for the officer
            s.public()
        assert on_program(obs) == "Chamber" and not mics_muted(obs)
        s.speaker(m.members[0].name)
        assert on_program(obs) in ("Speaker", "Chamber") and not mics_muted(obs)

    night.clock.skip()
    summary = end_meeting(s, night.outputs, night.onair, quota_after=night.store.quota_after)
    assert on_program(obs) == "Adjourned" and mics_muted(obs)
    assert not obs.call("GetStreamStatus")["outputActive"]
    wait_for("the publish to end", lambda: key not in night.rtmp.publishing())
    b = broadcast(night)
    assert b["status"]["lifeCycleStatus"] == "complete"
    description = night.youtube_sim.videos[b["id"]]["snippet"]["description"]
    assert summary.chapters and summary.chapters in description
    assert description.count("\n0:00 ") == 1
    assert "Private session (public excluded)" in summary.chapters
    for item in exempt:
        assert item.title not in description
    kinds = [e.kind for e in night.store.timeline(m.id)]
    assert kinds[:3] == ["holding", "start", "chamber"] and kinds[-2:] == ["adjourned", "end"]
    assert "private" in kinds and "public" in kinds
    # start + end, all in: lists to check the broadcast and stream, complete, chapters
    assert 100 < summary.quota_units < 250
    assert on_air_record(night.store, "chamber") is None


def test_a_start_whose_stream_never_arrives_leaves_obs_on_the_slate_with_the_output_stopped(night, obs):
    night.rtmp.stop()  # the ingest is down: OBS cannot publish, YouTube never sees the stream
    with pytest.raises(MeetstreamError):
        start_meeting(night.session, night.outputs, night.onair, stream_timeout=3)
    assert on_program(obs) == "Holding" and mics_muted(obs)
    assert not obs.call("GetStreamStatus")["outputActive"]
    assert broadcast(night)["status"]["lifeCycleStatus"] in ("created", "ready")


def test_a_killed_console_resumes_with_the_timeline_intact_and_obs_put_back(night, obs, chamber_set):
    from meetstream import bootstrap

    start_meeting(night.session, night.outputs, night.onair, stream_timeout=30)
    night.session.chamber()
    exempt = next(i for i in night.meeting.agenda if i.exempt)
    night.session.go_to_item(exempt.number)
    before = [e.kind for e in night.store.timeline(night.meeting.id)]
    del night.session  # the console process dies here
    obs.call("SetCurrentProgramScene", {"sceneName": "Chamber"})  # and someone clicks in OBS meanwhile

    room = bootstrap.room(night.settings, night.store, "chamber")  # what a restarted console or serve builds
    resumed = room.session
    try:
        assert resumed.meeting.id == night.meeting.id and resumed.state is SessionState.PRIVATE
        resumed.reassert()
        assert on_program(obs) == "Private session" and mics_muted(obs)
        assert [e.kind for e in night.store.timeline(night.meeting.id)] == before
    finally:
        room.close()


def test_obs_restarting_while_private_comes_back_private_and_streaming(night, obs, obs_server):
    s = night.session
    start_meeting(s, night.outputs, night.onair, stream_timeout=30)
    s.chamber()
    s.private()
    dog = Watchdog(s, night.outputs)
    obs_server.kill()
    obs_server.start()
    health = dog.tick()  # reconnects: the set is re-applied, private re-asserted; the output restarted
    assert on_program(obs) == "Private session" and mics_muted(obs)
    assert close_to(program_rgb(obs), PRIVATE_RED)
    assert obs.call("GetStreamStatus")["outputActive"] or any("restart asked" in p for p in health.problems)
    wait_for("OBS to publish again", lambda: obs.call("GetStreamStatus")["outputActive"])
    incidents = [e.detail["what"] for e in night.store.timeline(night.meeting.id) if e.kind == "incident"]
    assert "stream output stopped; restart asked of OBS" in incidents


def test_an_output_drop_on_air_is_restarted_and_youtube_sees_the_stream_again(night, obs):
    s = night.session
    record = start_meeting(s, night.outputs, night.onair, stream_timeout=30)
    s.chamber()
    key = night.youtube_sim.streams[record["stream_id"]]["cdn"]["ingestionInfo"]["streamName"]
    dog = Watchdog(s, night.outputs, youtube_health=lambda: night.onair.health(record["stream_id"]), youtube_every=60)
    dog.tick()
    obs.call("StopStream")
    wait_for("the output to stop", lambda: not obs.call("GetStreamStatus")["outputActive"])
    wait_for("YouTube to see the stream go", lambda: night.youtube_sim.streams[record["stream_id"]]["status"]["streamStatus"] != "active")
    health = dog.tick()
    assert "restart asked (attempt 1)" in " ".join(health.problems)
    wait_for("nginx to see the publish again", lambda: key in night.rtmp.publishing())
    wait_for("YouTube to see the stream again", lambda: night.youtube_sim.streams[record["stream_id"]]["status"]["streamStatus"] == "active")
    assert broadcast(night)["status"]["lifeCycleStatus"] == "live"  # auto-stop is off: the broadcast survived
    assert dog.youtube_checks == 1  # once a minute at most: the second tick did not spend quota


def test_the_cli_runs_the_night(night, cli, obs):
    started = cli("start", "next")
    assert started.code == 0, started
    assert "✓ Broadcast bound to the room's stream" in started.out and "✓ On air" in started.out
    key = next(iter(night.youtube_sim.streams.values()))["cdn"]["ingestionInfo"]["streamName"]
    assert key not in started.out + started.err
    assert cli("cue", "chamber").code == 0
    exempt = next(i for i in night.meeting.agenda if i.exempt)
    went = cli("cue", "item", exempt.number)
    assert went.code == 0 and went.out.startswith("PRIVATE")
    assert on_program(obs) == "Private session" and mics_muted(obs)
    ended = cli("end")
    assert ended.code == 0, ended
    assert "✓ Broadcast completed" in ended.out
    assert "✓ Chapters — fewer than three chapters: none written" in ended.out  # seconds long: no chapter lasts 10 s
    assert exempt.title not in ended.out
    assert on_program(obs) == "Adjourned"


def test_start_without_a_scheduled_broadcast_is_one_line(night, cli, obs):
    from meetstream.core.timefmt import now_utc

    later = [m for m in night.store.meetings(now_utc(), room="chamber")][1]
    night.store.forget_broadcast(later.id)
    result = cli("start", later.id)
    assert result.code == 2
    assert result.err.strip() == f"Error: meeting {later.id!r} has no YouTube broadcast yet (run `meetstream schedule`)"
    assert on_program(obs) != "Chamber"


def test_a_backup_recording_runs_from_start_to_end(night, obs, tmp_path):
    obs.call("SetProfileParameter", {"parameterCategory": "SimpleOutput", "parameterName": "FilePath", "parameterValue": str(tmp_path)})
    start_meeting(night.session, night.outputs, night.onair, record_backup=True, stream_timeout=30)
    assert obs.call("GetRecordStatus")["outputActive"]
    night.session.chamber()
    wait_for("OBS to write some of the recording", lambda: obs.call("GetRecordStatus")["outputBytes"] > 0)
    summary = end_meeting(night.session, night.outputs, night.onair, quota_after=night.store.quota_after)
    assert not obs.call("GetRecordStatus")["outputActive"]
    assert summary.recording and summary.recording.startswith(str(tmp_path))
    wait_for("OBS to finish the file", lambda: Path(summary.recording).exists() and Path(summary.recording).stat().st_size > 0)


@pytest.mark.parametrize("failure", [{"status": 503, "reason": "backendError"}, {"status": 403, "reason": "quotaExceeded"}])
def test_end_while_youtube_fails_finishes_the_local_side_and_says_what_is_left(night, cli, obs, failure):
    assert cli("start", "next").code == 0
    assert cli("cue", "chamber").code == 0
    night.youtube_sim.fail_next(None, count=50, **failure)  # every YouTube call fails from now on
    ended = cli("end")
    assert ended.code == 2
    assert ended.err.startswith("Error: the meeting is closed here, but") and ended.err.count("\n") == 1
    assert "run `meetstream end` again when YouTube answers" in ended.err
    assert "still to do" in ended.out and "Agenda items covered" in ended.out  # the summary is printed
    assert on_program(obs) == "Adjourned" and mics_muted(obs)
    assert not obs.call("GetStreamStatus")["outputActive"]  # the output is stopped all the same
    kinds = [e.kind for e in night.store.timeline(night.meeting.id)]
    assert kinds.count("end") == 1
    night.youtube_sim.clear_failures()  # YouTube answers again
    again = cli("end")
    assert again.code == 0, again
    assert "✓ Broadcast completed" in again.out
    assert [e.kind for e in night.store.timeline(night.meeting.id)].count("end") == 1


def test_start_after_obs_came_back_public_during_a_private_session_streams_nothing_but_the_slate(night, obs, obs_server, cli):
    """OBS crashed in a private session and came back on a saved public scene (a speaker, the
    microphones live); with nothing else running the officer runs `start next`. The recorded
    private session is put back before the output starts: no sample of the test's own observer
    while streaming, and no frame a viewer pulls from nginx, is anything but the private slate."""
    import json
    import shutil
    import subprocess

    from helpers import OBS_PASSWORD
    from obs_helpers import average_rgb
    from private_observer import Observer

    s = night.session
    start_meeting(s, night.outputs, night.onair, stream_timeout=30)
    s.speaker(night.meeting.members[0].name)
    s.private()
    collection = obs.call("GetSceneCollectionList")["currentSceneCollectionName"]
    obs_server.kill()  # the crash: the stream goes with it
    scenes = obs_server.home / ".config" / "obs-studio" / "basic" / "scenes"  # OBS names the file after the collection, sanitised
    saved = next(p for p in scenes.glob("*.json") if json.loads(p.read_text()).get("name") == collection)
    doc = json.loads(saved.read_text())
    doc["current_program_scene"] = doc["current_scene"] = "Speaker"  # as last saved before the crash
    for source in doc["sources"]:
        if source.get("id") != "scene":
            source["muted"] = False
    saved.write_text(json.dumps(doc))
    obs_server.start(collection=collection)

    with Observer(obs_server.port, OBS_PASSWORD) as seen:
        seen.wait_samples(3)
        assert seen.samples[-1].program == "Speaker" and seen.samples[-1].live_audio  # public, as the crash left it
        assert s.store.session("chamber")["state"] is SessionState.PRIVATE
        started = cli("start", "next")
        assert started.code == 0, started
        status = obs.call("GetStreamStatus")
        assert status["outputActive"]
        streaming_since = time.monotonic() - status["outputDuration"] / 1000 - 0.2  # 0.2 s to spare
        key = night.youtube_sim.streams[on_air_record(s.store, "chamber")["stream_id"]]["cdn"]["ingestionInfo"]["streamName"]
        frames, tries = [], 0
        while len(frames) < 3:  # what a viewer sees, pulled from the ingest as a player would
            out = subprocess.run([shutil.which("ffmpeg"), "-loglevel", "error", "-rw_timeout", "10000000", "-i",
                                  night.rtmp.play_url(key), "-frames:v", "1", "-vf", "scale=64:36", "-f", "image2pipe",
                                  "-vcodec", "bmp", "-"], capture_output=True, timeout=60)
            tries += 1
            if out.returncode == 0:
                frames.append(average_rgb(out.stdout))
            else:  # a player that joins before the first key frame sees no picture yet: it tries again
                assert tries < 20, out.stderr
                time.sleep(0.5)
        seen.wait_samples(3)
    while_streaming = [x for x in seen.samples if x.t >= streaming_since and not x.down]
    assert len(while_streaming) >= 5
    assert [x for x in while_streaming if not x.private] == []
    assert all(close_to(rgb, PRIVATE_RED, tolerance=50) for rgb in frames), frames
    assert "Recorded state put back in OBS — Private session" in started.out
    end_meeting(s, night.outputs, night.onair)
