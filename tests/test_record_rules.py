"""What recording an occurrence that already has a record does, and which occurrence is picked.

Each test is one of issue 7's findings, written as the behaviour that must hold.
"""

# Fixtures imported from gitfixtures are parameters of the tests: that is not a redefinition.
# ruff: noqa: F811

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from playbook.errors import PlaybookError
from playbook.recording import CheckRequest
from playbook.records import git_blob_id

from .gitfixtures import (  # noqa: F401
    WEEKLY,
    at,
    git,
    git_env,
    init_repo,
    repo,
    repo_state,
    write_playbook,
)
from .test_records import LAST_MONDAY, NOW, record, weekly

PATH = "logs/weekly-pipeline/warsaw/2026-11-16.yml"
KATARZYNA = "Katarzyna Wiśniewska <katarzyna@example.com>"


# --- a complete record is never replaced without --amend --------------------------------


def test_recording_a_done_occurrence_again_is_refused_naming_who_and_when(repo: Path) -> None:
    record(repo, weekly())
    state = repo_state(repo)

    with pytest.raises(PlaybookError) as caught:
        record(repo, weekly(by=KATARZYNA, metrics={"new-leads": "99"}))

    [problem] = caught.value.problems
    assert "already recorded: done by Anna Kowalska on Mon 23 Nov 2026 10:00" in problem.message
    assert str(problem.location) == PATH
    assert "--amend" in problem.hint
    assert repo_state(repo) == state


def test_an_amendment_replaces_the_record_in_a_commit_of_its_own(repo: Path) -> None:
    first = record(repo, weekly())
    before = (repo / PATH).read_bytes()

    amended = record(repo, weekly(by=KATARZYNA, metrics={"new-leads": "13"}, amend=True))

    saved = amended.prepared.record
    assert saved.amends == git_blob_id(before)
    assert saved.metrics["new-leads"] == 13
    assert git(repo, "rev-parse", "HEAD^") == first.commit
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("Amend weekly pipeline review 2026-11-16")
    assert "Replaces the record done by Anna Kowalska" in message
    assert f"Amends: {saved.amends}" in message


def test_amend_without_a_record_to_amend_is_refused(repo: Path) -> None:
    state = repo_state(repo)

    with pytest.raises(PlaybookError, match="has no record to amend"):
        record(repo, weekly(amend=True))
    assert repo_state(repo) == state


def test_an_amendment_keeps_what_it_does_not_change(repo: Path) -> None:
    record(repo, weekly(note="Quiet week", metrics={"new-leads": "12", "win-rate": "40%"}))

    amended = record(repo, weekly(all_items=False, metrics={"new-leads": "14"}, amend=True))

    saved = amended.prepared.record
    assert saved.metrics == {"new-leads": 14, "win-rate": 40}
    assert saved.note == "Quiet week"
    assert saved.complete


def test_a_record_made_meanwhile_by_someone_else_is_not_overwritten(repo: Path) -> None:
    # Two managers open the same occurrence; the second commit must not replace the first.
    from playbook import gitrepo
    from playbook.load import load_playbook
    from playbook.recording import commit_message, prepare_record

    playbook = load_playbook(repo)
    late = prepare_record(playbook, weekly(by=KATARZYNA), NOW, KATARZYNA)
    record(repo, weekly())
    state = repo_state(repo)

    with pytest.raises(PlaybookError, match="someone else recorded this occurrence"):
        gitrepo.commit_file(
            gitrepo.open_repository(repo),
            PATH,
            late.record.to_yaml().encode(),
            commit_message(late),
            KATARZYNA,
            late.previous_blob,
        )
    assert repo_state(repo) == state


# --- finishing a partial starts from the partial ----------------------------------------


def test_finishing_a_partial_keeps_its_items_skips_metrics_and_note(repo: Path) -> None:
    record(
        repo,
        weekly(
            all_items=False,
            done=["next-steps"],
            skipped={"forecast-notes": "no forecast this week"},
            metrics={"new-leads": "12", "pipeline-value": "EUR 1000"},
            note="first half",
            partial=True,
        ),
    )

    finished = record(repo, weekly(all_items=False, done=["stale-deals"], metrics={}))

    saved = finished.prepared.record
    assert saved.complete
    assert {i.id: (i.done, i.reason) for i in saved.items} == {
        "next-steps": (True, ""),
        "stale-deals": (True, ""),
        "forecast-notes": (False, "no forecast this week"),
    }
    assert saved.metrics == {"new-leads": 12, "pipeline-value": "1000.00"}
    assert saved.note == "first half"
    assert not saved.amends  # finishing is not replacing


