"""Git plumbing shared by `init` and the record store.

Recording runs the git command line directly, a handful of short processes:
GitPython costs ~150 ms to import, more than the whole commit. GitPython (imported
lazily) remains for `init` and for reading history (`open_repository`, audit).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .errors import PlaybookError

if TYPE_CHECKING:
    import git


class Repo(Protocol):
    """What the record store needs of a repository: GitPython's Repo and Repository both fit."""

    @property
    def git_dir(self) -> str | os.PathLike[str]: ...

    @property
    def working_tree_dir(self) -> str | os.PathLike[str] | None: ...


@dataclass(frozen=True)
class Repository:
    """A repository with a work tree, as the git command line found it."""

    git_dir: Path
    working_tree_dir: Path


class GitFailed(Exception):
    """A git command ended with an error; `stderr` says why."""

    def __init__(self, args: Sequence[str], stderr: str) -> None:
        # The message is logged and shown on /healthz: the start of stderr says why.
        super().__init__(f"git {' '.join(args)}: {stderr.strip()[:300]}")
        self.stderr = stderr


def run_git(
    repo: Repo, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None
) -> str:
    """Run one git command in the work tree; its output without the trailing newline."""
    done = subprocess.run(
        ["git", *args],
        cwd=repo.working_tree_dir or repo.git_dir,
        input=input,
        capture_output=True,
        env={**os.environ, **env} if env else None,
        check=False,
    )
    if done.returncode != 0:
        raise GitFailed(args, done.stderr.decode(errors="replace"))
    return done.stdout.decode().rstrip("\n")


def require_identity(repo: Repo, where: Path, by_option: bool = True) -> str:
    """The committer identity git would use, or a PlaybookError saying how to set one."""
    try:
        return run_git(repo, "var", "GIT_COMMITTER_IDENT").rsplit(" ", 2)[0]
    except GitFailed:
        raise PlaybookError.at(
            where,
            "git does not know who you are, so it cannot commit in this repository",
            'run: git config user.name "Your Name" && git config user.email "you@example.com" '
            "(add --global for every repository)"
            + (', or pass --by "Name <email>"' if by_option else ""),
        ) from None


def identity(repo: Repo, where: Path) -> str:
    """'Name <email>' of the author git would record."""
    try:
        return run_git(repo, "var", "GIT_AUTHOR_IDENT").rsplit(" ", 2)[0]
    except GitFailed:
        require_identity(repo, where)
        raise


def write_atomically(target: Path, content: bytes, scratch: Path) -> None:
    """Write via a temporary file and a rename: readers see the old file or the new, never half."""
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    scratch.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=scratch, prefix=".record-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def init_repository(folder: Path, message: str, paths: list[Path] | None = None) -> str:
    """`git init` FOLDER and commit `paths` (relative; default everything); return the commit id."""
    import git

    repo = git.Repo.init(folder, initial_branch="main")
    require_identity(repo, folder, by_option=False)
    if paths is None:
        repo.git.add("--all")
    else:
        repo.git.add("--", *(path.as_posix() for path in paths))
    repo.git.commit("--quiet", "--no-verify", "-m", message)
    return repo.head.commit.hexsha


LOCK_FILE = "playbook/record.lock"
LOCK_TIMEOUT = 30.0
# Each state git can stop in, and the command that leaves it without keeping anything.
IN_PROGRESS = {
    "MERGE_HEAD": ("a merge", "git merge --abort"),
    "rebase-merge": ("a rebase", "git rebase --abort"),
    "rebase-apply": ("a rebase or git am", "git rebase --abort (or git am --abort)"),
    "CHERRY_PICK_HEAD": ("a cherry-pick", "git cherry-pick --abort"),
    "REVERT_HEAD": ("a revert", "git revert --abort"),
    "BISECT_LOG": ("a bisect", "git bisect reset"),
}
NOT_A_REPOSITORY = "this playbook is not inside a git repository, so records cannot be committed"
NOT_A_REPOSITORY_HINT = (
    "run `git init` here (or `playbook init`), or pass --no-commit to only write the file"
)


