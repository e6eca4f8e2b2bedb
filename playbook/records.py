"""Completion records: one small YAML file per checklist × unit × occurrence under logs/.

    logs/<checklist>/<team, person or "all">/<YYYY-MM-DD>.yml

The files are the truth; `status`, `history` and the site read a derived
index of them (record_index.py), so that a long history costs a query, not
a YAML parse per file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol, overload

import yaml

from .errors import Location, Problem
from .record_header import Header, read_header
from .yamlread import conflict_marker, conflict_problem

LOGS_DIR = "logs"
RECORD_SCHEMA_VERSION = 1
MAX_RECORD_BYTES = 64 * 1024
Progress = Callable[[int, int], None]  # (files read, files in all) while an index is built
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
    items: Sequence[ItemState]
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


class RowSource(Protocol):
    """Where index rows come from (record_index.py): records are built from them when read."""

    def build(self, row: Any) -> Record: ...

    def due(self, row: Any) -> datetime: ...

    def first(self, checklist: str, unit: str) -> date | None: ...

    def rows_since(self, checklist: str, unit: str, day: date) -> dict[date, Any]: ...


class RecordSet:
    """The records and the problems of the files that are not records.

    From the index, it holds rows, each built into a record only when read
    (status reads a few of many), and only from the day it was asked for; a
    unit's older rows are fetched when a view asks for them (`UnitRecords.cover`).
    """

    def __init__(
        self,
        records: list[Record] | None = None,
        problems: list[Problem] | None = None,
        *,
        rows: dict[tuple[str, str], dict[date, Any]] | None = None,
        source: RowSource | None = None,
        horizon: date | None = None,
    ) -> None:
        self.problems = problems or []
        self._records = records
        self._rows = rows
        self._source = source
        self._horizon = horizon

    @property
    def records(self) -> list[Record]:
        if self._records is None:
            self._records = [r for unit in self.index().values() for r in unit.values()]
        return self._records

    def index(self) -> dict[tuple[str, str], Mapping[date, Record]]:
        """Records by (checklist, unit), then by occurrence."""
        if self._rows is not None and self._source is not None:
            return {
                key: UnitRecords(key, rows, self._source, self._horizon)
                for key, rows in self._rows.items()
            }
        out: dict[tuple[str, str], dict[date, Record]] = {}
        for record in self._records or []:
            out.setdefault((record.checklist, record.unit), {})[record.occurrence] = record
        return dict(out)


class UnitRecords(Mapping[date, Record]):
    """One checklist × unit's records by occurrence, each built from its row when first read.

    It holds every record from `horizon` on (all when None).
    """

    def __init__(
        self,
        key: tuple[str, str],
        rows: dict[date, Any],
        source: RowSource,
        horizon: date | None,
    ) -> None:
        self._key = key
        self._rows = rows
        self._source = source
        self._horizon = horizon
        self._built: dict[date, Record] = {}

    def first(self) -> date | None:
        """The occurrence of the unit's first record, older ones included."""
        if self._horizon is None:
            return min(self._rows, default=None)
        return self._source.first(*self._key)

    def cover(self, day: date) -> None:
        """Make sure every record from `day` on is here."""
        if self._horizon is not None and day < self._horizon:
            self._rows |= self._source.rows_since(*self._key, day)
            self._horizon = day

    def due(self, occurrence: date) -> datetime:
        """When the record of `occurrence` says it was due, without building the record."""
        return self._source.due(self._rows[occurrence])

    def __getitem__(self, occurrence: date) -> Record:
        record = self._built.get(occurrence)
        if record is None:
            record = self._built[occurrence] = self._source.build(self._rows[occurrence])
        return record

    def __iter__(self) -> Iterator[date]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, occurrence: object) -> bool:
        return occurrence in self._rows


def load_records(
    root: Path,
    cache_dir: Path | None = None,
    *,
    checklist: str | None = None,
    since: datetime | None = None,
    progress: Progress | None = None,
) -> RecordSet:
    """The records under logs/ and the files that are not records, from the derived index.

    `checklist` keeps that checklist's records only; `since` keeps those due (or
    scheduled) from that moment on, plus the first record of each checklist and
    unit, which is where a history without `tracking_since` starts. Problems are
    always those of every file. `cache_dir` stands for the git directory the
    index is kept in (found from `root` when not given). `progress(done, total)`
    is called while the index is built from the files.
    """
    from .record_index import query

    return query(root, cache_dir, checklist, since, progress)


class StoredItems(Sequence[ItemState]):
    """A record's items, read from its file when first asked for: status never needs them."""

    __slots__ = ("_items", "_path")

    def __init__(self, path: str) -> None:
        self._path = path
        self._items: tuple[ItemState, ...] | None = None

    def _loaded(self) -> tuple[ItemState, ...]:
        if self._items is None:
            try:
                with open(self._path, encoding="utf-8") as handle:
                    self._items = tuple(parse_record(handle.read()).items)
            except (OSError, RecordError, yaml.YAMLError, UnicodeDecodeError):
                self._items = ()  # changed since it was indexed; the next load says how
        return self._items

    @overload
    def __getitem__(self, index: int) -> ItemState: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[ItemState, ...]: ...
    def __getitem__(self, index: int | slice) -> ItemState | tuple[ItemState, ...]:
        return self._loaded()[index]

    def __len__(self) -> int:
        return len(self._loaded())

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, Sequence) else other)

    def __hash__(self) -> int:
        return hash(self._loaded())

    def __repr__(self) -> str:
        return repr(self._loaded())


def read_record_file(relative: str, size: int, content: bytes) -> Record | Header | Problem:
    """What a record file holds: its header when it is in the fixed layout, else the full record.

    `content` is not read (left empty) when `size` is over the limit.
    """
    if size > MAX_RECORD_BYTES:
        return Problem(
            Location(relative),
            f"the record is {size:,} bytes, over {MAX_RECORD_BYTES:,}",
            "records are small; restore it from git",
        )
    try:
        text = content.decode("utf-8")
        # A file in the fixed layout has no line that starts with a conflict marker.
        record: Record | Header | None = read_header(text)
        if record is None:
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
    expected = record_path(record.checklist, record.unit, record.occurrence)
    if expected != relative:
        return Problem(
            Location(relative, 1, 1),
            f"the record belongs at {expected}",
            "move it there or record it again",
        )
    return record
