"""What a newcomer types first: the command alone, a group alone, --version, completion."""


def test_meetstream_and_cue_alone_show_their_help_and_version_is_there(cli):
    top = cli()
    assert top.code == 0 and "Usage: meetstream" in top.out and "cue" in top.out
    cue = cli("cue")
    assert cue.code == 0 and "Usage: meetstream cue" in cue.out and "private" in cue.out
    version = cli("--version")
    assert version.code == 0 and version.out.startswith("meetstream ")


def test_completion_answers_for_the_commands(monkeypatch, capsys):
    import pytest

    from meetstream.entrypoints.cli.main import main

    monkeypatch.setenv("_MEETSTREAM_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "meetstream ca")
    monkeypatch.setenv("COMP_CWORD", "1")
    with pytest.raises(SystemExit):
        main([])
    assert "calendar" in capsys.readouterr().out.split()
