"""`calendar_feed`: what a calendar client expands from the feed must be our occurrences.

The feed is parsed back and expanded with `recurring-ical-events` (an
independent RFC 5545 implementation) and compared, instant by instant, with
`status.occurrences()` over a year: two DST changes in two time zones,
holidays that move or skip an occurrence, and a move onto an occurrence that
already exists.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from playbook.errors import PlaybookError
from playbook.ical import calendar_feed
from playbook.load import load_playbook
from playbook.model import Playbook
from playbook.status import occurrences, units

from .samples import SALES_MANAGER, sdr, settings, warsaw_pod, write_files

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
TRACKING_SINCE = date(2026, 3, 1)
SPAN = timedelta(days=400)  # March 2026 to April 2027: both DST changes, twice in spring

PLAYBOOK = (
    settings(
        "Calendar Test Playbook",
        "timezone: Europe/Warsaw",
        "country: PL",
        "tracking_since: {tracking_since}",
    )
    + "teams:\n"
    + warsaw_pod(
        "timezone: Europe/Warsaw\n",
        others="""\
- id: jan
  name: Jan Nowak
  role: sdr
  started: 2026-04-13
""",
    )
    + """\
  - id: newyork
    name: New York pod
    timezone: America/New_York
    country: US
    members:
      - id: joe
        name: Joe Smith
        role: sales-manager
"""
)

# This SDR has a shorter summary and no funnel stages.
ROLES = {"sales-manager": SALES_MANAGER, "sdr": sdr("Finds leads.")}


def checklist(cadence: str, extra: str = "", title: str = "Review") -> str:
    return f"""\
title: {title}
purpose: >-
  Look at the numbers
  while they can still be changed.
owners: [sales-manager]
cadence: {cadence}
{extra}sections:
  - title: Numbers
    items:
      - id: forecast
        text: Compare the forecast with the target
  - title: Actions
    items:
      - id: next-steps
        text: Agree next steps, with owners
      - id: notes
        text: Write notes
        required: false
