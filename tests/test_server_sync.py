"""The team server and the shared repository: a real bare remote, other clones moving it.

Every test ends with `git fsck` clean in the server's clone and in the remote.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
import urllib.error
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from playbook.records import parse_record

from .teamserver import (
    CHECKLIST,
    clone,
    git,
    git_env,
    manager_id,
    mondays,
    record_as,
    running,
    start_server,
    team_id,
    team_playbook,
    with_remote,
    write_users,
)

NOW = "2026-11-30T10:00+01:00"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {**git_env(tmp_path / "home"), "PLAYBOOK_NOW": NOW}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def shared(tmp_path: Path, env: dict[str, str]) -> tuple[Path, Path, Path]:
    """(server's clone, bare remote, users file): the playbook pushed to the remote."""
    root = team_playbook(tmp_path / "server-clone", teams=10)
    bare = with_remote(root, tmp_path / "shared.git")
    return root, bare, write_users(tmp_path / "users.json", teams=10)


def _remote_files(bare: Path) -> list[str]:
    listing = git(bare, "ls-tree", "-r", "--name-only", "main", "--", "logs")
    return listing.splitlines()


def _fsck(*repositories: Path) -> None:
    for repository in repositories:
        git(repository, "fsck", "--strict", "--no-progress")


def _record_until_killed(url: str, occurrence: str) -> threading.Thread:
    def record() -> None:
        # The server may be killed before it answers: that is the point.
        with contextlib.suppress(ConnectionError, urllib.error.URLError):
            record_as(url, "anna", "warsaw", occurrence)

    thread = threading.Thread(target=record)
    thread.start()
    return thread


def _records_on_disk(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.glob("logs/**/*.yml"))


def _cli_record(root: Path, team: str, occurrence: str, push: bool = True) -> None:
    """A manager recording from a terminal in a clone of their own, then pushing."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "playbook",
            "check",
            CHECKLIST,
            "--team",
            team,
            "--occurrence",
            occurrence,
            "--item",
            "lead-statuses",
            "--skip",
            "next-steps=no open deals this week",
            "--metric",
            "new-leads=3",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    if push:
        git(root, "push", "-q", "origin", "main")


def test_each_record_is_pushed_to_the_remote(
    shared: tuple[Path, Path, Path], env: dict[str, str]
) -> None:
    root, bare, users = shared
    with running(root, users, "--push", "origin", env=env) as server:
        reply = record_as(server.url, "anna", "warsaw", "2026-11-23")
        assert reply.status == 201, reply.text
        assert reply.json()["pending"] == 0
        assert git(bare, "rev-parse", "main") == reply.json()["commit"]
        assert server.health()["push"]["pending"] == 0
    assert git(bare, "log", "-1", "--format=%an", "main") == "Anna Kowalska"
    _fsck(root, bare)


def test_the_remote_moving_under_the_server_is_handled_by_replaying_the_record(
    shared: tuple[Path, Path, Path], env: dict[str, str], tmp_path: Path
) -> None:
    root, bare, users = shared
    laptop = clone(bare, tmp_path / "laptop")
    with running(root, users, "--push", "origin", "--pull-every", "3600", env=env) as server:
        _cli_record(laptop, "berlin", "2026-11-23")  # the remote moves; the server has not pulled
        reply = record_as(server.url, "anna", "warsaw", "2026-11-23")
        assert reply.status == 201, reply.text
    files = _remote_files(bare)
    assert f"logs/{CHECKLIST}/berlin/2026-11-23.yml" in files
    assert f"logs/{CHECKLIST}/warsaw/2026-11-23.yml" in files
    assert git(bare, "rev-parse", "main") == git(root, "rev-parse", "HEAD")
    assert git(root, "status", "--porcelain") == ""
    # The replayed commit keeps its author and its one file.
    assert git(root, "log", "-1", "--format=%an", "HEAD") == "Anna Kowalska"
    assert (
        git(root, "show", "--name-only", "--format=", "HEAD")
        == f"logs/{CHECKLIST}/warsaw/2026-11-23.yml"
    )
    _fsck(root, bare)


def test_the_same_occurrence_recorded_elsewhere_first_is_refused_with_who_and_when(
    shared: tuple[Path, Path, Path], env: dict[str, str], tmp_path: Path
) -> None:
    root, bare, users = shared
    laptop = clone(bare, tmp_path / "laptop")
    with running(root, users, "--push", "origin", "--pull-every", "3600", env=env) as server:
        _cli_record(laptop, "warsaw", "2026-11-23")
        reply = record_as(server.url, "anna", "warsaw", "2026-11-23")
        assert reply.status == 409, reply.text
        problem = reply.json()["problems"][0]
        assert (
            "recorded on the shared repository meanwhile by Playbook Server" in problem["message"]
        )
        assert "refs/playbook/refused/" in problem["hint"]
        refused = git(root, "for-each-ref", "--format=%(refname)", "refs/playbook/refused")
        assert refused  # nothing recorded is lost
        assert server.health()["push"]["pending"] == 0
    assert git(bare, "rev-parse", "main") == git(root, "rev-parse", "HEAD")
    assert git(root, "status", "--porcelain") == ""
    _fsck(root, bare)


def test_two_servers_recording_at_once_both_land_on_the_remote(
    shared: tuple[Path, Path, Path], env: dict[str, str], tmp_path: Path
) -> None:
    root, bare, users = shared
    second = clone(bare, tmp_path / "second-server")
    with (
        running(root, users, "--push", "origin", env=env) as one,
        running(second, users, "--push", "origin", env=env) as two,
    ):
        jobs = [
            (server, manager_id(i), team_id(i), day)
            for i, server in ((0, one), (1, two), (2, one), (3, two))
            for day in mondays(3, before="2026-11-23")[-3:]
        ]
        with ThreadPoolExecutor(8) as pool:
            replies = list(
                pool.map(lambda job: record_as(job[0].url, job[1], job[2], job[3]), jobs)
            )
        assert [r.status for r in replies] == [201] * len(jobs), [
            r.text for r in replies if r.status != 201
        ]
        for server in (one, two):
            server.wait_for(lambda s=server: s.health()["push"]["pending"] == 0, 30, "pushes")
    assert len(_remote_files(bare)) == len(jobs)
    _fsck(root, second, bare)


def test_an_unreachable_remote_keeps_the_records_and_pushes_them_later(
    shared: tuple[Path, Path, Path], env: dict[str, str], tmp_path: Path
) -> None:
    root, bare, users = shared
    away = tmp_path / "shared-away.git"
    with running(root, users, "--push", "origin", "--pull-every", "1", env=env) as server:
        bare.rename(away)
        reply = record_as(server.url, "anna", "warsaw", "2026-11-23")
        assert reply.status == 201, reply.text
        assert reply.json()["pending"] == 1
        health = server.health()
        assert health["push"]["pending"] == 1
        assert health["push"]["error"]
        assert health["ok"] is False
        away.rename(bare)
        server.wait_for(lambda: server.health()["push"]["pending"] == 0, 30, "the delayed push")
        assert server.health()["ok"] is True
    assert git(bare, "rev-parse", "main") == reply.json()["commit"]
    _fsck(root, bare)


def test_the_server_pulls_what_was_recorded_elsewhere_and_rebuilds(
    shared: tuple[Path, Path, Path], env: dict[str, str], tmp_path: Path
) -> None:
    root, bare, users = shared
    laptop = clone(bare, tmp_path / "laptop")
    with running(root, users, "--push", "origin", "--pull-every", "1", env=env) as server:
        before = server.generation()
        _cli_record(laptop, "warsaw", "2026-11-23")
        path = root / "logs" / CHECKLIST / "warsaw" / "2026-11-23.yml"
        server.wait_for(path.exists, 30, "the pulled record")
        server.wait_for(lambda: server.generation() > before, 60, "the rebuild after the pull")
        assert record_as(server.url, "anna", "warsaw", "2026-11-23").status == 409
    assert git(root, "status", "--porcelain") == ""
    _fsck(root, bare)


def test_fifty_concurrent_recordings_from_ten_users_land_exactly_once(
    shared: tuple[Path, Path, Path], env: dict[str, str]
) -> None:
    root, bare, users = shared
    days = mondays(5, before="2026-11-23")[-5:]
    jobs = [(manager_id(i), team_id(i), day) for i in range(10) for day in days]
    with running(root, users, "--push", "origin", "--threads", "10", env=env) as server:
        with ThreadPoolExecutor(10) as pool:
            replies = list(pool.map(lambda job: record_as(server.url, *job), jobs))
        assert [r.status for r in replies] == [201] * 50, [
            r.text for r in replies if r.status != 201
        ]
        server.wait_for(lambda: server.health()["push"]["pending"] == 0, 60, "the pushes")
    files = _remote_files(bare)
    assert sorted(files) == sorted(f"logs/{CHECKLIST}/{team}/{day}.yml" for _, team, day in jobs)
    commits = git(bare, "rev-list", "main", "--", "logs").splitlines()
    assert len(commits) == 50  # one commit each, none twice
    _fsck(root, bare)


def test_kill_9_mid_recording_leaves_no_partial_file_and_the_next_start_pushes(
    shared: tuple[Path, Path, Path], env: dict[str, str]
) -> None:
    root, bare, users = shared
    days = mondays(6, before="2026-11-23")[-6:]
    for round_, delay in enumerate((0.05, 0.15, 0.3)):
        server = start_server(root, users, "--push", "origin", env=env)
        thread = _record_until_killed(server.url, days[round_])
        time.sleep(delay)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        thread.join(30)
        # Whatever was cut short: the clone is sound and holds no half-written record.
        _fsck(root)
        for record in _records_on_disk(root):
            parse_record((root / record).read_text())
    server = start_server(root, users, "--push", "origin", env=env)
    try:
        server.wait_for(
            lambda: server.health()["push"]["pending"] == 0, 30, "the push after restart"
        )
        assert git(root, "status", "--porcelain", "-uall") == ""
        assert git(bare, "rev-parse", "main") == git(root, "rev-parse", "HEAD")
        committed = git(root, "ls-tree", "-r", "--name-only", "HEAD", "--", "logs").splitlines()
        assert _records_on_disk(root) == sorted(committed)
        assert record_as(server.url, "anna", "warsaw", days[5]).status == 201
    finally:
        server.stop()
    _fsck(root, bare)


def test_a_record_file_that_never_reached_its_commit_is_discarded_at_start(
    shared: tuple[Path, Path, Path], env: dict[str, str]
) -> None:
    """What a recording killed between its file and its commit leaves: staged, unanswered."""
    root, bare, users = shared
    orphan = root / "logs" / CHECKLIST / "warsaw" / "2026-11-23.yml"
    orphan.parent.mkdir(parents=True)
    orphan.write_text("checklist: weekly-pipeline-review\n")
    git(root, "add", "--", str(orphan))
    (root / ".git" / "index.lock").write_text("")  # and git's own lock, left by the kill
    with running(root, users, "--push", "origin", env=env) as server:
        assert git(root, "status", "--porcelain", "-uall") == ""
        assert "discarding a recording that never reached its commit" in server.log.read_text()
        assert record_as(server.url, "anna", "warsaw", "2026-11-23").status == 201
    _fsck(root, bare)


def test_a_clone_with_changes_that_are_not_records_is_refused_at_start(
    shared: tuple[Path, Path, Path], env: dict[str, str]
) -> None:
    root, _, users = shared
    (root / "playbook.yml").write_text((root / "playbook.yml").read_text() + "\n# edited\n")
    done = subprocess.run(
        [sys.executable, "-m", "playbook", "server", "--users", str(users), "--port", "0"],
        cwd=root, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "the server's clone has changes that are not records" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_record_committed_while_a_push_runs_is_pushed_next_not_counted_as_pushed(
    shared: tuple[Path, Path, Path], env: dict[str, str], tmp_path: Path
) -> None:
    from playbook.server.sync import Remote

    root, bare, _ = shared
    started, release = tmp_path / "push-started", tmp_path / "push-may-finish"
    hook = bare / "hooks" / "pre-receive"  # holds every push until the test releases it
    hook.write_text(
        f"#!/bin/sh\ncat >/dev/null\ntouch '{started}'\n"
        f"while [ ! -e '{release}' ]; do sleep 0.05; done\n"
    )
    hook.chmod(0o755)
    remote = Remote(root, "origin")
    _cli_record(root, "warsaw", "2026-11-23", push=False)
    pushing = threading.Thread(target=remote.publish)
    pushing.start()
    while not started.exists():
        time.sleep(0.05)
    _cli_record(root, "berlin", "2026-11-23", push=False)  # lands while the push is held
    release.touch()
    pushing.join(timeout=30)

    assert remote.count_pending() == 1
    remote.publish()
    assert remote.count_pending() == 0
    assert "logs/weekly-pipeline-review/berlin/2026-11-23.yml" in _remote_files(bare)
    _fsck(root, bare)
