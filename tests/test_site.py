"""Real `mkdocs build --strict` runs of the sample playbook and of a fresh scaffold."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from playbook.cli import main
from playbook.schema import SCHEMAS, json_schema

from .sites import REPO, build


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(REPO / "mkdocs.yml", tmp_path_factory.mktemp("sample") / "site")


def _search_text(site: Path) -> str:
    index = json.loads((site / "search" / "search_index.json").read_text())
    return "\n".join(f"{doc['location']} {doc['title']} {doc['text']}" for doc in index["docs"])


def test_sample_site_has_a_page_per_role_and_checklist(sample_site: Path) -> None:
    for role in (REPO / "roles").glob("*.yml"):
        assert (sample_site / "roles" / role.stem / "index.html").is_file(), role.stem
    for checklist in (REPO / "checklists").glob("*.yml"):
        assert (sample_site / "checklists" / checklist.stem / "index.html").is_file()


def test_sample_site_has_onboarding_pages_for_the_core_roles(sample_site: Path) -> None:
    for role in (
        "sdr",
        "account-executive",
        "sales-specialist",
        "customer-success",
        "sales-manager",
    ):
        page = (sample_site / "onboarding" / role / "index.html").read_text()
        assert 'type="checkbox"' in page


def test_generated_pages_are_not_written_into_docs() -> None:
    assert not (REPO / "docs" / "roles").exists()
    assert not (REPO / "docs" / "checklists").exists()


def test_search_index_holds_role_titles_aliases_kpis_and_items(sample_site: Path) -> None:
    text = _search_text(sample_site)
    for needle in ("Sales Development Representative", "BDR", "qualified lead", "Win rate"):
        assert needle.lower() in text.lower(), needle


def test_home_page_draws_org_chart_funnel_and_handoffs(sample_site: Path) -> None:
    home = (sample_site / "index.html").read_text()
    assert home.count('class="mermaid"') >= 3  # org chart, funnel, hand-offs
    assert "playbook:org-chart" not in home


def test_checklist_page_shows_cadence_next_dates_and_rule(sample_site: Path) -> None:
    page = (sample_site / "checklists" / "quarterly-review" / "index.html").read_text()
    assert "the last Friday of each quarter" in page
    assert "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=-1FR" in page


def test_calendar_page_lists_the_weekly_kickoff(sample_site: Path) -> None:
    page = (sample_site / "calendar" / "index.html").read_text()
    assert page.count("monday-kickoff") >= 8


def test_tags_page_lists_roles_and_cadences(sample_site: Path) -> None:
    page = (sample_site / "tags" / "index.html").read_text()
    for tag in ("Role", "Weekly", "Quarterly", "Onboarding"):
        assert tag in page


def test_scaffold_builds_strictly(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "acme")])
    assert result.exit_code == 0, result.output
    site = build(tmp_path / "acme" / "mkdocs.yml", tmp_path / "site")
    assert (site / "roles" / "sdr" / "index.html").is_file()


def test_scaffold_files_carry_the_schema_modeline(tmp_path: Path) -> None:
    CliRunner().invoke(main, ["init", str(tmp_path / "acme")])
    for path in (tmp_path / "acme").glob("*/*.yml"):
        assert path.read_text().startswith("# yaml-language-server: $schema=../schemas/")


def test_committed_schemas_match_the_loader_schema() -> None:
    for kind in SCHEMAS:
        committed = json.loads((REPO / "schemas" / f"{kind}.schema.json").read_text())
        assert committed == json_schema(kind), f"run: playbook schema --out schemas ({kind})"


def test_failed_validation_writes_no_site(tmp_path: Path) -> None:
    CliRunner().invoke(main, ["init", str(tmp_path / "acme"), "--no-git"])
    (tmp_path / "acme" / "roles" / "sdr.yml").write_text("title: [broken\n")
    result = CliRunner().invoke(
        main, ["build", "-f", str(tmp_path / "acme" / "mkdocs.yml"), "-d", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert "roles/sdr.yml:1:" in result.output
    assert not (tmp_path / "out").exists()


def _record_texts() -> set[str]:
    """The notes, names, skip reasons and money values written in the sample's records."""
    from playbook.load import load_playbook
    from playbook.metrics import format_value

    checklists = load_playbook(REPO).checklists
    texts = set()
    for path in (REPO / "logs").rglob("*.yml"):
        record = yaml.safe_load(path.read_text())
        texts.add(record["by"].split("<")[0].strip())
        texts.update(filter(None, [record.get("note")]))
        texts.update(item["reason"] for item in record["items"] if item.get("reason"))
        metrics = {m.id: m for m in checklists[record["checklist"]].metrics}
        for metric_id, value in (record.get("metrics") or {}).items():
            if metrics[metric_id].type == "money":
                texts.add(format_value(metrics[metric_id], value))
    return texts


