"""A pod's half year lived through the CLI, as its managers run it.

Every command runs as its own process with the playbook folder (or one of its
subfolders) as the working directory and no -C. The clock is pinned with
PLAYBOOK_NOW and git's dates, so commits and records carry the moments they
would have had. After each step, status, history, audit and the built site
must tell the same story.
"""

# Fixtures imported from gitfixtures are parameters of the tests: that is not a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from .gitfixtures import (  # noqa: F401
    WARSAW,
    WEEKLY,
    git,
    git_env,
    init_repo,
    playbook_command,
    subprocess_env,
    write_playbook,
)

QUARTERLY = "quarterly-review"
KATARZYNA = "Katarzyna Wiśniewska <katarzyna@example.com>"
NEW_HIRE = """\
      - id: ola
        name: Aleksandra Zielińska
        email: ola@example.com
        role: sdr
        started: "2026-03-02"
"""


MKDOCS = """\
site_name: Warsaw pod playbook
theme:
  name: material
plugins:
  - search
  - playbook
"""


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


class Team:
    """The pod's repository, and the clock its managers live by."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.now = datetime(2026, 1, 2, 12, tzinfo=WARSAW)

    def at(self, moment: str) -> Team:
        self.now = datetime.fromisoformat(moment).replace(tzinfo=WARSAW)
        return self

    def env(self) -> dict[str, str]:
        stamp = self.now.isoformat()
        return subprocess_env() | {
            "PLAYBOOK_NOW": stamp,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }

    def run(self, *args: str, where: str = ".") -> Run:
        done = subprocess.run(
            playbook_command(*args),
            cwd=self.root / where,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str, where: str = ".") -> Run:
        result = self.run(*args, where=where)
        assert result.code == 0, f"playbook {' '.join(args)}:\n{result.out}\n{result.err}"
        return result

    def edit(self, relative: str, old: str, new: str, message: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        done = subprocess.run(
            ["git", "commit", "-q", "-am", message],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr

    def as_of(self) -> str:
        return self.now.isoformat(timespec="minutes")

    def status(self, where: str = ".") -> dict[tuple[str, str], dict[str, object]]:
        result = self.ok("status", "--format", "json", "--as-of", self.as_of(), where=where)
        rows = json.loads(result.out)["checklists"]
        return {(row["checklist"], row["unit"]): row for row in rows}

    def history(self, checklist: str, unit: str) -> dict[str, str]:
        """Each occurrence's history line, by occurrence date."""
        result = self.ok("history", checklist, "--team", unit, "--as-of", self.as_of())
        lines = [line.strip() for line in result.out.splitlines() if line.startswith("  ")]
        return {line.split()[0]: line for line in lines}

    def agree(self, checklist: str = WEEKLY, unit: str = "warsaw") -> None:
        """status, history and audit tell the same story about one checklist and unit."""
        row = self.status()[(checklist, unit)]
        lines = self.history(checklist, unit)
        last = row["last_done"]
        if last is not None:
            line = lines[last["occurrence"]]  # type: ignore[index]
            assert last["state"] in line.split()[1], line  # type: ignore[index]
            later_done = [
                day
                for day, text in lines.items()
                if day > last["occurrence"]  # type: ignore[index,operator]
                and text.split()[1] in ("done", "late")
            ]
            assert later_done == [], f"status missed later completions {later_done}"
        for occurrence in row["open"]:  # type: ignore[union-attr]
            assert occurrence["occurrence"] in lines  # type: ignore[index]
        audit = self.run("audit")
        assert audit.code == 0, audit.err


@pytest.fixture
def team(tmp_path: Path, git_env: Path) -> Team:
    root = write_playbook(tmp_path / "Zespół Warszawa" / "playbook")
    settings = root / "playbook.yml"
    settings.write_text(
        settings.read_text().replace('tracking_since: "2026-10-01"', 'tracking_since: "2026-01-05"')
    )
    (root / "mkdocs.yml").write_text(MKDOCS)
    (root / ".gitignore").write_text("site/\n")
    init_repo(root)
    life = Team(root)
    git(root, "add", "-A")
    subprocess.run(
        ["git", "commit", "-q", "-m", "Our playbook"], cwd=root, env=life.env(), check=True
    )
    return life


def weekly(*extra: str) -> list[str]:
    return ["check", WEEKLY, "--team", "warsaw", *extra]


