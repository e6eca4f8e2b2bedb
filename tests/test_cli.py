"""Every command run the way a person runs it: from the playbook, from a subfolder, with -C.

The playbook sits in a path with a space and non-ASCII letters. A table of bad inputs
(dates, addresses, paths, ids, repeated options) pins each message and exit code.
"""

# Fixtures imported from gitfixtures are parameters of the tests: that is not a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import time
from pathlib import Path

import pytest

from playbook.records import parse_record

from .gitfixtures import (  # noqa: F401
    WEEKLY,
    git,
    git_env,
    init_repo,
    mondays_before,
    playbook_command,
    real_today,
    record_files,
    repo_state,
    subprocess_env,
    write_playbook,
)

AS_OF = "2026-11-23T13:00+01:00"
PAST_MONDAY = mondays_before(real_today(), 1, gap=2)[0]
WEEKLY_DONE = ["--team", "warsaw", "--all", "--metric", "new-leads=3"]


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        playbook_command(*args),
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**subprocess_env(), "NO_COLOR": "1"},
        timeout=120,
    )


@pytest.fixture
def team_repo(tmp_path: Path, git_env: Path) -> Path:
    """The test playbook, committed, in a folder named with a space and Polish letters."""
    # Not named "playbook": `python -m playbook` run beside it would import the folder.
    root = init_repo(write_playbook(tmp_path / "Zespół sprzedaży" / "podręcznik"))
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "Sample playbook")
    return root


# Each way of naming the playbook: (where to stand, the arguments before the command's own).
def _ways(root: Path, tmp_path: Path) -> dict[str, tuple[Path, list[str]]]:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    return {
        "in-the-playbook": (root, []),
        "in-a-subfolder": (root / "roles", []),
        "C-relative": (root.parent, ["-C", "podręcznik"]),
        "C-absolute": (elsewhere, ["-C", str(root)]),
    }


READ_COMMANDS = {
    "validate": ["validate"],
    "status": ["status", "--as-of", AS_OF],
    "status-json": ["status", "--as-of", AS_OF, "--format", "json"],
    "history": ["history", WEEKLY, "--team", "warsaw", "--as-of", AS_OF],
    "audit": ["audit"],
    "check-dry-run": ["check", WEEKLY, *WEEKLY_DONE, "--dry-run", "--by", "A <a@b.pl>"],
}


def _same(text: str) -> str:
    """Output with what legitimately differs between runs (timings) taken out."""
    return re.sub(r"\d+\.\d\d s", "N s", re.sub(r"completed_at: .*", "", text))


@pytest.mark.parametrize("command", READ_COMMANDS, ids=list(READ_COMMANDS))
def test_a_command_gives_the_same_result_from_anywhere(
    command: str, team_repo: Path, tmp_path: Path
) -> None:
    results = {
        way: run(cwd, *before, *READ_COMMANDS[command])
        for way, (cwd, before) in _ways(team_repo, tmp_path).items()
    }

    for way, result in results.items():
        assert result.returncode == 0, f"{way}: {result.stdout}{result.stderr}"
        assert "Traceback" not in result.stderr
    outputs = {way: _same(result.stdout) for way, result in results.items()}
    assert len(set(outputs.values())) == 1, outputs


