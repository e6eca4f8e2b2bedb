"""done / late / missed / due / upcoming on hand-made histories with known answers."""

# Fixtures imported from gitfixtures are parameters of the tests: that is not a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import holidays
import pytest
from click.testing import CliRunner, Result

from playbook.cli import main
from playbook.errors import PlaybookError
from playbook.load import load_playbook
from playbook.model import Checklist, Playbook
from playbook.recording import CheckRequest, prepare_record, record_completion
from playbook.records import Record
from playbook.status import (
    OccurrenceStatus,
    State,
    Summary,
    Unit,
    collect,
    occurrences,
    summarize,
    units,
)

from .gitfixtures import (  # noqa: F401
    HANOI,
    IDENTITY,
    MONTHLY,
    QUARTERLY,
    QUARTERLY_CHECKLIST,
    WARSAW,
    WEEKLY,
    at,
    git_env,
    playbook_dir,
    repo,
    write_playbook,
)

# --- helpers ---------------------------------------------------------------------------


def load(root: Path, files: dict[str, str | None] | None = None) -> Playbook:
    return load_playbook(write_playbook(root, files))


def unit_of(playbook: Playbook, checklist: Checklist, unit_id: str) -> Unit:
    return next(u for u in units(playbook, checklist) if u.id == unit_id)


def done_at(
    playbook: Playbook,
    checklist_id: str,
    occurrence: date,
    when: datetime,
    team: str | None = "warsaw",
    partial: bool = False,
) -> Record:
    """The record `playbook check` would make for `occurrence`, completed at `when`."""
    request = CheckRequest(
        checklist=checklist_id,
        team=team,
        occurrence=occurrence,
        all_items=not partial,
        metrics={"new-leads": "5"} if checklist_id == WEEKLY and not partial else {},
        partial=partial,
    )
    return prepare_record(playbook, request, when, IDENTITY).record


def summary(
    playbook: Playbook,
    checklist_id: str,
    records: Iterable[Record],
    as_of: datetime,
    unit_id: str = "warsaw",
    since: date | None = None,
) -> Summary:
    checklist = playbook.checklists[checklist_id]
    return summarize(
        playbook,
        checklist,
        unit_of(playbook, checklist, unit_id),
        {r.occurrence: r for r in records},
        as_of,
        since,
    )


def state_of(s: Summary, key: date) -> OccurrenceStatus:
    [found] = [h for h in s.history if h.occurrence.key == key]
    return found


def states(s: Summary) -> dict[date, str]:
    return {h.occurrence.key: str(h.state) for h in s.history}


@pytest.fixture
def sample(playbook_dir: Path) -> Playbook:
    return load_playbook(playbook_dir)


MON = date(2026, 11, 16)
NEXT_MON = date(2026, 11, 23)


# --- the boundaries of done, late, missed, due and upcoming ----------------------------


def test_done_exactly_at_due_plus_grace_is_done(sample: Playbook) -> None:
    record = done_at(sample, WEEKLY, MON, at("2026-11-16", "13:00:00"))

    s = summary(sample, WEEKLY, [record], at("2026-11-20", "12:00"))

    assert state_of(s, MON).state is State.DONE
    assert state_of(s, MON).record == record


@pytest.mark.parametrize(
    ("done", "as_of", "expected"),
    [
        ("2026-11-16 13:00:01", "2026-11-20 12:00", State.LATE),
        ("2026-11-16 07:30", "2026-11-16 08:00", State.DONE),
        ("2026-11-24 10:00", "2026-11-25 10:00", State.LATE),
        ("2026-11-16 11:00", "2026-11-16 10:00", State.DUE),
    ],
    ids=[
        "done_one_second_after_due_plus_grace_is_late",
        "done_early_on_the_due_day_is_done",
        "done_after_the_next_occurrence_came_is_late_not_missed",
        "a_record_made_after_as_of_does_not_count_yet",
    ],
)
def test_one_record_for_monday_is_judged(
    sample: Playbook, done: str, as_of: str, expected: State
) -> None:
    """A record for MON completed at `done` ("day clock"), judged at `as_of`."""
    record = done_at(sample, WEEKLY, MON, at(*done.split()))

    s = summary(sample, WEEKLY, [record], at(*as_of.split()))

    assert state_of(s, MON).state is expected


