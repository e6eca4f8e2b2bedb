"""Real git repositories holding a small sales playbook, for the tracked-checklist tests.

Test modules import the fixtures with `from .gitfixtures import ...  # noqa: F401`.

Every repository lives in `tmp_path`, with a fixed identity in its own config, and the
environment is made hermetic: HOME points to an empty folder, the global and system git
configuration are switched off and identity variables are removed, so nothing of the
machine's own git setup leaks into a test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .samples import SALES_MANAGER, USER_EMAIL, USER_NAME, sdr, settings, warsaw_pod, write_files

WARSAW = ZoneInfo("Europe/Warsaw")
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")

IDENTITY = f"{USER_NAME} <{USER_EMAIL}>"

WEEKLY = "weekly-pipeline"
QUARTERLY = "quarterly-review"
MONTHLY = "monthly-report"
ONBOARDING = "onboarding-sdr"

WEEKLY_CHECKLIST = """\
title: Weekly pipeline review
purpose: Start the week with a clean pipeline.
owners: [sales-manager]
cadence: every monday at 09:00
late_after: 4h
sections:
  - title: Pipeline
    items:
      - id: next-steps
        text: Every open deal has a next step
      - id: stale-deals
        text: Deals without activity for two weeks are closed or revived
  - title: Forecast
    items:
      - id: forecast-notes
        text: Write a note on the forecast
        required: false
metrics:
  - id: new-leads
    label: New leads
    type: integer
    unit: leads
    required: true
  - id: pipeline-value
    label: Pipeline value
    type: money
    unit: EUR
  - id: win-rate
    label: Win rate
    type: percent
    unit: "%"
  - id: blockers
    label: Blockers
    type: text
"""

QUARTERLY_CHECKLIST = """\
title: Quarterly review
purpose: Look back at the quarter and plan the next one.
owners: [sales-manager]
cadence: last friday of each quarter at 14:00
late_after: 3d
on_holiday: previous
sections:
  - title: Review
    items:
      - id: quarter-revenue
        text: Summarise the quarter's revenue
"""

MONTHLY_CHECKLIST = """\
title: Monthly report
purpose: One report for the whole company.
owners: [sales-manager]
cadence: monthly on day 15
scope: playbook
sections:
  - title: Report
    items:
      - id: send-report
        text: Send the monthly report to the board
"""

PLAYBOOK_FILES: dict[str, str] = {
    "playbook.yml": settings(
        "Northwind Test Playbook",
        "company: Northwind",
        "timezone: Europe/Warsaw",
        "country: PL",
        "late_after: 1d",
        'tracking_since: "2026-10-01"',
        stages=("prospecting", "closing"),
    )
    + "teams:\n"
    + warsaw_pod(
        "timezone: Europe/Warsaw\ncountry: PL\n",
        anna='started: "2023-03-01"\n',
        others="""\
- id: piotr
  name: Piotr Nowak
  email: piotr@example.com
  role: sdr
  started: "2026-11-16"
""",
    )
    + """\
  - id: hanoi
    name: Hanoi pod
    timezone: Asia/Ho_Chi_Minh
    country: VN
    manager: linh
    members:
      - id: linh
        name: Nguyen Thi Linh
        email: linh@example.com
        role: sales-manager
      - id: minh
        name: Tran Van Minh
        email: minh@example.com
        role: sales-manager
