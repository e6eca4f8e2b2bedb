"""Every generated page of the site: prose as Markdown, data as HTML fragments.

Pure functions: a Playbook and the build time in, `{path: markdown}` out.
Paths are relative to the docs folder. Links in the Markdown are relative
`.md` links so MkDocs checks them under --strict; links inside the HTML
fragments (`templates`) never pass through MkDocs, so they are the built
site's own URLs (`url`).
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from markupsafe import Markup

from ..i18n import N_, _, ngettext
from ..i18n import formatting as fmt
from ..model import KPI, Checklist, Level, Playbook, Role
from ..recording import checklist_version
from ..status import Summary, units
from . import dates, diagrams, form, templates, tracking
from .markdown import bullets, cell, front_matter, link, table, text

ROLES_INDEX = "roles/index.md"
CHECKLISTS_INDEX = "checklists/index.md"
ONBOARDING_INDEX = "onboarding/index.md"
CALENDAR = "calendar.md"
DASHBOARD = tracking.DASHBOARD
CALENDAR_WEEKS = 8
CALENDAR_ROWS = 1500  # the calendar page ends with the week that reaches this many rows
NEXT_DATES = 5  # per group of units whose dates agree
MANY_GROUPS = 3  # beyond this many groups, each shows only its next date
FAMILY_TITLES = {
    "sales": N_("Sales"),
    "customer-success": N_("Customer success"),
    "management": N_("Management"),
    "sales-operations": N_("Sales operations"),
}
CADENCE_GROUPS = [
    N_("Daily"),
    N_("Weekly"),
    N_("Monthly"),
    N_("Quarterly"),
    N_("Yearly"),
    N_("Onboarding"),
    N_("Other"),
]
KPI_CADENCES = {
    "daily": N_("daily"),
    "weekly": N_("weekly"),
    "monthly": N_("monthly"),
    "quarterly": N_("quarterly"),
    "yearly": N_("yearly"),
}
METRIC_TYPES = {
    "integer": N_("integer"),
    "number": N_("number"),
    "money": N_("money"),
    "percent": N_("percent"),
    "text": N_("text"),
}


class DateGroup(NamedTuple):
    """Units whose next dates agree ("" when they are all of the checklist's), and the dates."""

    whom: str
    dates: list[str]


class Owner(NamedTuple):
    """A checklist's owner in a fragment: a role's title and URL, and a named person."""

    name: str
    url: str
    person: str


class ChecklistRow(NamedTuple):
    title: str
    url: str
    when: str
    owners: Markup
    groups: list[DateGroup]
    next: str


class CalendarRow(NamedTuple):
    when: str
    title: str
    url: str
    whom: str
    owners: Markup


def role_path(role_id: str) -> str:
    return f"roles/{role_id}.md"


def checklist_path(checklist: Checklist) -> str:
    if checklist.onboarding_for:
        return f"onboarding/{checklist.onboarding_for}.md"
    return f"checklists/{checklist.id}.md"


@lru_cache(maxsize=65536)
def rel(from_page: str, to_page: str) -> str:
    """A relative link between two pages of the docs folder (both relative, normalised)."""
    here = from_page.split("/")[:-1]
    there = to_page.split("/")
    common = 0
    while common < min(len(here), len(there) - 1) and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])


@lru_cache(maxsize=65536)
def url(from_page: str, to: str, directory_urls: bool = True) -> str:
    """The built site's URL of `to` (a page's .md path, or any other file) seen from a page.

    What MkDocs makes of a Markdown link, for HTML that MkDocs never reads.
    """

    def address(path: str) -> str:
        if not path.endswith(".md"):
            return path
        stem = path.removesuffix(".md")
        if stem == "index" or stem.endswith("/index"):
            return stem.removesuffix("index")
        return stem + "/" if directory_urls else stem + ".html"

    here = address(from_page)
    base = here if here.endswith("/") or not here else posixpath.dirname(here)
    target = address(to)
    relative = posixpath.relpath(target or ".", base or ".")
    if target.endswith("/") or not target:
        relative = relative.rstrip("/") + "/" if relative != "." else "./"
    return relative


