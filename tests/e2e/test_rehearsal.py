"""`meetstream rehearse --script auto`: the whole night on the simulators, here on the test OBS."""

import pytest

from meetstream.sandbox.graph import SAMPLE_COUNCIL

pytestmark = pytest.mark.obs


def test_the_scripted_rehearsal_runs_a_whole_night_and_keeps_part_2_private(cli, room_config, obs, tmp_path, monkeypatch):
    import meetstream.entrypoints.rehearsal as rehearsal

    real = rehearsal.run_rehearsal  # the script's pauses between steps are for watching eyes: none here
    monkeypatch.setattr(rehearsal, "run_rehearsal", lambda *a, **kw: real(*a, **(kw | {"pause": 0})))
    out = tmp_path / "rehearsal"
    theirs = obs.call("GetSceneCollectionList")["currentSceneCollectionName"]
    their_stream = obs.call("GetStreamServiceSettings")
    result = cli("rehearse", "--script", "auto", "--out", out)
    assert result.code == 0, result
    assert "PRIVATE   Item 7" in result.out
    assert "✓ Chapters written to the video description" in result.out

    chapters = (out / "chapters.txt").read_text()
    assert chapters.startswith("0:00 ") and "Private session (public excluded)" in chapters
    assert "Station Road" not in chapters and "Station Road" not in result.out  # the exempt item's title
    assert "Station Road" in SAMPLE_COUNCIL.read_text()  # (so the check above means something)

    timeline = (out / "timeline.txt").read_text().splitlines()
    kinds = [line.split()[1] for line in timeline]
    assert kinds[:2] == ["holding", "start"] and kinds[-2:] == ["adjourned", "end"]
    assert kinds.index("private") < kinds.index("public")

    shots = sorted((out / "screenshots").glob("*.png"))
    assert len(shots) >= 15 and all(p.read_bytes().startswith(b"\x89PNG") for p in shots)
    assert any("private" in p.name for p in shots)
    site = out / "site"  # what the council would put on its website after the night
    assert (site / "index.html").exists() and (site / "meetings.ics").exists() and (out / "report.html").exists()
    published = "".join(p.read_text(errors="replace") for p in site.rglob("*") if p.is_file()) + (out / "report.html").read_text()
    assert "Station Road" not in published and "Full Council" in published
    quota = int(result.out.split("YouTube quota for this meeting: ")[1].split()[0])
    assert 50 <= quota <= 250
    # The officer's OBS (here the test's): their collection and stream settings are back, and
    # the rehearsal said it would do that before touching anything.
    assert "put back when the rehearsal ends" in result.out, result.out[-1500:]
    assert obs.call("GetSceneCollectionList")["currentSceneCollectionName"] == theirs
    assert "are back as they were" in result.out
    assert obs.call("GetStreamServiceSettings")["streamServiceSettings"].get("key", "") == their_stream["streamServiceSettings"].get("key", "")
    assert not obs.call("GetStreamStatus")["outputActive"]


FONT_SIZES = {"Agenda overlay": 30, "Lower third": 40}  # scenes/council-chamber.yaml


def _drawn_width(obs, text, size, scene="Probe", name="probe text"):
    """How wide OBS draws `text` (canvas pixels), measured on a text source of the test's own."""
    import time

    if scene not in {s["sceneName"] for s in obs.call("GetSceneList")["scenes"]}:
        obs.call("CreateScene", {"sceneName": scene})
    settings = {"text": text, "font": {"face": "DejaVu Sans", "size": size, "style": "Regular", "flags": 0},
                "outline": True, "drop_shadow": True, "color1": 0xFFFFFFFF, "color2": 0xFFFFFFFF}
    inputs = {i["inputName"] for i in obs.call("GetInputList")["inputs"]}
    if f"{name} {size}" not in inputs:
        obs.call("CreateInput", {"sceneName": scene, "inputName": f"{name} {size}", "inputKind": "text_ft2_source_v2",
                                 "inputSettings": settings})
    else:
        obs.call("SetInputSettings", {"inputName": f"{name} {size}", "inputSettings": settings})
    item = obs.call("GetSceneItemId", {"sceneName": scene, "sourceName": f"{name} {size}"})["sceneItemId"]
    seen, deadline = [], time.monotonic() + 5
    while time.monotonic() < deadline:
        t = obs.call("GetSceneItemTransform", {"sceneName": scene, "sceneItemId": item})["sceneItemTransform"]
        seen.append(t["sourceWidth"])
        if len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3] and seen[-1] > 0:
            return seen[-1]
        time.sleep(0.05)
    raise AssertionError(f"OBS never drew {text!r}")


def _ink_right_edge(image, x, y, height):
    """The rightmost column (screenshot pixels) right of x holding white text in rows y..y+height."""
    pixels = image.load()
    right = None
    for cx in range(int(x), image.width):
        for cy in range(max(0, int(y)), min(image.height, int(y + height) + 1)):
            r, g, b = pixels[cx, cy][:3]
            if min(r, g, b) >= 200:
                right = cx
                break
    return right


