"""Occurrences × records → done, late, missed, due or upcoming.

A checklist is recorded per unit: the whole playbook, each team, or each
person (onboarding). Each occurrence is due at its time in the unit's time
zone, counts as late after the checklist's grace period, and as missed once
the next occurrence has come without a record.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

from .model import Checklist, Playbook
from .records import Record, UnitRecords
from .schedule import Cadence

PLAYBOOK_UNIT = "all"
RATE_WINDOW = timedelta(days=90)
# What status views judge: the on-time rate's 90 days, and streaks of up to a year.
RECENT = timedelta(days=400)
BRIEF_WINDOW = RATE_WINDOW + timedelta(days=14)  # what a brief summary judges first


class State(StrEnum):
    DONE = "done"
    LATE = "late"
    MISSED = "missed"
    DUE = "due"
    UPCOMING = "upcoming"


CLOSED = frozenset({State.DONE, State.LATE, State.MISSED})


@dataclass(frozen=True)
class Unit:
    """What a checklist is recorded for: the playbook, a team or a person."""

    kind: str  # "playbook", "team" or "person"
    id: str
    name: str
    timezone: ZoneInfo
    country: str = ""
    started: date | None = None


@dataclass(frozen=True)
class Occurrence:
    key: date  # the scheduled date: names the record file, stays put when a holiday moves it
    due: datetime
    moved_from: date | None = None
    holiday: str = ""
    # A record names it but no cadence the checklist ever had schedules it (a
    # date typed by hand, a file's history git no longer has): shown, never dropped.
    off_schedule: bool = False


@dataclass(frozen=True)
class OccurrenceStatus:
    occurrence: Occurrence
    state: State
    record: Record | None = None
    overdue: bool = False  # due and past its grace period


@dataclass(frozen=True)
class Summary:
    checklist: Checklist
    unit: Unit
    history: list[OccurrenceStatus]
    last_done: OccurrenceStatus | None
    open: list[OccurrenceStatus]
    next_due: Occurrence | None
    on_time_rate: float | None  # over the last 90 days, None when nothing closed
    streak: int  # on-time completions in a row, newest first

    @property
    def overdue(self) -> bool:
        return any(status.overdue for status in self.open)


def units(playbook: Playbook, checklist: Checklist) -> list[Unit]:
    if checklist.scope == "person":
        roles = (checklist.onboarding_for,) if checklist.onboarding_for else checklist.people
        # A one-off (onboarding) is for people who started while tracked; a recurring
        # series for everyone in those roles, from their start (or tracking_since).
        one_off = checklist.cadence.per_person
        return [
            Unit(
                "person",
                p.id,
                p.name,
                playbook.teams[p.team].timezone,
                playbook.teams[p.team].country,
                p.started,
            )
            for p in playbook.people.values()
            if (not roles or p.role in roles)
            and (p.started or not one_off)
            and (not checklist.teams or p.team in checklist.teams)
            and (
                not one_off
                or playbook.tracking_since is None
                or (p.started and p.started >= playbook.tracking_since)
            )
        ]
    if checklist.scope == "team" and playbook.teams:
        return [
            Unit(
                "team",
                t.id,
                t.name,
                t.timezone if checklist.timezone == playbook.timezone else checklist.timezone,
                t.country,
            )
            for t in playbook.teams.values()
            if not checklist.teams or t.id in checklist.teams
        ]
    return [Unit("playbook", PLAYBOOK_UNIT, playbook.title, checklist.timezone, playbook.country)]


@cache
def _calendar(country: str, year: int) -> tuple[dict[date, str], frozenset[date]]:
    """A country's public holidays in a year, and its weekend days that are working days
    (the substitute days VN, HU and CN declare): one lookup in `holidays` for both."""
    import holidays  # imported on first use: ~35 ms

    try:
        found = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        return {}, frozenset()
    workdays = frozenset(d for d in getattr(found, "weekend_workdays", ()) if d.year == year)
    return dict(found), workdays


def _holidays(country: str, year: int) -> dict[date, str]:
    return _calendar(country, year)[0]


def _workdays(country: str, year: int) -> frozenset[date]:
    return _calendar(country, year)[1]


def _working_day(day: date, country: str) -> bool:
    """Not a weekend (unless a substitute working day) and not a public holiday."""
    if day in _holidays(country, day.year):
        return False
    return day.weekday() < 5 or day in _workdays(country, day.year)


def occurrences(
    checklist: Checklist, unit: Unit, start: datetime, end: datetime
) -> list[Occurrence]:
    """The unit's occurrences due in [start, end): the one engine every view asks.

    Each stretch of time is scheduled by the cadence the checklist had then
    (`Checklist.earlier`, read from git), in the unit's zone, with public
    holidays applied, and nothing after the day the checklist was retired.
    """
    if checklist.cadence.per_person:
        if unit.started is None:
            return []
        due = datetime.combine(
            unit.started + checklist.due_after, checklist.cadence.at, unit.timezone
        )
        return [Occurrence(unit.started, due)] if start <= due < end else []
    found: list[Occurrence] = []
    begin = start
    for era in checklist.earlier:
        if begin >= end:
            break
        if era.until > begin:
            found += _scheduled(checklist, era.cadence, unit, begin, min(end, era.until))
            begin = era.until
    if begin < end:
        found += _scheduled(checklist, checklist.cadence, unit, begin, end)
    first = max((d for d in (checklist.cadence.start, unit.started) if d), default=None)
    if first is not None:  # a series, or a person's own series, starts on its day
        found = [o for o in found if o.key >= first]
    if checklist.retired is not None:
        found = [o for o in found if o.key <= checklist.retired]
    return found


def _scheduled(
    checklist: Checklist, cadence: Cadence, unit: Unit, start: datetime, end: datetime
) -> list[Occurrence]:
    # Look a week either side so that moved occurrences near the edges are not lost.
    found = cadence.occurrences(unit.timezone, start - timedelta(days=7), end + timedelta(days=7))
    if cadence.working:
        found = _on_working_days(cadence, unit, found, start - timedelta(days=7), end)
    result = []
    for moment in found:
        occurrence = _apply_holiday(checklist, unit, moment)
        if occurrence and start <= occurrence.due < end:
            result.append(occurrence)
    return result


def _on_working_days(
    cadence: Cadence, unit: Unit, found: list[datetime], start: datetime, end: datetime
) -> list[datetime]:
    """Weekday occurrences made true working days with the unit's public holidays.

    "every working day" drops holidays and adds the substitute working
    Saturdays; "the first/last working day" moves the first/last weekday of
    the period inwards past holidays, and to a substitute working day that is
    nearer the period's edge.
    """
    country = unit.country
    if not country:
        return found
    if cadence.working == "each":
        kept = [m for m in found if _working_day(m.date(), country)]
        first, last = start.astimezone(unit.timezone).date(), end.astimezone(unit.timezone).date()
        extra = [
            datetime.combine(day, cadence.at, unit.timezone)
            for year in range(first.year, last.year + 1)
            for day in _workdays(country, year)
            if first <= day <= last
        ]
        return sorted({*kept, *extra})
    step = timedelta(days=-1 if cadence.working == "last" else 1)
    moved = []
    for moment in found:
        day = moment.date()
        while not _working_day(day, country):
            day += step
        # A substitute working Saturday after the last weekday (before the first) wins.
        edge = moment.date() - step
        while edge.month == moment.month:
            if edge in _workdays(country, edge.year):
                day = edge
            edge -= step
        moved.append(datetime.combine(day, cadence.at, unit.timezone))
    return moved


def upcoming(checklist: Checklist, unit: Unit, after: datetime, count: int = 5) -> list[Occurrence]:
    """The unit's next `count` occurrences due after `after` (fewer if the checklist ends)."""
    found: list[Occurrence] = []
    for days in (40, 400, 4000):
        found = occurrences(
            checklist, unit, after + timedelta(microseconds=1), after + timedelta(days=days)
        )
        if len(found) >= count:
            break
    return found[:count]


