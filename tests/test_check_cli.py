"""`playbook check` from the command line: refusals, real git states, processes at once."""

# Fixtures imported from gitfixtures are parameters of the tests: that is not a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import random
import re
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from playbook.cli import main
from playbook.records import parse_record

from .gitfixtures import (  # noqa: F401
    IDENTITY,
    MONTHLY,
    ONBOARDING,
    WEEKLY,
    commit_count,
    git,
    git_env,
    head,
    mondays_before,
    playbook_command,
    playbook_dir,
    real_today,
    record_files,
    repo,
    repo_state,
    subprocess_env,
)

# The checks here run with the real clock, so the dates are computed from today.
TODAY = real_today()
PAST_MONDAY = mondays_before(TODAY, 1, gap=2)[0]
FUTURE_MONDAY = TODAY + timedelta(days=14 - TODAY.weekday())  # a Monday 8 to 14 days ahead


def run(root: Path, *args: str) -> Result:
    """`playbook check ARGS -C ROOT` in this process."""
    return CliRunner().invoke(main, ["check", *args, "-C", str(root)])


def weekly_args(*extra: str, team: str = "warsaw", day: date = PAST_MONDAY) -> list[str]:
    return [WEEKLY, "--team", team, "--occurrence", day.isoformat(), *extra]


