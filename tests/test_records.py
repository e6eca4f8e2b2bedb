"""The record engine: one validated record, written atomically, committed as its own commit."""

# Fixtures imported from gitfixtures are parameters of the tests: that is not a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from playbook import records as records_module
from playbook.errors import PlaybookError
from playbook.load import load_playbook
from playbook.metrics import format_value, parse_metric, to_record
from playbook.model import Metric
from playbook.recording import CheckRequest, Outcome, record_completion
from playbook.records import CACHE_FILE, ItemState, Record, load_records, parse_record

from .gitfixtures import (  # noqa: F401
    HANOI,
    IDENTITY,
    ONBOARDING,
    QUARTERLY,
    WARSAW,
    WEEKLY,
    at,
    commit_count,
    git,
    git_env,
    head,
    init_repo,
    playbook_dir,
    record_files,
    repo,
    repo_state,
    write_playbook,
)

# Monday 23 November 2026, an hour after the weekly review was due in Warsaw.
NOW = at("2026-11-23", "10:00")
LAST_MONDAY = date(2026, 11, 16)
WEEKLY_PATH = "logs/weekly-pipeline/warsaw/2026-11-16.yml"


def weekly(**changes: object) -> CheckRequest:
    """A complete, valid request for last Monday's weekly review in Warsaw."""
    request = CheckRequest(
        checklist=WEEKLY,
        team="warsaw",
        occurrence=LAST_MONDAY,
        all_items=True,
        metrics={"new-leads": "12"},
    )
    return dataclasses.replace(request, **changes)  # type: ignore[arg-type]


def record(root: Path, request: CheckRequest, now: datetime = NOW) -> Outcome:
    return record_completion(root, request, now=now)


# --- one record, one commit ------------------------------------------------------------


def test_a_record_is_one_commit_holding_only_its_own_file(repo: Path) -> None:
    before = head(repo)

    outcome = record(repo, weekly())

    assert outcome.commit == head(repo)
    assert git(repo, "rev-parse", "HEAD^") == before
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == [WEEKLY_PATH]
    assert git(repo, "show", "--name-status", "--format=", "HEAD") == f"A\t{WEEKLY_PATH}"


def test_the_commit_message_has_a_readable_subject_and_trailers(repo: Path) -> None:
    record(repo, weekly())

    subject = git(repo, "log", "-1", "--format=%s")
    for part in ("Weekly pipeline review", "2026-11-16", "Warsaw pod", "done", "Anna Kowalska"):
        assert part in subject
    trailers = git(repo, "log", "-1", "--format=%(trailers:only,unfold)").splitlines()
    assert "Checklist: weekly-pipeline" in trailers
    assert "Occurrence: 2026-11-16" in trailers
    assert "Team: warsaw" in trailers
    parsed = git(repo, "interpret-trailers", "--parse", input=git(repo, "log", "-1", "--format=%B"))
    assert "Checklist: weekly-pipeline" in parsed.splitlines()


def test_the_commit_author_is_the_git_identity(repo: Path) -> None:
    outcome = record(repo, weekly())

    assert git(repo, "log", "-1", "--format=%an <%ae>") == IDENTITY
    assert outcome.prepared.record.by == IDENTITY


def test_the_committed_file_parses_back_to_the_same_record(repo: Path) -> None:
    outcome = record(
        repo,
        weekly(
            metrics={
                "new-leads": "12",
                "pipeline-value": "EUR 12500.50",
                "win-rate": "85%",
                "blockers": "no",
            },
            note="16:00 call moved: yes # really",
        ),
    )

    committed = git(repo, "show", f"HEAD:{WEEKLY_PATH}") + "\n"
    assert committed == (repo / WEEKLY_PATH).read_text(encoding="utf-8")
    parsed = parse_record(committed)
    assert parsed == outcome.prepared.record
    assert parsed.metrics == {
        "new-leads": 12,
        "pipeline-value": "12500.50",  # money stays exact: a string, never a float
        "win-rate": 85,
        "blockers": "no",
    }
    assert parsed.note == "16:00 call moved: yes # really"
    assert parsed.path == WEEKLY_PATH


