"""Read YAML safely and validate it against a schema, keeping line numbers.

PyYAML's own construction is not used: it keeps the last of duplicate keys,
turns `16:00` into 960 and `no` into False, and expands alias bombs. Instead
we compose nodes (fast, with marks) and build values ourselves, driven by the
schema: a string field takes the scalar's text as written.
"""

from __future__ import annotations

import difflib
import functools
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


class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's composer without YAML 1.1 implicit typing.

    Values are typed by the schema (yamlread._Walker), so guessing whether `no`
    is a bool or `16:00` a number is wasted work: every plain scalar stays text.
    Explicit tags (`!!python/...`) are kept, to be refused.
    """

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        return _DEFAULT_TAGS[kind]


_DEFAULT_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}

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
    path: Path, display: str, schema: Schema, partial: bool = False
) -> tuple[Document | None, list[Problem]]:
    """Read, compose and validate one file; never raises for bad content.

    A file with problems gives no Document, unless `partial`: then a mapping that
    could be read gives one holding only the keys whose values had no problem, so
    that settings other files depend on can still be used.
    """
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
    if problems and not (partial and isinstance(data, dict)):
        return None, problems
    return Document(display, data, walker.marks), problems


class _Problem(Exception):
    def __init__(self, location: Location, message: str, hint: str = "") -> None:
        self.problem = Problem(location, message, hint)


def _read_text(path: Path, display: str) -> str:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _Problem(
            Location(display, 1, 1),
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


_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})(?= |$)", re.MULTILINE)


def conflict_marker(text: str) -> tuple[int, str] | None:
    """(line, marker) of the first merge-conflict marker git left in `text`, if any."""
    found = _CONFLICT.search(text)
    if found is None:
        return None
    return text.count("\n", 0, found.start()) + 1, found.group(1)


def conflict_problem(display: str, line: int, marker: str) -> Problem:
    return Problem(
        Location(display, line, 1),
        f"unresolved merge conflict: git's marker {marker} is still in the file",
        "resolve the merge: keep the right lines, delete the <<<<<<<, ======= and >>>>>>> "
        "lines, then `git add` the file",
    )


def _compose(text: str, display: str) -> yaml.Node:
    marker = conflict_marker(text)
    if marker:
        problem = conflict_problem(display, *marker)
        raise _Problem(problem.location, problem.message, problem.hint)
    # libyaml lets a tab stand for a space in some places (`title:<TAB>x`) and PyYAML's
    # own scanner never does: a file with a tab is read by the strict one, so that it
    # is valid or not whether or not libyaml is installed.
    loader = yaml.SafeLoader if "\t" in text else Loader
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        tab = _tab_problem(text, mark.index) if mark else None
        if exc.context_mark and mark and mark.line >= len(text.rstrip().split("\n")):
            # "expected ']', found the end of the file": where the [ or quote opened helps more
            mark = exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = tab or exc.problem or "invalid YAML"
        if exc.context and not tab:
            what = f"{exc.context}, {what}"
        raise _Problem(
            Location(display, line, column),
            f"YAML syntax error: {what}",
            "replace the tab with spaces; most editors can be set to insert spaces for Tab"
            if tab
            else "check indentation and quoting on this line; quote text that contains ': ' "
            "or starts with a special character",
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


def _tab_problem(text: str, index: int) -> str | None:
    """What a tab at the error position is doing, in words; None if there is none."""
    if not 0 <= index < len(text) or text[index] != "\t":
        return None
    before = text[text.rfind("\n", 0, index) + 1 : index]
    if not before.strip():
        return "a tab is used for indentation; YAML needs spaces"
    if before.rstrip(" \t").endswith(":"):
        return "a tab follows the colon; YAML needs spaces"
    return "a tab is used as a space; YAML needs spaces"


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
    if not node.style and node.value in _NULLS:
        return "nothing (null)"
    return repr(node.value)


def format_key_path(key_path: KeyPath) -> str:
    """`handoffs[0].to`: how every problem names where it is."""
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
                format_key_path(key_path),
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
        if "boolean" in types:
            # `yes`, `on` and "true" in quotes are what goes wrong; the description does not say
            hint = (
                "write true or false, without quotes; YAML's yes, no, on and off are not accepted"
            )
        else:
            hint = schema.get("description") or f"write {expected} here"
        self.fail(node, key_path, f"expected {expected}, found {_describe(node)}", hint)
        return None

    def _check(self, node: yaml.Node, schema: Schema, key_path: KeyPath, value: Any) -> Any:
        if "enum" in schema and value not in schema["enum"]:
            allowed = ", ".join(schema["enum"])
            close = difflib.get_close_matches(str(value), schema["enum"], n=1)
            self.fail(
                node,
                key_path,
                f"{value!r} is not one of: {allowed}",
                f"did you mean {close[0]!r}?" if close else f"write one of: {allowed}",
            )
        if isinstance(value, str):
            if len(value.strip()) < schema.get("minLength", 0):
                self.fail(
                    node,
                    key_path,
                    "expected some text, found an empty string",
                    schema.get("description") or "write some text, or remove the key",
                )
            elif "pattern" in schema and not _pattern(schema["pattern"]).fullmatch(value):
                # fullmatch: `$` alone lets "next-steps\n" through
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
                self.fail(
                    key_node,
                    (*key_path, _flow(key_node)),
                    f"a key must be plain text, found {_describe(key_node)}",
                    "write each key as a plain word and a colon, one per line, e.g. `tools:`; "
                    f"allowed keys here: {', '.join(properties)}",
                )
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
            before = len(self.problems)
            value = self.value(value_node, properties[key], (*key_path, key))
            if len(self.problems) == before:
                # a partial Document keeps only values that are wholly valid
                result[key] = value
        for key in schema.get("required", []):
            if key not in seen:
                self.fail(
                    node,
                    key_path,
                    f"missing required key {key!r}",
                    _required_hint(key, properties[key]),
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


@functools.cache
def _pattern(pattern: str) -> re.Pattern[str]:
    """Compiled once: the walk checks a pattern for every id in every file."""
    return re.compile(pattern)


def _required_hint(key: str, schema: Schema) -> str:
    """The field's description, or what to write when the schema has none (metric type)."""
    if "description" in schema:
        return schema["description"]
    if "enum" in schema:
        return f"add {key}: with one of: {', '.join(schema['enum'])}"
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return f"add {key}: with {' or '.join(_TYPE_NAMES[t] for t in types)}"


def _flow(node: yaml.Node, depth: int = 0) -> str:
    """A complex key in one short line, e.g. [tools, skills], to say which key is meant.

    Shallow and short on purpose: the key may be an alias of itself or a bomb.
    """
    if isinstance(node, yaml.ScalarNode):
        text = str(node.value)
    elif depth >= 2:
        text = "[…]" if isinstance(node, yaml.SequenceNode) else "{…}"
    elif isinstance(node, yaml.SequenceNode):
        parts = [_flow(child, depth + 1) for child in node.value[:4]]
        text = "[" + ", ".join(parts + ["…"] * (len(node.value) > 4)) + "]"
    else:
        parts = [f"{_flow(k, depth + 1)}: {_flow(v, depth + 1)}" for k, v in node.value[:4]]
        text = "{" + ", ".join(parts + ["…"] * (len(node.value) > 4)) + "}"
    return text if len(text) <= 40 else text[:39] + "…"


def _pattern_hint(pattern: str) -> str:
    return {
        ID_PATTERN: "ids use lowercase letters, digits and dashes, e.g. account-executive",
        DURATION_PATTERN: "write a duration such as 30m, 4h, 2d or 1w",
    }.get(pattern, f"it must match {pattern}")
