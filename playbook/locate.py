"""Find the playbook a command is about, the way git finds its repository: search upward."""

from __future__ import annotations

from pathlib import Path

from .errors import PlaybookError

SETTINGS_FILE = "playbook.yml"


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` that holds playbook.yml, as an absolute path."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    raise PlaybookError.at(
        SETTINGS_FILE,
        f"no {SETTINGS_FILE} in {start} or any folder above it",
        "run this inside a playbook repository (or pass -C DIR), "
        "or create one with `playbook init DIR`",
        line=1,
        column=1,
    )
