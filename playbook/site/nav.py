"""The site navigation, kept small so that build cost per page stays flat.

mkdocs-material writes the whole navigation into every page, so a nav that
lists every role and checklist makes the build quadratic. Each generated
section lists its pages only up to a limit; past it, the section holds just
its index page, which links to everything.
"""

from __future__ import annotations

from typing import Any

from ..model import Playbook
from .pages import (
    CALENDAR,
    CHECKLISTS_INDEX,
    DASHBOARD,
    ONBOARDING_INDEX,
    ROLES_INDEX,
    checklist_path,
    role_path,
)

NavEntry = str | dict[str, Any]
SECTION_TITLES = {
    ROLES_INDEX: "Roles",
    ONBOARDING_INDEX: "Onboarding",
    CHECKLISTS_INDEX: "Checklists",
}


def generated_sections(playbook: Playbook, limit: int) -> dict[str, list[NavEntry]]:
    """Each generated index page with the pages that belong under it."""
    roles = [{role.title: role_path(role.id)} for role in playbook.roles.values()]
    onboarding = [
        {playbook.roles[c.onboarding_for].title: checklist_path(c)}
        for c in playbook.checklists.values()
        if c.onboarding_for
    ]
    checklists = [
        {c.title: checklist_path(c)} for c in playbook.checklists.values() if not c.onboarding_for
    ]
    return {
        ROLES_INDEX: [ROLES_INDEX, *_capped(roles, limit)],
        ONBOARDING_INDEX: [ONBOARDING_INDEX, *_capped(onboarding, limit)],
        CHECKLISTS_INDEX: [
            CHECKLISTS_INDEX,
            {"Dashboard": DASHBOARD},
            {"Calendar": CALENDAR},
            *_capped(checklists, limit),
        ],
    }


def _capped(entries: list[NavEntry], limit: int) -> list[NavEntry]:
    return entries if len(entries) <= limit else []


def expand_nav(nav: list[NavEntry], sections: dict[str, list[NavEntry]]) -> list[NavEntry]:
    """Replace each mention of a generated index page with its whole section."""
    expanded: list[NavEntry] = []
    for entry in nav:
        if isinstance(entry, str) and entry in sections:
            expanded.append({SECTION_TITLES[entry]: sections[entry]})
        elif isinstance(entry, dict) and len(entry) == 1:
            ((title, value),) = entry.items()
            if isinstance(value, str) and value in sections:
                expanded.append({title: sections[value]})
            elif isinstance(value, list):
                expanded.append({title: expand_nav(value, sections)})
            else:
                expanded.append(entry)
        else:
            expanded.append(entry)
    return expanded


def default_nav(handwritten: list[str], sections: dict[str, list[NavEntry]]) -> list[NavEntry]:
    """A nav for a mkdocs.yml that has none: home, the guide pages, then the generated parts."""
    nav: list[NavEntry] = []
    if "index.md" in handwritten:
        nav.append({"Home": "index.md"})
    guide = [page for page in sorted(handwritten) if page not in ("index.md", "tags.md")]
    if guide:
        nav.append({"Guide": guide})
    nav += [{SECTION_TITLES[index]: pages} for index, pages in sections.items()]
    if "tags.md" in handwritten:
        nav.append({"Tags": "tags.md"})
    return nav
