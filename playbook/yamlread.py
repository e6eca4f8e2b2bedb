"""Read YAML safely and validate it against a schema, keeping line numbers.

PyYAML's own construction is not used: it keeps the last of duplicate keys,
turns `16:00` into 960 and `no` into False, and expands alias bombs. Instead
we compose nodes (fast, with marks) and build values ourselves, driven by the
schema: a string field takes the scalar's text as written.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import Location, Problem
from .schema import DURATION_PATTERN, ID_PATTERN, Schema

if TYPE_CHECKING:
    from .documentcache import DocumentCache

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
    """A validated file: its values, and its text to find the line of any key path in.

    Lines are looked up only for the few values a problem is reported at, so the
    walk keeps no table of them: `at` composes the text again, once, on first use.
    """

    path: str
    data: dict[str, Any]
    text: str = ""
    _root: yaml.Node | None = field(default=None, init=False, repr=False, compare=False)

    def at(self, *key_path: str | int) -> Location:
        """The location of `key_path`, or of its nearest located parent."""
        if self._root is None:
            if not self.text:
                return Location(self.path, 1, 1)
            self._root = _compose(self.text, self.path)
        node = self._root
        for part in key_path:
            child = _child(node, part)
            if child is None:
                break
            node = child
        return Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    """The node at one step of a key path, as the walk read it (the first of duplicate keys)."""
    if isinstance(part, int):
        if isinstance(node, yaml.SequenceNode) and 0 <= part < len(node.value):
            return node.value[part]
        return None
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                return value_node
    return None


class _Abort(Exception):
    """Stops the walk of a file that cannot be read any further."""


def read_document(
    path: Path,
    display: str,
    schema: Schema,
    partial: bool = False,
    kept: DocumentCache | None = None,
) -> tuple[Document | None, list[Problem]]:
    """Read, compose and validate one file; never raises for bad content.

    A file with problems gives no Document, unless `partial`: then a mapping that
    could be read gives one holding only the keys whose values had no problem, so
    that settings other files depend on can still be used. With `kept`, a file
    read before exactly as it is now is taken from there, and a new one added.
    """
    problems: list[Problem] = []
    try:
        text = _read_text(path, display)
        if kept is not None:
            found = kept.get(display, text, schema, partial)
            if found is not None:
                data, problems = found
                return (None if data is None else Document(display, data, text)), problems
        if not text.strip():
            raise _Problem(
                Location(display, 1, 1),
                "the file is empty",
                "write the mapping described by the schema, or delete the file",
            )
        node = _compose(text, display)
        data = _check_for(schema)(_Walk(display, problems), node, ())
    except _Problem as p:
        return None, [p.problem]
    except _Abort:
        return None, problems
    document = (
        None
        if problems and not (partial and isinstance(data, dict))
        else Document(display, data, text)
    )
    if kept is not None:
        kept.put(display, text, schema, partial, (document and document.data, problems))
    return document, problems


class _Problem(Exception):
    def __init__(self, location: Location, message: str, hint: str = "") -> None:
        self.problem = Problem(location, message, hint)


def _read_text(path: Path, display: str) -> str:
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_FILE_BYTES:
            raise _Problem(
                Location(display, 1, 1),
                f"the file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}",
                "split it into smaller files; a playbook file should be a page, not a database",
            )
        raw = handle.read()
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


class _Walk:
    """The state of one file's walk: its problems and how many values it has seen."""

    __slots__ = ("display", "nodes", "problems")

    def __init__(self, display: str, problems: list[Problem]) -> None:
        self.display = display
        self.problems = problems
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

    def refuse(self, node: yaml.Node, key_path: KeyPath) -> None:
        """Report a value not to be read: past the size limits (then stop: a bomb) or tagged."""
        if self.nodes > MAX_NODES or len(key_path) > MAX_DEPTH:
            self.fail(
                node,
                key_path,
                "the document is too large or too deeply nested once aliases are expanded "
                f"(over {MAX_NODES:,} values or {MAX_DEPTH} levels)",
                "remove the anchors (&) and aliases (*) and write the values out",
            )
            raise _Abort
        self.fail(
            node,
            key_path,
            f"the YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed",
            "playbook files hold plain data only; remove the tag",
        )


