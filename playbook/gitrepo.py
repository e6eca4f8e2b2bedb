"""Git plumbing shared by `init` and the record store (GitPython, imported lazily: ~150 ms)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PlaybookError

if TYPE_CHECKING:
    import git


def require_identity(repo: git.Repo, where: Path, by_option: bool = True) -> str:
    """The committer identity git would use, or a PlaybookError saying how to set one."""
    import git

    try:
        return repo.git.var("GIT_COMMITTER_IDENT").rsplit(" ", 2)[0]
    except git.GitCommandError:
        raise PlaybookError.at(
            where,
            "git does not know who you are, so it cannot commit in this repository",
            'run: git config user.name "Your Name" && git config user.email "you@example.com" '
            "(add --global for every repository)"
            + (', or pass --by "Name <email>"' if by_option else ""),
        ) from None


def identity(repo: git.Repo, where: Path) -> str:
    """'Name <email>' of the author git would record."""
    import git

    try:
        return repo.git.var("GIT_AUTHOR_IDENT").rsplit(" ", 2)[0]
    except git.GitCommandError:
        require_identity(repo, where)
        raise


def write_atomically(target: Path, content: bytes, scratch: Path) -> None:
    """Write via a temporary file and a rename: readers see the old file or the new, never half."""
    import os
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


def open_repository(
    root: Path, message: str = NOT_A_REPOSITORY, hint: str = NOT_A_REPOSITORY_HINT
) -> git.Repo:
    import git

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise PlaybookError.at(root, message, hint) from None


def refuse_operation_in_progress(repo: git.Repo) -> None:
    git_dir = Path(repo.git_dir)
    for marker, (what, abort) in IN_PROGRESS.items():
        if (git_dir / marker).exists():
            raise PlaybookError.at(
                repo.working_tree_dir or git_dir,
                f"{what} is in progress in this repository",
                f"finish it, or abort it with `{abort}`, then record again",
            )


def refuse_detached_head(repo: git.Repo) -> None:
    """A commit on a detached HEAD belongs to no branch and is lost at the next checkout.

    An unborn branch (a new repository before its first commit) is fine: the
    record becomes that branch's first commit.
    """
    import git

    try:
        repo.git.symbolic_ref("-q", "HEAD")
    except git.GitCommandError:
        raise PlaybookError.at(
            repo.working_tree_dir or repo.git_dir,
            "HEAD is detached (no branch is checked out), so the record's commit would be "
            "lost at the next checkout",
            "check out a branch first, e.g. `git switch main`, then record again",
        ) from None


class RepositoryLock:
    """An exclusive lock of our own around write + commit, released by the kernel if we die."""

    def __init__(self, repo: git.Repo, timeout: float = LOCK_TIMEOUT) -> None:
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

    import git

    for attempt in range(attempts):
        try:
            return action()
        except git.GitCommandError as exc:
            transient = "index.lock" in str(exc) or "cannot lock ref" in str(exc)
            if not transient or attempt == attempts - 1:
                raise
            time.sleep(0.01 + random.random() * 0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _tree_with(repo: git.Repo, tree: str | None, parts: list[str], blob: str) -> str:
    """A new tree id: `tree` with the file at `parts` set to `blob`, written bottom-up.

    Only the trees on the file's path are read and written, so the cost does not
    grow with the size of the repository (unlike reading the whole index).
    """
    entries: dict[str, str] = {}
    if tree:
        listing = repo.git.ls_tree("-z", tree)
        for line in filter(None, listing.split("\0")):
            meta, name = line.split("\t", 1)
            entries[name] = meta
    name = parts[0]
    if len(parts) == 1:
        entries[name] = f"100644 blob {blob}"
    else:
        subtree = entries.get(name, "").split(" ")
        existing = subtree[2] if len(subtree) == 3 and subtree[1] == "tree" else None
        entries[name] = f"040000 tree {_tree_with(repo, existing, parts[1:], blob)}"
    payload = "".join(f"{meta}\t{entry}\0" for entry, meta in entries.items())
    return _git_input(repo, ["mktree", "-z"], payload.encode())


def tree_with(repo: git.Repo, tree: str | None, path: str, blob: str) -> str:
    """The id of `tree` with the file at `path` (a repository path) set to `blob`."""
    return _tree_with(repo, tree, path.split("/"), blob)


def _git_input(repo: git.Repo, args: list[str], payload: bytes) -> str:
    import subprocess

    done = subprocess.run(
        ["git", *args], input=payload, cwd=repo.working_tree_dir, capture_output=True, check=True
    )
    return done.stdout.decode().strip()


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


def blob_at_head(repo: git.Repo, relative: str) -> str | None:
    """The blob id HEAD has at a repository path, None when HEAD has no such file."""
    import git

    try:
        return repo.git.rev_parse("--verify", "-q", f"HEAD:{relative}")
    except git.GitCommandError:
        return None


def commit_file(
    repo: git.Repo,
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
    import git

    env: dict[str, str] = {}
    if by:
        name, email = parse_signature(by)
        env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}
    root = Path(repo.working_tree_dir or ".")
    try:
        repo.git.var("GIT_COMMITTER_IDENT")
    except git.GitCommandError:
        if not by:
            require_identity(repo, root)
        env |= {
            "GIT_COMMITTER_NAME": env["GIT_AUTHOR_NAME"],
            "GIT_COMMITTER_EMAIL": env["GIT_AUTHOR_EMAIL"],
        }
    with RepositoryLock(repo):
        refuse_operation_in_progress(repo)
        refuse_detached_head(repo)
        current = blob_at_head(repo, relative) or ""
        if current != expected:
            raise PlaybookError.at(
                relative,
                "someone else recorded this occurrence while you were recording it",
                "see their record with `playbook history`; to replace it, record again with --amend",
            )
        # The object first and the index entry next: if either fails, nothing is in the work tree.
        blob = _git_input(repo, ["hash-object", "-w", "--stdin"], content)
        try:
            _retry(
                lambda: repo.git.update_index("--add", "--cacheinfo", f"100644,{blob},{relative}")
            )
        except git.GitCommandError as exc:
            lock = Path(repo.git_dir) / "index.lock"
            raise PlaybookError.at(
                lock if lock.exists() else root,
                f"git's index stayed locked, so nothing was recorded ({str(exc.stderr).strip()[:200]})",
                f"if no other git command is running, a crashed one left {lock} behind: delete it and record again",
            ) from None
        write_atomically(root / relative, content, Path(repo.git_dir) / "playbook")
        for _ in range(20):
            try:
                head = repo.git.rev_parse("--verify", "-q", "HEAD")
            except git.GitCommandError:
                head = ""  # an empty repository: this is its first commit
            base_tree = repo.git.rev_parse(f"{head}^{{tree}}") if head else None
            tree = _tree_with(repo, base_tree, relative.split("/"), blob)
            parents = ["-p", head] if head else []
            commit = repo.git.commit_tree(tree, *parents, "-m", message, env=env)
            try:
                repo.git.update_ref(
                    "-m", f"playbook: {message.splitlines()[0]}", "HEAD", commit, head or "0" * 40
                )
                return commit
            except git.GitCommandError:
                continue  # HEAD moved under us (someone committed): rebuild on the new HEAD
        raise PlaybookError.at(
            relative, "HEAD kept moving while recording", "try again when the repository is quiet"
        )
