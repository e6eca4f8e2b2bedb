"""The typed, cross-checked playbook: what load.py produces and everything reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .errors import Problem
from .schedule import Cadence, Era

if TYPE_CHECKING:
    from .translations import Translations


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Responsibilities:
    area: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class KPI:
    name: str
    definition: str
    unit: str
    cadence: str
    target: float | int | str | None = None  # text such as "set per territory", or none


@dataclass(frozen=True)
class Level:
    """A level of a job family (SDR → senior SDR → team lead): what it adds to the one before."""

    id: str
    title: str
    summary: str = ""
    responsibilities: tuple[Responsibilities, ...] = ()
    requirements: tuple[str, ...] = ()
    kpis: tuple[KPI, ...] = ()
    reports_to: str | None = None


@dataclass(frozen=True)
class CareerStep:
    to: str
    condition: str = ""  # e.g. "two quarters above 110 % of the pipeline target"


@dataclass(frozen=True)
class Handoff:
    to: str
    when: str
    criteria: tuple[str, ...]
    handover: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    help: str = ""
    link: str = ""
    required: bool = True


@dataclass(frozen=True)
class Phase:
    """An onboarding phase: `due` is counted from the new hire's start date."""

    title: str
    due: timedelta
    due_text: str
    tasks: tuple[Item, ...]


@dataclass(frozen=True)
class Role:
    id: str
    title: str
    summary: str
    source: str
    aliases: tuple[str, ...] = ()
    family: str = "sales"
    mission: str = ""
    reports_to: str | None = None
    responsibilities: tuple[Responsibilities, ...] = ()
    requirements: tuple[str, ...] = ()
    kpis: tuple[KPI, ...] = ()
    levels: tuple[Level, ...] = ()
    funnel_stages: tuple[str, ...] = ()
    handoffs: tuple[Handoff, ...] = ()
    tools: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    onboarding: tuple[Phase, ...] = ()
    career_path: tuple[CareerStep, ...] = ()

    @property
    def onboarding_checklist_id(self) -> str:
        return f"onboarding-{self.id}"

    def at_level(self, level_id: str) -> Level:
        """Level `level_id` with everything it holds: the role's, every earlier level's, its own.

        Its manager is the nearest one given: its own, an earlier level's, or the role's.
        """
        ids = [level.id for level in self.levels]
        upto = self.levels[: ids.index(level_id) + 1]
        return Level(
            id=level_id,
            title=upto[-1].title,
            summary=upto[-1].summary,
            responsibilities=self.responsibilities
            + tuple(group for level in upto for group in level.responsibilities),
            requirements=self.requirements + tuple(r for level in upto for r in level.requirements),
            kpis=self.kpis + tuple(kpi for level in upto for kpi in level.kpis),
            reports_to=next(
                (level.reports_to for level in reversed(upto) if level.reports_to),
                self.reports_to,
            ),
        )


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    type: str
    unit: str = ""
    required: bool = False


@dataclass(frozen=True)
class Checklist:
    id: str
    title: str
    purpose: str
    owners: tuple[str, ...]
    cadence: Cadence
    timezone: ZoneInfo
    late_after: timedelta
    sections: tuple[Section, ...]
    source: str
    metrics: tuple[Metric, ...] = ()
    roles: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    scope: str = "team"  # "team", "playbook" or "person"
    on_holiday: str = "keep"  # "keep", "previous", "next" or "skip"
    due_after: timedelta = timedelta(0)  # once-per-person: due this long after the start date
    onboarding_for: str | None = None  # set when derived from a role's onboarding plan
    retired: date | None = None  # no occurrences are scheduled after this day
    teams: tuple[str, ...] = ()  # only these teams run it (empty: every team)
    people: tuple[str, ...] = ()  # scope person: the roles whose members each get a series
    earlier: tuple[Era, ...] = ()  # the cadences it had before, oldest first (from git)

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str
    team: str
    email: str = ""
    started: date | None = None

    @property
    def signature(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    timezone: ZoneInfo
    members: tuple[Person, ...]
    country: str = ""
    manager: str | None = None


@dataclass
class Playbook:
    root: Path
    title: str
    timezone: ZoneInfo
    late_after: timedelta
    funnel: tuple[Stage, ...]
    company: str = ""
    country: str = ""
    tracking_since: date | None = None
    teams: dict[str, Team] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    checklists: dict[str, Checklist] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)  # e.g. an old time-zone name
    language: str = "en"  # the language the files are written in (the source)
    languages: tuple[str, ...] = ("en",)  # one site each; the first is `language`
    translations: Translations | None = None  # with more than one language
    localized: dict[str, Playbook] = field(default_factory=dict)  # language → translated model

    def in_language(self, code: str) -> Playbook:
        """The playbook with its text in `code` where translated, the source text elsewhere."""
        return self.localized.get(code, self)

    @cached_property
    def people(self) -> dict[str, Person]:
        return {person.id: person for team in self.teams.values() for person in team.members}

    # The relations below are indexed once, on first use after loading: pages ask
    # them for every role, and scanning each time made rendering quadratic.
    @cached_property
    def _index(self) -> _Relations:
        relations = _Relations()
        for role in self.roles.values():
            if role.reports_to:
                relations.reports.setdefault(role.reports_to, []).append(role)
            for handoff in role.handoffs:
                relations.handoffs_into.setdefault(handoff.to, []).append((role, handoff))
            for stage in role.funnel_stages:
                relations.stage_owners.setdefault(stage, []).append(role)
            for step in role.career_path:
                relations.career_sources.setdefault(step.to, []).append(role)
        for checklist in self.checklists.values():
            for owner in checklist.owners:
                # A named person (a DRI) runs it for their role too.
                person = self.people.get(owner) if owner not in self.roles else None
                role = person.role if person else owner
                relations.owned.setdefault(role, []).append(checklist)
            for related in checklist.roles:
                relations.related.setdefault(related, []).append(checklist)
        return relations

    def reports(self, role_id: str) -> list[Role]:
        return self._index.reports.get(role_id, [])

    def handoffs_into(self, role_id: str) -> list[tuple[Role, Handoff]]:
        return self._index.handoffs_into.get(role_id, [])

    def checklists_owned_by(self, role_id: str) -> list[Checklist]:
        return self._index.owned.get(role_id, [])

    def checklists_related_to(self, role_id: str) -> list[Checklist]:
        return self._index.related.get(role_id, [])

    def stage_owners(self, stage_id: str) -> list[Role]:
        return self._index.stage_owners.get(stage_id, [])

    def career_sources(self, role_id: str) -> list[Role]:
        """Roles whose career path leads to `role_id`."""
        return self._index.career_sources.get(role_id, [])


@dataclass
class _Relations:
    reports: dict[str, list[Role]] = field(default_factory=dict)
    handoffs_into: dict[str, list[tuple[Role, Handoff]]] = field(default_factory=dict)
    owned: dict[str, list[Checklist]] = field(default_factory=dict)
    related: dict[str, list[Checklist]] = field(default_factory=dict)
    stage_owners: dict[str, list[Role]] = field(default_factory=dict)
    career_sources: dict[str, list[Role]] = field(default_factory=dict)
