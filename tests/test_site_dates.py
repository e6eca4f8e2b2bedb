"""The built sample site shows the dates `playbook status` and the calendar feeds show.

One occurrence engine: the calendar page, a checklist's "Next dates" and the
feeds all apply each team's zone and holidays (Warsaw's Q4 2026 review moves
from Christmas Day to Wednesday 23 December; Saigon's does not).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from playbook.cli import main
from playbook.clock import ENV as BUILD_TIME
from playbook.load import load_playbook
from playbook.model import Playbook

from .sites import REPO, build

BUILT = "2026-12-01T09:00:00+01:00"
WINDOW = timedelta(weeks=8)  # the calendar page's span


class Rows(HTMLParser):
    """The text of every table row's cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _rows(page: Path) -> list[list[str]]:
    parser = Rows()
    parser.feed(page.read_text())
    return [row for row in parser.rows if row]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(BUILD_TIME, BUILT)
        return build(REPO / "mkdocs.yml", tmp_path_factory.mktemp("dates") / "site")


@pytest.fixture(scope="module")
def status() -> dict[tuple[str, str], dict[str, object]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)  # as a user runs it, in the playbook folder
        result = CliRunner().invoke(main, ["status", "--format", "json", "--as-of", BUILT])
    assert result.exit_code == 0, result.output
    return {(c["checklist"], c["unit"]): c for c in json.loads(result.stdout)["checklists"]}


def _calendar(site: Path) -> set[tuple[str, str, str]]:
    """(when, checklist title, for whom) of every row of the calendar page."""
    return {(when, title, whom) for when, title, whom, _ in _rows(site / "calendar/index.html")}


def _names(playbook: Playbook) -> dict[str, str]:
    """How the calendar's "For" column names each unit."""
    names = {"all": "everyone"} | {t.id: t.name for t in playbook.teams.values()}
    return names | {p.id: p.name for p in playbook.people.values()}


def test_warsaws_next_quarterly_review_is_the_day_status_names(site: Path, status: dict) -> None:
    assert status[("quarterly-review", "warsaw")]["next_due"] == "2026-12-23T14:00:00+01:00"
    facts = dict(
        row for row in _rows(site / "checklists/quarterly-review/index.html") if len(row) == 2
    )
    warsaw, saigon = facts["Next dates"].split("Saigon pod:")
    assert warsaw.split("\n")[:2] == [
        "Warsaw pod:",
        "Wed 23 Dec 2026, 14:00 — moved from Fri 25 Dec, Christmas Day",
    ]
    assert saigon.split("\n")[1] == "Fri 25 Dec 2026, 14:00"


def test_the_calendar_holds_every_next_due_date_of_status(site: Path, status: dict) -> None:
    playbook = load_playbook(REPO)
    built = datetime.fromisoformat(BUILT)
    names = _names(playbook)
    calendar = _calendar(site)
    expected = set()
    for (checklist_id, unit), summary in status.items():
        if not summary["next_due"]:
            continue
        due = datetime.fromisoformat(summary["next_due"])
        if due >= built.replace(hour=0) + WINDOW:
            continue
        zone = playbook.teams[unit].timezone if unit in playbook.teams else due.tzinfo
        when = due.astimezone(zone)
        title = playbook.checklists[checklist_id].title
        expected.add((f"{when:%a %d %b %Y, %H:%M}", title, names[unit]))
    shown = {(when[:22], title, whom) for when, title, whom in calendar}
    # A row shared by every team reads "everyone"; one per team names the team.
    missing = {
        row for row in expected if row not in shown and (row[0], row[1], "everyone") not in shown
    }
    assert expected and not missing


def test_the_calendar_page_agrees_with_warsaws_feed(site: Path) -> None:
    import icalendar
    import recurring_ical_events

    playbook = load_playbook(REPO)
    names = _names(playbook)
    warsaw = playbook.teams["warsaw"]
    feed = icalendar.Calendar.from_ical((site / "calendar-warsaw.ics").read_bytes())
    start = datetime.fromisoformat(BUILT).replace(hour=0)
    events = recurring_ical_events.of(feed).between(start, start + WINDOW)
    calendar = _calendar(site)
    assert events
    for event in events:
        checklist = playbook.checklists[str(event["x-playbook-checklist"])]
        whom = names[str(event["x-playbook-unit"])]
        when = f"{event['dtstart'].dt.astimezone(warsaw.timezone):%a %d %b %Y, %H:%M}"
        matches = [
            row
            for row in calendar
            if row[0][:22] == when and row[1] == checklist.title and row[2] in ("everyone", whom)
        ]
        assert matches, (when, checklist.id)