def test_record_yaml_round_trips_awkward_text() -> None:
    tz = WARSAW
    original = Record(
        checklist=WEEKLY,
        unit="warsaw",
        occurrence=LAST_MONDAY,
        due=datetime(2026, 11, 16, 9, 0, tzinfo=tz),
        completed_at=datetime(2026, 11, 16, 12, 59, 59, tzinfo=tz),
        by="Łukasz Żółw <l@example.com>",
        complete=False,
        items=(
            ItemState("next-steps", "Every deal: a next step", True),
            ItemState("stale-deals", "no", False, "null"),
        ),
        metrics={"new-leads": 0, "blockers": "16:00", "code": "0123", "yes": "off"},
        note="line one\nline two: with colon\n- and a dash",
        checklist_version="0" * 40,
    )

    assert parse_record(original.to_yaml()) == original


def test_a_hanoi_record_is_kept_in_hanoi_time(repo: Path) -> None:
    outcome = record(repo, weekly(team="hanoi"))

    saved = parse_record((repo / "logs/weekly-pipeline/hanoi/2026-11-16.yml").read_text())
    assert saved.due == datetime(2026, 11, 16, 9, 0, tzinfo=HANOI)
    assert saved.due.utcoffset() == timedelta(hours=7)
    assert saved.completed_at == NOW
    assert saved.completed_at.utcoffset() == timedelta(hours=7)
    assert outcome.prepared.record.unit == "hanoi"


# --- the user's own work is left alone -------------------------------------------------


def _user_work(root: Path) -> None:
    """Staged, partly-staged, unstaged and untracked changes, as a user might have them."""
    (root / "notes.txt").write_text("staged line\n")
    git(root, "add", "notes.txt")
    (root / "notes.txt").write_text("staged line\nunstaged line on top\n")
    (root / "drafts").mkdir()
    (root / "drafts/new-page.md").write_text("# Draft\n")
    git(root, "add", "drafts/new-page.md")
    (root / "docs/index.md").write_text("# Edited but not staged\n")
    (root / "scratch.txt").write_text("untracked\n")


def test_staged_and_unstaged_changes_stay_exactly_as_they_were(repo: Path) -> None:
    _user_work(repo)
    staged = git(repo, "diff", "--cached")
    unstaged = git(repo, "diff")
    status = git(repo, "status", "--porcelain=v1", "--untracked-files=all")

    record(repo, weekly())

    assert git(repo, "diff", "--cached") == staged
    assert git(repo, "diff") == unstaged
    assert git(repo, "status", "--porcelain=v1", "--untracked-files=all") == status
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == [WEEKLY_PATH]
    assert (repo / "notes.txt").read_text() == "staged line\nunstaged line on top\n"


def test_git_status_does_not_show_the_record_afterwards(repo: Path) -> None:
    record(repo, weekly())

    assert git(repo, "status", "--porcelain=v1", "--untracked-files=all") == ""
    assert WEEKLY_PATH in git(repo, "ls-files", "--stage", "logs").replace("\t", " ")


def test_the_users_next_commit_keeps_the_record(repo: Path) -> None:
    _user_work(repo)
    outcome = record(repo, weekly())
    blob = git(repo, "rev-parse", f"HEAD:{WEEKLY_PATH}")

    git(repo, "commit", "--quiet", "-m", "User's own work")

    assert git(repo, "rev-parse", "HEAD^") == outcome.commit
    assert sorted(git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()) == [
        "drafts/new-page.md",
        "notes.txt",
    ]
    assert git(repo, "rev-parse", f"HEAD:{WEEKLY_PATH}") == blob
    assert git(repo, "show", "HEAD:notes.txt") == "staged line"


