"""Read a YAML file so that every later error can name the file, the line and the field.

Every YAML file an officer writes (meetstream.yaml, scene sets, the roster, agenda overrides) is
read here, and nothing reaches the rest of meetstream unless it is safe to walk:

- the bytes must be UTF-8 (a UTF-8 byte-order mark is fine; UTF-16 "Unicode" from Notepad is not);
- the file is at most MAX_BYTES (a scene set is a few KB: a bigger file is the wrong file);
- nesting is at most MAX_DEPTH levels, checked as the text is scanned, so 10,000 `[` or deeply
  indented mappings fail at level MAX_DEPTH + 1 instead of with a RecursionError;
- aliases may add at most ALIAS_BUDGET values in all. PyYAML shares an aliased node rather than
  copying it, so composing a "billion laughs" document is cheap, but anything that walks the
  result as a tree (our line index, pydantic) would walk every copy. The expanded size of each
  node is counted as it is composed, so the bomb is refused at the alias that crosses the budget,
  before anything is constructed. An alias inside its own anchor (a loop) is refused too;
- a key that appears twice in one mapping is refused (PyYAML silently keeps the last one);
- a value that cannot be constructed (`date: 2024-13-01`) is an error on its line, not a traceback.

Errors are one line: `<file>:<line>: <field>: <message>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from meetstream.errors import ConfigError

MAX_BYTES = 256 * 1024
MAX_DEPTH = 50
ALIAS_BUDGET = 10_000


def _where(path: Path, line: int | None, loc: tuple, message: str) -> str:
    where = f"{path}:{line}" if line else str(path)
    field = ".".join(str(p) for p in loc)
    return f"{where}: {field + ': ' if field else ''}{message}"


@dataclass(frozen=True)
class YamlDoc:
    path: Path
    data: Any
    lines: dict[tuple, int]  # field path -> 1-based line

    def line_of(self, loc: tuple) -> int | None:
        """The line of the deepest known field on `loc` (pydantic locs may go deeper than the YAML)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get(())

    def error(self, loc: tuple, message: str) -> ConfigError:
        return ConfigError(_where(self.path, self.line_of(loc), tuple(loc), message))


def load_yaml(path: Path | str) -> YamlDoc:
    path = Path(path)
    text = _read_text(path)
    node, data, key_values = _parse(path, text)
    lines: dict[tuple, int] = {}
    if node is not None:
        _index(node, (), lines, key_values)
    bad = _surrogate_at(data, ())
    if bad is not None:
        # A "\ud800" escape in a quoted string makes a lone surrogate: not text, and every file
        # written from it later (the published site, the report) would fail.
        raise ConfigError(_where(path, lines.get(bad, 1), bad, "contains a lone surrogate (a \\ud800-\\udfff escape): "
                                                           "that is not text; write the character itself"))
    return YamlDoc(path=path, data=data, lines=lines)


