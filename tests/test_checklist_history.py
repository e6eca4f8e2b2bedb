"""A checklist's history keeps the meaning it had: cadence changes, retirement, stray records.

The repository is real and its commits carry the dates they would have had, so
that the engine reads from git when each cadence was in force.
"""

# Fixtures imported from gitfixtures are parameters of the tests: that is not a redefinition.
# ruff: noqa: F811

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from playbook.load import load_playbook
from playbook.recording import CheckRequest, record_completion
from playbook.records import load_records
from playbook.status import State, Summary, collect, units, upcoming

from .gitfixtures import WARSAW, WEEKLY, at, git, git_env, init_repo, write_playbook  # noqa: F401

CHECKLIST = f"checklists/{WEEKLY}.yml"


def commit_all(root: Path, message: str, when: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_COMMITTER_DATE", when.isoformat())
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, "--date", when.isoformat())


def record_on(root: Path, occurrence: date, monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.combine(occurrence, datetime.min.time(), WARSAW) + timedelta(hours=10)
    monkeypatch.setenv("GIT_COMMITTER_DATE", now.isoformat())
    monkeypatch.setenv("GIT_AUTHOR_DATE", now.isoformat())
    request = CheckRequest(
        WEEKLY, team="warsaw", occurrence=occurrence, all_items=True, metrics={"new-leads": "5"}
    )
    record_completion(root, request, now=now)


def warsaw(root: Path, as_of: datetime) -> Summary:
    playbook = load_playbook(root)
    [summary] = collect(
        playbook, load_records(root).index(), as_of, team="warsaw", checklist_id=WEEKLY
    )
    return summary


def by_key(summary: Summary) -> dict[date, State]:
    return {h.occurrence.key: h.state for h in summary.history}


@pytest.fixture
def mondays(tmp_path: Path, git_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A weekly Monday review tracked since October, recorded on three Mondays of November."""
    root = write_playbook(tmp_path / "playbook")
    init_repo(root)
    commit_all(root, "Playbook", at("2026-09-30", "12:00"), monkeypatch)
    for day in (2, 9, 16):
        record_on(root, date(2026, 11, day), monkeypatch)
    return root


def move_to_thursdays(root: Path, when: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    path = root / CHECKLIST
    path.write_text(path.read_text().replace("every monday at 09:00", "every thursday at 09:00"))
    commit_all(root, "Weekly review moves to Thursdays", when, monkeypatch)


def test_a_cadence_change_keeps_the_records_made_before_it(
    mondays: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    move_to_thursdays(mondays, at("2026-11-18", "12:00"), monkeypatch)

    summary = warsaw(mondays, at("2026-11-27", "12:00"))

    states = by_key(summary)
    assert states[date(2026, 11, 16)] is State.DONE
    assert states[date(2026, 11, 9)] is State.DONE
    assert states[date(2026, 11, 19)] is State.MISSED  # the first Thursday, unrecorded
    assert states[date(2026, 11, 26)] is State.DUE
    assert date(2026, 11, 23) not in states  # no Monday after the change
    assert summary.last_done is not None
    assert summary.last_done.occurrence.key == date(2026, 11, 16)


def test_mondays_before_the_change_that_nobody_recorded_are_missed(
    mondays: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    move_to_thursdays(mondays, at("2026-11-18", "12:00"), monkeypatch)

    states = by_key(warsaw(mondays, at("2026-11-27", "12:00")))

    assert states[date(2026, 10, 26)] is State.MISSED
    assert not any(day.weekday() == 0 and day > date(2026, 11, 18) for day in states)


@pytest.mark.parametrize("history", ["read once", "kept since the last load"])
def test_a_cadence_changed_and_changed_back_keeps_the_thursdays_between(
    mondays: Path, monkeypatch: pytest.MonkeyPatch, history: str
) -> None:
    # The file ends as it began: its first and last versions are the same blob.
    move_to_thursdays(mondays, at("2026-11-18", "12:00"), monkeypatch)
    load_playbook(mondays)
    path = mondays / CHECKLIST
    path.write_text(path.read_text().replace("every thursday at 09:00", "every monday at 09:00"))
    commit_all(mondays, "Back to Mondays", at("2026-11-25", "12:00"), monkeypatch)
    if history == "read once":
        (mondays / ".git" / "playbook" / "cadences.json").unlink()

    states = by_key(warsaw(mondays, at("2026-12-01", "12:00")))

    assert states[date(2026, 11, 16)] is State.DONE
    assert states[date(2026, 11, 19)] is State.MISSED  # the Thursday in between
    assert date(2026, 11, 23) not in states  # a Monday while the review was on Thursdays
    assert states[date(2026, 11, 30)] is State.DUE


def test_an_uncommitted_cadence_change_is_previewed_from_now(mondays: Path) -> None:
    path = mondays / CHECKLIST
    path.write_text(path.read_text().replace("every monday at 09:00", "every thursday at 09:00"))

    states = by_key(warsaw(mondays, at("2026-11-20", "12:00")))

    assert states[date(2026, 11, 16)] is State.DONE  # before now: still the Monday cadence


def test_a_retired_checklist_keeps_its_history_and_schedules_nothing_after(
    mondays: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = mondays / CHECKLIST
    path.write_text(path.read_text().replace("cadence:", "until: 2026-11-20\ncadence:"))
    commit_all(mondays, "Retire the weekly review", at("2026-11-20", "12:00"), monkeypatch)
    playbook = load_playbook(mondays)
    checklist = playbook.checklists[WEEKLY]

    summary = warsaw(mondays, at("2026-12-20", "12:00"))

    assert by_key(summary)[date(2026, 11, 16)] is State.DONE
    assert max(by_key(summary)) == date(2026, 11, 16)
    assert summary.next_due is None
    assert not summary.open
    assert upcoming(checklist, units(playbook, checklist)[0], at("2026-11-21")) == []


def test_a_past_until_in_the_rule_breaks_nothing(
    mondays: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = mondays / CHECKLIST
    path.write_text(
        path.read_text().replace(
            "every monday at 09:00", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;UNTIL=20261120"
        )
    )
    commit_all(mondays, "End the weekly review", at("2026-11-20", "12:00"), monkeypatch)

    summary = warsaw(mondays, at("2026-12-20", "12:00"))

    assert summary.last_done is not None
    assert summary.next_due is None


def test_a_record_no_cadence_schedules_is_still_shown(mondays: Path) -> None:
    # A record typed by hand for a Tuesday: it is shown (and audit reports it), never dropped.
    source = mondays / "logs" / WEEKLY / "warsaw" / "2026-11-16.yml"
    stray = source.read_text().replace("2026-11-16", "2026-11-17")
    (source.parent / "2026-11-17.yml").write_text(stray)

    summary = warsaw(mondays, at("2026-11-27", "12:00"))

    [extra] = [h for h in summary.history if h.occurrence.key == date(2026, 11, 17)]
    assert extra.occurrence.off_schedule
    assert extra.state is State.DONE
