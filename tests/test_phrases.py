"""The words teams write for a schedule, each with the rule and the first dates it means."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from playbook.schedule import CadenceError, parse_cadence

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 12, 1, tzinfo=WARSAW)

# phrase, starts, the rule, the first three dates after 1 December 2026
PHRASES: list[tuple[str, str | None, str, list[str]]] = [
    ("weekly on monday", None, "FREQ=WEEKLY;BYDAY=MO", ["12-07 09:00", "12-14 09:00", "12-21 09:00"]),
    ("every other week on friday", None, "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", ["12-04 09:00", "12-18 09:00", "01-01 09:00"]),
    ("every two weeks on friday", None, "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", ["12-04 09:00", "12-18 09:00", "01-01 09:00"]),
    ("fortnightly on friday at 4:30 pm", None, "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", ["12-04 16:30", "12-18 16:30", "01-01 16:30"]),
    ("biweekly on friday", "2026-11-27", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", ["12-11 09:00", "12-25 09:00", "01-08 09:00"]),
    ("every 2 weeks", "2026-11-27", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", ["12-11 09:00", "12-25 09:00", "01-08 09:00"]),
    ("every 3 weeks on monday starting 2023-09-04", None, "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO", ["12-14 09:00", "01-04 09:00", "01-25 09:00"]),
    ("every 3 months", "2026-01-15", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15", ["01-15 09:00", "04-15 09:00", "07-15 09:00"]),
    ("every quarter", "2026-02-10", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=10", ["02-10 09:00", "05-10 09:00", "08-10 09:00"]),
    ("monthly on the 15th", None, "FREQ=MONTHLY;BYMONTHDAY=15", ["12-15 09:00", "01-15 09:00", "02-15 09:00"]),
    ("the 15th of each month at 16h", None, "FREQ=MONTHLY;BYMONTHDAY=15", ["12-15 16:00", "01-15 16:00", "02-15 16:00"]),
    ("monthly on day 31", None, "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1", ["12-31 09:00", "01-31 09:00", "02-28 09:00"]),
    ("quarterly on the last friday", None, "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=-1FR", ["12-25 09:00", "03-26 09:00", "06-25 09:00"]),
    ("annually on march 1", None, "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1", ["03-01 09:00", "03-01 09:00", "03-01 09:00"]),
    ("yearly on 10 december at 9am", None, "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=10", ["12-10 09:00", "12-10 09:00", "12-10 09:00"]),
    ("yearly", "2026-03-01", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1", ["03-01 09:00", "03-01 09:00", "03-01 09:00"]),
    ("every working day at 17:00", None, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", ["12-01 17:00", "12-02 17:00", "12-03 17:00"]),
]  # fmt: skip


@pytest.mark.parametrize(("phrase", "starts", "rule", "first"), PHRASES)
def test_a_phrase_means_its_rule_and_dates(
    phrase: str, starts: str | None, rule: str, first: list[str]
) -> None:
    cadence = parse_cadence(phrase, date.fromisoformat(starts) if starts else None)

    assert cadence.rule == rule
    assert [f"{d:%m-%d %H:%M}" for d in cadence.next_dates(WARSAW, NOW, 3)] == first
    assert not cadence.words().startswith("by the rule")


def test_a_series_has_no_date_before_its_start() -> None:
    cadence = parse_cadence("every 2 weeks on friday", date(2027, 1, 8))

    assert cadence.next_dates(WARSAW, NOW, 1)[0].date() == date(2027, 1, 8)


def test_a_start_in_the_phrase_and_another_in_starts_are_refused() -> None:
    with pytest.raises(CadenceError, match="starts on 2023-09-04 but starts: says 2023-09-11"):
        parse_cadence("every 3 weeks on monday starting 2023-09-04", date(2023, 9, 11))


def test_every_n_weeks_without_a_day_or_a_start_asks_for_one() -> None:
    with pytest.raises(CadenceError, match="needs a day to count from") as caught:
        parse_cadence("every 2 weeks")
    assert "starts: YYYY-MM-DD" in caught.value.hint


def test_a_phrase_not_understood_gets_the_closest_one_and_its_rule() -> None:
    with pytest.raises(CadenceError) as caught:
        parse_cadence("every mondy at 09:00")
    assert caught.value.hint == "did you mean 'every monday at 09:00' (FREQ=WEEKLY;BYDAY=MO)?"


@pytest.mark.parametrize("time_text", ["13pm", "25:00", "9:75"])
def test_a_time_that_is_not_a_time_of_day_is_refused(time_text: str) -> None:
    with pytest.raises(CadenceError, match="is not a time of day"):
        parse_cadence(f"every monday at {time_text}")
