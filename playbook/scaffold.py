"""`playbook init`: a new playbook repository, written whole or not at all."""

from __future__ import annotations

import shutil
import tempfile
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


def init_playbook(directory: Path, force: bool = False, git: bool = True) -> list[Path]:
    """Scaffold a playbook into DIRECTORY; return the files written.

    The files are assembled and committed in a temporary sibling folder and
    moved into place last, so a failure leaves nothing behind.
    """
    directory = directory.resolve()
    if directory.exists() and not directory.is_dir():
        raise PlaybookError.at(directory, "exists and is not a folder", "choose another name")
    occupied = directory.exists() and any(directory.iterdir())
    if occupied and not force:
        raise PlaybookError.at(
            directory,
            "the folder is not empty",
            "choose a new folder, or pass --force to add the sample files to this one",
        )
    directory.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory.parent, prefix=".playbook-init-") as tmp:
        staging = Path(tmp) / "playbook"
        staging.mkdir()
        _copy_scaffold(staging)
        written = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
        if occupied:
            for relative in written:
                (directory / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(staging / relative, directory / relative)
            if git and not (directory / ".git").exists():
                init_repository(directory, "Start the sales playbook")
            return written
        if git:
            init_repository(staging, "Start the sales playbook")
        if directory.exists():
            directory.rmdir()
        staging.rename(directory)
    return written
