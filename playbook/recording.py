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

from . import clock
from .completion import is_complete
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
    amend: bool = False  # replace the occurrence's existing record, as its own commit


@dataclass(frozen=True)
class Prepared:
    record: Record
    checklist: Checklist
    unit: Unit
    picked: str  # how the occurrence was chosen, for the user
    previous: Record | None  # the record this one finishes or replaces, if any
    previous_blob: str = ""  # the git blob id of that record's file ("" when there is none)

    @property
    def amendment(self) -> bool:
        return bool(self.record.amends)


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


def when(occurrence: Occurrence) -> str:
    """An occurrence as people read it: the day it is due on, and why if it moved."""
    text = f"{occurrence.due:%a %d %b %Y} (due {occurrence.due:%H:%M})"
    if occurrence.moved_from:
        text += f", moved from {occurrence.moved_from:%a %d %b} ({occurrence.holiday})"
    return text


def recorded(record: Record) -> str:
    """Who recorded what and when, for refusals: 'done by Anna Nowak on Mon 30 Nov 2026 10:12'."""
    state = "done" if record.complete else "partial"
    who = record.by.split("<")[0].strip()
    return f"{state} by {who} on {record.completed_at:%a %d %b %Y %H:%M %Z}".rstrip()


# An occurrence can be recorded a little before it is due (a yearly review a few
# days early): within this share of the time since the occurrence before it.
EARLY_SHARE = 0.05


def _opens(checklist: Checklist, found: list[Occurrence], index: int) -> datetime:
    """When an occurrence can first be recorded."""
    occurrence = found[index]
    if checklist.cadence.per_person:  # an onboarding plan, from the new hire's first day
        return datetime.combine(occurrence.key, datetime.min.time(), occurrence.due.tzinfo)
    neighbour = found[index - 1] if index else found[index + 1] if index + 1 < len(found) else None
    gap = abs(occurrence.due - neighbour.due) if neighbour else timedelta(0)
    day_start = occurrence.due.replace(hour=0, minute=0, second=0, microsecond=0)
    return min(day_start, occurrence.due - gap * EARLY_SHARE)


def pick_occurrence(
    checklist: Checklist,
    unit: Unit,
    wanted: date | None,
    now: datetime,
    existing: ExistingRecords,
    since: date | None = None,
    amend: bool = False,
) -> tuple[Occurrence, str]:
    """The occurrence to record and a sentence saying why it was chosen.

    Without `wanted`: the open occurrence nearest to now among the current one
    and, when that opened early, the one before it; never one before `since`
    (the playbook's tracking_since).
    """
    start = now - HISTORY_WINDOW
    if wanted is not None:
        start = min(
            start, datetime.combine(wanted, datetime.min.time(), unit.timezone) - timedelta(days=40)
        )
    found = occurrences(checklist, unit, start, now + timedelta(days=400))
    if wanted is None and since is not None:
        found = [o for o in found if o.key >= since]
    if not found:
        raise PlaybookError(
            _problem(
                "--occurrence",
                f"{checklist.id} has no occurrence for {unit.id}",
                "check the person's start date, the cadence, or whether the checklist is retired",
                "occurrence",
            )
        )
    opened = [o for i, o in enumerate(found) if _opens(checklist, found, i) <= now]
    if wanted is not None:
        return _asked_for(checklist, found, opened, wanted)
    if not opened:
        raise PlaybookError(
            _problem(
                "--occurrence",
                f"nothing of {checklist.id} is due yet",
                f"the first is on {when(found[0])}",
                "occurrence",
            )
        )
    latest = opened[-1]
    candidates = [latest]
    if latest.due > now and len(opened) > 1:
        candidates.append(opened[-2])  # opened early: the one before may still be open
    candidates.sort(key=lambda o: abs(o.due - now))
    for occurrence in candidates:
        record = existing.get(occurrence.key)
        if record is None or not record.complete:
            return occurrence, _why(occurrence, record, now)
    record = existing.get(latest.key)
    assert record is not None
    if amend:
        return latest, f"amending the record of {when(latest)}, {recorded(record)}"
    upcoming = [o for o in found if o not in opened]
    hint = f"the next is {when(upcoming[0])}; " if upcoming else ""
    raise PlaybookError(
        _problem(
            record.path,
            f"the occurrence of {when(latest)} is already recorded: {recorded(record)}",
            hint
            + "to replace that record add --amend; for another occurrence pass --occurrence DATE",
            "amend",
        )
    )


