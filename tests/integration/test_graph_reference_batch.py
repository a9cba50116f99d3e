"""$batch as the Graph reference describes it under throttling.

throttling ("Throttling and batching"): a throttled item fails with 429 "and the batch itself fails
with a status code of 424 (Failed Dependency)"; each failed item is retried after its retry-after.
A letter Graph accepted (202) is on record at once, so a rerun after any failure mails nobody twice.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from graph_fixtures import MAILBOX, graph, graph_config, graph_event, graph_sim  # noqa: F401


def test_a_throttled_item_makes_the_whole_batch_424_and_its_items_are_still_read(graph):
    graph.sync()
    requests_ = [{"id": str(i), "method": "GET", "url": f"/users/{MAILBOX}/events/{e['id']}?$select=subject"}
                 for i, e in enumerate(graph.sim.events()[:5])]
    graph.sim.throttle(2, retry_after=5)
    results = graph.calendar.client.batch(requests_)
    assert [r.status for r in graph.sim.graph_requests() if r.path == "/v1.0/$batch"] == [424, 200]
    assert {rid: r["status"] for rid, r in results.items()} == {str(i): 200 for i in range(5)}
    assert graph.sleeps == [5]


def test_each_result_is_handed_over_before_the_next_batch_is_sent(graph):
    graph.sync()
    events = graph.sim.events()
    requests_ = [{"id": str(i), "method": "GET", "url": f"/users/{MAILBOX}/events/{events[i % len(events)]['id']}"}
                 for i in range(25)]
    graph.sim.throttle(100, retry_after=0, after=20)
    graph.sim.reset_log()
    batches_sent: dict[str, int] = {}

    def handed(rid, result):
        batches_sent[rid] = sum(1 for r in graph.sim.log if r.path == "/v1.0/$batch")

    results = graph.calendar.client.batch(requests_, on_result=handed)
    assert all(batches_sent[str(i)] == 1 for i in range(20))  # the first batch's, before the second went
    assert sum(1 for r in results.values() if r["status"] == 200) == 20
    assert sum(1 for r in results.values() if r["status"] == 429) == 5


def _big_committee(sim, members: int) -> dict:
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=4)
    attendees = [{"type": "required", "status": {"response": "accepted", "time": "0001-01-01T00:00:00Z"},
                  "emailAddress": {"name": f"Cllr Member {i:02d}", "address": f"member{i:02d}@northdale.example"}}
                 for i in range(members)]
    return sim.add_event(f"users/{MAILBOX}", graph_event(
        "Development Control Committee", start, attendees=attendees, isOnlineMeeting=True,
        onlineMeetingProvider="teamsForBusiness",
        onlineMeeting={"joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_big%40thread.v2/0"}))


def test_a_failed_second_batch_never_mails_the_first_twenty_again(graph_sim, graph_config, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("MEETSTREAM_TOKEN_CACHE_PLAINTEXT", "1")
    event = _big_committee(graph_sim, 25)
    state = tmp_path / "state.sqlite3"
    run = lambda *a: cli("--config", graph_config, "--state", state, *a)  # noqa: E731
    assert run("auth", "microsoft").code == 0
    assert run("calendar", "sync").code == 0
    ref = next(m["ref"] for m in json.loads(run("calendar", "list", "--json").out) if m["id"] == event["id"])

    graph_sim.throttle(1000, retry_after=0, after=20)  # the first 20 letters go; every later one is throttled
    failed = run("links", ref, "--send", "--yes")
    assert failed.code == 2 and "5 email(s) not sent" in failed.err and len(failed.err.strip().splitlines()) == 1
    assert len(graph_sim.sent_mail) == 20

    graph_sim.calm()
    again = run("links", ref, "--send", "--yes")
    assert again.code == 0 and "Sent 5 emails." in again.out
    to = [m["to"][0] for m in graph_sim.sent_mail]
    assert len(to) == len(set(to)) == 25  # everyone once, nobody twice
