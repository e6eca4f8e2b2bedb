"""The site navigation, kept small so that build cost per page stays flat.

mkdocs-material writes the whole navigation into every page, so a nav that
lists every role and checklist makes the build quadratic. Each generated
section lists its pages only up to a limit; past it, the section holds just
its index page, which links to everything.
"""

from __future__ import annotations

from typing import Any

from ..i18n import N_, _
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
    ROLES_INDEX: N_("Roles"),
    ONBOARDING_INDEX: N_("Onboarding"),
    CHECKLISTS_INDEX: N_("Checklists"),
}
# Titles a hand-written nav (mkdocs.yml) usually gives its parts: shown in the site's language.
COMMON_TITLES = (N_("Home"), N_("Guide"), N_("Tags"))


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
            {_("Dashboard"): DASHBOARD},
            {_("Calendar"): CALENDAR},
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
            expanded.append({_(SECTION_TITLES[entry]): sections[entry]})
        elif isinstance(entry, dict) and len(entry) == 1:
            ((title, value),) = entry.items()
            title = (
                _(title) if title in COMMON_TITLES or title in SECTION_TITLES.values() else title
            )
            if isinstance(value, str) and value in sections:
                expanded.append({title: sections[value]})
            elif isinstance(value, list):
                expanded.append({title: expand_nav(value, sections)})
            else:
                expanded.append({title: value})
        else:
            expanded.append(entry)
    return expanded


def default_nav(handwritten: list[str], sections: dict[str, list[NavEntry]]) -> list[NavEntry]:
    """A nav for a mkdocs.yml that has none: home, the guide pages, then the generated parts."""
    nav: list[NavEntry] = []
    if "index.md" in handwritten:
        nav.append({_("Home"): "index.md"})
    guide = [page for page in sorted(handwritten) if page not in ("index.md", "tags.md")]
    if guide:
        nav.append({_("Guide"): guide})
    nav += [{_(SECTION_TITLES[index]): pages} for index, pages in sections.items()]
    if "tags.md" in handwritten:
        nav.append({_("Tags"): "tags.md"})
    return nav
