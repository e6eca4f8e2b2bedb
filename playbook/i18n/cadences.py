"""Cadences in words, in the language in force: "the last Friday of each quarter at 14:00".

Each shape of rule is one catalogue message with placeholders, so that every
language orders and inflects the whole phrase itself ("minden negyedév utolsó
péntekén", "ostatni piątek każdego kwartału", "每季度的最后一个星期五"); only
names and numbers are filled in. Messages that are chosen from a table are
marked with `N_` so that `pybabel extract` finds them.
"""

from __future__ import annotations

import re
from datetime import date, time

from babel import Locale

from ..phrases import QUARTER_FIRST_MONTHS, QUARTER_LAST_MONTHS, WEEKDAY_CODES
from ..phrases import WEEKDAYS_MO_FR as WORKWEEK
from . import N_, _, ngettext, pgettext
from .formatting import clock, day_in_words, listing, month_name

EVERY_WEEKDAY = {
    "MO": N_("every Monday"),
    "TU": N_("every Tuesday"),
    "WE": N_("every Wednesday"),
    "TH": N_("every Thursday"),
    "FR": N_("every Friday"),
    "SA": N_("every Saturday"),
    "SU": N_("every Sunday"),
}
# A weekday on which something happens, alone ("the Monday after ...").
ON_WEEKDAY = {
    "MO": N_("the Monday"),
    "TU": N_("the Tuesday"),
    "WE": N_("the Wednesday"),
    "TH": N_("the Thursday"),
    "FR": N_("the Friday"),
    "SA": N_("the Saturday"),
    "SU": N_("the Sunday"),
}
# A weekday in a list of several ("every Monday and Thursday", "w poniedziałki i czwartki").
IN_LIST = {
    "MO": N_("Monday"),
    "TU": N_("Tuesday"),
    "WE": N_("Wednesday"),
    "TH": N_("Thursday"),
    "FR": N_("Friday"),
    "SA": N_("Saturday"),
    "SU": N_("Sunday"),
}
AFTER_FIRST = {
    "MO": N_("after the first Monday"),
    "TU": N_("after the first Tuesday"),
    "WE": N_("after the first Wednesday"),
    "TH": N_("after the first Thursday"),
    "FR": N_("after the first Friday"),
    "SA": N_("after the first Saturday"),
    "SU": N_("after the first Sunday"),
}
NTH_WEEKDAY = {
    (1, "MO"): N_("the first Monday"),
    (1, "TU"): N_("the first Tuesday"),
    (1, "WE"): N_("the first Wednesday"),
    (1, "TH"): N_("the first Thursday"),
    (1, "FR"): N_("the first Friday"),
    (1, "SA"): N_("the first Saturday"),
    (1, "SU"): N_("the first Sunday"),
    (2, "MO"): N_("the second Monday"),
    (2, "TU"): N_("the second Tuesday"),
    (2, "WE"): N_("the second Wednesday"),
    (2, "TH"): N_("the second Thursday"),
    (2, "FR"): N_("the second Friday"),
    (2, "SA"): N_("the second Saturday"),
    (2, "SU"): N_("the second Sunday"),
    (3, "MO"): N_("the third Monday"),
    (3, "TU"): N_("the third Tuesday"),
    (3, "WE"): N_("the third Wednesday"),
    (3, "TH"): N_("the third Thursday"),
    (3, "FR"): N_("the third Friday"),
    (3, "SA"): N_("the third Saturday"),
    (3, "SU"): N_("the third Sunday"),
    (4, "MO"): N_("the fourth Monday"),
    (4, "TU"): N_("the fourth Tuesday"),
    (4, "WE"): N_("the fourth Wednesday"),
    (4, "TH"): N_("the fourth Thursday"),
    (4, "FR"): N_("the fourth Friday"),
    (4, "SA"): N_("the fourth Saturday"),
    (4, "SU"): N_("the fourth Sunday"),
    (-1, "MO"): N_("the last Monday"),
    (-1, "TU"): N_("the last Tuesday"),
    (-1, "WE"): N_("the last Wednesday"),
    (-1, "TH"): N_("the last Thursday"),
    (-1, "FR"): N_("the last Friday"),
    (-1, "SA"): N_("the last Saturday"),
    (-1, "SU"): N_("the last Sunday"),
}
EDGE_DAYS = {
    ("1", False): N_("the first weekday"),
    ("-1", False): N_("the last weekday"),
    ("1", True): N_("the first working day"),
    ("-1", True): N_("the last working day"),
}
_ENGLISH = Locale("en")


def _day_of_month(day: int) -> str:
    """`on the 15th`: the English message is picked by English's ordinal suffix, and every
    language translates the four alike ("15. dnia", "15. napján", "ngày 15", "15日")."""
    if day == -1:
        return _("on the last day")
    form = _ENGLISH.ordinal_form(day)
    if form == "one":
        message = pgettext("day of the month", "on the {n}st")
    elif form == "two":
        message = pgettext("day of the month", "on the {n}nd")
    elif form == "few":
        message = pgettext("day of the month", "on the {n}rd")
    else:
        message = pgettext("day of the month", "on the {n}th")
    return message.format(n=day)


