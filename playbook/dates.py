"""The one date syntax of the command line and the recording API.

`--as-of` and `--occurrence` (and the form's occurrence) accept exactly:

- an ISO date, ``YYYY-MM-DD``;
- an ISO date-time with an explicit zone, ``YYYY-MM-DDTHH:MM[:SS]`` followed by
  ``Z`` or ``+HH:MM`` (a time without a zone would mean different moments to
  the Warsaw and the Saigon pod);
- ``today`` or ``yesterday``, in the playbook's zone.

Compact forms (``20261201``), week dates (``2026-W49``) and ordinal dates are
refused: each reads as a different day to different people. Years are bounded
to 2000-2999: cadences are expanded from 2000 on, and date arithmetic near
year 1 or 9999 overflows; no sales review happens outside that range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from . import clock

MIN_YEAR = 2000
MAX_YEAR = 2999
ACCEPTED = "YYYY-MM-DD, YYYY-MM-DDTHH:MM with a zone (Z or +01:00), today or yesterday"
RELATIVE = {"today": 0, "yesterday": 1}
END_OF_DAY = time(23, 59, 59)

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})")


class DateSyntaxError(ValueError):
    """A date the user typed that is not in the one accepted syntax; the message says why."""


@dataclass(frozen=True)
class When:
    """A date or moment as typed, resolved once the zone it is meant in is known."""

    text: str
    day_given: date | None = None
    moment_given: datetime | None = None
    days_ago: int | None = None

    def day(self, zone: tzinfo, now: datetime | None = None) -> date:
        """The calendar day meant: a moment's own date in its own offset."""
        if self.moment_given is not None:
            return self.moment_given.date()
        if self.day_given is not None:
            return self.day_given
        today = (now or clock.now(zone)).astimezone(zone).date()
        return today - timedelta(days=self.days_ago or 0)

    def moment(self, zone: tzinfo, now: datetime | None = None) -> datetime:
        """The moment meant; a plain day means the end of that day in `zone`."""
        if self.moment_given is not None:
            return self.moment_given
        return datetime.combine(self.day(zone, now), END_OF_DAY, zone)


def parse_when(text: str) -> When:
    """Read `text` in the accepted syntax; raise DateSyntaxError naming the accepted forms."""
    value = text.strip()
    if value.lower() in RELATIVE:
        return When(text, days_ago=RELATIVE[value.lower()])
    try:
        if _DAY.fullmatch(value):
            when = When(text, day_given=date.fromisoformat(value))
            year = value[:4]
        elif _MOMENT.fullmatch(value):
            when = When(text, moment_given=datetime.fromisoformat(value.replace("Z", "+00:00")))
            year = value[:4]
        else:
            raise DateSyntaxError(f"{text!r} is not a date; write {ACCEPTED}")
    except ValueError as exc:
        if isinstance(exc, DateSyntaxError):
            raise
        raise DateSyntaxError(f"{text!r} is not a valid date ({exc}); write {ACCEPTED}") from None
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise DateSyntaxError(
            f"{text!r} is out of range: years {MIN_YEAR} to {MAX_YEAR}; write {ACCEPTED}"
        )
    return when


def parse_day(text: str, zone: tzinfo, now: datetime | None = None) -> date:
    """The calendar day `text` names (see parse_when)."""
    return parse_when(text).day(zone, now)
