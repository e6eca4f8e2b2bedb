"""What a valid playbook loads into: text kept as written, derived checklists, defaults, lines."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from playbook import yamlread
from playbook.errors import Location, PlaybookError
from playbook.load import load_playbook, source_files
from playbook.model import Playbook
from playbook.schema import CHECKLIST, ROLE
from playbook.yamlread import read_document

from .conftest import VALID_PLAYBOOK, MakePlaybook

KICKOFF = "checklists/monday-kickoff.yml"


def _checklist(text: str) -> dict[str, str]:
    """The valid kick-off checklist with `text` appended (later keys are new keys)."""
    return {KICKOFF: VALID_PLAYBOOK[KICKOFF] + text}


@pytest.fixture
def playbook(make_playbook: MakePlaybook) -> Playbook:
    return load_playbook(make_playbook())


# The valid playbook as a whole


def test_valid_playbook_loads_every_role(playbook: Playbook) -> None:
    assert sorted(playbook.roles) == ["account-executive", "sales-manager", "sdr"]


def test_valid_playbook_loads_written_and_derived_checklists(playbook: Playbook) -> None:
    assert sorted(playbook.checklists) == ["monday-kickoff", "onboarding-sdr"]


def test_playbook_settings_are_read(playbook: Playbook) -> None:
    assert playbook.title == "Test Playbook"
    assert playbook.timezone == ZoneInfo("Europe/Warsaw")
    assert [stage.id for stage in playbook.funnel] == ["prospecting", "closing"]


def test_source_files_are_settings_roles_and_checklists(make_playbook: MakePlaybook) -> None:
    root = make_playbook()
    assert [path.relative_to(root).as_posix() for path in source_files(root)] == [
        "playbook.yml",
        "roles/account-executive.yml",
        "roles/sales-manager.yml",
        "roles/sdr.yml",
        "checklists/monday-kickoff.yml",
    ]


def test_yaml_extension_is_read_like_yml(make_playbook: MakePlaybook) -> None:
    root = make_playbook({"roles/sdr.yml": None, "roles/sdr.yaml": VALID_PLAYBOOK["roles/sdr.yml"]})
    assert load_playbook(root).roles["sdr"].source == "roles/sdr.yaml"


# YAML 1.1 traps: a string field holds the text as written


def test_checklist_title_no_stays_the_word_no(make_playbook: MakePlaybook) -> None:
    text = VALID_PLAYBOOK[KICKOFF].replace("title: Monday kick-off", "title: no")
    playbook = load_playbook(make_playbook({KICKOFF: text}))
    assert playbook.checklists["monday-kickoff"].title == "no"


def test_cadence_at_16_00_keeps_its_time_of_day(make_playbook: MakePlaybook) -> None:
    text = VALID_PLAYBOOK[KICKOFF].replace("every monday at 09:00", "every friday at 16:00")
    cadence = load_playbook(make_playbook({KICKOFF: text})).checklists["monday-kickoff"].cadence
    assert cadence.at == time(16, 0)
    assert cadence.words() == "every Friday at 16:00"


def test_sexagesimal_looking_item_text_stays_text(make_playbook: MakePlaybook) -> None:
    text = VALID_PLAYBOOK[KICKOFF].replace("text: Every open deal has a next step", "text: 12:30")
    playbook = load_playbook(make_playbook({KICKOFF: text}))
    assert playbook.checklists["monday-kickoff"].items[0].text == "12:30"


def test_yes_no_on_off_aliases_stay_words(make_playbook: MakePlaybook) -> None:
    text = VALID_PLAYBOOK["roles/sdr.yml"].replace("[SDR, BDR]", "[yes, no, on, off, NO]")
    playbook = load_playbook(make_playbook({"roles/sdr.yml": text}))
    assert playbook.roles["sdr"].aliases == ("yes", "no", "on", "off", "NO")


def test_kpi_target_with_a_leading_zero_is_decimal_not_octal(make_playbook: MakePlaybook) -> None:
    kpi = """\
kpis:
  - name: Calls
    definition: Calls made
    target: 01234
    unit: calls
    cadence: weekly
  - name: Meetings
    definition: Meetings booked
    target: 20-25
    unit: meetings
    cadence: monthly