def test_no_record_when_the_next_occurrence_has_come_is_missed(sample: Playbook) -> None:
    s = summary(sample, WEEKLY, [], at("2026-11-23", "09:00:00"))

    assert state_of(s, MON).state is State.MISSED
    assert state_of(s, NEXT_MON).state is State.DUE


def test_no_record_just_before_the_next_occurrence_is_due_and_overdue(sample: Playbook) -> None:
    s = summary(sample, WEEKLY, [], at("2026-11-23", "08:59:59"))

    assert state_of(s, MON).state is State.DUE
    assert state_of(s, MON).overdue
    assert state_of(s, NEXT_MON).state is State.UPCOMING


def test_an_open_occurrence_is_due_then_overdue_after_its_grace(sample: Playbook) -> None:
    at_grace = summary(sample, WEEKLY, [], at("2026-11-23", "13:00:00"))
    after_grace = summary(sample, WEEKLY, [], at("2026-11-23", "13:00:01"))

    assert state_of(at_grace, NEXT_MON).state is State.DUE
    assert not state_of(at_grace, NEXT_MON).overdue
    assert not at_grace.overdue
    assert state_of(after_grace, NEXT_MON).state is State.DUE
    assert state_of(after_grace, NEXT_MON).overdue
    assert after_grace.overdue
    assert [o.occurrence.key for o in after_grace.open] == [NEXT_MON]


def test_a_future_occurrence_is_upcoming(sample: Playbook) -> None:
    s = summary(sample, WEEKLY, [], at("2026-11-23", "08:59:59"))

    assert s.history[-1].state is State.UPCOMING
    assert s.next_due is not None
    assert s.next_due.key == NEXT_MON
    assert s.next_due.due == at("2026-11-23", "09:00")
    assert [h.state for h in s.history].count(State.UPCOMING) == 1


def test_a_partial_record_does_not_make_an_occurrence_done(sample: Playbook) -> None:
    partial = done_at(sample, WEEKLY, MON, at("2026-11-16", "10:00"), partial=True)

    before_next = summary(sample, WEEKLY, [partial], at("2026-11-16", "14:00"))
    after_next = summary(sample, WEEKLY, [partial], at("2026-11-23", "10:00"))

    assert state_of(before_next, MON).state is State.DUE
    assert state_of(before_next, MON).record == partial
    assert state_of(after_next, MON).state is State.MISSED


def test_occurrences_before_tracking_since_are_not_counted(sample: Playbook) -> None:
    assert sample.tracking_since == date(2026, 10, 1)

    s = summary(sample, WEEKLY, [], at("2026-11-23", "10:00"))

    assert s.history[0].occurrence.key == date(2026, 10, 5)
    assert states(s) == {
        date(2026, 10, 5): "missed",
        date(2026, 10, 12): "missed",
        date(2026, 10, 19): "missed",
        date(2026, 10, 26): "missed",
        date(2026, 11, 2): "missed",
        date(2026, 11, 9): "missed",
        MON: "missed",
        NEXT_MON: "due",
        date(2026, 11, 30): "upcoming",
    }


def test_each_team_is_judged_in_its_own_time_zone(sample: Playbook) -> None:
    # 07:00 in Warsaw is 13:00 in Hanoi: Hanoi's Monday review is open, Warsaw's not yet.
    as_of = at("2026-11-23", "07:00")

    warsaw = summary(sample, WEEKLY, [], as_of, "warsaw")
    hanoi = summary(sample, WEEKLY, [], as_of, "hanoi")

    assert state_of(warsaw, NEXT_MON).state is State.UPCOMING
    assert state_of(hanoi, NEXT_MON).state is State.DUE
    assert state_of(hanoi, NEXT_MON).occurrence.due == datetime(2026, 11, 23, 9, tzinfo=HANOI)
    assert not state_of(hanoi, NEXT_MON).overdue
    later = summary(sample, WEEKLY, [], at("2026-11-23", "07:00:01"), "hanoi")
    assert state_of(later, NEXT_MON).overdue


