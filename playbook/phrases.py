"""The words teams write for a schedule, compiled to RFC 5545 rule parts.

"weekly on monday", "every other week on friday", "fortnightly on friday",
"every 3 weeks on monday starting 2023-09-04", "monthly on the 15th",
"the last working day of each month", "annually on 1 march at 4:30 pm": each
becomes an RRULE body (no DTSTART; the time of day and the start date are
kept apart) and, for working-day schedules, a marker the occurrence engine
applies with the team's public holidays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from difflib import get_close_matches

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
QUARTER_FIRST_MONTHS = "1,4,7,10"
QUARTER_LAST_MONTHS = "3,6,9,12"
MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # at most, in a leap year
NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "other": 2,
}  # fmt: skip
WEEKDAYS_MO_FR = "MO,TU,WE,TH,FR"


class CadenceError(ValueError):
    """A cadence that cannot be understood; the message says what would be.

    `hint` is set when the fix is specific to the mistake; otherwise the caller
    shows its general list of accepted cadences.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Phrase:
    rule: str
    at: time
    start: date | None
    working: str = ""  # "each", "first" or "last": working days, applied with holidays


def clamped_day(day: int) -> str:
    """BYMONTHDAY for a day of the month that months too short for it meet on their last day.

    RFC 5545 skips months without a 31st; teams mean "the 31st, or the month's
    last day": the latest of the days 28 to N that the month has.
    """
    if day < 29:
        return f"BYMONTHDAY={day}"
    return "BYMONTHDAY=" + ",".join(str(d) for d in range(28, day + 1)) + ";BYSETPOS=-1"


def code(weekday: str) -> str:
    return WEEKDAY_CODES[WEEKDAYS.index(weekday)]


_WD = "(" + "|".join(WEEKDAYS) + ")"
_ORD = "(" + "|".join(ORDINALS) + ")"
_MONTH = "(" + "|".join(MONTHS) + ")"
_DAYS = rf"{_WD}((?:(?:,| and|, and) {_WD})*)"


def read_time(phrase: str) -> tuple[str, time]:
    """The phrase without its time of day, and the time: 09:00, 9am, 4:30 pm, 16h, 16.30."""
    match = re.search(r"\s+at\s+(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|h)?$", phrase)
    if not match:
        return phrase, time(9, 0)
    hour, minute, suffix = int(match[1]), int(match[2] or 0), match[3]
    if suffix in ("am", "pm"):
        if not 1 <= hour <= 12:
            raise CadenceError(
                f"{match[0].strip()!r} is not a time of day", "write e.g. 9am or 4:30 pm"
            )
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise CadenceError(
            f"{match[0].strip()[3:]} is not a time of day", "write e.g. 09:00 or 16:30"
        )
    return phrase[: match.start()], time(hour, minute)


def read_start(phrase: str) -> tuple[str, date | None]:
    """The phrase without `starting YYYY-MM-DD`, and that date."""
    match = re.search(r"\s*,?\s+(?:starting|beginning|from)(?: on)? (\d{4}-\d{2}-\d{2})", phrase)
    if not match:
        return phrase, None
    try:
        start = date.fromisoformat(match[1])
    except ValueError:
        raise CadenceError(f"{match[1]} is not a date", "write it as YYYY-MM-DD") from None
    return (phrase[: match.start()] + phrase[match.end() :]).strip(), start


def normalise(phrase: str) -> str:
    """One spelling for the many ways of saying the same thing."""
    p = " ".join(phrase.lower().replace(",", " , ").split()).replace(" ,", ",")
    p = re.sub(r"\b(\d{1,2})(?:st|nd|rd|th)\b", r"\1", p)  # the 15th -> the 15
    p = re.sub(r"\b(on|of) (?:each|every)\b", r"\1 the", p)
    p = re.sub(r"\b(bi-?weekly|fortnightly)\b", "every 2 weeks", p)
    p = re.sub(r"\b(annually|every year|each year)\b", "yearly", p)
    p = re.sub(r"\b(every|each) quarter\b", "quarterly", p)
    p = re.sub(r"\b(every|each) month\b(?! on)", "monthly", p)
    p = re.sub(r"\b(?:every|each) month on\b", "monthly on", p)
    p = re.sub(r"\bweekly on\b", "every", p)
    for word, number in NUMBERS.items():
        p = re.sub(rf"\bevery {word}\b", f"every {number}", p)
    p = re.sub(r"\bevery 1 (day|week|month)s?\b", r"every \1", p)
    p = re.sub(r"\bworking days?\b", "working day", p).replace("business day", "working day")
    return p.strip()


