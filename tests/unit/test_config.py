"""meetstream.yaml: validated, with errors that name file, line and field; no secrets in it."""

import pytest

from meetstream.config import load_settings
from meetstream.errors import ConfigError

from conftest import REPO


def write(tmp_path, text):
    path = tmp_path / "meetstream.yaml"
    path.write_text(text)
    return path


def test_the_example_written_by_init_loads(tmp_path, cli):
    target = tmp_path / "meetstream.yaml"
    (tmp_path / "scenes").symlink_to(REPO / "scenes")
    result = cli("init", target)
    assert result.code == 0, result
    settings = load_settings(target)
    assert settings.rooms["chamber"].obs.port == 4455
    assert settings.rooms["chamber"].scene_set == tmp_path / "scenes" / "council-chamber.yaml"
    assert settings.youtube.auto_stop is False
    assert settings.council.timezone == "Europe/London"


def test_init_refuses_to_overwrite_an_existing_file(tmp_path, cli):
    target = write(tmp_path, "rooms: {}\n")
    result = cli("init", target)
    assert result.code == 2
    assert target.read_text() == "rooms: {}\n"
    assert result.err.strip() == f"Error: {target} already exists (pass --force to overwrite it)"


def test_a_bad_port_names_the_line_and_field(tmp_path):
    path = write(tmp_path, "rooms:\n  chamber:\n    name: Chamber\n    scene_set: x.yaml\n    obs:\n      port: 99999\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(err.value).startswith(f"{path}:6: rooms.chamber.obs.port:")


def test_a_password_in_the_file_is_refused(tmp_path):
    path = write(tmp_path, "rooms:\n  chamber:\n    name: Chamber\n    scene_set: x.yaml\n    obs:\n      password: hunter2\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert ":6: rooms.chamber.obs.password:" in str(err.value)
    assert "hunter2" not in str(err.value)


def test_an_unknown_time_zone_is_refused(tmp_path):
    path = write(tmp_path, "council: {timezone: Europe/Chesterfield}\nrooms: {}\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert "unknown time zone 'Europe/Chesterfield'" in str(err.value)


def test_a_missing_config_file_is_one_line_exit_2(tmp_path, cli):
    result = cli("--config", tmp_path / "nowhere.yaml", "obs", "status")
    assert result.code == 2
    assert result.err == f"Error: {tmp_path / 'nowhere.yaml'}: file not found\n"


def test_calendar_locations_map_to_rooms(tmp_path):
    path = write(tmp_path, "rooms:\n  chamber:\n    name: Council Chamber\n    locations: [Town Hall Chamber]\n    scene_set: x.yaml\n")
    settings = load_settings(path)
    assert settings.room_for_location("town hall chamber ") == "chamber"
    assert settings.room_for_location("Council Chamber") == "chamber"
    assert settings.room_for_location("Committee Room 2") is None
