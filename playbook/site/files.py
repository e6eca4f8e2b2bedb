"""What the playbook adds to a site: generated pages, feeds, assets, markers and the nav.

One renderer for two shells: the MkDocs plugin adds these files to a build in
memory, and `playbook export` writes them to a folder that any engine reading
mkdocs.yml (MkDocs, ProperDocs, Zensical) builds without our plugin. Imports no MkDocs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import clock
from ..errors import PlaybookError
from ..i18n import SOURCE_LANGUAGE, using
from ..ical import calendar_feeds
from ..load import load_playbook
from ..model import Playbook
from ..records import load_records
from ..status import RECENT, Summary, collect
from ..translations import is_translation
from . import diagrams
from .form import RepoLink
from .nav import default_nav, expand_nav, generated_sections
from .pages import calendar_feed_path, render_files, render_site

ASSETS = Path(__file__).parent / "assets"
MERMAID_URI = "assets/playbook/mermaid.min.js"
RECORD_JS = "assets/playbook/record.js"
RECORD_CSS = "assets/playbook/record.css"
EXTRA_JAVASCRIPT = (RECORD_JS,)
EXTRA_CSS = (RECORD_CSS,)

MARKER = re.compile(r"<!--\s*playbook:([a-z-]+)\s*-->")
BLOCKS: dict[str, Callable[[Playbook], str]] = {
    "org-chart": diagrams.org_chart,
    "funnel": diagrams.funnel,
    "handoffs": diagrams.handoffs,
}

# Markdown text of a page, bytes of a feed, or the source file of an asset.
Content = str | bytes | Path


@dataclass(frozen=True)
class SiteState:
    """The playbook as of one moment, with every checklist × unit judged from its records."""

    playbook: Playbook  # in the language of the site
    now: datetime
    summaries: list[Summary]
    warnings: list[str]  # rendered, for the shell to show
    language: str = SOURCE_LANGUAGE
    notes: tuple[str, ...] = ()  # stale translations: flagged on their pages, not warnings


def load_site(root: Path, docs_dir: Path, language: str | None = None) -> SiteState:
    """Load and cross-check the playbook, take now (or PLAYBOOK_NOW), judge the records.

    The site is in `language` (one of the playbook's languages; default its source):
    its roles and checklists carry their translated text, ids and rules unchanged.
    """
    playbook = load_playbook(root, docs_dir)
    language = language or playbook.language
    if language not in playbook.languages:
        raise PlaybookError.at(
            "playbook.yml",
            f"the site's language {language!r} is not one of the playbook's languages",
            f"build one of: {', '.join(playbook.languages)}",
        )
    stale = playbook.translations.warnings if playbook.translations else []
    warnings = [warning.render() for warning in playbook.warnings if warning not in stale]
    now = clock.now(playbook.timezone)
    records = load_records(playbook.root, since=now - RECENT)
    warnings += [
        f"{problem.render()} (`playbook audit` lists every finding)" for problem in records.problems
    ]
    translated = playbook.in_language(language)
    summaries = collect(translated, records.index(), now, recent=RECENT)
    notes = tuple(warning.render() for warning in stale)
    return SiteState(translated, now, summaries, warnings, language, notes)


def site_nav(
    playbook: Playbook, nav: list[Any] | None, docs_dir: Path, nav_limit: int
) -> list[Any]:
    """The nav of mkdocs.yml with each generated section expanded, or a default one."""
    sections = generated_sections(playbook, nav_limit)
    if nav is not None:
        return expand_nav(nav, sections)
    handwritten = [
        page
        for page in (p.relative_to(docs_dir).as_posix() for p in sorted(docs_dir.rglob("*.md")))
        if not is_translation(page, playbook.languages)
    ]
    return default_nav(handwritten, sections)


def generated_files(
    site: SiteState, repo: RepoLink | None, offline_diagrams: bool, directory_urls: bool = True
) -> dict[str, Content]:
    """Every file the playbook adds under docs/, keyed by its path there.

    `directory_urls` is mkdocs.yml's `use_directory_urls`, for the links inside HTML fragments.
    """
    playbook = site.playbook
    with using(site.language):  # the pages and the feeds speak the site's language
        files: dict[str, Content] = dict(
            render_site(playbook, site.now, site.summaries, repo, directory_urls)
        )
        files.update(render_files(playbook, site.now, site.summaries, repo))
        for team, feed in calendar_feeds(playbook, site.now).items():
            files[calendar_feed_path(team)] = feed
    for uri in (RECORD_JS, RECORD_CSS):
        files[uri] = ASSETS / Path(uri).name
    if offline_diagrams:
        files[MERMAID_URI] = ASSETS / "mermaid.min.js"
    return files


def clash(path: str) -> PlaybookError:
    """The error for a hand-written file in docs/ at the path of a generated one."""
    return PlaybookError.at(
        f"docs/{path}",
        "is generated from the playbook and must not exist in docs/",
        "delete it or move it elsewhere",
    )


def expand_markers(
    playbook: Playbook, markdown: str, src_uri: str, warn: Callable[[str], None]
) -> str:
    """Replace `<!-- playbook:org-chart -->` style markers with generated blocks."""

    def block(match: re.Match[str]) -> str:
        name = match[1]
        if name not in BLOCKS:
            warn(f"{src_uri}: unknown marker {match[0]}; known: {', '.join(BLOCKS)}")
            return match[0]
        return BLOCKS[name](playbook)

    return MARKER.sub(block, markdown)
