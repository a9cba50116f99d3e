"""The YouTube simulator's rules, each against the reference page it follows (or its GUESS), driven
through google-api-python-client as meetstream drives it. The client's side of the same rules is in
test_youtube_reference_client.py."""

from datetime import datetime, timedelta, timezone

import pytest

from meetstream.errors import YouTubeError

from youtube_fixtures import youtube, youtube_sandbox, youtube_settings  # noqa: F401

START = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
LATER = (datetime.now(timezone.utc) + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")


def insert(youtube, *, start=START, content_details=None, privacy="public", title="Planning Committee"):
    body = {"snippet": {"title": title, "scheduledStartTime": start}, "status": {"privacyStatus": privacy}}
    if content_details is not None:
        body["contentDetails"] = content_details
    return youtube.call("liveBroadcasts.insert", youtube.service.liveBroadcasts().insert(part="id,snippet,status,contentDetails", body=body))


def stream(youtube):
    body = {"snippet": {"title": "room"}, "cdn": {"ingestionType": "rtmp", "resolution": "1080p", "frameRate": "30fps"},
            "contentDetails": {"isReusable": True}}
    return youtube.call("liveStreams.insert", youtube.service.liveStreams().insert(part="id,cdn,status", body=body))


def bind(youtube, broadcast_id, stream_id=None):
    kw = {"streamId": stream_id} if stream_id else {}
    return youtube.call("liveBroadcasts.bind", youtube.service.liveBroadcasts().bind(part="id,status,contentDetails", id=broadcast_id, **kw))


def key(sim, stream_id):
    return sim.streams[stream_id]["cdn"]["ingestionInfo"]["streamName"]


# liveBroadcasts/update: "If the request body does not specify a value, the existing privacy setting
# will be removed and the broadcast will revert to the default privacy setting."
def test_an_update_that_leaves_privacy_out_is_not_refused_it_quietly_reverts_to_the_default(youtube_sandbox, youtube):
    b = insert(youtube, privacy="public")
    body = {"id": b["id"], "snippet": {"title": "Planning Committee", "scheduledStartTime": START}, "status": {"selfDeclaredMadeForKids": False}}
    answer = youtube.call("liveBroadcasts.update", youtube.service.liveBroadcasts().update(part="snippet,status", body=body))
    assert answer["status"]["privacyStatus"] == "private"  # GUESS (hostile): the default
    assert youtube_sandbox.videos[b["id"]]["status"]["privacyStatus"] == "private"


# liveBroadcasts/update: each part named is replaced whole; settable properties left out take their defaults.
def test_an_update_of_content_details_resets_every_setting_it_leaves_out(youtube_sandbox, youtube):
    b = insert(youtube, content_details={"monitorStream": {"enableMonitorStream": False, "broadcastStreamDelayMs": 0}})
    youtube_sandbox.edit_in_studio(b["id"], content_details={"enableClosedCaptions": True, "closedCaptionsType": "closedCaptionsHttpPost",
                                                             "enableEmbed": False, "latencyPreference": "low", "enableLowLatency": True})
    body = {"id": b["id"], "contentDetails": {"monitorStream": {"enableMonitorStream": False, "broadcastStreamDelayMs": 0}, "enableAutoStart": True}}
    cd = youtube.call("liveBroadcasts.update", youtube.service.liveBroadcasts().update(part="contentDetails", body=body))["contentDetails"]
    assert (cd["enableClosedCaptions"], cd["closedCaptionsType"], cd["enableEmbed"], cd["latencyPreference"]) == (
        False, "closedCaptionsDisabled", True, "normal")
    assert cd["enableAutoStart"] is True


# liveBroadcasts/insert: monitorStream's two properties may be set, neither must be.
def test_an_insert_whose_monitor_stream_leaves_out_the_delay_is_accepted_with_no_delay(youtube):
    b = insert(youtube, content_details={"monitorStream": {"enableMonitorStream": True}})
    assert b["contentDetails"]["monitorStream"]["enableMonitorStream"] is True
    assert b["contentDetails"]["monitorStream"]["broadcastStreamDelayMs"] == 0


# videos/update: the snippet is replaced whole; tags and defaultLanguage left out are deleted.
def test_videos_carry_tags_and_default_language_and_an_update_without_them_deletes_them(youtube_sandbox, youtube):
    bid = insert(youtube)["id"]
    youtube_sandbox.videos[bid]["snippet"].update(tags=["planning", "council"], defaultLanguage="en-GB")
    videos = youtube.service.videos()
    read = youtube.call("videos.list", videos.list(part="snippet", id=bid))["items"][0]["snippet"]
    assert read["tags"] == ["planning", "council"] and read["defaultLanguage"] == "en-GB"
    kept = {k: read[k] for k in ("title", "categoryId", "description", "tags", "defaultLanguage")}
    youtube.call("videos.update", videos.update(part="snippet", body={"id": bid, "snippet": kept}))
    assert youtube_sandbox.videos[bid]["snippet"]["defaultLanguage"] == "en-GB"
    youtube.call("videos.update", videos.update(part="snippet", body={"id": bid, "snippet": {"title": "t", "categoryId": "25"}}))
    snippet = youtube_sandbox.videos[bid]["snippet"]
    assert "tags" not in snippet and "defaultLanguage" not in snippet and snippet["description"] == ""


# errors page (invalidTransition) and the shared reference notes: only testing or live can complete.
def test_completing_a_broadcast_still_in_live_starting_is_an_invalid_transition(youtube_sandbox, youtube):
    youtube_sandbox.starting_seconds = 30.0  # YouTube takes a while to go from liveStarting to live
    b = insert(youtube, content_details={"monitorStream": {"enableMonitorStream": False}})
    s = stream(youtube)
    bind(youtube, b["id"], s["id"])
    youtube_sandbox.publish(key(youtube_sandbox, s["id"]))
    lb = youtube.service.liveBroadcasts()
    assert youtube.call("liveBroadcasts.transition", lb.transition(part="status", id=b["id"], broadcastStatus="live"))["status"]["lifeCycleStatus"] == "liveStarting"
    with pytest.raises(YouTubeError, match="refused to change the broadcast's status"):
        youtube.call("liveBroadcasts.transition", lb.transition(part="status", id=b["id"], broadcastStatus="complete"))
    assert youtube_sandbox.calls[-1].reason == "invalidTransition"


# liveBroadcasts/bind: "If this parameter [streamId] is omitted, the API will remove any existing binding".
def test_a_bind_without_a_stream_unbinds(youtube_sandbox, youtube):
    b, s = insert(youtube), stream(youtube)
    assert bind(youtube, b["id"], s["id"])["contentDetails"]["boundStreamId"] == s["id"]
    unbound = bind(youtube, b["id"])
    assert "boundStreamId" not in unbound["contentDetails"] and unbound["status"]["lifeCycleStatus"] == "created"


# GUESS, hostile: with two auto-start broadcasts on one stream, the later one starts.
def test_with_two_auto_start_broadcasts_on_one_stream_the_wrong_one_starts_and_the_observer_saw_it(youtube_sandbox, youtube):
    auto = {"monitorStream": {"enableMonitorStream": False, "broadcastStreamDelayMs": 0}, "enableAutoStart": True}
    soon, later, s = insert(youtube, content_details=auto), insert(youtube, start=LATER, content_details=auto), stream(youtube)
    bind(youtube, soon["id"], s["id"])
    assert youtube_sandbox.double_bindings == []
    bind(youtube, later["id"], s["id"])
    assert youtube_sandbox.double_bindings == [("liveBroadcasts.bind", s["id"], tuple(sorted((soon["id"], later["id"]))))]
    youtube_sandbox.publish(key(youtube_sandbox, s["id"]))
    life = {bid: youtube_sandbox.broadcasts[bid]["status"]["lifeCycleStatus"] for bid in (soon["id"], later["id"])}
    assert life == {soon["id"]: "ready", later["id"]: "liveStarting"}  # live on the next read


# GUESS, hostile: an auto-start broadcast bound to a stream already receiving data starts at once.
def test_binding_an_auto_start_broadcast_to_a_stream_already_receiving_starts_it(youtube_sandbox, youtube):
    s = stream(youtube)
    youtube_sandbox.publish(key(youtube_sandbox, s["id"]))
    b = insert(youtube, content_details={"monitorStream": {"enableMonitorStream": False, "broadcastStreamDelayMs": 0}, "enableAutoStart": True})
    bind(youtube, b["id"], s["id"])
    assert youtube_sandbox.broadcasts[b["id"]]["status"]["lifeCycleStatus"] == "liveStarting"  # live on the next read
