"""`audit`: a clean history made by `playbook check` has no findings; each kind of tampering has one.

Real git repositories in tmp_path with a fixed identity; HOME points at an
empty folder so that nobody's global git configuration takes part.
"""

# Fixtures imported from gitfixtures are parameters of the tests: that is not a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import os
import re
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from playbook.audit import audit, audit_report
from playbook.errors import PlaybookError, Problem
from playbook.recording import CheckRequest, record_completion

from .gitfixtures import git_env, init_repo  # noqa: F401
from .samples import MONDAY_KICKOFF, SALES_MANAGER, settings, warsaw_pod, write_files

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY = date(2026, 3, 2)  # occurrences of the kick-off: 2, 9, 16, 23 March ...
KICKOFF = "monday-kickoff"
RECORD = f"logs/{KICKOFF}/warsaw/{MONDAY}.yml"

FILES = {
    "playbook.yml": settings("Audit Test Playbook", "timezone: Europe/Warsaw")
    + "teams:\n"
    + warsaw_pod(),
    "roles/sales-manager.yml": SALES_MANAGER,
    # The kick-off with a second item, which the tests rename and replace.
    f"checklists/{KICKOFF}.yml": MONDAY_KICKOFF
    + "      - id: forecast\n        text: The forecast is up to date\n",
    "docs/index.md": "# Audit Test Playbook\n",
}


def git(root: Path, *args: str, when: datetime | None = None, author: str | None = None) -> str:
    """Run git in `root`, optionally dated and authored, and return its output."""
    env = dict(os.environ)
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
    if author is not None:
        name, email = author.rstrip(">").split(" <")
        env |= {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def commit_by_hand(root: Path, relative: str, message: str, when: datetime) -> None:
    """Commit the file `relative` by hand, on its own, at `when`."""
    git(root, "add", relative)
    git(root, "commit", "-q", "-m", message, when=when)


@pytest.fixture
def repo(tmp_path: Path, git_env: Path) -> Path:
    """A committed playbook in a fresh repository with a fixed identity."""
    root = init_repo(write_files(tmp_path / "repo", FILES))
    git(root, "add", "--all")
    git(root, "commit", "-q", "-m", "The playbook", when=datetime(2026, 2, 1, 12, tzinfo=WARSAW))
    return root


def record(
    root: Path,
    monkeypatch: pytest.MonkeyPatch,
    occurrence: date = MONDAY,
    late: timedelta = timedelta(minutes=30),
    commit: bool = True,
    **request: object,
) -> Path:
    """Record an occurrence of the kick-off through the real recording code, committed as then."""
    now = datetime.combine(occurrence, datetime.min.time(), WARSAW) + timedelta(hours=9) + late
    stamp = (now + timedelta(minutes=1)).isoformat()
    monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)
    monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)
    try:
        request.setdefault("all_items", True)
        outcome = record_completion(
            root,
            CheckRequest(KICKOFF, team="warsaw", occurrence=occurrence, **request),  # type: ignore[arg-type]
            now=now,
            commit=commit,
        )
    finally:
        monkeypatch.delenv("GIT_AUTHOR_DATE")
        monkeypatch.delenv("GIT_COMMITTER_DATE")
    return outcome.path


