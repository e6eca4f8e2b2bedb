"""Git plumbing shared by `init` and the record store (GitPython, imported lazily: ~150 ms)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PlaybookError

if TYPE_CHECKING:
    import git


def require_identity(repo: git.Repo, where: Path) -> str:
    """The committer identity git would use, or a PlaybookError saying how to set one."""
    import git

    try:
        return repo.git.var("GIT_COMMITTER_IDENT").rsplit(" ", 2)[0]
    except git.GitCommandError:
        raise PlaybookError.at(
            where,
            "git does not know who you are, so it cannot commit",
            'run: git config --global user.name "Your Name" && '
            'git config --global user.email "you@example.com"',
        ) from None


def init_repository(folder: Path, message: str) -> str:
    """`git init` FOLDER and commit everything in it; return the commit id."""
    import git

    repo = git.Repo.init(folder, initial_branch="main")
    require_identity(repo, folder)
    repo.git.add("--all")
    repo.git.commit("--quiet", "--no-verify", "-m", message)
    return repo.head.commit.hexsha