# A compiled schema: checks one node and returns its value, adding problems to the walk.
Check = Callable[[_Walk, yaml.Node, KeyPath], Any]
_NO = object()  # a converter's "this node is not of my type"
_compiled: dict[int, tuple[Schema, Check]] = {}


def _check_for(schema: Schema) -> Check:
    """The schema compiled once into a function: the walk visits every value of every file,
    so what can be decided from the schema alone is decided here, not per value."""
    entry = _compiled.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = _compiled[id(schema)] = (schema, _compile(schema))
    return entry[1]


def _compile(schema: Schema) -> Check:
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    converters = [_CONVERTERS[kind](schema) for kind in types]
    finish = _finisher(schema)
    expected = " or ".join(_TYPE_NAMES[t] for t in types)
    if "boolean" in types:
        # `yes`, `on` and "true" in quotes are what goes wrong; the description does not say
        hint = "write true or false, without quotes; YAML's yes, no, on and off are not accepted"
    else:
        hint = schema.get("description") or f"write {expected} here"

    def mismatch(walk: _Walk, node: yaml.Node, key_path: KeyPath) -> None:
        walk.fail(node, key_path, f"expected {expected}, found {_describe(node)}", hint)

    if types == ["string"] and "enum" not in schema:
        return _text_check(schema, finish, mismatch)
    if len(converters) == 1:
        (convert,) = converters

        def check_one(walk: _Walk, node: yaml.Node, key_path: KeyPath) -> Any:
            walk.nodes += 1
            if walk.nodes > MAX_NODES or len(key_path) > MAX_DEPTH or node.tag not in _SAFE_TAGS:
                walk.refuse(node, key_path)
                return None
            value = convert(walk, node, key_path)
            if value is _NO:
                mismatch(walk, node, key_path)
                return None
            return finish(walk, node, key_path, value) if finish else value

        return check_one

    def check_any(walk: _Walk, node: yaml.Node, key_path: KeyPath) -> Any:
        walk.nodes += 1
        if walk.nodes > MAX_NODES or len(key_path) > MAX_DEPTH or node.tag not in _SAFE_TAGS:
            walk.refuse(node, key_path)
            return None
        for convert in converters:
            value = convert(walk, node, key_path)
            if value is not _NO:
                return finish(walk, node, key_path, value) if finish else value
        mismatch(walk, node, key_path)
        return None

    return check_any


def _text_check(schema: Schema, finish: Finish | None, mismatch: Check) -> Check:
    """A text field, the value most files are made of: every step inline."""
    min_length = schema.get("minLength", 0)
    pattern = _pattern(schema["pattern"]) if "pattern" in schema else None

    def check_text(walk: _Walk, node: yaml.Node, key_path: KeyPath) -> Any:
        walk.nodes += 1
        if walk.nodes > MAX_NODES or len(key_path) > MAX_DEPTH or node.tag not in _SAFE_TAGS:
            walk.refuse(node, key_path)
            return None
        if not isinstance(node, yaml.ScalarNode) or (not node.style and node.value in _NULLS):
            mismatch(walk, node, key_path)
            return None
        # The text as written: `16:00` stays "16:00", `no` stays "no".
        value = node.value
        if finish is not None and (
            len(value.strip()) < min_length
            or (pattern is not None and not pattern.fullmatch(value))
        ):
            finish(walk, node, key_path, value)  # says which of the two is wrong
        return value

    return check_text


Finish = Callable[[_Walk, yaml.Node, KeyPath, Any], Any]


def _finisher(schema: Schema) -> Finish | None:
    """The checks on a converted value (enum, length, pattern); None when there are none."""
    enum = schema.get("enum")
    min_length = schema.get("minLength", 0)
    pattern = _pattern(schema["pattern"]) if "pattern" in schema else None
    if enum is None and not min_length and pattern is None:
        return None
    description = schema.get("description")

    def finish(walk: _Walk, node: yaml.Node, key_path: KeyPath, value: Any) -> Any:
        if enum is not None and value not in enum:
            allowed = ", ".join(enum)
            close = difflib.get_close_matches(str(value), enum, n=1)
            walk.fail(
                node,
                key_path,
                f"{value!r} is not one of: {allowed}",
                f"did you mean {close[0]!r}?" if close else f"write one of: {allowed}",
            )
        if isinstance(value, str):
            if len(value.strip()) < min_length:
                walk.fail(
                    node,
                    key_path,
                    "expected some text, found an empty string",
                    description or "write some text, or remove the key",
                )
            elif pattern is not None and not pattern.fullmatch(value):
                # fullmatch: `$` alone lets "next-steps\n" through
                walk.fail(
                    node,
                    key_path,
                    f"{value!r} does not have the expected form",
                    _pattern_hint(schema["pattern"]),
                )
        return value

    return finish