def cadence_group(checklist: Checklist) -> str:
    if checklist.cadence.per_person:
        return "Onboarding"
    parts = checklist.cadence.parts
    freq = parts.get("FREQ")
    if freq == "MONTHLY" and parts.get("BYMONTH") and len(parts["BYMONTH"].split(",")) == 4:
        return "Quarterly"
    if freq == "MONTHLY" and parts.get("BYMONTH") and len(parts["BYMONTH"].split(",")) == 1:
        return "Yearly"
    return {
        "DAILY": "Daily",
        "WEEKLY": "Weekly",
        "MONTHLY": "Monthly",
        "YEARLY": "Yearly",
    }.get(freq or "", "Other")


def _date_groups(found: dates.Upcoming, count: int) -> list[DateGroup]:
    """The next dates per group of units whose dates agree; only the next one when many differ."""
    groups = dates.next_dates(found, count)
    if len(groups) > MANY_GROUPS and count > 1:
        groups = dates.next_dates(found, 1)
    total = sum(len(group.units) for group in groups)
    return [
        DateGroup(dates.for_whom(group.units, total), [dates.when(o) for o in group.occurrences])
        for group in groups
    ]


def _no_more_dates() -> str:
    return _("none: the checklist has no further occurrence")


def _next_dates(found: dates.Upcoming) -> str:
    """A table cell of the next dates; per team (or person) where their dates differ.

    An HTML fragment kept out of the search index: dates are looked up, not searched.
    """
    groups = _date_groups(found, NEXT_DATES)
    if not groups:
        return cell(_no_more_dates())
    return templates.inline("next_dates.html", groups=groups)


def calendar_feed_path(team: str | None = None) -> str:
    return f"calendar-{team}.ics" if team else "calendar.ics"


def render_site(
    playbook: Playbook,
    now: datetime,
    summaries: list[Summary] | None = None,
    repo: form.RepoLink | None = None,
    directory_urls: bool = True,
) -> dict[str, str]:
    """All generated pages of the playbook, keyed by their path under docs/.

    `summaries` (the status of every checklist × unit as of `now`) adds the
    dashboard, the history sections and the recording forms (whose specs
    `render_files` writes); without it the site is the playbook alone.
    `directory_urls` is MkDocs' setting of the same name, for the fragments' links.
    """
    # The next dates of every unit, once: checklist pages show five, the index the first.
    upcoming = {
        c.id: dates.upcoming_by_unit(playbook, c, now, NEXT_DATES)
        for c in playbook.checklists.values()
        if not c.cadence.per_person
    }
    pages = {
        ROLES_INDEX: roles_index(playbook),
        CHECKLISTS_INDEX: checklists_index(playbook, now, directory_urls, upcoming),
        ONBOARDING_INDEX: onboarding_index(playbook, summaries, directory_urls),
        CALENDAR: calendar(playbook, now, directory_urls),
    }
    for role in playbook.roles.values():
        pages[role_path(role.id)] = role_page(playbook, role)
    by_checklist: dict[str, list[Summary]] = defaultdict(list)
    for summary in summaries or []:
        by_checklist[summary.checklist.id].append(summary)
    for checklist in playbook.checklists.values():
        page = checklist_path(checklist)
        pages[page] = checklist_page(playbook, checklist, now, upcoming.get(checklist.id))
        if summaries is not None:
            mine = by_checklist[checklist.id]
            pages[page] += "\n" + tracking.checklist_history(mine, rel(page, calendar_feed_path()))
            spec = url(page, form.spec_path(checklist), directory_urls)
            pages[page] += "\n" + form.record_form(checklist, spec)
    if summaries is not None:
        pages[DASHBOARD] = tracking.dashboard(
            playbook, summaries, now, _pages_from(DASHBOARD, playbook, directory_urls)
        )
    return pages


def render_files(
    playbook: Playbook,
    now: datetime,
    summaries: list[Summary],
    repo: form.RepoLink | None = None,
) -> dict[str, str]:
    """The generated files that are not pages: each checklist's form spec, by its site path."""
    by_checklist: dict[str, list[Summary]] = defaultdict(list)
    for summary in summaries:
        by_checklist[summary.checklist.id].append(summary)
    files = {}
    for checklist in playbook.checklists.values():
        version = checklist_version(playbook.root, checklist)
        data = form.spec(checklist, by_checklist[checklist.id], version, repo, now)
        files[form.spec_path(checklist)] = form.spec_json(data)
    return files