def assert_refused(result: Result, *fragments: str) -> None:
    """Exit 1 with one readable problem on stderr: no traceback, no stray exception."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stderr.strip().endswith("1 problem found."), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert result.stdout == ""


# --- success ---------------------------------------------------------------------------


def test_check_records_and_says_what_it_did(repo: Path) -> None:
    result = run(repo, *weekly_args("--all", "--metric", "new-leads=7"))

    assert result.exit_code == 0, result.output
    sha = head(repo)
    # Recorded days after it was due: the engine judges it late, and check says so.
    said = result.stdout.strip()
    assert said.startswith(f"Recorded weekly-pipeline {PAST_MONDAY} for warsaw: late (")
    assert re.search(rf"late \(\d+ (hours|days) after it was due\) \(commit {sha[:10]}\)\.$", said)
    assert f"{PAST_MONDAY:%a %d %b %Y} (due 09:00) (as asked)" in result.stderr
    path = f"logs/weekly-pipeline/warsaw/{PAST_MONDAY}.yml"
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == [path]
    assert parse_record((repo / path).read_text()).metrics == {"new-leads": 7}


def test_check_with_skips_metrics_and_a_note(repo: Path) -> None:
    result = run(
        repo,
        *weekly_args(
            "--item",
            "next-steps",
            "--skip",
            "stale-deals=CRM was down all day",
            "--metric",
            "new-leads=3",
            "--metric",
            "win-rate=42.5%",
            "--metric",
            "blockers=none",
            "--note",
            "quiet week",
        ),
    )

    assert result.exit_code == 0, result.output
    saved = parse_record((repo / f"logs/weekly-pipeline/warsaw/{PAST_MONDAY}.yml").read_text())
    assert saved.complete
    assert [(i.id, i.done, i.reason) for i in saved.items] == [
        ("next-steps", True, ""),
        ("stale-deals", False, "CRM was down all day"),
    ]
    assert saved.metrics == {"new-leads": 3, "win-rate": 42.5, "blockers": "none"}
    assert saved.note == "quiet week"


def test_dry_run_prints_the_record_and_writes_nothing(repo: Path) -> None:
    state = repo_state(repo)

    result = run(repo, *weekly_args("--all", "--metric", "new-leads=7", "--dry-run"))

    assert result.exit_code == 0, result.output
    assert parse_record(result.stdout).occurrence == PAST_MONDAY
    assert "nothing written" in result.stderr
    assert repo_state(repo) == state


def test_no_commit_writes_the_file_only(repo: Path) -> None:
    before = head(repo)

    result = run(repo, *weekly_args("--all", "--metric", "new-leads=7", "--no-commit"))

    assert result.exit_code == 0, result.output
    assert "not committed" in result.stdout
    assert head(repo) == before
    assert record_files(repo) == [f"logs/weekly-pipeline/warsaw/{PAST_MONDAY}.yml"]


def test_without_occurrence_the_one_due_now_is_picked_then_refused_when_done(repo: Path) -> None:
    # Warsaw's weekly review opens on Monday: the latest Monday up to today is due now.
    expected = TODAY - timedelta(days=TODAY.weekday())

    first = run(repo, WEEKLY, "--team", "warsaw", "--all", "--metric", "new-leads=1")
    assert first.exit_code == 0, first.output
    # Done, or late when today is past Monday's grace period: either way, recorded.
    assert re.search(r"for warsaw: (done|late \()", first.stdout), first.stdout
    assert f"{expected}" in first.stdout
    assert f"{expected:%a %d %b %Y}" in first.stderr
    state = repo_state(repo)

    again = run(repo, WEEKLY, "--team", "warsaw", "--all", "--metric", "new-leads=1")

    assert_refused(again, "already recorded: done by", "--amend", "--occurrence")
    assert repo_state(repo) == state


# --- refusals: nothing written, nothing committed --------------------------------------


REFUSALS: list[tuple[str, list[str], tuple[str, ...]]] = [
    (
        "unknown-checklist",
        ["weekly-pipline", "--team", "warsaw", "--all", "--metric", "new-leads=3"],
        ("unknown checklist 'weekly-pipline'", "did you mean 'weekly-pipeline'?"),
    ),
    (
        "unknown-team",
        weekly_args("--all", "--metric", "new-leads=3", team="warsw"),
        ("unknown team 'warsw'", "did you mean 'warsaw'?"),
    ),
    (
        "team-missing",
        [WEEKLY, "--all", "--metric", "new-leads=3"],
        ("recorded per team", "warsaw, hanoi"),
    ),
    (
        "team-on-a-playbook-checklist",
        [MONTHLY, "--team", "warsaw", "--all"],
        ("once for the whole playbook",),
    ),
    (
        "unknown-person",
        [ONBOARDING, "--person", "pjotr", "--all"],
        ("'pjotr' is not a person", "did you mean 'piotr'?"),
    ),
    (
        "unknown-item",
        weekly_args("--all", "--item", "forecast", "--metric", "new-leads=3"),
        ("has no item 'forecast'", "did you mean 'forecast-notes'?"),
    ),
    (
        "unknown-metric",
        weekly_args("--all", "--metric", "new-leads=3", "--metric", "new-lead=4"),
        ("has no metric 'new-lead'", "did you mean 'new-leads'?"),
    ),
    (
        "integer-not-a-number",
        weekly_args("--all", "--metric", "new-leads=abc"),
        ("New leads", "whole number", "'abc'"),
    ),
    (
        "percent-not-a-number",
        weekly_args("--all", "--metric", "new-leads=3", "--metric", "win-rate=lots"),
        ("Win rate", "percentage", "'lots'"),
    ),
    (
        "required-item-open",
        weekly_args("--item", "next-steps", "--metric", "new-leads=3"),
        ("required item 'stale-deals' is neither done nor skipped", "--partial"),
    ),
    (
        "done-and-skipped",
        weekly_args(
            "--item",
            "next-steps",
            "--item",
            "stale-deals",
            "--skip",
            "stale-deals=no time",
            "--metric",
            "new-leads=3",
        ),
        ("'stale-deals' is both done and skipped",),
    ),
    (
        "required-metric-missing",
        weekly_args("--all"),
        ("required metric 'new-leads'", "--metric new-leads=VALUE"),
    ),
    (
        "skip-without-reason",
        weekly_args("--all", "--skip", "stale-deals=", "--metric", "new-leads=3"),
        ("skipping 'stale-deals' needs a reason", "--skip stale-deals=REASON"),
    ),
    (
        "not-an-occurrence",
        weekly_args("--all", "--metric", "new-leads=3", day=PAST_MONDAY + timedelta(days=1)),
        ("is not an occurrence of weekly-pipeline", "nearest: ", f"{PAST_MONDAY:%a %Y-%m-%d}"),
    ),
    (
        "future-occurrence",
        weekly_args("--all", "--metric", "new-leads=3", day=FUTURE_MONDAY),
        (f"{FUTURE_MONDAY} is in the future",),
    ),
    (
        "bad-by",
        weekly_args("--all", "--metric", "new-leads=3", "--by", "just a name"),
        ("is not of the form Name <email>",),
    ),
]


@pytest.mark.parametrize(
    ("args", "fragments"), [(a, f) for _, a, f in REFUSALS], ids=[i for i, _, _ in REFUSALS]
)
def test_refusals_write_nothing_and_commit_nothing(
    repo: Path, args: list[str], fragments: tuple[str, ...]
) -> None:
    state = repo_state(repo)

    result = run(repo, *args)

    assert_refused(result, *fragments)
    assert repo_state(repo) == state
    assert record_files(repo) == []


def test_partial_lets_required_items_stay_open(repo: Path) -> None:
    result = run(repo, *weekly_args("--item", "next-steps", "--partial"))

    assert result.exit_code == 0, result.output
    assert "partial" in result.stdout
    saved = parse_record((repo / f"logs/weekly-pipeline/warsaw/{PAST_MONDAY}.yml").read_text())
    assert saved.complete is False
    assert [item.id for item in saved.items] == ["next-steps"]
    assert "Status: partial" in git(repo, "log", "-1", "--format=%(trailers:only)")


def test_a_malformed_occurrence_date_is_a_usage_error(repo: Path) -> None:
    state = repo_state(repo)

    result = run(repo, WEEKLY, "--team", "warsaw", "--occurrence", "16/11/2026", "--all")

    assert result.exit_code == 2
    assert "'16/11/2026' is not a date; write YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.output
    assert repo_state(repo) == state


def test_refused_outside_a_git_repository(playbook_dir: Path, git_env: Path) -> None:
    result = run(playbook_dir, *weekly_args("--all", "--metric", "new-leads=3"))

    assert_refused(result, "not inside a git repository", "git init")
    assert record_files(playbook_dir) == []
    assert not (playbook_dir / ".git").exists()


def _forget_identity(root: Path) -> None:
    git(root, "config", "--unset", "user.name")
    git(root, "config", "--unset", "user.email")
    # Without this git may invent an identity from the host name on some machines.
    git(root, "config", "user.useConfigOnly", "true")


def test_refused_without_a_git_identity_and_without_by(repo: Path) -> None:
    _forget_identity(repo)
    state = repo_state(repo)

    result = run(repo, *weekly_args("--all", "--metric", "new-leads=3"))

    assert_refused(result, "git does not know who you are", "user.email")
    assert repo_state(repo) == state


def test_by_records_without_a_git_identity(repo: Path) -> None:
    _forget_identity(repo)
    before = commit_count(repo)

    result = run(
        repo, *weekly_args("--all", "--metric", "new-leads=3", "--by", "Linh Nguyen <linh@ex.vn>")
    )

    assert result.exit_code == 0, result.output
    assert commit_count(repo) == before + 1
    assert git(repo, "log", "-1", "--format=%an <%ae>") == "Linh Nguyen <linh@ex.vn>"
    path = f"logs/weekly-pipeline/warsaw/{PAST_MONDAY}.yml"
    assert parse_record((repo / path).read_text()).by == "Linh Nguyen <linh@ex.vn>"
    assert git(repo, "status", "--porcelain") == ""


def test_by_names_the_author_when_an_identity_exists(repo: Path) -> None:
    result = run(
        repo, *weekly_args("--all", "--metric", "new-leads=3", "--by", "Linh Nguyen <linh@ex.vn>")
    )

    assert result.exit_code == 0, result.output
    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>") == (
        f"Linh Nguyen <linh@ex.vn>|{IDENTITY}"
    )


def _conflicting(root: Path, command: str) -> None:
    """Start `git COMMAND side` on main, where both branches changed notes.txt: it stops."""
    git(root, "checkout", "--quiet", "-b", "side")
    (root / "notes.txt").write_text("side version\n")
    git(root, "commit", "--quiet", "--all", "-m", "Side")
    git(root, "checkout", "--quiet", "main")
    (root / "notes.txt").write_text("main version\n")
    git(root, "commit", "--quiet", "--all", "-m", "Main")
    git(root, command, "side", check=False)


@pytest.mark.parametrize(
    ("command", "marker", "is_kind", "what"),
    [
        ("merge", "MERGE_HEAD", Path.is_file, "a merge is in progress"),
        ("rebase", "rebase-merge", Path.is_dir, "a rebase"),
    ],
    ids=["merge", "rebase"],
)
def test_refused_while_a_merge_or_rebase_is_in_progress(
    repo: Path, command: str, marker: str, is_kind: Callable[[Path], bool], what: str
) -> None:
    _conflicting(repo, command)
    assert is_kind(repo / ".git" / marker)
    state = repo_state(repo)
    assert "UU notes.txt" in state.status

    result = run(repo, *weekly_args("--all", "--metric", "new-leads=3"))

    assert_refused(result, what)
    assert repo_state(repo) == state
    assert record_files(repo) == []


# --- many processes at once, and processes that die ------------------------------------


def test_ten_processes_at_once_all_land_as_ten_commits(repo: Path) -> None:
    before = head(repo)
    jobs = [
        (team, monday) for monday in mondays_before(TODAY, 5, gap=2) for team in ("warsaw", "hanoi")
    ]
    processes = [
        subprocess.Popen(
            playbook_command(
                "check",
                *weekly_args("--all", "--metric", f"new-leads={n}", team=team, day=monday),
                "-C",
                str(repo),
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env(),
        )
        for n, (team, monday) in enumerate(jobs)
    ]
    outputs = [process.communicate(timeout=60) for process in processes]

    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, out + err
        assert "index.lock" not in out + err
        assert "Traceback" not in out + err
    expected = sorted(f"logs/weekly-pipeline/{team}/{monday}.yml" for team, monday in jobs)
    assert git(repo, "ls-tree", "-r", "--name-only", "HEAD", "logs").splitlines() == expected
    new_commits = git(repo, "rev-list", f"{before}..HEAD").splitlines()
    assert len(new_commits) == 10
    for commit in new_commits:
        assert len(git(repo, "show", "--name-only", "--format=", commit).splitlines()) == 1
        assert git(repo, "rev-list", "--count", "--merges", f"{before}..HEAD") == "0"
    for n, (team, monday) in enumerate(jobs):
        path = f"logs/weekly-pipeline/{team}/{monday}.yml"
        assert parse_record(git(repo, "show", f"HEAD:{path}")).metrics == {"new-leads": n}
    assert record_files(repo) == expected
    fsck = subprocess.run(
        ["git", "fsck", "--no-dangling"], cwd=repo, capture_output=True, text=True
    )
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


def _wait_for_index_lock(root: Path, seconds: float = 5.0) -> None:
    """An orphaned git child of a killed process may still hold the index for a moment."""
    lock = root / ".git" / "index.lock"
    deadline = time.monotonic() + seconds
    while lock.exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_killed_check_leaves_no_half_written_record(repo: Path) -> None:
    rng = random.Random(20261123)
    mondays = mondays_before(TODAY, 8, gap=2)
    for n, monday in enumerate(mondays):
        process = subprocess.Popen(
            playbook_command(
                "check",
                *weekly_args("--all", "--metric", f"new-leads={n}", day=monday),
                "-C",
                str(repo),
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=subprocess_env(),
        )
        time.sleep(rng.uniform(0.05, 0.45))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    _wait_for_index_lock(repo)

    for relative in record_files(repo):
        assert relative.endswith(".yml"), relative
        saved = parse_record((repo / relative).read_text(encoding="utf-8"))
        assert saved.path == relative
        assert saved.complete
    for relative in git(repo, "ls-tree", "-r", "--name-only", "HEAD", "logs").splitlines():
        assert parse_record(git(repo, "show", f"HEAD:{relative}")).path == relative
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True)
    assert status.returncode == 0, status.stderr
    fsck = subprocess.run(
        ["git", "fsck", "--no-dangling"], cwd=repo, capture_output=True, text=True
    )
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr

    # The lock of a killed process is gone with it: the next check goes through.
    after = run(repo, *weekly_args("--all", "--metric", "new-leads=99", team="hanoi"))
    assert after.exit_code == 0, after.output
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == [
        f"logs/weekly-pipeline/hanoi/{PAST_MONDAY}.yml"
    ]


def test_a_stale_index_lock_is_a_readable_refusal_that_writes_nothing(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A git that crashed earlier left its lock behind: the bounded retry gives up (its
    # pauses are skipped here to keep the test fast) and the user gets one clear message.
    (repo / ".git" / "index.lock").write_text("")
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    before = head(repo)

    result = run(repo, *weekly_args("--all", "--metric", "new-leads=3"))

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "1 problem found." in result.stderr
    assert head(repo) == before
    assert record_files(repo) == []


def test_no_commit_outside_a_repository_without_by_asks_for_by(
    playbook_dir: Path, git_env: Path
) -> None:
    result = run(playbook_dir, *weekly_args("--all", "--metric", "new-leads=3", "--no-commit"))

    # Either it writes the file (it was asked not to commit) or it says what is missing:
    # the hint must not suggest --no-commit, which was given.
    if result.exit_code == 0:
        assert record_files(playbook_dir) == [f"logs/weekly-pipeline/warsaw/{PAST_MONDAY}.yml"]
    else:
        assert_refused(result, "--by")
        assert "pass --no-commit" not in result.stderr
        assert record_files(playbook_dir) == []
