"""The typed, cross-checked playbook: what load.py produces and everything reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .schedule import Cadence


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
    target: float | int | str
    unit: str
    cadence: str


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
    kpis: tuple[KPI, ...] = ()
    funnel_stages: tuple[str, ...] = ()
    handoffs: tuple[Handoff, ...] = ()
    tools: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    onboarding: tuple[Phase, ...] = ()
    career_path: tuple[str, ...] = ()

    @property
    def onboarding_checklist_id(self) -> str:
        return f"onboarding-{self.id}"


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

    @property
    def people(self) -> dict[str, Person]:
        return {person.id: person for team in self.teams.values() for person in team.members}

    def reports(self, role_id: str) -> list[Role]:
        return [role for role in self.roles.values() if role.reports_to == role_id]

    def handoffs_into(self, role_id: str) -> list[tuple[Role, Handoff]]:
        return [
            (role, handoff)
            for role in self.roles.values()
            for handoff in role.handoffs
            if handoff.to == role_id
        ]

    def checklists_owned_by(self, role_id: str) -> list[Checklist]:
        return [c for c in self.checklists.values() if role_id in c.owners]

    def stage_owners(self, stage_id: str) -> list[Role]:
        return [role for role in self.roles.values() if stage_id in role.funnel_stages]