def _pages_from(page: str, playbook: Playbook, directory_urls: bool) -> dict[str, str]:
    """Each checklist page's URL from `page`, for links inside fragments."""
    return {
        c.id: url(page, checklist_path(c), directory_urls) for c in playbook.checklists.values()
    }


def _owner_links(
    playbook: Playbook, owner_ids: tuple[str, ...], page: str, directory_urls: bool
) -> Markup:
    """Owners as HTML links to their role pages (a named person by name and role)."""
    owners = []
    for owner_id in owner_ids:
        person = playbook.people.get(owner_id) if owner_id not in playbook.roles else None
        role = playbook.roles[person.role if person else owner_id]
        owners.append(
            Owner(
                role.title,
                url(page, role_path(role.id), directory_urls),
                person.name if person else "",
            )
        )
    return Markup(templates.render("owners.html", owners=owners))


def _role_link(playbook: Playbook, role_id: str, from_page: str) -> str:
    role = playbook.roles[role_id]
    return link(role.title, rel(from_page, role_path(role_id)))


def _roles(playbook: Playbook, owner_ids: tuple[str, ...], from_page: str) -> str:
    """Owners as links to their role pages; a person (a named owner) by name and role."""
    return ", ".join(_owner(playbook, owner_id, from_page) for owner_id in owner_ids)


def _owner(playbook: Playbook, owner_id: str, from_page: str) -> str:
    person = playbook.people.get(owner_id) if owner_id not in playbook.roles else None
    if person is None:
        return _role_link(playbook, owner_id, from_page)
    return f"{text(person.name)} ({_role_link(playbook, person.role, from_page)})"


def _owner_title(playbook: Playbook, owner_id: str) -> str:
    person = playbook.people.get(owner_id) if owner_id not in playbook.roles else None
    return person.name if person else playbook.roles[owner_id].title


def roles_index(playbook: Playbook) -> str:
    page = ROLES_INDEX
    title = _("Roles")
    out = [front_matter(title=title, tags=[title]), f"# {title}\n\n"]
    out.append(
        ngettext(
            "The {count} role of {company}, who they report to, and what each is for.",
            "The {count} roles of {company}, who they report to, and what each is for.",
            len(playbook.roles),
        ).format(count=len(playbook.roles), company=text(playbook.company or playbook.title))
        + "\n\n"
    )
    by_family: dict[str, list[Role]] = defaultdict(list)
    for role in playbook.roles.values():
        by_family[role.family].append(role)
    for family, title in FAMILY_TITLES.items():
        members = by_family.get(family)
        if not members:
            continue
        out.append(f"## {_(title)}\n\n")
        rows = [
            (
                link(role.title, rel(page, role_path(role.id))),
                cell(", ".join(role.aliases)),
                _role_link(playbook, role.reports_to, page) if role.reports_to else "—",
                cell(role.summary),
            )
            for role in members
        ]
        headers = [_("Role"), _("Also called"), _("Reports to"), _("In one sentence")]
        out.append(table(headers, rows) + "\n")
    out.append("## " + _("Organisation chart") + "\n\n" + diagrams.org_chart(playbook))
    return "".join(out)