"""
    role = load_playbook(make_playbook({"roles/sdr.yml": VALID_PLAYBOOK["roles/sdr.yml"] + kpi}))
    assert [kpi.target for kpi in role.roles["sdr"].kpis] == [1234, "20-25"]


def test_tab_after_a_colon_reads_the_same_with_and_without_libyaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PyYAML's pure-Python loader refuses `title:<TAB>x` and libyaml accepts it: the same
    # file must not be valid on one machine and broken on the next.
    path = tmp_path / "sdr.yml"
    path.write_text(VALID_PLAYBOOK["roles/sdr.yml"].replace("title: ", "title:\t"))
    outcomes = []
    for loader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        monkeypatch.setattr(yamlread, "Loader", loader)
        document, problems = read_document(path, "roles/sdr.yml", ROLE)
        outcomes.append((document and document.data, [problem.message for problem in problems]))
    assert outcomes[0] == outcomes[1]


# Roles and checklists cross-referenced


def test_checklists_owned_by_a_role_are_derived_from_checklist_owners(playbook: Playbook) -> None:
    owned = [checklist.id for checklist in playbook.checklists_owned_by("sales-manager")]
    assert owned == ["monday-kickoff", "onboarding-sdr"]


def test_a_role_that_owns_no_checklist_owns_an_empty_list(playbook: Playbook) -> None:
    assert playbook.checklists_owned_by("account-executive") == []


def test_reports_lists_the_roles_that_report_to_a_role(playbook: Playbook) -> None:
    assert [role.id for role in playbook.reports("sales-manager")] == ["account-executive", "sdr"]


def test_handoffs_into_a_role_name_the_sending_role(playbook: Playbook) -> None:
    [(sender, handoff)] = playbook.handoffs_into("account-executive")
    assert sender.id == "sdr"
    assert handoff.when == "qualified lead"
    assert handoff.criteria == ("Need confirmed",)


def test_stage_owners_are_the_roles_that_list_the_stage(playbook: Playbook) -> None:
    assert [role.id for role in playbook.stage_owners("prospecting")] == ["sdr"]
    assert playbook.stage_owners("closing") == []


# An onboarding plan becomes a checklist


def test_onboarding_plan_becomes_checklist_onboarding_role(playbook: Playbook) -> None:
    checklist = playbook.checklists["onboarding-sdr"]
    assert checklist.onboarding_for == "sdr"
    assert checklist.source == "roles/sdr.yml"
    assert [section.title for section in checklist.sections] == ["First week"]
    assert [item.id for item in checklist.items] == ["crm-access"]


def test_onboarding_checklist_recurs_once_per_person(playbook: Playbook) -> None:
    cadence = playbook.checklists["onboarding-sdr"].cadence
    assert cadence.per_person
    assert cadence.words() == "once for each new person, counted from their start date"


def test_onboarding_checklist_is_owned_by_the_roles_manager(playbook: Playbook) -> None:
    assert playbook.checklists["onboarding-sdr"].owners == ("sales-manager",)


def test_onboarding_of_a_role_without_manager_is_owned_by_the_role(
    make_playbook: MakePlaybook,
) -> None:
    plan = "onboarding:\n  - phase: First day\n    due: 1d\n    tasks:\n      - {id: crm, text: Log in}\n"
    manager = VALID_PLAYBOOK["roles/sales-manager.yml"] + plan
    playbook = load_playbook(make_playbook({"roles/sales-manager.yml": manager}))
    assert playbook.checklists["onboarding-sales-manager"].owners == ("sales-manager",)


def test_roles_without_onboarding_plan_get_no_onboarding_checklist(playbook: Playbook) -> None:
    assert "onboarding-account-executive" not in playbook.checklists


# Defaults


def test_checklist_time_zone_defaults_to_the_playbooks(playbook: Playbook) -> None:
    assert playbook.checklists["monday-kickoff"].timezone == ZoneInfo("Europe/Warsaw")


def test_checklist_time_zone_can_be_set_per_checklist(make_playbook: MakePlaybook) -> None:
    playbook = load_playbook(make_playbook(_checklist("timezone: Asia/Ho_Chi_Minh\n")))
    assert playbook.checklists["monday-kickoff"].timezone == ZoneInfo("Asia/Ho_Chi_Minh")


def test_onboarding_checklist_uses_the_playbooks_time_zone(playbook: Playbook) -> None:
    assert playbook.checklists["onboarding-sdr"].timezone == ZoneInfo("Europe/Warsaw")


def test_late_after_defaults_to_one_day(playbook: Playbook) -> None:
    assert playbook.late_after == timedelta(days=1)
    assert playbook.checklists["monday-kickoff"].late_after == timedelta(days=1)


def test_checklist_late_after_inherits_the_playbooks(make_playbook: MakePlaybook) -> None:
    settings = VALID_PLAYBOOK["playbook.yml"] + "late_after: 2h\n"
    playbook = load_playbook(make_playbook({"playbook.yml": settings}))
    assert playbook.checklists["monday-kickoff"].late_after == timedelta(hours=2)
    assert playbook.checklists["onboarding-sdr"].late_after == timedelta(hours=2)


def test_checklist_late_after_overrides_the_playbooks(make_playbook: MakePlaybook) -> None:
    playbook = load_playbook(make_playbook(_checklist("late_after: 30min\n")))
    assert playbook.checklists["monday-kickoff"].late_after == timedelta(minutes=30)


def test_items_are_required_unless_marked_otherwise(make_playbook: MakePlaybook) -> None:
    extra = "      - id: coaching\n        text: Coach one call\n        required: false\n"
    checklist = load_playbook(make_playbook(_checklist(extra))).checklists["monday-kickoff"]
    assert [(item.id, item.required) for item in checklist.items] == [
        ("next-steps", True),
        ("coaching", False),
    ]


def test_role_family_defaults_to_sales(playbook: Playbook) -> None:
    assert playbook.roles["sdr"].family == "sales"


def test_role_lists_are_read_as_tuples(playbook: Playbook) -> None:
    sdr = playbook.roles["sdr"]
    assert sdr.aliases == ("SDR", "BDR")
    assert sdr.funnel_stages == ("prospecting",)
    assert sdr.career_path == ()


# Problems: all of them, raised once


def test_every_problem_in_every_file_is_raised_together(make_playbook: MakePlaybook) -> None:
    root = make_playbook(
        {
            "roles/sdr.yml": VALID_PLAYBOOK["roles/sdr.yml"] + "familly: sales\n",
            KICKOFF: VALID_PLAYBOOK[KICKOFF] + "late_after: soon\n",
        }
    )
    with pytest.raises(PlaybookError) as raised:
        load_playbook(root)
    assert sorted(problem.location.file for problem in raised.value.problems) == [
        KICKOFF,
        "roles/sdr.yml",
    ]


def test_problems_render_sorted_by_file_and_line(make_playbook: MakePlaybook) -> None:
    root = make_playbook(
        {
            "roles/sdr.yml": "unknown: 1\n" + VALID_PLAYBOOK["roles/sdr.yml"],
            "roles/account-executive.yml": VALID_PLAYBOOK["roles/account-executive.yml"] + "x: 1\n",
        }
    )
    with pytest.raises(PlaybookError) as raised:
        load_playbook(root)
    firsts = [line for line in raised.value.render().splitlines() if not line.startswith(" ")]
    assert firsts == [
        "roles/account-executive.yml:7:1: unknown key 'x' (at x)",
        "roles/sdr.yml:1:1: unknown key 'unknown' (at unknown)",
    ]


# Document.at: every key path has a line


@pytest.fixture
def kickoff_document(make_playbook: MakePlaybook) -> yamlread.Document:
    root = make_playbook()
    document, problems = read_document(root / KICKOFF, KICKOFF, CHECKLIST)
    assert problems == []
    assert document is not None
    return document


def test_document_at_gives_the_line_and_column_of_a_value(
    kickoff_document: yamlread.Document,
) -> None:
    assert kickoff_document.at("cadence") == Location(KICKOFF, 4, 10)


def test_document_at_follows_list_indexes(kickoff_document: yamlread.Document) -> None:
    assert kickoff_document.at("sections", 0, "items", 0, "id") == Location(KICKOFF, 8, 13)


def test_document_at_falls_back_to_the_nearest_located_parent(
    kickoff_document: yamlread.Document,
) -> None:
    assert kickoff_document.at("sections", 0, "items", 7, "id") == Location(KICKOFF, 8, 7)


def test_document_at_without_a_key_path_is_the_start_of_the_file(
    kickoff_document: yamlread.Document,
) -> None:
    assert kickoff_document.at() == Location(KICKOFF, 1, 1)


def test_document_keeps_the_values_as_data(kickoff_document: yamlread.Document) -> None:
    assert kickoff_document.data["owners"] == ["sales-manager"]
    assert kickoff_document.data["cadence"] == "every monday at 09:00"


@pytest.mark.parametrize(
    ("zone", "warning"),
    [
        ("Asia/Saigon", "Asia/Saigon is an old name for Asia/Ho_Chi_Minh: write Asia/Ho_Chi_Minh"),
        ("US/Central", "US/Central is an old name for America/Chicago"),
        ("Europe/Kiev", "Europe/Kiev is an old name for Europe/Kyiv"),
        ("Etc/GMT+7", "Etc/GMT+7 is UTC-7, not UTC+7 (POSIX inverts the sign)"),
    ],
)
def test_a_legacy_or_inverted_zone_loads_with_a_located_warning(
    make_playbook: MakePlaybook, zone: str, warning: str
) -> None:
    from .samples import settings

    root = make_playbook(
        {
            "playbook.yml": settings(
                "Test Playbook", f"timezone: {zone}", stages=("prospecting", "closing")
            )
        }
    )

    playbook = load_playbook(root)

    [found] = playbook.warnings
    assert found.message.startswith(warning)
    assert found.location.file == "playbook.yml" and found.location.line > 0


# Job families: levels, requirements, open targets, career steps with conditions

LEVELS = """\
requirements: [Fluent English]
kpis:
  - name: Qualified leads
    definition: Leads accepted by an account executive
    target: 25
    unit: leads
    cadence: monthly
