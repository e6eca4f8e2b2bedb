"""Dates, times, numbers, money and durations in the language in force, from Babel's CLDR data.

Never `strftime`: it follows the process locale, not the playbook's language.
English is formatted as British English (`Wed, 23 Dec 2026`, day before month),
the way the playbook's English has always written dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_datetime, format_skeleton, get_month_names
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from babel.units import format_unit

from . import language

CLDR_LOCALES = {"en": "en_GB"}  # a playbook language → the CLDR locale its dates follow
# The English site keeps the house style it always had (`Wed 23 Dec 2026, 14:00`): CLDR
# patterns with the locale's names; every other language takes CLDR's own skeletons.
HOUSE_PATTERNS = {
    "en": {
        "yMMMEd": "EEE dd MMM y",
        "MMMEd": "EEE dd MMM",
        "yMMMMd": "dd MMMM y",
        "yMMMd": "dd MMM y",
        "moment": "EEE dd MMM y, HH:mm",
    }
}
MONEY_PATTERN = "#,##0.00\u00a0¤¤"  # the amount, then the ISO code: EUR and PLN never mix up


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(CLDR_LOCALES.get(code, code))


def locale() -> Locale:
    """The CLDR locale of the language in force."""
    return _locale(language())


def _skeleton(skeleton: str, value: date) -> str:
    pattern = HOUSE_PATTERNS.get(language(), {}).get(skeleton)
    if pattern:
        return format_datetime(value, pattern, locale=locale())
    return format_skeleton(skeleton, value, locale=locale())


def day(value: date) -> str:
    """`Wed 23 Dec 2026`, `śr., 23 gru 2026`, `2026年12月23日周三`."""
    return _skeleton("yMMMEd", value)


def short_day(value: date) -> str:
    """A day of this year's calendar, without the year: `Wed 23 Dec`."""
    return _skeleton("MMMEd", value)


def long_day(value: date) -> str:
    """`23 December 2026`, `23 grudnia 2026`, `2026. december 23.`."""
    return _skeleton("yMMMMd", value)


def short_date(value: date) -> str:
    """`11 Feb 2026`, `11 lut 2026`, `2026. febr. 11.`."""
    return _skeleton("yMMMd", value)


def day_in_words(value: date) -> str:
    """A day inside a sentence, as CLDR writes it: `4 September 2026`, `4 września 2026`."""
    return format_skeleton("yMMMMd", value, locale=locale())


def clock(value: time | datetime) -> str:
    """A time of day on the 24-hour clock the playbook's cadences are written in."""
    moment = value if isinstance(value, datetime) else datetime.combine(date(2000, 1, 3), value)
    return format_skeleton("Hm", moment, locale=locale())


def moment(value: datetime) -> str:
    """A day and its time, joined the way the language joins them: `Wed, 23 Dec 2026, 14:00`."""
    house = HOUSE_PATTERNS.get(language(), {}).get("moment")
    if house:
        return format_datetime(value, house, locale=locale())
    pattern = locale().datetime_formats["medium"]
    return str(pattern).format(clock(value), day(value))


def month_name(month: int) -> str:
    """A month's name as it stands in a date (`stycznia` in Polish, not `styczeń`)."""
    return get_month_names("wide", "format", locale())[month]


def listing(values: Sequence[str]) -> str:
    """`A, B and C`, `A, B i C`, `A、B和C`."""
    return format_list(list(values), locale=locale())


def number(value: int | float | Decimal) -> str:
    return format_decimal(value, locale=locale())


def money(amount: Decimal, currency: str) -> str:
    """`12,500.50 EUR`, `12 500,50 EUR`, `12.500,50 EUR`; digits as the currency has them."""
    return format_currency(amount, currency, format=MONEY_PATTERN, locale=locale())


def duration(delta: timedelta) -> str:
    """An exact duration in its largest whole unit: `1 day`, `4 godziny`, `2 tuần`."""
    minutes = int(delta.total_seconds() // 60)
    for size, unit in ((10080, "week"), (1440, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0:
            return format_unit(minutes // size, f"duration-{unit}", locale=locale())
    return format_unit(minutes, "duration-minute", locale=locale())