def _apply_holiday(checklist: Checklist, unit: Unit, moment: datetime) -> Occurrence | None:
    day = moment.date()
    if not unit.country or checklist.on_holiday == "keep":
        return Occurrence(day, moment)
    name = _holidays(unit.country, day.year).get(day)
    if name is None and checklist.on_holiday.endswith("working-day"):
        name = None if _working_day(day, unit.country) else "weekend"
    if name is None:
        return Occurrence(day, moment)
    if checklist.on_holiday == "skip":
        return None
    step = timedelta(days=-1 if checklist.on_holiday.startswith("previous") else 1)
    moved = day + step
    while not _working_day(moved, unit.country):
        moved += step
    due = datetime.combine(moved, moment.time(), moment.tzinfo)
    return Occurrence(day, due, moved_from=day, holiday=name)


def _with_every_record(
    found: list[Occurrence], records: Mapping[date, Record], start: datetime, as_of: datetime
) -> list[Occurrence]:
    """The scheduled occurrences plus one for each record in the window that none of them names."""
    keys = {o.key for o in found}
    # Records from the index are built only when read: ask for their due time alone first.
    due = records.due if isinstance(records, UnitRecords) else lambda key: records[key].due
    unscheduled = (records[key] for key in records if key not in keys and start <= due(key))
    extra = [
        Occurrence(record.occurrence, record.due, off_schedule=True)
        for record in unscheduled
        if record.completed_at <= as_of
    ]
    if not extra:
        return found
    return sorted([*found, *extra], key=lambda o: (o.due, o.key))


def _first(records: Mapping[date, Record]) -> date | None:
    """The occurrence of the first record, of all (records from the index may hold the recent)."""
    return records.first() if isinstance(records, UnitRecords) else min(records, default=None)


