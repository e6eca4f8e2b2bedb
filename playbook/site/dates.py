"""The dates the site shows, all from the occurrence engine in `status`.

Every view (a checklist's next dates, the checklists index, the calendar)
asks `status.units`, `status.occurrences` and `status.upcoming`, so the site
shows the same moments as `playbook status`, the feeds and recording: each
team's own zone and holidays applied. Teams whose dates agree share a line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..i18n import _
from ..i18n import formatting as fmt
from ..model import Checklist, Playbook
from ..status import Occurrence, Unit, occurrences, units, upcoming


@dataclass(frozen=True)
class Dates:
    """Occurrences that several units share (the same due moments and moves)."""

    units: tuple[Unit, ...]
    occurrences: tuple[Occurrence, ...]


def when(occurrence: Occurrence) -> str:
    """`Wed, 23 Dec 2026, 14:00 — moved from Fri 25 Dec, Christmas Day`."""
    shown = fmt.moment(occurrence.due)
    if occurrence.moved_from is not None:
        moved = _("moved from {day}, {holiday}").format(
            day=fmt.short_day(occurrence.moved_from), holiday=occurrence.holiday
        )
        shown += f" — {moved}"
    return shown


Upcoming = dict[Unit, tuple[Occurrence, ...]]


def _place(unit: Unit) -> tuple[str, str, date | None]:
    """What of a unit the occurrence engine schedules by: its zone, country and start.

    Units alike in these have the same occurrences, so twenty teams in four
    zones cost the engine four schedules per checklist, not twenty.
    """
    return unit.timezone.key, unit.country, unit.started


def upcoming_by_unit(
    playbook: Playbook, checklist: Checklist, now: datetime, count: int
) -> Upcoming:
    """The next `count` occurrences of each unit of the checklist."""
    scheduled: dict[tuple[str, str, date | None], tuple[Occurrence, ...]] = {}
    found = {}
    for unit in units(playbook, checklist):
        place = _place(unit)
        if place not in scheduled:
            scheduled[place] = tuple(upcoming(checklist, unit, now, count))
        found[unit] = scheduled[place]
    return found


def next_dates(found: Upcoming, count: int) -> list[Dates]:
    """The first `count` of each unit's next occurrences, units with the same dates together."""
    groups: dict[tuple[Occurrence, ...], list[Unit]] = {}
    for unit, occurrences_ in found.items():
        groups.setdefault(occurrences_[:count], []).append(unit)
    return [Dates(tuple(members), dates) for dates, members in groups.items() if dates]


@dataclass(frozen=True)
class Entry:
    """One line of the calendar: a checklist due at a moment, for the units listed."""

    occurrence: Occurrence
    checklist: Checklist
    units: tuple[Unit, ...]


def calendar(playbook: Playbook, start: datetime, end: datetime) -> list[Entry]:
    """Every occurrence due in [start, end), in time order; one entry per shared moment."""
    shared: dict[tuple[str, Occurrence], list[Unit]] = {}
    checklists: dict[str, Checklist] = {}
    for checklist in playbook.checklists.values():
        checklists[checklist.id] = checklist
        scheduled: dict[tuple[str, str, date | None], list[Occurrence]] = {}
        for unit in units(playbook, checklist):
            place = _place(unit)
            if place not in scheduled:
                scheduled[place] = occurrences(checklist, unit, start, end)
            for occurrence in scheduled[place]:
                shared.setdefault((checklist.id, occurrence), []).append(unit)
    entries = [
        Entry(occurrence, checklists[checklist_id], tuple(members))
        for (checklist_id, occurrence), members in shared.items()
    ]
    return sorted(entries, key=lambda e: (e.occurrence.due, e.checklist.id, e.units[0].id))


def for_whom(members: tuple[Unit, ...], of: int) -> str:
    """Who a line is for: '' when it is all `of` units of the checklist, else their names."""
    if len(members) == of and members[0].kind != "person":
        return ""
    return ", ".join(unit.name for unit in members)