def test_git_commit_all_after_recording_does_not_delete_the_record(repo: Path) -> None:
    record(repo, weekly())
    (repo / "notes.txt").write_text("changed\n")

    git(repo, "commit", "--quiet", "--all", "-m", "Everything")

    assert git(repo, "ls-tree", "-r", "--name-only", "HEAD", "logs").splitlines() == [WEEKLY_PATH]


def _tree_git_would_write(root: Path, parent: str, path: str, blob: str) -> str:
    """The tree `git add PATH && git commit` would make on `parent`, through an index of its own."""
    index = root / ".git" / "test-index"
    env = {"GIT_INDEX_FILE": str(index)}
    for args in (
        ["read-tree", parent],
        ["update-index", "--add", "--cacheinfo", f"100644,{blob},{path}"],
    ):
        subprocess.run(["git", *args], cwd=root, env={**os.environ, **env}, check=True)
    written = subprocess.run(
        ["git", "write-tree"], cwd=root, env={**os.environ, **env}, check=True, capture_output=True
    )
    return written.stdout.decode().strip()


def test_the_record_commit_has_the_tree_git_itself_would_write(repo: Path) -> None:
    # Names that sort next to the logs folder in git's order ("logs/" sorts between them).
    for name in ("logs-notes.txt", "logs0.txt", "logs.md"):
        (repo / name).write_text("beside the logs\n")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "Files beside logs/")
    record(repo, weekly())  # creates logs/ and its folders
    parent = head(repo)

    record(repo, weekly(team="hanoi"))  # adds a folder beside an existing one

    blob = git(repo, "rev-parse", "HEAD:logs/weekly-pipeline/hanoi/2026-11-16.yml")
    expected = _tree_git_would_write(
        repo, parent, "logs/weekly-pipeline/hanoi/2026-11-16.yml", blob
    )
    assert git(repo, "rev-parse", "HEAD^{tree}") == expected
    assert git(repo, "fsck", "--strict", "--no-dangling") == ""


def test_a_file_can_be_the_first_commit_of_a_new_repository(
    playbook_dir: Path, git_env: Path
) -> None:
    from playbook import gitrepo

    init_repo(playbook_dir)

    commit = gitrepo.commit_file(
        gitrepo.find_repository(playbook_dir), WEEKLY_PATH, b"schema: 1\n", "First", None
    )

    assert commit == head(playbook_dir)
    assert commit_count(playbook_dir) == 1
    assert git(playbook_dir, "ls-tree", "-r", "--name-only", "HEAD").splitlines() == [WEEKLY_PATH]


# --- re-recording and versions ---------------------------------------------------------


def test_finishing_a_partial_record_is_a_new_commit_and_history_keeps_both(repo: Path) -> None:
    first = record(
        repo,
        weekly(all_items=False, done=["next-steps"], metrics={}, partial=True),
        now=at("2026-11-16", "10:00"),
    )
    assert first.prepared.record.complete is False
    assert "partial" in git(repo, "log", "-1", "--format=%s")

    second = record(repo, weekly(), now=at("2026-11-16", "11:30"))

    log = git(repo, "log", "--format=%H", "--", WEEKLY_PATH).splitlines()
    assert log == [second.commit, first.commit]
    assert git(repo, "rev-parse", f"{second.commit}^") == first.commit
    assert parse_record(git(repo, "show", f"{first.commit}:{WEEKLY_PATH}")).complete is False
    assert parse_record(git(repo, "show", f"{second.commit}:{WEEKLY_PATH}")).complete is True
    assert second.prepared.previous == first.prepared.record
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == [WEEKLY_PATH]


def test_a_partial_record_may_leave_required_items_and_metrics_open(repo: Path) -> None:
    outcome = record(repo, weekly(all_items=False, done=[], metrics={}, partial=True))

    saved = parse_record((repo / WEEKLY_PATH).read_text())
    assert saved.complete is False
    assert saved.items == ()
    assert outcome.commit == head(repo)
    assert "Status: partial" in git(repo, "log", "-1", "--format=%(trailers:only)")