"""


CHECKLISTS = {
    # Weekly across the DST changes of Europe (29 Mar, 25 Oct) and the US (8 Mar, 1 Nov).
    "monday-kickoff": checklist("every monday at 09:00", title="Monday kick-off"),
    # Q4 2026 ends on Friday 25 December; 24 December is a holiday in Poland too.
    "quarterly-review": checklist(
        "last friday of each quarter at 14:00", "on_holiday: previous\n", "Quarterly review"
    ),
    # 1 January 2027 is a Friday; in the US, 3 July 2026 is Independence Day (observed).
    "first-friday": checklist("first friday of each month at 10:00", "on_holiday: next\n"),
    "month-start": checklist("monthly on day 1", "scope: playbook\non_holiday: skip\n"),
    # 02:30 does not exist on the spring-forward night and happens twice in autumn.
    "night-check": checklist("every day at 02:30"),
    # Moving a holiday to the previous working day lands on an occurrence that already exists.
    "daily-standup": checklist("every weekday at 08:00", "on_holiday: previous\n"),
    # INTERVAL=2: the phase must survive the feed starting on another date than our anchor.
    "biweekly": checklist("every 2 weeks on friday at 16:00"),
    # Retired with `until:` in the middle of the span: the series ends there in calendars too.
    "retired-review": checklist("every wednesday at 11:00", "until: 2026-09-30\n"),
    # Day 31 meets shorter months on their last day, in calendars as in status.
    "month-end": checklist("monthly on day 31 at 17:00"),
    # A triweekly rhythm on each of its three phases (issue 9): three different series.
    "triweekly-a": checklist("every 3 weeks on monday starting 2023-09-04"),
    "triweekly-b": checklist("every 3 weeks on monday", "starts: 2023-09-11\n"),
    "triweekly-c": checklist("every three weeks on monday starting 2023-09-18"),
    # Working days come from each team's country: holidays and weekends.
    "payroll": checklist("the last working day of each month at 4 pm"),
    "daily-log": checklist("every working day at 9am"),
}


def write_playbook(root: Path, tracking_since: date | None = TRACKING_SINCE) -> Path:
    text = PLAYBOOK.format(tracking_since=tracking_since)
    if tracking_since is None:
        text = text.replace("tracking_since: None\n", "")
    files = {"playbook.yml": text, "docs/index.md": "# Test\n"}
    files |= {f"roles/{role}.yml": body for role, body in ROLES.items()}
    files |= {f"checklists/{cid}.yml": body for cid, body in CHECKLISTS.items()}
    return write_files(root, files)


@pytest.fixture
def playbook(tmp_path: Path) -> Playbook:
    return load_playbook(write_playbook(tmp_path / "playbook"))


def expand(feed: bytes, start: datetime, end: datetime) -> dict[tuple[str, str], list[datetime]]:
    """What a calendar client shows: every instance, in UTC, by checklist and unit."""
    calendar = icalendar.Calendar.from_ical(feed)
    found: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for event in recurring_ical_events.of(calendar).between(start, end):
        key = (str(event["X-PLAYBOOK-CHECKLIST"]), str(event["X-PLAYBOOK-UNIT"]))
        found[key].append(event.start.astimezone(UTC))
    return {key: sorted(moments) for key, moments in found.items()}


def ours(playbook: Playbook, start_day: date, span: timedelta) -> dict[tuple[str, str], list]:
    """Our occurrences from `start_day` (midnight in each unit's zone) for `span`, in UTC."""
    result = {}
    for item in playbook.checklists.values():
        for unit in units(playbook, item):
            start = datetime.combine(start_day, time(0), unit.timezone)
            result[(item.id, unit.id)] = sorted(
                o.due.astimezone(UTC) for o in occurrences(item, unit, start, start + span)
            )
    return result


def test_the_three_phases_of_a_triweekly_rhythm_never_meet(playbook: Playbook) -> None:
    warsaw = {c: ours_for(playbook, c) for c in ("triweekly-a", "triweekly-b", "triweekly-c")}
    a, b, c = (set(v) for v in warsaw.values())
    assert not (a & b or b & c or a & c)
    # Together the three phases hold every Monday of the span, one week apart.
    mondays = sorted(a | b | c)
    assert {later - earlier for earlier, later in pairwise(mondays)} == {timedelta(7)}


def test_the_last_working_day_avoids_holidays_and_weekends(playbook: Playbook) -> None:
    days = {moment.date() for moment in ours_for(playbook, "payroll")}
    # Poland: Thursday 31 December 2026 is a working day; Sunday 31 January 2027 is not.
    assert date(2026, 12, 31) in days
    assert date(2027, 1, 29) in days and date(2027, 1, 31) not in days


def ours_for(playbook: Playbook, checklist_id: str) -> list[datetime]:
    """The Warsaw pod's occurrences of a checklist over the span, in Warsaw time."""
    checklist = playbook.checklists[checklist_id]
    [unit] = [u for u in units(playbook, checklist) if u.id == "warsaw"]
    start = datetime.combine(TRACKING_SINCE, time(0), unit.timezone)
    return [o.due for o in occurrences(checklist, unit, start, start + SPAN)]


def test_expanded_occurrences_equal_ours_for_every_checklist_and_unit(playbook: Playbook) -> None:
    feed = calendar_feed(playbook, None, NOW)
    expected = ours(playbook, TRACKING_SINCE, SPAN)
    # Every unit's window lies inside this one; cut the expansion to each unit's window.
    got = expand(feed, datetime(2026, 2, 27, tzinfo=UTC), datetime(2027, 4, 10, tzinfo=UTC))
    assert set(expected) <= set(got) | {k for k, v in expected.items() if not v}
    for key, moments in expected.items():
        unit = next(u for u in units(playbook, playbook.checklists[key[0]]) if u.id == key[1])
        start = datetime.combine(TRACKING_SINCE, time(0), unit.timezone)
        shown = [m for m in got.get(key, []) if start <= m < start + SPAN]
        assert shown == moments, key
    # Sanity: the cases this test is about really are in the window.
    assert len(expected[("monday-kickoff", "warsaw")]) == 57
    assert len(expected[("night-check", "newyork")]) == 400


def test_the_q4_review_moves_before_christmas_eve_in_the_feed(playbook: Playbook) -> None:
    feed = calendar_feed(playbook, "warsaw", NOW)
    got = expand(feed, datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    # 25 Dec 2026 is Christmas, 24 Dec Christmas Eve (a public holiday in Poland since 2025).
    assert got[("quarterly-review", "warsaw")] == [datetime(2026, 12, 23, 13, 0, tzinfo=UTC)]
    text = feed.decode()
    assert "EXDATE;TZID=Europe/Warsaw:20261225T140000" in text
    assert "RDATE;TZID=Europe/Warsaw:20261223T140000" in text


def test_first_friday_of_2027_moves_to_monday_and_skips_are_left_out(playbook: Playbook) -> None:
    feed = calendar_feed(playbook, None, NOW)
    got = expand(feed, datetime(2026, 12, 28, tzinfo=UTC), datetime(2027, 1, 9, tzinfo=UTC))
    assert got[("first-friday", "warsaw")] == [datetime(2027, 1, 4, 9, 0, tzinfo=UTC)]
    # New York: 1 January is a holiday there too; 10:00 EST is 15:00 UTC.
    assert got[("first-friday", "newyork")] == [datetime(2027, 1, 4, 15, 0, tzinfo=UTC)]
    # The playbook-wide check on the 1st skips New Year's Day altogether.
    assert ("month-start", "all") not in got


def test_a_move_onto_an_existing_occurrence_keeps_both(playbook: Playbook) -> None:
    """Wed 11 Nov 2026 is a holiday in Poland: its stand-up moves onto Tuesday's."""
    feed = calendar_feed(playbook, "warsaw", NOW)
    got = expand(feed, datetime(2026, 11, 10, tzinfo=UTC), datetime(2026, 11, 11, tzinfo=UTC))
    tuesday = datetime(2026, 11, 10, 7, 0, tzinfo=UTC)
    assert got[("daily-standup", "warsaw")] == [tuesday, tuesday]
    assert "UID:daily-standup-warsaw-2026-11-11@playbook" in feed.decode()


def test_event_carries_rule_time_zone_and_description(playbook: Playbook) -> None:
    calendar = icalendar.Calendar.from_ical(calendar_feed(playbook, None, NOW))
    assert str(calendar["X-WR-CALNAME"]) == "Calendar Test Playbook"
    assert str(calendar["VERSION"]) == "2.0"
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {
        "Europe/Warsaw",
        "America/New_York",
    }
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    kickoff = events["monday-kickoff-newyork@playbook"]
    assert str(kickoff["SUMMARY"]) == "Monday kick-off — New York pod"
    assert kickoff["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=MO"
    assert kickoff["DTSTART"].params["TZID"] == "America/New_York"
    # The first occurrence on or after tracking_since, in the team's zone.
    assert kickoff.start == datetime(2026, 3, 2, 9, 0, tzinfo=kickoff.start.tzinfo)
    assert kickoff["DURATION"].dt == timedelta(hours=1)
    description = str(kickoff["DESCRIPTION"])
    assert description.startswith("Look at the numbers while they can still be changed.")
    assert "- Compare the forecast with the target" in description
    assert "- Write notes (optional)" in description
    # One event per checklist × team, plus one for the playbook-wide checklist, plus one
    # onboarding (a person with a start date), plus the moved stand-ups that need their own.
    recurring = [uid for uid, e in events.items() if "RRULE" in e]
    assert len(recurring) == 13 * 2 + 1
    assert str(events["onboarding-sdr-jan@playbook"]["SUMMARY"]) == (
        "Sales Development Representative onboarding — Jan Nowak"
    )
    assert events["onboarding-sdr-jan@playbook"].start.date() == date(2026, 4, 20)


def test_team_filter_and_unknown_team(playbook: Playbook) -> None:
    calendar = icalendar.Calendar.from_ical(calendar_feed(playbook, "newyork", NOW))
    units_in_feed = {str(e["X-PLAYBOOK-UNIT"]) for e in calendar.walk("VEVENT")}
    assert units_in_feed == {"newyork"}
    assert str(calendar["X-WR-CALNAME"]) == "Calendar Test Playbook — New York pod"
    with pytest.raises(PlaybookError, match="unknown team 'newyrok'") as caught:
        calendar_feed(playbook, "newyrok", NOW)
    assert "did you mean 'newyork'?" in caught.value.render()


def test_feed_is_deterministic(playbook: Playbook) -> None:
    assert calendar_feed(playbook, None, NOW) == calendar_feed(playbook, None, NOW)


def test_without_tracking_since_the_feed_starts_eight_weeks_back(tmp_path: Path) -> None:
    playbook = load_playbook(write_playbook(tmp_path / "p", tracking_since=None))
    calendar = icalendar.Calendar.from_ical(calendar_feed(playbook, "warsaw", NOW))
    kickoff = next(
        e for e in calendar.walk("VEVENT") if str(e["UID"]) == "monday-kickoff-warsaw@playbook"
    )
    assert kickoff.start.date() == date(2026, 4, 20)  # the first Monday after 20 April
    first = date(2026, 4, 20)
    start = datetime.combine(first, time(0), kickoff.start.tzinfo)
    got = expand(calendar.to_ical(), start, start + SPAN)
    expected = ours(playbook, first, SPAN)
    for key in [("monday-kickoff", "warsaw"), ("quarterly-review", "warsaw")]:
        assert got[key] == expected[key]


def test_a_first_occurrence_on_a_holiday_is_moved_too(tmp_path: Path) -> None:
    """DTSTART itself on New Year's Day: the feed must exclude it, not show it."""
    playbook = load_playbook(write_playbook(tmp_path / "p", tracking_since=date(2026, 1, 1)))
    feed = calendar_feed(playbook, "warsaw", NOW)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    got = expand(feed, start - timedelta(days=1), start + timedelta(days=40))
    assert got[("first-friday", "warsaw")] == [
        datetime(2026, 1, 2, 9, 0, tzinfo=UTC),
        datetime(2026, 2, 6, 9, 0, tzinfo=UTC),
    ]
    assert "DTSTART;TZID=Europe/Warsaw:20260102T100000" in feed.decode()
    assert got[("monday-kickoff", "warsaw")][0] == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def test_a_finite_rule_ends_where_ours_ends(tmp_path: Path) -> None:
    """A rule that ends (UNTIL) ends on the same occurrence in the feed as in ours."""
    root = write_playbook(tmp_path / "p")
    (root / "checklists" / "counted.yml").write_text(
        checklist("FREQ=WEEKLY;BYDAY=WE;UNTIL=20430225T110000;BYHOUR=11"), encoding="utf-8"
    )
    playbook = load_playbook(root)
    feed = calendar_feed(playbook, "warsaw", NOW)
    assert "UNTIL=20430225T100000Z" in feed.decode()
    start, end = datetime(2043, 1, 1, tzinfo=UTC), datetime(2044, 1, 1, tzinfo=UTC)
    got = expand(feed, start, end)[("counted", "warsaw")]
    expected = ours(playbook, start.date(), end - start)[("counted", "warsaw")]
    assert got == expected
    assert got[-1] == datetime(2043, 2, 25, 10, 0, tzinfo=UTC)


# Every character RFC 5545 escapes in a TEXT value, non-ASCII letters that folding must not
# split, and a purpose far longer than one 75-octet line.
AWKWARD_TITLE = 'Przegląd; "pipeline", \\ zespołu — Łódź'
AWKWARD_PURPOSE = "Sprawdź, czy każda szansa ma następny krok; zażółć gęślą jaźń. " * 6


def test_text_values_are_escaped_and_folded_so_they_parse_back_as_written(
    tmp_path: Path,
) -> None:
    root = write_playbook(tmp_path / "playbook")
    awkward = checklist("every monday at 09:00", title=f"'{AWKWARD_TITLE}'").replace(
        "  Look at the numbers\n  while they can still be changed.", f"  {AWKWARD_PURPOSE}"
    )
    (root / "checklists" / "awkward.yml").write_text(awkward, encoding="utf-8")
    feed = calendar_feed(load_playbook(root), "warsaw", NOW)

    lines = feed.split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode("utf-8")  # no line was cut inside a character
    events = {
        str(e["X-PLAYBOOK-CHECKLIST"]): e for e in icalendar.Calendar.from_ical(feed).walk("VEVENT")
    }
    event = events["awkward"]
    assert str(event["SUMMARY"]) == f"{AWKWARD_TITLE} — Warsaw pod"
    assert str(event["DESCRIPTION"]).startswith(AWKWARD_PURPOSE.strip() + "\n\nNumbers:\n")
    assert event["UID"] == "awkward-warsaw@playbook"


def test_the_feeds_of_a_build_are_the_feeds_of_the_calendar_command(playbook: Playbook) -> None:
    from playbook.ical import calendar_feeds

    feeds = calendar_feeds(playbook, NOW)
    assert set(feeds) == {None, "warsaw", "newyork"}
    for team, feed in feeds.items():
        assert feed == calendar_feed(playbook, team, NOW)
