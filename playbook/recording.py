"""`playbook check`: turn what a manager ticked into a validated record and commit it.

One engine for every front end: the terminal (flags or prompts) and the
browser form both build a CheckRequest and call `prepare_record`, so they
accept and refuse exactly the same things.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, PlaybookError, Problem
from .load import load_playbook
from .metrics import parse_metric, to_record
from .model import Checklist, Playbook
from .records import LOGS_DIR, ItemState, Record, RecordError, git_blob_id, parse_record
from .status import Occurrence, Unit, occurrences, units

HISTORY_WINDOW = timedelta(days=400)


@dataclass
class CheckRequest:
    checklist: str
    team: str | None = None
    person: str | None = None
    occurrence: date | None = None
    all_items: bool = False
    done: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)
    note: str = ""
    by: str | None = None
    partial: bool = False
    amend: bool = False


@dataclass(frozen=True)
class Prepared:
    record: Record
    checklist: Checklist
    unit: Unit
    picked: str  # how the occurrence was chosen, for the user
    previous: Record | None  # the record this one replaces, if any


def _problem(where: str, message: str, hint: str = "", field_name: str = "") -> Problem:
    return Problem(Location(where), message, hint, field_name)


def _suggest(value: str, known: list[str], what: str) -> str:
    close = get_close_matches(value, known, n=1)
    return f"did you mean {close[0]!r}?" if close else f"known {what}: {', '.join(known) or 'none'}"


def find_checklist(playbook: Playbook, checklist_id: str) -> Checklist:
    if checklist_id not in playbook.checklists:
        raise PlaybookError(
            _problem(
                "CHECKLIST",
                f"unknown checklist {checklist_id!r}",
                _suggest(checklist_id, sorted(playbook.checklists), "checklists"),
                "checklist",
            )
        )
    return playbook.checklists[checklist_id]


def find_unit(
    playbook: Playbook, checklist: Checklist, team: str | None, person: str | None
) -> Unit:
    candidates = units(playbook, checklist)
    if checklist.scope == "person":
        if person is None:
            names = [u.id for u in candidates]
            raise PlaybookError(
                _problem(
                    "--person",
                    f"{checklist.id} is recorded per person: say whose",
                    f"add --person with one of: {', '.join(names) or 'nobody (add people with a start date to playbook.yml teams)'}",
                    "person",
                )
            )
        match = [u for u in candidates if u.id == person]
        if not match:
            raise PlaybookError(
                _problem(
                    "--person",
                    f"{person!r} is not a person this checklist applies to",
                    _suggest(person, [u.id for u in candidates], "people"),
                    "person",
                )
            )
        return match[0]
    if candidates[0].kind == "playbook":
        if team is not None:
            raise PlaybookError(
                _problem(
                    "--team",
                    f"{checklist.id} is recorded once for the whole playbook, not per team",
                    "leave out --team",
                    "team",
                )
            )
        return candidates[0]
    if team is None:
        if len(candidates) == 1:
            return candidates[0]
        raise PlaybookError(
            _problem(
                "--team",
                f"{checklist.id} is recorded per team: say which",
                f"add --team with one of: {', '.join(u.id for u in candidates)}",
                "team",
            )
        )
    match = [u for u in candidates if u.id == team]
    if not match:
        raise PlaybookError(
            _problem(
                "--team",
                f"unknown team {team!r}",
                _suggest(team, [u.id for u in candidates], "teams"),
                "team",
            )
        )
    return match[0]


def pick_occurrence(
    checklist: Checklist,
    unit: Unit,
    wanted: date | None,
    now: datetime,
    existing: ExistingRecords,
) -> tuple[Occurrence, str]:
    """The occurrence to record and a sentence saying why it was chosen."""
    start = now - HISTORY_WINDOW
    if wanted is not None:
        start = min(
            start, datetime.combine(wanted, datetime.min.time(), unit.timezone) - timedelta(days=40)
        )
    found = occurrences(checklist, unit, start, now + timedelta(days=400))
    if not found:
        raise PlaybookError(
            _problem(
                "--occurrence",
                f"{checklist.id} has no occurrence for {unit.id}",
                "check the person's start date or the cadence",
                "occurrence",
            )
        )
    today = now.astimezone(unit.timezone).date()
    # A recurring review can be recorded from its due day on; an onboarding plan
    # from the new hire's first day, long before it is due.
    opens = (lambda o: o.key) if checklist.scope == "person" else (lambda o: o.due.date())
    recordable = [o for o in found if opens(o) <= today]
    if wanted is not None:
        match = [o for o in found if wanted in (o.key, o.due.date())]
        if not match:
            nearest = sorted(found, key=lambda o: abs((o.key - wanted).days))[:3]
            raise PlaybookError(
                _problem(
                    "--occurrence",
                    f"{wanted} is not an occurrence of {checklist.id} ({checklist.cadence.words()})",
                    "nearest: "
                    + ", ".join(
                        f"{o.key:%a %Y-%m-%d}" for o in sorted(nearest, key=lambda o: o.key)
                    ),
                    "occurrence",
                )
            )
        if match[0] not in recordable:
            raise PlaybookError(
                _problem(
                    "--occurrence",
                    f"{wanted} is in the future; it cannot be recorded yet",
                    "the latest that can be recorded: "
                    + (f"{recordable[-1].key}" if recordable else "none yet"),
                    "occurrence",
                )
            )
        return match[0], (
            f"the occurrence due {match[0].due:%a %d %b %Y %H:%M}"
            + (
                f" (moved from {match[0].moved_from:%a %d %b}, {match[0].holiday})"
                if match[0].moved_from
                else ""
            )
            + " (as asked)"
        )
    if not recordable:
        raise PlaybookError(
            _problem(
                "--occurrence",
                f"nothing of {checklist.id} is due yet",
                f"the first is on {found[0].due:%a %d %b %Y %H:%M}",
                "occurrence",
            )
        )
    latest = recordable[-1]
    record = existing.get(latest.key)
    if record is not None and record.complete:
        upcoming = [o for o in found if o not in recordable]
        hint = f"the next is {upcoming[0].due:%a %d %b %Y %H:%M}; " if upcoming else ""
        raise PlaybookError(
            _problem(
                "--occurrence",
                f"the occurrence of {latest.key} is already recorded as done",
                hint + "pass --occurrence DATE to record it again",
                "occurrence",
            )
        )
    why = "finishing the partial record of" if record else "the occurrence due now:"
    return latest, f"{why} {latest.due:%a %d %b %Y %H:%M}" + (
        f" (moved from {latest.moved_from:%a %d %b}, {latest.holiday})" if latest.moved_from else ""
    )


def prepare_record(playbook: Playbook, request: CheckRequest, now: datetime, by: str) -> Prepared:
    """Validate a request completely; raise PlaybookError with every problem, write nothing."""
    checklist = find_checklist(playbook, request.checklist)
    unit = find_unit(playbook, checklist, request.team, request.person)
    existing = ExistingRecords(playbook.root, checklist.id, unit.id)
    occurrence, picked = pick_occurrence(checklist, unit, request.occurrence, now, existing)
    problems: list[Problem] = []
    item_ids = [item.id for item in checklist.items]
    for item_id in [*request.done, *request.skipped]:
        if item_id not in item_ids:
            problems.append(
                _problem(
                    "--item",
                    f"{checklist.id} has no item {item_id!r}",
                    _suggest(item_id, item_ids, "items"),
                    f"items.{item_id}",
                )
            )
    for item_id, reason in request.skipped.items():
        if not reason.strip():
            problems.append(
                _problem(
                    "--skip",
                    f"skipping {item_id!r} needs a reason",
                    f"write --skip {item_id}=REASON",
                    f"items.{item_id}",
                )
            )
        if item_id in request.done:
            problems.append(
                _problem(
                    "--skip",
                    f"{item_id!r} is both done and skipped",
                    "choose one",
                    f"items.{item_id}",
                )
            )
    states = []
    for item in checklist.items:
        if (request.all_items and item.id not in request.skipped) or item.id in request.done:
            states.append(ItemState(item.id, item.text, True))
        elif item.id in request.skipped:
            states.append(ItemState(item.id, item.text, False, request.skipped[item.id].strip()))
        elif item.required and not request.partial:
            problems.append(
                _problem(
                    "--item",
                    f"required item {item.id!r} is neither done nor skipped",
                    f"tick it (--item {item.id}), skip it with a reason (--skip {item.id}=REASON), or save a partial record with --partial",
                    f"items.{item.id}",
                )
            )
    metrics_by_id = {m.id: m for m in checklist.metrics}
    values: dict[str, Any] = {}
    for metric_id, raw in request.metrics.items():
        metric = metrics_by_id.get(metric_id)
        if metric is None:
            problems.append(
                _problem(
                    "--metric",
                    f"{checklist.id} has no metric {metric_id!r}",
                    _suggest(metric_id, list(metrics_by_id), "metrics"),
                    f"metrics.{metric_id}",
                )
            )
            continue
        try:
            # Records hold money as an exact string, the same in memory as in the file.
            values[metric_id] = to_record(parse_metric(metric, raw))
        except ValueError as exc:
            problems.append(
                _problem(
                    f"--metric {metric_id}",
                    f"{metric.label}: {exc}",
                    f"{metric.type}{f' in {metric.unit}' if metric.unit else ''}",
                    f"metrics.{metric_id}",
                )
            )
    for metric in checklist.metrics:
        if metric.required and metric.id not in request.metrics and not request.partial:
            problems.append(
                _problem(
                    "--metric",
                    f"required metric {metric.id!r} ({metric.label}) has no value",
                    f"add --metric {metric.id}=VALUE",
                    f"metrics.{metric.id}",
                )
            )
    if problems:
        raise PlaybookError(problems)
    done_items = {s.id for s in states}
    complete = all(item.id in done_items for item in checklist.items if item.required)
    complete = complete and all(m.id in values for m in checklist.metrics if m.required)
    record = Record(
        checklist=checklist.id,
        unit=unit.id,
        unit_kind=unit.kind,
        occurrence=occurrence.key,
        due=occurrence.due,
        completed_at=now.astimezone(unit.timezone).replace(microsecond=0),
        by=by,
        complete=complete and not request.partial,
        items=tuple(states),
        metrics=values,
        note=request.note.strip(),
        checklist_version=checklist_version(playbook.root, checklist),
    )
    return Prepared(record, checklist, unit, picked, existing.get(occurrence.key))


def checklist_version(root: Path, checklist: Checklist) -> str:
    """The git blob id of the file the checklist was read from, as it is now."""
    return git_blob_id((root / checklist.source).read_bytes())


class ExistingRecords:
    """The records of one checklist and unit, read one file at a time, only when asked.

    Recording needs at most two of them (the occurrence due now, or the one
    asked for), so a unit with years of history costs one file read, not all.
    """

    def __init__(self, root: Path, checklist_id: str, unit_id: str) -> None:
        self.folder = root / LOGS_DIR / checklist_id / unit_id
        self.read: dict[date, Record | None] = {}

    def get(self, occurrence: date) -> Record | None:
        if occurrence not in self.read:
            path = self.folder / f"{occurrence.isoformat()}.yml"
            try:
                self.read[occurrence] = parse_record(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                self.read[occurrence] = None
            except (RecordError, yaml.YAMLError, UnicodeDecodeError, OSError):
                self.read[occurrence] = None  # a broken record is `playbook audit`'s finding
        return self.read[occurrence]


def commit_message(prepared: Prepared) -> str:
    record = prepared.record
    state = "done" if record.complete else "partial"
    who = record.by.split("<")[0].strip()
    subject = (
        f"{prepared.checklist.title} {record.occurrence}, {prepared.unit.name}: {state} by {who}"
    )
    trailers = [f"Checklist: {record.checklist}", f"Occurrence: {record.occurrence}"]
    trailers.append(f"{'Person' if record.unit_kind == 'person' else 'Team'}: {record.unit}")
    trailers.append(f"Status: {state}")
    return subject + "\n\n" + "\n".join(trailers) + "\n"


@dataclass(frozen=True)
class Outcome:
    prepared: Prepared
    path: Path
    commit: str | None  # None when not committed (--no-commit or --dry-run)
    written: bool


def record_completion(
    root: Path,
    request: CheckRequest,
    now: datetime | None = None,
    commit: bool = True,
    dry_run: bool = False,
) -> Outcome:
    """Validate, write and commit one record; on any problem nothing is written."""
    from . import gitrepo

    playbook = load_playbook(root)
    if not commit and not request.by:
        try:
            repo = gitrepo.open_repository(root)
        except PlaybookError:
            raise PlaybookError(
                _problem(
                    "--by",
                    "outside a git repository nobody is known to sign the record",
                    'add --by "Name <email>"',
                    "by",
                )
            ) from None
    else:
        repo = gitrepo.open_repository(root) if commit else None
    if request.by:
        name, email = gitrepo.parse_signature(request.by)
        by = f"{name} <{email}>"
    else:
        assert repo is not None
        by = gitrepo.identity(repo, root)
    moment = now or datetime.now(playbook.timezone)
    prepared = prepare_record(playbook, request, moment, by)
    path = playbook.root / prepared.record.path
    if dry_run:
        return Outcome(prepared, path, None, False)
    content = prepared.record.to_yaml().encode()
    if not commit:
        gitrepo.write_atomically(path, content, path.parent)
        return Outcome(prepared, path, None, True)
    assert repo is not None
    relative = path.relative_to(Path(repo.working_tree_dir or root).resolve()).as_posix()
    sha = gitrepo.commit_file(repo, relative, content, commit_message(prepared), request.by)
    return Outcome(prepared, path, sha, True)
