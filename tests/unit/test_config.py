"""meetstream.yaml: validated, with errors that name file, line and field; no secrets in it."""

import pytest

from meetstream.config import load_settings
from meetstream.errors import ConfigError

from helpers import REPO


def write(tmp_path, text):
    path = tmp_path / "meetstream.yaml"
    path.write_text(text)
    return path


def test_the_example_written_by_init_loads_with_the_scene_set_it_writes(tmp_path, cli):
    from meetstream.adapters.obs.sceneset import load_scene_set

    target = tmp_path / "meetstream.yaml"
    result = cli("init", target)
    assert result.code == 0, result
    settings = load_settings(target)
    assert settings.rooms["chamber"].obs.port == 4455
    assert settings.rooms["chamber"].scene_set == tmp_path / "scenes" / "council-chamber.yaml"
    ss = load_scene_set(settings.rooms["chamber"].scene_set)  # the slates it names were written too
    assert ss.scene("private").name == "Private session"
    assert (tmp_path / "scenes" / "slates" / "private.png").read_bytes() == (REPO / "scenes" / "slates" / "private.png").read_bytes()
    assert settings.youtube.auto_stop is False
    assert settings.council.timezone == "Europe/London"


def test_init_force_rewrites_the_config_but_never_an_officers_scene_set(tmp_path, cli):
    target = tmp_path / "meetstream.yaml"
    assert cli("init", target).code == 0
    mine = tmp_path / "scenes" / "council-chamber.yaml"
    mine.write_text(mine.read_text().replace("Council chamber with Teams members", "Our chamber"))
    again = cli("init", target, "--force")
    assert again.code == 0 and "Kept the scene set" in again.out
    assert "Our chamber" in mine.read_text()


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


def test_a_command_acts_on_the_room_named_or_else_the_first_one(tmp_path):
    path = write(tmp_path, "rooms:\n  chamber: {name: Chamber, scene_set: x.yaml}\n  committee1: {name: Room 1, scene_set: x.yaml}\n")
    settings = load_settings(path)
    assert settings.room_key(None) == "chamber" and settings.room_key("committee1") == "committee1"
    with pytest.raises(ConfigError, match=r"unknown room 'annexe' \(rooms in .*: chamber, committee1\)"):
        settings.room_key("annexe")


ROOM = "rooms:\n  chamber:\n    name: Chamber\n    scene_set: x.yaml\n"


def error_of(path) -> str:
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    return str(err.value)


def test_no_rooms_is_refused_with_an_example(tmp_path):
    path = write(tmp_path, "council: {name: Test Borough Council}\nrooms: {}\n")
    assert error_of(path) == (f"{path}:2: rooms: at least one room is needed, "
                              "e.g. `chamber: {name: Council Chamber, scene_set: scenes/council-chamber.yaml}`")


def test_a_room_named_twice_names_both_lines(tmp_path):
    path = write(tmp_path, ROOM + "  annexe:\n    name: Annexe\n    scene_set: y.yaml\n  chamber:\n    name: Chamber 2\n    scene_set: z.yaml\n")
    assert error_of(path) == (f"{path}:8: rooms.chamber: duplicate key 'chamber' (also on line 2); "
                              "YAML would silently keep only the last: remove or rename one")


def test_a_setting_given_twice_is_refused(tmp_path):
    path = write(tmp_path, ROOM + "    obs: {port: 4455, port: 4456}\n")
    assert error_of(path).startswith(f"{path}:5: rooms.chamber.obs.port: duplicate key 'port' (also on line 5)")


def test_a_validator_message_has_no_pydantic_prefix(tmp_path):
    path = write(tmp_path, "council: {timezone: Europe/Chesterfield}\n" + ROOM)
    assert error_of(path) == f"{path}:1: council.timezone: unknown time zone 'Europe/Chesterfield' (use an IANA name such as Europe/London)"


def test_an_endless_obs_timeout_is_refused(tmp_path):
    path = write(tmp_path, ROOM + "    obs: {timeout: .inf}\n")
    assert error_of(path).startswith(f"{path}:5: rooms.chamber.obs.timeout: ")


def test_a_config_that_is_not_utf8_names_the_line_and_field(tmp_path):
    path = tmp_path / "meetstream.yaml"
    path.write_bytes(("council: {name: Conseil g\xe9n\xe9ral}\n" + ROOM).encode("latin-1"))
    assert error_of(path) == (f"{path}:1: council.name: not UTF-8 text: byte 0xE9 in column 26 (Windows-1252 or Latin-1?); "
                              "save the file with UTF-8 encoding")


def test_a_config_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "meetstream.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + ROOM.encode())
    assert load_settings(path).rooms["chamber"].name == "Chamber"


def test_an_alias_bomb_or_deep_nesting_in_the_config_is_refused(tmp_path):
    bomb = "".join(f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 9 if i else ["lol"] * 9) + "]\n" for i in range(9))
    path = write(tmp_path, ROOM + bomb)
    assert error_of(path).startswith(f"{path}:9: x4.0: aliases expand to more than 10000 values")
    path = write(tmp_path, ROOM + "    locations: " + "[" * 10_000 + "\n")
    assert error_of(path).startswith(f"{path}:5: rooms.chamber.locations: nested more than 50 levels deep")


@pytest.mark.parametrize("text, line, says", [
    ("rooms:\n  chamber:\n    name: Chamber\n    scene_set: x.yaml\n    obs:\n      prot: 4455\n", 6,
     "rooms.chamber.obs.prot: unknown field `prot`: did you mean `port`?"),
    ("rooms:\n  chamber: {name: Chamber, scene_set: x.yaml}\nyoutub: {privacy: public}\n", 3,
     "youtub: unknown field `youtub`: did you mean `youtube`?"),
    ("rooms:\n  chamber: {name: Chamber, scene_set: x.yaml, colour: red}\n", 2,
     # every field a room has (the list grows with each room setting: read from the model, not copied)
     "rooms.chamber.colour: unknown field `colour` (the fields here: "
     + ", ".join(sorted(__import__("meetstream.config", fromlist=["RoomConfig"]).RoomConfig.model_fields)) + ")"),
])
def test_a_typo_in_a_field_name_suggests_the_field_meant(tmp_path, text, line, says):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(err.value) == f"{path}:{line}: {says}"


def test_a_publish_address_that_is_not_a_web_address_is_refused(tmp_path):
    room = "rooms:\n  chamber: {name: Chamber, scene_set: x.yaml}\n"
    path = write(tmp_path, room + "publish:\n  base_url: \"javascript:alert(1)\"\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert f"{path}:4: publish.base_url:" in str(err.value) and "https://" in str(err.value)
    assert load_settings(write(tmp_path, room + "publish: {base_url: 'https://webcasts.example.gov.uk/'}\n")).publish.base_url


def test_a_lone_surrogate_in_the_file_is_refused_with_its_line(tmp_path):
    """"\\ud800" in a quoted string passed validation, then `publish` and `report` failed to write."""
    path = write(tmp_path, "council:\n  name: \"Northdale \\ud800 Council\"\nrooms:\n  chamber: {name: Chamber, scene_set: x.yaml}\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(err.value).startswith(f"{path}:2: council.name:") and "lone surrogate" in str(err.value)