def _why(occurrence: Occurrence, record: Record | None, now: datetime) -> str:
    if record is not None:
        return f"finishing the partial record of {when(occurrence)}, {recorded(record)}"
    if occurrence.due > now:
        ahead = occurrence.due.date() - now.astimezone(occurrence.due.tzinfo).date()
        days = f"in {ahead.days} days" if ahead.days > 1 else "tomorrow" if ahead.days else "today"
        return f"the next occurrence, {when(occurrence)}, {days} (recorded early)"
    return f"the occurrence due now: {when(occurrence)}"


def _asked_for(
    checklist: Checklist, found: list[Occurrence], opened: list[Occurrence], wanted: date
) -> tuple[Occurrence, str]:
    match = [o for o in found if wanted in (o.key, o.due.date())]
    if not match:
        nearest = sorted(found, key=lambda o: abs((o.key - wanted).days))[:3]
        raise PlaybookError(
            _problem(
                "--occurrence",
                f"{wanted} is not an occurrence of {checklist.id} ({checklist.cadence.words()})",
                "nearest: "
                + ", ".join(f"{o.due:%a %Y-%m-%d}" for o in sorted(nearest, key=lambda o: o.key)),
                "occurrence",
            )
        )
    if match[0] not in opened:
        raise PlaybookError(
            _problem(
                "--occurrence",
                f"{wanted} is in the future; it cannot be recorded yet",
                "the latest that can be recorded: "
                + (f"{opened[-1].due:%a %Y-%m-%d}" if opened else "none yet"),
                "occurrence",
            )
        )
    return match[0], f"the occurrence of {when(match[0])} (as asked)"


def prepare_record(playbook: Playbook, request: CheckRequest, now: datetime, by: str) -> Prepared:
    """Validate a request completely; raise PlaybookError with every problem, write nothing.

    Recording an occurrence that already has a record starts from that record:
    a partial is finished (its items, skips, metrics and note are kept unless
    the request changes them); a complete one is replaced only with `amend`.
    """
    checklist = find_checklist(playbook, request.checklist)
    unit = find_unit(playbook, checklist, request.team, request.person)
    existing = ExistingRecords(playbook.root, checklist.id, unit.id)
    occurrence, picked = pick_occurrence(
        checklist, unit, request.occurrence, now, existing, playbook.tracking_since, request.amend
    )
    previous = existing.get(occurrence.key)
    _check_replacement(request, occurrence, previous)
    problems = _request_problems(checklist, request)
    base_done = {i.id for i in previous.items if i.done} if previous else set()
    base_skipped = {i.id: i.reason for i in previous.items if not i.done} if previous else {}
    skipped = {k: v for k, v in base_skipped.items() if k not in request.done}
    skipped |= {k: v.strip() for k, v in request.skipped.items()}
    done = (base_done - set(request.skipped)) | set(request.done)
    states = []
    for item in checklist.items:
        if item.id in skipped:
            states.append(ItemState(item.id, item.text, False, skipped[item.id]))
        elif request.all_items or item.id in done:
            states.append(ItemState(item.id, item.text, True))
        elif item.required and not request.partial:
            problems.append(
                _problem(
                    "--item",
                    f"required item {item.id!r} is neither done nor skipped",
                    f"tick it (--item {item.id}), skip it with a reason (--skip {item.id}=REASON), or save a partial record with --partial",
                    f"items.{item.id}",
                )
            )
    values = _metric_values(
        checklist, request, dict(previous.metrics) if previous else {}, problems
    )
    if problems:
        raise PlaybookError(problems)
    complete = is_complete(
        checklist,
        done=[s.id for s in states if s.done],
        skipped=[s.id for s in states if not s.done],
        metrics=values,
        partial=request.partial,
    )
    previous_blob = existing.blob(occurrence.key)
    record = Record(
        checklist=checklist.id,
        unit=unit.id,
        unit_kind=unit.kind,
        occurrence=occurrence.key,
        due=occurrence.due,
        completed_at=now.astimezone(unit.timezone).replace(microsecond=0),
        by=by,
        complete=complete,
        items=tuple(states),
        metrics=values,
        note=request.note.strip() or (previous.note if previous else ""),
        checklist_version=checklist_version(playbook.root, checklist),
        amends=previous_blob if previous is not None and previous.complete else "",
    )
    return Prepared(record, checklist, unit, picked, previous, previous_blob)