""",
    "roles/sales-manager.yml": SALES_MANAGER,
    # This SDR's onboarding has a second task.
    "roles/sdr.yml": sdr(
        middle="funnel_stages: [prospecting]\n",
        tasks="      - id: shadow-calls\n        text: Shadow five calls\n",
    ),
    f"checklists/{WEEKLY}.yml": WEEKLY_CHECKLIST,
    f"checklists/{QUARTERLY}.yml": QUARTERLY_CHECKLIST,
    f"checklists/{MONTHLY}.yml": MONTHLY_CHECKLIST,
    "docs/index.md": "# Northwind Test Playbook\n",
    "notes.txt": "a file the user edits\n",
}


def write_playbook(root: Path, files: Mapping[str, str | None] | None = None) -> Path:
    """Write the sample playbook into `root`, with `files` added, replaced or (None) removed."""
    return write_files(root, {**PLAYBOOK_FILES, **(files or {})})


def git(root: Path, *args: str, check: bool = True, input: str | None = None) -> str:
    """Run git in `root` and return its stdout (stripped of the final newline)."""
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=False, input=input
    )
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.rstrip("\n")


def init_repo(root: Path) -> Path:
    """Make `root` a repository on branch main whose own config names Anna Kowalska."""
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "config", "user.name", USER_NAME)
    git(root, "config", "user.email", USER_EMAIL)
    git(root, "config", "commit.gpgsign", "false")
    return root


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD")


def commit_count(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD"))


def record_files(root: Path) -> list[str]:
    """Every file under logs/ (any name), relative to root, sorted."""
    logs = root / "logs"
    if not logs.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in logs.rglob("*") if p.is_file())


@dataclass(frozen=True)
class RepoState:
    """What a refused command must leave exactly as it was."""

    head: str
    commits: int
    status: str
    staged: str
    logs: tuple[str, ...]


def repo_state(root: Path) -> RepoState:
    return RepoState(
        head=head(root),
        commits=commit_count(root),
        status=git(root, "status", "--porcelain=v1", "--untracked-files=all"),
        staged=git(root, "diff", "--cached", "--name-status"),
        logs=tuple(record_files(root)),
    )


def mondays_before(today: date, count: int, gap: int = 1) -> list[date]:
    """`count` Mondays, newest first, each at least `gap` days before `today`."""
    day = today - timedelta(days=gap)
    day -= timedelta(days=day.weekday())
    return [day - timedelta(weeks=i) for i in range(count)]


def real_today() -> date:
    return datetime.now(WARSAW).date()


def at(day: str, clock: str = "09:00", tz: ZoneInfo = WARSAW) -> datetime:
    """An aware datetime from 'YYYY-MM-DD' and 'HH:MM[:SS]' in `tz`."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=tz)


def playbook_command(*args: str) -> list[str]:
    """The argv of `playbook ARGS...` run as its own process."""
    return [sys.executable, "-m", "playbook", *args]


@pytest.fixture
def git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A hermetic environment for git: an empty HOME, no global or system config."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig-empty"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("TZ", "UTC")
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_AUTHOR_DATE",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_COMMITTER_DATE",
        "EMAIL",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def playbook_dir(tmp_path: Path) -> Path:
    """The sample playbook written to a folder that is not a git repository."""
    return write_playbook(tmp_path / "plain")


@pytest.fixture
def repo(tmp_path: Path, git_env: Path) -> Path:
    """A git repository whose first commit holds the sample playbook; identity Anna Kowalska."""
    root = init_repo(write_playbook(tmp_path / "repo"))
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "Sample playbook")
    return root


def subprocess_env() -> dict[str, str]:
    """The (monkeypatched) environment for `playbook` child processes."""
    env = dict(os.environ)
    env.pop("PYTHONSTARTUP", None)
    return env


REPOSITORY = Path(__file__).resolve().parent.parent
SAMPLE_PARTS = ("playbook.yml", "roles", "checklists", "docs", "logs", "mkdocs.yml", "schemas")


def sample_repository(target: Path, env: Mapping[str, str] | None = None) -> Path:
    """The repository's own sample playbook copied into `target` as a real git repository.

    The playbook files arrive in one commit and each record in a commit of its own, as
    `playbook check` makes them, so that `playbook audit` finds the copy sound.
    """
    import shutil

    target.mkdir(parents=True)
    for part in SAMPLE_PARTS:
        source = REPOSITORY / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copyfile(source, target / part)
    init_repo(target)

    def run(*args: str) -> None:
        subprocess.run(["git", *args], cwd=target, check=True, capture_output=True, env=env)

    run("add", "--all", "--", ":!logs")
    run("commit", "--quiet", "-m", "Sample playbook")
    for record in sorted((target / "logs").rglob("*.yml")):
        relative = record.relative_to(target).as_posix()
        run("add", "--", relative)
        run("commit", "--quiet", "--no-verify", "-m", f"Record {relative}")
    return target
