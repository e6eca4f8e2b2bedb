"""Files → Playbook. Every problem in every file is collected, then raised once."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from .errors import Location, PlaybookError, Problem
from .model import (
    KPI,
    Checklist,
    Handoff,
    Item,
    Metric,
    Person,
    Phase,
    Playbook,
    Responsibilities,
    Role,
    Section,
    Stage,
    Team,
)
from .schedule import (
    CadenceError,
    describe_duration,
    parse_cadence,
    parse_duration,
    parse_timezone,
)
from .schema import CHECKLIST, ID_PATTERN, PLAYBOOK, ROLE
from .yamlread import Document, read_document

SETTINGS_FILE = "playbook.yml"
ROLES_DIR = "roles"
CHECKLISTS_DIR = "checklists"


def load_playbook(root: Path, docs_dir: Path | None = None) -> Playbook:
    """Load and cross-check the playbook under `root`; raise PlaybookError listing every problem."""
    loader = _Loader(root.resolve(), (docs_dir or root / "docs").resolve())
    playbook = loader.load()
    if loader.problems:
        raise PlaybookError(loader.problems)
    return playbook


def source_files(root: Path) -> list[Path]:
    """Every file the playbook is read from, for caches and file watchers."""
    files = [root / SETTINGS_FILE]
    for folder in (ROLES_DIR, CHECKLISTS_DIR):
        files += _yaml_files(root / folder)
    return files


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())


def _t(values: list[Any] | None) -> tuple[Any, ...]:
    return tuple(values or ())


class _Loader:
    def __init__(self, root: Path, docs_dir: Path) -> None:
        self.root = root
        self.docs_dir = docs_dir
        self.problems: list[Problem] = []
        self.documents: dict[str, Document] = {}

    def problem(self, location: Location, message: str, hint: str = "", key_path: str = "") -> None:
        self.problems.append(Problem(location, message, hint, key_path))

    def display(self, path: Path) -> str:
        return str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)

    def read(self, path: Path, schema: dict[str, Any]) -> Document | None:
        document, problems = read_document(path, self.display(path), schema)
        self.problems += problems
        return document

    def load(self) -> Playbook:
        settings_path = self.root / SETTINGS_FILE
        if not settings_path.is_file():
            self.problem(
                Location(SETTINGS_FILE),
                f"no {SETTINGS_FILE} in {self.root}",
                "run this inside a playbook repository, or create one with `playbook init DIR`",
            )
            raise PlaybookError(self.problems)
        settings = self.read(settings_path, PLAYBOOK)
        playbook = self.settings(settings) if settings else None
        roles = self.read_folder(ROLES_DIR, ROLE)
        checklists = self.read_folder(CHECKLISTS_DIR, CHECKLIST)
        if playbook is None:
            return Playbook(self.root, "", parse_timezone("UTC"), parse_duration("1d"), ())
        for role_id, document in roles.items():
            playbook.roles[role_id] = self.role(role_id, document)
        for checklist_id, document in checklists.items():
            checklist = self.checklist(checklist_id, document, playbook)
            if checklist:
                playbook.checklists[checklist_id] = checklist
        for role in playbook.roles.values():
            self.onboarding_checklist(role, playbook)
        self.cross_check(playbook)
        return playbook

    def read_folder(self, folder: str, schema: dict[str, Any]) -> dict[str, Document]:
        documents: dict[str, Document] = {}
        first_seen: dict[str, str] = {}
        for path in _yaml_files(self.root / folder):
            display = self.display(path)
            file_id = path.stem
            if not re.fullmatch(ID_PATTERN, file_id):
                self.problem(
                    Location(display),
                    f"the file name {path.name!r} is not a valid id",
                    "rename it with lowercase letters, digits and dashes, e.g. account-executive.yml",
                )
                continue
            if file_id in first_seen:
                self.problem(
                    Location(display),
                    f"duplicate id {file_id!r}: {first_seen[file_id]} has the same name",
                    "keep one of the two files",
                )
                continue
            first_seen[file_id] = display
            document = self.read(path, schema)
            if document:
                self.documents[f"{folder}/{file_id}"] = document
                documents[file_id] = document
        return documents

    def settings(self, doc: Document) -> Playbook | None:
        data = doc.data
        timezone = self.timezone(doc, data["timezone"], ("timezone",))
        stages = tuple(Stage(s["id"], s["title"], s.get("description", "")) for s in data["funnel"])
        self.unique(doc, [s.id for s in stages], ("funnel",), "funnel stage")
        self.documents["playbook"] = doc
        if timezone is None:
            return None
        return Playbook(
            root=self.root,
            title=data["title"],
            company=data.get("company", ""),
            country=data.get("country", ""),
            tracking_since=self.parse_date(doc, data.get("tracking_since"), ("tracking_since",)),
            timezone=timezone,
            late_after=parse_duration(data.get("late_after", "1d")),
            funnel=stages,
            teams=self.teams(doc, timezone),
        )

    def teams(self, doc: Document, default_timezone: Any) -> dict[str, Team]:
        teams: dict[str, Team] = {}
        people: dict[str, str] = {}
        for t, data in enumerate(doc.data.get("teams", [])):
            if data["id"] in teams:
                self.problem(
                    doc.at("teams", t, "id"),
                    f"duplicate team id {data['id']!r}",
                    "each team needs its own id",
                )
                continue
            timezone = default_timezone
            if "timezone" in data:
                timezone = (
                    self.timezone(doc, data["timezone"], ("teams", t, "timezone"))
                    or default_timezone
                )
            members = []
            for m, person in enumerate(data["members"]):
                where = ("teams", t, "members", m)
                if person["id"] in people:
                    self.problem(
                        doc.at(*where, "id"),
                        f"{person['id']!r} is already a member of team {people[person['id']]!r}",
                        "a person belongs to one team; give them one entry",
                    )
                    continue
                people[person["id"]] = data["id"]
                members.append(
                    Person(
                        id=person["id"],
                        name=person["name"],
                        role=person["role"],
                        team=data["id"],
                        email=person.get("email", ""),
                        started=self.parse_date(doc, person.get("started"), (*where, "started")),
                    )
                )
            manager = data.get("manager")
            if manager and manager not in {p.id for p in members}:
                self.problem(
                    doc.at("teams", t, "manager"),
                    f"manager {manager!r} is not a member of team {data['id']!r}",
                    "add the manager to the team's members",
                )
            teams[data["id"]] = Team(
                id=data["id"],
                name=data["name"],
                timezone=timezone,
                members=tuple(members),
                country=data.get("country", doc.data.get("country", "")),
                manager=manager,
            )
        return teams

    def parse_date(
        self, doc: Document, value: str | None, key_path: tuple[str | int, ...]
    ) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem(
                doc.at(*key_path),
                f"{value!r} is not a date",
                "write it as YYYY-MM-DD, e.g. 2026-09-01",
            )
            return None

    def timezone(self, doc: Document, name: str, key_path: tuple[str, ...]) -> Any:
        try:
            return parse_timezone(name)
        except CadenceError as exc:
            self.problem(
                doc.at(*key_path),
                str(exc),
                "use an IANA name such as Europe/Warsaw, Asia/Ho_Chi_Minh or UTC",
                ".".join(key_path),
            )
            return None

    def unique(
        self,
        doc: Document,
        ids: list[str],
        key_path: tuple[str | int, ...],
        what: str,
        where: list[tuple[str | int, ...]] | None = None,
    ) -> None:
        counts = Counter(ids)
        seen: set[str] = set()
        for index, value in enumerate(ids):
            if counts[value] > 1 and value in seen:
                at = where[index] if where else (*key_path, index)
                self.problem(
                    doc.at(*at),
                    f"duplicate {what} id {value!r}",
                    f"each {what} needs its own id",
                )
            seen.add(value)

    def role(self, role_id: str, doc: Document) -> Role:
        d = doc.data
        onboarding = tuple(
            Phase(
                title=phase["phase"],
                due=parse_duration(phase["due"]),
                due_text=phase["due"],
                tasks=tuple(self.item(task) for task in phase["tasks"]),
            )
            for phase in d.get("onboarding", [])
        )
        task_paths = [
            ("onboarding", p, "tasks", t, "id")
            for p, phase in enumerate(onboarding)
            for t in range(len(phase.tasks))
        ]
        self.unique(
            doc,
            [task.id for phase in onboarding for task in phase.tasks],
            (),
            "onboarding task",
            task_paths,
        )
        return Role(
            id=role_id,
            title=d["title"],
            summary=d["summary"],
            source=doc.path,
            aliases=_t(d.get("aliases")),
            family=d.get("family", "sales"),
            mission=d.get("mission", ""),
            reports_to=d.get("reports_to"),
            responsibilities=tuple(
                Responsibilities(r["area"], _t(r["items"])) for r in d["responsibilities"]
            ),
            kpis=tuple(KPI(**k) for k in d.get("kpis", [])),
            funnel_stages=_t(d.get("funnel_stages")),
            handoffs=tuple(
                Handoff(h["to"], h["when"], _t(h["criteria"]), _t(h["handover"]))
                for h in d.get("handoffs", [])
            ),
            tools=_t(d.get("tools")),
            skills=_t(d.get("skills")),
            onboarding=onboarding,
            career_path=_t(d.get("career_path")),
        )

    @staticmethod
    def item(data: dict[str, Any]) -> Item:
        return Item(
            id=data["id"],
            text=data["text"],
            help=data.get("help", ""),
            link=data.get("link", ""),
            required=data.get("required", True),
        )

    def checklist(self, checklist_id: str, doc: Document, playbook: Playbook) -> Checklist | None:
        d = doc.data
        try:
            cadence = parse_cadence(d["cadence"])
        except CadenceError as exc:
            self.problem(
                doc.at("cadence"),
                str(exc),
                "write e.g. 'every monday at 09:00', 'monthly on day 15', "
                "'last friday of each quarter', 'once per person' or an RRULE such as "
                "FREQ=MONTHLY;BYDAY=1FR;BYHOUR=10 (see `playbook validate --help`)",
                "cadence",
            )
            cadence = None
        timezone = (
            self.timezone(doc, d["timezone"], ("timezone",))
            if "timezone" in d
            else playbook.timezone
        )
        sections = tuple(
            Section(s["title"], tuple(self.item(i) for i in s["items"])) for s in d["sections"]
        )
        item_paths = [
            ("sections", s, "items", i, "id")
            for s, section in enumerate(sections)
            for i in range(len(section.items))
        ]
        self.unique(doc, [i.id for s in sections for i in s.items], (), "item", item_paths)
        metrics = tuple(Metric(**m) for m in d.get("metrics", []))
        self.unique(
            doc,
            [m.id for m in metrics],
            ("metrics",),
            "metric",
            [("metrics", i, "id") for i in range(len(metrics))],
        )
        if cadence is None or timezone is None:
            return None
        return Checklist(
            id=checklist_id,
            title=d["title"],
            purpose=d["purpose"],
            owners=_t(d["owners"]),
            cadence=cadence,
            timezone=timezone,
            late_after=parse_duration(d["late_after"])
            if "late_after" in d
            else playbook.late_after,
            sections=sections,
            source=doc.path,
            metrics=metrics,
            roles=_t(d.get("roles")),
            pages=_t(d.get("pages")),
            tags=_t(d.get("tags")),
            scope="person" if cadence.per_person else d.get("scope", "team"),
            on_holiday=d.get("on_holiday", "keep"),
        )

    def onboarding_checklist(self, role: Role, playbook: Playbook) -> None:
        """A role's onboarding plan becomes a once-per-person checklist, not typed twice."""
        if not role.onboarding:
            return
        checklist_id = role.onboarding_checklist_id
        if checklist_id in playbook.checklists:
            self.problem(
                self.documents[f"{CHECKLISTS_DIR}/{checklist_id}"].at(),
                f"duplicate id {checklist_id!r}: it is also the onboarding checklist of role {role.id!r}",
                f"rename the file; {role.source} already defines this checklist through its onboarding plan",
            )
            return
        playbook.checklists[checklist_id] = Checklist(
            id=checklist_id,
            title=f"{role.title} onboarding",
            purpose=f"Everything a new {role.title} does in their first {describe_duration(role.onboarding[-1].due)}, phase by phase.",
            owners=(role.reports_to or role.id,),
            cadence=parse_cadence("once per person"),
            timezone=playbook.timezone,
            late_after=playbook.late_after,
            sections=tuple(Section(phase.title, phase.tasks) for phase in role.onboarding),
            source=role.source,
            roles=(role.id,),
            scope="person",
            due_after=max(phase.due for phase in role.onboarding),
            onboarding_for=role.id,
        )

    def cross_check(self, playbook: Playbook) -> None:
        roles = playbook.roles
        stages = {stage.id for stage in playbook.funnel}

        def dangling(doc: Document, value: str, key_path: tuple[str | int, ...], what: str) -> None:
            if value not in roles:
                close = get_close_matches(value, list(roles), n=1)
                self.problem(
                    doc.at(*key_path),
                    f"{what} {value!r} is not a role",
                    f"did you mean {close[0]!r}?"
                    if close
                    else f"known roles: {', '.join(sorted(roles)) or 'none'}",
                    ".".join(map(str, key_path)),
                )

        for role in roles.values():
            doc = self.documents[f"{ROLES_DIR}/{role.id}"]
            if role.reports_to:
                dangling(doc, role.reports_to, ("reports_to",), "reports_to")
            for i, handoff in enumerate(role.handoffs):
                dangling(doc, handoff.to, ("handoffs", i, "to"), "hand-off target")
            for i, target in enumerate(role.career_path):
                dangling(doc, target, ("career_path", i), "career path step")
            for i, stage in enumerate(role.funnel_stages):
                if stage not in stages:
                    self.problem(
                        doc.at("funnel_stages", i),
                        f"funnel stage {stage!r} is not in {SETTINGS_FILE}",
                        f"known stages: {', '.join(sorted(stages))}",
                        f"funnel_stages[{i}]",
                    )
        self.check_reporting_cycles(playbook)
        settings = self.documents["playbook"]
        for t, team in enumerate(playbook.teams.values()):
            for m, person in enumerate(team.members):
                dangling(
                    settings, person.role, ("teams", t, "members", m, "role"), f"{person.id}'s role"
                )
        for checklist in playbook.checklists.values():
            if checklist.onboarding_for:
                continue
            doc = self.documents[f"{CHECKLISTS_DIR}/{checklist.id}"]
            for i, owner in enumerate(checklist.owners):
                dangling(doc, owner, ("owners", i), "owner")
            for i, related in enumerate(checklist.roles):
                dangling(doc, related, ("roles", i), "related role")
            for i, page in enumerate(checklist.pages):
                if not (self.docs_dir / page).is_file():
                    self.problem(
                        doc.at("pages", i),
                        f"related page {page!r} does not exist in {self.display(self.docs_dir)}/",
                        "give a path relative to the docs folder, e.g. principles-and-control-points.md",
                        f"pages[{i}]",
                    )

    def check_reporting_cycles(self, playbook: Playbook) -> None:
        reported: set[str] = set()
        for start in playbook.roles:
            chain = [start]
            current = playbook.roles[start].reports_to
            while current in playbook.roles and current not in chain:
                chain.append(current)
                current = playbook.roles[current].reports_to
            if current == start and start not in reported:
                reported.update(chain)
                doc = self.documents[f"{ROLES_DIR}/{start}"]
                self.problem(
                    doc.at("reports_to"),
                    "reports_to forms a cycle: " + " → ".join([*chain, start]),
                    "one role in the chain must report to a role outside it, or to nobody",
                    "reports_to",
                )
