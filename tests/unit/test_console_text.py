"""Text is text on every surface: agenda titles, committees, members' names, a one-off speaker,
motions, a resolution's reason and the last actions reach Rich and Textual escaped, so "[/]" or
"[as amended]" (one of them used to fail with MarkupError, exit 1, or blank a panel), emoji and
right-to-left text are shown and printed as written. The real console and RoomControl over a real
session (OBS is the fake director of the night's tests), and the real CLI in-process."""

import asyncio
import json
import time
from dataclasses import replace

import pytest

from meetstream.core.domain import AgendaItem, Member
from meetstream.entrypoints.console import LiveConsole
from meetstream.services.control import RoomControl
from meetstream.services.session import LiveSession

from fakes import FakeDirector
from helpers import console_ready

# What data can hold (issue 23): markup-looking text, emoji with joiners and skin tones, and
# right-to-left scripts with their direction marks. Each is shown and printed as written.
PAYLOADS = [
    pytest.param("[", id="open-bracket"),
    pytest.param("[/]", id="close-tag"),
    pytest.param("[bold red]Loud[/]", id="markup"),
    pytest.param("That the recommendation [as amended] be approved [/]", id="as-amended"),
    pytest.param("Town Hall 🏛️ 👩🏽‍⚖️ Chair", id="emoji"),
    pytest.param("لجنة التخطيط \u200fمجلس", id="arabic-rtl"),
    pytest.param("\u202eועדת תכנון\u202c", id="hebrew-override"),
]


@pytest.mark.parametrize("text", PAYLOADS)
def test_any_text_in_the_data_is_shown_as_written_on_the_console(store, sample_meeting, text):
    meeting = replace(sample_meeting, committee=f"Planning {text}",
                      agenda=(AgendaItem("1", f"Item {text}"),) + sample_meeting.agenda[1:],
                      members=(Member(f"Jane {text} Smith", title="Cllr"),) + sample_meeting.members[1:])
    store.upsert_meeting(meeting)
    session = LiveSession(store, FakeDirector(), "chamber", meeting)
    control = RoomControl(session, None, tick_every=3600)
    console = LiveConsole(control, refresh_every=0.2)

    def shown(widget):
        return str(console.query_one(widget).render())

    async def drive():
        async with console.run_test() as pilot:
            deadline = time.monotonic() + 10
            await console_ready(console, pilot)
            await pilot.press("n", "c")
            control.act("speaker", {"oneoff": f"Mr {text}"})
            while "(one-off)" not in shown("#members"):
                assert time.monotonic() < deadline, shown("#members")
                await pilot.pause(0.05)
            await pilot.pause(0.3)
            return shown("#agenda"), shown("#members"), shown("#actions"), console.title

    try:
        agenda, members, actions, title = asyncio.run(drive())
    finally:
        control.stop()
    assert f"Item {text}" in agenda and f"Cllr Jane {text} Smith" in members
    assert f"Mr {text} (one-off)" in members and f"Speaker: Mr {text}" in actions
    assert title == f"Planning {text}"