# --- calendars: daylight saving, month ends, leap days ---------------------------------


@pytest.mark.parametrize(
    ("start", "end", "offsets"),
    [
        # Summer time starts on Sunday 29 March 2026 ...
        ("2026-03-16", "2026-04-07", [1, 1, 2, 2]),
        # ... and ends on Sunday 25 October 2026.
        ("2026-10-12", "2026-11-03", [2, 2, 1, 1]),
    ],
)
def test_weekly_review_stays_at_nine_local_across_dst(
    sample: Playbook, start: str, end: str, offsets: list[int]
) -> None:
    checklist = sample.checklists[WEEKLY]
    warsaw = unit_of(sample, checklist, "warsaw")

    found = occurrences(checklist, warsaw, at(start, "00:00"), at(end, "00:00"))

    assert [o.due.weekday() for o in found] == [0] * len(offsets)
    assert [o.due.timetz().replace(tzinfo=None) for o in found] == [time(9)] * len(offsets)
    assert [o.due.utcoffset() for o in found] == [timedelta(hours=h) for h in offsets]
    assert [o.due.astimezone(UTC).hour for o in found] == [9 - h for h in offsets]


def test_grace_is_measured_from_nine_local_on_the_monday_after_dst(sample: Playbook) -> None:
    monday = date(2026, 3, 30)
    on_time = done_at(sample, WEEKLY, monday, at("2026-03-30", "13:00"))
    late = done_at(sample, WEEKLY, monday, at("2026-03-30", "13:00:01"))

    s_on_time = summary(sample, WEEKLY, [on_time], at("2026-04-01", "12:00"), since=monday)
    s_late = summary(sample, WEEKLY, [late], at("2026-04-01", "12:00"), since=monday)

    assert state_of(s_on_time, monday).state is State.DONE
    assert state_of(s_late, monday).state is State.LATE


def test_hanoi_has_no_dst(sample: Playbook) -> None:
    checklist = sample.checklists[WEEKLY]
    hanoi = unit_of(sample, checklist, "hanoi")

    found = occurrences(checklist, hanoi, at("2026-03-16", "00:00"), at("2026-11-03", "00:00"))

    assert {o.due.astimezone(UTC).time() for o in found} == {time(2)}


MONTH_END = """\
title: Month-end close
purpose: Close the books.
owners: [sales-manager]
cadence: monthly on day 31
sections:
  - title: Close
    items:
      - id: close
        text: Close the month
"""


def test_monthly_on_day_31_falls_on_the_last_day_of_shorter_months(tmp_path: Path) -> None:
    playbook = load(tmp_path, {"checklists/month-end.yml": MONTH_END})
    checklist = playbook.checklists["month-end"]
    warsaw = unit_of(playbook, checklist, "warsaw")

    found = occurrences(checklist, warsaw, at("2026-01-01", "00:00"), at("2027-01-01", "00:00"))

    assert len(found) == 12
    assert date(2026, 2, 28) in [o.key for o in found]
    assert date(2026, 11, 30) in [o.key for o in found]
    # November's occurrence closes October's: on 1 December October is missed, not open.
    s = summary(playbook, "month-end", [], at("2026-12-01", "12:00"))
    assert states(s)[date(2026, 10, 31)] == "missed"
    assert states(s)[date(2026, 11, 30)] == "due"


def test_a_leap_day_phrase_occurs_on_the_28th_in_common_years(tmp_path: Path) -> None:
    playbook = load(
        tmp_path,
        {
            "checklists/leap-review.yml": MONTH_END.replace(
                "monthly on day 31", "yearly on february 29"
            ).replace("Month-end close", "Leap day review")
        },
    )
    checklist = playbook.checklists["leap-review"]
    warsaw = unit_of(playbook, checklist, "warsaw")

    found = occurrences(checklist, warsaw, at("2026-01-01", "00:00"), at("2029-01-01", "00:00"))

    assert [o.key for o in found] == [date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29)]


