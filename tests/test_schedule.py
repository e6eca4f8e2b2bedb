"""Cadences: phrases compile to RRULEs, read back in words and land on the right local dates."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from playbook.schedule import (
    CADENCE_EXAMPLES,
    CadenceError,
    describe_duration,
    parse_cadence,
    parse_duration,
    parse_timezone,
)

WARSAW = ZoneInfo("Europe/Warsaw")
# A fixed "now": Monday 23 November 2026, midnight in Warsaw.
NOW = datetime(2026, 11, 23, tzinfo=WARSAW)
REPO = Path(__file__).resolve().parent.parent


def _dates(cadence: str, after: datetime = NOW, count: int = 4) -> list[str]:
    """The next `count` occurrences as local 'YYYY-MM-DD HH:MM' text."""
    return [f"{moment:%Y-%m-%d %H:%M}" for moment in _next(cadence, after, count)]


def _next(cadence: str, after: datetime, count: int) -> list[datetime]:
    return parse_cadence(cadence).next_dates(WARSAW, after, count)


# Phrases and rules


@pytest.mark.parametrize("phrase", CADENCE_EXAMPLES)
def test_every_documented_example_compiles(phrase: str) -> None:
    assert parse_cadence(phrase).text == phrase


@pytest.mark.parametrize("phrase", CADENCE_EXAMPLES)
def test_every_documented_example_reads_back_in_plain_words(phrase: str) -> None:
    assert not parse_cadence(phrase).words().startswith("by the rule")


@pytest.mark.parametrize(
    ("phrase", "rule"),
    [
        ("every monday", "FREQ=WEEKLY;BYDAY=MO"),
        ("every weekday", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("every monday and thursday", "FREQ=WEEKLY;BYDAY=MO,TH"),
        ("every 2 weeks on friday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"),
        ("monthly on day 15", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("monthly on the last day", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("first friday of each month", "FREQ=MONTHLY;BYDAY=1FR"),
        ("last friday of each quarter", "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=-1FR"),
        ("first friday of each quarter", "FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=1FR"),
        (
            "monday after the first friday of each quarter",
            "FREQ=MONTHLY;BYMONTH=1,4,7,10;BYDAY=MO;BYMONTHDAY=4,5,6,7,8,9,10",
        ),
        ("second monday of december", "FREQ=YEARLY;BYMONTH=12;BYDAY=2MO"),
        ("yearly on december 10", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=10"),
    ],
)
def test_phrase_compiles_to_the_rrule_of_the_design(phrase: str, rule: str) -> None:
    assert parse_cadence(phrase).rule == rule


def test_phrases_ignore_case_and_extra_spaces() -> None:
    assert parse_cadence("  Every   MONDAY at 09:00 ").rule == "FREQ=WEEKLY;BYDAY=MO"


def test_time_of_day_defaults_to_nine() -> None:
    assert parse_cadence("every monday").at == time(9, 0)


def test_time_of_day_is_taken_from_at() -> None:
    assert parse_cadence("every monday at 8:30").at == time(8, 30)


def test_raw_rrule_takes_its_time_of_day_from_byhour_and_byminute() -> None:
    cadence = parse_cadence("RRULE:FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=30")
    assert (cadence.rule, cadence.at) == ("FREQ=WEEKLY;BYDAY=FR", time(16, 30))


def test_once_per_person_has_no_rule_and_no_dates() -> None:
    cadence = parse_cadence("once per person")
    assert cadence.per_person
    assert cadence.next_dates(WARSAW, NOW) == []
    assert cadence.occurrences(WARSAW, NOW, NOW + timedelta(days=365)) == []


# Words


@pytest.mark.parametrize(
    ("phrase", "words"),
    [
        ("every monday at 09:00", "every Monday at 09:00"),
        ("every monday and thursday at 08:30", "every Monday and Thursday at 08:30"),
        ("every weekday at 17:00", "every weekday at 17:00"),
        ("every 2 weeks on friday", "every 2 weeks on Friday at 09:00"),
        ("monthly on day 1", "on the 1st of every month at 09:00"),
        ("monthly on day 22", "on the 22nd of every month at 09:00"),
        ("monthly on day 13", "on the 13th of every month at 09:00"),
        ("monthly on the last day", "on the last day of every month at 09:00"),
        ("first friday of each month at 10:00", "the first Friday of every month at 10:00"),
        ("last friday of each quarter at 14:00", "the last Friday of each quarter at 14:00"),
        (
            "monday after the first friday of each quarter",
            "the Monday after the first Friday of each quarter at 09:00",
        ),
        ("second monday of december", "the second Monday of December at 09:00"),
        ("yearly on december 10", "on the 10th of December at 09:00"),
        ("FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=16", "the last Friday of every month at 16:00"),
    ],
)
def test_words_describe_the_cadence(phrase: str, words: str) -> None:
    assert parse_cadence(phrase).words() == words


# Next dates from a fixed moment


@pytest.mark.parametrize(
    ("phrase", "dates"),
    [
        (
            "last friday of each quarter at 14:00",
            ["2026-12-25 14:00", "2027-03-26 14:00", "2027-06-25 14:00", "2027-09-24 14:00"],
        ),
        (
            "first friday of each month",
            ["2026-12-04 09:00", "2027-01-01 09:00", "2027-02-05 09:00", "2027-03-05 09:00"],
        ),
        (
            "monday after the first friday of each quarter",
            ["2027-01-04 09:00", "2027-04-05 09:00", "2027-07-05 09:00", "2027-10-04 09:00"],
        ),
        (
            "every monday at 09:00",
            ["2026-11-23 09:00", "2026-11-30 09:00", "2026-12-07 09:00", "2026-12-14 09:00"],
        ),
        (
            # anchored on Monday 2024-01-01, so the fortnight does not drift between runs
            "every 2 weeks on friday",
            ["2026-12-04 09:00", "2026-12-18 09:00", "2027-01-01 09:00", "2027-01-15 09:00"],
        ),
        (
            "monthly on day 31",
            ["2026-11-30 09:00", "2026-12-31 09:00", "2027-01-31 09:00", "2027-02-28 09:00"],
        ),
        (
            "yearly on december 10",
            ["2026-12-10 09:00", "2027-12-10 09:00", "2028-12-10 09:00", "2029-12-10 09:00"],
        ),
        (
            "quarterly on the last day",
            ["2026-12-31 09:00", "2027-03-31 09:00", "2027-06-30 09:00", "2027-09-30 09:00"],
        ),
    ],
)
def test_next_dates_from_a_fixed_moment(phrase: str, dates: list[str]) -> None:
    assert _dates(phrase) == dates


def test_last_friday_of_q4_2026_is_christmas_day() -> None:
    [moment] = _next("last friday of each quarter", NOW, 1)
    assert moment.date().isoformat() == "2026-12-25"


def test_first_friday_of_the_quarter_in_january_2027_is_new_years_day() -> None:
    [moment] = _next("first friday of each quarter", NOW, 1)
    assert moment.date().isoformat() == "2027-01-01"


def test_next_dates_start_after_the_given_moment() -> None:
    monday_nine = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
    assert _dates("every monday at 09:00", monday_nine, 1) == ["2026-11-30 09:00"]


def test_next_dates_are_in_the_cadences_time_zone() -> None:
    after_in_utc = NOW.astimezone(UTC)
    [moment] = _next("every monday at 09:00", after_in_utc, 1)
    assert moment.tzinfo == WARSAW
    assert moment.astimezone(UTC) == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_monthly_on_day_31_meets_shorter_months_on_their_last_day() -> None:
    # Issue 7.8: RFC 5545 skips months without a 31st; teams mean "the month's end".
    dates = [moment.date() for moment in _next("monthly on day 31", NOW, 12)]
    assert len({d.month for d in dates}) == 12
    assert date(2027, 2, 28) in dates and date(2027, 4, 30) in dates


def test_monthly_on_day_30_meets_february_on_its_last_day() -> None:
    dates = [moment.date() for moment in _next("monthly on day 30", NOW, 5)]
    assert date(2027, 2, 28) in dates and date(2027, 3, 30) in dates


def test_a_clamped_day_says_so_in_words() -> None:
    cadence = parse_cadence("monthly on day 31")
    assert cadence.words() == (
        "on the 31st of every month (the last day in shorter months) at 09:00"
    )


def test_yearly_on_february_29_falls_on_the_28th_in_common_years() -> None:
    dates = [moment.date() for moment in _next("yearly on february 29", NOW, 4)]
    assert dates == [date(2027, 2, 28), date(2028, 2, 29), date(2029, 2, 28), date(2030, 2, 28)]


def test_a_past_until_retires_a_cadence_instead_of_breaking_it() -> None:
    # Issue 7.5: once UNTIL has passed, the playbook still loads; nothing is scheduled after it.
    cadence = parse_cadence("FREQ=WEEKLY;BYDAY=FR;UNTIL=20260130")
    assert cadence.until == date(2026, 1, 30)
    assert cadence.next_dates(WARSAW, NOW, 3) == []
    assert "until 30 January 2026" in cadence.words()


def test_quarterly_on_the_last_day_means_the_last_day_of_each_quarter() -> None:
    # The words promise the quarter's last day; the dates must keep that promise.
    cadence = parse_cadence("quarterly on the last day")
    assert cadence.words() == "on the last day of each quarter at 09:00"
    assert {moment.month for moment in cadence.next_dates(WARSAW, NOW, 4)} == {3, 6, 9, 12}


# Daylight saving time: wall-clock time stays, the UTC offset moves


def test_weekly_cadence_stays_at_nine_across_the_march_change() -> None:
    moments = _next("every monday at 09:00", datetime(2027, 3, 15, tzinfo=WARSAW), 3)
    assert [f"{moment:%m-%d %H:%M}" for moment in moments] == [
        "03-15 09:00",
        "03-22 09:00",
        "03-29 09:00",
    ]
    assert [moment.utcoffset() for moment in moments] == [
        timedelta(hours=1),
        timedelta(hours=1),
        timedelta(hours=2),
    ]
    assert [moment.astimezone(UTC).hour for moment in moments] == [8, 8, 7]


def test_weekly_cadence_stays_at_nine_across_the_october_change() -> None:
    moments = _next("every monday at 09:00", datetime(2026, 10, 12, tzinfo=WARSAW), 3)
    assert [f"{moment:%m-%d %H:%M}" for moment in moments] == [
        "10-12 09:00",
        "10-19 09:00",
        "10-26 09:00",
    ]
    assert [moment.astimezone(UTC).hour for moment in moments] == [7, 7, 8]


def test_same_cadence_lands_at_local_nine_in_each_zone() -> None:
    cadence = parse_cadence("every monday at 09:00")
    saigon = ZoneInfo("Asia/Ho_Chi_Minh")
    [warsaw_moment] = cadence.next_dates(WARSAW, NOW, 1)
    [saigon_moment] = cadence.next_dates(saigon, NOW, 1)
    assert (warsaw_moment.hour, saigon_moment.hour) == (9, 9)
    assert warsaw_moment - saigon_moment == timedelta(hours=6)


# Occurrences over a range


def test_occurrences_cover_a_week_of_weekdays() -> None:
    moments = parse_cadence("every weekday at 17:00").occurrences(
        WARSAW, NOW, NOW + timedelta(days=7)
    )
    assert [f"{moment:%a %d %H:%M}" for moment in moments] == [
        "Mon 23 17:00",
        "Tue 24 17:00",
        "Wed 25 17:00",
        "Thu 26 17:00",
        "Fri 27 17:00",
    ]


def test_occurrences_include_the_start_and_exclude_the_end() -> None:
    start = datetime(2026, 11, 23, 17, 0, tzinfo=WARSAW)
    moments = parse_cadence("every weekday at 17:00").occurrences(
        WARSAW, start, start + timedelta(days=1)
    )
    assert moments == [start]


def test_occurrences_accept_a_range_given_in_utc() -> None:
    start = datetime(2026, 11, 23, 7, 59, tzinfo=UTC)
    moments = parse_cadence("every monday at 09:00").occurrences(
        WARSAW, start, start + timedelta(minutes=2)
    )
    assert moments == [datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)]


def test_occurrences_over_a_quarter_boundary() -> None:
    moments = parse_cadence("last friday of each quarter").occurrences(
        WARSAW, NOW, datetime(2028, 1, 1, tzinfo=WARSAW)
    )
    assert [moment.date().isoformat() for moment in moments] == [
        "2026-12-25",
        "2027-03-26",
        "2027-06-25",
        "2027-09-24",
        "2027-12-31",
    ]


# Cadences that are refused


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("every moonday", "cannot understand the cadence 'every moonday'"),
        ("every monday at 25:00", "25:00 is not a time of day"),
        ("every monday at 09:60", "09:60 is not a time of day"),
        ("monthly on day 32", "cannot understand the cadence 'monthly on day 32'"),
        (
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "the cadence 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' never occurs",
        ),
        ("yearly on february 30", "the cadence 'yearly on february 30' never occurs"),
        ("FREQ=FORTNIGHTLY", "the RRULE 'FREQ=FORTNIGHTLY' is not valid"),
        ("FREQ=DAILY;BYHOUR=24", "the RRULE 'FREQ=DAILY;BYHOUR=24' is not valid"),
        ("FREQ=DAILY;DTSTART=20260101", "not DTSTART"),
    ],
)
def test_bad_cadence_raises_cadence_error_saying_why(text: str, message: str) -> None:
    with pytest.raises(CadenceError, match=re.escape(message)):
        parse_cadence(text)


@pytest.mark.parametrize("text", ["FREQ=DAILY;BYHOUR=nine", "FREQ=DAILY;BYHOUR=9;BYMINUTE="])
def test_raw_rrule_with_a_time_that_is_not_a_number_raises_cadence_error(text: str) -> None:
    with pytest.raises(CadenceError):
        parse_cadence(text)


def test_raw_rrule_with_two_hours_is_refused_rather_than_cut_to_the_first() -> None:
    # A cadence has one time of day; silently dropping 17:00 would lose a review.
    with pytest.raises(CadenceError):
        parse_cadence("FREQ=DAILY;BYHOUR=9,17")


def _parse_in_a_fresh_process(text: str, timeout: float) -> str:
    """The exception class parse_cadence raises for `text`, or 'none'; fails after `timeout` s."""
    code = (
        "import sys\n"
        "from playbook.schedule import parse_cadence\n"
        "try:\n"
        "    parse_cadence(sys.argv[1])\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__)\n"
        "else:\n"
        "    print('none')\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, text],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"parse_cadence({text!r}) took more than {timeout} s")
    return done.stdout.strip()


@pytest.mark.parametrize("text", ["FREQ=SECONDLY", "FREQ=MINUTELY"])
def test_a_rule_more_frequent_than_daily_is_refused_quickly(text: str) -> None:
    # A checklist every second is a typo, and expanding it from the 2024 anchor took minutes.
    assert _parse_in_a_fresh_process(text, timeout=5) == "CadenceError"


@pytest.mark.parametrize(
    "text", ["FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"]
)
def test_a_cadence_that_never_occurs_is_refused_quickly(text: str) -> None:
    assert _parse_in_a_fresh_process(text, timeout=1.5) == "CadenceError"


# Durations and time zones


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("30m", timedelta(minutes=30)),
        ("30min", timedelta(minutes=30)),
        ("4h", timedelta(hours=4)),
        ("2d", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        ("2 d", timedelta(days=2)),
    ],
)
def test_parse_duration(text: str, delta: timedelta) -> None:
    assert parse_duration(text) == delta


@pytest.mark.parametrize("text", ["4 hours", "1.5h", "h", "-1d", ""])
def test_parse_duration_refuses_other_forms(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=90), "90 minutes"),
        (timedelta(hours=4), "4 hours"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=30), "30 days"),
        (timedelta(weeks=2), "2 weeks"),
    ],
)
def test_describe_duration_uses_the_largest_whole_unit(delta: timedelta, words: str) -> None:
    assert describe_duration(delta) == words


@pytest.mark.parametrize("text", ["30m", "4h", "2d", "1w"])
def test_described_duration_parses_back_to_the_same_length(text: str) -> None:
    count, unit = describe_duration(parse_duration(text)).split()
    assert parse_duration(f"{count}{unit[0]}") == parse_duration(text)


def test_parse_timezone_knows_iana_names() -> None:
    assert parse_timezone("Asia/Ho_Chi_Minh") == ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize("name", ["Europe/Warszawa", "Mars/Olympus", "../etc/passwd", ""])
def test_unknown_time_zone_raises_cadence_error(name: str) -> None:
    with pytest.raises(CadenceError, match="unknown time zone"):
        parse_timezone(name)
