"""A real `playbook server` for the tests: a scaffolded playbook in git, users, a bare remote.

The server runs as its own process (waitress on 127.0.0.1, a free port), so that
SIGTERM and `kill -9` are the real thing; `Client` is a browser without a
browser: a cookie jar, the login form, the CSRF token of the pages it served.
"""

from __future__ import annotations

import base64
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playbook.scaffold import init_playbook
from playbook.server.users import User as ServerUser
from playbook.server.users import UsersFile, hash_password

CHECKLIST = "weekly-pipeline-review"
PAGE = f"checklists/{CHECKLIST}/"
PASSWORD = "correct horse battery"
SERVER_IDENTITY = ("Playbook Server", "server@northwind.example")
# Team i is "team-i", managed by "manager-i", a sales manager; team-0 is Warsaw.
TEAM_NAMES = ["Warsaw pod", "Berlin pod", *(f"Pod {i}" for i in range(2, 20))]
# next-steps is required: skipped with a reason it still leaves the record done.
DONE_BODY = {
    "checklist": CHECKLIST,
    "done": ["lead-statuses"],
    "skipped": {"next-steps": "no open deals this week"},
    "metrics": {"new-leads": "3"},
}


def team_id(index: int) -> str:
    return ["warsaw", "berlin"][index] if index < 2 else f"team-{index}"


def manager_id(index: int) -> str:
    return ["anna", "bernd"][index] if index < 2 else f"manager-{index}"


def manager_name(index: int) -> str:
    return ["Anna Kowalska", "Bernd Weber"][index] if index < 2 else f"Manager {index}"


NEWCOMER = "piotr"  # a new SDR in Warsaw, with an onboarding checklist of his own


def teams_yaml(count: int) -> str:
    lines = ["tracking_since: 2026-01-05", "teams:"]
    for i in range(count):
        lines += [
            f"  - id: {team_id(i)}",
            f"    name: {TEAM_NAMES[i]}",
            f"    manager: {manager_id(i)}",
            "    members:",
            f"      - {{id: {manager_id(i)}, name: {manager_name(i)}, "
            f"email: {manager_id(i)}@northwind.example, role: sales-manager}}",
        ]
        if i == 0:
            lines.append(
                f"      - {{id: {NEWCOMER}, name: Piotr Nowak, email: piotr@northwind.example, "
                "role: sdr, started: 2026-11-16}"
            )
    return "\n".join(lines) + "\n"


def git(root: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} in {root}:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


def git_env(home: Path) -> dict[str, str]:
    """A hermetic git for the server and the tests: the server's own identity, nothing global."""
    config = home / "gitconfig"
    if not config.exists():
        home.mkdir(parents=True, exist_ok=True)
        name, email = SERVER_IDENTITY
        config.write_text(f"[user]\n\tname = {name}\n\temail = {email}\n")
    return {"GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(home)}


def team_playbook(root: Path, teams: int = 2) -> Path:
    """The scaffold with `teams` pods, committed on main."""
    init_playbook(root)
    with (root / "playbook.yml").open("a") as handle:
        handle.write(teams_yaml(teams))
    git(root, "commit", "-qam", "Add the pods")
    return root


def with_remote(root: Path, bare: Path) -> Path:
    """A bare repository holding `root`'s main, set as `root`'s origin."""
    git(bare.parent, "init", "-q", "--bare", "--initial-branch=main", str(bare))
    git(root, "remote", "add", "origin", str(bare))
    git(root, "push", "-q", "-u", "origin", "main")
    return bare


def clone(bare: Path, target: Path) -> Path:
    git(bare.parent, "clone", "-q", str(bare), str(target))
    return target


def write_users(path: Path, teams: int = 2, admin: bool = True) -> Path:
    """Each pod's manager as a user of their pod; `boss` an admin. All share PASSWORD."""
    hashed = hash_password(PASSWORD)  # one hash for all: scrypt is slow on purpose
    users = {
        manager_id(i): ServerUser(
            manager_id(i),
            manager_name(i),
            f"{manager_id(i)}@northwind.example",
            (team_id(i),),
            False,
            hashed,
        )
        for i in range(teams)
    }
    if admin:
        users["boss"] = ServerUser("boss", "Olga Boss", "boss@northwind.example", (), True, hashed)
    UsersFile(path, users).write()
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    root: Path
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "healthz", timeout=5) as response:
            return json.loads(response.read())

    def wait_for(self, condition: Any, timeout: float = 60, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = condition()
            except (urllib.error.URLError, ConnectionError, OSError):
                value = None
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what or condition}:\n{self.log_tail()}")

    def generation(self) -> int:
        return int(self.health()["site"]["generation"])

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=60)