def judge(
    checklist: Checklist,
    occurrence: Occurrence,
    following: Occurrence | None,
    record: Record | None,
    as_of: datetime,
) -> OccurrenceStatus:
    """The state of one occurrence as of a moment."""
    if record is not None and record.complete and record.completed_at <= as_of:
        late = record.completed_at > occurrence.due + checklist.late_after
        return OccurrenceStatus(occurrence, State.LATE if late else State.DONE, record)
    if occurrence.due > as_of:
        return OccurrenceStatus(occurrence, State.UPCOMING, record)
    if following is not None and following.due <= as_of:
        return OccurrenceStatus(occurrence, State.MISSED, record)
    overdue = as_of > occurrence.due + checklist.late_after
    return OccurrenceStatus(occurrence, State.DUE, record, overdue)


def summarize(
    playbook: Playbook,
    checklist: Checklist,
    unit: Unit,
    records: Mapping[date, Record],
    as_of: datetime,
    since: date | None = None,
    recent: timedelta | None = None,
    brief: bool = False,
) -> Summary:
    """Every occurrence of a checklist for one unit from `since` up to the next one after `as_of`.

    With `recent`, only that much history is judged: enough for the on-time rate
    and a streak, at a cost that does not grow with years of records. `brief`
    (for the status table, which shows no history) judges the on-time rate's
    window first, and all of `recent` only when that window cannot tell the last
    done occurrence, the open ones or where the streak ends.
    """
    if brief and recent is not None and recent > BRIEF_WINDOW:
        summary = _summarize(playbook, checklist, unit, records, as_of, since, BRIEF_WINDOW)
        closed = [h for h in summary.history if h.state in CLOSED]
        if (
            summary.last_done is not None
            and summary.streak < len(closed)
            and any(h.occurrence.due <= as_of for h in summary.history)
        ):
            return summary
    return _summarize(playbook, checklist, unit, records, as_of, since, recent)


def _summarize(
    playbook: Playbook,
    checklist: Checklist,
    unit: Unit,
    records: Mapping[date, Record],
    as_of: datetime,
    since: date | None,
    recent: timedelta | None,
) -> Summary:
    start_day = since or playbook.tracking_since or _first(records) or as_of.date()
    if recent is not None:
        start_day = max(start_day, (as_of - recent).date())
    if isinstance(records, UnitRecords):
        records.cover(start_day)
    start = datetime.combine(start_day, time(0), unit.timezone)
    # Up to the first occurrence after as_of: look a little ahead, further only if needed.
    found = occurrences(checklist, unit, start, as_of + timedelta(days=40))
    if not any(o.due > as_of for o in found):
        found = occurrences(checklist, unit, start, as_of + timedelta(days=400))
    upcoming_index = next((i for i, o in enumerate(found) if o.due > as_of), len(found))
    found = _with_every_record(found[: upcoming_index + 1], records, start, as_of)
    # An occurrence is missed once a *later* one is due; holiday moves can put
    # several on the same moment, and none of those succeeds the others.
    by_due = sorted(found, key=lambda o: o.due)
    dues = [o.due for o in by_due]

    def following(occurrence: Occurrence) -> Occurrence | None:
        index = bisect_right(dues, occurrence.due)
        return by_due[index] if index < len(by_due) else None

    history = [judge(checklist, o, following(o), records.get(o.key), as_of) for o in found]
    closed = [h for h in history if h.state in CLOSED]
    recent = [h for h in closed if h.occurrence.due >= as_of - RATE_WINDOW]
    streak = 0
    for status in reversed(closed):
        if status.state is not State.DONE:
            break
        streak += 1
    done = [h for h in history if h.state in (State.DONE, State.LATE)]
    return Summary(
        checklist=checklist,
        unit=unit,
        history=history,
        last_done=done[-1] if done else None,
        open=[h for h in history if h.state is State.DUE],
        next_due=next((h.occurrence for h in history if h.state is State.UPCOMING), None),
        on_time_rate=(sum(h.state is State.DONE for h in recent) / len(recent)) if recent else None,
        streak=streak,
    )


def collect(
    playbook: Playbook,
    records: Mapping[tuple[str, str], Mapping[date, Record]],
    as_of: datetime,
    team: str | None = None,
    owner: str | None = None,
    checklist_id: str | None = None,
    recent: timedelta | None = None,
    brief: bool = False,
) -> list[Summary]:
    """A summary per checklist × unit, overdue first, then by next due time (see `summarize`)."""
    summaries = []
    for checklist in playbook.checklists.values():
        if owner and owner not in checklist.owners:
            continue
        if checklist_id and checklist.id != checklist_id:
            continue
        for unit in units(playbook, checklist):
            unit_team = (
                unit.id
                if unit.kind == "team"
                else playbook.people[unit.id].team
                if unit.kind == "person"
                else None
            )
            if team and unit_team != team:
                continue
            summaries.append(
                summarize(
                    playbook,
                    checklist,
                    unit,
                    records.get((checklist.id, unit.id), {}),
                    as_of,
                    recent=recent,
                    brief=brief,
                )
            )
    far = as_of + timedelta(days=10_000)
    return sorted(
        summaries,
        key=lambda s: (
            not s.overdue,
            not s.open,
            s.next_due.due if s.next_due else far,
            s.checklist.id,
            s.unit.id,
        ),
    )