def role_page(playbook: Playbook, role: Role) -> str:
    page = role_path(role.id)
    tags = [
        _("Role"),
        _(FAMILY_TITLES[role.family]) if role.family in FAMILY_TITLES else role.family,
    ]
    out = [
        front_matter(title=role.title, tags=tags, search={"boost": 2}),
        f"# {text(role.title)}\n\n",
    ]
    if role.aliases:
        also = _("Also called {names}.").format(names=text(", ".join(role.aliases)))
        out.append(f"*{also}*\n\n")
    out.append('!!! abstract "' + _("In one sentence") + f'"\n    {text(role.summary)}\n\n')
    facts = []
    if role.reports_to:
        facts.append((_("Reports to"), _role_link(playbook, role.reports_to, page)))
    reports = playbook.reports(role.id)
    if reports:
        facts.append(
            (_("Direct reports"), ", ".join(_role_link(playbook, r.id, page) for r in reports))
        )
    if role.funnel_stages:
        stage_titles = {stage.id: stage.title for stage in playbook.funnel}
        facts.append(
            (_("Funnel stages"), cell(", ".join(stage_titles[s] for s in role.funnel_stages)))
        )
    if role.onboarding:
        onboarding = playbook.checklists[role.onboarding_checklist_id]
        facts.append(
            (
                _("Onboarding"),
                link(
                    _("{role} onboarding plan").format(role=role.title),
                    rel(page, checklist_path(onboarding)),
                ),
            )
        )
    if facts:
        out.append(table(["", ""], facts) + "\n")
    if role.mission:
        out.append("## " + _("Mission") + f"\n\n{text(role.mission)}\n\n")
    out.append("## " + _("Responsibilities") + "\n\n")
    for group in role.responsibilities:
        out.append(f"### {text(group.area)}\n\n{bullets(group.items)}\n")
    if role.requirements:
        out.append("## " + _("Requirements") + "\n\n" + bullets(role.requirements) + "\n")
    if role.kpis:
        out.append("## " + _("KPIs") + "\n\n")
        rows = [
            (
                f"**{cell(k.name)}**",
                cell(k.definition),
                cell(_target(k)),
                cell(_(KPI_CADENCES[k.cadence]) if k.cadence in KPI_CADENCES else k.cadence),
            )
            for k in role.kpis
        ]
        headers = [_("KPI"), _("Definition"), _("Target"), _("Measured")]
        out.append(table(headers, rows) + "\n")
    if role.levels:
        out.append(_levels(playbook, role, page))
    out.append(_handoffs(playbook, role, page))
    if role.tools or role.skills:
        out.append("## " + _("Tools and skills") + "\n\n")
        if role.tools:
            out.append("**" + _("Tools:") + "** " + text(", ".join(role.tools)) + "\n\n")
        if role.skills:
            out.append("**" + _("Skills:") + "**\n\n" + bullets(role.skills) + "\n")
    owned = [c for c in playbook.checklists_owned_by(role.id) if not c.onboarding_for]
    owned_ids = {c.id for c in owned}
    related = [
        c
        for c in playbook.checklists_related_to(role.id)
        if c.id not in owned_ids and not c.onboarding_for
    ]
    if owned or related:
        out.append("## " + _("Checklists") + "\n\n")
        rows = [
            (
                link(c.title, rel(page, checklist_path(c))),
                _("runs it") if c.id in owned_ids else _("takes part"),
                cell(c.cadence.words()),
            )
            for c in owned + related
        ]
        out.append(table([_("Checklist"), _("This role"), _("When")], rows) + "\n")
    if role.career_path or playbook.career_sources(role.id):
        out.append("## " + _("Career path") + "\n\n" + diagrams.career_path(playbook, role) + "\n")
        if role.career_path:
            out.append(_("Next steps:") + "\n\n")
            for step in role.career_path:
                condition = _("when {condition}").format(condition=text(step.condition))
                when = f" — {condition}" if step.condition else ""
                out.append(f"- {_role_link(playbook, step.to, page)}{when}\n")
    return "".join(out)


# A number or a range ("20-25") takes the unit after it; words are shown as written.
_NUMERIC_TARGET = re.compile(r"[0-9][0-9.,\s–-]*")


def _target(kpi: KPI) -> str:
    if kpi.target is None:
        return "—"
    if isinstance(kpi.target, str) and not _NUMERIC_TARGET.fullmatch(kpi.target):
        return f"{kpi.target} ({kpi.unit})"
    return f"{kpi.target} {kpi.unit}"