def start_server(
    root: Path,
    users: Path,
    *options: str,
    env: Mapping[str, str] | None = None,
    port: int = 0,
    cwd: Path | None = None,
) -> Server:
    """`playbook server` started in `cwd` (default: the playbook's root), once it has built."""
    port = port or free_port()
    log = root.parent / f"server-{port}.log"
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "playbook",
            "server",
            "--port",
            str(port),
            "--users",
            str(users),
            *list(options),
        ],
        cwd=cwd or root,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env=full_env,
    )
    server = Server(f"http://127.0.0.1:{port}/", root, process, log, full_env)

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the server exited ({process.returncode}):\n{server.log_tail()}")
        return server.generation() >= 1

    server.wait_for(ready, what="the first build")
    return server


@contextmanager
def running(root: Path, users: Path, *options: str, **kwargs: Any) -> Iterator[Server]:
    server = start_server(root, users, *options, **kwargs)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.process.terminate()
            try:
                server.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.process.kill()


@dataclass
class Reply:
    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Client:
    """One browser's worth of cookies against one server; redirects are returned, not followed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(
        self,
        path: str,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        method: str | None = None,
    ) -> Reply:
        request = urllib.request.Request(
            self.url + path.lstrip("/"), data=data, headers=dict(headers or {}), method=method
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.headers, error.read())

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> Reply:
        return self.request(path, headers=headers)

    def login(self, user: str, password: str = PASSWORD, next_path: str = "/my/") -> Reply:
        form = self.get(f"login?next={urllib.parse.quote(next_path)}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf, form.text
        data = urllib.parse.urlencode(
            {"user": user, "password": password, "csrf": csrf[1], "next": next_path}
        ).encode()
        return self.request("login", data, {"Content-Type": "application/x-www-form-urlencoded"})

    def token(self, path: str = PAGE) -> str:
        page = self.get(path)
        match = re.search(r'<meta name="playbook-api" content="([^"]+)"', page.text)
        assert match, f"{page.status}: no token in {path}"
        return match[1]

    def post_json(self, path: str, body: object, token: str | None = None, **headers: str) -> Reply:
        sent = {"Content-Type": "application/json", "Origin": self.url.rstrip("/"), **headers}
        if token is not None:
            sent["X-Playbook-Token"] = token
        return self.request(path, json.dumps(body).encode(), sent, "POST")


def basic(user: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def record_as(
    server_url: str, user: str, team: str, occurrence: str | None = None, **extra: Any
) -> Reply:
    """A recording over HTTP Basic, as a script would send it."""
    body: dict[str, Any] = {**DONE_BODY, "team": team, **extra}
    if occurrence:
        body["occurrence"] = occurrence
    return Client(server_url).post_json("api/records", body, **basic(user))


def mondays(count: int, before: str = "2026-11-23") -> list[str]:
    """`count` Mondays from 2026-01-05 on, all in the past of the tests' clock."""
    from datetime import date, timedelta

    first = date(2026, 1, 5)
    last = date.fromisoformat(before)
    days = [first + timedelta(weeks=i) for i in range(60)]
    return [d.isoformat() for d in days if d <= last][:count]


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
