"""The role page of a job family: levels side by side, open KPI targets, conditioned steps."""

from __future__ import annotations

import pytest

from playbook.load import load_playbook
from playbook.site.pages import role_page

from .conftest import VALID_PLAYBOOK, MakePlaybook

FAMILY = """\
kpis:
  - name: Pipeline
    definition: Open pipeline
    unit: EUR
    cadence: monthly
  - name: Net ARR pipeline generated
    definition: New annual recurring revenue in qualified opportunities
    target: set per territory each quarter
    unit: EUR
    cadence: quarterly
levels:
  - id: sdr
    title: SDR
    requirements: [Three months of outbound calling]
  - id: senior-sdr
    title: Senior <b>SDR</b>
    requirements: [A year as an SDR | or two as a BDR]
career_path:
  - to: account-executive
    when: two quarters above 110 % of the pipeline target
"""


@pytest.fixture
def page(make_playbook: MakePlaybook) -> str:
    root = make_playbook({"roles/sdr.yml": VALID_PLAYBOOK["roles/sdr.yml"] + FAMILY})
    playbook = load_playbook(root)
    return role_page(playbook, playbook.roles["sdr"])


def test_levels_are_columns_of_one_table_titled_by_level(page: str) -> None:
    assert "|  | SDR | Senior &lt;b&gt;SDR&lt;/b&gt; |" in page


def test_each_level_column_shows_what_it_adds(page: str) -> None:
    assert (
        "| **Adds requirements** | Three months of outbound calling "
        "| A year as an SDR \\| or two as a BDR |"
    ) in page


def test_kpi_without_a_target_shows_a_dash(page: str) -> None:
    assert "| **Pipeline** | Open pipeline | — | monthly |" in page


def test_kpi_with_a_text_target_shows_it_as_written_with_its_unit(page: str) -> None:
    assert "| set per territory each quarter (EUR) |" in page


def test_career_step_shows_its_condition(page: str) -> None:
    assert (
        "- [Account Executive](account-executive.md) — when two quarters above 110 % "
        "of the pipeline target\n"
    ) in page