def _levels(playbook: Playbook, role: Role, page: str) -> str:
    """The levels side by side: one column each, with what each adds to the one before."""

    def lines(values: list[str]) -> str:
        return "<br>".join(values) or "—"

    def added(level: Level) -> list[str]:
        return [
            lines(
                [
                    f"**{cell(g.area)}:**<br>" + lines([cell(item) for item in g.items])
                    for g in level.responsibilities
                ]
            ),
            lines([cell(r) for r in level.requirements]),
            lines([f"{cell(k.name)} ({cell(_target(k))})" for k in level.kpis]),
        ]

    columns = [added(level) for level in role.levels]
    rows = [
        ["**" + _("In short") + "**", *(cell(level.summary) or "—" for level in role.levels)],
        *(
            [f"**{name}**", *(column[r] for column in columns)]
            for r, name in enumerate(
                [_("Adds responsibilities"), _("Adds requirements"), _("Adds KPIs")]
            )
        ),
        [
            "**" + _("Reports to") + "**",
            *(
                _role_link(playbook, manager, page) if manager else "—"
                for manager in (role.at_level(level.id).reports_to for level in role.levels)
            ),
        ],
    ]
    headers = ["", *(cell(level.title) for level in role.levels)]
    return (
        "## "
        + _("Levels")
        + "\n\n"
        + _(
            "Each level holds everything of the role and of the levels before it, plus what its "
            "column adds."
        )
        + "\n\n"
        + table(headers, rows)
        + "\n"
    )


def _handoffs(playbook: Playbook, role: Role, page: str) -> str:
    incoming = playbook.handoffs_into(role.id)
    if not role.handoffs and not incoming:
        return ""
    out = ["## " + _("Hand-offs") + "\n\n"]
    for handoff in role.handoffs:
        heading = _("To {role}: {when}").format(
            role=_role_link(playbook, handoff.to, page), when=text(handoff.when)
        )
        out.append(
            f"### {heading}\n\n"
            f"**" + _("Hand over when:") + f"**\n\n{bullets(handoff.criteria)}\n"
            f"**" + _("What is handed over:") + f"**\n\n{bullets(handoff.handover)}\n"
        )
    for source, handoff in incoming:
        heading = _("From {role}: {when}").format(
            role=_role_link(playbook, source.id, page), when=text(handoff.when)
        )
        out.append(
            f"### {heading}\n\n"
            f"**" + _("Expect to receive:") + f"** {text('; '.join(handoff.handover))}.\n\n"
        )
    return "".join(out)


def checklist_page(
    playbook: Playbook,
    checklist: Checklist,
    now: datetime,
    upcoming: dates.Upcoming | None = None,
) -> str:
    """A checklist's page; `upcoming` holds its units' next dates when they are known already."""
    page = checklist_path(checklist)
    group = cadence_group(checklist)
    tags = [
        _("Checklist"),
        _(group),
        *(_owner_title(playbook, o) for o in checklist.owners),
        *checklist.tags,
    ]
    out = [front_matter(title=checklist.title, tags=tags), f"# {text(checklist.title)}\n\n"]
    out.append('!!! abstract "' + _("Purpose") + f'"\n    {text(checklist.purpose)}\n\n')
    facts = [
        (_("Run by"), _roles(playbook, checklist.owners, page)),
        (_("When"), f"{cell(checklist.cadence.words())} ({cell(checklist.timezone.key)})"),
    ]
    if checklist.cadence.per_person:
        facts.append((_("Late"), _("when a phase is not done by its due day")))
    else:
        late = _("when recorded more than {duration} after the due time")
        facts.append((_("Late"), late.format(duration=fmt.duration(checklist.late_after))))
        if checklist.retired is not None and checklist.retired < now.date():
            retired = _("nothing is scheduled after {day}").format(day=fmt.day(checklist.retired))
            facts.append((_("Retired"), retired))
        else:
            found = upcoming or dates.upcoming_by_unit(playbook, checklist, now, NEXT_DATES)
            facts.append((_("Next dates"), _next_dates(found)))
        facts.append((_("Rule"), f"`RRULE:{checklist.cadence.rule}`"))
        if checklist.earlier:
            # History is judged by the cadence in force then: say which that was.
            earlier = [
                _("{cadence} (until {day})").format(
                    cadence=cell(era.cadence.words()),
                    day=fmt.short_date(era.until.astimezone(checklist.timezone)),
                )
                for era in checklist.earlier
            ]
            facts.append((_("Before"), "<br>".join(earlier)))
    facts.append((_("Source"), f"`{checklist.source}`"))
    out.append(table(["", ""], facts) + "\n")
    out.append("## " + _("Items") + "\n\n")
    for section in checklist.sections:
        phase = _phase_due(playbook, checklist, section.title)
        out.append(f"### {text(section.title)}{phase}\n\n")
        for item in section.items:
            optional = " *" + _("(optional)") + "*" if not item.required else ""
            out.append(f"- [ ] {text(item.text)}{optional}\n")
            details = text(item.help) if item.help else ""
            if item.link:
                details += (" " if details else "") + link(_("More"), item.link)
            if details:
                out.append(f"    <br><small>{details}</small>\n")
        out.append("\n")
    if checklist.metrics:
        out.append("## " + _("Metrics to capture") + "\n\n")
        rows = [
            (
                f"**{cell(m.label)}**",
                f"`{m.id}`",
                _(METRIC_TYPES[m.type]) if m.type in METRIC_TYPES else m.type,
                cell(m.unit or "—"),
                _("yes") if m.required else _("no"),
            )
            for m in checklist.metrics
        ]
        headers = [_("Metric"), _("Id"), _("Type"), _("Unit"), _("Required")]
        out.append(table(headers, rows) + "\n")
    related_roles = [r for r in checklist.roles if r not in checklist.owners]
    if related_roles or checklist.pages:
        out.append("## " + _("Related") + "\n\n")
        for role_id in related_roles:
            out.append(f"- {_role_link(playbook, role_id, page)}\n")
        for target in checklist.pages:
            out.append(
                f"- [{text(target.removesuffix('.md').replace('-', ' ').capitalize())}]({rel(page, target)})\n"
            )
        out.append("\n")
    return "".join(out)


