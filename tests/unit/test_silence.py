"""Issue 24 parts 1-3 on fakes, in milliseconds: silence and microphones muted by hand on a public
item, never in private; the council's standing order (output, YouTube, audio) reached once per
outage; End stands the watchdog down before it touches OBS; the report counts what happened and
no false outage; the settings refuse what they cannot show."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest

from meetstream.adapters.obs.levels import ObsLevels, programme_peak_db
from meetstream.core.domain import SessionState, TimelineEntry
from meetstream.services.watchdog import StandingOrder, Watchdog, youtube_down

MICS = ("Chamber microphones", "Teams audio")
T0 = datetime(2026, 3, 12, 19, 0, tzinfo=timezone.utc)


@dataclass
class Status:
    streaming: bool = True
    reconnecting: bool = False
    program_scene: str = "Chamber"
    stream_bytes: int = 0
    skipped_frames: int = 0
    total_frames: int = 0
    audio: dict = field(default_factory=lambda: {m: False for m in MICS})


class Outputs:
    def __init__(self):
        self.now = Status()
        self.restart_asks = 0

    def status(self):
        return self.now

    def restart_stream(self):
        self.restart_asks += 1


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


class Session:
    """The watchdog's view of the live session: its state, the room's lock, the timeline."""

    def __init__(self, clock):
        self.state = SessionState.ON_AIR
        self.incidents: list[tuple[str, dict]] = []
        self.room, self.store, self.lock = "chamber", self, threading.RLock()
        self.expected = True
        self._clock = clock

    def streaming_expected(self, room):
        return self.expected

    def keep_private(self):
        return None

    def clock(self):
        return T0 + timedelta(seconds=self._clock())

    def incident(self, what, **detail):
        self.incidents.append((what, detail))


class Levels:
    """Meters as ObsLevels reports them: when each input was last heard."""

    def __init__(self):
        self.heard: dict[str, float] = {}
        self.up = True

    def heard_at(self, name):
        return self.heard.get(name)

    def alive(self, within=3.0):
        return self.up

    def stop(self):
        pass


@pytest.fixture
def rig():
    clock = Clock()
    session, outputs, levels = Session(clock), Outputs(), Levels()
    dog = Watchdog(session, outputs, clock=clock, levels=levels, microphones=MICS, silence_seconds=5,
                   standing_order=StandingOrder(0.5, "Down for 0.5 minutes: SO 19.4"))
    return dog, session, outputs, levels, clock


def run(dog, clock, until, *, heard=None, levels=None):
    """Tick once a second up to `until`; `heard`: inputs speaking meanwhile."""
    h = None
    while clock.t < until:
        clock.t += 1
        if heard:
            for m in heard:
                levels.heard[m] = clock.t
        h = dog.tick()
    return h


def kinds(session, key):
    return [d.get(key) for _, d in session.incidents if key in d]


def test_silence_on_a_public_item_is_one_incident_within_the_set_time_and_ends_when_heard(rig):
    dog, session, outputs, levels, clock = rig
    run(dog, clock, 10, heard=["Chamber microphones"], levels=levels)
    assert session.incidents == []
    h = run(dog, clock, 14)  # 4 s of silence: not yet
    assert session.incidents == [] and h.audio["silent_seconds"] == 4 and not h.audio["silence"]
    h = run(dog, clock, 15)
    assert kinds(session, "silence") == ["start"] and h.audio["silence"]
    assert session.incidents[0][0] == "no programme audio for 5 s on a public item"
    assert any(p.startswith("NO PROGRAMME AUDIO") for p in h.problems)
    run(dog, clock, 20)
    assert kinds(session, "silence") == ["start"]  # once per silence
    run(dog, clock, 21, heard=["Teams audio"], levels=levels)  # any microphone is programme audio
    assert kinds(session, "silence") == ["start", "end"]


def test_a_microphone_muted_by_hand_is_an_incident_even_with_other_audio(rig):
    dog, session, outputs, levels, clock = rig
    run(dog, clock, 3, heard=MICS, levels=levels)
    outputs.now = Status(audio={"Chamber microphones": True, "Teams audio": False})
    h = run(dog, clock, 8, heard=["Teams audio"], levels=levels)  # muted as first seen at t=4
    assert session.incidents == []
    h = run(dog, clock, 9, heard=["Teams audio"], levels=levels)
    assert [d for _, d in session.incidents] == [{"muted": "start", "inputs": ["Chamber microphones"], "seconds": 5.0}]
    assert h.audio["muted"] == ["Chamber microphones"] and any("MUTED IN OBS" in p for p in h.problems)
    outputs.now = Status()
    run(dog, clock, 10, heard=MICS, levels=levels)
    assert kinds(session, "muted") == ["start", "end"]


def test_every_microphone_muted_is_one_silence_incident_that_says_why(rig):
    dog, session, outputs, levels, clock = rig
    run(dog, clock, 2, heard=MICS, levels=levels)
    outputs.now = Status(audio={m: True for m in MICS})
    run(dog, clock, 10)
    assert len(session.incidents) == 1
    what, detail = session.incidents[0]
    assert detail["silence"] == "start" and "Chamber microphones, Teams audio muted in OBS" in what


def test_without_meters_every_microphone_muted_is_still_silence(rig):
    dog, session, outputs, levels, clock = rig
    levels.up = False
    h = run(dog, clock, 3)
    assert session.incidents == [] and "silence is not being watched" in " ".join(h.problems)
    outputs.now = Status(audio={m: True for m in MICS})
    run(dog, clock, 9)
    assert kinds(session, "silence") == ["start"]


@pytest.mark.parametrize("state", [SessionState.PRIVATE, SessionState.RECESS, SessionState.HOLDING, SessionState.ADJOURNED])
def test_silence_is_right_outside_a_public_item(rig, state):
    dog, session, outputs, levels, clock = rig
    session.state = state
    outputs.now = Status(audio={m: True for m in MICS})
    h = run(dog, clock, 30)
    assert session.incidents == [] and h.audio is None and h.standing_order is None


def test_silence_counts_from_the_public_item_not_from_before_it(rig):
    dog, session, outputs, levels, clock = rig
    session.state = SessionState.PRIVATE
    run(dog, clock, 20)
    session.state = SessionState.ON_AIR  # the public readmitted: nobody has spoken yet
    run(dog, clock, 25)  # public as first seen at t=21
    assert session.incidents == []
    run(dog, clock, 26)
    assert kinds(session, "silence") == ["start"]
    session.state = SessionState.PRIVATE  # leaving the public item closes it
    run(dog, clock, 27)
    assert kinds(session, "silence") == ["start", "end"]


def test_not_on_air_nothing_is_watched(rig):
    dog, session, outputs, levels, clock = rig
    session.expected = False
    outputs.now = Status(streaming=False, audio={m: True for m in MICS})
    run(dog, clock, 60)
    assert session.incidents == [] and outputs.restart_asks == 0


def test_the_standing_order_is_reached_once_per_outage_with_its_words_and_time_down(rig):
    dog, session, outputs, levels, clock = rig
    run(dog, clock, 5, heard=MICS, levels=levels)
    outputs.now = Status(streaming=False)  # the output drops at t=6
    h = run(dog, clock, 35, heard=MICS, levels=levels)
    assert h.standing_order is None
    h = run(dog, clock, 36, heard=MICS, levels=levels)  # 30 s = 0.5 min
    so = h.standing_order
    assert so["words"] == "Down for 0.5 minutes: SO 19.4" and so["limit"] == 0.5 and so["minutes"] == 0.5
    assert so["down_since"] == T0 + timedelta(seconds=6) and so["why"] == ["stream output down"]
    noted = [d for _, d in session.incidents if "standing_order" in d]
    assert noted == [{"standing_order": 0.5, "words": "Down for 0.5 minutes: SO 19.4",
                      "down_since": "2026-03-12T19:00:06Z", "why": ["stream output down"]}]
    run(dog, clock, 60, heard=MICS, levels=levels)
    assert len([1 for _, d in session.incidents if "standing_order" in d]) == 1  # once per outage
    outputs.now = Status()
    h = run(dog, clock, 61, heard=MICS, levels=levels)
    assert h.standing_order is None
    outputs.now = Status(streaming=False)  # a second outage is a second count
    run(dog, clock, 100, heard=MICS, levels=levels)
    assert len([1 for _, d in session.incidents if "standing_order" in d]) == 2


def test_audio_and_youtube_count_towards_the_standing_order_and_overlap_as_one_outage(rig):
    dog, session, outputs, levels, clock = rig
    run(dog, clock, 2, heard=MICS, levels=levels)
    h = run(dog, clock, 20)  # silent since t=2: the silence incident at 7
    dog.youtube_seen("active, noData")  # YouTube has no data either, from t=20
    run(dog, clock, 25)
    h = run(dog, clock, 31, heard=MICS, levels=levels)  # audio back at 26: YouTube still bad
    assert h.standing_order is None  # 29 s down
    h = run(dog, clock, 32, heard=MICS, levels=levels)
    assert h.standing_order["why"] == ["YouTube sees the stream active, noData"]
    assert h.standing_order["down_since"] == T0 + timedelta(seconds=2)  # continuous since the silence began
    dog.youtube_seen("active, good")
    assert run(dog, clock, 33, heard=MICS, levels=levels).standing_order is None


def test_a_deliberate_stop_is_never_an_outage(rig):
    """End clears 'streaming expected' under the room's lock before it stops: a tick that read
    the flag before then and the stopped output after it must neither record nor restart."""
    dog, session, outputs, levels, clock = rig
    reads = iter([True, False])  # the tick's first read, then End stood it down
    session.streaming_expected = lambda room: next(reads, False)
    outputs.now = Status(streaming=False)
    h = dog.tick()
    assert session.incidents == [] and outputs.restart_asks == 0 and not h.expected


@pytest.mark.parametrize("text, down", [("active, good", False), ("active, ok", False), ("active, noData", True),
                                        ("inactive", True), ("active, bad (bitrate low)", True), ("error", True),
                                        ("unknown (YouTube did not answer)", False), (None, False)])
def test_youtube_words_that_mean_viewers_get_nothing(text, down):
    assert youtube_down(text) is down


def test_levels_read_the_post_fader_peak():
    assert programme_peak_db([[0.088, 0.125, 0.125], [0.088, 0.1, 0.125]]) == pytest.approx(-18.06, abs=0.01)
    assert programme_peak_db([[0.0, 0.0, 0.125]]) == -math.inf  # muted in OBS: input peak only
    assert programme_peak_db([]) == -math.inf  # a capture with no device
    t = Clock()
    lv = ObsLevels("127.0.0.1", 1, None, ["Mic"], threshold_db=-50, clock=t)
    t.t = 1
    lv.take({"inputs": [{"inputName": "Mic", "inputLevelsMul": [[0.01, 0.01, 0.01]]}, {"inputName": "Other"}]})  # -40 dB
    t.t = 2
    lv.take({"inputs": [{"inputName": "Mic", "inputLevelsMul": [[0.001, 0.002, 0.5]]}]})  # -54 dB after the fader
    assert lv.heard_at("Mic") == 1 and lv.heard_at("Other") is None and lv.alive()
    t.t = 10
    assert not lv.alive()


def test_end_stands_the_watchdog_down_before_it_touches_obs(store, sample_meeting):
    from fakes import FakeDirector, FakeOnAir, FakeOutputs
    from meetstream.services.night import end_meeting, start_meeting
    from meetstream.services.session import LiveSession

    store.upsert_meeting(sample_meeting)
    session, outputs, youtube = LiveSession(store, FakeDirector(), "chamber", sample_meeting), FakeOutputs(), FakeOnAir()
    start_meeting(session, outputs, youtube)
    seen = []
    real_show, real_stop = session.director.show, outputs.stop_stream
    session.director.show = lambda role, **kw: (seen.append(("slate", store.streaming_expected("chamber"))), real_show(role, **kw))[1]
    outputs.stop_stream = lambda: (seen.append(("stop", store.streaming_expected("chamber"))), real_stop())[1]
    end_meeting(session, outputs, youtube)
    assert seen and all(expected is False for _, expected in seen), seen


def test_the_report_counts_silence_and_the_standing_order_and_no_false_outage(sample_meeting):
    from meetstream.services.publish.facts import NO_AUDIO, OUTPUT_DROP, STANDING_ORDER, incidents

    def at(s, kind, **detail):
        return TimelineEntry(sample_meeting.id, T0 + timedelta(seconds=s), kind, None, detail)

    timeline = [
        at(0, "start"), at(1, "chamber"),
        at(10, "incident", what="stream output stopped: viewers see nothing", outage="start"),
        at(40, "incident", what="standing order reached: webcast down 0 min 30 s (stream output down)",
           standing_order=0.5, words="SO 19.4", down_since="x", why=["stream output down"]),
        at(50, "incident", what="stream output back after 40 s", outage="end", seconds=40),
        at(60, "incident", what="no programme audio for 60 s on a public item (YouTube mentioned)", silence="start"),
        at(70, "incident", what="programme audio back after 10 s", silence="end"),
        at(80, "incident", what="Chamber microphones muted in OBS on a public item for 60 s", muted="start"),
        at(90, "adjourned"),
        # As a watchdog recorded End's own stop before End stood it down first: not an outage.
        at(91, "incident", what="stream output stopped: viewers see nothing", outage="start"),
        at(92, "incident", what="stream output stopped; restart asked of OBS", attempt=1),
        at(93, "end"),
    ]
    found = [i.kind for i in incidents(timeline)]
    assert found == [OUTPUT_DROP, STANDING_ORDER, NO_AUDIO, NO_AUDIO]


@pytest.mark.parametrize("section, says", [
    ("standing_order: {minutes: 10, words: 'Down {mins} min'}", "the words may use {minutes} only, not {mins}"),
    ("standing_order: {minutes: 0, words: 'Down'}", "standing_order.minutes"),
    ("standing_order: {minutes: 10, words: 'Down {'}", "stray brace"),
    ("standing_order: {minutes: 10}", "standing_order.words"),
    ("silence_seconds: -1", "silence_seconds"),
    ("silence_db: 3", "silence_db"),
])
def test_a_bad_standing_order_or_silence_setting_is_one_clear_line(tmp_path, section, says):
    from meetstream.config import load_settings
    from meetstream.errors import ConfigError

    path = tmp_path / "meetstream.yaml"
    path.write_text(f"rooms:\n  chamber:\n    name: Chamber\n    scene_set: x.yaml\n    {section}\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert says in str(err.value) and "\n" not in str(err.value).strip()


def test_the_standing_order_words_fill_in_the_minutes(tmp_path):
    from meetstream.config import load_settings

    path = tmp_path / "meetstream.yaml"
    path.write_text("rooms:\n  chamber:\n    name: Chamber\n    scene_set: x.yaml\n    silence_seconds: null\n"
                    "    standing_order: {minutes: 10, words: 'Down for {minutes} minutes: under Standing Order 19.4 the Chair should adjourn'}\n")
    room = load_settings(path).room("chamber")
    assert room.standing_order.text() == "Down for 10 minutes: under Standing Order 19.4 the Chair should adjourn"
    assert room.silence_seconds is None