def find_repository(
    root: Path, message: str = NOT_A_REPOSITORY, hint: str = NOT_A_REPOSITORY_HINT
) -> Repository:
    """The repository holding `root` (searched upward, like git), found with one git process."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--absolute-git-dir", "--show-toplevel"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:  # git is not installed, or root is gone
        raise PlaybookError.at(root, message, hint) from None
    lines = done.stdout.splitlines()
    if done.returncode != 0 or len(lines) != 2:
        raise PlaybookError.at(root, message, hint)
    return Repository(Path(lines[0]), Path(lines[1]))


def open_repository(
    root: Path, message: str = NOT_A_REPOSITORY, hint: str = NOT_A_REPOSITORY_HINT
) -> git.Repo:
    """The repository holding `root` through GitPython, for reading its history."""
    import git

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise PlaybookError.at(root, message, hint) from None


def refuse_operation_in_progress(repo: Repo) -> None:
    git_dir = Path(repo.git_dir)
    for marker, (what, abort) in IN_PROGRESS.items():
        if (git_dir / marker).exists():
            raise PlaybookError.at(
                repo.working_tree_dir or git_dir,
                f"{what} is in progress in this repository",
                f"finish it, or abort it with `{abort}`, then record again",
            )


def refuse_detached_head(repo: Repo) -> None:
    """A commit on a detached HEAD belongs to no branch and is lost at the next checkout.

    An unborn branch (a new repository before its first commit) is fine: the
    record becomes that branch's first commit.
    """
    try:
        run_git(repo, "symbolic-ref", "-q", "HEAD")
    except GitFailed:
        raise PlaybookError.at(
            repo.working_tree_dir or repo.git_dir,
            "HEAD is detached (no branch is checked out), so the record's commit would be "
            "lost at the next checkout",
            "check out a branch first, e.g. `git switch main`, then record again",
        ) from None


class RepositoryLock:
    """An exclusive lock of our own around write + commit, released by the kernel if we die."""

    def __init__(self, repo: Repo, timeout: float = LOCK_TIMEOUT) -> None:
        self.path = Path(repo.git_dir) / LOCK_FILE
        self.timeout = timeout

    def __enter__(self) -> RepositoryLock:
        import fcntl
        import time

        self.path.parent.mkdir(exist_ok=True)
        self.handle = self.path.open("a")
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.handle.close()
                    raise PlaybookError.at(
                        self.path,
                        f"another `playbook check` has held the records lock for {self.timeout:.0f} s",
                        "wait for it to finish and try again",
                    ) from None
                time.sleep(0.02)

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def _retry(action, attempts: int = 50):  # type: ignore[no-untyped-def]
    """Run a git command that may meet a lock held by the user's own git for a moment."""
    import random
    import time

    for attempt in range(attempts):
        try:
            return action()
        except GitFailed as exc:
            transient = "index.lock" in exc.stderr or "cannot lock ref" in exc.stderr
            if not transient or attempt == attempts - 1:
                raise
            time.sleep(0.01 + random.random() * 0.05 * (attempt + 1))
    raise AssertionError("unreachable")


TreeEntries = dict[bytes, tuple[bytes, bytes]]  # name → (mode, raw object id), as git stores trees


@dataclass(frozen=True)
class HeadState:
    """What HEAD holds along one path: read in one `git cat-file --batch` process."""

    commit: str  # "" on an unborn branch
    trees: list[TreeEntries | None]  # the root tree, then each folder on the path (None: none yet)
    blob: str  # the object at the path itself, "" when there is none


