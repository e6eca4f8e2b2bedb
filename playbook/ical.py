"""`playbook calendar`: the checklists as an iCalendar feed managers subscribe to.

One recurring event per checklist × unit carries the cadence's RRULE in the
unit's time zone, so a calendar client expands it the way we do. Public
holidays cannot be said in an RRULE: each occurrence that a holiday moves or
skips becomes an EXDATE (and, when moved, an RDATE), computed with
`status.occurrences()` up to a horizon two years ahead. The feed is meant to
be refreshed, so the horizon moves along with it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from difflib import get_close_matches
from typing import TYPE_CHECKING

from .errors import Location, PlaybookError, Problem
from .model import Checklist, Playbook
from .schedule import ANCHOR, Cadence
from .status import Occurrence, Unit, occurrences, units

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from icalendar import Event, vRecur

PRODID = "-//playbook//checklist calendar//EN"
DURATION = timedelta(hours=1)
LOOK_BACK = timedelta(weeks=8)  # where the feed starts when the playbook has no tracking_since
HORIZON = timedelta(days=2 * 365)  # holiday moves and skips are listed up to here
REFRESH = timedelta(days=1)


def calendar_feed(playbook: Playbook, team: str | None, now: datetime) -> bytes:
    """The iCalendar feed of every checklist × unit (only `team`'s when given), as bytes.

    The output depends only on the playbook and `now`, so a feed rebuilt
    without changes is byte-identical (no random UIDs, DTSTAMP is `now`).
    """
    from icalendar import Calendar, vDuration

    if team is not None and team not in playbook.teams:
        close = get_close_matches(team, list(playbook.teams), n=1)
        raise PlaybookError(
            Problem(
                Location("--team"),
                f"unknown team {team!r}",
                f"did you mean {close[0]!r}?"
                if close
                else f"known teams: {', '.join(sorted(playbook.teams)) or 'none'}",
                "team",
            )
        )
    first_day = playbook.tracking_since or (now - LOOK_BACK).date()
    horizon = now + HORIZON
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = playbook.title if team is None else f"{playbook.title} — {playbook.teams[team].name}"
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    stamp = now.astimezone(UTC).replace(microsecond=0)
    for checklist in playbook.checklists.values():
        for unit in units(playbook, checklist):
            if team is not None and _team_of(playbook, unit) != team:
                continue
            start = datetime.combine(first_day, time(0), unit.timezone)
            if checklist.cadence.per_person:
                events = _onboarding_event(checklist, unit, start, stamp)
            else:
                events = _recurring_events(checklist, unit, start, horizon, stamp)
            for event in events:
                calendar.add_component(event)
    if calendar.subcomponents:
        calendar.add_missing_timezones(
            first_date=first_day - timedelta(days=7), last_date=date(now.year + 12, 1, 1)
        )
    return calendar.to_ical()


def _team_of(playbook: Playbook, unit: Unit) -> str | None:
    """The team a unit belongs to, matching `status.collect`'s --team filter."""
    if unit.kind == "team":
        return unit.id
    if unit.kind == "person":
        return playbook.people[unit.id].team
    return None


def _recurring_events(
    checklist: Checklist,
    unit: Unit,
    start: datetime,
    horizon: datetime,
    stamp: datetime,
) -> list[Event]:
    """One recurring VEVENT, plus one single event per moved occurrence an RDATE cannot carry."""
    cadence = checklist.cadence
    tz = unit.timezone
    first = cadence.next_dates(tz, start - timedelta(microseconds=1), 1)
    if not first or (checklist.retired is not None and first[0].date() > checklist.retired):
        return []  # nothing left to put in a calendar: the series ended
    dtstart = first[0]
    if (checklist.on_holiday == "keep" and not cadence.working) or not unit.country:
        # No holiday ever moves an occurrence: the rule alone says it all.
        event = _event(
            checklist, unit, uid=f"{checklist.id}-{unit.id}@playbook", start=dtstart, stamp=stamp
        )
        event.add("rrule", _rule(cadence, tz, checklist.retired))
        return [event]
    # The rule, as dateutil expands it: the raw occurrences before holidays.
    raw = cadence.occurrences(tz, dtstart, horizon)
    # Ours, with a margin so that occurrences moved across the edges are found by their key.
    ours = occurrences(checklist, unit, dtstart - timedelta(days=14), horizon + timedelta(days=14))
    # What the rule alone gives and what we schedule, compared instant by instant: the rule's
    # extra instants become EXDATEs, ours that it lacks RDATEs (working days, holiday moves).
    ours = [o for o in ours if dtstart <= o.due < horizon]
    wanted = {o.due for o in ours}
    raw_moments = set(raw)
    exdates = sorted(moment for moment in raw_moments if moment not in wanted)
    kept = raw_moments - set(exdates)
    rdates: list[datetime] = []
    singles: list[Occurrence] = []
    for occurrence in sorted(ours, key=lambda o: (o.due, o.key)):
        if occurrence.due in kept:
            kept.discard(occurrence.due)  # the rule's own instant carries the first of them
        elif occurrence.due in raw_moments or occurrence.due in rdates:
            # A calendar merges equal instances of one event; ours does not.
            singles.append(occurrence)
        else:
            rdates.append(occurrence.due)
    event = _event(
        checklist,
        unit,
        uid=f"{checklist.id}-{unit.id}@playbook",
        start=dtstart,
        stamp=stamp,
    )
    event.add("rrule", _rule(cadence, tz, checklist.retired))
    if rdates:
        event.add("rdate", sorted(rdates))
    if exdates:
        event.add("exdate", sorted(exdates))
    moved = [o for o in ours if o.moved_from and dtstart <= o.due < horizon]
    if moved:
        event.add(
            "comment",
            "Moved for public holidays: "
            + "; ".join(
                f"{o.key:%a %d %b %Y} ({o.holiday}) → {o.due:%a %d %b %Y}" for o in moved[:24]
            ),
        )
    events = [event]
    for occurrence in singles:
        single = _event(
            checklist,
            unit,
            uid=f"{checklist.id}-{unit.id}-{occurrence.key.isoformat()}@playbook",
            start=occurrence.due,
            stamp=stamp,
        )
        single.add("comment", f"The occurrence of {occurrence.key}, moved for {occurrence.holiday}")
        events.append(single)
    return events


def _rule(cadence: Cadence, tz: ZoneInfo, retired: date | None = None) -> vRecur:
    """The cadence's RRULE; a finite one is pinned to its last occurrence.

    Our rules are anchored on 2024-01-01 while the feed starts later, so a
    COUNT would count from the wrong place: it becomes an UNTIL (in UTC, as
    RFC 5545 requires when DTSTART has a TZID).
    """
    from dateutil.rrule import rrulestr
    from icalendar import vRecur

    parts = dict(part.split("=", 1) for part in (cadence.rule or "").split(";") if part)
    if retired is not None and (cadence.until is None or retired < cadence.until):
        # A checklist retired with `until:` ends its series on that day, in its zone.
        end = datetime.combine(retired, time(23, 59, 59), tz)
        parts["UNTIL"] = end.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        return vRecur.from_ical(";".join(f"{key}={value}" for key, value in parts.items()))
    if "COUNT" in parts or "UNTIL" in parts:
        rule = rrulestr(cadence.rule or "", dtstart=datetime.combine(ANCHOR, cadence.at))
        last = list(rule)[-1].replace(tzinfo=tz)
        parts.pop("COUNT", None)
        parts["UNTIL"] = last.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return vRecur.from_ical(";".join(f"{key}={value}" for key, value in parts.items()))


def _onboarding_event(
    checklist: Checklist, unit: Unit, start: datetime, stamp: datetime
) -> list[Event]:
    """A once-per-person checklist is one event at its due time, if it is due in the feed."""
    found = occurrences(checklist, unit, start, datetime.max.replace(tzinfo=UTC))
    return [
        _event(
            checklist,
            unit,
            uid=f"{checklist.id}-{unit.id}@playbook",
            start=occurrence.due,
            stamp=stamp,
        )
        for occurrence in found
    ]


def _event(
    checklist: Checklist,
    unit: Unit,
    uid: str,
    start: datetime,
    stamp: datetime,
) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("duration", DURATION)
    summary = checklist.title if unit.kind == "playbook" else f"{checklist.title} — {unit.name}"
    event.add("summary", summary)
    event.add("description", _description(checklist, unit))
    event.add("categories", ["Checklist", *checklist.tags])
    event.add("transp", "TRANSPARENT")
    # What the event is for, for scripts that read the feed (clients ignore X- properties).
    event.add("x-playbook-checklist", checklist.id)
    event.add("x-playbook-unit", unit.id)
    return event


def _description(checklist: Checklist, unit: Unit) -> str:
    """The purpose and the items, as plain text a calendar shows as it is."""
    lines = [" ".join(checklist.purpose.split()), ""]
    for section in checklist.sections:
        if len(checklist.sections) > 1:
            lines.append(f"{section.title}:")
        for item in section.items:
            optional = "" if item.required else " (optional)"
            lines.append(f"- {item.text}{optional}")
    if checklist.metrics:
        lines.append("")
        lines.append("Metrics: " + ", ".join(metric.label for metric in checklist.metrics))
    lines.append("")
    command = f"playbook check {checklist.id}"
    if unit.kind != "playbook":
        command += f" --{unit.kind} {unit.id}"
    lines.append(f"When: {checklist.cadence.words()}. Record it with: {command}")
    return "\n".join(lines)
