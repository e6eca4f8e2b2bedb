"""`playbook init`: a new playbook repository, written whole or not at all."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from importlib.resources import as_file, files
from pathlib import Path

from .errors import PlaybookError
from .gitrepo import init_repository
from .schema import write_schemas

# Package data cannot hold dotfiles reliably, so they ship as dot-<name>.
DOT_PREFIX = "dot-"


def _copy_scaffold(target: Path) -> None:
    with as_file(files("playbook") / "scaffold") as source:
        for path in sorted(Path(source).rglob("*")):
            if path.is_dir() or "__pycache__" in path.parts:
                continue
            relative = Path(
                *(
                    "." + part.removeprefix(DOT_PREFIX) if part.startswith(DOT_PREFIX) else part
                    for part in path.relative_to(source).parts
                )
            )
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)
    write_schemas(target / "schemas")


@dataclass(frozen=True)
class Scaffolded:
    written: list[Path]  # relative to the new playbook's folder
    skipped: list[Path]  # existing files left exactly as they were
    uncommitted: list[Path] = field(default_factory=list)  # the user's files a new repo left out


def init_playbook(directory: Path, force: bool = False, git: bool = True) -> Scaffolded:
    """Scaffold a playbook into DIRECTORY; never replace a file that exists.

    Into a new or empty folder the files are assembled and committed in a
    temporary sibling folder and moved into place last, so a failure leaves
    nothing behind. With `force`, a folder that is not empty only gets the
    sample files it lacks; every existing file (edited or not, committed or
    not) is kept and listed as skipped, and no commit is made in an existing
    repository; a new repository commits only the sample files it wrote.
    """
    directory = directory.resolve()
    if directory.exists() and not directory.is_dir():
        raise PlaybookError.at(directory, "exists and is not a folder", "choose another name")
    occupied = directory.exists() and any(directory.iterdir())
    if occupied and not force:
        raise PlaybookError.at(
            directory,
            "the folder is not empty",
            "choose a new folder, or pass --force to add only the sample files it lacks "
            "(existing files are never replaced)",
        )
    directory.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory.parent, prefix=".playbook-init-") as tmp:
        staging = Path(tmp) / "playbook"
        staging.mkdir()
        _copy_scaffold(staging)
        files = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
        if occupied:
            return _add_missing(staging, directory, files, git)
        if git:
            init_repository(staging, "Start the sales playbook")
        if directory.exists():
            directory.rmdir()
        staging.rename(directory)
    return Scaffolded(files, [])


def _add_missing(staging: Path, directory: Path, files: list[Path], git: bool) -> Scaffolded:
    written, skipped = [], []
    for relative in files:
        target = directory / relative
        if target.exists() or target.is_symlink():
            skipped.append(relative)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with (staging / relative).open("rb") as source, target.open("xb") as handle:
            shutil.copyfileobj(source, handle)  # "x": never over a file made meanwhile
        written.append(relative)
    if not git or (directory / ".git").exists():
        return Scaffolded(written, skipped)
    # A new repository commits the sample only: the folder's own files are the user's
    # to add (they may hold what was never meant for a shared repository).
    init_repository(directory, "Start the sales playbook", written)
    ours = set(written)
    theirs = sorted(
        relative
        for relative in (p.relative_to(directory) for p in directory.rglob("*") if p.is_file())
        if relative.parts[0] != ".git" and relative not in ours
    )
    return Scaffolded(written, skipped, theirs)
