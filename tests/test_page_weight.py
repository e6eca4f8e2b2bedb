"""Generated pages stay light: data is HTML from templates, and teams do not multiply it.

A checklist page carries one summary row per team and a bounded table of the
latest occurrences; the recording form's data (every team's recent occurrences)
is a JSON file of its own. Rendered from a real playbook with real record files.
"""

# Fixtures are parameters of the tests: that is not a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import gettext
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from playbook.i18n import SOURCE, activate
from playbook.load import load_playbook
from playbook.records import ItemState, Record, load_records
from playbook.site.pages import render_files, render_site
from playbook.site.templates import CLOSE, OPEN, lift, restore
from playbook.site.tracking import LATEST_ROWS
from playbook.status import RECENT, collect, occurrences, units

from .conftest import MakePlaybook, make_playbook  # noqa: F401
from .samples import settings

NOW = datetime.fromisoformat("2026-12-01T09:00:00+01:00")
CHECKLIST = "monday-kickoff"
PAGE = f"checklists/{CHECKLIST}.md"
NOTE = "<script>alert('note')</script> & more"


def _teams(count: int) -> str:
    return "tracking_since: 2026-06-01\nteams:\n" + "".join(
        f"  - id: team-{k}\n    name: Team {k}\n    timezone: Europe/Warsaw\n"
        f"    manager: boss-{k}\n    members:\n"
        f"      - {{id: boss-{k}, name: Boss {k}, email: boss{k}@example.com, role: sales-manager}}\n"
        for k in range(count)
    )


def _recorded(root: Path) -> Path:
    """Every Monday since tracking began recorded for every team, each with a note."""
    playbook = load_playbook(root)
    checklist = playbook.checklists[CHECKLIST]
    for unit in units(playbook, checklist):
        start = datetime(2026, 6, 1, tzinfo=unit.timezone)
        for occurrence in occurrences(checklist, unit, start, NOW):
            record = Record(
                checklist=CHECKLIST,
                unit=unit.id,
                occurrence=occurrence.key,
                due=occurrence.due,
                completed_at=occurrence.due + timedelta(hours=1),
                by=f"Boss of {unit.name} <boss@example.com>",
                complete=True,
                items=tuple(ItemState(item.id, item.text, True) for item in checklist.items),
                note=NOTE,
            )
            (root / record.path).parent.mkdir(parents=True, exist_ok=True)
            (root / record.path).write_text(record.to_yaml(), encoding="utf-8")
    return root


def _site(make_playbook: MakePlaybook, tmp_path: Path, teams: int) -> tuple[dict, dict]:
    root = make_playbook(
        {"playbook.yml": settings("Test Playbook", "timezone: Europe/Warsaw") + _teams(teams)},
        root=tmp_path / f"teams-{teams}",
    )
    playbook = load_playbook(_recorded(root))
    summaries = collect(playbook, load_records(root).index(), NOW, recent=RECENT)
    return render_site(playbook, NOW, summaries), render_files(playbook, NOW, summaries)


@pytest.fixture
def two_and_twenty(make_playbook: MakePlaybook, tmp_path: Path) -> tuple[tuple, tuple]:
    return _site(make_playbook, tmp_path, 2), _site(make_playbook, tmp_path, 20)


def _history(page: str) -> str:
    """The history section, in whatever language its heading is."""
    return page[page.lower().index("## history") :]


def test_a_checklist_page_grows_by_one_summary_row_per_team_not_by_its_occurrences(
    two_and_twenty: tuple[tuple, tuple],
) -> None:
    (two, _), (twenty, _) = two_and_twenty
    small, large = _history(two[PAGE]), _history(twenty[PAGE])
    per_team = (len(large) - len(small)) / 18
    assert per_team < 1000, f"{per_team:.0f} characters more per team"
    for history in (small, large):
        latest = history[history.index("Latest occurrences") :]
        assert latest.count("<tr><td>") == LATEST_ROWS


def test_the_form_data_of_every_team_is_a_file_of_its_own_not_in_the_page(
    two_and_twenty: tuple[tuple, tuple],
) -> None:
    _, (pages, files) = two_and_twenty
    spec = json.loads(files[f"assets/playbook/forms/{CHECKLIST}.json"])
    assert sorted(unit["id"] for unit in spec["units"]) == sorted(f"team-{k}" for k in range(20))
    assert all(unit["occurrences"] for unit in spec["units"])
    assert '"units"' not in pages[PAGE]
    assert f'data-spec="../../assets/playbook/forms/{CHECKLIST}.json"' in pages[PAGE]


def test_record_values_are_escaped_in_the_fragments(two_and_twenty: tuple[tuple, tuple]) -> None:
    (pages, _), _ = two_and_twenty
    history = _history(pages[PAGE])
    assert "&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt; &amp; more" in history
    assert "<script>" not in history


def test_every_fragment_is_lifted_out_of_the_markdown_and_restored_whole(
    two_and_twenty: tuple[tuple, tuple],
) -> None:
    (pages, _), _ = two_and_twenty
    markdown, fragments = lift(pages[PAGE])
    assert OPEN not in markdown and CLOSE not in markdown
    assert "<table>" not in markdown and "Latest occurrences" not in markdown
    restored = restore(markdown, fragments)
    assert restored == pages[PAGE].replace(OPEN + "\n", "").replace("\n" + CLOSE, "").replace(
        OPEN, ""
    ).replace(CLOSE, "")


class Shouting(gettext.NullTranslations):
    """A catalogue that translates every message into capitals, placeholders kept."""

    def gettext(self, message: str) -> str:
        parts = re.split(r"(\{\w+\}|%\(\w+\)s)", message)
        return "".join(part if n % 2 else part.upper() for n, part in enumerate(parts))

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.gettext(singular if count == 1 else plural)


def test_template_strings_go_through_the_active_catalogue(
    make_playbook: MakePlaybook, tmp_path: Path
) -> None:
    activate(Shouting())
    try:
        pages, _ = _site(make_playbook, tmp_path, 2)
    finally:
        activate(SOURCE)
    history = _history(pages[PAGE])
    assert "LATEST OCCURRENCES" in history and "ON TIME (90 D)" in history
    assert re.search(r"<td>Boss of Team 0</td>", history)  # values are never translated
