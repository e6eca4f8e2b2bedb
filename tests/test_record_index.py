"""The derived record index: built once, reused, and never serving a record the files no longer hold."""

# Fixtures imported from gitfixtures are parameters of the tests: that is not a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from playbook import record_index
from playbook.records import ItemState, Record, load_records
from playbook.status import BRIEF_WINDOW, RECENT, collect

from .gitfixtures import (  # noqa: F401
    IDENTITY,
    REPOSITORY,
    WARSAW,
    WEEKLY,
    git,
    git_env,
    repo,
    subprocess_env,
)

MONDAYS = [date(2026, 11, 2) + timedelta(weeks=week) for week in range(3)]


def weekly_record(day: date, team: str = "warsaw", leads: int = 12) -> Record:
    return Record(
        checklist=WEEKLY,
        unit=team,
        occurrence=day,
        due=datetime.combine(day, datetime.min.time().replace(hour=9), WARSAW),
        completed_at=datetime.combine(day, datetime.min.time().replace(hour=10), WARSAW),
        by=IDENTITY,
        complete=True,
        items=(ItemState("next-steps", "Every deal has a next step", True),),
        metrics={"new-leads": leads},
    )


def write(root: Path, record: Record) -> Path:
    path = root / record.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(record.to_yaml(), encoding="utf-8")
    return path


def leads(root: Path) -> dict[str, int]:
    """What load_records says: new-leads of every record, by path."""
    return {r.path: r.metrics["new-leads"] for r in load_records(root).records}


def index_file(root: Path) -> Path:
    path = record_index.index_path(root.resolve())
    assert path is not None
    return path


