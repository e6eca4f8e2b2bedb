"""Read YAML safely and validate it against a schema, keeping line numbers.

PyYAML's own construction is not used: it keeps the last of duplicate keys,
turns `16:00` into 960 and `no` into False, and expands alias bombs. Instead
we compose nodes (fast, with marks) and build values ourselves, driven by the
schema: a string field takes the scalar's text as written.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, Problem
from .schema import DURATION_PATTERN, ID_PATTERN, Schema

MAX_FILE_BYTES = 512 * 1024
MAX_NODES = 20_000  # counted with aliases expanded: a billion-laughs file stops here
MAX_DEPTH = 40

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SAFE_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
}
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")
_NULLS = {"", "~", "null", "Null", "NULL"}

KeyPath = tuple[str | int, ...]


@dataclass
class Document:
    """A validated file: its values and the line of every key path in it."""

    path: str
    data: dict[str, Any]
    marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def at(self, *key_path: str | int) -> Location:
        """The location of `key_path`, or of its nearest located parent."""
        for end in range(len(key_path), -1, -1):
            mark = self.marks.get(key_path[:end])
            if mark:
                return Location(self.path, *mark)
        return Location(self.path, 1, 1)


class _Abort(Exception):
    """Stops the walk of a file that cannot be read any further."""


def read_document(
    path: Path, display: str, schema: Schema
) -> tuple[Document | None, list[Problem]]:
    """Read, compose and validate one file; never raises for bad content."""
    problems: list[Problem] = []
    try:
        text = _read_text(path, display)
        if not text.strip():
            raise _Problem(
                Location(display, 1, 1),
                "the file is empty",
                "write the mapping described by the schema, or delete the file",
            )
        node = _compose(text, display)
        walker = _Walker(display, problems)
        data = walker.value(node, schema, ())
    except _Problem as p:
        return None, [p.problem]
    except _Abort:
        return None, problems
    if problems:
        return None, problems
    return Document(display, data, walker.marks), []


class _Problem(Exception):
    def __init__(self, location: Location, message: str, hint: str = "") -> None:
        self.problem = Problem(location, message, hint)


def _read_text(path: Path, display: str) -> str:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _Problem(
            Location(display),
            f"the file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}",
            "split it into smaller files; a playbook file should be a page, not a database",
        )
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _Problem(
            Location(display, line, column),
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x})",
            "re-save it as UTF-8 in your editor",
        ) from None


def _compose(text: str, display: str) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        raise _Problem(
            Location(display, line, column),
            f"YAML syntax error: {what}",
            "check indentation and quoting on this line; quote text that contains ': ' or starts with a special character",
        ) from None
    except yaml.YAMLError as exc:
        raise _Problem(
            Location(display, 1, 1), f"YAML error: {exc}", "fix the YAML syntax"
        ) from None
    if node is None:
        raise _Problem(
            Location(display, 1, 1),
            "the file is empty",
            "write the mapping described by the schema",
        )
    return node


_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a mapping (key: value lines)",
    "array": "a list (lines starting with '- ')",
}


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag.endswith(":null"):
        return "nothing (null)"
    return repr(node.value)


def _format_key_path(key_path: KeyPath) -> str:
    out = ""
    for part in key_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Walker:
    def __init__(self, display: str, problems: list[Problem]) -> None:
        self.display = display
        self.problems = problems
        self.marks: dict[KeyPath, tuple[int, int]] = {}
        self.nodes = 0

    def fail(self, node: yaml.Node, key_path: KeyPath, message: str, hint: str = "") -> None:
        mark = node.start_mark
        self.problems.append(
            Problem(
                Location(self.display, mark.line + 1, mark.column + 1),
                message,
                hint,
                _format_key_path(key_path),
            )
        )

    def value(self, node: yaml.Node, schema: Schema, key_path: KeyPath) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or len(key_path) > MAX_DEPTH:
            self.fail(
                node,
                key_path,
                "the document is too large or too deeply nested once aliases are expanded "
                f"(over {MAX_NODES:,} values or {MAX_DEPTH} levels)",
                "remove the anchors (&) and aliases (*) and write the values out",
            )
            raise _Abort
        if node.tag not in _SAFE_TAGS:
            self.fail(
                node,
                key_path,
                f"the YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed",
                "playbook files hold plain data only; remove the tag",
            )
            return None
        self.marks[key_path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        types = schema.get("type")
        types = types if isinstance(types, list) else [types]
        for kind in types:
            ok, value = _CONVERT[kind](self, node, schema, key_path)
            if ok:
                return self._check(node, schema, key_path, value)
        expected = " or ".join(_TYPE_NAMES[t] for t in types)
        self.fail(
            node,
            key_path,
            f"expected {expected}, found {_describe(node)}",
            schema.get("description", ""),
        )
        return None

    def _check(self, node: yaml.Node, schema: Schema, key_path: KeyPath, value: Any) -> Any:
        if "enum" in schema and value not in schema["enum"]:
            close = difflib.get_close_matches(str(value), schema["enum"], n=1)
            self.fail(
                node,
                key_path,
                f"{value!r} is not one of: {', '.join(schema['enum'])}",
                f"did you mean {close[0]!r}?" if close else "",
            )
        if isinstance(value, str):
            if len(value.strip()) < schema.get("minLength", 0):
                self.fail(
                    node,
                    key_path,
                    "expected some text, found an empty string",
                    schema.get("description", ""),
                )
            elif "pattern" in schema and not re.search(schema["pattern"], value):
                self.fail(
                    node,
                    key_path,
                    f"{value!r} does not have the expected form",
                    _pattern_hint(schema["pattern"]),
                )
        return value

    def _object(self, node: yaml.Node, schema: Schema, key_path: KeyPath) -> tuple[bool, Any]:
        if not isinstance(node, yaml.MappingNode):
            return False, None
        properties = schema["properties"]
        result: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, key_path, "a key must be plain text")
                continue
            key = key_node.value
            if key == "<<":
                self.fail(
                    key_node,
                    key_path,
                    "merge keys (<<) are not supported",
                    "write the keys out",
                )
                continue
            if key in seen:
                self.fail(
                    key_node,
                    (*key_path, key),
                    f"duplicate key {key!r} (first given on line {seen[key]})",
                    "YAML would silently keep only the last one; remove or merge the duplicates",
                )
                continue
            seen[key] = key_node.start_mark.line + 1
            if key not in properties:
                close = difflib.get_close_matches(key, properties, n=1)
                self.fail(
                    key_node,
                    (*key_path, key),
                    f"unknown key {key!r}",
                    f"did you mean {close[0]!r}?"
                    if close
                    else f"allowed keys here: {', '.join(properties)}",
                )
                continue
            result[key] = self.value(value_node, properties[key], (*key_path, key))
        for key in schema.get("required", []):
            if key not in seen:
                self.fail(
                    node,
                    key_path,
                    f"missing required key {key!r}",
                    properties[key].get("description", ""),
                )
        return True, result

    def _array(self, node: yaml.Node, schema: Schema, key_path: KeyPath) -> tuple[bool, Any]:
        if not isinstance(node, yaml.SequenceNode):
            return False, None
        return True, [
            self.value(child, schema["items"], (*key_path, index))
            for index, child in enumerate(node.value)
        ]

    def _string(self, node: yaml.Node, schema: Schema, key_path: KeyPath) -> tuple[bool, Any]:
        if not isinstance(node, yaml.ScalarNode):
            return False, None
        if not node.style and node.value in _NULLS:
            return False, None
        # The text as written: `16:00` stays "16:00", `no` stays "no".
        return True, node.value

    def _integer(self, node: yaml.Node, schema: Schema, key_path: KeyPath) -> tuple[bool, Any]:
        if isinstance(node, yaml.ScalarNode) and not node.style and _INT.fullmatch(node.value):
            return True, int(node.value)
        return False, None

    def _number(self, node: yaml.Node, schema: Schema, key_path: KeyPath) -> tuple[bool, Any]:
        ok, value = self._integer(node, schema, key_path)
        if ok:
            return ok, value
        if isinstance(node, yaml.ScalarNode) and not node.style and _FLOAT.fullmatch(node.value):
            return True, float(node.value)
        return False, None

    def _boolean(self, node: yaml.Node, schema: Schema, key_path: KeyPath) -> tuple[bool, Any]:
        if isinstance(node, yaml.ScalarNode) and not node.style and node.value in ("true", "false"):
            return True, node.value == "true"
        return False, None


_CONVERT = {
    "object": _Walker._object,
    "array": _Walker._array,
    "string": _Walker._string,
    "integer": _Walker._integer,
    "number": _Walker._number,
    "boolean": _Walker._boolean,
}


def _pattern_hint(pattern: str) -> str:
    return {
        ID_PATTERN: "ids use lowercase letters, digits and dashes, e.g. account-executive",
        DURATION_PATTERN: "write a duration such as 30m, 4h, 2d or 1w",
    }.get(pattern, f"it must match {pattern}")
