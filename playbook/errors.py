"""One exception family for everything a user can get wrong.

Every problem knows where it is (file, line, column, key path), what was
expected and what to do about it. The CLI renders them once; the MkDocs
plugin turns them into a build error; nothing else prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str
    hint: str = ""
    key_path: str = ""

    def render(self) -> str:
        where = f" (at {self.key_path})" if self.key_path else ""
        text = f"{self.location}: {self.message}{where}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class PlaybookError(Exception):
    """Raised with one or more problems; rendered once at the boundary."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self.render())

    @classmethod
    def at(
        cls,
        file: str | Path,
        message: str,
        hint: str = "",
        line: int = 0,
        column: int = 0,
    ) -> PlaybookError:
        return cls(Problem(Location(str(file), line, column), message, hint))

    def render(self) -> str:
        return "\n".join(p.render() for p in sorted(self.problems, key=lambda p: p.location))