@pytest.fixture(params=["find", "python"])
def logs_repo(request: pytest.FixtureRequest, repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample repository with three committed weekly records, its index built.

    Every test runs twice: with `find` listing what changed, and with the walk in
    Python that stands in where there is no `find` (Windows).
    """
    if request.param == "python":
        monkeypatch.setattr(record_index.shutil, "which", lambda name: None)
    for day in MONDAYS:
        write(repo, weekly_record(day))
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "Three records")
    assert len(leads(repo)) == 3
    return repo


@pytest.fixture
def counted_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The record files the index reads from now on."""
    reads: list[str] = []
    real_row = record_index._row

    def counting_row(path: str, relative: str) -> object:
        reads.append(relative)
        return real_row(path, relative)

    monkeypatch.setattr(record_index, "_row", counting_row)
    return reads


# --- built once, reused ------------------------------------------------------------------


def test_the_index_is_kept_in_the_git_directory(logs_repo: Path) -> None:
    path = index_file(logs_repo)

    assert path == logs_repo / ".git" / "playbook" / "records.sqlite"
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM files").fetchone() == (3,)


def test_an_index_that_agrees_with_the_files_reads_none_of_them(
    logs_repo: Path, counted_reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record_index, "MARGIN_NS", 0)  # the files are older than the index
    load_records(logs_repo)
    counted_reads.clear()

    again = load_records(logs_repo)

    assert counted_reads == []
    assert len(again.records) == 3


def test_a_worktree_keeps_its_own_index(logs_repo: Path, tmp_path: Path) -> None:
    worktree = tmp_path / "second"
    git(logs_repo, "worktree", "add", "--quiet", "-b", "other", str(worktree))

    assert len(leads(worktree)) == 3
    path = index_file(worktree)
    assert path.parent.parent == logs_repo / ".git" / "worktrees" / "second"
    assert path.is_file()


def test_a_playbook_in_a_subfolder_gets_an_index_of_its_own(repo: Path) -> None:
    sales = repo / "sales"
    shutil.copytree(repo, sales, ignore=shutil.ignore_patterns(".git", "logs"))
    write(sales, weekly_record(MONDAYS[0]))

    assert len(leads(sales)) == 1
    assert index_file(sales).parent == repo / ".git" / "playbook"
    assert index_file(sales).name.startswith("records-")


# --- never stale -------------------------------------------------------------------------


def test_a_record_edited_in_place_is_read_again(logs_repo: Path) -> None:
    path = logs_repo / weekly_record(MONDAYS[1]).path
    text = path.read_text()

    with open(path, "r+", encoding="utf-8") as handle:  # same file, same size, same inode
        handle.write(text.replace("new-leads: 12", "new-leads: 21"))

    assert leads(logs_repo)[weekly_record(MONDAYS[1]).path] == 21


def test_a_record_edited_long_after_the_index_was_checked_is_read_again(
    logs_repo: Path,
) -> None:
    with sqlite3.connect(index_file(logs_repo)) as db:  # as if checked an hour ago
        db.execute("UPDATE meta SET value = value - 3600000000000 WHERE key = 'checked'")
    load_records(logs_repo)
    path = logs_repo / weekly_record(MONDAYS[0]).path

    path.write_text(path.read_text().replace("new-leads: 12", "new-leads: 30"))

    assert leads(logs_repo)[weekly_record(MONDAYS[0]).path] == 30


def test_an_added_record_appears(logs_repo: Path) -> None:
    added = write(logs_repo, weekly_record(date(2026, 11, 23), team="hanoi", leads=5))

    assert leads(logs_repo)[added.relative_to(logs_repo).as_posix()] == 5


def test_a_deleted_record_disappears(logs_repo: Path) -> None:
    (logs_repo / weekly_record(MONDAYS[2]).path).unlink()

    assert weekly_record(MONDAYS[2]).path not in leads(logs_repo)
    assert len(leads(logs_repo)) == 2


def test_a_deleted_folder_takes_its_records_with_it(logs_repo: Path) -> None:
    shutil.rmtree(logs_repo / "logs" / WEEKLY)

    assert leads(logs_repo) == {}


def test_a_folder_moved_in_brings_its_records(logs_repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    write(outside, weekly_record(MONDAYS[0], team="hanoi", leads=7))

    (outside / "logs" / WEEKLY / "hanoi").rename(logs_repo / "logs" / WEEKLY / "hanoi")

    assert leads(logs_repo)[weekly_record(MONDAYS[0], team="hanoi").path] == 7


def test_a_record_turned_into_a_problem_and_back(logs_repo: Path) -> None:
    path = logs_repo / weekly_record(MONDAYS[0]).path
    good = path.read_text()

    path.write_text("checklist: [unclosed\n")
    [problem] = load_records(logs_repo).problems
    path.write_text(good)

    assert problem.location.file == weekly_record(MONDAYS[0]).path
    assert load_records(logs_repo).problems == []
    assert len(leads(logs_repo)) == 3


def test_git_checkout_of_another_commit_is_followed(logs_repo: Path) -> None:
    first = git(logs_repo, "rev-parse", "HEAD")
    path = logs_repo / weekly_record(MONDAYS[0]).path
    path.write_text(path.read_text().replace("new-leads: 12", "new-leads: 40"))
    (logs_repo / weekly_record(MONDAYS[2]).path).unlink()
    git(logs_repo, "commit", "--quiet", "--all", "-m", "Edit and delete")
    assert leads(logs_repo) == {
        weekly_record(MONDAYS[0]).path: 40,
        weekly_record(MONDAYS[1]).path: 12,
    }

    git(logs_repo, "checkout", "--quiet", first)

    assert leads(logs_repo) == {weekly_record(day).path: 12 for day in MONDAYS}


def test_git_pull_brings_new_and_changed_records(logs_repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(logs_repo, "clone", "--quiet", str(logs_repo), str(clone))
    assert len(leads(clone)) == 3
    write(logs_repo, weekly_record(date(2026, 11, 23), leads=9))
    path = logs_repo / weekly_record(MONDAYS[1]).path
    path.write_text(path.read_text().replace("new-leads: 12", "new-leads: 13"))
    git(logs_repo, "add", "--all")
    git(logs_repo, "commit", "--quiet", "-m", "One more, one amended")

    git(clone, "pull", "--quiet", "--ff-only")

    assert leads(clone)[weekly_record(date(2026, 11, 23)).path] == 9
    assert leads(clone)[weekly_record(MONDAYS[1]).path] == 13


# --- a broken or unusable index never breaks a command -----------------------------------


def test_an_index_of_another_schema_version_is_rebuilt(logs_repo: Path) -> None:
    with sqlite3.connect(index_file(logs_repo)) as db:
        db.execute("PRAGMA user_version = 999")

    assert len(leads(logs_repo)) == 3
    with sqlite3.connect(index_file(logs_repo)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (record_index.SCHEMA_VERSION,)


def test_an_index_made_for_another_folder_is_rebuilt(logs_repo: Path) -> None:
    with sqlite3.connect(index_file(logs_repo)) as db:
        db.execute("UPDATE meta SET value = '/elsewhere/logs' WHERE key = 'logs'")

    assert len(leads(logs_repo)) == 3


def test_where_no_index_can_be_kept_the_files_are_read(logs_repo: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the index folder cannot be made inside a file\n")

    loaded = load_records(logs_repo, cache_dir=blocker)

    assert len(loaded.records) == 3
    assert not (blocker / "playbook").exists()


def test_records_load_without_git_at_all(tmp_path: Path) -> None:
    write(tmp_path, weekly_record(MONDAYS[0]))

    assert len(leads(tmp_path)) == 1
    assert record_index.index_path(tmp_path.resolve()) is None


# --- concurrent commands -----------------------------------------------------------------

WRITE_AND_READ = """
import os, sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from tests.test_record_index import weekly_record, write
from datetime import date
from playbook.records import load_records
root, team = Path(sys.argv[1]), sys.argv[2]
day = date(2026, 11, 30)
record = weekly_record(day, team=team)
tmp = root / f"{team}.tmp"
tmp.write_text(record.to_yaml())
(root / record.path).parent.mkdir(parents=True, exist_ok=True)
os.replace(tmp, root / record.path)  # as playbook check writes: atomically
paths = {r.path for r in load_records(root).records}
assert record.path in paths, paths
print(len(paths))
"""


def test_concurrent_writers_and_readers_each_see_their_own_record(logs_repo: Path) -> None:
    (index_file(logs_repo)).unlink()  # every process finds no index: a cold race
    teams = [f"team-{n}" for n in range(6)]

    children = [
        subprocess.Popen(
            [sys.executable, "-c", WRITE_AND_READ, str(logs_repo), team, str(REPOSITORY)],
            env=subprocess_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for team in teams
    ]
    results = [child.communicate(timeout=120) for child in children]

    assert [child.returncode for child in children] == [0] * len(teams), results
    assert len(leads(logs_repo)) == 3 + len(teams)


# --- progress while a cold index is built ------------------------------------------------


def test_a_cold_build_reports_progress_and_a_warm_one_does_not(logs_repo: Path) -> None:
    index_file(logs_repo).unlink()
    cold: list[tuple[int, int]] = []
    warm: list[tuple[int, int]] = []

    load_records(logs_repo, progress=lambda done, total: cold.append((done, total)))
    load_records(logs_repo, progress=lambda done, total: warm.append((done, total)))

    assert cold[0] == (0, 3)
    assert cold[-1] == (3, 3)
    assert warm == []


def test_status_without_a_terminal_prints_no_progress(logs_repo: Path) -> None:
    index_file(logs_repo).unlink()

    done = subprocess.run(
        [sys.executable, "-m", "playbook", "status", "--as-of", "2026-11-24"],
        cwd=logs_repo,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "Indexing" not in done.stdout


# --- what status reads -------------------------------------------------------------------


def test_the_brief_status_agrees_with_judging_the_whole_window(tmp_path: Path) -> None:
    from playbook.load import load_playbook

    playbook = load_playbook(REPOSITORY)
    for days in (0, 30, 120, 400):
        as_of = datetime(2026, 12, 1, 12, tzinfo=playbook.timezone) - timedelta(days=days)
        windowed = load_records(REPOSITORY, tmp_path, since=as_of - BRIEF_WINDOW)
        everything = load_records(REPOSITORY, tmp_path)

        brief = collect(playbook, windowed.index(), as_of, recent=RECENT, brief=True)
        full = collect(playbook, everything.index(), as_of, recent=RECENT)

        assert [_shown(s) for s in brief] == [_shown(s) for s in full]


def _shown(summary: object) -> tuple[object, ...]:
    """What the status table and its JSON show of a summary."""
    s = summary
    return (
        s.checklist.id,  # type: ignore[attr-defined]
        s.unit.id,  # type: ignore[attr-defined]
        s.last_done,  # type: ignore[attr-defined]
        s.open,  # type: ignore[attr-defined]
        s.next_due,  # type: ignore[attr-defined]
        s.on_time_rate,  # type: ignore[attr-defined]
        s.streak,  # type: ignore[attr-defined]
    )


def test_items_are_read_from_the_file_only_when_asked_for(logs_repo: Path) -> None:
    [record] = [r for r in load_records(logs_repo).records if r.occurrence == MONDAYS[0]]

    assert [item.id for item in record.items] == ["next-steps"]
    assert record.items == weekly_record(MONDAYS[0]).items
