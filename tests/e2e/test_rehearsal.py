"""`meetstream rehearse --script auto`: the whole night on the simulators, here on the test OBS."""

import pytest

from meetstream.sandbox.graph import SAMPLE_COUNCIL

pytestmark = pytest.mark.obs


def test_the_scripted_rehearsal_runs_a_whole_night_and_keeps_part_2_private(cli, room_config, obs, tmp_path, monkeypatch):
    import meetstream.rehearsal as rehearsal

    real = rehearsal.run_rehearsal  # the script's pauses between steps are for watching eyes: none here
    monkeypatch.setattr(rehearsal, "run_rehearsal", lambda *a, **kw: real(*a, **(kw | {"pause": 0})))
    out = tmp_path / "rehearsal"
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
    quota = int(result.out.split("YouTube quota for this meeting: ")[1].split()[0])
    assert 50 <= quota <= 250
    assert obs.call("GetCurrentProgramScene")["currentProgramSceneName"] == "Adjourned"
    assert not obs.call("GetStreamStatus")["outputActive"]
