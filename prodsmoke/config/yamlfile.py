"""The one YAML reader: every config file, and the runner files `smoke schedule` compares.

PyYAML's `SafeLoader`, hardened against input a person did not mean (issue 9):

- aliases may not expand a document beyond `MAX_VALUES` values, so a "billion laughs" file is
  refused right after parsing, before anything walks (and copies) the expanded tree;
- a key given twice in one mapping is an error naming both lines (YAML requires unique keys;
  PyYAML would silently keep the last one);
- bytes that are not UTF-8 are an error naming the byte offset and line.

Every problem is one `ConfigError` line, which the CLI turns into exit code 2.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from yaml.constructor import ConstructorError

from prodsmoke.errors import ConfigError

# A large CloudFormation template has a few thousand values; a config file far fewer.
MAX_VALUES = 100_000
_MERGE = "tag:yaml.org,2002:merge"
T = TypeVar("T")


class _ExpansionError(yaml.YAMLError):
    """The aliases of a document expand to more than MAX_VALUES values."""

    def __init__(self, values: int, mark: yaml.Mark | None) -> None:
        self.problem = (
            f"aliases expand this document to {values} values, more than the {MAX_VALUES} allowed; "
            "write the repeated parts out, or use fewer aliases"
        )
        self.problem_mark = mark
        super().__init__(self.problem)


class HardenedLoader(yaml.SafeLoader):
    """SafeLoader with an alias expansion limit and an error for duplicate keys."""

    def compose_document(self) -> yaml.Node | None:
        """Compose as usual, then refuse a document whose aliases expand it too far."""
        node: yaml.Node | None = super().compose_document()
        if node is not None:
            values = _expanded_size(node, {})
            if values > MAX_VALUES:
                raise _ExpansionError(values, node.start_mark)
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Construct as usual, after refusing a key that appears twice in `node`."""
        seen: dict[object, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:  # `<<: *base`: keys merged in may be overridden
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:  # an unhashable key: SafeLoader's own error says so below
                continue
            if first is not key_node:
                raise _DuplicateKey(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {first.start_mark.line + 1}, "
                    f"again at line {key_node.start_mark.line + 1}); give each key once",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


class _DuplicateKey(ConstructorError):
    """A mapping gives one key twice."""


class TaggedLoader(HardenedLoader):
    """HardenedLoader that reads CloudFormation's short tags (!Ref, !Sub, …) as plain values."""


def _any_tag(loader: HardenedLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node, deep=True)}
    return {suffix: loader.construct_mapping(node, deep=True)}  # type: ignore[arg-type]


TaggedLoader.add_multi_constructor("!", _any_tag)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many values `node` stands for once every alias is copied out (linear time)."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = 1  # a recursive alias (PyYAML refuses those anyway) cannot loop here
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            size += _expanded_size(key, memo) + _expanded_size(value, memo)
    memo[id(node)] = size
    return size


def read_yaml(file: Path) -> Any:
    """Parse one YAML document; every problem is a one-line `ConfigError` saying where."""
    text = _text(file)
    return _parse(file, lambda: yaml.load(text, Loader=HardenedLoader))  # noqa: S506 - hardened SafeLoader


def read_yaml_documents(file: Path, *, any_tags: bool = False) -> list[Any]:
    """Every non-empty document in `file`; `any_tags` reads `!Tag value` as `{Tag: value}`."""
    text = _text(file)
    loader = TaggedLoader if any_tags else HardenedLoader
    docs = _parse(file, lambda: list(yaml.load_all(text, Loader=loader)))
    return [d for d in docs if d]


def _text(file: Path) -> str:
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ConfigError(str(file), "", f"cannot read: {exc.strerror}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{file}:{line}",
            "",
            f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}; "
            "save the file as UTF-8",
        ) from None


def _parse(file: Path, load: Callable[[], T]) -> T:
    try:
        return load()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else str(file)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if isinstance(exc, _ExpansionError | _DuplicateKey):
            raise ConfigError(where, "", problem) from None
        raise ConfigError(where, "", f"malformed YAML: {problem}") from None