def _surrogate_at(value, loc: tuple) -> tuple | None:
    """Where the first string holding a lone surrogate is, or None."""
    if isinstance(value, str):
        return loc if any("\ud800" <= c <= "\udfff" for c in value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, sub in items:
        found = _surrogate_at(key, loc + (key,)) if isinstance(key, str) else None
        found = found or _surrogate_at(sub, loc + (key,))
        if found is not None:
            return found
    return None


# --- bytes -> text ------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a YAML file") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read ({err.strerror or err})") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_BYTES // 1024} KB; meetstream's YAML files are a few KB: is this the right file?")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError(f"{path}:1: the file is saved as UTF-16 (\"Unicode\"): save it with UTF-8 encoding")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte-order mark (Windows editors add one) is fine
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _not_utf8(path, raw, err) from None


def _not_utf8(path: Path, raw: bytes, err: UnicodeDecodeError) -> ConfigError:
    before = raw[:err.start].decode("utf-8")  # valid up to the first bad byte
    line0 = before.count("\n")
    col0 = len(before) - (before.rfind("\n") + 1)
    # Name the field the bad byte is in, if the rest of the file reads as YAML.
    loc: tuple = ()
    try:
        loader = _new_loader(raw.decode("utf-8", errors="replace"))
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        if node is not None:
            loc = _loc_at(node, line0, col0)
    except (_Refused, _yaml().YAMLError, RecursionError):
        pass
    byte = raw[err.start]
    hint = " (Windows-1252 or Latin-1?)" if byte >= 0x80 else ""
    return ConfigError(_where(path, line0 + 1, loc, f"not UTF-8 text: byte 0x{byte:02X} in column {col0 + 1}{hint}; save the file with UTF-8 encoding"))


# --- text -> nodes -> data ------------------------------------------------------------------------


def _yaml():
    import yaml

    return yaml


class _RawKey(tuple):
    """A key that did not construct to a plain value: compared by its tag and text."""

    def __new__(cls, tag, value):
        return super().__new__(cls, (tag, value))


class _Refused(Exception):
    """Input refused while scanning or composing: where, which field, and why."""

    def __init__(self, mark, loc: tuple, message: str):
        super().__init__(message)
        self.mark, self.loc, self.message = mark, loc, message


_LOADER = None


def _loader_class():
    """A SafeLoader with limits; built on first use so that importing this module stays cheap."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    yaml = _yaml()
    from yaml.constructor import ConstructorError
    from yaml.events import AliasEvent
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    merge_tag = "tag:yaml.org,2002:merge"

    class Loader(yaml.SafeLoader):
        def __init__(self, stream):
            super().__init__(stream)
            self._path: list = []  # segments of the node being composed (None for a key)
            self._sizes: dict[int, int] = {}  # id(node) -> values in it, aliases expanded
            self._expanded = 0  # values added by aliases so far
            self.key_values: dict[int, Any] = {}  # id(key node) -> the key as the data holds it

        def _field(self) -> tuple:
            return tuple(p for p in self._path if p is not None)

        def _too_deep(self, mark):
            loc = self._field()
            loc = loc if len(loc) <= 5 else loc[:4] + ("…",)
            return _Refused(mark, loc, f"nested more than {MAX_DEPTH} levels deep; a meetstream file needs a few levels: check the brackets and indentation")

        # Scanner: count nesting as the text is read, before the parser or composer recurse.
        def fetch_flow_collection_start(self, TokenClass):
            if self.flow_level >= MAX_DEPTH:
                raise self._too_deep(self.get_mark())
            return super().fetch_flow_collection_start(TokenClass)

        def add_indent(self, column):
            added = super().add_indent(column)
            if added and len(self.indents) > MAX_DEPTH:
                raise self._too_deep(self.get_mark())
            return added

        # Composer: the field path, depth, alias budget, loops and duplicate keys.
        def compose_node(self, parent, index):
            if isinstance(index, ScalarNode):
                segment = index.value
            elif isinstance(index, int) and not isinstance(index, bool):
                segment = index
            else:
                segment = None  # a mapping key, or the root
            self._path.append(segment)
            try:
                if self.check_event(AliasEvent):
                    event = self.peek_event()
                    target = self.anchors.get(event.anchor)
                    if target is not None:
                        size = self._sizes.get(id(target))
                        if size is None:
                            raise _Refused(event.start_mark, self._field(), f"alias *{event.anchor} is inside its own anchor &{event.anchor} (a loop): write the value out")
                        self._expanded += size
                        if self._expanded > ALIAS_BUDGET:
                            raise _Refused(event.start_mark, self._field(),
                                           f"aliases expand to more than {ALIAS_BUDGET} values (an alias bomb?): write the values out or use fewer aliases")
                    return super().compose_node(parent, index)
                if len(self._path) > MAX_DEPTH + 1:
                    raise self._too_deep(self.peek_event().start_mark)
                node = super().compose_node(parent, index)
                self._sizes[id(node)] = self._size(node)
                if isinstance(node, MappingNode):
                    self._no_duplicate_keys(node)
                return node
            finally:
                self._path.pop()

        def _size(self, node) -> int:
            if isinstance(node, SequenceNode):
                return 1 + sum(self._sizes[id(v)] for v in node.value)
            if isinstance(node, MappingNode):
                return 1 + sum(self._sizes[id(k)] + self._sizes[id(v)] for k, v in node.value)
            return 1

        def _no_duplicate_keys(self, node) -> None:
            seen: dict = {}
            for key, _ in node.value:
                if not isinstance(key, ScalarNode) or key.tag == merge_tag:
                    continue
                ident = self._key_identity(key)
                if not isinstance(ident, _RawKey):
                    self.key_values[id(key)] = ident
                if ident in seen:
                    raise _Refused(key.start_mark, self._field() + (key.value,),
                                   f"duplicate key {key.value!r} (also on line {seen[ident]}); YAML would silently keep only the last: remove or rename one")
                seen[ident] = key.start_mark.line + 1

        def _key_identity(self, key):
            # The key as the mapping will hold it: `1` and `"1"` differ, `yes` and `true` do not.
            construct = self.yaml_constructors.get(key.tag)
            if construct is not None:
                try:
                    value = construct(self, key)
                    hash(value)
                    return value
                except Exception:  # noqa: BLE001 - a key that will not construct is reported later
                    pass
            return _RawKey(key.tag, key.value)

        # Constructor: a value that will not construct is an error on its line.
        def construct_object(self, node, deep=False):
            try:
                return super().construct_object(node, deep)
            except (ValueError, TypeError, OverflowError) as err:
                raise ConstructorError(None, None, f"cannot read {node.value!r} ({err})" if isinstance(node, ScalarNode)
                                       else f"cannot read this value ({err})", node.start_mark) from None

    _LOADER = Loader
    return Loader


def _new_loader(text: str):
    return _loader_class()(text)


def _parse(path: Path, text: str):
    yaml = _yaml()
    node = None
    key_values: dict = {}
    try:
        loader = _new_loader(text)  # checks for characters YAML does not allow
        key_values = loader.key_values
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except _Refused as err:
        raise ConfigError(_where(path, err.mark.line + 1 if err.mark else None, err.loc, err.message)) from None
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, err.position) + 1
        char = err.character if isinstance(err.character, int) else ord(err.character[:1] or "\0")
        raise ConfigError(f"{path}:{line}: YAML syntax error: character U+{char:04X} is not allowed in YAML text (remove it)") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        if "'\\t'" in problem:
            problem += " (indent with spaces, not tabs)"
        elif problem == "but found another document":
            problem = "more than one YAML document in the file (remove the second `---`)"
        elif problem.startswith("could not determine a constructor for the tag"):
            problem = f"the tag {err.problem.split('tag ', 1)[1]} is not allowed (remove it)"
        if node is not None and mark is not None:  # the document composed: a value would not construct
            loc = _loc_at(node, mark.line, mark.column)
            raise ConfigError(_where(path, mark.line + 1, loc, problem)) from None
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: YAML syntax error: {problem}") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: YAML syntax error: {err}") from None
    except RecursionError:  # not expected with the limits above; never a traceback
        raise ConfigError(f"{path}: nested too deeply to read: check the brackets and indentation") from None
    return node, data, key_values


def _index(node, loc: tuple, lines: dict[tuple, int], key_values: dict[int, Any]) -> None:
    """Field path -> line; a path holds keys as the data does (`yes:` is True, `1:` is 1)."""
    from yaml.nodes import MappingNode, SequenceNode

    lines[loc] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        for key, value in node.value:
            child = loc + (key_values.get(id(key), key.value),)
            _index(value, child, lines, key_values)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, SequenceNode):
        for i, value in enumerate(node.value):
            _index(value, loc + (i,), lines, key_values)


def _loc_at(node, line0: int, col0: int) -> tuple:
    """The field path of the deepest value that holds (line0, col0); a key holding it names its mapping."""
    from yaml.nodes import MappingNode, SequenceNode

    pos = (line0, col0)

    def inside(start, end) -> bool:
        return (start.line, start.column) <= pos < (end.line, end.column) or (start.line, start.column) == pos

    loc: tuple = ()
    for _ in range(MAX_DEPTH + 2):
        nxt = None
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if inside(key.start_mark, key.end_mark):
                    return loc
                if inside(key.start_mark, value.end_mark) or inside(value.start_mark, value.end_mark):
                    nxt = (key.value, value)
                    break
        elif isinstance(node, SequenceNode):
            for i, value in enumerate(node.value):
                if inside(value.start_mark, value.end_mark):
                    nxt = (i, value)
                    break
        if nxt is None:
            return loc
        loc, node = loc + (nxt[0],), nxt[1]
    return loc


def pydantic_error(doc: YamlDoc, err, known_fields=None) -> ConfigError:
    """The first pydantic validation error as one line naming file, line and field.
    `known_fields(loc)` lists the fields allowed beside `loc`, so a typo gets a suggestion."""
    first = err.errors()[0]
    loc = tuple(first["loc"])
    message = first["msg"]
    if first.get("type") == "value_error":  # our own validators' messages, without pydantic's prefix
        message = message.removeprefix("Value error, ")
    elif first.get("type") == "extra_forbidden" and known_fields is not None and loc:
        message = unknown_field(str(loc[-1]), known_fields(loc[:-1]))
    return doc.error(loc, message)


def unknown_field(name: str, known: list[str]) -> str:
    """'unknown field `prot`: did you mean `port`?' (or the fields there are)."""
    import difflib

    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"unknown field `{name}`: did you mean `{close[0]}`?"
    return f"unknown field `{name}` (the fields here: {', '.join(sorted(known))})" if known else f"unknown field `{name}`"
