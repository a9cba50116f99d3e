"""Every YAML file an officer writes is read by meetstream.yamlfile.load_yaml: bad bytes, alias
bombs, deep nesting and duplicate keys are one line naming file, line and field; never a traceback."""

import pytest

from meetstream.errors import ConfigError
from meetstream.yamlfile import ALIAS_BUDGET, MAX_BYTES, MAX_DEPTH, load_yaml

from helpers import REPO


def error_of(path) -> str:
    with pytest.raises(ConfigError) as err:
        load_yaml(path)
    message = str(err.value)
    assert "\n" not in message
    return message


def write(tmp_path, data, name="file.yaml"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


# --- bytes ----------------------------------------------------------------------------------------


def test_a_windows_1252_byte_names_the_line_the_field_and_the_byte(tmp_path):
    path = write(tmp_path, "name: x\ninputs:\n  Lower third:\n    text: Caf\xe9 society\n".encode("cp1252"))
    assert error_of(path) == (f"{path}:4: inputs.Lower third.text: not UTF-8 text: byte 0xE9 in column 14 "
                              "(Windows-1252 or Latin-1?); save the file with UTF-8 encoding")


def test_a_bad_byte_in_a_key_names_the_mapping_that_holds_it(tmp_path):
    path = write(tmp_path, "inputs:\n  Caf\xe9 camera: {kind: camera}\n".encode("latin-1"))
    assert error_of(path).startswith(f"{path}:2: inputs: not UTF-8 text: byte 0xE9 in column 6")


def test_a_bad_byte_in_a_file_that_is_not_yaml_either_still_names_the_line(tmp_path):
    path = write(tmp_path, b"a: [1,\nb: \xff\xfe {")
    assert error_of(path).startswith(f"{path}:2: not UTF-8 text: byte 0xFF in column 4")


def test_utf16_from_notepad_is_named_as_such(tmp_path):
    path = write(tmp_path, "rooms: {}\n".encode("utf-16"))
    assert error_of(path) == f"{path}:1: the file is saved as UTF-16 (\"Unicode\"): save it with UTF-8 encoding"


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfname: Caf\xc3\xa9\nlist: [1, 2]\n")
    doc = load_yaml(path)
    assert doc.data == {"name": "Café", "list": [1, 2]}
    assert doc.line_of(("list",)) == 2


def test_a_byte_order_mark_does_not_shift_the_column_of_a_bad_byte(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfname: x\ntext: Caf\xe9\n")
    assert error_of(path).startswith(f"{path}:2: text: not UTF-8 text: byte 0xE9 in column 10")


def test_a_control_character_names_its_line(tmp_path):
    path = write(tmp_path, b"name: x\ntext: a\x07b\n")
    assert error_of(path) == f"{path}:2: YAML syntax error: character U+0007 is not allowed in YAML text (remove it)"


def test_a_file_far_too_big_to_be_a_meetstream_file_is_refused_unread(tmp_path):
    path = write(tmp_path, b"a: 1\n" * (MAX_BYTES // 5 + 1))
    assert error_of(path) == f"{path}: larger than {MAX_BYTES // 1024} KB; meetstream's YAML files are a few KB: is this the right file?"


def test_a_directory_is_named(tmp_path):
    assert error_of(tmp_path) == f"{tmp_path}: is a directory, not a YAML file"


# --- aliases --------------------------------------------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_a_billion_laughs_alias_bomb_is_refused_at_the_alias_that_crosses_the_budget(tmp_path):
    path = write(tmp_path, BILLION_LAUGHS)
    # The aliases in b add 9 x 10 values, in c 9 x 91, in d 9 x 820 (8,289 so far): e's first *d adds 7,381.
    assert error_of(path) == (f"{path}:5: e.0: aliases expand to more than {ALIAS_BUDGET} values (an alias bomb?): "
                              "write the values out or use fewer aliases")


def test_an_alias_bomb_in_mappings_is_refused_too(tmp_path):
    lines = ["a: &a {x: 1, y: 2, z: 3, w: 4}"]
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{cur}: &{cur} {{p: *{prev}, q: *{prev}, r: *{prev}, s: *{prev}, t: *{prev}, u: *{prev}, v: *{prev}, w: *{prev}}}")
    message = error_of(write(tmp_path, "\n".join(lines) + "\n"))
    assert "aliases expand to more than" in message and message.startswith(str(tmp_path / "file.yaml") + ":")


def test_an_alias_inside_its_own_anchor_is_a_loop(tmp_path):
    path = write(tmp_path, "settings:\n  a: &a [1, *a]\n")
    assert error_of(path) == f"{path}:2: settings.a.1: alias *a is inside its own anchor &a (a loop): write the value out"


def test_a_few_aliases_and_merge_keys_are_fine(tmp_path):
    path = write(tmp_path, "font: &f {face: DejaVu Sans, size: 30}\nbase: &b {kind: text, color: '#ffffff'}\n"
                           "a: {font: *f}\nb: {<<: *b, font: *f, color: '#000000'}\n")
    data = load_yaml(path).data
    assert data["b"] == {"kind": "text", "color": "#000000", "font": {"face": "DejaVu Sans", "size": 30}}


def test_an_undefined_alias_is_a_syntax_error_on_its_line(tmp_path):
    path = write(tmp_path, "a: 1\nb: *nowhere\n")
    assert error_of(path) == f"{path}:2: YAML syntax error: found undefined alias 'nowhere'"


# --- nesting --------------------------------------------------------------------------------------


def test_ten_thousand_nested_brackets_are_refused_without_a_recursion_error(tmp_path):
    path = write(tmp_path, "settings: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert error_of(path) == (f"{path}:1: settings: nested more than {MAX_DEPTH} levels deep; "
                              "a meetstream file needs a few levels: check the brackets and indentation")


def test_ten_thousand_nested_braces_are_refused(tmp_path):
    path = write(tmp_path, "settings: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n")
    assert error_of(path).startswith(f"{path}:1: settings.a.a.a.…: nested more than {MAX_DEPTH} levels deep")


def test_unclosed_brackets_are_refused_the_same_way(tmp_path):
    path = write(tmp_path, "x: " + "[{a: " * 5_000 + "\n")
    assert error_of(path).startswith(f"{path}:1: x: nested more than {MAX_DEPTH} levels deep")


def test_deeply_indented_mappings_are_refused(tmp_path):
    text = "".join(" " * i + f"k{i}:\n" for i in range(300)) + " " * 300 + "end\n"
    path = write(tmp_path, text)
    # k0 is the file's own mapping (level 1); k50, on line 51, opens level 51
    assert error_of(path).startswith(f"{path}:51: k0.k1.k2.k3.…: nested more than {MAX_DEPTH} levels deep")


def test_deeply_nested_block_sequences_are_refused(tmp_path):
    text = "x:\n" + "".join("  " * i + "-\n" for i in range(1, 500)) + "  " * 500 + "- 1\n"
    assert f"nested more than {MAX_DEPTH} levels deep" in error_of(write(tmp_path, text))


def test_fifty_levels_are_still_read(tmp_path):
    doc = load_yaml(write(tmp_path, "x: " + "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1) + "\n"))
    depth, value = 0, doc.data["x"]
    while isinstance(value, list):
        depth, value = depth + 1, value[0]
    assert (depth, value) == (MAX_DEPTH - 1, 1)


# --- keys and values ------------------------------------------------------------------------------


def test_a_duplicate_key_names_the_key_and_both_lines(tmp_path):
    path = write(tmp_path, "rooms:\n  chamber:\n    name: A\n  annexe:\n    name: B\n  chamber:\n    name: C\n")
    assert error_of(path) == (f"{path}:6: rooms.chamber: duplicate key 'chamber' (also on line 2); "
                              "YAML would silently keep only the last: remove or rename one")


def test_a_duplicate_key_in_a_flow_mapping_is_refused(tmp_path):
    path = write(tmp_path, "font: {face: DejaVu Sans, size: 30, size: 40}\n")
    assert error_of(path).startswith(f"{path}:1: font.size: duplicate key 'size' (also on line 1)")


def test_keys_that_yaml_reads_as_the_same_value_are_duplicates(tmp_path):
    path = write(tmp_path, "x:\n  yes: 1\n  true: 2\n")
    assert error_of(path).startswith(f"{path}:3: x.true: duplicate key 'true' (also on line 2)")


def test_keys_that_differ_as_values_are_not_duplicates(tmp_path):
    assert load_yaml(write(tmp_path, "x:\n  1: a\n  '1': b\n")).data == {"x": {1: "a", "1": "b"}}


def test_a_merge_key_overridden_by_an_explicit_one_is_not_a_duplicate(tmp_path):
    data = load_yaml(write(tmp_path, "base: &b {size: 30}\nfont: {<<: *b, size: 40}\n")).data
    assert data["font"] == {"size": 40}


def test_an_impossible_date_names_the_line_and_field(tmp_path):
    path = write(tmp_path, "- meeting: abc\n  date: 2025-13-01\n")
    assert error_of(path) == f"{path}:2: 0.date: cannot read '2025-13-01' (month must be in 1..12)"


def test_a_python_tag_is_refused(tmp_path):
    path = write(tmp_path, "name: !!python/object/apply:os.system [echo hi]\n")
    assert error_of(path) == f"{path}:1: name: the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed (remove it)"


def test_a_tab_in_the_indentation_says_so(tmp_path):
    path = write(tmp_path, "rooms:\n\tchamber: {}\n")
    assert error_of(path) == (f"{path}:2: YAML syntax error: found character '\\t' that cannot start any token "
                              "(indent with spaces, not tabs)")


def test_two_documents_in_one_file_are_refused(tmp_path):
    path = write(tmp_path, "rooms: {}\n---\nrooms: {}\n")
    assert error_of(path) == f"{path}:2: YAML syntax error: more than one YAML document in the file (remove the second `---`)"


def test_an_empty_file_reads_as_nothing(tmp_path):
    assert load_yaml(write(tmp_path, "")).data is None


# --- every reader goes through load_yaml --------------------------------------------------------

LATIN1 = "members:\n  - name: Ren\xe9e Dubois\n    email: renee@example.gov.uk\n".encode("latin-1")


def test_the_roster_goes_through_load_yaml(tmp_path):
    from meetstream.services.meetings.roster_file import load_roster

    path = write(tmp_path, LATIN1, "roster.yaml")
    with pytest.raises(ConfigError) as err:
        load_roster(path)
    assert str(err.value).startswith(f"{path}:2: members.0.name: not UTF-8 text: byte 0xE9")
    dup = write(tmp_path, "members:\n  - name: A\n    name: B\n", "dup.yaml")
    with pytest.raises(ConfigError, match=r"dup.yaml:3: members\.0\.name: duplicate key 'name' \(also on line 2\)"):
        load_roster(dup)
    bom = write(tmp_path, b"\xef\xbb\xbf" + LATIN1.decode("latin-1").encode(), "bom.yaml")
    assert load_roster(bom).find("Renée Dubois") is not None


def test_agenda_overrides_go_through_load_yaml(tmp_path):
    from meetstream.services.meetings.overrides import load_overrides

    path = write(tmp_path, "meeting: abc\nitems:\n  - title: Caf\xe9 licence\n".encode("latin-1"), "abc.yaml")
    with pytest.raises(ConfigError) as err:
        load_overrides(path)
    assert str(err.value).startswith(f"{path}:3: items.0.title: not UTF-8 text: byte 0xE9")


def test_meetstream_yaml_goes_through_load_yaml(tmp_path):
    from meetstream.config import load_settings

    path = write(tmp_path, "council: {name: Ville de Qu\xe9bec}\nrooms: {}\n".encode("latin-1"), "meetstream.yaml")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(err.value).startswith(f"{path}:1: council.name: not UTF-8 text: byte 0xE9")


def test_the_scene_set_goes_through_load_yaml(tmp_path):
    from meetstream.adapters.obs.sceneset import load_scene_set

    text = (REPO / "scenes" / "council-chamber.yaml").read_text().replace("name: Council chamber with Teams members",
                                                                           "name: Salle du conseil g\xe9n\xe9ral")
    path = write(tmp_path, text.encode("latin-1"), "set.yaml")
    with pytest.raises(ConfigError) as err:
        load_scene_set(path)
    line = text.splitlines().index("name: Salle du conseil g\xe9n\xe9ral") + 1
    assert str(err.value).startswith(f"{path}:{line}: name: not UTF-8 text: byte 0xE9 in column 25")


@pytest.mark.parametrize("data, starts", [
    (b"rooms:\n  chamber: {name: Caf\xe9}\n", ":2: rooms.chamber.name: not UTF-8 text: byte 0xE9"),
    (BILLION_LAUGHS.encode(), ":5: e.0: aliases expand to more than"),
    (b"rooms: " + b"[" * 10_000 + b"\n", ":1: rooms: nested more than"),
    (b"rooms: {}\nrooms: {}\n", ":2: rooms: duplicate key 'rooms' (also on line 1)"),
    (b"rooms: {}\n", ":1: rooms: at least one room is needed"),
], ids=["not UTF-8", "alias bomb", "deep nesting", "duplicate key", "no rooms"])
def test_the_cli_prints_one_line_and_exits_2(data, starts, cli, tmp_path):
    path = write(tmp_path, data, "meetstream.yaml")
    result = cli("--config", path, "obs", "status")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"Error: {path}{starts}") and result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
