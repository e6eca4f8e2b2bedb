"""Text and JSON views of status and history for the terminal."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from . import clock
from .dates import When
from .errors import Location, PlaybookError, Problem
from .load import load_playbook
from .metrics import format_value
from .model import Playbook
from .recording import Prepared, find_checklist
from .records import Progress, load_records
from .status import (
    BRIEF_WINDOW,
    RECENT,
    Occurrence,
    OccurrenceStatus,
    State,
    Summary,
    collect,
    judge,
)

MARKS = {
    State.DONE: "done",
    State.LATE: "late",
    State.MISSED: "MISSED",
    State.DUE: "due",
    State.UPCOMING: "upcoming",
}


def _when(moment: datetime | None, zone: tzinfo | None = None) -> str:
    """A moment as the unit's wall clock shows it: records may be stored in any offset."""
    if moment is None:
        return "—"
    return f"{moment.astimezone(zone) if zone else moment:%Y-%m-%d %H:%M}"


def verdict(prepared: Prepared) -> str:
    """What a new record is, as status will judge it: done, late (by how much) or partial."""
    record = prepared.record
    if not record.complete:
        required = [i for i in prepared.checklist.items if i.required]
        done = {i.id for i in record.items}
        open_items = sum(i.id not in done for i in required)
        return f"partial ({open_items} of {len(required)} required items open)"
    occurrence = Occurrence(record.occurrence, record.due)
    judged = judge(prepared.checklist, occurrence, None, record, record.completed_at)
    if judged.state is State.LATE:
        return f"late ({_duration(record.completed_at - record.due)} after it was due)"
    return "done"