@pytest.fixture
def history(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three weeks recorded by `playbook check`, the last one partial and then finished."""
    record(repo, monkeypatch, MONDAY)
    record(repo, monkeypatch, MONDAY + timedelta(days=7), late=timedelta(hours=3))
    third = MONDAY + timedelta(days=14)
    record(repo, monkeypatch, third, done=["next-steps"], partial=True)
    record(repo, monkeypatch, third, late=timedelta(hours=5))
    return repo


def only(findings: list[Problem]) -> Problem:
    assert len(findings) == 1, [f.render() for f in findings]
    return findings[0]


def only_finding(root: Path, relative: str) -> Problem:
    """The one finding of auditing `root`, which must be about the file `relative`."""
    finding = only(audit(root))
    assert finding.location.file == relative
    return finding


def finding_starting(root: Path, relative: str, start: str) -> Problem:
    """The finding about `relative` whose message starts with `start`."""
    [finding] = [
        f for f in audit(root) if f.location.file == relative and f.message.startswith(start)
    ]
    return finding


def test_a_history_made_by_playbook_check_has_no_findings(history: Path) -> None:
    assert len(git(history, "log", "--oneline").splitlines()) == 5
    assert audit(history) == []


def test_a_record_added_together_with_another_file(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fourth = MONDAY + timedelta(days=21)
    path = record(history, monkeypatch, fourth, commit=False)
    (history / "README.md").write_text("# Notes\n")
    git(history, "add", str(path), "README.md")
    git(
        history,
        "commit",
        "-q",
        "-m",
        "Record and notes",
        when=datetime(2026, 3, 23, 12, tzinfo=WARSAW),
    )
    sha = git(history, "rev-parse", "--short", "HEAD")
    finding = only_finding(history, f"logs/{KICKOFF}/warsaw/{fourth}.yml")
    assert finding.message == (
        f"added by Anna Kowalska on 2026-03-23 12:00 +0100 in {sha} "
        "together with files outside logs/: README.md"
    )
    assert "commit of its own" in finding.hint


def test_a_manual_edit_is_listed_with_who_and_when(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = history / RECORD
    path.write_text(path.read_text().replace("status: done", "status: done\nnote: fixed later"))
    git(
        history,
        "commit",
        "-q",
        "-am",
        "Tidy the record",
        when=datetime(2026, 4, 1, 18, 30, tzinfo=WARSAW),
        author="Mallory Meddler <mallory@example.com>",
    )
    sha = git(history, "rev-parse", "--short", "HEAD")
    finding = only_finding(history, RECORD)
    assert finding.message == (
        f"changed after it was recorded by Mallory Meddler on 2026-04-01 18:30 +0200 in {sha}"
    )
    assert f"git show {sha}" in finding.hint


def test_recording_again_is_not_a_change_but_a_deletion_is(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(history, monkeypatch, MONDAY, late=timedelta(days=1), note="Done again", amend=True)
    assert audit(history) == []
    git(history, "rm", "-q", RECORD)
    git(history, "commit", "-q", "-m", "Drop it", when=datetime(2026, 4, 2, 9, tzinfo=WARSAW))
    finding = only_finding(history, RECORD)
    assert finding.message.startswith(
        "deleted after it was recorded, by Anna Kowalska on 2026-04-02"
    )


def test_a_record_completed_after_its_commit(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = record(repo, monkeypatch, MONDAY, late=timedelta(hours=2), commit=False)
    assert "completed_at: '2026-03-02T11:00:00+01:00'" in path.read_text()
    # Committed at 09:00, two hours before it says it was completed.
    commit_by_hand(repo, RECORD, "Backdated", datetime(2026, 3, 2, 9, tzinfo=WARSAW))
    sha = git(repo, "rev-parse", "--short", "HEAD")
    finding = only_finding(repo, RECORD)
    assert finding.message == (
        "says it was completed at 2026-03-02 11:00 +0100, 2 hours after it was "
        f"committed in {sha} (2026-03-02 09:00 +0100)"
    )


def test_a_few_minutes_of_clock_skew_are_forgiven(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(repo, monkeypatch, MONDAY, late=timedelta(hours=2), commit=False)
    commit_by_hand(repo, RECORD, "Skewed", datetime(2026, 3, 2, 10, 56, tzinfo=WARSAW))
    assert audit(repo) == []


def test_a_record_naming_an_unknown_item(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fourth = MONDAY + timedelta(days=21)
    path = record(history, monkeypatch, fourth, commit=False)
    path.write_text(path.read_text().replace("id: forecast", "id: ghost"))
    relative = path.relative_to(history).as_posix()
    commit_by_hand(history, relative, "Hand-made", datetime(2026, 3, 23, 12, tzinfo=WARSAW))
    finding = finding_starting(history, relative, "names item")
    assert finding.message == (
        f"names item 'ghost', which checklists/{KICKOFF}.yml as it is now does not have"
    )
    assert "forecast, next-steps" in finding.hint


def test_a_record_naming_an_unknown_checklist(history: Path) -> None:
    source = (history / RECORD).read_text().replace(f"checklist: {KICKOFF}", "checklist: ghost")
    relative = f"logs/ghost/warsaw/{MONDAY}.yml"
    write_files(history, {relative: source})
    commit_by_hand(history, relative, "Ghost", datetime(2026, 3, 23, 12, tzinfo=WARSAW))
    finding = only_finding(history, relative)
    assert finding.message == "names the checklist 'ghost', which the playbook does not have"


def test_items_are_checked_against_the_checklist_as_it_was(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renaming an item later keeps old records valid; an item it never had is still found."""
    checklist = history / "checklists" / f"{KICKOFF}.yml"
    checklist.write_text(checklist.read_text().replace("id: forecast", "id: forecast-call"))
    git(history, "commit", "-q", "-am", "Rename an item", when=datetime(2026, 3, 20, tzinfo=WARSAW))
    assert audit(history) == []
    fourth = MONDAY + timedelta(days=21)
    record(history, monkeypatch, fourth)  # made against the new version
    assert audit(history) == []
    old_version = (history / RECORD).read_text().split("checklist_version: ")[1][:40]
    path = record(history, monkeypatch, fourth + timedelta(days=7), commit=False)
    text = path.read_text().replace("id: next-steps", "id: invented")
    text = text.replace("id: forecast-call", "id: forecast")  # as the old version had it
    path.write_text(re.sub(r"checklist_version: \S+", f"checklist_version: {old_version}", text))
    relative = path.relative_to(history).as_posix()
    commit_by_hand(history, relative, "Hand-made", datetime(2026, 3, 30, 12, tzinfo=WARSAW))
    finding = finding_starting(history, relative, "names item")
    assert finding.message == (
        f"names item 'invented', which checklists/{KICKOFF}.yml at version "
        f"{old_version[:10]} does not have"
    )
    assert "forecast, next-steps" in finding.hint


def test_an_uncommitted_record(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fourth = MONDAY + timedelta(days=21)
    record(history, monkeypatch, fourth, commit=False)
    finding = only_finding(history, f"logs/{KICKOFF}/warsaw/{fourth}.yml")
    assert finding.message == "the record is not committed: git does not know this file"


def test_a_committed_record_changed_in_the_work_tree(history: Path) -> None:
    path = history / RECORD
    path.write_text(path.read_text().replace("by: Anna", "by: Someone else, not Anna"))
    finding = only_finding(history, RECORD)
    assert finding.message == "the record has changes that are not committed"


def test_a_record_that_does_not_parse(history: Path) -> None:
    relative = f"logs/{KICKOFF}/warsaw/2026-03-30.yml"
    write_files(history, {relative: "checklist: [unclosed\n"})
    commit_by_hand(history, relative, "Broken", datetime(2026, 3, 30, 12, tzinfo=WARSAW))
    finding = only_finding(history, relative)
    assert finding.message.startswith("the record cannot be read")


def test_findings_are_sorted_by_path(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record(history, monkeypatch, MONDAY + timedelta(days=28), commit=False)
    write_files(history, {f"logs/{KICKOFF}/warsaw/2026-03-01.yml": "not: a record\n"})
    files = [f.location.file for f in audit(history)]
    assert files == sorted(files)
    assert len(files) == 3


def test_since_leaves_out_what_was_accepted(history: Path) -> None:
    path = history / RECORD
    path.write_text(path.read_text() + "note: fixed by hand\n")
    git(history, "commit", "-q", "-am", "Tidy", when=datetime(2026, 4, 1, tzinfo=WARSAW))
    assert len(audit(history)) == 1
    assert audit(history, since="HEAD") == []
    assert len(audit(history, since="HEAD~1")) == 1
    with pytest.raises(PlaybookError, match="is not a commit"):
        audit(history, since="no-such-commit")


def test_a_playbook_in_a_subfolder_of_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo: Path
) -> None:
    outer = tmp_path / "outer"
    write_files(outer / "sales", FILES)
    write_files(outer, {"README.md": "# Company\n"})
    init_repo(outer)
    git(outer, "add", "--all")
    git(outer, "commit", "-q", "-m", "init", when=datetime(2026, 2, 1, tzinfo=WARSAW))
    root = outer / "sales"
    record(root, monkeypatch, MONDAY)
    assert (root / RECORD).is_file()
    assert audit(root) == []
    (root / RECORD).write_text((root / RECORD).read_text() + "note: edited\n")
    only_finding(root, RECORD)  # named as the playbook names it


def test_outside_a_repository_is_refused(tmp_path: Path) -> None:
    write_files(tmp_path / "loose", FILES)
    with pytest.raises(PlaybookError, match="not inside a git repository"):
        audit(tmp_path / "loose")


def test_an_empty_repository_has_nothing_to_audit(tmp_path: Path, repo: Path) -> None:
    empty = tmp_path / "empty"
    write_files(empty, FILES)
    git(empty, "init", "-q", "-b", "main")
    assert audit(empty) == []


def test_records_merged_from_a_branch_with_a_skewed_clock(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records made on two branches and merged are clean, whatever order the clocks suggest."""
    git(history, "checkout", "-q", "-b", "laptop")
    record(history, monkeypatch, MONDAY + timedelta(days=21))
    git(history, "checkout", "-q", "main")
    record(history, monkeypatch, MONDAY + timedelta(days=28))
    # The laptop's clock was a year behind when it recorded the first week again.
    git(history, "checkout", "-q", "laptop")
    path = record(history, monkeypatch, MONDAY, commit=False, note="Again", amend=True)
    git(history, "add", path.relative_to(history).as_posix())
    git(
        history,
        "commit",
        "-q",
        "-m",
        "Again\n\nChecklist: monday-kickoff",
        when=datetime(2025, 3, 2, 12, tzinfo=WARSAW),
    )
    git(history, "checkout", "-q", "main")
    git(
        history,
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge",
        "laptop",
        when=datetime(2026, 4, 1, tzinfo=WARSAW),
    )
    findings = audit(history)
    assert [f.message.split(",")[0] for f in findings] == [
        "says it was completed at 2026-03-02 09:30 +0100"
    ]


# --- orphans and incomplete "done" records (issue 7.10) ---------------------------------


def test_records_of_a_removed_team_are_found(history: Path) -> None:
    settings_file = history / "playbook.yml"
    settings_file.write_text(settings_file.read_text().replace("id: warsaw", "id: krakow"))
    git(history, "commit", "-q", "-am", "Rename the pod", when=datetime(2026, 3, 25, tzinfo=WARSAW))

    findings = [f for f in audit(history) if "no longer has" in f.message]

    assert len(findings) == 3  # the three recorded Mondays
    finding = findings[0]
    assert finding.message == "is recorded for the team 'warsaw', which playbook.yml no longer has"
    assert finding.location.line == 3  # the `team:` line of the record
    assert "move logs/monday-kickoff/warsaw/" in finding.hint


def test_records_of_a_renamed_checklist_point_to_the_new_name(history: Path) -> None:
    git(history, "mv", f"checklists/{KICKOFF}.yml", "checklists/weekly-kickoff.yml")
    git(history, "commit", "-q", "-m", "Rename", when=datetime(2026, 3, 25, tzinfo=WARSAW))

    finding = finding_starting(history, RECORD, "names the checklist")

    assert f"checklists/{KICKOFF}.yml was renamed to checklists/weekly-kickoff.yml" in finding.hint
    assert f"git mv logs/{KICKOFF} logs/weekly-kickoff" in finding.hint


def test_a_done_record_without_its_required_items_and_metrics_is_found(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checklist = history / "checklists" / f"{KICKOFF}.yml"
    checklist.write_text(
        checklist.read_text()
        + "metrics:\n  - id: leads\n    label: Leads\n    type: integer\n    required: true\n"
    )
    git(history, "commit", "-q", "-am", "Count leads", when=datetime(2026, 3, 20, tzinfo=WARSAW))
    fourth = MONDAY + timedelta(days=21)
    path = record(history, monkeypatch, fourth, commit=False, metrics={"leads": "4"})
    text = path.read_text()
    text = text.replace("- id: forecast\n  text: The forecast is up to date\n  state: done\n", "")
    path.write_text(text.replace("metrics:\n  leads: 4\n", ""))
    relative = path.relative_to(history).as_posix()
    commit_by_hand(history, relative, "Hand-made", datetime(2026, 3, 23, 12, tzinfo=WARSAW))

    finding = only_finding(history, relative)

    assert finding.message.startswith("is marked done but lacks what")
    assert finding.message.endswith("requires: item 'forecast', metric 'leads'")
    assert finding.location.line == 8  # the `status:` line
    assert f"--amend --occurrence {fourth}" in finding.hint


def test_an_amendment_is_not_a_finding_but_is_listed(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(history, monkeypatch, MONDAY, late=timedelta(hours=2), note="Corrected", amend=True)

    report = audit_report(history)

    assert report.findings == []
    [amendment] = report.amendments
    assert amendment.path == RECORD
    assert amendment.describe().startswith(f"{RECORD}: amended by Anna Kowalska on 2026-03-02")
