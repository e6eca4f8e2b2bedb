"""The Jinja templates of the data-heavy page parts, autoescaped, as HTML fragments.

History, dashboard rows, date tables and the recording form are rendered to
HTML here rather than to Markdown: Python-Markdown passes raw HTML through
(so escaping is the template's job), and converting big generated tables is
what made builds slow. Each fragment is wrapped in two HTML comments: an
engine that only knows Markdown keeps it as a raw HTML block, and the plugin
lifts it out before Markdown and puts it back into the finished page
(`lift` / `restore`), so neither Python-Markdown nor the search index sees it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from ..i18n import _, ngettext

TEMPLATES = Path(__file__).parent / "templates"
OPEN = "<!--playbook-html-->"  # not `playbook:`, the prefix of the diagram markers
CLOSE = "<!--/playbook-html-->"
_FRAGMENT = re.compile(re.escape(OPEN) + "(.*?)" + re.escape(CLOSE), re.DOTALL)
PLACEHOLDER = "<!--playbook-html {}-->"  # where a lifted fragment goes back


@cache
def _environment() -> Any:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # `_` and `ngettext` look the language up at each call, so one environment serves them all.
    environment.install_gettext_callables(gettext=_, ngettext=ngettext, newstyle=True)
    return environment


def render(name: str, **context: Any) -> str:
    """A template as HTML with no blank line inside, so Markdown would keep it as one block."""
    html = _environment().get_template(name).render(**context)
    return "\n".join(line for line in html.splitlines() if line.strip())


def block(name: str, **context: Any) -> str:
    """A template as a fragment standing on its own between paragraphs."""
    return f"{OPEN}\n{render(name, **context)}\n{CLOSE}\n"


def inline(name: str, **context: Any) -> str:
    """A template as a fragment inside a line (a table cell): one line, no `|`."""
    html = " ".join(render(name, **context).splitlines()).replace("|", "&#124;")
    return f"{OPEN}{html}{CLOSE}"


def lift(markdown: str) -> tuple[str, list[str]]:
    """Swap every fragment for a placeholder comment; return the page and the fragments."""
    fragments: list[str] = []

    def keep(match: re.Match[str]) -> str:
        fragments.append(match[1])
        return PLACEHOLDER.format(len(fragments) - 1)

    return _FRAGMENT.sub(keep, markdown), fragments


def restore(html: str, fragments: list[str]) -> str:
    """Put the fragments back where their placeholders ended up."""
    for index, fragment in enumerate(fragments):
        html = html.replace(PLACEHOLDER.format(index), fragment.strip("\n"), 1)
    return html