def compile_phrase(text: str, start: date | None = None) -> Phrase:
    """A phrase's rule, time and start; `start` is the checklist's `starts:` (or None)."""
    phrase, at = read_time(normalise(text))
    phrase, said_start = read_start(phrase)
    if said_start and start and said_start != start:
        raise CadenceError(
            f"the cadence says it starts on {said_start} but starts: says {start}",
            "keep one of the two",
        )
    start = said_start or start
    rule, working = _rule(phrase, start)
    if rule is None:
        raise CadenceError(f"cannot understand the cadence {text!r}", suggest(phrase))
    return Phrase(rule, at, start, working)


def _needs_start(what: str, example: str) -> CadenceError:
    return CadenceError(
        f"{what} needs a day to count from",
        f"add `starts: YYYY-MM-DD` to the checklist, or say the day, e.g. '{example}'",
    )


def _rule(p: str, start: date | None) -> tuple[str | None, str]:
    """(RRULE body, working-day marker) for a normalised phrase without time and start."""
    if re.fullmatch(r"(every|each) day|daily", p):
        return "FREQ=DAILY", ""
    if m := re.fullmatch(r"every (\d+) days?", p):
        return f"FREQ=DAILY;INTERVAL={int(m[1])}", ""
    if p in ("every weekday", "weekdays", "on weekdays"):
        return f"FREQ=WEEKLY;BYDAY={WEEKDAYS_MO_FR}", ""
    if p in ("every working day", "working days", "on working days"):
        return f"FREQ=WEEKLY;BYDAY={WEEKDAYS_MO_FR}", "each"
    if m := re.fullmatch(rf"every {_DAYS}", p):
        return "FREQ=WEEKLY;BYDAY=" + _day_codes(m), ""
    if m := re.fullmatch(rf"every (\d+) weeks? on {_DAYS}", p):
        return f"FREQ=WEEKLY;INTERVAL={int(m[1])};BYDAY={_day_codes(m, 2)}", ""
    if m := re.fullmatch(rf"every 2 {_WD}", p):  # "every other friday"
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={code(m[1])}", ""
    if m := re.fullmatch(r"every (\d+) weeks?|weekly|every week", p):
        interval = int(m[1]) if m[1] else 1
        if start is None:
            raise _needs_start(f"{p!r}", "every 2 weeks on friday")
        step = f";INTERVAL={interval}" if interval > 1 else ""
        return f"FREQ=WEEKLY{step};BYDAY={WEEKDAY_CODES[start.weekday()]}", ""
    if found := _monthly(p, start):
        return found
    if found := _yearly(p, start):
        return found
    if m := re.fullmatch(rf"(?:the )?{_ORD} {_WD} of the (month|quarter|year)", p):
        n = ORDINALS[m[1]]
        months = {
            "month": "",
            "quarter": ";BYMONTH=" + (QUARTER_LAST_MONTHS if n < 0 else QUARTER_FIRST_MONTHS),
            "year": ";BYMONTH=" + ("12" if n < 0 else "1"),
        }[m[3]]
        return f"FREQ=MONTHLY{months};BYDAY={n}{code(m[2])}", ""
    if m := re.fullmatch(r"(?:the )?(first|last) working day of the (month|quarter|year)", p):
        return _working_rule(m[1], m[2])
    if m := re.fullmatch(rf"(?:the )?{_ORD} {_WD} of {_MONTH}", p):
        return (
            f"FREQ=YEARLY;BYMONTH={MONTHS.index(m[3]) + 1};BYDAY={ORDINALS[m[1]]}{code(m[2])}",
            "",
        )
    if m := re.fullmatch(rf"(?:the )?{_WD} after the first {_WD} of the (month|quarter)", p):
        offset = (WEEKDAYS.index(m[1]) - WEEKDAYS.index(m[2])) % 7 or 7
        days = ",".join(str(day) for day in range(1 + offset, 8 + offset))
        months = f";BYMONTH={QUARTER_FIRST_MONTHS}" if m[3] == "quarter" else ""
        return f"FREQ=MONTHLY{months};BYDAY={code(m[1])};BYMONTHDAY={days}", ""
    return None, ""


def _day_codes(m: re.Match[str], first: int = 1) -> str:
    days = [m[first], *re.findall(_WD, m[first + 1] or "")]
    return ",".join(code(day) for day in days)


def _working_rule(which: str, period: str) -> tuple[str, str]:
    """The first or last weekday of a period; the engine moves it off holidays."""
    months = {
        "month": "",
        "quarter": ";BYMONTH=" + (QUARTER_LAST_MONTHS if which == "last" else QUARTER_FIRST_MONTHS),
        "year": ";BYMONTH=" + ("12" if which == "last" else "1"),
    }[period]
    position = -1 if which == "last" else 1
    return f"FREQ=MONTHLY{months};BYDAY={WEEKDAYS_MO_FR};BYSETPOS={position}", which


