"""The team server's users: one JSON file outside the repository, salted scrypt hashes.

The file is never part of the playbook (it would be committed and pushed), is
written atomically with mode 0600, and holds no password in plain text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from ..errors import Location, PlaybookError, Problem
from ..gitrepo import write_atomically

USER_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")
EMAIL = re.compile(r"[^<>@\s]+@[^<>@\s]+")
MIN_PASSWORD = 10
# scrypt at n=2**14, r=8: ~16 MiB and a few tens of milliseconds per guess.
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
FORMAT = 1


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str
    teams: tuple[str, ...] = ()
    admin: bool = False
    password: str = field(default="", repr=False)  # "scrypt$n$r$p$salt$hash"

    @property
    def signature(self) -> str:
        """The record's `by` and the commit's author."""
        return f"{self.name} <{self.email}>"

    def may_record_for(self, team: str | None) -> bool:
        """A team's records are its members' business; records for everyone are admins'."""
        return self.admin or (team is not None and team in self.teams)

    def checks(self, password: str) -> bool:
        return verify_password(self.password, password)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    encoded = [base64.b64encode(part).decode() for part in (salt, digest)]
    return "$".join(["scrypt", str(SCRYPT["n"]), str(SCRYPT["r"]), str(SCRYPT["p"]), *encoded])


def verify_password(stored: str, password: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return kind == "scrypt" and hmac.compare_digest(actual, expected)


def check_password(password: str, where: str = "--password-stdin") -> str:
    if len(password) < MIN_PASSWORD:
        raise PlaybookError.at(
            where,
            f"the password has {len(password)} characters; at least {MIN_PASSWORD} are needed",
            "choose a longer one (a passphrase of a few words is easy to type and hard to guess)",
        )
    return password


class UsersFile:
    """The users file: read whole, changed in memory, written back atomically."""

    def __init__(self, path: Path, users: dict[str, User] | None = None) -> None:
        self.path = path
        self.users: dict[str, User] = users or {}

    @classmethod
    def read(cls, path: Path, missing_ok: bool = False) -> UsersFile:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            if missing_ok:
                return cls(path)
            raise PlaybookError.at(
                path,
                "no users file here",
                "create it with `playbook user add ID --users FILE ...`",
            ) from None
        except UnicodeDecodeError:
            raise PlaybookError.at(path, "the users file is not UTF-8 text", _REWRITE) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlaybookError.at(
                path,
                f"the users file is not valid JSON: {exc.msg}",
                _REWRITE,
                exc.lineno,
                exc.colno,
            ) from None
        return cls(path, _users(path, data))

    def get(self, user_id: str) -> User:
        if user_id not in self.users:
            close = get_close_matches(user_id, list(self.users), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "`playbook user list` shows them"
            raise PlaybookError.at(self.path, f"no user {user_id!r} in the users file", hint)
        return self.users[user_id]

    def add(self, user: User) -> None:
        if user.id in self.users:
            raise PlaybookError.at(
                self.path,
                f"user {user.id!r} exists already",
                f"change the password with `playbook user passwd {user.id}`, "
                f"or `playbook user remove {user.id}` first",
            )
        self.users[user.id] = user

    def remove(self, user_id: str) -> User:
        return self.users.pop(self.get(user_id).id)

    def set_password(self, user_id: str, password: str) -> None:
        self.users[user_id] = replace(self.get(user_id), password=hash_password(password))

    def write(self) -> None:
        payload = {
            "format": FORMAT,
            "users": [
                {
                    "id": u.id,
                    "name": u.name,
                    "email": u.email,
                    "teams": list(u.teams),
                    "admin": u.admin,
                    "password": u.password,
                }
                for u in sorted(self.users.values(), key=lambda u: u.id)
            ],
        }
        content = (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode()
        folder = self.path.resolve().parent
        write_atomically(self.path, content, folder)
        os.chmod(self.path, 0o600)


_REWRITE = "fix the file by hand, or move it away and add the users again with `playbook user add`"


def _users(path: Path, data: Any) -> dict[str, User]:
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        problems.append(Problem(Location(str(path)), message, _REWRITE, key))

    entries = data.get("users") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise PlaybookError(Problem(Location(str(path)), 'expected {"users": [...]}', _REWRITE))
    users: dict[str, User] = {}
    for index, entry in enumerate(entries):
        key = f"users[{index}]"
        if not isinstance(entry, dict):
            problem(key, "each user is an object")
            continue
        texts = {name: entry.get(name) for name in ("id", "name", "email", "password")}
        wrong = [name for name, value in texts.items() if not isinstance(value, str) or not value]
        for name in wrong:
            problem(f"{key}.{name}", f"{name} must be non-empty text")
        teams = entry.get("teams", [])
        if not isinstance(teams, list) or not all(isinstance(t, str) for t in teams):
            problem(f"{key}.teams", "teams must be a list of team ids")
            teams = []
        admin = entry.get("admin", False)
        if not isinstance(admin, bool):
            problem(f"{key}.admin", "admin must be true or false")
        if wrong or not isinstance(admin, bool):
            continue
        if not str(texts["password"]).startswith("scrypt$"):
            problem(f"{key}.password", "the password is not a scrypt hash")
            continue
        if texts["id"] in users:
            problem(f"{key}.id", f"user {texts['id']!r} is listed twice")
            continue
        users[str(texts["id"])] = User(
            str(texts["id"]),
            str(texts["name"]),
            str(texts["email"]),
            tuple(teams),
            admin,
            str(texts["password"]),
        )
    if problems:
        raise PlaybookError(problems)
    return users


def new_user(
    user_id: str,
    name: str,
    email: str,
    teams: tuple[str, ...],
    admin: bool,
    password: str,
    known_teams: list[str],
) -> User:
    """A user checked against the playbook's teams, with the password hashed."""
    problems = []
    if not USER_ID.fullmatch(user_id):
        problems.append(
            Problem(
                Location("ID"),
                f"{user_id!r} is not a user id",
                "use lower-case letters, digits, '.', '_' and '-', e.g. anna.kowalska",
            )
        )
    if not EMAIL.fullmatch(email):
        problems.append(Problem(Location("--email"), f"{email!r} is not an e-mail address"))
    if not name.strip() or any(c in name for c in "<>"):
        problems.append(Problem(Location("--name"), f"{name!r} is not a name", "e.g. Anna Nowak"))
    if admin == bool(teams):
        problems.append(
            Problem(
                Location("--team"),
                "a user records for one or more teams (--team T ...) or for all (--admin)",
                "give --team (repeatable) or --admin, not both",
            )
        )
    for team in teams:
        if team not in known_teams:
            close = get_close_matches(team, known_teams, n=1)
            problems.append(
                Problem(
                    Location("--team"),
                    f"the playbook has no team {team!r}",
                    f"did you mean {close[0]!r}?"
                    if close
                    else f"known teams: {', '.join(known_teams) or 'none'}",
                )
            )
    if problems:
        raise PlaybookError(problems)
    check_password(password)
    return User(user_id, name.strip(), email, teams, admin, hash_password(password))


def refuse_inside(users_path: Path, repository: Path) -> None:
    """The users file must not live in the playbook's repository: git would publish it."""
    resolved = users_path.resolve()
    if resolved.is_relative_to(repository.resolve()):
        raise PlaybookError.at(
            users_path,
            "the users file is inside the playbook's repository, where a commit would publish it",
            "keep it outside, e.g. --users /etc/playbook/users.json or ~/playbook-users.json",
        )
