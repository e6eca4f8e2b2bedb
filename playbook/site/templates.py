"""The Jinja templates of the data-heavy page parts (history), autoescaped.

Records are rendered to HTML here rather than to Markdown: Python-Markdown
passes raw HTML through, so escaping is the template's job, and a raw HTML
block wrapped in `data-search-exclude` keeps every value out of the search index.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )


def render(name: str, **context: Any) -> str:
    """A template as one raw HTML block: no blank line inside, so Markdown leaves it whole."""
    html = _environment().get_template(name).render(**context)
    return "\n".join(line for line in html.splitlines() if line.strip()) + "\n"
