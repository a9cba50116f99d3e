"""YouTube's refusals become one clear line (exit 2 at the CLI); the commands over the simulator."""

import json

import pytest

from meetstream.errors import YouTubeError
from meetstream.services.schedule import schedule
from meetstream.adapters.youtube.auth import load_credentials
from meetstream.services.streams import room_streams

from youtube_fixtures import meeting, settings_for, write_config, youtube, youtube_sandbox, youtube_settings  # noqa: F401


def test_a_5xx_is_retried_with_backoff_and_the_failed_try_costs_one_unit(store, youtube_sandbox, youtube_settings):
    from meetstream.bootstrap import youtube_client as build_client

    slept = []
    client = build_client(youtube_settings, store, sleep=slept.append)
    store.upsert_meeting(meeting("m1"))
    youtube_sandbox.fail_next("liveBroadcasts.insert", status=503, count=2)
    result = schedule(youtube_settings, store, client=client)
    assert [o for _, o in result.done] == ["created"]
    inserts = [(c.status, c.units) for c in youtube_sandbox.calls if c.method == "liveBroadcasts.insert"]
    assert inserts == [(503, 1), (503, 1), (200, 50)]
    assert slept == [1.0, 2.0]
    assert client.ledger.spent_today() == youtube_sandbox.spent_today() == 153


def test_quota_exceeded_is_one_line_saying_when_it_resets_and_is_not_retried(store, youtube_sandbox, youtube_settings, youtube):
    store.upsert_meeting(meeting("m1"))
    youtube_sandbox.exhaust_quota()
    with pytest.raises(YouTubeError, match="daily API quota is used up; it resets at midnight Pacific time"):
        schedule(youtube_settings, store, client=youtube)
    assert [c.reason for c in youtube_sandbox.calls] == ["quotaExceeded"]


def test_a_channel_not_enabled_for_live_streaming_is_told_how_to_enable_it(store, youtube_sandbox, youtube_settings, youtube):
    youtube_sandbox.live_streaming_enabled = False
    store.upsert_meeting(meeting("m1"))
    with pytest.raises(YouTubeError, match="not enabled for live streaming; enable it at https://www.youtube.com/features"):
        schedule(youtube_settings, store, client=youtube)


def test_a_401_says_to_sign_in_again_and_mentions_the_testing_app_caveat(store, youtube_sandbox, youtube_settings, youtube):
    youtube_sandbox.fail_next(status=401, reason="authError", message="Invalid Credentials")
    store.upsert_meeting(meeting("m1"))
    with pytest.raises(YouTubeError) as err:
        schedule(youtube_settings, store, client=youtube)
    assert "run `meetstream auth youtube` again" in str(err.value) and "7 days" in str(err.value)
    assert len(youtube_sandbox.calls) == 1  # not retried


def test_no_token_file_means_sign_in_first(tmp_path):
    with pytest.raises(YouTubeError, match="not signed in to YouTube; run `meetstream auth youtube`"):
        load_credentials(tmp_path / "youtube-token.json")


def test_a_damaged_token_file_says_so(tmp_path):
    path = tmp_path / "youtube-token.json"
    path.write_text(json.dumps({"token": "x"}))
    with pytest.raises(YouTubeError, match="is damaged; run `meetstream auth youtube` again"):
        load_credentials(path)


def test_room_streams_show_each_rooms_key_and_the_ingest_address(store, youtube_sandbox, youtube_settings, youtube):
    youtube_sandbox.ingestion_address = "rtmp://127.0.0.1:19350/live2"
    store.upsert_meeting(meeting("m1"))
    schedule(youtube_settings, store, client=youtube)
    rows = {r.room: r for r in room_streams(youtube, store, youtube_settings)}
    assert rows["committee-room"].status == "missing"
    chamber = rows["chamber"]
    assert chamber.status == "ready" and chamber.ingestion_address == "rtmp://127.0.0.1:19350/live2"
    assert chamber.key == youtube_sandbox.streams[chamber.stream_id]["cdn"]["ingestionInfo"]["streamName"]


# --- the commands ---------------------------------------------------------------------------


@pytest.fixture
def configured(tmp_path, youtube_sandbox, monkeypatch):
    monkeypatch.setenv("MEETSTREAM_CONFIG", str(write_config(tmp_path, youtube_sandbox.url)))
    monkeypatch.setenv("MEETSTREAM_STATE", str(tmp_path / "state.sqlite3"))
    from meetstream.store import Store

    with Store.open(tmp_path / "state.sqlite3") as s:
        s.upsert_meeting(meeting("m1", "Planning Committee"))
    return youtube_sandbox


def test_schedule_dry_run_prints_the_plan_and_calls_nothing(cli, configured):
    result = cli("schedule", "--dry-run")
    assert result.code == 0, result
    assert "create" in result.out and "Planning Committee" in result.out
    assert "Dry run: 1 change(s), about 151 quota units; nothing was sent to YouTube." in " ".join(result.out.split())
    assert configured.calls == []


def test_schedule_twice_creates_once_then_changes_nothing(cli, configured):
    first = cli("schedule")
    assert first.code == 0 and "created: Planning Committee" in first.out
    second = cli("schedule")
    assert second.code == 0 and "nothing to change. Spent 1 quota units." in " ".join(second.out.split())
    assert len(configured.broadcasts) == 1


def test_youtube_quota_shows_todays_spend_and_the_pending_plan(cli, configured):
    before = cli("youtube", "quota")
    assert before.code == 0
    assert "Pending schedule (60 days): 1 change(s), about 151 units." in " ".join(before.out.split())
    cli("schedule")
    after = " ".join(cli("youtube", "quota").out.split())
    assert "Spent today: 151 of 10000 units; 9849 left." in after
    assert "0 change(s)" in after


def test_youtube_streams_hides_the_key_unless_asked(cli, configured):
    cli("schedule")
    stream = next(iter(configured.streams.values()))
    key = stream["cdn"]["ingestionInfo"]["streamName"]
    hidden = cli("youtube", "streams")
    assert hidden.code == 0 and key not in hidden.out and key[:4] + "…" in hidden.out
    shown = cli("youtube", "streams", "--show-key")
    assert f"chamber: server {stream['cdn']['ingestionInfo']['ingestionAddress']}  key {key}" in shown.out


def test_a_refusal_is_one_error_line_and_exit_2(cli, configured):
    configured.exhaust_quota()
    result = cli("schedule")
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: YouTube's daily API quota is used up")


def test_auth_youtube_without_client_secrets_says_what_to_set(cli, configured):
    result = cli("auth", "youtube", "--no-browser")
    assert result.code == 2
    assert result.err.strip() == ("Error: youtube.client_secrets is not set in meetstream.yaml (download the OAuth client "
                                  "JSON of type 'Desktop app' from Google Cloud and give its path)")


def test_youtube_out_of_reach_is_one_line(store, youtube_settings):
    from meetstream.bootstrap import youtube_client as build_client

    settings = youtube_settings.model_copy(update={"youtube": youtube_settings.youtube.model_copy(update={"api_url": "http://127.0.0.1:9"})})
    store.upsert_meeting(meeting("m1"))
    with pytest.raises(YouTubeError, match="cannot reach YouTube"):
        schedule(settings, store, client=build_client(settings, store))
    assert store.broadcasts() == []
