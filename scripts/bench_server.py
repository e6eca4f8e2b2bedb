#!/usr/bin/env python3
"""Benchmark `playbook server`: concurrent recordings over HTTP, each pushed to a bare remote.

A temporary repository is made from the scaffold with one pod per user, pushed to
a bare repository, and served by `playbook server --push origin` (waitress, its
own process, 127.0.0.1). Then RECORDINGS recordings are sent at once from USERS
clients (HTTP Basic, one user and pod each, distinct past Mondays), and the
script prints the median and p95 latency of a recording (request sent to 201
received, commit and push included), the throughput, and checks that every
record landed on the remote exactly once.

    python scripts/bench_server.py --quick
    python scripts/bench_server.py                       # 50 recordings from 10 users
    python scripts/bench_server.py --users 20 --recordings 200
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from benchlib import GIT_ENV, median, say

from playbook.scaffold import init_playbook
from playbook.server.users import User, UsersFile, hash_password

CHECKLIST = "weekly-pipeline-review"
PASSWORD = "benchmark passphrase"
NOW = "2026-11-30T10:00+01:00"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, env=ENV, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def setup(folder: Path, users: int) -> tuple[Path, Path, Path]:
    root = folder / "server-clone"
    init_playbook(root)
    teams = ["teams:"]
    for i in range(users):
        teams += [
            f"  - id: pod-{i}",
            f"    name: Pod {i}",
            f"    manager: manager-{i}",
            "    members:",
            f"      - {{id: manager-{i}, name: Manager {i}, email: m{i}@example.com, role: sales-manager}}",
        ]
    with (root / "playbook.yml").open("a") as handle:
        handle.write("tracking_since: 2020-01-06\n" + "\n".join(teams) + "\n")
    git(root, "commit", "-qam", "Pods")
    bare = folder / "shared.git"
    git(folder, "init", "-q", "--bare", "--initial-branch=main", str(bare))
    git(root, "remote", "add", "origin", str(bare))
    git(root, "push", "-q", "origin", "main")
    hashed = hash_password(PASSWORD)
    people = {
        f"manager-{i}": User(
            f"manager-{i}", f"Manager {i}", f"m{i}@example.com", (f"pod-{i}",), False, hashed
        )
        for i in range(users)
    }
    users_file = folder / "users.json"
    UsersFile(users_file, people).write()
    return root, bare, users_file


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("the server exited before it was ready")
        try:
            with urllib.request.urlopen(url + "healthz", timeout=2) as response:
                if json.loads(response.read())["site"]["generation"] >= 1:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    sys.exit("the server was not ready within 120 s")


def record(url: str, user: int, occurrence: str) -> tuple[int, float]:
    body = json.dumps(
        {
            "checklist": CHECKLIST,
            "team": f"pod-{user}",
            "occurrence": occurrence,
            "done": ["lead-statuses", "next-steps"],
            "metrics": {"new-leads": "7"},
        }
    ).encode()
    token = base64.b64encode(f"manager-{user}:{PASSWORD}".encode()).decode()
    headers = {"Content-Type": "application/json", "Authorization": f"Basic {token}"}
    request = urllib.request.Request(url + "api/records", body, headers, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--recordings", type=int, default=50)
    parser.add_argument("--threads", type=int, default=10, help="the server's worker threads")
    parser.add_argument("--quick", action="store_true", help="10 recordings from 5 users")
    options = parser.parse_args()
    if options.quick:
        options.users, options.recordings = 5, 10
    per_user = -(-options.recordings // options.users)
    mondays = [(date(2026, 11, 23) - timedelta(weeks=i)).isoformat() for i in range(per_user)]
    jobs = [(i % options.users, mondays[i // options.users]) for i in range(options.recordings)]
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        folder = Path(tmp)
        root, bare, users = setup(folder, options.users)
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        log = (folder / "server.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "playbook", "server", "--port", str(port), "--users",
             str(users), "--push", "origin", "--threads", str(options.threads)],
            cwd=root, env=ENV, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_ready(url, process)
            started = time.perf_counter()
            with ThreadPoolExecutor(options.users) as pool:
                results = list(pool.map(lambda job: record(url, *job), jobs))
            wall = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(timeout=60)
        statuses = [status for status, _ in results]
        latencies = sorted(seconds for _, seconds in results)
        landed = git(bare, "ls-tree", "-r", "--name-only", "main", "--", "logs").splitlines()
        commits = git(bare, "rev-list", "--count", "main", "--", "logs")
        p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
        say(
            f"{options.recordings} recordings from {options.users} users at once, "
            f"pushed to a bare remote ({options.threads} server threads):"
        )
        say(f"  latency median {median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
        say(f"  throughput {len(results) / wall:.1f} recordings/s ({wall:.1f} s in all)")
        say(
            f"  answers: {sorted(set(statuses))}; on the remote: {len(landed)} files, {commits} commits"
        )
        if statuses != [201] * len(jobs) or len(landed) != len(jobs) or int(commits) != len(jobs):
            sys.exit("not every recording landed exactly once")


ENV = {**GIT_ENV, "NO_MKDOCS_2_WARNING": "1", "PLAYBOOK_NOW": NOW}
ENV["GIT_CONFIG_GLOBAL"] = os.devnull
ENV |= {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com"}
ENV |= {"GIT_COMMITTER_NAME": "Playbook Server", "GIT_COMMITTER_EMAIL": "server@example.com"}

if __name__ == "__main__":
    main()
