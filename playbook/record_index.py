"""The derived index of records: one SQLite row per file under logs/, in the git directory.

The files are the truth; this index is disposable. It is rebuilt from the
files whenever it is missing, unreadable, of another schema version or made
for another folder, and brought up to date with them before every read:

* Every change to a record file shows in a status-change time (ctime) newer
  than the moment the index was last checked: a file written in place, one
  added, renamed or deleted (its folder's ctime), and whatever `git checkout`,
  `git pull` or `playbook check` does (they unlink and create files). The
  process cannot set a ctime back, so one pass of `find logs -newerct T`
  (stat-ing in C, ~2× faster than Python's) lists everything that changed.
  Those files are read again and those folders listed again; nothing else is.
* The check starts MARGIN before the last one did, so that a change within
  the file system's timestamp granularity of a check is seen by the next one
  too (a file reported again is simply read again).
* Writers take SQLite's write lock (`BEGIN IMMEDIATE`) and look again under
  it, so concurrent commands never apply a stale view over a newer one; WAL
  mode lets readers go on meanwhile. A broken index file is deleted and
  rebuilt; where nothing can be written (a read-only .git, no git at all) the
  same index is built in memory from the files.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import pickle
import shutil
import sqlite3
import stat
import subprocess
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from .errors import Location, Problem
from .records import (
    LOGS_DIR,
    MAX_RECORD_BYTES,
    Progress,
    Record,
    RecordSet,
    StoredItems,
    read_record_file,
)

SCHEMA_VERSION = 5
INDEX_DIR = "playbook"  # under the git directory, next to the cadence cache
MARGIN_NS = 2_000_000_000  # coarser than any file system's ctime granularity but FAT's
BUSY_TIMEOUT_S = 60.0  # a cold build of 100,000 records takes seconds, not minutes
BATCH = 2_000  # rows per insert, and how often progress is reported
WINDOW_SLACK_DAYS = 14  # see _SINCE

_COLUMNS = (
    "path, checklist, unit_kind, unit, occurrence, "
    "due, latest, completed_at, by, complete, amends, checklist_version, metrics, note, "
    "problem"
)
_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE files (
    path TEXT PRIMARY KEY,  -- relative to the playbook, e.g. logs/friday-numbers/warsaw/2026-11-20.yml
    checklist TEXT, unit_kind TEXT, unit TEXT, occurrence TEXT, due TEXT,
    latest REAL,  -- the later of its due time and its occurrence's day, as a UTC timestamp
    completed_at TEXT, by TEXT, complete INTEGER, amends TEXT, checklist_version TEXT,
    metrics BLOB,  -- pickled (any value YAML gives, and fast to load), NULL when none
    note TEXT,
    problem TEXT  -- JSON [line, column, message, hint] when the file is not a sound record
    )""",
    "CREATE INDEX files_by_unit ON files (checklist, unit, occurrence)",
    "CREATE INDEX files_by_latest ON files (latest)",
    "CREATE INDEX files_with_problems ON files (path) WHERE problem IS NOT NULL",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
)
_INSERT = f"INSERT OR REPLACE INTO files ({_COLUMNS}) VALUES ({', '.join('?' * 15)})"
_RECORD_COLUMNS = (
    "path, checklist, unit_kind, unit, occurrence, due, completed_at, by, complete, amends, "
    "checklist_version, metrics, note"
)


def index_path(root: Path, cache_dir: Path | None = None) -> Path | None:
    """Where the index of the playbook at `root` is kept: in its git directory, or None.

    A worktree keeps its own (`.git` is a file naming the worktree's git directory);
    a playbook in a subfolder of a repository gets a file named after the subfolder.
    """
    if cache_dir is not None:
        return cache_dir / INDEX_DIR / "records.sqlite"
    for folder in (root, *root.parents):
        dot = folder / ".git"
        if dot.is_dir():
            git_dir = dot
        elif dot.is_file():
            try:
                text = dot.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                return None
            if not text.startswith("gitdir:"):
                return None
            git_dir = folder / text.removeprefix("gitdir:").strip()
        else:
            continue
        inside = root.relative_to(folder).as_posix()
        name = "records.sqlite"
        if inside != ".":
            name = f"records-{hashlib.sha1(inside.encode()).hexdigest()[:10]}.sqlite"
        return git_dir / INDEX_DIR / name
    return None