def test_the_record_carries_the_blob_id_of_its_checklist(repo: Path) -> None:
    outcome = record(repo, weekly())

    version = outcome.prepared.record.checklist_version
    assert version == git(repo, "hash-object", "checklists/weekly-pipeline.yml")
    assert version == git(repo, "rev-parse", "HEAD:checklists/weekly-pipeline.yml")


def test_old_records_keep_the_checklist_version_they_were_made_against(repo: Path) -> None:
    old = record(repo, weekly())
    checklist = repo / "checklists/weekly-pipeline.yml"
    checklist.write_text(
        checklist.read_text().replace(
            "  - title: Forecast\n",
            "      - id: call-lost-deals\n        text: Call two lost deals\n"
            "        required: false\n  - title: Forecast\n",
        )
    )
    git(repo, "commit", "--quiet", "--all", "-m", "Add an item")

    new = record(repo, weekly(occurrence=date(2026, 11, 23)), now=at("2026-11-23", "10:00"))

    old_version = old.prepared.record.checklist_version
    assert new.prepared.record.checklist_version == git(repo, "hash-object", str(checklist))
    assert new.prepared.record.checklist_version != old_version
    assert "call-lost-deals" not in git(repo, "cat-file", "blob", old_version)
    saved = parse_record((repo / WEEKLY_PATH).read_text())
    assert saved.checklist_version == old_version
    assert [item.id for item in saved.items] == ["next-steps", "stale-deals", "forecast-notes"]
    loaded = load_records(repo)
    assert loaded.problems == []
    assert len(loaded.records) == 2


# --- choosing the occurrence -----------------------------------------------------------


def test_without_an_occurrence_the_one_due_now_is_picked(repo: Path) -> None:
    outcome = record(repo, weekly(occurrence=None))

    assert outcome.prepared.record.occurrence == date(2026, 11, 23)
    assert "due now" in outcome.prepared.picked
    assert "23 Nov 2026" in outcome.prepared.picked


def test_without_an_occurrence_on_a_sunday_last_mondays_is_picked(repo: Path) -> None:
    outcome = record(repo, weekly(occurrence=None), now=at("2026-11-22", "20:00"))

    assert outcome.prepared.record.occurrence == date(2026, 11, 16)


def test_recording_again_what_is_already_done_is_refused_with_a_hint(repo: Path) -> None:
    record(repo, weekly(occurrence=None))
    state = repo_state(repo)

    with pytest.raises(PlaybookError) as caught:
        record(repo, weekly(occurrence=None), now=NOW + timedelta(hours=1))

    [problem] = caught.value.problems
    assert (
        "Mon 23 Nov 2026 (due 09:00) is already recorded: done by Anna Kowalska" in problem.message
    )
    assert "--amend" in problem.hint
    assert "--occurrence" in problem.hint
    assert "Mon 30 Nov 2026" in problem.hint
    assert repo_state(repo) == state


def test_without_an_occurrence_a_partial_record_is_finished(repo: Path) -> None:
    record(repo, weekly(occurrence=None, all_items=False, metrics={}, partial=True))

    outcome = record(repo, weekly(occurrence=None), now=NOW + timedelta(hours=1))

    assert outcome.prepared.record.occurrence == date(2026, 11, 23)
    assert outcome.prepared.record.complete
    assert "partial" in outcome.prepared.picked