def _monthly(p: str, start: date | None) -> tuple[str, str] | None:
    """monthly / quarterly / every N months, on a day, the last day, a weekday or a working day."""
    m = re.fullmatch(r"(monthly|quarterly|every (\d+) months?)(?: on (.+))?", p)
    if m is None:
        if m := re.fullmatch(r"(?:on )?the (\d{1,2}) of the month", p):
            return _monthly(f"monthly on day {m[1]}", start)
        return None
    kind, interval, on = m[1], int(m[2]) if m[2] else 1, m[3]
    step = f";INTERVAL={interval}" if interval > 1 else ""
    if on is None:
        if start is None:
            raise _needs_start(f"{p!r}", f"{kind} on day 15")
        if kind == "quarterly":  # every three months from the start, not calendar quarters
            return _monthly(f"every 3 months on day {start.day}", start)
        on = f"day {start.day}"
    on = re.sub(r"^the (\d{1,2})$", r"day \1", on)
    if kind == "quarterly":

        def months(last: bool) -> str:
            return ";BYMONTH=" + (QUARTER_LAST_MONTHS if last else QUARTER_FIRST_MONTHS)
    else:

        def months(last: bool) -> str:
            return ""

    if d := re.fullmatch(r"day (\d{1,2})", on):
        day = int(d[1])
        if not 1 <= day <= 31:
            return None
        return f"FREQ=MONTHLY{step}{months(False)};{clamped_day(day)}", ""
    if on == "the last day":
        return f"FREQ=MONTHLY{step}{months(True)};BYMONTHDAY=-1", ""
    if w := re.fullmatch(r"the (first|last) working day", on):
        rule, working = _working_rule(w[1], "month")
        rule = rule.replace("FREQ=MONTHLY", f"FREQ=MONTHLY{step}{months(w[1] == 'last')}")
        return rule, working
    if w := re.fullmatch(rf"the {_ORD} {_WD}", on):
        n = ORDINALS[w[1]]
        return f"FREQ=MONTHLY{step}{months(n < 0)};BYDAY={n}{code(w[2])}", ""
    return None


def _yearly(p: str, start: date | None) -> tuple[str, str] | None:
    m = re.fullmatch(rf"yearly(?: on (?:{_MONTH} (\d{{1,2}})|(\d{{1,2}}) {_MONTH}))?", p)
    if m is None:
        return None
    if m[1]:
        month, day = MONTHS.index(m[1]) + 1, int(m[2])
    elif m[4]:
        month, day = MONTHS.index(m[4]) + 1, int(m[3])
    elif start is not None:
        month, day = start.month, start.day
    else:
        raise _needs_start("'yearly'", "yearly on december 10")
    if not 1 <= day <= MONTH_DAYS[month - 1]:
        return f"FREQ=YEARLY;BYMONTH={month};BYMONTHDAY={day}", ""  # refused: it never occurs
    # 29 February is clamped to the 28th in common years, like any day past a month's end.
    return f"FREQ=YEARLY;BYMONTH={month};{clamped_day(day)}", ""


PHRASE_EXAMPLES = [
    "every monday at 09:00",
    "weekly on monday at 9am",
    "every monday and thursday at 08:30",
    "every weekday at 17:00",
    "every working day at 16h",
    "every 2 weeks on friday",
    "every other week on friday",
    "fortnightly on friday at 4:30 pm",
    "every 3 weeks on monday starting 2023-09-04",
    "monthly on day 15",
    "monthly on the 15th",
    "monthly on the last day",
    "monthly on the last working day",
    "monthly on the first monday",
    "every 3 months on day 10",
    "quarterly on the last friday",
    "first friday of each month at 10:00",
    "last friday of each quarter at 14:00",
    "the last working day of each quarter",
    "monday after the first friday of each quarter",
    "second monday of december",
    "yearly on december 10",
    "annually on 1 march",
]


def suggest(phrase: str) -> str:
    """The closest phrase that is understood, and the rule it means."""
    known = [read_start(read_time(normalise(e))[0])[0] for e in PHRASE_EXAMPLES]
    close = get_close_matches(read_time(phrase)[0], known, n=1, cutoff=0.4)
    if not close:
        return (
            "write e.g. 'every monday at 09:00', 'every 2 weeks on friday', 'monthly on the 15th', "
            "'the last working day of each month', 'yearly on december 10' or an RRULE; "
            "see the Cadences section of README.md"
        )
    example = PHRASE_EXAMPLES[known.index(close[0])]
    try:  # the examples compile: no suggestion is ever asked for here
        rule = _rule(read_start(read_time(normalise(example))[0])[0], date(2026, 1, 5))[0] or ""
    except CadenceError:
        rule = ""
    return f"did you mean '{example}'" + (f" ({rule})?" if rule else "?")
