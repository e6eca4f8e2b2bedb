"""Cadences: friendly phrases and raw RFC 5545 rules, compiled with dateutil.

A cadence is a wall-clock rule in a time zone: "every monday at 09:00" in
Europe/Warsaw stays at 09:00 across daylight-saving changes. The rule is
expanded on naive local datetimes and the zone is attached afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

ONCE_PER_PERSON = "once per person"
# Rules are anchored on a Monday so that "every 2 weeks" is stable across runs.
ANCHOR = date(2024, 1, 1)

WEEKDAYS = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
]
WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
QUARTER_FIRST_MONTHS = "1,4,7,10"
QUARTER_LAST_MONTHS = "3,6,9,12"


class CadenceError(ValueError):
    """A cadence that cannot be understood; the message says what would be."""


@dataclass(frozen=True)
class Cadence:
    text: str
    rule: str | None  # RRULE body without DTSTART; None for "once per person"
    at: time

    @property
    def per_person(self) -> bool:
        return self.rule is None

    @cached_property
    def parts(self) -> dict[str, str]:
        return dict(part.split("=", 1) for part in (self.rule or "").split(";") if part)

    @cached_property
    def _rrule(self) -> rrule:
        return rrulestr(self.rule, dtstart=datetime.combine(ANCHOR, self.at), cache=True)

    def occurrences(self, tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
        """Occurrences in [start, end), as aware datetimes in `tz`."""
        if self.rule is None:
            return []
        local_start = start.astimezone(tz).replace(tzinfo=None) - timedelta(hours=3)
        local_end = end.astimezone(tz).replace(tzinfo=None) + timedelta(hours=3)
        found = (
            moment.replace(tzinfo=tz)
            for moment in self._rrule.between(local_start, local_end, inc=True)
        )
        return [moment for moment in found if start <= moment < end]

    def next_dates(self, tz: ZoneInfo, after: datetime, count: int = 5) -> list[datetime]:
        if self.rule is None:
            return []
        moment = after.astimezone(tz).replace(tzinfo=None)
        out: list[datetime] = []
        while len(out) < count:
            following = self._rrule.after(moment)
            if following is None:
                break
            out.append(following.replace(tzinfo=tz))
            moment = following
        return out

    def words(self) -> str:
        """The cadence in plain English, derived from the rule itself."""
        if self.rule is None:
            return "once for each new person, counted from their start date"
        return f"{describe_rule(self.parts)} at {self.at:%H:%M}"


def parse_cadence(text: str) -> Cadence:
    """Compile a phrase or a raw RRULE; raise CadenceError saying what is accepted."""
    phrase = " ".join(text.lower().replace(",", " , ").split())
    if phrase == ONCE_PER_PERSON:
        return Cadence(text, None, time(9, 0))
    if phrase.startswith(("rrule:", "freq=")):
        return _raw_rule(text)
    at = time(9, 0)
    match = re.search(r"\s+at\s+(\d{1,2}):(\d{2})$", phrase)
    if match:
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise CadenceError(f"{match[1]}:{match[2]} is not a time of day")
        at = time(hour, minute)
        phrase = phrase[: match.start()]
    rule = _phrase_rule(phrase.replace(" ,", ","))
    if rule is None:
        raise CadenceError(f"cannot understand the cadence {text!r}")
    cadence = Cadence(text, rule, at)
    _check_occurs(cadence)
    return cadence


def _raw_rule(text: str) -> Cadence:
    body = re.sub(r"(?i)^rrule:", "", text.strip()).upper()
    parts = dict(part.split("=", 1) for part in body.split(";") if "=" in part)
    if "DTSTART" in body:
        raise CadenceError(
            "a raw RRULE takes its time of day from BYHOUR and BYMINUTE, not DTSTART"
        )
    hour = int(parts.pop("BYHOUR", "9").split(",")[0])
    minute = int(parts.pop("BYMINUTE", "0").split(",")[0])
    parts.pop("BYSECOND", None)
    rule = ";".join(f"{key}={value}" for key, value in parts.items())
    try:
        cadence = Cadence(text, rule, time(hour, minute))
        cadence._rrule  # noqa: B018 - parse now to report errors here
    except (ValueError, TypeError) as exc:
        raise CadenceError(f"the RRULE {text!r} is not valid: {exc}") from None
    _check_occurs(cadence)
    return cadence


def _check_occurs(cadence: Cadence) -> None:
    if not cadence.next_dates(ZoneInfo("UTC"), datetime.now(UTC), 1):
        raise CadenceError(f"the cadence {cadence.text!r} never occurs in the future")


_WD = "(" + "|".join(WEEKDAYS) + ")"
_ORD = "(" + "|".join(ORDINALS) + ")"
_MONTH = "(" + "|".join(MONTHS) + ")"


def _code(weekday: str) -> str:
    return WEEKDAY_CODES[WEEKDAYS.index(weekday)]


def _phrase_rule(phrase: str) -> str | None:
    if re.fullmatch(r"(every|each) day|daily", phrase):
        return "FREQ=DAILY"
    if re.fullmatch(r"every (weekday|working day)", phrase):
        return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    if m := re.fullmatch(rf"every {_WD}((?:(?:,| and|, and) {_WD})*)", phrase):
        days = [m[1], *re.findall(_WD, m[2])]
        return "FREQ=WEEKLY;BYDAY=" + ",".join(_code(day) for day in days)
    if m := re.fullmatch(rf"every (\d+) weeks on {_WD}", phrase):
        return f"FREQ=WEEKLY;INTERVAL={int(m[1])};BYDAY={_code(m[2])}"
    if m := re.fullmatch(r"(monthly|quarterly) on (?:day (\d{1,2})|the last day)", phrase):
        day = int(m[2]) if m[2] else -1
        if not (1 <= day <= 31 or day == -1):
            return None
        months = f";BYMONTH={QUARTER_FIRST_MONTHS}" if m[1] == "quarterly" else ""
        return f"FREQ=MONTHLY{months};BYMONTHDAY={day}"
    if m := re.fullmatch(rf"{_ORD} {_WD} of (?:each|every|the) (month|quarter|year)", phrase):
        n = ORDINALS[m[1]]
        months = {
            "month": "",
            "quarter": ";BYMONTH=" + (QUARTER_LAST_MONTHS if n < 0 else QUARTER_FIRST_MONTHS),
            "year": ";BYMONTH=" + ("12" if n < 0 else "1"),
        }[m[3]]
        return f"FREQ=MONTHLY{months};BYDAY={n}{_code(m[2])}"
    if m := re.fullmatch(rf"{_ORD} {_WD} of {_MONTH}", phrase):
        return f"FREQ=YEARLY;BYMONTH={MONTHS.index(m[3]) + 1};BYDAY={ORDINALS[m[1]]}{_code(m[2])}"
    if m := re.fullmatch(
        rf"{_WD} after the first {_WD} of (?:each|every|the) (month|quarter)", phrase
    ):
        offset = (WEEKDAYS.index(m[1]) - WEEKDAYS.index(m[2])) % 7 or 7
        days = ",".join(str(day) for day in range(1 + offset, 8 + offset))
        months = f";BYMONTH={QUARTER_FIRST_MONTHS}" if m[3] == "quarter" else ""
        return f"FREQ=MONTHLY{months};BYDAY={_code(m[1])};BYMONTHDAY={days}"
    if m := re.fullmatch(rf"(?:yearly|every year) on {_MONTH} (\d{{1,2}})", phrase):
        return f"FREQ=YEARLY;BYMONTH={MONTHS.index(m[1]) + 1};BYMONTHDAY={int(m[2])}"
    return None


CADENCE_EXAMPLES = [
    "every monday at 09:00",
    "every monday and thursday at 08:30",
    "every weekday at 17:00",
    "every 2 weeks on friday",
    "monthly on day 15",
    "monthly on the last day",
    "first friday of each month at 10:00",
    "last friday of each quarter at 14:00",
    "monday after the first friday of each quarter",
    "second monday of december",
    "yearly on december 10",
    "once per person",
    "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=16",
]


def _day_name(code: str) -> str:
    return WEEKDAYS[WEEKDAY_CODES.index(code)].capitalize()


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _ordinal_day(day: int) -> str:
    if day == -1:
        return "the last day"
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"the {day}{suffix}"


def _months(value: str | None, position: int = 0) -> str:
    if value is None:
        return "every month"
    if (value == QUARTER_LAST_MONTHS and position < 0) or (
        value == QUARTER_FIRST_MONTHS and position >= 0
    ):
        return "each quarter"
    names = [MONTHS[int(month) - 1].capitalize() for month in value.split(",")]
    return _join(names)


def describe_rule(parts: dict[str, str]) -> str:
    """Plain words for a rule's parts; falls back to the rule for rare shapes."""
    freq = parts.get("FREQ", "")
    interval = int(parts.get("INTERVAL", "1"))
    byday = parts.get("BYDAY", "")
    bymonthday = parts.get("BYMONTHDAY")
    bymonth = parts.get("BYMONTH")
    known = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH"}
    if set(parts) - known:
        return "by the rule " + ";".join(f"{k}={v}" for k, v in parts.items())
    if freq == "DAILY" and not byday:
        return "every day" if interval == 1 else f"every {interval} days"
    if freq == "WEEKLY" and byday and not bymonthday:
        codes = byday.split(",")
        if codes == WEEKDAY_CODES[:5] and interval == 1:
            return "every weekday"
        days = _join([_day_name(code) for code in codes])
        return f"every {days}" if interval == 1 else f"every {interval} weeks on {days}"
    if freq in ("MONTHLY", "YEARLY") and interval == 1:
        m = re.fullmatch(r"([+-]?\d)?([A-Z]{2})", byday) if byday else None
        if m and m[1] and not bymonthday:
            n = int(m[1])
            return f"the {ORDINAL_WORDS.get(n, str(n))} {_day_name(m[2])} of {_months(bymonth, n)}"
        if m and not m[1] and bymonthday:
            days = [int(day) for day in bymonthday.split(",")]
            if days == list(range(days[0], days[0] + 7)) and days[0] > 1:
                offset = days[0] - 1
                before = WEEKDAY_CODES[(WEEKDAY_CODES.index(m[2]) - offset) % 7]
                return (
                    f"the {_day_name(m[2])} after the first {_day_name(before)} "
                    f"of {_months(bymonth)}"
                )
        if not byday and bymonthday and "," not in bymonthday:
            return f"on {_ordinal_day(int(bymonthday))} of {_months(bymonth)}"
    return "by the rule " + ";".join(f"{k}={v}" for k, v in parts.items())


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