def test_a_raw_leap_day_rule_is_refused_rather_than_skipping_three_years(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError, match="skips every month that has no day 29"):
        load(
            tmp_path,
            {
                "checklists/leap-review.yml": MONTH_END.replace(
                    "monthly on day 31", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"
                )
            },
        )


# --- on-time rate and streak -----------------------------------------------------------


def test_on_time_rate_over_90_days_and_streak(sample: Playbook) -> None:
    mondays = [date(2026, 8, 3) + timedelta(weeks=i) for i in range(16)]  # 3 Aug .. 16 Nov
    missed = {date(2026, 8, 24), date(2026, 8, 31)}
    late = {date(2026, 9, 7), date(2026, 11, 2)}
    records = [
        done_at(
            sample,
            WEEKLY,
            monday,
            datetime.combine(monday, time(18) if monday in late else time(10), WARSAW),
        )
        for monday in mondays
        if monday not in missed
    ]
    as_of = at("2026-11-23", "10:00")

    s = summary(sample, WEEKLY, records, as_of, since=date(2026, 8, 1))

    # The 90 days before 23 Nov 10:00 hold the Mondays from 31 Aug to 16 Nov: 12 closed,
    # of which 31 Aug was missed and 7 Sep and 2 Nov were late; 23 Nov is still open.
    assert s.on_time_rate == pytest.approx(9 / 12)
    assert s.streak == 2
    assert s.last_done is not None
    assert s.last_done.occurrence.key == MON
    assert [o.occurrence.key for o in s.open] == [NEXT_MON]
    assert s.next_due is not None
    assert s.next_due.key == date(2026, 11, 30)


def test_streak_counts_on_time_completions_back_to_the_first_miss(sample: Playbook) -> None:
    records = [
        done_at(sample, WEEKLY, date(2026, 10, 26), at("2026-10-26", "09:30")),
        done_at(sample, WEEKLY, date(2026, 11, 9), at("2026-11-09", "09:30")),
        done_at(sample, WEEKLY, MON, at("2026-11-16", "09:30")),
    ]

    s = summary(sample, WEEKLY, records, at("2026-11-23", "10:00"))

    assert state_of(s, date(2026, 11, 2)).state is State.MISSED
    assert s.streak == 2


def test_on_time_rate_is_none_when_nothing_is_closed(sample: Playbook) -> None:
    s = summary(sample, WEEKLY, [], at("2026-10-05", "10:00"))

    assert s.on_time_rate is None
    assert s.streak == 0
    assert s.last_done is None


# --- public holidays -------------------------------------------------------------------


def _previous_working_day(day: date, country: str) -> date:
    calendar = holidays.country_holidays(country, years=[day.year - 1, day.year])
    day -= timedelta(days=1)
    while day.weekday() >= 5 or day in calendar:
        day -= timedelta(days=1)
    return day


def test_q4_2026_review_moves_off_christmas_to_the_previous_working_day(sample: Playbook) -> None:
    checklist = sample.checklists[QUARTERLY]
    warsaw = unit_of(sample, checklist, "warsaw")
    polish = holidays.country_holidays("PL", years=2026)
    assert date(2026, 12, 25) in polish
    assert date(2026, 12, 24) in polish  # Christmas Eve is a public holiday from 2025 on
    expected = _previous_working_day(date(2026, 12, 25), "PL")
    assert expected == date(2026, 12, 23)

    [q4] = occurrences(checklist, warsaw, at("2026-12-01", "00:00"), at("2027-01-01", "00:00"))

    assert q4.key == date(2026, 12, 25)
    assert q4.moved_from == date(2026, 12, 25)
    assert q4.due == datetime.combine(expected, time(14), WARSAW)
    assert q4.holiday == polish[date(2026, 12, 25)]