def _cat_file(repo: Repo) -> subprocess.Popen[bytes]:
    """One `git cat-file --batch` process: names in on stdin, objects out on stdout."""
    return subprocess.Popen(
        ["git", "cat-file", "--batch"],
        cwd=repo.working_tree_dir or repo.git_dir,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def _along(tree: str, relative: str) -> list[str]:
    """The names of `tree` and of each folder in it on the way to `relative`."""
    parts = relative.split("/")
    return [tree, *(f"{tree}:{'/'.join(parts[:depth])}" for depth in range(1, len(parts)))]


def _trees(found: list[tuple[str, bytes, str] | None], size: int) -> list[TreeEntries | None]:
    return [_tree_entries(obj[1], size) if obj and obj[2] == "tree" else None for obj in found]


def read_head(repo: Repo, relative: str) -> HeadState:
    """HEAD's commit, the trees on the way to `relative` and what is at `relative`.

    HEAD is resolved first and every later name is read from that commit's tree,
    so the answers belong together even when someone commits meanwhile.
    """
    with _cat_file(repo) as process:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(b"HEAD\n")
        process.stdin.flush()  # cat-file answers each name as soon as it is read
        commit = _object(process.stdout)
        if commit is None:
            process.stdin.close()
            return HeadState("", [None] * len(relative.split("/")), "")
        tree = commit[1].split(b"\n", 1)[0].removeprefix(b"tree ").decode()
        names = [*_along(tree, relative), f"{tree}:{relative}"]
        process.stdin.write("".join(f"{name}\n" for name in names).encode())
        process.stdin.close()
        found = [_object(process.stdout) for _ in names]
    size = len(commit[0]) // 2  # bytes in a raw object id: 20 (SHA-1) or 32 (SHA-256)
    return HeadState(commit[0], _trees(found[:-1], size), found[-1][0] if found[-1] else "")


def tree_with(repo: Repo, tree: str | None, path: str, blob: str) -> str:
    """The id of `tree` (None: an empty one) with the file at `path` set to `blob`."""
    trees: list[TreeEntries | None] = [None] * len(path.split("/"))
    if tree:
        names = _along(tree, path)
        with _cat_file(repo) as process:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write("".join(f"{name}\n" for name in names).encode())
            process.stdin.close()
            trees = _trees([_object(process.stdout) for _ in names], len(blob) // 2)
    return write_trees(repo, HeadState("", trees, ""), path, blob)


def _object(stream) -> tuple[str, bytes, str] | None:  # type: ignore[no-untyped-def]
    """(id, content, type) of the next object `cat-file --batch` prints; None when missing."""
    header = stream.readline().split()
    if len(header) != 3:  # "<name> missing"
        return None
    content = stream.read(int(header[2]) + 1)[:-1]
    return header[0].decode(), content, header[1].decode()


def _tree_entries(raw: bytes, size: int) -> TreeEntries:
    entries: TreeEntries = {}
    position = 0
    while position < len(raw):
        space = raw.index(b" ", position)
        end = raw.index(b"\0", space)
        entries[raw[space + 1 : end]] = (raw[position:space], raw[end + 1 : end + 1 + size])
        position = end + 1 + size
    return entries


def write_trees(repo: Repo, head: HeadState, relative: str, blob: str) -> str:
    """The id of a new root tree: HEAD's with the file at `relative` set to `blob`.

    Only the trees on the file's path are rewritten, so the cost does not grow with
    the repository. Their ids are computed here, bottom-up, so that one
    `git mktree --batch` writes them all; every id git reports must be the one
    computed, so no parent can name a child that was not written. The other entries
    come from HEAD's trees, so git need not look each of them up (`--missing`).
    """
    parts = [part.encode() for part in relative.split("/")]
    digest = hashlib.sha1 if len(blob) == 40 else hashlib.sha256
    mode, oid = b"100644", bytes.fromhex(blob)
    batch: list[bytes] = []
    expected: list[str] = []
    for depth in range(len(parts) - 1, -1, -1):  # the file's folder first, the root last
        entries = dict(head.trees[depth] or {})
        entries[parts[depth]] = (mode, oid)
        ordered = sorted(entries.items(), key=_git_order)
        raw = b"".join(m + b" " + name + b"\0" + o for name, (m, o) in ordered)
        oid = digest(b"tree %d\0" % len(raw) + raw).digest()
        mode = b"40000"
        expected.append(oid.hex())
        batch += [b"%s %s %s\t%s\0" % (m, _kind(m), o.hex().encode(), n) for n, (m, o) in ordered]
        batch.append(b"\0")  # an empty line ends a tree
    written = run_git(repo, "mktree", "-z", "--missing", "--batch", input=b"".join(batch)).split()
    if written != expected:
        raise GitFailed(("mktree",), f"wrote trees {written}, expected {expected}")
    return written[-1]


def _git_order(entry: tuple[bytes, tuple[bytes, bytes]]) -> bytes:
    """Git's order of tree entries: by name, a folder as if its name ended in '/'."""
    name, (mode, _) = entry
    return name + b"/" if mode == b"40000" else name


def _kind(mode: bytes) -> bytes:
    return b"tree" if mode == b"40000" else b"commit" if mode == b"160000" else b"blob"


def parse_signature(by: str) -> tuple[str, str]:
    """'Name <email>' → (name, email); raise PlaybookError for anything else."""
    import re

    match = re.fullmatch(r"\s*([^<>]+?)\s*<([^<>@\s]+@[^<>\s]+)>\s*", by)
    if not match:
        raise PlaybookError.at(
            "--by",
            f"{by!r} is not of the form Name <email>",
            'write e.g. --by "Anna Kowalska <anna@example.com>"',
        )
    return match[1], match[2]


def blob_at_head(repo: Repo, relative: str) -> str | None:
    """The blob id HEAD has at a repository path, None when HEAD has no such file."""
    try:
        return run_git(repo, "rev-parse", "--verify", "-q", f"HEAD:{relative}")
    except GitFailed:
        return None


def commit_file(
    repo: Repo,
    relative: str,
    content: bytes,
    message: str,
    by: str | None,
    expected: str = "",
) -> str:
    """Write one file and commit exactly that file; return the commit id.

    The commit is built from HEAD's tree with only this path changed
    (hash-object, mktree, commit-tree, then a compare-and-swap update-ref), so
    whatever the user has staged or changed stays exactly as it was. The user's
    index gets the new entry for this one path, so their next commit keeps it.
    `expected` is the blob id the path must have at HEAD ("" for none): when
    someone else recorded the same occurrence meanwhile, nothing is replaced.
    """
    env: dict[str, str] = {}
    if by:
        name, email = parse_signature(by)
        env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}
    root = Path(repo.working_tree_dir or ".")
    try:
        run_git(repo, "var", "GIT_COMMITTER_IDENT")
    except GitFailed:
        if not by:
            require_identity(repo, root)
        env |= {
            "GIT_COMMITTER_NAME": env["GIT_AUTHOR_NAME"],
            "GIT_COMMITTER_EMAIL": env["GIT_AUTHOR_EMAIL"],
        }
    with RepositoryLock(repo):
        refuse_operation_in_progress(repo)
        refuse_detached_head(repo)
        head = read_head(repo, relative)
        if head.blob != expected:
            raise PlaybookError.at(
                relative,
                "someone else recorded this occurrence while you were recording it",
                "see their record with `playbook history`; to replace it, record again with --amend",
            )
        # The object first and the index entry next: if either fails, nothing is in the work tree.
        blob = run_git(repo, "hash-object", "-w", "--stdin", input=content)
        try:
            _retry(
                lambda: run_git(
                    repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{relative}"
                )
            )
        except GitFailed as exc:
            lock = Path(repo.git_dir) / "index.lock"
            raise PlaybookError.at(
                lock if lock.exists() else root,
                f"git's index stayed locked, so nothing was recorded ({exc.stderr.strip()[:200]})",
                f"if no other git command is running, a crashed one left {lock} behind: delete it and record again",
            ) from None
        write_atomically(root / relative, content, Path(repo.git_dir) / "playbook")
        for _ in range(20):
            tree = write_trees(repo, head, relative, blob)
            parents = ["-p", head.commit] if head.commit else []
            commit = run_git(repo, "commit-tree", tree, *parents, "-m", message, env=env)
            try:
                run_git(
                    repo,
                    "update-ref",
                    "-m",
                    f"playbook: {message.splitlines()[0]}",
                    "HEAD",
                    commit,
                    head.commit or "0" * 40,
                )
                return commit
            except GitFailed:
                # HEAD moved under us (someone committed): rebuild on the new HEAD
                head = read_head(repo, relative)
        raise PlaybookError.at(
            relative, "HEAD kept moving while recording", "try again when the repository is quiet"
        )
