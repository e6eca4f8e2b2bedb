"""The server's clone and the shared repository: push each record, pull what others did.

Records are one file per commit, so the server replays its own unpushed record
commits onto whatever the remote holds with git plumbing (a new tree with that
one path set, the same message, author and date), never with `git rebase`: a
replay leaves no half-done rebase behind when the process dies, and it knows
the one real conflict there is, two people recording the same occurrence. The
later one is refused, kept under refs/playbook/refused/, and never pushed.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import Location, PlaybookError, Problem
from ..gitrepo import GitFailed, RepositoryLock, open_repository, tree_with
from ..records import LOGS_DIR, RecordError, parse_record

log = logging.getLogger("playbook.server")

PUSH_ATTEMPTS = 5
REFUSED = "refs/playbook/refused"


@dataclass
class SyncState:
    """What /healthz reports about the remote."""

    pending: int = 0
    last_error: str = ""
    refused: dict[str, Problem] = field(default_factory=dict)  # commit → why it was dropped


class Remote:
    """Pushes HEAD's branch to one remote and replays local records onto it when it moved."""

    def __init__(self, root: Path, remote: str) -> None:
        self.repo = open_repository(root)
        self.top = Path(self.repo.working_tree_dir or root)
        self.remote = remote
        self.branch = self._git("symbolic-ref", "--short", "-q", "HEAD", check=False)
        if not self.branch:
            raise PlaybookError.at(
                self.top,
                "HEAD is detached, so there is no branch to push records to",
                "check out the branch the server records on, e.g. `git switch main`",
            )
        self.tracking = f"refs/remotes/{remote}/{self.branch}"
        self.state = SyncState()
        self.lock = threading.Lock()  # one push or pull at a time; recording never waits on it
        url = self._git("remote", "get-url", remote, check=False)
        if not url:
            raise PlaybookError.at(
                "--push",
                f"the playbook's repository has no remote {remote!r}",
                f"add it with `git remote add {remote} URL`, or name one `git remote` lists",
            )

    def _git(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
        import os

        done = subprocess.run(
            ["git", *args],
            cwd=self.top,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
        )
        if check and done.returncode != 0:
            raise GitFailed(list(args), done.stderr)
        return done.stdout.strip() if done.returncode == 0 else ""

    def _rev(self, name: str) -> str:
        return self._git("rev-parse", "--verify", "-q", name, check=False)

    def _is_ancestor(self, older: str, newer: str) -> bool:
        args = ["git", "merge-base", "--is-ancestor", older, newer]
        return subprocess.run(args, cwd=self.top, capture_output=True).returncode == 0

    def count_pending(self) -> int:
        base = self._rev(self.tracking)
        spec = f"{base}..HEAD" if base else "HEAD"
        self.state.pending = int(self._git("rev-list", "--count", spec) or 0)
        return self.state.pending

    def fetch(self) -> None:
        self._git("fetch", "--quiet", self.remote, f"+refs/heads/{self.branch}:{self.tracking}")

    def publish(self) -> SyncState:
        """Push what is committed; when the remote moved, fetch, replay, and push again.

        A remote that cannot be reached keeps the commits here, counted as pending,
        and the next publish or pull pushes them.
        """
        with self.lock:
            try:
                for _attempt in range(PUSH_ATTEMPTS):
                    if self.count_pending() == 0:
                        break
                    if self._push():
                        break
                    self.fetch()
                    self._replay()
                else:
                    raise GitFailed(["push"], f"the remote kept moving ({PUSH_ATTEMPTS} tries)")
                self.state.last_error = ""
            except GitFailed as exc:
                self.state.last_error = str(exc)
                log.warning(f"push to {self.remote} failed, the records wait here: {exc}")
            self.count_pending()
            return self.state

    def pull(self) -> bool:
        """Fetch and replay onto the remote; True when HEAD changed (the site needs a rebuild)."""
        with self.lock:
            before = self._rev("HEAD")
            try:
                self.fetch()
                self._replay()
                self.state.last_error = ""
            except GitFailed as exc:
                self.state.last_error = str(exc)
                log.warning(f"pull from {self.remote} failed: {exc}")
            changed = self._rev("HEAD") != before
        if self.count_pending():
            self.publish()
        return changed

    def _push(self) -> bool:
        """True when pushed; False when the remote has commits we do not (fetch and replay)."""
        # One commit id, resolved once: a record committed while the push runs is not in
        # it, so the tracking ref must not move past what was really pushed.
        pushed = self._rev("HEAD")
        args = ["push", "--porcelain", "--quiet", self.remote, f"{pushed}:refs/heads/{self.branch}"]
        done = subprocess.run(["git", *args], cwd=self.top, capture_output=True, text=True)
        if done.returncode == 0:
            self._git("update-ref", self.tracking, pushed)
            return True
        told = done.stdout + done.stderr
        if "[rejected]" in told or "fetch first" in told or "non-fast-forward" in told:
            return False
        raise GitFailed(args, told)

    def _replay(self) -> None:
        """Put HEAD's unpushed record commits on top of the remote's branch."""
        base = self._rev(self.tracking)
        if not base:
            return
        with RepositoryLock(self.repo):
            head = self._rev("HEAD")
            if self._is_ancestor(base, head):
                return  # already on top of the remote
            local = self._git("rev-list", "--reverse", "--topo-order", f"{base}..{head}")
            tip = base
            for commit in filter(None, local.splitlines()):
                tip = self._replay_one(commit, tip)
            self._git("update-index", "-q", "--refresh", check=False)
            self._git("read-tree", "-m", "-u", head, tip)
            self._git(
                "update-ref", "-m", f"playbook: replayed onto {self.remote}", "HEAD", tip, head
            )
            log.info(
                f"replayed {len(local.split())} record commit(s) onto {self.remote}/{self.branch}"
            )

    def _replay_one(self, commit: str, tip: str) -> str:
        parents = self._git("rev-list", "--parents", "-n", "1", commit).split()[1:]
        changes = self._git("diff-tree", "-r", "--no-commit-id", "--no-renames", commit)
        entries = [line.split("\t", 1) for line in changes.splitlines() if line]
        if len(parents) != 1 or len(entries) != 1 or not entries[0][1].startswith(f"{LOGS_DIR}/"):
            raise GitFailed(
                ["replay", commit[:12]],
                "a local commit that is not one record cannot be replayed onto the remote; "
                "push or drop it by hand in the server's clone",
            )
        meta, path = entries[0]
        _, _, old_blob, new_blob, _ = meta.lstrip(":").split()
        zeros = "0" * 40
        there = self._rev(f"{tip}:{path}")
        if there == new_blob:
            return tip  # the remote has exactly this record already
        if there != (old_blob if old_blob != zeros else ""):
            self._refuse(commit, path, tip)
            return tip
        author = self._git("log", "-1", "--format=%an%x00%ae%x00%aI", commit).split("\0")
        message = self._git("log", "-1", "--format=%B", commit)
        tree = tree_with(self.repo, self._rev(f"{tip}^{{tree}}"), path, new_blob)
        env = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]}
        env["GIT_AUTHOR_DATE"] = author[2]
        return self._git("commit-tree", tree, "-p", tip, "-m", message, env=env)

    def _refuse(self, commit: str, path: str, tip: str) -> None:
        """Someone recorded the same occurrence on the remote first: theirs stands."""
        self._git("update-ref", f"{REFUSED}/{commit}", commit)
        who = "someone"
        try:
            theirs = parse_record(self._git("show", f"{tip}:{path}"))
            state = "done" if theirs.complete else "partial"
            who = f"{theirs.by.split('<')[0].strip()} ({state}, {theirs.completed_at:%a %d %b %Y %H:%M %Z})"
        except (RecordError, yaml.YAMLError, GitFailed):
            pass
        problem = Problem(
            Location(path),
            f"this occurrence was recorded on the shared repository meanwhile by {who}",
            f"yours was not kept (it is saved as {REFUSED}/{commit[:12]} in the server's clone); "
            "reload the page to see their record, and amend it if yours should replace it",
            "amend",
        )
        self.state.refused[commit] = problem
        log.warning(f"{path}: refused {commit[:12]}, recorded on the remote first by {who}")