def test_C_after_the_command_works_too(team_repo: Path, tmp_path: Path) -> None:
    result = run(tmp_path, "validate", "-C", str(team_repo / "checklists"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: ")


def test_audit_from_the_playbook_folder_finds_committed_records_sound(team_repo: Path) -> None:
    recorded = run(team_repo, "check", WEEKLY, *WEEKLY_DONE, "--occurrence", str(PAST_MONDAY))
    assert recorded.returncode == 0, recorded.stderr

    result = run(team_repo, "audit")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK:")


def test_check_from_a_subfolder_commits_in_the_playbook(team_repo: Path) -> None:
    result = run(
        team_repo / "roles", "check", WEEKLY, *WEEKLY_DONE, "--occurrence", str(PAST_MONDAY)
    )

    assert result.returncode == 0, result.stderr
    assert record_files(team_repo) == [f"logs/{WEEKLY}/warsaw/{PAST_MONDAY}.yml"]
    assert git(team_repo, "status", "--porcelain") == ""


def test_messages_name_paths_relative_to_where_the_user_stands(team_repo: Path) -> None:
    (team_repo / "roles" / "sdr.yml").write_text("title: [unclosed\n", encoding="utf-8")

    result = run(team_repo / "roles", "validate")

    assert result.returncode == 1
    assert result.stderr.startswith("sdr.yml:"), result.stderr


def test_calendar_and_schema_write_where_asked_creating_folders(team_repo: Path) -> None:
    feed = run(team_repo / "docs", "calendar", "--team", "warsaw", "--out", "feeds/new/w.ics")
    schemas = run(team_repo / "docs", "schema")

    assert feed.returncode == 0, feed.stderr
    assert (team_repo / "docs/feeds/new/w.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert schemas.returncode == 0, schemas.stderr
    assert (team_repo / "schemas" / "role.schema.json").is_file()


def test_build_from_a_subfolder_builds_the_playbooks_site(team_repo: Path) -> None:
    (team_repo / "mkdocs.yml").write_text("site_name: Test\ntheme: material\nplugins: [playbook]\n")

    result = run(team_repo / "roles", "build")

    assert result.returncode == 0, result.stderr
    assert (team_repo / "site" / "index.html").is_file()


def test_outside_any_playbook_the_message_says_how_to_find_one(tmp_path: Path) -> None:
    result = run(tmp_path, "status")

    assert result.returncode == 1
    assert "no playbook.yml in" in result.stderr
    assert "-C DIR" in result.stderr


# --- init never destroys ---------------------------------------------------------------


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, git_env: Path) -> None:
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "notes.md").write_text("mine\n")

    result = run(tmp_path, "init", "acme")

    assert result.returncode == 1
    assert "the folder is not empty" in result.stderr
    assert sorted(p.name for p in (tmp_path / "acme").iterdir()) == ["notes.md"]


def test_init_force_adds_only_missing_files_and_lists_the_kept_ones(
    tmp_path: Path, git_env: Path
) -> None:
    target = tmp_path / "acme"
    target.mkdir()
    mine = {"mkdocs.yml": "site_name: Mine\n", ".gitignore": "mine\n", "roles/sdr.yml": "x: 1\n"}
    for relative, text in mine.items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_text(text)

    result = run(tmp_path, "init", "acme", "--force", "--no-git")

    assert result.returncode == 0, result.stderr
    for relative, text in mine.items():
        assert (target / relative).read_text() == text
        assert f"  {relative}" in result.stdout
    assert (target / "playbook.yml").is_file()


def test_init_force_in_a_folder_outside_git_commits_only_the_sample_files(
    tmp_path: Path, git_env: Path
) -> None:
    (git_env / ".gitconfig-empty").write_text("[user]\n\tname = Anna\n\temail = anna@example.com\n")
    target = tmp_path / "acme"
    (target / "private").mkdir(parents=True)
    (target / "private" / "salaries.csv").write_text("anna,1\n")

    result = run(tmp_path, "init", "acme", "--force")

    assert result.returncode == 0, result.stderr
    committed = git(target, "ls-files").split()
    assert "playbook.yml" in committed
    assert "private/salaries.csv" not in committed
    assert "?? private/" in git(target, "status", "--porcelain")
    assert "not committed: private/salaries.csv" in result.stdout


def test_playbook_now_pins_the_moment_of_status_as_it_does_for_check(
    team_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLAYBOOK_NOW", "2026-03-02T10:00+01:00")

    result = run(team_repo, "status")

    assert result.returncode in (0, 3), result.stderr
    assert "As of 2026-03-02 10:00" in result.stdout


# --- git states ------------------------------------------------------------------------


def test_recording_on_a_detached_head_is_refused_with_the_fix(team_repo: Path) -> None:
    git(team_repo, "checkout", "--quiet", "--detach")
    state = repo_state(team_repo)

    result = run(team_repo, "check", WEEKLY, *WEEKLY_DONE, "--occurrence", str(PAST_MONDAY))

    assert result.returncode == 1
    assert "HEAD is detached" in result.stderr
    assert "git switch main" in result.stderr
    assert repo_state(team_repo) == state


def test_without_identity_the_message_names_the_folder_and_the_fixes(team_repo: Path) -> None:
    git(team_repo, "config", "--unset", "user.name")
    git(team_repo, "config", "--unset", "user.email")
    git(team_repo, "config", "user.useConfigOnly", "true")

    result = run(team_repo, "check", WEEKLY, *WEEKLY_DONE, "--occurrence", str(PAST_MONDAY))

    assert result.returncode == 1
    assert result.stderr.startswith("this folder (podręcznik): git does not know who you are")
    assert "git config user.email" in result.stderr
    assert "--by" in result.stderr


def test_audit_outside_git_does_not_suggest_no_commit(tmp_path: Path, git_env: Path) -> None:
    write_playbook(tmp_path / "plain")

    result = run(tmp_path / "plain", "audit")

    assert result.returncode == 1
    assert "cannot be audited" in result.stderr
    assert "--no-commit" not in result.stderr


def test_a_conflict_marker_in_a_checklist_is_named_with_its_line(team_repo: Path) -> None:
    path = team_repo / "checklists" / f"{WEEKLY}.yml"
    lines = path.read_text().splitlines()
    lines[3:3] = ["<<<<<<< HEAD", "late_after: 2h", "=======", "late_after: 6h", ">>>>>>> side"]
    path.write_text("\n".join(lines) + "\n")

    result = run(team_repo, "validate")

    assert result.returncode == 1
    assert f"checklists/{WEEKLY}.yml:4:1: unresolved merge conflict" in result.stderr
    assert "resolve the merge" in result.stderr


def test_a_conflict_marker_in_a_record_is_named_with_its_line(team_repo: Path) -> None:
    run(team_repo, "check", WEEKLY, *WEEKLY_DONE, "--occurrence", str(PAST_MONDAY))
    record = team_repo / "logs" / WEEKLY / "warsaw" / f"{PAST_MONDAY}.yml"
    record.write_text("<<<<<<< HEAD\n" + record.read_text() + "=======\n>>>>>>> side\n")

    result = run(team_repo, "status", "--as-of", AS_OF)

    assert f"{PAST_MONDAY}.yml:1:1: unresolved merge conflict" in result.stdout


# --- bad command-line input: message and exit code ----------------------------------------

BAD_INPUTS: list[tuple[str, list[str], int, str]] = [
    ("as-of-compact", ["status", "--as-of", "20261201"], 2, "'20261201' is not a date; write"),
    ("as-of-week", ["status", "--as-of", "2026-W49"], 2, "'2026-W49' is not a date"),
    ("as-of-year-1", ["status", "--as-of", "0001-01-01"], 2, "out of range: years 2000 to 2999"),
    ("as-of-year-9999", ["status", "--as-of", "9999-12-31"], 2, "out of range"),
    ("as-of-no-zone", ["status", "--as-of", "2026-12-01T09:00"], 2, "with a zone"),
    ("as-of-not-a-day", ["status", "--as-of", "2026-02-30"], 2, "is not a valid date"),
    (
        "occurrence-year-1",
        ["check", WEEKLY, *WEEKLY_DONE, "--occurrence", "0001-01-01"],
        2,
        "Invalid value for '--occurrence': '0001-01-01' is out of range",
    ),
    ("history-as-of", ["history", WEEKLY, "--as-of", "tomorrow"], 2, "Invalid value for '--as-of'"),
    (
        "metric-twice",
        ["check", WEEKLY, *WEEKLY_DONE, "--metric", "new-leads=4"],
        2,
        "Invalid value for --metric: 'new-leads' is given twice",
    ),
    (
        "skip-twice",
        ["check", WEEKLY, *WEEKLY_DONE, "--skip", "stale-deals=a", "--skip", "stale-deals=b"],
        2,
        "Invalid value for --skip: 'stale-deals' is given twice",
    ),
    ("skip-no-reason-form", ["check", WEEKLY, "--skip", "x"], 2, "'x' is not ID=VALUE"),
    ("dev-addr-no-port", ["serve", "--dev-addr", "localhost"], 2, "is not HOST:PORT"),
    ("dev-addr-bad-port", ["serve", "--dev-addr", "localhost:99999"], 2, "1 to 65535"),
    (
        "dev-addr-unresolvable",
        ["serve", "--dev-addr", "no-such-host.invalid:8000"],
        1,
        "cannot resolve the host name",
    ),
    ("C-missing", ["-C", "no/such/dir", "status"], 2, "cannot change to 'no/such/dir'"),
    ("unknown-option", ["status", "--tema", "warsaw"], 2, "No such option '--tema'"),
    ("unknown-format", ["status", "--format", "xml"], 2, "Invalid value for '--format'"),
    ("unknown-team", ["status", "--team", "krakow"], 1, "unknown team 'krakow'"),
    ("unknown-checklist", ["history", "weekly-pipline"], 1, "did you mean 'weekly-pipeline'?"),
    ("calendar-out-is-a-folder", ["calendar", "--out", "roles/"], 2, "is a directory"),
]


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [(a, c, f) for _, a, c, f in BAD_INPUTS],
    ids=[name for name, *_ in BAD_INPUTS],
)
def test_bad_input_is_refused_with_its_message_and_exit_code(
    team_repo: Path, args: list[str], code: int, fragment: str
) -> None:
    state = repo_state(team_repo)

    result = run(team_repo, *args)

    assert result.returncode == code, result.stdout + result.stderr
    assert fragment in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert repo_state(team_repo) == state


def test_overdue_exits_3_and_a_usage_error_exits_2(team_repo: Path) -> None:
    overdue = run(team_repo, "status", "--as-of", AS_OF, "--fail-on-overdue")
    typo = run(team_repo, "status", "--fail-on-overdu")

    assert overdue.returncode == 3, overdue.stdout
    assert typo.returncode == 2


def test_help_documents_the_exit_codes(team_repo: Path) -> None:
    result = run(team_repo, "status", "--help")

    assert "3    something is overdue" in result.stdout
    assert "2    usage error" in result.stdout


# --- the interactive walk-through on a real terminal ------------------------------------


class Terminal:
    """A `playbook` process on a pseudo-terminal, answered prompt by prompt."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            playbook_command(*args),
            cwd=cwd,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**subprocess_env(), "NO_COLOR": "1", "TERM": "dumb"},
            close_fds=True,
        )
        os.close(slave)
        self.seen = ""

    def expect(self, text: str, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.seen:
            if time.monotonic() > deadline:
                raise AssertionError(f"never saw {text!r} in:\n{self.seen}")
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.seen += os.read(self.master, 4096).decode("utf-8", "replace")
                except OSError:
                    break

    def send(self, text: str) -> None:
        os.write(self.master, text.encode())

    def finish(self) -> int:
        code = self.process.wait(timeout=60)
        try:
            while True:
                ready, _, _ = select.select([self.master], [], [], 0.1)
                if not ready:
                    break
                self.seen += os.read(self.master, 4096).decode("utf-8", "replace")
        except OSError:
            pass
        os.close(self.master)
        return code


def test_the_walk_through_shows_the_occurrence_and_reasks_a_blank_required_metric(
    team_repo: Path,
) -> None:
    term = Terminal(
        team_repo, "check", WEEKLY, "--team", "warsaw", "--occurrence", str(PAST_MONDAY)
    )
    term.expect("Recording the occurrence of")
    term.expect("Every open deal has a next step *")
    assert term.seen.index("Recording the occurrence") < term.seen.index("next step")
    term.send("d\r")
    term.expect("Deals without activity")
    term.send("s\r")
    term.expect("why skipped")
    term.send("CRM was down\r")
    term.expect("Write a note on the forecast")
    term.send("l\r")
    term.expect("New leads (leads) *")
    term.send("\r")  # blank: asked again on the spot
    term.expect("New leads is required")
    term.send("12\r")
    for _ in range(3):  # the optional metrics stay blank
        time.sleep(0.2)
        term.send("\r")
    term.expect("Note (optional)")
    term.send("steady\r")
    term.expect("Record it?")
    term.send("y\r")

    assert term.finish() == 0, term.seen
    saved = parse_record(
        (team_repo / "logs" / WEEKLY / "warsaw" / f"{PAST_MONDAY}.yml").read_text()
    )
    assert saved.metrics == {"new-leads": 12}
    assert [(i.id, i.done, i.reason) for i in saved.items] == [
        ("next-steps", True, ""),
        ("stale-deals", False, "CRM was down"),
    ]
    assert saved.note == "steady"


def test_end_of_input_in_the_walk_through_writes_nothing(team_repo: Path) -> None:
    state = repo_state(team_repo)
    term = Terminal(
        team_repo, "check", WEEKLY, "--team", "warsaw", "--occurrence", str(PAST_MONDAY)
    )
    term.expect("Every open deal has a next step")
    term.send("\x04")

    assert term.finish() == 130, term.seen
    assert "Interrupted: nothing was written." in term.seen
    assert "Traceback" not in term.seen
    assert repo_state(team_repo) == state


def test_the_walk_through_starts_from_the_partial_record(team_repo: Path) -> None:
    first = run(
        team_repo,
        "check",
        WEEKLY,
        "--team",
        "warsaw",
        "--occurrence",
        str(PAST_MONDAY),
        "--skip",
        "next-steps=no deals",
        "--metric",
        "new-leads=5",
        "--note",
        "first half",
        "--partial",
    )
    assert first.returncode == 0, first.stderr

    term = Terminal(
        team_repo, "check", WEEKLY, "--team", "warsaw", "--occurrence", str(PAST_MONDAY)
    )
    term.expect("partial record already saved")
    term.expect("next step *  [d]one / [s]kip / [l]ater [s]")
    term.send("\r")
    term.expect("why skipped [no deals]")
    term.send("\x04")

    assert term.finish() == 130, term.seen


def test_ctrl_c_anywhere_exits_130_with_one_line(
    team_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from playbook import recording
    from playbook.cli import main

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(recording, "record_completion", interrupted)

    result = CliRunner().invoke(main, ["-C", str(team_repo), "check", WEEKLY, *WEEKLY_DONE])

    assert result.exit_code == 130
    assert result.stderr.strip() == "Interrupted: nothing was written."