def test_the_same_review_in_hanoi_stays_on_christmas_day(sample: Playbook) -> None:
    checklist = sample.checklists[QUARTERLY]
    hanoi = unit_of(sample, checklist, "hanoi")

    [q4] = occurrences(checklist, hanoi, at("2026-12-01", "00:00"), at("2027-01-01", "00:00"))

    assert q4.key == date(2026, 12, 25)
    assert q4.due == datetime(2026, 12, 25, 14, tzinfo=HANOI)
    assert q4.moved_from is None


@pytest.mark.parametrize(
    ("rule", "due_day"),
    [
        ("keep", date(2026, 12, 25)),
        ("previous", date(2026, 12, 23)),
        ("next", date(2026, 12, 28)),
        ("skip", None),
    ],
)
def test_on_holiday_rules_for_christmas_2026(
    tmp_path: Path, rule: str, due_day: date | None
) -> None:
    playbook = load(
        tmp_path,
        {
            "checklists/quarterly-review.yml": QUARTERLY_CHECKLIST.replace(
                "on_holiday: previous", f"on_holiday: {rule}"
            )
        },
    )
    checklist = playbook.checklists[QUARTERLY]
    warsaw = unit_of(playbook, checklist, "warsaw")

    found = occurrences(checklist, warsaw, at("2026-09-01", "00:00"), at("2027-04-01", "00:00"))

    keys = [o.key for o in found]
    assert date(2026, 9, 25) in keys
    assert date(2027, 3, 26) in keys
    if due_day is None:
        assert date(2026, 12, 25) not in keys
        assert len(found) == 2
    else:
        [q4] = [o for o in found if o.key == date(2026, 12, 25)]
        assert q4.due == datetime.combine(due_day, time(14), WARSAW)


FIRST_FRIDAY = """\
title: Quarter kick-off
purpose: Start the quarter.
owners: [sales-manager]
cadence: first friday of each quarter at 10:00
on_holiday: {rule}
sections:
  - title: Kick-off
    items:
      - id: targets
        text: Share the quarter's targets
"""


@pytest.mark.parametrize(
    ("rule", "due_day"),
    [("next", date(2027, 1, 4)), ("previous", date(2026, 12, 31)), ("skip", None)],
)
def test_first_friday_of_2027_falls_on_new_years_day(
    tmp_path: Path, rule: str, due_day: date | None
) -> None:
    playbook = load(tmp_path, {"checklists/kick-off.yml": FIRST_FRIDAY.format(rule=rule)})
    checklist = playbook.checklists["kick-off"]
    warsaw = unit_of(playbook, checklist, "warsaw")

    found = occurrences(checklist, warsaw, at("2026-12-01", "00:00"), at("2027-02-01", "00:00"))

    if due_day is None:
        assert found == []
    else:
        [q1] = found
        assert q1.key == date(2027, 1, 1)
        assert q1.due == datetime.combine(due_day, time(10), WARSAW)


def test_a_moved_occurrence_is_judged_against_its_moved_due_time(sample: Playbook) -> None:
    key = date(2026, 12, 25)
    # Quarterly grace is 3 days: due Wed 23 Dec 14:00, late after Sat 26 Dec 14:00.
    on_time = done_at(sample, QUARTERLY, key, at("2026-12-26", "14:00"))
    late = done_at(sample, QUARTERLY, key, at("2026-12-26", "14:00:01"))
    as_of = at("2027-01-05", "12:00")

    assert on_time.path == "logs/quarterly-review/warsaw/2026-12-25.yml"
    assert state_of(summary(sample, QUARTERLY, [on_time], as_of), key).state is State.DONE
    assert state_of(summary(sample, QUARTERLY, [late], as_of), key).state is State.LATE
    open_on_the_23rd = summary(sample, QUARTERLY, [], at("2026-12-23", "14:00"))
    assert state_of(open_on_the_23rd, key).state is State.DUE