def _duration(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    if hours < 48:
        whole = max(1, round(hours))
        return f"{whole} hour{'s' if whole != 1 else ''}"
    days = round(hours / 24)
    return f"{days} days"


def _state(summary: Summary) -> str:
    if summary.overdue:
        return "OVERDUE"
    if summary.open:
        return "due"
    return "ok"


def _summaries(
    root: Path,
    as_of: When | None,
    team: str | None,
    owner: str | None,
    checklist: str | None = None,
    progress: Progress | None = None,
) -> tuple[list[Summary], datetime, list[Problem]]:
    playbook = load_playbook(root)
    if team and team not in playbook.teams and team not in playbook.people:
        raise PlaybookError(
            Problem(
                Location("--team"),
                f"unknown team {team!r}",
                f"known teams: {', '.join(playbook.teams) or 'none'}; "
                "or give a person's id from playbook.yml",
            )
        )
    if owner and owner not in playbook.roles:
        raise PlaybookError(
            Problem(
                Location("--owner"), f"unknown role {owner!r}", "give a role id, e.g. sales-manager"
            )
        )
    if checklist:
        find_checklist(playbook, checklist)  # unknown: a located error with a suggestion
    now = clock.now(playbook.timezone)
    moment = as_of.moment(playbook.timezone, now) if as_of else now
    recent = None if checklist else RECENT
    # The status table first judges the on-time rate's window (see `summarize`).
    records = load_records(
        playbook.root,
        checklist=checklist,
        since=None if checklist else moment - BRIEF_WINDOW,
        progress=progress,
    )
    person = team if team in playbook.people and team not in playbook.teams else None
    summaries = collect(
        playbook,
        records.index(),
        moment,
        _team_of(playbook, person) if person else team,
        owner,
        checklist,
        recent,
        brief=checklist is None,  # the status table shows no history
    )
    if person:
        # A person's view: their own onboarding, and their team's checklists.
        summaries = [s for s in summaries if s.unit.kind != "person" or s.unit.id == person]
    return summaries, moment, records.problems


def _team_of(playbook: Playbook, person: str) -> str:
    return playbook.people[person].team


def status_report(
    root: Path,
    as_of: When | None,
    team: str | None,
    owner: str | None,
    fmt: str,
    progress: Progress | None = None,
) -> tuple[str, bool]:
    """The status table (or JSON) and whether anything is overdue."""
    summaries, moment, problems = _summaries(root, as_of, team, owner, progress=progress)
    overdue = any(s.overdue for s in summaries)
    if fmt == "json":
        return json.dumps(
            {"as_of": moment.isoformat(), "checklists": [_summary_json(s) for s in summaries]},
            indent=2,
        ), overdue
    rows = [("", "CHECKLIST", "FOR", "LAST DONE", "OPEN", "NEXT DUE", "ON TIME 90D", "STREAK")]
    for s in summaries:
        rows.append(
            (
                _state(s),
                s.checklist.id,
                s.unit.id,
                f"{s.last_done.occurrence.key} ({s.last_done.state})" if s.last_done else "—",
                ", ".join(f"{o.occurrence.key}" for o in s.open) or "—",
                _when(s.next_due.due, s.unit.timezone) if s.next_due else "—",
                f"{s.on_time_rate:.0%}" if s.on_time_rate is not None else "—",
                str(s.streak),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.append("")
    lines.append(
        f"As of {moment:%Y-%m-%d %H:%M %Z}: {sum(s.overdue for s in summaries)} overdue, {sum(bool(s.open) for s in summaries)} open, {len(summaries)} tracked."
    )
    lines += [f"warning: {p.render()}" for p in problems]
    return "\n".join(lines), overdue


def _status_json(status: OccurrenceStatus) -> dict[str, object]:
    out: dict[str, object] = {
        "occurrence": status.occurrence.key.isoformat(),
        "due": status.occurrence.due.isoformat(),
        "state": str(status.state),
        "overdue": status.overdue,
    }
    if status.occurrence.moved_from:
        out["holiday"] = status.occurrence.holiday
    if status.record:
        out |= {
            "by": status.record.by,
            "completed_at": status.record.completed_at.isoformat(),
            "metrics": status.record.metrics,
        }
    return out


def _summary_json(s: Summary) -> dict[str, object]:
    return {
        "checklist": s.checklist.id,
        "unit": s.unit.id,
        "unit_kind": s.unit.kind,
        "overdue": s.overdue,
        "last_done": _status_json(s.last_done) if s.last_done else None,
        "open": [_status_json(o) for o in s.open],
        "next_due": s.next_due.due.isoformat() if s.next_due else None,
        "on_time_rate": s.on_time_rate,
        "streak": s.streak,
    }


def history_report(
    root: Path,
    checklist: str,
    team: str | None,
    as_of: When | None,
    progress: Progress | None = None,
) -> str:
    summaries, moment, _ = _summaries(root, as_of, team, None, checklist, progress)
    lines = []
    for s in summaries:
        lines.append(f"{s.checklist.title} — {s.unit.name} ({s.checklist.cadence.words()})")
        for h in reversed(s.history):
            state = MARKS[h.state] + (" (overdue)" if h.overdue else "")
            moved = (
                f" moved from {h.occurrence.moved_from} ({h.occurrence.holiday})"
                if h.occurrence.moved_from
                else ""
            )
            due = _when(h.occurrence.due, s.unit.timezone)
            line = f"  {h.occurrence.key}  {state:<16}due {due}{moved}"
            if h.record:
                line += (
                    f"  by {h.record.by.split('<')[0].strip()} "
                    f"at {_when(h.record.completed_at, s.unit.timezone)}"
                )
                if h.record.metrics:
                    metrics = {m.id: m for m in s.checklist.metrics}
                    line += "  " + ", ".join(
                        f"{k}={format_value(metrics.get(k), v)}"
                        for k, v in h.record.metrics.items()
                    )
                if not h.record.complete:
                    line += "  [partial]"
                if h.record.amends:
                    line += "  [amended]"
            if h.occurrence.off_schedule:
                line += "  [not in the cadence]"
            lines.append(line)
        lines.append("")
    return "\n".join(lines).rstrip() or f"No occurrences as of {moment:%Y-%m-%d}."