def _phase_due(playbook: Playbook, checklist: Checklist, section_title: str) -> str:
    if not checklist.onboarding_for:
        return ""
    role = playbook.roles[checklist.onboarding_for]
    for phase in role.onboarding:
        if phase.title == section_title:
            by_day = _("(by day {day})").format(day=phase.due.days)
            return f" <small>{by_day}</small>" if phase.due.days else ""
    return ""


def checklists_index(
    playbook: Playbook,
    now: datetime,
    directory_urls: bool = True,
    upcoming: dict[str, dates.Upcoming] | None = None,
) -> str:
    """Every checklist by cadence, with its next date; `upcoming` as render_site knows it."""
    if upcoming is None:
        upcoming = {
            c.id: dates.upcoming_by_unit(playbook, c, now, 1)
            for c in playbook.checklists.values()
            if not c.cadence.per_person
        }
    page = CHECKLISTS_INDEX
    title = _("Checklists")
    out = [front_matter(title=title, tags=[_("Checklist")]), f"# {title}\n\n"]
    out.append(
        _(
            "The recurring reviews of the team. Each page lists the items to tick and the "
            "numbers to capture; the [calendar]({calendar}) shows when they fall in the next "
            "{weeks} weeks."
        ).format(calendar=rel(page, CALENDAR), weeks=CALENDAR_WEEKS)
        + "\n\n"
    )
    groups: dict[str, list[Checklist]] = defaultdict(list)
    for checklist in playbook.checklists.values():
        groups[cadence_group(checklist)].append(checklist)
    for group in CADENCE_GROUPS:
        members = groups.get(group)
        if not members:
            continue
        out.append(f"## {_(group)}\n\n")
        rows = [
            ChecklistRow(
                title=c.title,
                url=url(page, checklist_path(c), directory_urls),
                when=c.cadence.words(),
                owners=_owner_links(playbook, c.owners, page, directory_urls),
                groups=[] if c.cadence.per_person else _date_groups(upcoming[c.id], 1),
                next=_("per new hire") if c.cadence.per_person else _no_more_dates(),
            )
            for c in members
        ]
        out.append(templates.block("checklist_rows.html", rows=rows) + "\n")
    return "".join(out)


