"""Who runs a checklist: some teams only, each person of some roles, a named owner."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from playbook.errors import PlaybookError
from playbook.load import load_playbook
from playbook.model import Playbook
from playbook.status import collect, occurrences, units

from .gitfixtures import WARSAW, write_playbook

ONE_ON_ONE = """\
title: Weekly 1:1
purpose: Each SDR meets their manager every week.
owners: [anna]
cadence: every tuesday at 10:00
scope: person
people: [sdr]
sections:
  - title: Talk
    items:
      - id: pipeline
        text: Walk through the SDR's pipeline
"""

SAIGON_ONLY = """\
title: Saigon stand-up
purpose: The Hanoi pod's own morning check.
owners: [sales-manager]
cadence: every working day at 08:30
timezone: Asia/Ho_Chi_Minh
teams: [hanoi]
sections:
  - title: Check
    items:
      - id: calls
        text: Yesterday's calls are logged
"""


def load(root: Path, files: dict[str, str]) -> Playbook:
    return load_playbook(write_playbook(root, files))


def test_a_checklist_limited_to_some_teams_runs_only_for_them(tmp_path: Path) -> None:
    playbook = load(tmp_path, {"checklists/standup.yml": SAIGON_ONLY})

    assert [u.id for u in units(playbook, playbook.checklists["standup"])] == ["hanoi"]


def test_an_unknown_team_in_teams_is_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError, match=r"team 'saigon' is not in playbook\.yml"):
        load(tmp_path, {"checklists/standup.yml": SAIGON_ONLY.replace("[hanoi]", "[saigon]")})


def test_a_recurring_checklist_per_person_gives_each_member_of_the_roles_a_series(
    tmp_path: Path,
) -> None:
    playbook = load(tmp_path, {"checklists/one-on-one.yml": ONE_ON_ONE})
    checklist = playbook.checklists["one-on-one"]

    [piotr] = units(playbook, checklist)  # the SDR, not the sales manager

    found = occurrences(
        checklist, piotr, datetime(2026, 11, 1, tzinfo=WARSAW), datetime(2026, 12, 1, tzinfo=WARSAW)
    )
    # Piotr started on Monday 16 November: his first 1:1 is the next day.
    assert [o.key for o in found] == [date(2026, 11, 17), date(2026, 11, 24)]


def test_status_shows_one_row_per_person(tmp_path: Path) -> None:
    playbook = load(tmp_path, {"checklists/one-on-one.yml": ONE_ON_ONE})

    rows = collect(playbook, {}, datetime(2026, 11, 25, tzinfo=WARSAW), checklist_id="one-on-one")

    assert [(row.unit.kind, row.unit.id) for row in rows] == [("person", "piotr")]
    assert [o.occurrence.key for o in rows[0].open] == [date(2026, 11, 24)]


def test_a_recurring_checklist_per_person_must_name_the_roles(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError, match="must say whose: people is missing"):
        load(tmp_path, {"checklists/one-on-one.yml": ONE_ON_ONE.replace("people: [sdr]\n", "")})


def test_a_person_can_own_a_checklist(tmp_path: Path) -> None:
    playbook = load(tmp_path, {"checklists/one-on-one.yml": ONE_ON_ONE})

    assert playbook.checklists["one-on-one"].owners == ("anna",)


AE_ONE_ON_ONE = """\
title: Account executive 1:1
purpose: Each account executive meets the pod's manager every other week.
owners: [katarzyna-wisniewska]
cadence: every other week on tuesday at 11:00
starts: 2026-09-01
scope: person
people: [account-executive]
teams: [warsaw]
sections:
  - title: Deals
    items:
      - id: deals
        text: Walk through every open deal
"""


def test_per_person_and_per_team_checklists_build_and_name_their_owner(tmp_path: Path) -> None:
    import shutil

    from .sites import REPO, build

    root = tmp_path / "playbook"
    root.mkdir()
    for name in ("playbook.yml", "mkdocs.yml"):
        shutil.copy(REPO / name, root / name)
    for folder in ("roles", "checklists", "docs", "logs"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "checklists" / "ae-one-on-one.yml").write_text(AE_ONE_ON_ONE)

    site = build(root / "mkdocs.yml", tmp_path / "site")

    page = (site / "checklists" / "ae-one-on-one" / "index.html").read_text()
    assert "Katarzyna Wiśniewska" in page
    assert "every 2 weeks on Tuesday at 11:00, from 1 September 2026" in page
    assert "Piotr Zieliński" in page or "piotr-zielinski" in page  # his own series
    assert "Lê Hoàng Anh" not in page  # the Saigon pod's account executive has none
    manager = (site / "roles" / "sales-manager" / "index.html").read_text()
    assert "Account executive 1:1" in manager