def test_each_rehearsal_screenshot_shows_its_steps_title_and_speaker(cli, room_config, obs, tmp_path, monkeypatch):
    """Pixel check: in each screenshot, the white text of each overlay ends where OBS draws that
    step's text (measured on the test's own text source), not where the last step's ended."""
    import json

    from PIL import Image

    import meetstream.entrypoints.rehearsal as rehearsal

    real = rehearsal.run_rehearsal
    monkeypatch.setattr(rehearsal, "run_rehearsal", lambda *a, **kw: real(*a, **(kw | {"pause": 0})))
    out = tmp_path / "rehearsal"
    assert cli("rehearse", "--script", "auto", "--out", out).code == 0
    manifest = json.loads((out / "screenshots.json").read_text())
    checked = 0
    for shot in manifest:
        image = Image.open(out / "screenshots" / shot["file"]).convert("RGB")
        k = image.width / 1280
        for name, o in shot["overlays"].items():
            if not o["text"].strip():
                continue
            width = _drawn_width(obs, o["text"], FONT_SIZES[name])
            expected = (o["x"] + width * o["scale"]) * k
            lines = o["text"].count("\n") + 1
            edge = _ink_right_edge(image, o["x"] * k, o["y"] * k, lines * 1.35 * FONT_SIZES[name] * o["scale"] * k)
            assert edge is not None, f"{shot['file']}: no {name} drawn"
            assert abs(edge - expected) <= 6, f"{shot['file']}: {name} ends at {edge}, {o['text']!r} ends at {expected:.0f}"
            checked += 1
    assert checked >= 15


def test_a_rehearsal_with_agendas_from_moderngov_keeps_what_moderngov_marks_exempt_private(cli, room_config, obs, tmp_path, monkeypatch):
    import meetstream.entrypoints.rehearsal as rehearsal
    from meetstream.store import Store

    real = rehearsal.run_rehearsal
    monkeypatch.setattr(rehearsal, "run_rehearsal", lambda *a, **kw: real(*a, **(kw | {"pause": 0})))
    out = tmp_path / "rehearsal"
    result = cli("rehearse", "--script", "auto", "--agendas", "moderngov", "--out", out)
    assert result.code == 0, result
    assert "Agendas: from the modern.gov simulator" in result.out and "joined with the calendar" in result.out
    assert "PRIVATE   Item 7" in result.out and "Station Road" not in result.out
    with Store.open(out / "state.sqlite3") as store:
        (meeting,) = [m for m in store.meetings(include_cancelled=True) if m.committee == "Full Council"]
        assert meeting.source_of("agenda").startswith("modern.gov meeting ") and meeting.join_url
        assert "modern.gov marks it exempt" in meeting.item("7").reason


def test_the_rehearsal_runs_two_meetings_back_to_back_in_one_room(cli, room_config, obs, tmp_path, monkeypatch):
    import meetstream.entrypoints.rehearsal as rehearsal
    from meetstream.store import Store

    real = rehearsal.run_rehearsal
    monkeypatch.setattr(rehearsal, "run_rehearsal", lambda *a, **kw: real(*a, **(kw | {"pause": 0})))
    out = tmp_path / "rehearsal"
    result = cli("rehearse", "--script", "auto", "--out", out, "--meetings", "2")
    assert result.code == 0, result
    assert "Meeting: Full Council" in result.out and "Meeting: Planning Committee" in result.out
    assert result.out.count("✓ On air") == 2 and result.out.count("✓ Broadcast completed") == 2
    kinds = [line.split()[1] for line in (out / "timeline.txt").read_text().splitlines()]
    assert kinds.count("start") == 2 and kinds.count("end") == 2
    assert kinds[-2:] == ["adjourned", "end"]
    with Store.open(out / "state.sqlite3") as store:
        saved = store.session("chamber")
        planning = store.get_meeting(saved["meeting_id"])
        assert planning.committee == "Planning Committee" and saved["ended"] is not None
        council = next(m for m in store.meetings(include_cancelled=True, webcast_only=False) if m.committee == "Full Council")
        assert [e.kind for e in store.timeline(council.id)][-2:] == ["adjourned", "end"]
    chapters = (out / "chapters.txt").read_text()
    assert chapters.startswith("0:00 ") and "\n\nPlanning Committee:\n0:00 " in chapters
    assert "Station Road" not in result.out + chapters
    assert "YouTube quota for these 2 meetings:" in result.out
    assert not obs.call("GetStreamStatus")["outputActive"]


def test_a_rehearsal_with_a_chamber_lets_a_recorded_debate_drive_the_picture(cli, room_config, obs, tmp_path, monkeypatch):
    """`rehearse --chamber shure`: the Shure central-unit simulator, its real driver and the automatic
    director take three minutes of a real hearing's turns at the first public item."""
    import meetstream.entrypoints.rehearsal as rehearsal
    from meetstream.store import Store

    real = rehearsal.run_rehearsal
    monkeypatch.setattr(rehearsal, "run_rehearsal", lambda *a, **kw: real(*a, **(kw | {"pause": 0})))
    out = tmp_path / "rehearsal"
    result = cli("rehearse", "--script", "auto", "--chamber", "shure", "--out", out)
    assert result.code == 0, result
    assert "Chamber: shure simulator" in result.out
    import re

    turns, shots = map(int, re.search(r"Chamber: (\d+) turns, (\d+) automatic shots", result.out).groups())
    assert turns >= 10 and shots >= turns - 2, result.out
    with Store.open(out / "state.sqlite3") as store:
        council = next(m for m in store.meetings(include_cancelled=True, webcast_only=False) if m.committee == "Full Council")
        timeline = store.timeline(council.id)
    assert [e.detail["auto"] for e in timeline if e.kind == "auto"] == [True, False]
    assert not [e for e in timeline if e.detail.get("auto") and e.kind not in ("chamber", "speaker", "auto")]
    assert cli("rehearse", "--script", "auto", "--chamber", "bosch").code == 2