Convert = Callable[[_Walk, yaml.Node, KeyPath], Any]  # the value, or _NO


def _object(schema: Schema) -> Convert:
    properties: dict[str, Schema] = schema["properties"]
    checks: dict[str, Check] = {}  # filled on first use: a schema may not be walked at all
    required = schema.get("required", [])

    def convert(walk: _Walk, node: yaml.Node, key_path: KeyPath) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return _NO
        if not checks:
            checks.update((key, _check_for(value)) for key, value in properties.items())
        problems = walk.problems
        result: dict[str, Any] = {}
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                walk.fail(
                    key_node,
                    (*key_path, _flow(key_node)),
                    f"a key must be plain text, found {_describe(key_node)}",
                    "write each key as a plain word and a colon, one per line, e.g. `tools:`; "
                    f"allowed keys here: {', '.join(properties)}",
                )
                continue
            key = key_node.value
            if key == "<<":
                walk.fail(
                    key_node, key_path, "merge keys (<<) are not supported", "write the keys out"
                )
                continue
            if key in seen:
                walk.fail(
                    key_node,
                    (*key_path, key),
                    f"duplicate key {key!r} (first given on line {seen[key].start_mark.line + 1})",
                    "YAML would silently keep only the last one; remove or merge the duplicates",
                )
                continue
            seen[key] = key_node
            check = checks.get(key)
            if check is None:
                close = difflib.get_close_matches(key, properties, n=1)
                walk.fail(
                    key_node,
                    (*key_path, key),
                    f"unknown key {key!r}",
                    f"did you mean {close[0]!r}?"
                    if close
                    else f"allowed keys here: {', '.join(properties)}",
                )
                continue
            before = len(problems)
            value = check(walk, value_node, (*key_path, key))
            if len(problems) == before:
                # a partial Document keeps only values that are wholly valid
                result[key] = value
        for key in required:
            if key not in seen:
                walk.fail(
                    node,
                    key_path,
                    f"missing required key {key!r}",
                    _required_hint(key, properties[key]),
                )
        return result

    return convert


def _array(schema: Schema) -> Convert:
    items: list[Check] = []

    def convert(walk: _Walk, node: yaml.Node, key_path: KeyPath) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            return _NO
        if not items:
            items.append(_check_for(schema["items"]))
        check = items[0]
        return [check(walk, child, (*key_path, index)) for index, child in enumerate(node.value)]

    return convert


def _string(schema: Schema) -> Convert:
    def convert(walk: _Walk, node: yaml.Node, key_path: KeyPath) -> Any:
        if not isinstance(node, yaml.ScalarNode) or (not node.style and node.value in _NULLS):
            return _NO
        # The text as written: `16:00` stays "16:00", `no` stays "no".
        return node.value

    return convert


def _integer_of(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode) and not node.style and _INT.fullmatch(node.value):
        return int(node.value)
    return _NO


def _integer(schema: Schema) -> Convert:
    return lambda walk, node, key_path: _integer_of(node)


def _number(schema: Schema) -> Convert:
    def convert(walk: _Walk, node: yaml.Node, key_path: KeyPath) -> Any:
        value = _integer_of(node)
        if value is not _NO:
            return value
        if isinstance(node, yaml.ScalarNode) and not node.style and _FLOAT.fullmatch(node.value):
            return float(node.value)
        return _NO

    return convert


def _boolean(schema: Schema) -> Convert:
    def convert(walk: _Walk, node: yaml.Node, key_path: KeyPath) -> Any:
        if isinstance(node, yaml.ScalarNode) and not node.style and node.value in ("true", "false"):
            return node.value == "true"
        return _NO

    return convert


_CONVERTERS: dict[str, Callable[[Schema], Convert]] = {
    "object": _object,
    "array": _array,
    "string": _string,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
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