def query(
    root: Path,
    cache_dir: Path | None,
    checklist: str | None,
    since: datetime | None,
    progress: Progress | None,
) -> RecordSet:
    """The records (and problems) `load_records` promises, from an index made fresh first."""
    root = root.resolve()
    logs = root / LOGS_DIR
    if not logs.is_dir():
        return RecordSet([], [])
    # Building allocates a few hundred thousand objects that all survive; the cyclic
    # collector would walk them again and again for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        path = index_path(root, cache_dir)
        # The connection stays open with the records: a view may ask for older ones.
        try:
            return _records(fresh_index(root, path, progress), root, checklist, since)
        except sqlite3.DatabaseError:  # damaged under our feet: the files are the truth
            if path is not None:
                _remove(path)
            return _records(fresh_index(root, None, progress), root, checklist, since)
    finally:
        if collecting:
            gc.enable()


def fresh_index(root: Path, path: Path | None, progress: Progress | None) -> sqlite3.Connection:
    """A connection to an index that agrees with the files under `root`/logs."""
    if path is not None:
        for attempt in range(2):
            try:
                db = _connect(path)
            except (sqlite3.Error, OSError):
                break  # nowhere to keep it: build it in memory
            try:
                _refresh(db, root, progress)
                return db
            except sqlite3.DatabaseError as exc:
                db.close()
                if attempt or not _is_damaged(exc):
                    break
                _remove(path)  # not a database, or a damaged one: start again
            except OSError:
                db.close()
                break
    db = sqlite3.connect(":memory:", isolation_level=None)
    _create(db)
    _rebuild(db, root, progress)
    return db