def test_search_index_holds_no_record_text(sample_site: Path) -> None:
    text = _search_text(sample_site)
    found = sorted(t for t in _record_texts() if t.lower() in text.lower())
    assert _record_texts() and found == []


def test_search_index_keeps_the_prose_of_checklist_pages(sample_site: Path) -> None:
    text = _search_text(sample_site)
    assert "Quarterly review and next quarter" in text
    assert "Analyse the market and the main competitors" in text


def test_history_shows_recorded_money_formatted(sample_site: Path) -> None:
    page = (sample_site / "checklists" / "friday-numbers" / "index.html").read_text()
    assert re.search(r"\d{1,3}(,\d{3})+\.\d\d EUR", page)


def test_search_index_has_no_history_calendar_week_progress_or_form_section(
    sample_site: Path,
) -> None:
    index = json.loads((sample_site / "search" / "search_index.json").read_text())
    locations = [doc["location"] for doc in index["docs"]]
    data_parts = ("#history", "#week-of-", "#progress-of-new-hires", "#record-this-checklist")
    assert [loc for loc in locations if any(part in loc for part in data_parts)] == []
    assert not any(loc.startswith("dashboard/") for loc in locations)
    # The per-team history subsections (#warsaw-pod, #saigon-pod) are excluded too.
    assert not any(loc.endswith(("-pod", "-pod_1")) for loc in locations)


def test_search_index_holds_no_date_of_the_data_parts(sample_site: Path) -> None:
    # History, next dates, the calendar and the dashboard all write moments this way.
    assert not re.search(r"\d\d \w{3} \d{4}, \d\d:\d\d", _search_text(sample_site))


def test_checklist_pages_carry_history_and_form_outside_markdown(sample_site: Path) -> None:
    page = (sample_site / "checklists" / "friday-numbers" / "index.html").read_text()
    assert "Latest occurrences" in page and "Warsaw pod" in page
    assert "playbook-html" not in page  # every fragment went back in its place
    assert 'data-spec="../../assets/playbook/forms/friday-numbers.json"' in page
    spec = json.loads((sample_site / "assets/playbook/forms/friday-numbers.json").read_text())
    assert {unit["id"] for unit in spec["units"]} == {"warsaw", "saigon"}


@pytest.fixture(scope="module")
def site_without_plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated pages built by plain MkDocs, as an engine without our plugin builds them."""
    from datetime import datetime

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from playbook.load import load_playbook
    from playbook.records import load_records
    from playbook.site.pages import render_files, render_site
    from playbook.status import RECENT, collect

    root = tmp_path_factory.mktemp("plain")
    playbook = load_playbook(REPO)
    now = datetime.fromisoformat("2026-12-01T09:00:00+01:00")
    summaries = collect(playbook, load_records(REPO).index(), now, recent=RECENT)
    written = {
        **{p.relative_to(REPO).as_posix(): p.read_text() for p in (REPO / "docs").rglob("*.md")},
        **{f"docs/{path}": text for path, text in render_site(playbook, now, summaries).items()},
        **{f"docs/{path}": text for path, text in render_files(playbook, now, summaries).items()},
    }
    for path, text in written.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    config = (REPO / "mkdocs.yml").read_text().replace("  - playbook\n", "")
    (root / "mkdocs.yml").write_text(config)
    mkdocs_build(load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site")))
    return root / "site"


def test_without_our_plugin_the_data_parts_render_and_stay_out_of_search(
    site_without_plugin: Path,
) -> None:
    page = (site_without_plugin / "checklists" / "monday-kickoff" / "index.html").read_text()
    assert "Latest occurrences" in page
    assert "<td>Good week: three proposals signed.</td>" in page
    text = _search_text(site_without_plugin)
    assert "Latest occurrences" not in text
    assert [t for t in _record_texts() if t.lower() in text.lower()] == []
    assert not re.search(r"\d\d \w{3} \d{4}, \d\d:\d\d", text)
