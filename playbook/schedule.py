"""Cadences: friendly phrases and raw RFC 5545 rules, compiled with dateutil.

A cadence is a wall-clock rule in a time zone: "every monday at 09:00" in
Europe/Warsaw stays at 09:00 across daylight-saving changes. The rule is
expanded on naive local datetimes and the zone is attached afterwards.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

from .phrases import (
    MONTH_DAYS,
    PHRASE_EXAMPLES,
    WEEKDAY_CODES,
    CadenceError,
    clamped_day,
    compile_phrase,
)

ONCE_PER_PERSON = "once per person"
# Rules are anchored on a Monday long ago, so that "every 2 weeks" is stable across runs
# and any tracking_since or old occurrence is reachable; dateutil caches what it expands.
ANCHOR = date(2000, 1, 3)


@dataclass(frozen=True)
class Cadence:
    text: str
    rule: str | None  # RRULE body without DTSTART; None for "once per person"
    at: time
    start: date | None = None  # the series counts from this day; before it nothing occurs
    working: str = ""  # "each", "first" or "last": working days, applied with holidays

    @property
    def anchor(self) -> date:
        """The day the rule counts from: its start, or a Monday long ago (documented phase)."""
        return self.start or ANCHOR

    @property
    def per_person(self) -> bool:
        return self.rule is None

    @cached_property
    def parts(self) -> dict[str, str]:
        return dict(part.split("=", 1) for part in (self.rule or "").split(";") if part)

    @cached_property
    def until(self) -> date | None:
        """The last day a rule with UNTIL may occur on (in the checklist's zone)."""
        value = self.parts.get("UNTIL")
        return datetime.strptime(value[:8], "%Y%m%d").date() if value else None

    @cached_property
    def _rrule(self) -> rrule:
        return rrulestr(self.rule, dtstart=datetime.combine(self.anchor, self.at), cache=True)

    def _rule_near(self, moment: datetime) -> rrule:
        """The rule re-anchored whole intervals after its anchor, shortly before `moment`.

        Expanding from the anchor on every query would walk decades of
        occurrences; moving the start by whole intervals keeps every occurrence
        where it was (rules name their weekday, day and month explicitly, see
        `_explicit`, so only the interval's phase depends on the start).
        """
        freq = self.parts.get("FREQ", "")
        interval = int(self.parts.get("INTERVAL", "1"))
        anchor = self.anchor
        target = moment.date() - timedelta(days=40)
        if freq == "YEARLY":
            years = max(0, (target.year - anchor.year - 1) // interval * interval)
            start = date(anchor.year + years, 1, 1) if years else anchor
        elif freq == "MONTHLY":
            elapsed = (target.year - anchor.year) * 12 + target.month - anchor.month - 1
            steps = max(0, elapsed // interval * interval)
            months = anchor.month - 1 + steps
            start = date(anchor.year + months // 12, 1 + months % 12, 1) if steps else anchor
        else:
            step = interval * (7 if freq == "WEEKLY" else 1)
            start = anchor + timedelta(days=max(0, (target - anchor).days // step * step))
        cached = self._near.get(start)
        if cached is None:
            cached = self._near[start] = self._rrule.replace(
                dtstart=datetime.combine(start, self.at)
            )
        return cached

    @cached_property
    def _near(self) -> dict[date, rrule]:
        return {}

    def occurrences(self, tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
        """Occurrences in [start, end), as aware datetimes in `tz`.

        Teams in one zone ask for the same window (status asks once per team):
        each window is computed once per cadence.
        """
        if self.rule is None:
            return []
        key = (tz, start, end)
        found = self._between.get(key)
        if found is None:
            local_start = start.astimezone(tz).replace(tzinfo=None) - timedelta(hours=3)
            local_end = end.astimezone(tz).replace(tzinfo=None) + timedelta(hours=3)
            moments = (
                moment.replace(tzinfo=tz)
                for moment in self._rule_near(local_start).between(local_start, local_end, inc=True)
            )
            found = self._between[key] = tuple(m for m in moments if start <= m < end)
        return list(found)

    @cached_property
    def _between(self) -> dict[tuple[ZoneInfo, datetime, datetime], tuple[datetime, ...]]:
        return {}

    def next_dates(self, tz: ZoneInfo, after: datetime, count: int = 5) -> list[datetime]:
        if self.rule is None:
            return []
        moment = after.astimezone(tz).replace(tzinfo=None)
        rule = self._rule_near(moment)
        out: list[datetime] = []
        while len(out) < count:
            following = rule.after(moment)
            if following is None:
                break
            out.append(following.replace(tzinfo=tz))
            moment = following
        return out

    def words(self) -> str:
        """The cadence in plain words of the language in force, derived from the rule itself."""
        from .i18n.cadences import cadence_words

        parts = None if self.rule is None else self.parts
        return cadence_words(parts, self.at, self.working, self.start, self.until)


@dataclass(frozen=True)
class Era:
    """A cadence a checklist had before a change: it schedules what was due before `until`."""

    cadence: Cadence
    until: datetime  # aware: when the change was committed


@lru_cache(maxsize=4096)  # playbooks repeat a handful of cadences across many checklists
def parse_cadence(text: str, starts: date | None = None) -> Cadence:
    """Compile a phrase or a raw RRULE; raise CadenceError saying what is accepted.

    `starts` is the checklist's first day: every-N-weeks, every-N-months and
    yearly series count from it, and nothing occurs before it.
    """
    phrase = " ".join(text.lower().split())
    if phrase == ONCE_PER_PERSON:
        return Cadence(text, None, time(9, 0))
    if phrase.startswith(("rrule:", "freq=")):
        cadence = _raw_rule(text, starts)
    else:
        compiled = compile_phrase(text, starts)
        cadence = Cadence(
            text,
            _explicit(compiled.rule, compiled.start),
            compiled.at,
            compiled.start,
            compiled.working,
        )
    _check_occurs(cadence)
    return cadence


def _explicit(rule: str, start: date | None) -> str:
    """The rule with the weekday, day and month it would take from its start written out.

    dateutil fills them in from DTSTART; the engine moves DTSTART to expand
    quickly, so a rule must not depend on it for anything but its phase.
    """
    anchor = start or ANCHOR
    parts = dict(part.split("=", 1) for part in rule.split(";") if part)
    freq = parts.get("FREQ")
    days = {"BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO"}
    if freq == "WEEKLY" and "BYDAY" not in parts:
        parts["BYDAY"] = WEEKDAY_CODES[anchor.weekday()]
    if freq == "YEARLY" and not {"BYMONTH", "BYYEARDAY", "BYWEEKNO"} & set(parts):
        parts["BYMONTH"] = str(anchor.month)
    if freq in ("MONTHLY", "YEARLY") and not days & set(parts):
        parts |= dict(p.split("=", 1) for p in clamped_day(anchor.day).split(";"))
    return ";".join(f"{key}={value}" for key, value in parts.items())


# A checklist is done by people: a rule repeating within a day is a typo, and
# expanding one from ANCHOR takes minutes (SECONDLY) to seconds (MINUTELY).
_TOO_FREQUENT = {"SECONDLY", "MINUTELY", "HOURLY"}
_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_TIME_PARTS = {"BYHOUR": 23, "BYMINUTE": 59}


def _raw_rule(text: str, starts: date | None) -> Cadence:
    body = re.sub(r"(?i)^rrule:", "", text.strip()).upper()
    parts = dict(part.split("=", 1) for part in body.split(";") if "=" in part)
    if "DTSTART" in body:
        raise CadenceError(
            "a raw RRULE takes its time of day from BYHOUR and BYMINUTE, not DTSTART"
        )
    if parts.get("UNTIL", "").endswith("Z"):
        # Cadences are wall-clock rules in the checklist's zone, so UNTIL is read there too.
        parts["UNTIL"] = parts["UNTIL"][:-1]
    if "COUNT" in parts:
        raise CadenceError(
            f"the RRULE {text!r} uses COUNT, which would count from an arbitrary first date",
            "end a cadence on a date instead, e.g. UNTIL=20271231 (in the checklist's time zone)",
        )
    freq = parts.get("FREQ")
    if freq in _TOO_FREQUENT:
        raise CadenceError(
            f"the RRULE {text!r} repeats more often than once a day",
            "a checklist recurs at most daily: use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY "
            "and give its time of day with BYHOUR and BYMINUTE, e.g. FREQ=DAILY;BYHOUR=9",
        )
    if freq not in _FREQUENCIES:
        raise CadenceError(
            f"the RRULE {text!r} is not valid: FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY"
        )
    interval = parts.get("INTERVAL", "1")
    if not (interval.isascii() and interval.isdigit() and int(interval) >= 1):
        # dateutil would loop for ever on INTERVAL=0
        raise CadenceError(
            f"the RRULE {text!r} is not valid: INTERVAL must be a whole number from 1"
        )
    _refuse_skipped_days(text, parts)
    at = {
        name: _time_part(text, name, parts.pop(name, None), top)
        for name, top in _TIME_PARTS.items()
    }
    parts.pop("BYSECOND", None)
    rule = ";".join(f"{key}={value}" for key, value in parts.items())
    try:
        cadence = Cadence(text, _explicit(rule, starts), time(at["BYHOUR"], at["BYMINUTE"]), starts)
        if not isinstance(cadence._rrule, rrule):
            raise ValueError("give a single rule")
    except (ValueError, TypeError) as exc:
        raise CadenceError(f"the RRULE {text!r} is not valid: {exc}") from None
    _check_occurs(cadence)
    return cadence


SHORTEST = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # days, in a common year


def _refuse_skipped_days(text: str, parts: dict[str, str]) -> None:
    """A BYMONTHDAY that some of the rule's months lack would silently skip those months."""
    if parts.get("FREQ") not in ("MONTHLY", "YEARLY") or "BYSETPOS" in parts:
        return
    months = [
        int(m) for m in parts.get("BYMONTH", "").split(",") if m.isdigit() and 1 <= int(m) <= 12
    ]
    shortest = min((SHORTEST[m - 1] for m in months), default=28)
    days = [int(d) for d in parts.get("BYMONTHDAY", "").split(",") if d.isdigit()]
    longest = max((MONTH_DAYS[m - 1] for m in months), default=31)
    late = [day for day in days if shortest < day <= longest]  # past `longest`: never occurs
    if late:
        day = max(late)
        raise CadenceError(
            f"the RRULE {text!r} skips every month that has no day {day}",
            f"for {_ordinal_day(day)} or the month's last day, write '{clamped_day(day)}' "
            f"(or the phrase 'monthly on day {day}'); for the last day, BYMONTHDAY=-1",
        )


def _time_part(text: str, name: str, value: str | None, top: int) -> int:
    """BYHOUR or BYMINUTE as one number: a cadence has one time of day, not several."""
    if value is None:
        return 9 if name == "BYHOUR" else 0
    if "," in value:
        raise CadenceError(
            f"the RRULE {text!r} is not valid: {name}={value} gives several times of day",
            "a cadence has one time of day; write one checklist per time, "
            f"or keep one value, e.g. {name}={value.split(',')[0]}",
        )
    if not value.isascii() or not value.isdigit() or int(value) > top:
        raise CadenceError(
            f"the RRULE {text!r} is not valid: {name} must be a whole number from 0 to {top}",
            "write the time as numbers, e.g. BYHOUR=9;BYMINUTE=30 for 09:30",
        )
    return int(value)


# The Gregorian calendar repeats every 400 years (146,097 days, a whole number of
# weeks), so a rule has the same dates 7,600 years later. dateutil scans a rule that
# never matches all the way to year 9999 (seconds for a daily rule); moved that far
# ahead, the scan stops after a decade and answers in milliseconds.
_CYCLE_SHIFT = {"YEARLY": 7600, "MONTHLY": 7600 * 12, "WEEKLY": 2_775_843 // 7, "DAILY": 2_775_843}
_PROBE_FROM = date(9989, 12, 31)  # probe at least the decade before year 9999 ends


def _check_occurs(cadence: Cadence) -> None:
    """Refuse a rule that has no date at all (30 February, an UNTIL before its first date).

    An UNTIL in the past is fine: the checklist is retired and keeps its history.
    """
    rule = cadence._rrule
    if "UNTIL" in cadence.parts:
        found = _first(rule)
    else:
        found = _first(rule.replace(dtstart=_probe_start(cadence), count=None, until=None))
    if not found:
        raise CadenceError(
            f"the cadence {cadence.text!r} never occurs",
            "no date matches it: check that the day exists in the month "
            "(there is no 30 February) and that UNTIL is not before its first date",
        )


def _first(rule: rrule) -> datetime | None:
    try:
        return next(iter(rule), None)
    except (ValueError, OverflowError):  # the scan ran past 31 December 9999
        return None


def _probe_start(cadence: Cadence) -> datetime:
    """ANCHOR moved whole calendar cycles and whole intervals ahead, to the last decade."""
    freq = cadence.parts.get("FREQ", "")
    interval = int(cadence.parts.get("INTERVAL", "1"))
    shift = _CYCLE_SHIFT.get(freq, 0)
    if freq == "YEARLY":
        room = _PROBE_FROM.year - (ANCHOR.year + shift)
        years = shift + room // interval * interval
        return datetime(
            ANCHOR.year + years, ANCHOR.month, ANCHOR.day, cadence.at.hour, cadence.at.minute
        )
    if freq == "MONTHLY":
        room = (_PROBE_FROM.year - ANCHOR.year) * 12 - shift
        months = shift + room // interval * interval
        return datetime(
            ANCHOR.year + months // 12, 1 + months % 12, 1, cadence.at.hour, cadence.at.minute
        )
    days = shift * (7 if freq == "WEEKLY" else 1)
    step = interval * (7 if freq == "WEEKLY" else 1)
    room = (_PROBE_FROM - ANCHOR).days - days
    start = ANCHOR + timedelta(days=days + max(room, 0) // step * step)
    return datetime.combine(start, cadence.at)


CADENCE_EXAMPLES = [
    *PHRASE_EXAMPLES,
    "once per person",
    "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=16",
]


def _ordinal_day(day: int) -> str:
    if day == -1:
        return "the last day"
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"the {day}{suffix}"


def parse_duration(text: str) -> timedelta:
    m = re.fullmatch(r"\s*(\d+)\s*(m|min|h|d|w)\s*", text)
    if not m:
        raise ValueError(f"not a duration: {text!r}")
    unit = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}[m[2]]
    return timedelta(**{unit: int(m[1])})


def parse_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CadenceError(f"unknown time zone {name!r}") from None


def describe_duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    for size, unit in ((10080, "week"), (1440, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{minutes} minutes"


@lru_cache(maxsize=1)
def _tz_database() -> str:
    """The tz database's own summary file (tzdata.zi): the system's, else the tzdata package's."""
    import zoneinfo

    for folder in zoneinfo.TZPATH:
        path = Path(folder) / "tzdata.zi"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    with suppress(ModuleNotFoundError, TypeError, OSError):  # where the tzdata package is installed
        from importlib import resources

        return resources.files("tzdata").joinpath("zoneinfo/tzdata.zi").read_text(encoding="utf-8")
    return ""


@lru_cache(maxsize=256)
def _zone_link(name: str) -> str | None:
    """The canonical zone an old zone name links to (a `L TARGET ALIAS` line), if it is one."""
    found = re.search(rf"^L (\S+) {re.escape(name)}$", _tz_database(), re.MULTILINE)
    return found[1] if found else None


def zone_warning(name: str) -> str | None:
    """Why a valid zone name is still a trap: an old alias, or Etc/GMT's inverted sign."""
    if m := re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", name):
        sign, hours = m[1], m[2]
        real = "-" if sign == "+" else "+"
        return (
            f"{name} is UTC{real}{hours}, not UTC{sign}{hours} (POSIX inverts the sign); "
            "prefer a city zone such as Asia/Bangkok or America/Denver"
        )
    target = _zone_link(name)
    if target and not target.startswith("Etc/") and target != name:
        return f"{name} is an old name for {target}: write {target}"
    return None
