"""Files validated in an earlier run are not read again while their text is the same."""

# Fixtures imported from gitfixtures are parameters of the tests: that is not a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import os
from pathlib import Path

import pytest

from playbook import load, yamlread
from playbook.documentcache import CACHE_FILE
from playbook.errors import PlaybookError
from playbook.load import load_playbook

from .conftest import MakePlaybook
from .gitfixtures import git, git_env, init_repo  # noqa: F401

KICKOFF = "checklists/monday-kickoff.yml"


@pytest.fixture
def committed(make_playbook: MakePlaybook, git_env: Path) -> Path:
    """The valid playbook in a git repository with one commit."""
    root = init_repo(make_playbook())
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "Playbook")
    return root


def fresh_load(root: Path) -> load.Playbook:
    """A load as a new process does it: nothing kept in memory from an earlier load."""
    load._loaded.clear()
    return load_playbook(root)


def problems_of(root: Path) -> list[str]:
    with pytest.raises(PlaybookError) as raised:
        fresh_load(root)
    return raised.value.render().splitlines()


def forbid_composing(monkeypatch: pytest.MonkeyPatch) -> None:
    def composed(text: str, display: str) -> None:
        raise AssertionError(f"{display} was composed again")

    monkeypatch.setattr(yamlread, "_compose", composed)


def test_a_second_load_reads_no_file_again(
    committed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = fresh_load(committed)
    forbid_composing(monkeypatch)

    second = fresh_load(committed)

    assert (committed / ".git" / CACHE_FILE).is_file()
    assert second.checklists == first.checklists
    assert second.roles == first.roles


def test_a_file_whose_text_changed_is_read_again_even_with_the_same_size_and_time(
    committed: Path,
) -> None:
    fresh_load(committed)
    path = committed / KICKOFF
    stat = path.stat()
    path.write_text(path.read_text().replace("every monday", "every fryday"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size

    assert any(
        "cannot understand the cadence 'every fryday" in line for line in problems_of(committed)
    )


def test_problems_come_back_from_the_cache_with_their_locations(
    committed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = committed / KICKOFF
    path.write_text(path.read_text() + "colour: blue\n")
    first = problems_of(committed)
    forbid_composing(monkeypatch)

    assert problems_of(committed) == first
    assert first[0].startswith(f"{KICKOFF}:") and "unknown key 'colour'" in first[0]


def test_a_location_asked_of_a_cached_file_is_still_its_line(committed: Path) -> None:
    role = committed / "roles" / "account-executive.yml"
    fresh_load(committed)
    role.write_text(role.read_text().replace("reports_to: sales-manager", "reports_to: sales-boss"))
    before = problems_of(committed)
    kickoff = committed / KICKOFF
    kickoff.write_text(kickoff.read_text() + "\n")  # another file changes; the role is cached

    assert problems_of(committed) == before
    assert before[0].startswith("roles/account-executive.yml:3:13: ")


@pytest.mark.parametrize("garbage", [b"", b"not marshal at all", b"\xe3\x00\x00"])
def test_a_corrupt_cache_is_rebuilt_not_a_crash(committed: Path, garbage: bytes) -> None:
    fresh_load(committed)
    (committed / ".git" / CACHE_FILE).write_bytes(garbage)

    assert "monday-kickoff" in fresh_load(committed).checklists
    assert (committed / ".git" / CACHE_FILE).read_bytes() != garbage


def test_outside_git_nothing_is_kept(make_playbook: MakePlaybook) -> None:
    root = make_playbook()

    fresh_load(root)

    assert not list(root.rglob("*.marshal"))
