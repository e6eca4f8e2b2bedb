"""Files → Playbook. Every problem in every file is collected, then raised once."""

from __future__ import annotations

import gc
import os
import re
from dataclasses import replace
from datetime import date
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from .documentcache import DocumentCache
from .errors import Location, PlaybookError, Problem
from .i18n import SOURCE_LANGUAGE, _, using
from .i18n.formatting import duration
from .model import (
    KPI,
    CareerStep,
    Checklist,
    Handoff,
    Item,
    Level,
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
    parse_cadence,
    parse_duration,
    parse_timezone,
    zone_warning,
)
from .schema import CHECKLIST, ID_PATTERN, PLAYBOOK, ROLE
from .translations import TRANSLATIONS_DIR, load_translations
from .yamlread import Document, KeyPath, format_key_path, read_document

SETTINGS_FILE = "playbook.yml"
ROLES_DIR = "roles"
CHECKLISTS_DIR = "checklists"
CADENCE_HINT = (
    "write e.g. 'every monday at 09:00', 'every weekday at 17:00', 'monthly on day 15', "
    "'last friday of each quarter at 14:00', 'once per person' or an RRULE such as "
    "FREQ=MONTHLY;BYDAY=1FR;BYHOUR=10; see the Cadences section of README.md for more"
)


_loaded: dict[tuple[Path, Path], tuple[tuple[object, ...], Playbook]] = {}


def _signature(files: list[Path], docs_dir: Path) -> tuple[object, ...]:
    """What a loaded playbook depends on: its files' stats and the docs pages that exist."""
    stats = []
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            continue
        stats.append((path, stat.st_mtime_ns, stat.st_size))
    # The pages that exist, and when each changed: a translated page is stale when its
    # source changes.
    pages = (
        sorted(
            (p.relative_to(docs_dir).as_posix(), p.stat().st_mtime_ns)
            for p in docs_dir.rglob("*.md")
        )
        if docs_dir.is_dir()
        else []
    )
    return (*stats, *pages)


def load_playbook(root: Path, docs_dir: Path | None = None) -> Playbook:
    """Load and cross-check the playbook under `root`; raise PlaybookError listing every problem.

    A playbook loaded before in this process is reused while none of its files
    changed: `playbook build` validates first and then the MkDocs plugin loads
    again, and `serve` reloads on every rebuild. Across processes, a file read
    before exactly as it is now is not read again (see documentcache.py).
    """
    from .revisions import head_of, with_history

    key = (root.resolve(), (docs_dir or root / "docs").resolve())
    # The checklists' earlier cadences come from git, so a new commit is a change too.
    head = head_of(key[0])
    listing = _listing(key[0])
    signature = (head, *_signature([path for paths in listing.values() for path in paths], key[1]))
    cached = _loaded.get(key)
    if cached and cached[0] == signature:
        return cached[1]
    kept = DocumentCache(head[0] if head else None)
    loader = _Loader(*key, listing, kept)
    # Composing thousands of files allocates millions of objects, and the playbook keeps
    # a good share of them for as long as it is used: the cyclic collector would walk them
    # again and again (and once more when the process exits) for nothing. So it is off
    # during the load, and what exists after it is frozen, out of its sight, until the
    # next load gives the previous one back to it.
    collecting = gc.isenabled()
    gc.disable()
    gc.unfreeze()
    try:
        playbook = loader.load()
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
    kept.save()
    if loader.problems:
        raise PlaybookError(loader.problems)
    playbook.warnings = sorted(loader.warnings, key=lambda problem: problem.location)
    playbook = with_history(playbook, head)
    for translated in playbook.localized.values():
        with_history(translated, head)
    _loaded[key] = (signature, playbook)
    return playbook


def source_files(root: Path) -> list[Path]:
    """Every file the playbook is read from, for caches and file watchers."""
    files = [path for paths in _listing(root).values() for path in paths]
    translations = root / TRANSLATIONS_DIR
    if translations.is_dir():
        files += sorted(translations.rglob("*.yml"))
    return files


def _listing(root: Path) -> dict[str, list[Path]]:
    """The settings file, then the YAML files of each folder, by name."""
    return {
        SETTINGS_FILE: [root / SETTINGS_FILE],
        **{folder: _yaml_files(root / folder) for folder in (ROLES_DIR, CHECKLISTS_DIR)},
    }


