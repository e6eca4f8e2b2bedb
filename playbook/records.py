"""Completion records: one small YAML file per checklist × unit × occurrence under logs/.

    logs/<checklist>/<team, person or "all">/<YYYY-MM-DD>.yml

Records are read with a cache keyed by each file's stat, so that `status`
over a long history costs a directory walk, not a YAML parse per file.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, Problem
from .yamlread import conflict_marker, conflict_problem

LOGS_DIR = "logs"
RECORD_SCHEMA_VERSION = 1
MAX_RECORD_BYTES = 64 * 1024
CACHE_FILE = "playbook/records.pickle"  # under .git/, never committed
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass(frozen=True)
class ItemState:
    id: str
    text: str
    done: bool
    reason: str = ""  # why it was skipped


@dataclass(frozen=True)
class Record:
    checklist: str
    unit: str
    occurrence: date
    due: datetime
    completed_at: datetime
    by: str
    complete: bool
    items: tuple[ItemState, ...]
    metrics: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    checklist_version: str = ""
    unit_kind: str = "team"
    amends: str = ""  # the git blob id of the record this one replaced (`check --amend`)

    @property
    def path(self) -> str:
        return record_path(self.checklist, self.unit, self.occurrence)

    def to_yaml(self) -> str:
        data: dict[str, Any] = {
            "schema": RECORD_SCHEMA_VERSION,
            "checklist": self.checklist,
            self.unit_kind: self.unit,
            "occurrence": self.occurrence.isoformat(),
            "due": self.due.isoformat(),
            "completed_at": self.completed_at.isoformat(timespec="seconds"),
            "by": self.by,
            "status": "done" if self.complete else "partial",
            "checklist_version": self.checklist_version,
            "items": [
                {"id": i.id, "text": i.text, "state": "done" if i.done else "skipped"}
                | ({"reason": i.reason} if i.reason else {})
                for i in self.items
            ],
        }
        if self.metrics:
            data["metrics"] = dict(self.metrics)
        if self.note:
            data["note"] = self.note
        if self.amends:
            data["amends"] = self.amends
        return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)


def record_path(checklist: str, unit: str, occurrence: date) -> str:
    return f"{LOGS_DIR}/{checklist}/{unit}/{occurrence.isoformat()}.yml"


def git_blob_id(content: bytes) -> str:
    """The id git gives a file with this content, computed without running git."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


class RecordError(ValueError):
    pass


def parse_record(text: str) -> Record:
    """A record from its YAML; raise RecordError naming what is wrong."""
    data = yaml.load(text, Loader=Loader)
    if not isinstance(data, dict):
        raise RecordError("a record must be a mapping")
    try:
        kind = next(k for k in ("team", "person", "playbook") if k in data)
        items = tuple(
            ItemState(
                str(i["id"]), str(i.get("text", "")), i["state"] == "done", str(i.get("reason", ""))
            )
            for i in data.get("items") or []
        )
        metrics = data.get("metrics") or {}
        if not isinstance(metrics, dict) or any(
            isinstance(v, (list, dict)) for v in metrics.values()
        ):
            raise RecordError("metrics must map ids to single values")
        return Record(
            checklist=str(data["checklist"]),
            unit=str(data[kind]),
            unit_kind=kind,
            occurrence=date.fromisoformat(str(data["occurrence"])),
            due=datetime.fromisoformat(str(data["due"])),
            completed_at=datetime.fromisoformat(str(data["completed_at"])),
            by=str(data["by"]),
            complete=data["status"] == "done",
            items=items,
            metrics=metrics,
            note=str(data.get("note", "")),
            checklist_version=str(data.get("checklist_version", "")),
            amends=str(data.get("amends", "")),
        )
    except StopIteration:
        raise RecordError("a record names its team, person or playbook") from None
    except (KeyError, TypeError) as exc:
        raise RecordError(f"missing or malformed field {exc}") from None
    except ValueError as exc:
        raise RecordError(str(exc)) from None


@dataclass
class RecordSet:
    records: list[Record]
    problems: list[Problem]

    def index(self) -> dict[tuple[str, str], dict[date, Record]]:
        """Records by (checklist, unit), then by occurrence."""
        out: dict[tuple[str, str], dict[date, Record]] = {}
        for record in self.records:
            out.setdefault((record.checklist, record.unit), {})[record.occurrence] = record
        return out


def _scan(logs: Path) -> list[os.DirEntry[str]]:
    entries = []
    stack = [str(logs)]
    while stack:
        with os.scandir(stack.pop()) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.name.endswith(".yml") and not entry.name.startswith("."):
                    entries.append(entry)
    return entries


def load_records(root: Path, cache_dir: Path | None = None) -> RecordSet:
    """Every record under logs/, parsed once and then reused while its file is unchanged."""
    # Paths are cut to the root by length below: a relative root ("." or "..") would
    # cut them wrong, so the root is made absolute first.
    root = root.resolve()
    logs = root / LOGS_DIR
    if not logs.is_dir():
        return RecordSet([], [])
    # Unpickling and scanning allocate hundreds of thousands of objects that all
    # survive; the cyclic collector would walk them again and again for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_records(root, logs, (cache_dir or root / ".git") / CACHE_FILE)
    finally:
        if collecting:
            gc.enable()


def _load_records(root: Path, logs: Path, cache_path: Path) -> RecordSet:
    cache: dict[str, tuple[tuple[int, int, int], Record | Problem]] = {}
    if cache_path.is_file():
        try:
            with cache_path.open("rb") as handle:
                cache = pickle.load(handle)
        except Exception:  # a cache is disposable: whatever is wrong with it, rebuild it
            cache = {}
        if not isinstance(cache, dict):
            cache = {}
    fresh: dict[str, tuple[tuple[int, int, int], Record | Problem]] = {}
    changed = False
    prefix = len(os.path.join(str(root), ""))
    for entry in _scan(logs):
        stat = entry.stat()
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        relative = entry.path[prefix:].replace(os.sep, "/")
        cached = cache.get(relative)
        if cached is None or cached[0] != key:
            cached = (key, _read(entry.path, relative, stat.st_size))
            changed = True
        fresh[relative] = cached
    if (changed or len(fresh) != len(cache)) and cache_path.parent.parent.is_dir():
        cache_path.parent.mkdir(exist_ok=True)
        tmp = cache_path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(fresh, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache_path)
    records = [value for _, value in fresh.values() if isinstance(value, Record)]
    problems = [value for _, value in fresh.values() if isinstance(value, Problem)]
    return RecordSet(records, problems)


def _read(path: str, relative: str, size: int) -> Record | Problem:
    if size > MAX_RECORD_BYTES:
        return Problem(
            Location(relative),
            f"the record is {size:,} bytes, over {MAX_RECORD_BYTES:,}",
            "records are small; restore it from git",
        )
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        marker = conflict_marker(text)
        if marker:
            return conflict_problem(relative, *marker)
        record = parse_record(text)
    except (RecordError, yaml.YAMLError, UnicodeDecodeError) as exc:
        return Problem(
            Location(relative, 1, 1),
            f"the record cannot be read: {exc}",
            "restore it with `git checkout -- FILE` or record it again",
        )
    if record.path != relative:
        return Problem(
            Location(relative, 1, 1),
            f"the record belongs at {record.path}",
            "move it there or record it again",
        )
    return record