@pytest.mark.parametrize("text", PAYLOADS)
def test_any_text_in_the_data_is_printed_as_written_by_the_commands(cli, tmp_path, monkeypatch, sample_meeting, text):
    """`calendar list` (table and JSON), `votes` (table, CSV, JSON) with a resolution's typed
    reason, and `schedule --dry-run`: exit 0, and the text as written."""
    from datetime import datetime, timezone

    from helpers import chamber_config

    from meetstream.core.domain import TimelineEntry
    from meetstream.core.resolutions import PUBLIC, Resolution
    from meetstream.core.votes import make_vote
    from meetstream.store import Store

    chamber_config(tmp_path, monkeypatch)
    meeting = replace(sample_meeting, committee=f"Planning {text}",
                      agenda=(AgendaItem("1", f"Item {text}"),) + sample_meeting.agenda[1:])
    now = datetime.now(timezone.utc)
    with Store.open(tmp_path / "state.sqlite3") as store:
        store.upsert_meeting(meeting)
        v = make_vote(meeting, "1", motion=f"Motion {text}", votes_for=3, against=0, result="carried", at=now)
        store.record_vote(v, TimelineEntry(meeting.id, now, "vote", "1", {}))
        store.append_timeline(TimelineEntry(meeting.id, now, "resolution", "5",
                                            Resolution(PUBLIC, ("5",), reason=f"Chair: {text}").as_detail()))
    listed = cli("calendar", "list")
    assert listed.code == 0, listed
    as_json = cli("calendar", "list", "--json")
    assert as_json.code == 0 and json.loads(as_json.out)[0]["committee"] == f"Planning {text}"
    votes = cli("votes", meeting.id, "--json")
    assert votes.code == 0, votes
    got = json.loads(votes.out)
    assert got["votes"][0]["motion"] == f"Motion {text}" and f"Chair: {text}" in got["resolutions"][0]["minute"]
    table = cli("votes", meeting.id)
    assert table.code == 0, table
    as_csv = cli("votes", meeting.id, "--csv")
    assert as_csv.code == 0 and f"Motion {text}" in as_csv.out and f"Chair: {text}" in as_csv.out
    planned = cli("schedule", "--dry-run")
    assert planned.code == 0, planned
    for out in (listed.out, table.out, planned.out):
        assert "Error" not in out


def test_the_console_shows_the_chamber_microphones_and_the_queue(store, sample_meeting):
    """A room with a microphone system: who is on and who waits, by name, on the Members panel;
    `A` turns the automatic director on (the microphones here are the DICENTIS simulator's)."""
    from meetstream.adapters.chamber.dicentis import DicentisClient
    from meetstream.core.autodirector import Seat, SeatMap
    from meetstream.sandbox.chamber.dicentis import DicentisSimulator
    from meetstream.services.chamber import ChamberDirector

    store.upsert_meeting(sample_meeting)
    session = LiveSession(store, FakeDirector(), "chamber", sample_meeting)
    control = RoomControl(session, None, tick_every=3600)
    members = {m.name: m for m in sample_meeting.members}
    with DicentisSimulator(seats={"s1": "Cllr Jane Smith", "s2": "Cllr Amir Khan", "s7": "Visitor [/]"}) as sim:
        client = DicentisClient(sim.url, "api", "secret", timeout=5)
        control.chamber = ChamberDirector(client, SeatMap({"s1": Seat("s1", members["Jane Smith"]),
                                                           "s2": Seat("s2", members["Amir Khan"])}),
                                          act=control.act, session_state=lambda: session.state,
                                          recent=lambda: store.timeline(sample_meeting.id)[-10:],
                                          version=lambda: control.version, tick_every=0.05).start()
        console = LiveConsole(control, refresh_every=0.1)

        def shown(widget):
            return str(console.query_one(widget).render())

        async def drive():
            async with console.run_test() as pilot:
                deadline = time.monotonic() + 10
                await console_ready(console, pilot)
                await pilot.press("c")
                sim.speak("s1")
                sim.request("s2")
                sim.request("s7")
                while "Waiting: 1. Cllr Amir Khan, 2. seat s7" not in shown("#members"):
                    assert time.monotonic() < deadline, shown("#members")
                    await pilot.pause(0.05)
                before = shown("#members")
                await pilot.press("A")
                while "AUTO" not in shown("#members"):
                    assert time.monotonic() < deadline, shown("#members")
                    await pilot.pause(0.05)
                return before, shown("#members")

        try:
            before, after = asyncio.run(drive())
        finally:
            control.stop()
    assert "Microphones manual (A)" in before and "On: Cllr Jane Smith" in before
    assert "Microphones AUTO" in after
    assert [e.detail.get("auto") for e in store.timeline(sample_meeting.id) if e.kind == "auto"] == [True]
