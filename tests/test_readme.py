"""Every command the README and the `--help` texts show runs on the sample playbook.

As sqlite-utils' docs tests do: the examples are read from the text itself, so an example
that drifts from the sample (a metric renamed, a team that does not exist) fails here.
Each block runs in a fresh copy of the sample, a real git repository.
"""

# Fixtures imported from gitfixtures are parameters of the tests: that is not a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from playbook.cli import main

from .gitfixtures import REPOSITORY, git_env, sample_repository, subprocess_env  # noqa: F401
from .samples import USER_EMAIL, USER_NAME

README = REPOSITORY / "README.md"

# Lines that are shown but not run here, each with the reason; a stale entry fails a test.
NOT_RUN = {
    "bash scripts/test": "runs the whole test suite",
    "python scripts/bench_build.py": "a benchmark of minutes",
    "UPDATE_GOLDEN=1 python -m pytest": "rewrites the golden files",
    "playbook serve": "runs until stopped (tests/test_serve.py starts it for real)",
    "playbook server": "runs until stopped (tests/test_server.py starts it for real)",
}
# Prefixes dropped before running: the package under test is already installed.
DROPPED = {"pip install -e . && ": "the package is installed in the test environment"}
# Exit codes other than 0 that an example may end with, and why.
EXIT_CODES = {"--fail-on-overdue": {0, 3}}  # the sample's reviews fall overdue as time passes


def readme_blocks() -> list[list[str]]:
    """The command lines of every ```bash block, continuation lines joined."""
    blocks = re.findall(r"^```bash\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)
    return [_joined(block.splitlines()) for block in blocks]


def _joined(lines: list[str]) -> list[str]:
    commands: list[str] = []
    pending = ""
    for line in lines:
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1].strip() + " "
            continue
        text = (pending + line.strip()).strip()
        pending = ""
        if text and not text.startswith("#"):
            commands.append(text)
    return commands


def help_examples() -> list[tuple[str, str]]:
    """(command, line) for every `playbook ...` line of every Example: block in --help."""
    found = []
    texts = {"playbook": main.help or ""}
    for name, command in main.commands.items():
        texts[name] = (command.help or "") + "\n" + (command.epilog or "")
    for name, text in texts.items():
        if "Example:" not in text:
            continue
        example = text.split("Example:", 1)[1].split("\n\n", 1)[0]
        lines = [line.strip() for line in example.splitlines()]
        found += [(name, line) for line in _joined(lines) if line.startswith("playbook ")]
    return found


def _not_run(line: str) -> str | None:
    return next((reason for prefix, reason in NOT_RUN.items() if line.startswith(prefix)), None)


@pytest.fixture(scope="module")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One committed copy of the sample; each example runs in a copy of it."""
    home = tmp_path_factory.mktemp("home")
    env = {**os.environ, "HOME": str(home), "GIT_CONFIG_GLOBAL": str(home / "none")}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    return sample_repository(tmp_path_factory.mktemp("template") / "playbook", env)


def _fresh_copy(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "playbook"
    shutil.copytree(template, root, symlinks=True)
    return root


def _run_lines(lines: list[str], root: Path) -> list[str]:
    """Run each line in bash from `root` (following `cd`); return the lines not run."""
    env = subprocess_env()
    # `playbook` is the console script installed next to this Python.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    # A person following the README has a global git identity (`playbook init` commits).
    identity = root.parent / "gitconfig"
    identity.write_text(f"[user]\n\tname = {USER_NAME}\n\temail = {USER_EMAIL}\n")
    env["GIT_CONFIG_GLOBAL"] = str(identity)
    cwd = root
    skipped = []
    for line in lines:
        for prefix in DROPPED:
            line = line.removeprefix(prefix)
        if _not_run(line):
            skipped.append(line)
            continue
        command = line.split("#", 1)[0].strip() if " #" in line else line
        if command.startswith("cd "):
            cwd = cwd / command[3:].strip()
            continue
        done = subprocess.run(
            ["bash", "-c", command], cwd=cwd, capture_output=True, text=True, env=env, timeout=180
        )
        allowed = next((codes for flag, codes in EXIT_CODES.items() if flag in command), {0})
        assert done.returncode in allowed, f"{command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
    return skipped


BLOCKS = readme_blocks()


def test_the_readme_has_command_blocks() -> None:
    assert len(BLOCKS) >= 5
    assert any("playbook check" in line for block in BLOCKS for line in block)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block-{i}" for i in range(len(BLOCKS))])
def test_readme_block_runs_on_a_fresh_sample(
    block: list[str], sample_template: Path, tmp_path: Path, git_env: Path
) -> None:
    skipped = _run_lines(block, _fresh_copy(sample_template, tmp_path))

    # Nothing is skipped silently: every line not run matches the list above.
    assert all(_not_run(line) for line in skipped)


def test_every_line_not_run_is_still_in_the_readme() -> None:
    lines = [line for block in BLOCKS for line in block]
    shown = [*lines, *(line for _, line in help_examples())]
    for prefix in NOT_RUN:
        assert any(line.startswith(prefix) for line in shown), f"stale NOT_RUN entry {prefix!r}"


EXAMPLES = help_examples()


def test_every_command_has_an_example_in_its_help() -> None:
    assert {name for name, _ in EXAMPLES} >= set(main.commands)


@pytest.mark.parametrize(
    "line", [line for _, line in EXAMPLES], ids=[f"{name}:{line}" for name, line in EXAMPLES]
)
def test_help_example_runs_on_a_fresh_sample(
    line: str, sample_template: Path, tmp_path: Path, git_env: Path
) -> None:
    skipped = _run_lines([line], _fresh_copy(sample_template, tmp_path))

    assert all(_not_run(line) for line in skipped)