def test_a_half_year_of_weekly_reviews(team: Team) -> None:
    # January: two on time, one late, one forgotten.
    assert (
        "done" in team.at("2026-01-05T10:00").ok(*weekly("--all", "--metric", "new-leads=12")).out
    )
    team.at("2026-01-05T11:00").ok(
        "check", WEEKLY, "--team", "hanoi", "--all", "--metric", "new-leads=2"
    )
    team.at("2026-01-12T10:30").ok(*weekly("--all", "--metric", "new-leads=9"))
    late = team.at("2026-01-21T12:00").ok(
        *weekly("--occurrence", "2026-01-19", "--all", "--metric", "new-leads=7")
    )
    assert "late" in late.out
    team.at("2026-01-30T12:00").agree()
    assert "overdue" in team.history(WEEKLY, "warsaw")["2026-01-26"]

    # February 2: half the review in the morning, the rest after lunch.
    team.at("2026-02-02T10:00").ok(
        *weekly(
            "--item", "next-steps", "--metric", "new-leads=3", "--partial", "--note", "first half"
        )
    )
    finished = team.at("2026-02-02T12:00").ok(*weekly("--item", "stale-deals"))
    assert "finishing the partial record" in finished.err
    record = (team.root / "logs" / WEEKLY / "warsaw" / "2026-02-02.yml").read_text()
    assert "note: first half" in record
    assert "new-leads: 3" in record
    assert "status: done" in record
    team.agree()
    assert "MISSED" in team.history(WEEKLY, "warsaw")["2026-01-26"]  # Feb 2 came first

    # A second manager records the same Monday: refused, naming the first; then amended.
    before = git(team.root, "rev-parse", "HEAD")
    again = team.at("2026-02-03T09:00").run(
        *weekly("--occurrence", "2026-02-02", "--all", "--metric", "new-leads=4", "--by", KATARZYNA)
    )
    assert again.code == 1
    assert "already recorded" in again.err and "Anna Kowalska" in again.err
    assert git(team.root, "rev-parse", "HEAD") == before
    team.ok(
        *weekly(
            "--occurrence",
            "2026-02-02",
            "--all",
            "--metric",
            "new-leads=4",
            "--by",
            KATARZYNA,
            "--amend",
        )
    )
    assert git(team.root, "log", "-1", "--format=%s").startswith("Amend ")
    assert "amended" in team.history(WEEKLY, "warsaw")["2026-02-02"]
    audit = team.ok("audit")
    assert (
        "logs/weekly-pipeline/warsaw/2026-02-02.yml: amended by Katarzyna Wiśniewska" in audit.out
    )
    assert "(1 amended on purpose)" in audit.out
    team.agree()

    # From mid-February the review moves to Thursdays, and moves off public holidays.
    team.at("2026-02-11T12:00").edit(
        f"checklists/{WEEKLY}.yml",
        "cadence: every monday at 09:00",
        "cadence: every thursday at 09:00\non_holiday: next",
        "Weekly pipeline review moves to Thursdays",
    )
    team.at("2026-02-12T10:00").ok(*weekly("--all", "--metric", "new-leads=5"))
    team.at("2026-02-13T12:00").agree()
    lines = team.history(WEEKLY, "warsaw")
    assert "done" in lines["2026-01-05"] and "late" in lines["2026-01-19"]
    assert "MISSED" in lines["2026-02-09"]  # the last Monday, before the change
    assert "done" in lines["2026-02-12"]
    assert "2026-02-16" not in lines

    # An item is dropped; older records stay valid against the version they were made with.
    team.at("2026-02-20T12:00").edit(
        f"checklists/{WEEKLY}.yml",
        "      - id: stale-deals\n        text: Deals without activity for two weeks are closed or revived\n",
        "",
        "Drop the stale-deals item",
    )
    team.at("2026-02-26T09:30").ok(*weekly("--all", "--metric", "new-leads=6"))
    team.agree()

    # June 4 is Corpus Christi in Poland: that Thursday's review is due on Friday.
    status = team.at("2026-06-04T12:00").status(where="roles")
    assert status[(WEEKLY, "warsaw")]["next_due"] == "2026-06-05T09:00:00+02:00"

    # The site, built that day, tells the same story.
    team.ok("build", "--site-dir", "../site", where="docs")
    page = (team.root / "site" / "checklists" / WEEKLY / "index.html").read_text()
    assert "every Monday at 09:00 (until 11 Feb 2026)" in page
    assert "Fri 05 Jun 2026" in page  # Corpus Christi moved it, as status says
    index = json.loads((team.root / "site" / "search" / "search_index.json").read_text())
    assert "first half" not in json.dumps(index)  # no record text in search


def test_a_new_hire_a_removed_team_and_a_retired_checklist(team: Team) -> None:
    team.at("2026-01-05T10:00").ok(
        "check", WEEKLY, "--team", "hanoi", "--all", "--metric", "new-leads=2"
    )
    team.at("2026-03-27T15:00").ok("check", QUARTERLY, "--team", "warsaw", "--all")

    # A new SDR joins the Warsaw pod and works through the onboarding plan.
    team.at("2026-02-27T12:00").edit(
        "playbook.yml", "\n  - id: hanoi\n", "\n" + NEW_HIRE + "  - id: hanoi\n", "Welcome Ola"
    )
    assert ("onboarding-sdr", "ola") in team.at("2026-03-03T12:00").status()
    team.at("2026-03-04T16:00").ok("check", "onboarding-sdr", "--person", "ola", "--all")
    team.agree("onboarding-sdr", "ola")

    # The Hanoi pod closes: its record is history, and audit says where it points.
    text = (team.root / "playbook.yml").read_text()
    team.at("2026-04-01T12:00").edit(
        "playbook.yml", text[text.index("  - id: hanoi") :], "", "Close the Hanoi pod"
    )
    assert not any(unit == "hanoi" for _, unit in team.status())
    audit = team.run("audit")
    assert audit.code == 1
    assert "'hanoi', which playbook.yml no longer has" in audit.err

    # The quarterly review is retired at the end of May: its history stays, nothing is due.
    team.at("2026-05-15T12:00").edit(
        f"checklists/{QUARTERLY}.yml", "cadence:", "until: 2026-05-31\ncadence:", "Retire it"
    )
    row = team.at("2026-07-01T12:00").status()[(QUARTERLY, "warsaw")]
    assert row["next_due"] is None
    assert row["last_done"]["occurrence"] == "2026-03-27"  # type: ignore[index]
    built = team.ok("build", where="docs")
    assert "Built" in built.out
