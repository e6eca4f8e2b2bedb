"""Small Markdown building blocks that escape what they are given.

Python-Markdown passes raw HTML through, so every value that comes from a
file is escaped here before it reaches a page; Markdown emphasis and links
inside YAML text still work.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence


def text(value: object) -> str:
    """Inline text: HTML is shown as written, not interpreted."""
    return html.escape(str(value), quote=False)


def cell(value: object) -> str:
    """A table cell: also keeps `|` and line breaks from breaking the row."""
    return text(value).replace("|", "\\|").replace("\n", " ")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(value) for value in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def bullets(values: Iterable[object]) -> str:
    return "".join(f"- {text(value)}\n" for value in values)


def link(label: object, target: str) -> str:
    return f"[{text(label).replace(']', '&#93;').replace('[', '&#91;')}]({target})"


def front_matter(**meta: object) -> str:
    """YAML front matter written as JSON values (valid YAML, and far cheaper to produce)."""
    lines = "".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in meta.items()
    )
    return "---\n" + lines + "---\n\n"


def mermaid_label(*lines: object) -> str:
    """A quoted Mermaid node or edge label; each value is escaped, lines joined by <br/>."""
    escaped = (html.escape(str(line), quote=False).replace('"', "#quot;") for line in lines)
    return '"' + "<br/>".join(escaped) + '"'


def mermaid_id(prefix: str, value: str) -> str:
    return prefix + "_" + value.replace("-", "_")


def fence(kind: str, body: str) -> str:
    return f"```{kind}\n{body.rstrip()}\n```\n"