def test_a_holiday_moved_occurrence_is_filed_under_its_scheduled_date(repo: Path) -> None:
    # The last Friday of Q4 2026 is Christmas Day; in Poland the 24th is a holiday too
    # (from 2025 on), so with on_holiday: previous the review is held on Wednesday the 23rd.
    request = CheckRequest(QUARTERLY, team="warsaw", occurrence=date(2026, 12, 23), all_items=True)

    outcome = record(repo, request, now=at("2026-12-23", "15:00"))

    saved = outcome.prepared.record
    assert saved.occurrence == date(2026, 12, 25)
    assert saved.due == at("2026-12-23", "14:00")
    assert saved.path == "logs/quarterly-review/warsaw/2026-12-25.yml"
    assert (repo / saved.path).is_file()
    assert "Occurrence: 2026-12-25" in git(repo, "log", "-1", "--format=%(trailers:only)")


def test_a_holiday_moved_occurrence_can_be_named_by_its_scheduled_date(repo: Path) -> None:
    request = CheckRequest(QUARTERLY, team="warsaw", occurrence=date(2026, 12, 25), all_items=True)

    outcome = record(repo, request, now=at("2026-12-23", "15:00"))

    assert outcome.prepared.record.occurrence == date(2026, 12, 25)


def test_a_moved_occurrence_cannot_be_recorded_long_before_its_moved_day(repo: Path) -> None:
    request = CheckRequest(QUARTERLY, team="warsaw", occurrence=date(2026, 12, 25), all_items=True)
    state = repo_state(repo)

    with pytest.raises(PlaybookError, match="in the future"):
        record(repo, request, now=at("2026-12-10", "15:00"))
    assert repo_state(repo) == state


def test_a_quarterly_review_can_be_recorded_a_day_early(repo: Path) -> None:
    # Issue 7.6: within 5 % of the interval before it, an occurrence is open for recording.
    request = CheckRequest(QUARTERLY, team="warsaw", all_items=True)

    outcome = record(repo, request, now=at("2026-12-22", "15:00"))

    assert outcome.prepared.record.occurrence == date(2026, 12, 25)
    assert "recorded early" in outcome.prepared.picked
    assert "Wed 23 Dec 2026 (due 14:00), moved from Fri 25 Dec" in outcome.prepared.picked


def test_an_onboarding_plan_is_recorded_per_person(repo: Path) -> None:
    request = CheckRequest(ONBOARDING, person="piotr", all_items=True)

    outcome = record(repo, request, now=at("2026-11-20", "16:00"))

    saved = outcome.prepared.record
    assert saved.unit_kind == "person"
    assert saved.occurrence == date(2026, 11, 16)
    assert saved.path == "logs/onboarding-sdr/piotr/2026-11-16.yml"
    assert "Person: piotr" in git(repo, "log", "-1", "--format=%(trailers:only)")


def test_a_playbook_wide_checklist_is_filed_under_all(repo: Path) -> None:
    request = CheckRequest("monthly-report", all_items=True)

    outcome = record(repo, request, now=at("2026-11-16", "10:00"))

    assert outcome.prepared.record.path == "logs/monthly-report/all/2026-11-15.yml"
    assert parse_record((repo / outcome.prepared.record.path).read_text()).unit_kind == "playbook"


# --- refusals at the engine ------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"checklist": "weekly-pipline"}, "unknown checklist 'weekly-pipline'"),
        ({"team": "warsw"}, "unknown team 'warsw'"),
        ({"done": ["forecast"]}, "has no item 'forecast'"),
        ({"metrics": {"new-leads": "3", "new-lead": "4"}}, "has no metric 'new-lead'"),
        ({"metrics": {"new-leads": "abc"}}, "expected a whole number"),
        ({"metrics": {"new-leads": "3", "win-rate": "lots"}}, "expected a percentage"),
        ({"all_items": False, "done": ["next-steps"]}, "required item 'stale-deals'"),
        ({"skipped": {"stale-deals": "  "}}, "needs a reason"),
        ({"metrics": {}}, "required metric 'new-leads'"),
        ({"occurrence": date(2026, 11, 17)}, "is not an occurrence"),
        ({"occurrence": date(2026, 11, 30)}, "in the future"),
    ],
)
def test_a_refused_request_writes_and_commits_nothing(
    repo: Path, changes: dict[str, object], message: str
) -> None:
    state = repo_state(repo)

    with pytest.raises(PlaybookError) as caught:
        record(repo, weekly(**changes))

    assert len(caught.value.problems) == 1
    assert message in caught.value.problems[0].message
    assert repo_state(repo) == state
    assert not (repo / "logs").exists()


