"""`playbook calendar`: the checklists as an iCalendar feed managers subscribe to.

One recurring event per checklist × unit carries the cadence's RRULE in the
unit's time zone, so a calendar client expands it the way we do. Public
holidays cannot be said in an RRULE: each occurrence that a holiday moves or
skips becomes an EXDATE (and, when moved, an RDATE), computed with
`status.occurrences()` up to a horizon two years ahead. The feed is meant to
be refreshed, so the horizon moves along with it.

The text is written here, line by line (RFC 5545 escaping, folding at 75
octets, CRLF), each event once for all the feeds it is in; only the
VTIMEZONE definitions come from the icalendar library, once per zone. The
tests parse every feed back with icalendar and recurring-ical-events.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from difflib import get_close_matches
from functools import lru_cache
from zoneinfo import ZoneInfo

from .errors import Location, PlaybookError, Problem
from .model import Checklist, Playbook
from .schedule import ANCHOR, Cadence
from .status import Occurrence, Unit, occurrences, units

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
    return calendar_feeds(playbook, now, [team])[team]


def calendar_feeds(
    playbook: Playbook, now: datetime, teams: Sequence[str | None] | None = None
) -> dict[str | None, bytes]:
    """The feeds of `teams` (None: the whole playbook), by default the playbook's and each team's.

    Each unit's events are computed and written once, whichever feeds hold them.
    """
    wanted = [None, *playbook.teams] if teams is None else list(teams)
    for team in wanted:
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
    stamp = now.astimezone(UTC).replace(microsecond=0)
    written: list[_Written] = []
    whole = None in wanted
    for checklist in playbook.checklists.values():
        for unit in units(playbook, checklist):
            team = _team_of(playbook, unit)
            if not whole and team not in wanted:
                continue
            start = datetime.combine(first_day, time(0), unit.timezone)
            if checklist.cadence.per_person:
                events = _onboarding_event(checklist, unit, start, stamp)
            else:
                events = _recurring_events(checklist, unit, start, horizon, stamp)
            if events:
                written.append(_Written(team, unit.timezone.key, "".join(events)))
    tz_range = (first_day - timedelta(days=7), date(now.year + 12, 1, 1))
    feeds = {}
    for team in wanted:
        mine = [w for w in written if team is None or w.team == team]
        name = playbook.title if team is None else f"{playbook.title} — {playbook.teams[team].name}"
        zones = sorted({w.zone for w in mine} - UTC_ZONES)
        parts = [
            "BEGIN:VCALENDAR\r\n",
            _line("PRODID", PRODID),
            _line("VERSION", "2.0"),
            _line("CALSCALE", "GREGORIAN"),
            _line("X-WR-CALNAME", _text(name)),
            _line("NAME", _text(name)),
            _line("REFRESH-INTERVAL;VALUE=DURATION", _duration(REFRESH)),
            _line("X-PUBLISHED-TTL", _duration(REFRESH)),
            *(_vtimezone(zone, *tz_range) for zone in zones),
            *(w.text for w in mine),
            "END:VCALENDAR\r\n",
        ]
        feeds[team] = "".join(parts).encode("utf-8")
    return feeds


@dataclass(frozen=True)
class _Written:
    """One unit's events as text, and what decides which feeds hold them."""

    team: str | None
    zone: str
    text: str


# --------------------------------------------------------------------------- RFC 5545 text