def _check_replacement(
    request: CheckRequest, occurrence: Occurrence, previous: Record | None
) -> None:
    """A complete record is never replaced silently; --amend needs something to amend."""
    if previous is not None and previous.complete and not request.amend:
        raise PlaybookError(
            _problem(
                previous.path,
                f"the occurrence of {when(occurrence)} is already recorded: {recorded(previous)}",
                "to replace that record add --amend (the amendment is its own commit, "
                "and history and audit show it); for another occurrence pass --occurrence DATE",
                "amend",
            )
        )
    if request.amend and previous is None:
        raise PlaybookError(
            _problem(
                "--amend",
                f"the occurrence of {when(occurrence)} has no record to amend",
                "leave out --amend to record it",
                "amend",
            )
        )


def _request_problems(checklist: Checklist, request: CheckRequest) -> list[Problem]:
    problems: list[Problem] = []
    item_ids = [item.id for item in checklist.items]
    for option, ids in (("--item", request.done), ("--skip", list(request.skipped))):
        for item_id in ids:
            if item_id not in item_ids:
                problems.append(
                    _problem(
                        option,
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
    return problems


def _metric_values(
    checklist: Checklist, request: CheckRequest, values: dict[str, Any], problems: list[Problem]
) -> dict[str, Any]:
    """The record's metric values: those kept from the record it continues, then the request's."""
    metrics_by_id = {m.id: m for m in checklist.metrics}
    values = {key: value for key, value in values.items() if key in metrics_by_id}
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
        given = (
            metric.id in values or metric.id in request.metrics
        )  # a bad value is its own problem
        if metric.required and not given and not request.partial:
            problems.append(
                _problem(
                    "--metric",
                    f"required metric {metric.id!r} ({metric.label}) has no value",
                    f"add --metric {metric.id}=VALUE",
                    f"metrics.{metric.id}",
                )
            )
    return {metric.id: values[metric.id] for metric in checklist.metrics if metric.id in values}


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

    def blob(self, occurrence: date) -> str:
        """The git blob id of the occurrence's record file as it is now, "" if there is none."""
        try:
            return git_blob_id((self.folder / f"{occurrence.isoformat()}.yml").read_bytes())
        except OSError:
            return ""

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
    body = ""
    if prepared.amendment and prepared.previous is not None:
        subject = f"Amend {subject[0].lower()}{subject[1:]}"
        body = f"Replaces the record {recorded(prepared.previous)}.\n\n"
    trailers = [f"Checklist: {record.checklist}", f"Occurrence: {record.occurrence}"]
    trailers.append(f"{'Person' if record.unit_kind == 'person' else 'Team'}: {record.unit}")
    trailers.append(f"Status: {state}")
    if prepared.amendment:
        trailers.append(f"Amends: {record.amends}")
    return subject + "\n\n" + body + "\n".join(trailers) + "\n"


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
            repo = gitrepo.find_repository(root)
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
        repo = gitrepo.find_repository(root) if commit else None
    if request.by:
        name, email = gitrepo.parse_signature(request.by)
        by = f"{name} <{email}>"
    else:
        assert repo is not None
        by = gitrepo.identity(repo, root)
    moment = now or clock.now(playbook.timezone)
    prepared = prepare_record(playbook, request, moment, by)
    path = playbook.root / prepared.record.path
    if repo is not None:
        _refuse_uncommitted_checklist(repo, playbook.root, prepared.checklist)
    if dry_run:
        return Outcome(prepared, path, None, False)
    content = prepared.record.to_yaml().encode()
    if not commit:
        gitrepo.write_atomically(path, content, path.parent)
        return Outcome(prepared, path, None, True)
    assert repo is not None
    relative = path.relative_to(Path(repo.working_tree_dir or root).resolve()).as_posix()
    sha = gitrepo.commit_file(
        repo, relative, content, commit_message(prepared), request.by, prepared.previous_blob
    )
    return Outcome(prepared, path, sha, True)


def _refuse_uncommitted_checklist(repo: Any, root: Path, checklist: Checklist) -> None:
    """A record names the checklist version it was made against: one git has (HEAD's)."""
    from . import gitrepo

    source = root / checklist.source
    relative = source.resolve().relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
    committed = gitrepo.blob_at_head(repo, relative)
    if committed == git_blob_id(source.read_bytes()):
        return
    what = "is not committed yet" if committed is None else "has changes that are not committed"
    raise PlaybookError(
        _problem(
            checklist.source,
            f"{checklist.source} {what}, so a record cannot name the version it was made against",
            f"commit it first (git commit {checklist.source}), or undo the edit "
            f"(git checkout -- {checklist.source}), then record again",
        )
    )