levels:
  - id: sdr
    title: SDR
    requirements: [Three months of outbound calling]
  - id: senior-sdr
    title: Senior SDR
    requirements: [A year as an SDR]
    kpis:
      - name: Net ARR pipeline generated
        definition: New annual recurring revenue in qualified opportunities
        target: set per territory each quarter
        unit: EUR
        cadence: quarterly
  - id: team-lead
    title: SDR team lead
    reports_to: account-executive
    responsibilities:
      - area: Team
        items: [Coach the SDRs]
"""


@pytest.fixture
def family(make_playbook: MakePlaybook) -> Playbook:
    return load_playbook(make_playbook({"roles/sdr.yml": VALID_PLAYBOOK["roles/sdr.yml"] + LEVELS}))


def test_role_levels_are_read_in_order(family: Playbook) -> None:
    assert [level.title for level in family.roles["sdr"].levels] == [
        "SDR",
        "Senior SDR",
        "SDR team lead",
    ]


def test_role_requirements_are_read(family: Playbook) -> None:
    assert family.roles["sdr"].requirements == ("Fluent English",)


def test_a_level_holds_the_requirements_of_the_role_and_of_every_level_before(
    family: Playbook,
) -> None:
    assert family.roles["sdr"].at_level("senior-sdr").requirements == (
        "Fluent English",
        "Three months of outbound calling",
        "A year as an SDR",
    )


def test_a_level_holds_the_kpis_of_the_role_and_of_every_level_before(family: Playbook) -> None:
    kpis = family.roles["sdr"].at_level("team-lead").kpis
    assert [kpi.name for kpi in kpis] == ["Qualified leads", "Net ARR pipeline generated"]


def test_a_level_adds_its_responsibilities_after_the_roles(family: Playbook) -> None:
    groups = family.roles["sdr"].at_level("team-lead").responsibilities
    assert [group.area for group in groups] == ["Prospecting", "Team"]


def test_a_level_reports_to_the_roles_manager_unless_it_names_its_own(family: Playbook) -> None:
    sdr = family.roles["sdr"]
    assert sdr.at_level("senior-sdr").reports_to == "sales-manager"
    assert sdr.at_level("team-lead").reports_to == "account-executive"


def test_kpi_target_may_be_text(family: Playbook) -> None:
    kpi = family.roles["sdr"].levels[1].kpis[0]
    assert kpi.target == "set per territory each quarter"


def test_kpi_target_may_be_left_out(make_playbook: MakePlaybook) -> None:
    kpi = """\