UTC_ZONES = {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal"}
_LINE_OCTETS = 75  # RFC 5545 3.1: lines longer than this are folded


def _fold(line: str) -> str:
    """One content line, folded at 75 octets (never inside a UTF-8 sequence), with CRLF."""
    if len(line) <= _LINE_OCTETS and line.isascii():
        return line + "\r\n"
    raw = line.encode("utf-8")
    chunks = []
    limit = _LINE_OCTETS
    while len(raw) > limit:
        cut = limit
        while raw[cut] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            cut -= 1
        chunks.append(raw[:cut])
        raw = raw[cut:]
        limit = _LINE_OCTETS - 1  # continuation lines start with a space
    chunks.append(raw)
    return b"\r\n ".join(chunks).decode("utf-8") + "\r\n"


def _line(name: str, value: str) -> str:
    return _fold(f"{name}:{value}")


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _moments(name: str, moments: Iterable[datetime], zone: str) -> str:
    """DTSTART, RDATE or EXDATE: wall-clock times in the unit's zone (UTC written as such)."""
    if zone in UTC_ZONES:
        return _line(name, ",".join(_utc(m) for m in moments))
    return _line(f"{name};TZID={zone}", ",".join(_local(m) for m in moments))


def _duration(span: timedelta) -> str:
    days, seconds = span.days, span.seconds
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = "".join(
        f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if value
    )
    return "P" + (f"{days}D" if days else "") + (f"T{clock}" if clock else "" if days else "T0S")


@lru_cache(maxsize=64)
def _vtimezone(zone: str, first: date, last: date) -> str:
    """The zone's VTIMEZONE for the feed's span, from the icalendar library (once per zone)."""
    from icalendar import Timezone

    try:
        return Timezone.from_tzid(zone, first_date=first, last_date=last).to_ical().decode()
    except ValueError:
        return ""  # a zone icalendar cannot describe: clients fall back to the TZID name


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
) -> list[str]:
    """One recurring VEVENT, plus one single event per moved occurrence an RDATE cannot carry."""
    cadence = checklist.cadence
    tz = unit.timezone
    first = cadence.next_dates(tz, start - timedelta(microseconds=1), 1)
    if not first or (checklist.retired is not None and first[0].date() > checklist.retired):
        return []  # nothing left to put in a calendar: the series ended
    dtstart = first[0]
    uid = f"{checklist.id}-{unit.id}@playbook"
    rule = _line("RRULE", _rule(cadence, tz, checklist.retired))
    if (checklist.on_holiday == "keep" and not cadence.working) or not unit.country:
        # No holiday ever moves an occurrence: the rule alone says it all.
        return [_event(checklist, unit, uid, dtstart, stamp, [rule])]
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
    lines = [rule]
    if rdates:
        lines.append(_moments("RDATE", sorted(rdates), tz.key))
    if exdates:
        lines.append(_moments("EXDATE", exdates, tz.key))
    moved = [o for o in ours if o.moved_from and dtstart <= o.due < horizon]
    if moved:
        lines.append(
            _line(
                "COMMENT",
                _text(
                    "Moved for public holidays: "
                    + "; ".join(
                        f"{o.key:%a %d %b %Y} ({o.holiday}) → {o.due:%a %d %b %Y}"
                        for o in moved[:24]
                    )
                ),
            )
        )
    events = [_event(checklist, unit, uid, dtstart, stamp, lines)]
    for occurrence in singles:
        comment = f"The occurrence of {occurrence.key}, moved for {occurrence.holiday}"
        events.append(
            _event(
                checklist,
                unit,
                f"{checklist.id}-{unit.id}-{occurrence.key.isoformat()}@playbook",
                occurrence.due,
                stamp,
                [_line("COMMENT", _text(comment))],
            )
        )
    return events


def _rule(cadence: Cadence, tz: ZoneInfo, retired: date | None = None) -> str:
    """The cadence's RRULE value; a finite one is pinned to its last occurrence.

    Our rules are anchored on 2024-01-01 while the feed starts later, so a
    COUNT would count from the wrong place: it becomes an UNTIL (in UTC, as
    RFC 5545 requires when DTSTART has a TZID).
    """
    from dateutil.rrule import rrulestr

    parts = dict(part.split("=", 1) for part in (cadence.rule or "").split(";") if part)
    if retired is not None and (cadence.until is None or retired < cadence.until):
        # A checklist retired with `until:` ends its series on that day, in its zone.
        parts["UNTIL"] = _utc(datetime.combine(retired, time(23, 59, 59), tz))
    elif "COUNT" in parts or "UNTIL" in parts:
        rule = rrulestr(cadence.rule or "", dtstart=datetime.combine(ANCHOR, cadence.at))
        last = list(rule)[-1].replace(tzinfo=tz)
        parts.pop("COUNT", None)
        parts["UNTIL"] = _utc(last)
    freq = {"FREQ": parts.pop("FREQ")} if "FREQ" in parts else {}
    return ";".join(f"{key}={value}" for key, value in (freq | parts).items())


def _onboarding_event(
    checklist: Checklist, unit: Unit, start: datetime, stamp: datetime
) -> list[str]:
    """A once-per-person checklist is one event at its due time, if it is due in the feed."""
    found = occurrences(checklist, unit, start, datetime.max.replace(tzinfo=UTC))
    uid = f"{checklist.id}-{unit.id}@playbook"
    return [_event(checklist, unit, uid, occurrence.due, stamp, []) for occurrence in found]


def _event(
    checklist: Checklist,
    unit: Unit,
    uid: str,
    start: datetime,
    stamp: datetime,
    extra: list[str],
) -> str:
    """A VEVENT's text; `extra` holds its recurrence and comment lines."""
    summary = checklist.title if unit.kind == "playbook" else f"{checklist.title} — {unit.name}"
    categories = ",".join(_text(c) for c in ["Checklist", *checklist.tags])
    return "".join(
        [
            "BEGIN:VEVENT\r\n",
            _line("UID", _text(uid)),
            _line("DTSTAMP", _utc(stamp)),
            _moments("DTSTART", [start], unit.timezone.key),
            _line("DURATION", _duration(DURATION)),
            _line("SUMMARY", _text(summary)),
            _line("DESCRIPTION", _text(_description(checklist, unit))),
            _line("CATEGORIES", categories),
            _line("TRANSP", "TRANSPARENT"),
            # What the event is for, for scripts that read the feed (clients ignore X- properties).
            _line("X-PLAYBOOK-CHECKLIST", _text(checklist.id)),
            _line("X-PLAYBOOK-UNIT", _text(unit.id)),
            *extra,
            "END:VEVENT\r\n",
        ]
    )


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