def test_a_date_that_is_no_occurrence_lists_the_nearest(repo: Path) -> None:
    with pytest.raises(PlaybookError) as caught:
        record(repo, weekly(occurrence=date(2026, 11, 11)))

    [problem] = caught.value.problems
    assert "nearest:" in problem.hint
    assert "Mon 2026-11-09" in problem.hint
    assert "Mon 2026-11-16" in problem.hint


def test_skipping_a_required_item_with_a_reason_completes_the_record(repo: Path) -> None:
    outcome = record(repo, weekly(skipped={"stale-deals": "CRM was down"}))

    saved = parse_record((repo / WEEKLY_PATH).read_text())
    assert saved.complete
    assert ItemState("stale-deals", saved.items[1].text, False, "CRM was down") in saved.items
    assert outcome.commit == head(repo)


# --- metric values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        ("integer", "42", 42),
        ("integer", " 1 200 ", 1200),
        ("integer", "-3", -3),
        ("money", "12500.50", Decimal("12500.50")),
        ("money", "EUR 12500.50", Decimal("12500.50")),
        ("money", "€99", Decimal("99.00")),
        ("percent", "85%", 85),
        ("percent", "12.5", 12.5),
        ("number", "3.25", 3.25),
        ("text", "  16:00  ", "16:00"),
    ],
)
def test_metric_values_are_parsed_by_type(kind: str, raw: str, value: object) -> None:
    parsed = parse_metric(Metric("m", "M", kind), raw)

    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("integer", "abc"),
        ("integer", "4.5"),
        ("percent", "lots"),
        ("money", "a lot"),
        ("number", "1.2.3"),
        ("text", "   "),
    ],
)
def test_metric_values_of_the_wrong_type_are_refused(kind: str, raw: str) -> None:
    with pytest.raises(ValueError, match="expected"):
        parse_metric(Metric("m", "M", kind), raw)


def test_money_in_another_currency_than_the_metric_is_refused() -> None:
    forecast = Metric("forecast", "Forecast", "money", unit="EUR")

    with pytest.raises(ValueError, match="counted in EUR"):
        parse_metric(forecast, "USD 100")
    assert parse_metric(forecast, "100 eur") == Decimal("100.00")


def test_money_is_written_to_a_record_as_an_exact_string() -> None:
    assert to_record(parse_metric(Metric("m", "M", "money"), "0.10")) == "0.10"
    assert format_value(Metric("m", "M", "money", unit="EUR"), "1000") == "1,000.00 EUR"


@pytest.mark.parametrize(
    ("raw", "meant"), [("1 234,56", Decimal("1234.56")), ("12,50", Decimal("12.50"))]
)
def test_a_decimal_comma_in_money_is_not_read_as_a_thousands_separator(
    raw: str, meant: Decimal
) -> None:
    # Polish and Vietnamese teams write money with a decimal comma. Reading "12,50" as
    # 1250 silently stores a value a hundred times too large; refusing it is fine.
    try:
        parsed = parse_metric(Metric("pipeline-value", "Pipeline value", "money"), raw)
    except ValueError:
        return
    assert parsed == meant


# --- reading records back: load_records and its cache ----------------------------------


def _two_records(root: Path) -> None:
    record(root, weekly())
    record(root, weekly(team="hanoi"))


def test_load_records_reads_every_record(repo: Path) -> None:
    _two_records(repo)

    loaded = load_records(repo)

    assert loaded.problems == []
    assert sorted(r.path for r in loaded.records) == [
        "logs/weekly-pipeline/hanoi/2026-11-16.yml",
        WEEKLY_PATH,
    ]
    index = loaded.index()
    assert index[(WEEKLY, "warsaw")][LAST_MONDAY].metrics == {"new-leads": 12}
    assert (repo / ".git" / CACHE_FILE).is_file()


