"""Validated files kept between runs: a file read before, byte for byte, is not read again.

Composing the YAML and walking the schema are most of what `playbook validate` does, and
from one run to the next most files have not changed. So the outcome of reading each file
(its values, or its located problems) is kept in .git/playbook/documents.marshal with the
SHA-1 of the file's text, under its path and the schema it was read against, for the code
that read it. A file whose text differs in any way is read again. The cache is disposable: when
anything about it is off it is rebuilt, and outside git there is none.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
import zlib
from pathlib import Path
from typing import Any

from .errors import Location, Problem
from .schema import Schema

CACHE_FILE = "playbook/documents.marshal"
FORMAT = 1

Outcome = tuple[dict[str, Any] | None, list[Problem]]
_Row = tuple[str, int, int, str, str, str]  # a problem as plain values: marshal takes no objects


class DocumentCache:
    """The outcomes of the files read in an earlier run, and of those read in this one."""

    def __init__(self, git_dir: Path | None) -> None:
        self.path = git_dir / CACHE_FILE if git_dir is not None else None
        self.code = _code_fingerprint()
        self.kept: dict[str, tuple[bytes, Any, list[_Row]]] = self._load()
        self.used: dict[str, tuple[bytes, Any, list[_Row]]] = {}
        self.changed = False

    def _load(self) -> dict[str, tuple[bytes, Any, list[_Row]]]:
        if self.path is None:
            return {}
        try:
            content = marshal.loads(self.path.read_bytes())
            if content["format"] == FORMAT and content["code"] == self.code:
                return dict(content["files"])
        except Exception:  # disposable: whatever is wrong with it, it is rebuilt
            pass
        return {}

    def get(self, display: str, text: str, schema: Schema, partial: bool) -> Outcome | None:
        """The outcome of reading `text` as `display` before, or None when it was not read."""
        key = _key(display, schema, partial)
        found = self.kept.get(key)
        if found is None or found[0] != _digest(text):
            return None
        self.used[key] = found
        data, rows = found[1], found[2]
        return data, [
            Problem(Location(file, line, column), message, hint, key_path)
            for file, line, column, message, hint, key_path in rows
        ]

    def put(self, display: str, text: str, schema: Schema, partial: bool, outcome: Outcome) -> None:
        data, problems = outcome
        rows = [
            (p.location.file, p.location.line, p.location.column, p.message, p.hint, p.key_path)
            for p in problems
        ]
        self.used[_key(display, schema, partial)] = (_digest(text), data, rows)
        self.changed = True

    def save(self) -> None:
        """Write what this run read, when it differs from what was kept (files gone included)."""
        if self.path is None or not (self.changed or self.used.keys() != self.kept.keys()):
            return
        content = {"format": FORMAT, "code": self.code, "files": self.used}
        try:
            self.path.parent.mkdir(exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(content))
            os.replace(tmp, self.path)
        except (OSError, ValueError):
            pass  # a read-only repository still validates, only without the cache


def _digest(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


_schema_names: dict[int, tuple[Schema, str]] = {}


def _key(display: str, schema: Schema, partial: bool) -> str:
    entry = _schema_names.get(id(schema))
    if entry is None or entry[0] is not schema:
        text = json.dumps(schema, sort_keys=True)
        entry = _schema_names[id(schema)] = (schema, f"{zlib.crc32(text.encode()):08x}")
    return f"{display}\0{entry[1]}\0{int(partial)}"


def _code_fingerprint() -> str:
    """The code whose outcome is kept: the reader and the schema, and the interpreter's marshal."""
    from . import __version__, schema, yamlread

    parts = [__version__, sys.version, str(marshal.version)]
    for module in (yamlread, schema):
        try:
            source = Path(module.__file__ or "").read_bytes()
            parts.append(f"{module.__name__}:{len(source)}:{zlib.crc32(source):08x}")
        except OSError:
            parts.append(module.__name__)
    return " ".join(parts)
