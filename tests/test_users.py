"""`playbook user add|list|remove|passwd`: the users file, from the playbook and a subfolder."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from playbook.cli import main
from playbook.server.users import UsersFile, verify_password

from .teamserver import git_env, team_playbook

PASSWORD = "a long enough passphrase"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in git_env(tmp_path / "home").items():
        monkeypatch.setenv(name, value)
    return team_playbook(tmp_path / "playbook")


@pytest.fixture(params=[".", "roles"], ids=["from the playbook", "from a subfolder"])
def where(request: pytest.FixtureRequest, root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = root / request.param
    monkeypatch.chdir(folder)
    return folder


def _run(*args: str, password: str = PASSWORD) -> Result:
    return CliRunner().invoke(main, list(args), input=password + "\n")


def _add(users: Path, user_id: str = "anna", *extra: str) -> Result:
    return _run(
        "user", "add", user_id, "--users", str(users), "--name", "Anna Kowalska",
        "--email", "anna@northwind.example", *(extra or ("--team", "warsaw")),
        "--password-stdin",
    )  # fmt: skip


def test_user_add_writes_a_salted_scrypt_hash_and_never_the_password(
    where: Path, tmp_path: Path
) -> None:
    users = tmp_path / "users.json"
    result = _add(users)
    assert result.exit_code == 0, result.output
    text = users.read_text()
    assert PASSWORD not in text
    stored = json.loads(text)["users"][0]
    assert stored["password"].startswith("scrypt$")
    assert verify_password(stored["password"], PASSWORD)
    assert stat.S_IMODE(users.stat().st_mode) == 0o600


def test_two_users_with_the_same_password_get_different_hashes(where: Path, tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    _add(users, "anna")
    _add(users, "bernd", "--team", "berlin")
    hashes = [u.password for u in UsersFile.read(users).users.values()]
    assert len(set(hashes)) == 2


def test_user_list_shows_ids_names_and_teams_but_no_hash(where: Path, tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    _add(users)
    _add(users, "boss", "--admin")
    result = _run("user", "list", "--users", str(users))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "anna\tAnna Kowalska <anna@northwind.example>\twarsaw",
        "boss\tAnna Kowalska <anna@northwind.example>\tadmin",
    ]
    assert "scrypt" not in result.output


def test_user_list_of_a_file_not_made_yet_says_how_to_start(where: Path, tmp_path: Path) -> None:
    result = _run("user", "list", "--users", str(tmp_path / "users.json"))
    assert result.exit_code == 0
    assert "No users yet" in result.output


def test_user_remove_and_passwd(where: Path, tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    _add(users)
    _add(users, "bernd", "--team", "berlin")
    passwd = _run("user", "passwd", "bernd", "--users", str(users), "--password-stdin",
                  password="a brand new passphrase")  # fmt: skip
    assert passwd.exit_code == 0, passwd.output
    assert UsersFile.read(users).get("bernd").checks("a brand new passphrase")
    assert _run("user", "remove", "anna", "--users", str(users)).exit_code == 0
    assert list(UsersFile.read(users).users) == ["bernd"]


def test_an_unknown_team_is_refused_with_the_closest(where: Path, tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    result = _add(users, "anna", "--team", "warsw")
    assert result.exit_code == 1
    assert "the playbook has no team 'warsw'" in result.output
    assert "did you mean 'warsaw'?" in result.output
    assert not users.exists()


def test_a_short_password_is_refused(where: Path, tmp_path: Path) -> None:
    result = _run(
        "user", "add", "anna", "--users", str(tmp_path / "u.json"), "--name", "Anna",
        "--email", "a@example.com", "--team", "warsaw", "--password-stdin", password="short",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "at least 10 are needed" in result.output


def test_team_and_admin_together_are_refused(where: Path, tmp_path: Path) -> None:
    result = _add(tmp_path / "users.json", "anna", "--team", "warsaw", "--admin")
    assert result.exit_code == 1
    assert "not both" in result.output


def test_adding_an_existing_user_is_refused_and_the_file_kept(where: Path, tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    _add(users)
    before = users.read_bytes()
    result = _add(users)
    assert result.exit_code == 1
    assert "user 'anna' exists already" in result.output
    assert users.read_bytes() == before


def test_a_users_file_inside_the_repository_is_refused(where: Path, root: Path) -> None:
    result = _add(root / "users.json")
    assert result.exit_code == 1
    assert "inside the playbook's repository" in result.output
    assert not (root / "users.json").exists()


def test_a_users_file_that_is_not_json_is_a_located_error_without_a_traceback(
    where: Path, tmp_path: Path
) -> None:
    users = tmp_path / "users.json"
    users.write_text('{"users": [\n  {"id": "anna",,}\n]}\n')
    result = _run("user", "list", "--users", str(users))
    assert result.exit_code == 1
    assert f"{os.path.relpath(users)}:2:17: the users file is not valid JSON" in result.output
    assert "Traceback" not in result.output


def test_a_users_file_with_a_wrong_shape_names_the_key(where: Path, tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    users.write_text('{"users": [{"id": "anna", "name": "Anna", "email": 5, "password": "x"}]}')
    result = _run("user", "list", "--users", str(users))
    assert result.exit_code == 1
    assert "email must be non-empty text (at users[0].email)" in result.output


def test_user_add_runs_as_its_own_process_with_the_password_on_stdin(
    root: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    users = tmp_path / "users.json"
    done = subprocess.run(
        [sys.executable, "-m", "playbook", "-C", "roles", "user", "add", "anna", "--users",
         str(users), "--name", "Anna", "--email", "a@example.com", "--team", "warsaw",
         "--password-stdin"],
        cwd=root, input=PASSWORD + "\n", capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert UsersFile.read(users).get("anna").checks(PASSWORD)