def _yaml_files(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            names = [
                entry.name
                for entry in entries
                if os.path.splitext(entry.name)[1] in (".yml", ".yaml") and entry.is_file()
            ]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [folder / name for name in sorted(names)]


def _t(values: list[Any] | None) -> tuple[Any, ...]:
    return tuple(values or ())


def _responsibilities(groups: list[dict[str, Any]]) -> tuple[Responsibilities, ...]:
    return tuple(Responsibilities(group["area"], _t(group["items"])) for group in groups)


def _kpis(kpis: list[dict[str, Any]]) -> tuple[KPI, ...]:
    return tuple(KPI(**kpi) for kpi in kpis)


class _Loader:
    def __init__(
        self, root: Path, docs_dir: Path, listing: dict[str, list[Path]], kept: DocumentCache
    ) -> None:
        self.root = root
        self.docs_dir = docs_dir
        self.listing = listing
        self.kept = kept
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []  # valid, but probably not what was meant
        self.documents: dict[str, Document] = {}
        # Every file with a usable name, valid or not: a role file with a typo in it
        # still defines its id, so other files naming it are not told it is missing.
        self.known: dict[str, dict[str, str]] = {ROLES_DIR: {}, CHECKLISTS_DIR: {}}
        self.funnel_known = True

    def problem(self, location: Location, message: str, hint: str = "", key_path: str = "") -> None:
        self.problems.append(Problem(location, message, hint, key_path))

    def problem_at(self, doc: Document, key_path: KeyPath, message: str, hint: str) -> None:
        """A problem at a value of `doc`, located and named the way yamlread names them."""
        self.problem(doc.at(*key_path), message, hint, format_key_path(key_path))

    def display(self, path: Path) -> str:
        return str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)

    def read(self, path: Path, display: str, schema: dict[str, Any]) -> Document | None:
        document, problems = read_document(path, display, schema, kept=self.kept)
        self.problems += problems
        return document

    def load(self) -> Playbook:
        settings_path = self.root / SETTINGS_FILE
        if not settings_path.is_file():
            self.problem(
                Location(SETTINGS_FILE, 1, 1),
                f"no {SETTINGS_FILE} in {self.root}",
                "run this inside a playbook repository, or create one with `playbook init DIR`",
            )
            raise PlaybookError(self.problems)
        # Broken settings fall back to defaults, so roles and checklists are still checked.
        document, problems = read_document(
            settings_path, self.display(settings_path), PLAYBOOK, partial=True, kept=self.kept
        )
        self.problems += problems
        playbook = self.settings(document or Document(self.display(settings_path), {}))
        roles = self.read_folder(ROLES_DIR, ROLE)
        checklists = self.read_folder(CHECKLISTS_DIR, CHECKLIST)
        for role_id, document in roles.items():
            playbook.roles[role_id] = self.role(role_id, document)
        for checklist_id, document in checklists.items():
            checklist = self.checklist(checklist_id, document, playbook)
            if checklist:
                playbook.checklists[checklist_id] = checklist
        with using(playbook.language):
            for role in playbook.roles.values():
                self.onboarding_checklist(role, playbook)
        self.cross_check(playbook, checklists)
        if len(playbook.languages) > 1:
            self.translate(playbook)
        return playbook

    def translate(self, playbook: Playbook) -> None:
        """Check every translation against its source; with no problem, build each language's
        model from the source's data with the translated text put in."""
        sources = {
            key: document
            for key, document in self.documents.items()
            if key.startswith((f"{ROLES_DIR}/", f"{CHECKLISTS_DIR}/"))
        }
        found = load_translations(
            self.root, self.docs_dir, playbook.languages, sources, self.display
        )
        self.problems += found.problems
        self.warnings += found.warnings
        playbook.translations = found
        if self.problems:
            return
        for language in playbook.languages[1:]:
            merged = found.merged[language]
            translated = replace(playbook, roles={}, checklists={}, localized={})
            for role_id, role in playbook.roles.items():
                data = merged.get(f"{ROLES_DIR}/{role_id}")
                source = self.documents[f"{ROLES_DIR}/{role_id}"]
                translated.roles[role_id] = (
                    self.role(role_id, Document(source.path, data, source.text)) if data else role
                )
            for checklist_id, checklist in playbook.checklists.items():
                data = merged.get(f"{CHECKLISTS_DIR}/{checklist_id}")
                if checklist.onboarding_for:
                    continue
                source = self.documents[f"{CHECKLISTS_DIR}/{checklist_id}"]
                translated.checklists[checklist_id] = (
                    self.checklist(checklist_id, Document(source.path, data, source.text), playbook)
                    or checklist
                    if data
                    else checklist
                )
            with using(language):
                for role in translated.roles.values():
                    self.onboarding_checklist(role, translated)
            playbook.localized[language] = translated

    def read_folder(self, folder: str, schema: dict[str, Any]) -> dict[str, Document]:
        documents: dict[str, Document] = {}
        for path in self.listing[folder]:
            display = os.path.join(folder, path.name)
            file_id = path.stem
            if not re.fullmatch(ID_PATTERN, file_id):
                self.problem(
                    Location(display, 1, 1),
                    f"the file name {path.name!r} is not a valid id",
                    "rename it with lowercase letters, digits and dashes, e.g. account-executive.yml",
                )
                continue
            if file_id in self.known[folder]:
                self.problem(
                    Location(display, 1, 1),
                    f"duplicate id {file_id!r}: {self.known[folder][file_id]} has the same name",
                    "keep one of the two files",
                )
                continue
            self.known[folder][file_id] = display
            document = self.read(path, display, schema)
            if document:
                self.documents[f"{folder}/{file_id}"] = document
                documents[file_id] = document
        return documents

    def settings(self, doc: Document) -> Playbook:
        """The settings; a value with a problem (already reported) gets its default."""
        data = doc.data
        self.documents["playbook"] = doc
        timezone = parse_timezone("UTC")
        if "timezone" in data:
            timezone = self.timezone(doc, data["timezone"], ("timezone",)) or timezone
        self.funnel_known = "funnel" in data
        stages = tuple(
            Stage(s["id"], s["title"], s.get("description", "")) for s in data.get("funnel", [])
        )
        self.unique(
            doc, "funnel stage", [(s.id, ("funnel", i, "id")) for i, s in enumerate(stages)]
        )
        languages = tuple(data.get("languages", ()))
        language = data.get("language", languages[0] if languages else SOURCE_LANGUAGE)
        if languages and language != languages[0]:
            self.problem_at(
                doc,
                ("language",),
                f"language is {language!r} but languages starts with {languages[0]!r}",
                "the first of languages is the one the files are written in: "
                f"write languages: [{', '.join([language, *(c for c in languages if c != language)])}] "
                "or leave language out",
            )
        for i, code in enumerate(languages):
            if code in languages[:i]:
                self.problem_at(
                    doc,
                    ("languages", i),
                    f"{code!r} is listed twice",
                    "list each language once",
                )
        return Playbook(
            root=self.root,
            language=language,
            languages=tuple(dict.fromkeys(languages)) or (language,),
            title=data.get("title", ""),
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
        team_lines: dict[str, int] = {}
        people: dict[str, str] = {}
        for t, data in enumerate(doc.data.get("teams", [])):
            if data["id"] in teams:
                self.problem_at(
                    doc,
                    ("teams", t, "id"),
                    f"duplicate team id {data['id']!r} (first given on line {team_lines[data['id']]})",
                    "each team needs its own id",
                )
                continue
            team_lines[data["id"]] = doc.at("teams", t, "id").line
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
                    self.problem_at(
                        doc,
                        (*where, "id"),
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
                self.problem_at(
                    doc,
                    ("teams", t, "manager"),
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

    def parse_date(self, doc: Document, value: str | None, key_path: KeyPath) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem_at(
                doc,
                key_path,
                f"{value!r} is not a date",
                "write it as YYYY-MM-DD, e.g. 2026-09-01",
            )
            return None

    def timezone(self, doc: Document, name: str, key_path: KeyPath) -> Any:
        warning = zone_warning(name)
        if warning:
            self.warnings.append(Problem(doc.at(*key_path), warning, "", format_key_path(key_path)))
        try:
            return parse_timezone(name)
        except CadenceError as exc:
            self.problem_at(
                doc,
                key_path,
                str(exc),
                "use an IANA name such as Europe/Warsaw, Asia/Ho_Chi_Minh or UTC",
            )
            return None

    def unique(self, doc: Document, what: str, ids: list[tuple[str, KeyPath]]) -> None:
        """Report each repeated id where it repeats, naming the line of the first, like yamlread
        does for duplicate keys."""
        first: dict[str, KeyPath] = {}
        for value, key_path in ids:
            if value not in first:
                first[value] = key_path
                continue
            self.problem_at(
                doc,
                key_path,
                f"duplicate {what} id {value!r} (first given on line {doc.at(*first[value]).line})",
                f"each {what} needs its own id",
            )

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
        self.unique(
            doc,
            "onboarding task",
            [
                (task.id, ("onboarding", p, "tasks", t, "id"))
                for p, phase in enumerate(onboarding)
                for t, task in enumerate(phase.tasks)
            ],
        )
        levels = tuple(
            Level(
                id=level["id"],
                title=level["title"],
                summary=level.get("summary", ""),
                responsibilities=_responsibilities(level.get("responsibilities", [])),
                requirements=_t(level.get("requirements")),
                kpis=_kpis(level.get("kpis", [])),
                reports_to=level.get("reports_to"),
            )
            for level in d.get("levels", [])
        )
        self.unique(doc, "level", [(lv.id, ("levels", i, "id")) for i, lv in enumerate(levels)])
        return Role(
            id=role_id,
            title=d["title"],
            summary=d["summary"],
            source=doc.path,
            aliases=_t(d.get("aliases")),
            family=d.get("family", "sales"),
            mission=d.get("mission", ""),
            reports_to=d.get("reports_to"),
            responsibilities=_responsibilities(d["responsibilities"]),
            requirements=_t(d.get("requirements")),
            kpis=_kpis(d.get("kpis", [])),
            levels=levels,
            funnel_stages=_t(d.get("funnel_stages")),
            handoffs=tuple(
                Handoff(h["to"], h["when"], _t(h["criteria"]), _t(h["handover"]))
                for h in d.get("handoffs", [])
            ),
            tools=_t(d.get("tools")),
            skills=_t(d.get("skills")),
            onboarding=onboarding,
            career_path=tuple(
                CareerStep(step) if isinstance(step, str) else CareerStep(step["to"], step["when"])
                for step in d.get("career_path", [])
            ),
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
        starts = self.parse_date(doc, d.get("starts"), ("starts",))
        try:
            cadence = parse_cadence(d["cadence"], starts)
        except CadenceError as exc:
            self.problem_at(doc, ("cadence",), str(exc), exc.hint or CADENCE_HINT)
            cadence = None
        timezone = (
            self.timezone(doc, d["timezone"], ("timezone",))
            if "timezone" in d
            else playbook.timezone
        )
        sections = tuple(
            Section(s["title"], tuple(self.item(i) for i in s["items"])) for s in d["sections"]
        )
        self.unique(
            doc,
            "item",
            [
                (item.id, ("sections", s, "items", i, "id"))
                for s, section in enumerate(sections)
                for i, item in enumerate(section.items)
            ],
        )
        retired = self.parse_date(doc, d.get("until"), ("until",))
        metrics = tuple(Metric(**m) for m in d.get("metrics", []))
        self.unique(doc, "metric", [(m.id, ("metrics", i, "id")) for i, m in enumerate(metrics)])
        if cadence is None or timezone is None:
            return None  # its cross-references are still checked, from the document
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
            retired=min((day for day in (retired, cadence.until) if day is not None), default=None),
            teams=_t(d.get("teams")),
            people=_t(d.get("people")),
        )

    def onboarding_checklist(self, role: Role, playbook: Playbook) -> None:
        """A role's onboarding plan becomes a once-per-person checklist, not typed twice."""
        if not role.onboarding:
            return
        checklist_id = role.onboarding_checklist_id
        if checklist_id in self.known[CHECKLISTS_DIR]:
            document = self.documents.get(f"{CHECKLISTS_DIR}/{checklist_id}")
            self.problem(
                document.at()
                if document
                else Location(self.known[CHECKLISTS_DIR][checklist_id], 1, 1),
                f"duplicate id {checklist_id!r}: it is also the onboarding checklist of role {role.id!r}",
                f"rename the file; {role.source} already defines this checklist through its onboarding plan",
            )
            return
        playbook.checklists[checklist_id] = Checklist(
            id=checklist_id,
            title=_("{role} onboarding").format(role=role.title),
            purpose=_(
                "Everything a new {role} does in their first {duration}, phase by phase."
            ).format(role=role.title, duration=duration(role.onboarding[-1].due)),
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

    def cross_check(self, playbook: Playbook, checklists: dict[str, Document]) -> None:
        """References between files. A role file with problems still counts as a role;
        checklists are checked from their documents, so a bad cadence hides nothing."""
        roles = self.known[ROLES_DIR]
        stages = {stage.id for stage in playbook.funnel}

        def dangling(doc: Document, value: str, key_path: KeyPath, what: str) -> None:
            if value not in roles:
                close = get_close_matches(value, list(roles), n=1)
                self.problem_at(
                    doc,
                    key_path,
                    f"{what} {value!r} is not a role",
                    f"did you mean {close[0]!r}?"
                    if close
                    else f"known roles: {', '.join(sorted(roles)) or 'none'}",
                )

        for role in playbook.roles.values():
            doc = self.documents[f"{ROLES_DIR}/{role.id}"]
            if role.reports_to:
                dangling(doc, role.reports_to, ("reports_to",), "reports_to")
            for i, handoff in enumerate(role.handoffs):
                dangling(doc, handoff.to, ("handoffs", i, "to"), "hand-off target")
            for i, level in enumerate(role.levels):
                if level.reports_to:
                    dangling(
                        doc,
                        level.reports_to,
                        ("levels", i, "reports_to"),
                        f"level {level.id}'s reports_to",
                    )
            for i, step in enumerate(role.career_path):
                mapping = isinstance(doc.data["career_path"][i], dict)
                where = ("career_path", i, "to") if mapping else ("career_path", i)
                dangling(doc, step.to, where, "career path step")
            for i, stage in enumerate(role.funnel_stages):
                if self.funnel_known and stage not in stages:
                    self.problem_at(
                        doc,
                        ("funnel_stages", i),
                        f"funnel stage {stage!r} is not in {SETTINGS_FILE}",
                        f"known stages: {', '.join(sorted(stages))}",
                    )
        self.check_reporting_cycles(playbook)
        settings = self.documents["playbook"]
        for t, team in enumerate(playbook.teams.values()):
            for m, person in enumerate(team.members):
                dangling(
                    settings, person.role, ("teams", t, "members", m, "role"), f"{person.id}'s role"
                )
        for doc in checklists.values():
            for i, owner in enumerate(doc.data["owners"]):
                if owner not in playbook.people:  # a person can own a checklist (a DRI)
                    dangling(doc, owner, ("owners", i), "owner")
            for i, person_role in enumerate(doc.data.get("people", [])):
                dangling(doc, person_role, ("people", i), "people")
            for i, team in enumerate(doc.data.get("teams", [])):
                if team not in playbook.teams:
                    close = get_close_matches(team, list(playbook.teams), n=1)
                    self.problem_at(
                        doc,
                        ("teams", i),
                        f"team {team!r} is not in {SETTINGS_FILE}",
                        f"did you mean {close[0]!r}?"
                        if close
                        else f"known teams: {', '.join(playbook.teams) or 'none'}",
                    )
            recurring = str(doc.data.get("cadence", "")).strip().lower() != "once per person"
            if doc.data.get("scope") == "person" and recurring and not doc.data.get("people"):
                self.problem_at(
                    doc,
                    ("scope",),
                    "a recurring checklist per person must say whose: people is missing",
                    "add `people: [account-executive]` (role ids): each of their members gets "
                    "a series from their start date",
                )
            for i, related in enumerate(doc.data.get("roles", [])):
                dangling(doc, related, ("roles", i), "related role")
            for i, page in enumerate(doc.data.get("pages", [])):
                if not (self.docs_dir / page).is_file():
                    self.problem_at(
                        doc,
                        ("pages", i),
                        f"related page {page!r} does not exist in {self.display(self.docs_dir)}/",
                        "give a path relative to the docs folder, e.g. principles-and-control-points.md",
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
                self.problem_at(
                    doc,
                    ("reports_to",),
                    "reports_to forms a cycle: " + " → ".join([*chain, start]),
                    "one role in the chain must report to a role outside it, or to nobody",
                )