def _create(db: sqlite3.Connection) -> None:
    for table in ("meta", "files"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in _SCHEMA:
        db.execute(statement)


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")  # a lost index is rebuilt, never trusted
    except sqlite3.Error:
        db.close()
        raise
    return db


def _is_damaged(exc: sqlite3.DatabaseError) -> bool:
    """A file that is not (or no longer) a database, rather than a locked or read-only one."""
    text = str(exc).lower()
    return not isinstance(exc, sqlite3.OperationalError) or any(
        word in text for word in ("not a database", "malformed", "corrupt", "no such")
    )


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def _meta(db: sqlite3.Connection) -> dict[str, str] | None:
    """The index's bookkeeping, None when it is empty or of another schema version."""
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version != SCHEMA_VERSION:
        return None
    return dict(db.execute("SELECT key, value FROM meta"))


def _refresh(db: sqlite3.Connection, root: Path, progress: Progress | None) -> None:
    logs = str(root / LOGS_DIR)
    meta = _meta(db)
    scan = None
    if meta is not None and meta.get("logs") == logs and "checked" in meta:
        threshold = int(meta["checked"]) - MARGIN_NS
        scan = _early.pop(logs, None)
        if scan is None or scan.threshold_ns != threshold:
            scan = _Scan(logs, threshold)
        if not scan.paths():
            return
    db.execute("BEGIN IMMEDIATE")
    try:
        seen = meta
        meta = _meta(db)  # as another process may have left it while we waited
        if meta is None or meta.get("logs") != logs or "checked" not in meta:
            if meta is None:
                _create(db)
            _rebuild(db, root, progress)
        else:
            if scan is None or seen is None or seen.get("checked") != meta["checked"]:
                scan = _Scan(logs, int(meta["checked"]) - MARGIN_NS)
            _apply(db, root, scan.paths())
            _set(db, "checked", str(scan.started))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _set(db: sqlite3.Connection, key: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def _rebuild(db: sqlite3.Connection, root: Path, progress: Progress | None) -> None:
    """Every file read again; the caller holds the write lock (or owns the database)."""
    started = time.time_ns()
    logs = str(root / LOGS_DIR)
    files = list(_walk(logs))
    db.execute("DELETE FROM files")
    prefix = len(str(root)) + 1
    for start in range(0, len(files), BATCH):
        if progress is not None:
            progress(start, len(files))
        batch = files[start : start + BATCH]
        rows = [_row(path, path[prefix:].replace(os.sep, "/")) for path in batch]
        db.executemany(_INSERT, [row for row in rows if row is not None])
    if progress is not None:
        progress(len(files), len(files))
    _set(db, "logs", logs)
    _set(db, "checked", str(started))


def _walk(folder: str) -> Iterator[str]:
    """The record files under `folder`: *.yml, not hidden, in any subfolder."""
    stack = [folder]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif _is_record_name(entry.name):
                        yield entry.path
        except (FileNotFoundError, NotADirectoryError):
            continue  # deleted while we looked


def _is_record_name(name: str) -> bool:
    return name.endswith(".yml") and not name.startswith(".")


class _Scan:
    """One look for what changed under `folder` since `threshold_ns` (ctime, nanoseconds).

    `find` stats every file in a process of its own, so the look can begin before
    its answer is needed (`check_early`); where there is no `find`, or it fails
    (a file vanished under it), Python walks the folder instead.
    """

    def __init__(self, folder: str, threshold_ns: int) -> None:
        self.folder = folder
        self.threshold_ns = threshold_ns
        self.started = time.time_ns()  # what a check that applies this answer is as of
        self._found: list[str] | None = None
        self._find: subprocess.Popen[bytes] | None = None
        if os.name == "posix" and (find := shutil.which("find")):
            seconds, fraction = divmod(threshold_ns, 1_000_000_000)
            with contextlib.suppress(OSError):
                self._find = subprocess.Popen(
                    [find, folder, "-newerct", f"@{seconds}.{fraction:09d}", "-print0"],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )

    def paths(self) -> list[str]:
        """Every path under the folder (itself included) changed since the threshold."""
        if self._found is None:
            if self._find is not None:
                out, _ = self._find.communicate()
                if self._find.returncode == 0:
                    self._found = [os.fsdecode(p) for p in out.split(b"\0") if p]
            if self._found is None:
                self._found = list(_changed_in_python(self.folder, self.threshold_ns))
        return self._found


# Looks begun by `check_early`, by logs folder, each taken by the next read of its index.
_early: dict[str, _Scan] = {}


def check_early(root: Path, cache_dir: Path | None = None) -> None:
    """Begin looking for changed record files of the playbook at `root` now.

    A command that will read records calls this first: the look runs on another
    core while this process imports its modules and loads the playbook.
    """
    root = root.resolve()
    path = index_path(root, cache_dir)
    logs = str(root / LOGS_DIR)
    if path is None or not path.is_file() or not os.path.isdir(logs):
        return
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            meta = _meta(db)
    except sqlite3.Error:
        return  # the read will find out what is wrong and rebuild
    if meta is not None and meta.get("logs") == logs and "checked" in meta:
        _early[logs] = _Scan(logs, int(meta["checked"]) - MARGIN_NS)


def _changed_in_python(folder: str, threshold_ns: int) -> Iterator[str]:
    def changed(info: os.stat_result) -> bool:
        # Windows has no status-change time: its st_ctime is when the file was made.
        return max(info.st_ctime_ns, info.st_mtime_ns) > threshold_ns

    with contextlib.suppress(FileNotFoundError):
        if changed(os.stat(folder)):
            yield folder
    stack = [folder]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    try:
                        if changed(entry.stat(follow_symlinks=False)):
                            yield entry.path
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                    except FileNotFoundError:
                        continue
        except (FileNotFoundError, NotADirectoryError):
            continue


def _apply(db: sqlite3.Connection, root: Path, changed: Iterable[str]) -> None:
    """Bring the rows of the changed files and folders up to date with them."""
    prefix = len(str(root)) + 1
    fresh: dict[str, str] = {}  # relative path → absolute path, to read again
    gone: set[str] = set()
    for path in changed:
        relative = path[prefix:].replace(os.sep, "/")
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            gone.add(relative)  # its folder changed too, and is listed again
            continue
        if stat.S_ISDIR(mode):
            _relist(db, path, relative, fresh, gone)
        elif stat.S_ISREG(mode) and _is_record_name(os.path.basename(path)):
            fresh[relative] = path
    for relative in gone:
        db.execute("DELETE FROM files WHERE path = ?", (relative,))
    for relative, path in fresh.items():
        row = _row(path, relative)
        if row is None:
            db.execute("DELETE FROM files WHERE path = ?", (relative,))
        else:
            db.execute(_INSERT, row)


def _relist(
    db: sqlite3.Connection, path: str, relative: str, fresh: dict[str, str], gone: set[str]
) -> None:
    """A folder that changed: rows of what is no longer in it go, what is new in it is read."""
    names: set[str] = set()
    folders: set[str] = set()
    with contextlib.suppress(FileNotFoundError, NotADirectoryError), os.scandir(path) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.add(entry.name)
            elif _is_record_name(entry.name):
                names.add(entry.name)
    below = (f"{relative}/", f"{relative}0")  # "0" sorts right after "/"
    known: dict[str, list[str]] = {}  # child name → rows at or under it
    for (row,) in db.execute("SELECT path FROM files WHERE path >= ? AND path < ?", below):
        known.setdefault(row[len(relative) + 1 :].partition("/")[0], []).append(row)
    for name, rows in known.items():
        if name not in names and name not in folders:
            gone.update(rows)  # a file, or a whole folder, that is no longer here
    for name in names - known.keys():
        fresh[f"{relative}/{name}"] = os.path.join(path, name)
    for child in folders - known.keys():  # new, or moved here: everything in it is new
        for file in _walk(os.path.join(path, child)):
            fresh[f"{relative}/{os.path.relpath(file, path).replace(os.sep, '/')}"] = file


def _row(path: str, relative: str) -> tuple[object, ...] | None:
    """The row of one file, what it holds; None once it is gone."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            content = handle.read() if size <= MAX_RECORD_BYTES else b""
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _problem_row(
            relative,
            Problem(
                Location(relative, 1, 1),
                f"the record cannot be read: {exc.strerror or exc}",
                "check the file's permissions, or restore it with `git checkout -- FILE`",
            ),
        )
    found = read_record_file(relative, size, content)
    if isinstance(found, Problem):
        return _problem_row(relative, found)
    metrics = found.metrics
    return (
        relative,
        found.checklist,
        found.unit_kind,
        found.unit,
        found.occurrence.isoformat(),
        found.due.isoformat(),
        max(found.due.timestamp(), _midnight(found.occurrence)),
        found.completed_at.isoformat(),
        found.by,
        int(found.complete),
        found.amends,
        found.checklist_version,
        pickle.dumps(metrics, protocol=pickle.HIGHEST_PROTOCOL) if metrics else None,
        found.note,
        None,
    )


def _problem_row(relative: str, problem: Problem) -> tuple[object, ...]:
    where = problem.location
    problem_json = [where.line, where.column, problem.message, problem.hint]
    return (relative, *(None,) * 13, json.dumps(problem_json, ensure_ascii=False))


def _problems(db: sqlite3.Connection) -> list[Problem]:
    problems = []
    for path, text in db.execute(
        "SELECT path, problem FROM files WHERE problem IS NOT NULL ORDER BY path"
    ):
        line, column, message, hint = json.loads(text)
        problems.append(Problem(Location(path, line, column), message, hint))
    return problems


def _records(
    db: sqlite3.Connection, root: Path, checklist: str | None, since: datetime | None
) -> RecordSet:
    source = _Rows(db, os.path.join(str(root), ""))
    where = "problem IS NULL" + (" AND checklist = ?" if checklist is not None else "")
    args = [checklist] if checklist is not None else []
    rows = f"SELECT {_RECORD_COLUMNS} FROM files WHERE {where}"
    horizon = None
    if since is None:
        found = db.execute(rows + " ORDER BY path", args)
    else:
        horizon = since.date()
        found = db.execute(f"{rows} AND {_SINCE} ORDER BY path", [*args, *_since(horizon)])
    units: dict[tuple[str, str], dict[date, tuple[object, ...]]] = {}
    for row in found:
        units.setdefault((row[1], row[3]), {})[date.fromisoformat(row[4])] = row
    return RecordSet(problems=_problems(db), rows=units, source=source, horizon=horizon)


# Due from that day on, or scheduled from that day on (an onboarding is due weeks after
# its day): with slack, for holidays that move an occurrence, cadences that changed since
# it was recorded, and time zones. More rows than a view needs are harmless.
_SINCE = "latest >= ?"


def _since(day: date) -> tuple[float]:
    return (_midnight(date.fromordinal(day.toordinal() - WINDOW_SLACK_DAYS)),)


def _midnight(day: date) -> float:
    return datetime.combine(day, datetime.min.time(), UTC).timestamp()


class _Rows:
    """Records built from rows of one open index (see records.RowSource)."""

    def __init__(self, db: sqlite3.Connection, base: str) -> None:
        self.db = db
        self.base = base

    def build(self, row: tuple[object, ...]) -> Record:
        return _record(self.base, row)

    def due(self, row: tuple[object, ...]) -> datetime:
        return datetime.fromisoformat(str(row[5]))

    def first(self, checklist: str, unit: str) -> date | None:
        (found,) = self.db.execute(
            "SELECT min(occurrence) FROM files WHERE problem IS NULL AND checklist = ? AND unit = ?",
            (checklist, unit),
        ).fetchone()
        return date.fromisoformat(found) if found else None

    def rows_since(self, checklist: str, unit: str, day: date) -> dict[date, tuple[object, ...]]:
        found = self.db.execute(
            f"SELECT {_RECORD_COLUMNS} FROM files WHERE problem IS NULL AND checklist = ?"
            f" AND unit = ? AND {_SINCE}",
            (checklist, unit, *_since(day)),
        )
        return {date.fromisoformat(row[4]): row for row in found}


def _record(base: str, row: tuple[object, ...]) -> Record:
    (path, checklist, kind, unit, occurrence, due, completed, by, complete, amends) = row[:10]
    version, metrics, note = row[10:]
    file = base + str(path)
    return Record(
        checklist=str(checklist),
        unit=str(unit),
        unit_kind=str(kind),
        occurrence=date.fromisoformat(str(occurrence)),
        due=datetime.fromisoformat(str(due)),
        completed_at=datetime.fromisoformat(str(completed)),
        by=str(by),
        complete=bool(complete),
        items=StoredItems(file),
        # The index is the process's own file in .git, as trusted as the hooks beside it.
        metrics=pickle.loads(metrics) if isinstance(metrics, bytes) else {},
        note=str(note),
        checklist_version=str(version),
        amends=str(amends),
    )