def _of_period(day: str, parts: dict[str, str], position: int = 0) -> str:
    """`day` placed in its period: every month, every N months, each quarter or named months."""
    freq = parts.get("FREQ", "")
    interval = int(parts.get("INTERVAL", "1"))
    months = parts.get("BYMONTH")
    if freq == "MONTHLY" and interval > 1 and months is None:
        return ngettext("{day} of every {n} month", "{day} of every {n} months", interval).format(
            day=day, n=interval
        )
    if months is None:
        return _("{day} of every month").format(day=day)
    if (months == QUARTER_LAST_MONTHS and position < 0) or (
        months == QUARTER_FIRST_MONTHS and position >= 0
    ):
        return _("{day} of each quarter").format(day=day)
    names = listing([month_name(int(month)) for month in months.split(",")])
    return _("{day} of {months}").format(day=day, months=names)


def _clamped(parts: dict[str, str]) -> int | None:
    """The day N of a rule that meets shorter months on their last day (BYMONTHDAY=28..N)."""
    days = parts.get("BYMONTHDAY", "").split(",")
    if parts.get("BYSETPOS") != "-1" or len(days) < 2 or days[0] != "28":
        return None
    if days != [str(d) for d in range(28, 28 + len(days))] or len(days) > 4:
        return None
    return int(days[-1])


def _by_rule(parts: dict[str, str]) -> str:
    return _("by the rule {rule}").format(rule=";".join(f"{k}={v}" for k, v in parts.items()))


def describe_rule(parts: dict[str, str], working: str = "") -> str:
    """Plain words for a rule's parts; falls back to the rule only for shapes no phrase makes."""
    freq = parts.get("FREQ", "")
    interval = int(parts.get("INTERVAL", "1"))
    byday = parts.get("BYDAY", "")
    bymonthday = parts.get("BYMONTHDAY")
    setpos = parts.get("BYSETPOS")
    clamp = None
    if freq == "MONTHLY" or (freq == "YEARLY" and interval == 1):
        clamp = _clamped(parts)
    if clamp is not None and not byday:
        words = _of_period(_day_of_month(clamp), parts)
        if clamp == 29 or parts.get("BYMONTH") == "2":
            return _("{when} (the last day in February)").format(when=words)
        return _("{when} (the last day in shorter months)").format(when=words)
    if byday == WORKWEEK and setpos in ("1", "-1") and freq == "MONTHLY":
        return _of_period(_(EDGE_DAYS[(setpos, bool(working))]), parts, int(setpos))
    known = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "UNTIL"}
    if set(parts) - known:
        return _by_rule(parts)
    if freq == "DAILY" and not byday:
        if interval == 1:
            return _("every day")
        return ngettext("every {n} day", "every {n} days", interval).format(n=interval)
    if freq == "WEEKLY" and byday and not bymonthday:
        codes = byday.split(",")
        if not set(codes) <= set(WEEKDAY_CODES):
            return _by_rule(parts)
        if byday == WORKWEEK and interval == 1:
            return _("every working day") if working else _("every weekday")
        if interval == 1 and len(codes) == 1:
            return _(EVERY_WEEKDAY[codes[0]])
        days = listing([_(IN_LIST[code]) for code in codes])
        if interval == 1:
            return _("every {days}").format(days=days)
        return ngettext("every {n} week on {days}", "every {n} weeks on {days}", interval).format(
            n=interval, days=days
        )
    if freq in ("MONTHLY", "YEARLY") and (interval == 1 or freq == "MONTHLY"):
        m = re.fullmatch(r"([+-]?\d)?([A-Z]{2})", byday) if byday else None
        if m and m[1] and not bymonthday and (int(m[1]), m[2]) in NTH_WEEKDAY:
            n = int(m[1])
            return _of_period(_(NTH_WEEKDAY[(n, m[2])]), parts, n)
        if m and not m[1] and bymonthday and m[2] in ON_WEEKDAY:
            days = [int(day) for day in bymonthday.split(",")]
            if days == list(range(days[0], days[0] + 7)) and days[0] > 1:
                offset = days[0] - 1
                before = WEEKDAY_CODES[(WEEKDAY_CODES.index(m[2]) - offset) % 7]
                day = _("{day} {after}").format(
                    day=_(ON_WEEKDAY[m[2]]), after=_(AFTER_FIRST[before])
                )
                return _of_period(day, parts)
        if not byday and bymonthday and re.fullmatch(r"-?\d+", bymonthday):
            day = int(bymonthday)
            if day == -1 or 1 <= day <= 31:
                return _of_period(_day_of_month(day), parts, day)
    return _by_rule(parts)


def cadence_words(
    parts: dict[str, str] | None,
    at: time,
    working: str = "",
    start: date | None = None,
    until: date | None = None,
) -> str:
    """A whole cadence: its days, its time, and the days it starts and ends on."""
    if parts is None:
        return _("once for each new person, counted from their start date")
    words = _("{when} at {time}").format(when=describe_rule(parts, working), time=clock(at))
    if start:
        words = _("{when}, from {date}").format(when=words, date=day_in_words(start))
    if until:
        words = _("{when}, until {date}").format(when=words, date=day_in_words(until))
    return words
