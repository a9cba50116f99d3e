"""Read a YAML file so that every later error can name the file, the line and the field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from meetstream.errors import ConfigError


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
        line = self.line_of(loc)
        where = f"{self.path}:{line}" if line else str(self.path)
        field = ".".join(str(p) for p in loc)
        return ConfigError(f"{where}: {field + ': ' if field else ''}{message}")


def load_yaml(path: Path | str) -> YamlDoc:
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read ({err.strerror})") from err
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = err.problem or err.context or "invalid YAML"
        raise ConfigError(f"{path}{line}: YAML syntax error: {problem}") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: YAML syntax error: {err}") from err
    lines: dict[tuple, int] = {}
    if node is not None:
        _index(node, (), lines)
    return YamlDoc(path=path, data=data, lines=lines)


def _index(node, loc: tuple, lines: dict[tuple, int]) -> None:
    import yaml

    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = loc + (key.value,)
            _index(value, child, lines)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _index(value, loc + (i,), lines)


def pydantic_error(doc: YamlDoc, err) -> ConfigError:
    """The first pydantic validation error as one line naming file, line and field."""
    first = err.errors()[0]
    loc = tuple(first["loc"])
    return doc.error(loc, first["msg"])