def test_a_second_load_uses_the_cache(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _two_records(repo)
    first = load_records(repo)
    reads: list[str] = []
    real_read = records_module._read

    def counting_read(path: str, relative: str, size: int) -> object:
        reads.append(relative)
        return real_read(path, relative, size)

    monkeypatch.setattr(records_module, "_read", counting_read)

    second = load_records(repo)

    assert reads == []
    assert sorted(second.records, key=lambda r: r.unit) == sorted(
        first.records, key=lambda r: r.unit
    )


def test_a_load_after_editing_a_record_returns_the_new_content(repo: Path) -> None:
    _two_records(repo)
    assert load_records(repo).index()[(WEEKLY, "warsaw")][LAST_MONDAY].metrics["new-leads"] == 12
    path = repo / WEEKLY_PATH

    path.write_text(path.read_text().replace("new-leads: 12", "new-leads: 99"))

    again = load_records(repo).index()[(WEEKLY, "warsaw")][LAST_MONDAY]
    assert again.metrics["new-leads"] == 99


def test_a_load_after_replacing_a_record_with_same_size_returns_the_new_content(
    repo: Path,
) -> None:
    _two_records(repo)
    load_records(repo)
    path = repo / WEEKLY_PATH
    text = path.read_text()
    replaced = text.replace("new-leads: 12", "new-leads: 21")
    assert len(replaced) == len(text)

    path.write_text(replaced)

    again = load_records(repo).index()[(WEEKLY, "warsaw")][LAST_MONDAY]
    assert again.metrics["new-leads"] == 21


def test_a_deleted_record_disappears_from_the_next_load(repo: Path) -> None:
    _two_records(repo)
    load_records(repo)

    (repo / WEEKLY_PATH).unlink()

    assert [r.unit for r in load_records(repo).records] == ["hanoi"]


@pytest.mark.parametrize(
    "content",
    [
        b"checklist: [unclosed\n",
        b"- just\n- a list\n",
        b"schema: 1\nchecklist: weekly-pipeline\nteam: warsaw\n",
        b"\xff\xfe not utf-8 \x00",
        b"",
    ],
    ids=["bad-yaml", "not-a-mapping", "missing-fields", "not-utf8", "empty"],
)
def test_a_corrupt_record_file_is_a_problem_not_a_crash(repo: Path, content: bytes) -> None:
    _two_records(repo)
    load_records(repo)
    (repo / WEEKLY_PATH).write_bytes(content)

    loaded = load_records(repo)

    assert [r.unit for r in loaded.records] == ["hanoi"]
    [problem] = loaded.problems
    assert problem.location.file == WEEKLY_PATH
    assert problem.hint


def test_a_record_in_the_wrong_place_is_a_problem(repo: Path) -> None:
    _two_records(repo)
    wrong = repo / "logs/weekly-pipeline/warsaw/2026-11-09.yml"
    wrong.write_text((repo / WEEKLY_PATH).read_text())

    loaded = load_records(repo)

    [problem] = loaded.problems
    assert problem.location.file == "logs/weekly-pipeline/warsaw/2026-11-09.yml"
    assert WEEKLY_PATH in problem.message


def test_an_oversized_record_file_is_a_problem(repo: Path) -> None:
    _two_records(repo)
    path = repo / WEEKLY_PATH
    path.write_text(path.read_text() + "note: " + "x" * 70_000 + "\n")

    [problem] = load_records(repo).problems

    assert "bytes" in problem.message


@pytest.mark.parametrize(
    "garbage",
    [
        b"not a pickle at all",
        b"",
        b"\x80\x05\x95",
        b"\x80\x09garbage from another version",
        pickle.dumps(["a", "list", "not", "a", "dict"]),
    ],
    ids=["text", "empty", "truncated", "unknown-protocol", "wrong-shape"],
)
def test_a_corrupt_cache_is_rebuilt_not_a_crash(repo: Path, garbage: bytes) -> None:
    _two_records(repo)
    load_records(repo)
    (repo / ".git" / CACHE_FILE).write_bytes(garbage)

    loaded = load_records(repo)

    assert loaded.problems == []
    assert len(loaded.records) == 2


def test_recording_is_not_blocked_by_a_corrupt_sibling_record(repo: Path) -> None:
    broken = repo / "logs/weekly-pipeline/warsaw/2026-11-09.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text("checklist: [unclosed\n")

    outcome = record(repo, weekly())

    assert outcome.commit == head(repo)
    assert record_files(repo) == ["logs/weekly-pipeline/warsaw/2026-11-09.yml", WEEKLY_PATH]


def test_records_load_outside_a_git_repository(playbook_dir: Path) -> None:
    # --no-commit writes a record in a folder that is not a repository; reading it works.
    outcome = record_completion(playbook_dir, weekly(by=IDENTITY), now=NOW, commit=False)

    assert outcome.commit is None
    assert (playbook_dir / WEEKLY_PATH).is_file()
    loaded = load_records(playbook_dir)
    assert [r.path for r in loaded.records] == [WEEKLY_PATH]
    assert load_playbook(playbook_dir).checklists[WEEKLY].id == WEEKLY


def test_dry_run_writes_nothing(repo: Path) -> None:
    state = repo_state(repo)

    outcome = record_completion(repo, weekly(), now=NOW, dry_run=True)

    assert outcome.written is False
    assert outcome.prepared.record.path == WEEKLY_PATH
    assert repo_state(repo) == state
    assert commit_count(repo) == 1


# --- repositories of other shapes ------------------------------------------------------


def test_a_playbook_in_a_subfolder_of_the_repository(tmp_path: Path, git_env: Path) -> None:
    top = tmp_path / "monorepo"
    write_playbook(top / "sales")
    init_repo(top)
    git(top, "add", "--all")
    git(top, "commit", "--quiet", "-m", "Monorepo")

    outcome = record(top / "sales", weekly())

    assert outcome.commit == head(top)
    assert git(top, "show", "--name-only", "--format=", "HEAD").splitlines() == [
        f"sales/{WEEKLY_PATH}"
    ]
    assert git(top, "status", "--porcelain", "--untracked-files=all") == ""
    assert [r.path for r in load_records(top / "sales").records] == [WEEKLY_PATH]


def test_no_record_in_a_repository_without_commits(tmp_path: Path, git_env: Path) -> None:
    root = write_playbook(tmp_path / "fresh")
    init_repo(root)

    # Issue 7.4: nothing is committed, so the checklist has no version a record could name.
    with pytest.raises(PlaybookError, match="is not committed yet") as caught:
        record(root, weekly())

    assert "git commit checklists/weekly-pipeline.yml" in caught.value.problems[0].hint
    assert record_files(root) == []


def test_a_momentary_index_lock_of_the_users_git_is_waited_for(repo: Path) -> None:
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    timer = threading.Timer(0.3, lock.unlink)
    timer.start()
    try:
        outcome = record(repo, weekly())
    finally:
        timer.join()

    assert outcome.commit == head(repo)
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_an_occurrence_older_than_the_history_window_is_not_called_no_occurrence(
    repo: Path,
) -> None:
    # Monday 2 June 2025 is a real occurrence of "every monday", 539 days before NOW.
    old = date(2025, 6, 2)
    assert old.weekday() == 0
    try:
        outcome = record(repo, weekly(occurrence=old))
    except PlaybookError as exc:
        assert "is not an occurrence" not in str(exc), str(exc)
    else:
        assert outcome.prepared.record.occurrence == old