def test_finishing_a_partial_with_all_keeps_its_skips(repo: Path) -> None:
    record(
        repo,
        weekly(all_items=False, skipped={"stale-deals": "CRM down"}, metrics={}, partial=True),
    )

    finished = record(repo, weekly(all_items=True, metrics={"new-leads": "3"}))

    states = {i.id: i.done for i in finished.prepared.record.items}
    assert states == {"next-steps": True, "stale-deals": False, "forecast-notes": True}


def test_finishing_a_partial_says_whose_partial_it_was(repo: Path) -> None:
    record(repo, weekly(all_items=False, done=["next-steps"], metrics={}, partial=True))

    finished = record(repo, weekly(occurrence=None, by=KATARZYNA), now=at("2026-11-20", "12:00"))

    assert "finishing the partial record of Mon 16 Nov 2026" in finished.prepared.picked
    assert "partial by Anna Kowalska" in finished.prepared.picked


# --- records name a version git has -----------------------------------------------------


def test_recording_against_an_uncommitted_checklist_edit_is_refused(repo: Path) -> None:
    checklist = repo / "checklists" / f"{WEEKLY}.yml"
    checklist.write_text(
        checklist.read_text().replace("Write a note on the forecast", "Write two notes")
    )
    state = repo_state(repo)

    with pytest.raises(PlaybookError) as caught:
        record(repo, weekly())

    [problem] = caught.value.problems
    assert "has changes that are not committed" in problem.message
    assert str(problem.location) == f"checklists/{WEEKLY}.yml"
    assert f"git checkout -- checklists/{WEEKLY}.yml" in problem.hint
    assert repo_state(repo) == state


def test_a_record_names_the_version_head_has(repo: Path) -> None:
    outcome = record(repo, weekly())

    head_blob = git(repo, "rev-parse", f"HEAD:checklists/{WEEKLY}.yml")
    assert outcome.prepared.record.checklist_version == head_blob


# --- which occurrence is picked without --occurrence ------------------------------------


ANNUAL = """\
title: Annual planning
purpose: Plan the year.
owners: [sales-manager]
cadence: second monday of december at 09:00
scope: playbook
late_after: 1w
sections:
  - title: Plan
    items:
      - id: revenue-plan
        text: Agree the revenue plan
"""


@pytest.fixture
def annual_repo(tmp_path: Path, git_env: Path) -> Path:
    root = write_playbook(tmp_path / "annual", {"checklists/annual-planning.yml": ANNUAL})
    init_repo(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Playbook")
    return root


def test_a_yearly_review_recorded_days_early_is_this_years(annual_repo: Path) -> None:
    # Issue 7.6: on 1 December the meeting of Mon 14 Dec 2026 is meant, not December 2025's.
    request = CheckRequest("annual-planning", all_items=True)

    outcome = record(annual_repo, request, now=at("2026-12-01", "15:00"))

    assert outcome.prepared.record.occurrence == date(2026, 12, 14)
    assert "in 13 days (recorded early)" in outcome.prepared.picked


def test_no_occurrence_before_tracking_since_is_picked(annual_repo: Path) -> None:
    # tracking_since is 2026-10-01: December 2025 is never offered, even in March 2026's view.
    request = CheckRequest("annual-planning", all_items=True)

    with pytest.raises(PlaybookError, match="nothing of annual-planning is due yet"):
        record(annual_repo, request, now=at("2026-10-05", "15:00"))


def test_a_weekly_review_on_a_saturday_is_the_past_mondays(repo: Path) -> None:
    outcome = record(repo, weekly(occurrence=None), now=at("2026-11-21", "18:00"))

    assert outcome.prepared.record.occurrence == LAST_MONDAY
    assert "due now" in outcome.prepared.picked


def test_amend_without_an_occurrence_amends_the_latest_record(repo: Path) -> None:
    record(repo, weekly(occurrence=None))

    amended = record(repo, weekly(occurrence=None, metrics={"new-leads": "15"}, amend=True))

    assert amended.prepared.record.occurrence == date(2026, 11, 23)
    assert amended.prepared.picked.startswith("amending the record of Mon 23 Nov 2026")