def test_collect_puts_overdue_first(sample: Playbook) -> None:
    records = {
        (WEEKLY, "warsaw"): {MON: done_at(sample, WEEKLY, MON, at("2026-11-16", "10:00"))},
    }

    summaries = collect(sample, records, at("2026-11-23", "13:00:01"))

    assert summaries[0].overdue
    assert {(s.checklist.id, s.unit.id) for s in summaries} == {
        (MONTHLY, "all"),
        (QUARTERLY, "warsaw"),
        (QUARTERLY, "hanoi"),
        (WEEKLY, "warsaw"),
        (WEEKLY, "hanoi"),
        ("onboarding-sdr", "piotr"),
    }
    flags = [s.overdue for s in summaries]
    assert flags == sorted(flags, reverse=True)
    only_hanoi = collect(sample, records, at("2026-11-23", "13:00:01"), team="hanoi")
    assert {s.unit.id for s in only_hanoi} == {"hanoi"}


# --- the status and history commands ---------------------------------------------------


def status(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["status", "-C", str(root), *args])


def _quiet_week(root: Path) -> None:
    """Records that leave nothing overdue as of Monday 23 November 2026, 06:00 in Warsaw."""
    for team in ("warsaw", "hanoi"):
        record_completion(
            root,
            CheckRequest(
                WEEKLY, team=team, occurrence=MON, all_items=True, metrics={"new-leads": "4"}
            ),
            now=at("2026-11-16", "10:00"),
        )
    record_completion(
        root,
        CheckRequest(MONTHLY, occurrence=date(2026, 11, 15), all_items=True),
        now=at("2026-11-16", "08:00"),
    )