kpis:
  - name: Pipeline
    definition: Open pipeline
    unit: EUR
    cadence: monthly
"""
    role = load_playbook(make_playbook({"roles/sdr.yml": VALID_PLAYBOOK["roles/sdr.yml"] + kpi}))
    assert role.roles["sdr"].kpis[0].target is None


def test_career_path_takes_role_ids_and_steps_with_a_condition(make_playbook: MakePlaybook) -> None:
    steps = """\
career_path:
  - sales-manager
  - to: account-executive
    when: two quarters above 110 % of the pipeline target
"""
    root = make_playbook({"roles/sdr.yml": VALID_PLAYBOOK["roles/sdr.yml"] + steps})
    sdr = load_playbook(root).roles["sdr"]
    assert [(step.to, step.condition) for step in sdr.career_path] == [
        ("sales-manager", ""),
        ("account-executive", "two quarters above 110 % of the pipeline target"),
    ]


def test_career_sources_count_steps_with_a_condition(make_playbook: MakePlaybook) -> None:
    steps = "career_path:\n  - to: account-executive\n    when: after a year\n"
    root = make_playbook({"roles/sdr.yml": VALID_PLAYBOOK["roles/sdr.yml"] + steps})
    playbook = load_playbook(root)
    assert playbook.career_sources("account-executive") == [playbook.roles["sdr"]]
