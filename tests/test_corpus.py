"""The bad-input corpus: one folder per fault, with what `playbook validate` must print for it.

Each folder in tests/corpus/ holds files laid over the valid playbook of conftest.py
(e.g. roles/sdr.yml replaces the valid SDR role), plus:

- expected.txt: lines the output must contain, in any order. `...` inside a line
  stands for any text: a temporary path, or wording the case does not pin down.
- remove.txt (optional): paths to delete from the valid playbook, one per line.
- grow.txt (optional): `PATH BYTES` lines; PATH is padded with comment lines to BYTES.

Every case runs the real command in a fresh process. Add a folder for every new bug.
"""

# Fixtures imported from gitfixtures are parameters of the tests: that is not a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from playbook import load
from playbook.cli import main
from playbook.documentcache import CACHE_FILE

from .conftest import VALID_PLAYBOOK, FileContent, MakePlaybook
from .gitfixtures import git, git_env, init_repo  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(path for path in CORPUS.iterdir() if path.is_dir())
CONTROL_FILES = {"expected.txt", "remove.txt", "grow.txt"}
# Generous for a fresh Python process; a fault must never make validation slow.
TIME_LIMIT_SECONDS = 2.0

LOCATED = re.compile(r"^\S+:\d+:\d+: ")
HINT = "    hint: "
SUMMARY = re.compile(r"^\d+ problems? found\.$")


@dataclass(frozen=True)
class Validation:
    exit_code: int
    output: str
    seconds: float

    @property
    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.output.splitlines() if line.strip()]

    @property
    def problem_lines(self) -> list[str]:
        """First lines of problems: everything but hints, the summary and a traceback."""
        lines = self.lines
        if "Traceback (most recent call last):" in lines:
            lines = lines[: lines.index("Traceback (most recent call last):")]
        return [line for line in lines if not line.startswith(HINT) and not SUMMARY.match(line)]


def _case_files(case: Path) -> dict[str, FileContent]:
    """The case's overriding files, its removals and its padded files, as make_playbook takes them."""
    files: dict[str, FileContent] = {
        path.relative_to(case).as_posix(): path.read_bytes()
        for path in sorted(case.rglob("*"))
        if path.is_file() and path.relative_to(case).as_posix() not in CONTROL_FILES
    }
    if (case / "remove.txt").is_file():
        for relative in (case / "remove.txt").read_text().split():
            files[relative] = None
    if (case / "grow.txt").is_file():
        for line in (case / "grow.txt").read_text().splitlines():
            relative, size = line.split()
            files[relative] = _padded(_base_text(files, relative), int(size))
    return files


def _base_text(files: dict[str, FileContent], relative: str) -> bytes:
    content = files.get(relative, VALID_PLAYBOOK[relative])
    assert isinstance(content, bytes | str), relative
    return content if isinstance(content, bytes) else content.encode()


def _padded(text: bytes, size: int) -> bytes:
    line = b"# padding to make the file too large to read\n"
    text += line * ((size - len(text)) // len(line))
    return text + b"#" * (size - len(text) - 1) + b"\n"


def _validate(root: Path) -> Validation:
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "playbook", "-C", str(root), "validate"],
            cwd=REPO,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"},
            timeout=30,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"playbook validate {root} did not finish within 30 s")
    return Validation(done.returncode, done.stdout + done.stderr, time.perf_counter() - started)


def _matches(expected: str, line: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, line) is not None


@pytest.fixture(scope="module")
def runs() -> dict[str, Validation]:
    """One validation per case, shared by the tests below."""
    return {}


@pytest.fixture(params=CASES, ids=[case.name for case in CASES])
def case(request: pytest.FixtureRequest) -> Path:
    return request.param


@pytest.fixture
def validation(case: Path, make_playbook: MakePlaybook, runs: dict[str, Validation]) -> Validation:
    if case.name not in runs:
        runs[case.name] = _validate(make_playbook(_case_files(case)))
    return runs[case.name]


def test_every_corpus_case_says_what_it_expects() -> None:
    assert len(CASES) >= 35
    for case in CASES:
        assert (case / "expected.txt").is_file(), f"{case.name} has no expected.txt"


def test_validate_exits_with_1(validation: Validation) -> None:
    assert validation.exit_code == 1, validation.output


def test_validate_prints_the_expected_lines(case: Path, validation: Validation) -> None:
    expected = [line.rstrip() for line in (case / "expected.txt").read_text().splitlines()]
    missing = [
        want
        for want in expected
        if want and not any(_matches(want, line) for line in validation.lines)
    ]
    assert not missing, f"missing lines {missing} in:\n{validation.output}"


def test_every_problem_names_file_line_and_column(validation: Validation) -> None:
    unlocated = [line for line in validation.problem_lines if not LOCATED.match(line)]
    assert not unlocated, validation.output


def test_every_problem_is_followed_by_a_hint(validation: Validation) -> None:
    lines = validation.lines
    without_hint = [
        line
        for index, line in enumerate(lines)
        if line in validation.problem_lines
        and not (index + 1 < len(lines) and lines[index + 1].startswith(HINT))
    ]
    assert not without_hint, validation.output


def test_validate_never_prints_a_traceback(validation: Validation) -> None:
    assert "Traceback" not in validation.output, validation.output


def test_validate_fails_fast(validation: Validation) -> None:
    assert validation.seconds < TIME_LIMIT_SECONDS, validation.output


def test_a_second_validation_in_git_reads_the_cache_and_prints_the_same(
    case: Path, make_playbook: MakePlaybook, git_env: Path
) -> None:
    # Outside git nothing is cached; in a repository the second run takes the files it
    # read from .git/playbook/, and must say exactly what the first said.
    root = init_repo(make_playbook(_case_files(case)))
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--no-verify", "-m", "Playbook")
    outputs = []
    for _ in range(2):
        load._loaded.clear()  # as a new process: nothing kept in memory
        result = CliRunner().invoke(main, ["-C", str(root), "validate"])
        outputs.append((result.exit_code, result.output))
    read_something = (root / "playbook.yml").is_file()  # without it nothing is read at all
    assert (root / ".git" / CACHE_FILE).is_file() == read_something
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == 1


def test_valid_playbook_passes_validation(make_playbook: MakePlaybook) -> None:
    validation = _validate(make_playbook())
    assert validation.exit_code == 0, validation.output
    assert validation.output.startswith("OK: 3 roles and 2 checklists")


def test_cadence_hint_points_to_help_that_lists_the_phrases() -> None:
    # Cadence problems end with "(see `playbook validate --help`)": that help must deliver.
    help_text = CliRunner().invoke(main, ["validate", "--help"]).output
    for phrase in ("every monday at 09:00", "last friday of each quarter", "FREQ="):
        assert phrase in help_text