def test_status_json_parses_and_shows_each_checklist_and_team(repo: Path) -> None:
    _quiet_week(repo)

    result = status(repo, "--as-of", "2026-11-23T06:00:00+01:00", "--format", "json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-11-23T06:00:00+01:00"
    by_unit = {(c["checklist"], c["unit"]): c for c in data["checklists"]}
    assert set(by_unit) >= {(WEEKLY, "warsaw"), (WEEKLY, "hanoi"), (MONTHLY, "all")}
    hanoi = by_unit[(WEEKLY, "hanoi")]
    assert [o["occurrence"] for o in hanoi["open"]] == ["2026-11-23"]
    assert hanoi["open"][0]["state"] == "due"
    assert hanoi["overdue"] is False
    warsaw = by_unit[(WEEKLY, "warsaw")]
    assert warsaw["last_done"]["occurrence"] == "2026-11-16"
    assert warsaw["last_done"]["state"] == "done"
    assert warsaw["last_done"]["by"] == IDENTITY
    assert warsaw["last_done"]["metrics"] == {"new-leads": 4}
    assert warsaw["next_due"] == "2026-11-23T09:00:00+01:00"
    assert warsaw["streak"] == 1
    assert not any(c["overdue"] for c in data["checklists"])


def test_status_json_marks_a_holiday_move(repo: Path) -> None:
    result = status(repo, "--as-of", "2026-12-23T15:00:00+01:00", "--format", "json")

    data = json.loads(result.stdout)
    [quarterly] = [
        c for c in data["checklists"] if (c["checklist"], c["unit"]) == (QUARTERLY, "warsaw")
    ]
    [q4] = quarterly["open"]
    assert q4["occurrence"] == "2026-12-25"
    assert q4["due"] == "2026-12-23T14:00:00+01:00"
    assert q4["holiday"] == "Christmas Day"


def test_fail_on_overdue_exits_zero_when_nothing_is_overdue(repo: Path) -> None:
    _quiet_week(repo)

    result = status(repo, "--as-of", "2026-11-23T07:00:00+01:00", "--fail-on-overdue")

    assert result.exit_code == 0, result.output
    assert "0 overdue" in result.stdout


def test_fail_on_overdue_exits_non_zero_when_something_is_overdue(repo: Path) -> None:
    _quiet_week(repo)
    # Hanoi's Monday review was due at 09:00 Hanoi time = 03:00 in Warsaw; grace 4 hours.
    as_of = "2026-11-23T07:00:01+01:00"

    failing = status(repo, "--as-of", as_of, "--fail-on-overdue")
    plain = status(repo, "--as-of", as_of)
    as_json = status(repo, "--as-of", as_of, "--fail-on-overdue", "--format", "json")

    assert failing.exit_code == 3, failing.output
    assert "1 overdue" in failing.stdout
    assert "OVERDUE" in failing.stdout
    assert plain.exit_code == 0
    assert as_json.exit_code == 3
    overdue = [
        (c["checklist"], c["unit"])
        for c in json.loads(as_json.stdout)["checklists"]
        if c["overdue"]
    ]
    assert overdue == [(WEEKLY, "hanoi")]


def test_status_warns_about_a_corrupt_record_and_still_reports(repo: Path) -> None:
    _quiet_week(repo)
    (repo / "logs/weekly-pipeline/warsaw/2026-11-09.yml").write_text("checklist: [unclosed\n")

    result = status(repo, "--as-of", "2026-11-23T06:00:00+01:00")

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "warning: logs/weekly-pipeline/warsaw/2026-11-09.yml" in result.stdout
    assert WEEKLY in result.stdout


def test_status_refuses_an_unknown_team(repo: Path) -> None:
    result = status(repo, "--team", "krakow")

    assert result.exit_code == 1
    assert "unknown team 'krakow'" in result.stderr
    assert "Traceback" not in result.output


def test_history_lists_each_occurrence_with_its_state(repo: Path) -> None:
    request = CheckRequest(WEEKLY, team="warsaw", all_items=True, metrics={"new-leads": "4"})
    record_completion(
        repo, CheckRequest(**{**request.__dict__, "occurrence": MON}), now=at("2026-11-16", "12:00")
    )
    record_completion(
        repo,
        CheckRequest(**{**request.__dict__, "occurrence": date(2026, 11, 9)}),
        now=at("2026-11-10", "10:00"),
    )

    result = CliRunner().invoke(
        main,
        [
            "history",
            WEEKLY,
            "--team",
            "warsaw",
            "--as-of",
            "2026-11-23T13:00:01+01:00",
            "-C",
            str(repo),
        ],
    )

    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ")}
    assert "upcoming" in lines["2026-11-30"]
    assert "due (overdue)" in lines["2026-11-23"]
    assert " done " in lines["2026-11-16"]
    assert "by Anna Kowalska at 2026-11-16 12:00" in lines["2026-11-16"]
    assert "new-leads=4" in lines["2026-11-16"]
    assert " late " in lines["2026-11-09"]
    assert "MISSED" in lines["2026-11-02"]
    assert "MISSED" in lines["2026-10-05"]
    assert "2026-09-28" not in lines
    ordered = list(lines)
    assert ordered == sorted(ordered, reverse=True)


DAILY = """\
title: Daily wrap-up
purpose: End the day with a clean CRM.
owners: [sales-manager]
cadence: every weekday at 17:00
late_after: 2h
on_holiday: {rule}
sections:
  - title: Wrap-up
    items:
      - id: crm
        text: Update the CRM
"""


@pytest.mark.parametrize(
    ("rule", "as_of", "moved_to"),
    [
        # 24 and 25 December move back to Wednesday the 23rd, on top of its own occurrence.
        ("previous", "2026-12-23", date(2026, 12, 23)),
        # 24 and 25 December move forward to Monday the 28th, on top of its own occurrence.
        ("next", "2026-12-28", date(2026, 12, 28)),
    ],
)
def test_occurrences_moved_onto_the_same_day_are_not_missed_the_moment_they_open(
    tmp_path: Path, rule: str, as_of: str, moved_to: date
) -> None:
    playbook = load(tmp_path, {"checklists/daily.yml": DAILY.format(rule=rule)})
    due = datetime.combine(moved_to, time(17), WARSAW)

    # Half an hour after they all became due, well within the two hours of grace.
    s = summary(playbook, "daily", [], at(as_of, "17:30"), since=date(2026, 12, 21))

    same_moment = [h for h in s.history if h.occurrence.due == due]
    assert len(same_moment) == 3
    assert [str(h.state) for h in same_moment] == ["due", "due", "due"]
