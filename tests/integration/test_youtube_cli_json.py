"""`--json` on what scripts read from the YouTube commands: schedule --dry-run, youtube quota,
youtube streams, checked against the simulator's own record of what exists."""

import json

import pytest

from youtube_fixtures import meeting, write_config, youtube_sandbox  # noqa: F401


@pytest.fixture
def configured(tmp_path, youtube_sandbox, monkeypatch):  # noqa: F811
    from meetstream.store import Store

    monkeypatch.setenv("MEETSTREAM_CONFIG", str(write_config(tmp_path, youtube_sandbox.url)))
    monkeypatch.setenv("MEETSTREAM_STATE", str(tmp_path / "state.sqlite3"))
    with Store.open(tmp_path / "state.sqlite3") as s:
        s.upsert_meeting(meeting("m1", "Planning Committee"))
    return youtube_sandbox


def test_schedule_quota_and_streams_as_json(cli, configured):
    dry = json.loads(cli("schedule", "--dry-run", "--json").out)
    assert dry["dry_run"] and dry["units_spent"] is None and configured.calls == []
    assert [a["kind"] for a in dry["actions"]] == ["create"] and dry["actions"][0]["meeting"].startswith("Planning Committee")
    done = json.loads(cli("schedule", "--json").out)
    assert [d["outcome"] for d in done["done"]] == ["created"] and len(configured.broadcasts) == 1
    quota = json.loads(cli("youtube", "quota", "--json").out)
    assert quota["spent"] == done["units_spent"] and quota["remaining"] == quota["daily_quota"] - quota["spent"]
    assert quota["pending"]["changes"] == 0
    stream = next(iter(configured.streams.values()))
    key = stream["cdn"]["ingestionInfo"]["streamName"]
    hidden = cli("youtube", "streams", "--json")
    assert key not in hidden.out
    rooms = {r["room"]: r for r in json.loads(hidden.out)}
    assert rooms["chamber"]["stream"] == stream["id"] and rooms["chamber"]["key"] == key[:4] + "…"
    shown = {r["room"]: r for r in json.loads(cli("youtube", "streams", "--json", "--show-key").out)}
    assert shown["chamber"]["key"] == key