def onboarding_index(
    playbook: Playbook, summaries: list[Summary] | None = None, directory_urls: bool = True
) -> str:
    page = ONBOARDING_INDEX
    title = _("Onboarding")
    out = [front_matter(title=title, tags=[title]), f"# {title}\n\n"]
    out.append(
        _(
            "Every role with an onboarding plan has a page of phases and tasks. A new hire works "
            "through it with their manager, who records each phase as it is completed."
        )
        + "\n\n"
    )
    rows = []
    for role in playbook.roles.values():
        if not role.onboarding:
            continue
        checklist = playbook.checklists[role.onboarding_checklist_id]
        tasks = sum(len(phase.tasks) for phase in role.onboarding)
        rows.append(
            (
                link(role.title, rel(page, checklist_path(checklist))),
                cell(" → ".join(phase.title for phase in role.onboarding)),
                str(tasks),
                _roles(playbook, checklist.owners, page),
            )
        )
    if rows:
        out.append(table([_("Role"), _("Phases"), _("Tasks"), _("Guided by")], rows))
    else:
        out.append(
            _("No role has an onboarding plan yet: add `onboarding:` phases to a role file.") + "\n"
        )
    if summaries:
        out.append(
            "\n"
            + tracking.onboarding_progress(
                playbook, summaries, _pages_from(page, playbook, directory_urls)
            )
        )
    return "".join(out)


def _weeks(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at each Monday: the calendar page's weeks (the first may be short)."""
    cuts = [start]
    monday = start + timedelta(days=7 - start.weekday())
    while monday < end:
        cuts.append(monday)
        monday += timedelta(weeks=1)
    return list(zip(cuts, [*cuts[1:], end], strict=True))


def calendar(playbook: Playbook, now: datetime, directory_urls: bool = True) -> str:
    """The reviews due in the coming weeks, week by week.

    A playbook with thousands of checklists stops at the week in which
    `CALENDAR_ROWS` is reached (the feeds hold every date): a page of tens
    of thousands of rows is read by nobody and costs every build.
    """
    page = CALENDAR
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(weeks=CALENDAR_WEEKS)
    unit_count = {c.id: len(units(playbook, c)) for c in playbook.checklists.values()}
    owners = {
        c.id: _owner_links(playbook, c.owners, page, directory_urls)
        for c in playbook.checklists.values()
    }
    links = {
        c.id: url(page, checklist_path(c), directory_urls) for c in playbook.checklists.values()
    }
    sections = []
    shown = 0
    until = start
    for monday, next_monday in _weeks(start, end):
        if shown >= CALENDAR_ROWS:
            break
        entries = dates.calendar(playbook, monday, next_monday)
        until = next_monday
        if not entries:
            continue
        shown += len(entries)
        rows = [
            CalendarRow(
                when=dates.when(e.occurrence),
                title=e.checklist.title,
                url=links[e.checklist.id],
                whom=dates.for_whom(e.units, unit_count[e.checklist.id]) or _("everyone"),
                owners=owners[e.checklist.id],
            )
            for e in entries
        ]
        week = _("Week of {day}").format(
            day=fmt.long_day(monday - timedelta(days=monday.weekday()))
        )
        # Each week's heading carries its own marker: Material excludes a section, not its children.
        sections.append(
            f"## {week} {{ data-search-exclude }}\n\n"
            + templates.block("calendar_week.html", rows=rows)
            + "\n"
        )
    out = [front_matter(title=_("Calendar"), tags=["Checklist"]), "# " + _("Calendar") + "\n\n"]
    weeks = round((until - start) / timedelta(weeks=1))
    out.append(
        _(
            "Every review due in the {weeks} weeks from {day} (the time this site was built), "
            "in each team's own time zone, moved for its public holidays as the checklist says."
        ).format(weeks=weeks, day=fmt.long_day(start))
        + "\n\n"
    )
    feeds = [link(_("all checklists"), rel(page, calendar_feed_path()))]
    feeds += [
        link(team.name, rel(page, calendar_feed_path(team.id))) for team in playbook.teams.values()
    ]
    out.append(
        ":material-calendar-sync: "
        + _("Subscribe in Outlook, Google Calendar or any calendar app:")
        + " "
        + ", ".join(feeds)
        + ".\n\n"
    )
    out += sections
    if not sections:
        out.append(_("Nothing is scheduled in this period.") + "\n")
    return "".join(out)
