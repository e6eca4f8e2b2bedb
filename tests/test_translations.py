"""Translations of roles, checklists and pages: checked against their source, stale when it changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from playbook.cli import main
from playbook.errors import PlaybookError
from playbook.load import load_playbook
from playbook.translations import blob_id

from .conftest import VALID_PLAYBOOK, MakePlaybook
from .samples import MONDAY_KICKOFF

KICKOFF_PL = "translations/pl/checklists/monday-kickoff.yml"
SDR_PL = "translations/pl/roles/sdr.yml"
INDEX_PL = "docs/index.pl.md"


def _made_from(source: str) -> str:
    return f"translated_from: {blob_id(VALID_PLAYBOOK[source].encode())}\n"


KICKOFF_TRANSLATION = (
    _made_from("checklists/monday-kickoff.yml")
    + """\
title: Poniedziałkowy start tygodnia
purpose: Zaczynamy tydzień z uporządkowanym lejkiem sprzedaży.
sections:
  - title: Lejek
    items:
      - id: next-steps
        text: Każda otwarta szansa sprzedaży ma następny krok
"""
)


def _settings(*lines: str) -> str:
    return VALID_PLAYBOOK["playbook.yml"].replace(
        "timezone: Europe/Warsaw\n", "timezone: Europe/Warsaw\n" + "".join(f"{x}\n" for x in lines)
    )


@pytest.fixture
def bilingual(make_playbook: MakePlaybook) -> MakePlaybook:
    """The valid playbook in English and Polish, with its Monday kick-off translated."""

    def make(files: dict[str, str | None] | None = None) -> Path:
        return make_playbook(
            {
                "playbook.yml": _settings("languages: [en, pl]"),
                KICKOFF_PL: KICKOFF_TRANSLATION,
                **(files or {}),
            }
        )

    return make


def _problems(root: Path) -> list[str]:
    with pytest.raises(PlaybookError) as caught:
        load_playbook(root)
    return [problem.render() for problem in caught.value.problems]


def test_a_translation_gives_the_checklist_its_text_and_keeps_its_ids(
    bilingual: MakePlaybook,
) -> None:
    playbook = load_playbook(bilingual())
    polish = playbook.in_language("pl").checklists["monday-kickoff"]
    assert polish.title == "Poniedziałkowy start tygodnia"
    assert [(i.id, i.text) for i in polish.items] == [
        ("next-steps", "Każda otwarta szansa sprzedaży ma następny krok")
    ]
    assert polish.cadence == playbook.checklists["monday-kickoff"].cadence
    assert playbook.in_language("en").checklists["monday-kickoff"].title == "Monday kick-off"


def test_an_untranslated_role_keeps_its_source_text(bilingual: MakePlaybook) -> None:
    playbook = load_playbook(bilingual())
    assert playbook.in_language("pl").roles["sdr"].title == "Sales Development Representative"


def test_an_unknown_item_id_is_located_with_the_ids_of_the_source(bilingual: MakePlaybook) -> None:
    root = bilingual({KICKOFF_PL: KICKOFF_TRANSLATION.replace("id: next-steps", "id: next-step")})
    assert _problems(root) == [
        f"{KICKOFF_PL}:7:13: unknown id 'next-step': the source has no such entry "
        "(at sections[0].items[0].id)\n    hint: ids in the source: next-steps"
    ]


def test_a_missing_required_text_is_located(bilingual: MakePlaybook) -> None:
    untitled = KICKOFF_TRANSLATION.replace("  - title: Lejek\n    items:", "  - items:")
    [problem] = _problems(bilingual({KICKOFF_PL: untitled}))
    assert problem.startswith(f"{KICKOFF_PL}:5:5: missing required key 'title'")


def test_a_field_that_is_not_text_cannot_be_translated(bilingual: MakePlaybook) -> None:
    root = bilingual({KICKOFF_PL: KICKOFF_TRANSLATION + "cadence: w każdy poniedziałek\n"})
    [problem] = _problems(root)
    assert problem.startswith(f"{KICKOFF_PL}:9:1: unknown key 'cadence'")


def test_a_list_matched_by_position_must_have_the_sources_length(
    bilingual: MakePlaybook,
) -> None:
    extra = "  - title: Druga sekcja\n    items: []\n"
    [problem] = _problems(bilingual({KICKOFF_PL: KICKOFF_TRANSLATION + extra}))
    assert problem.startswith(f"{KICKOFF_PL}:5:3: 2 entries here, the source has 1")


def test_a_translation_of_a_file_that_does_not_exist_is_an_error(
    bilingual: MakePlaybook,
) -> None:
    root = bilingual({"translations/pl/checklists/friday.yml": KICKOFF_TRANSLATION})
    [problem] = _problems(root)
    assert problem == (
        "translations/pl/checklists/friday.yml:1:1: there is no checklists/friday.yml to "
        "translate\n    hint: name the file after a source file; checklists: monday-kickoff"
    )


def test_a_translation_must_say_what_it_was_made_from(bilingual: MakePlaybook) -> None:
    root = bilingual({KICKOFF_PL: KICKOFF_TRANSLATION.split("\n", 1)[1]})
    [problem] = _problems(root)
    assert problem.startswith(f"{KICKOFF_PL}:1:1: missing required key 'translated_from'")


def test_a_page_translation_without_its_source_version_is_an_error(
    bilingual: MakePlaybook,
) -> None:
    [problem] = _problems(bilingual({INDEX_PL: "# Podręcznik\n"}))
    assert problem.startswith(
        f"{INDEX_PL}:1:1: the page does not say which version of its source it translates"
    )
    assert f"translated_from: {blob_id(b'# Test Playbook' + bytes([10]))}" in problem


def test_language_must_be_the_first_of_languages(make_playbook: MakePlaybook) -> None:
    root = make_playbook({"playbook.yml": _settings("language: pl", "languages: [en, pl]")})
    [problem] = _problems(root)
    assert "language is 'pl' but languages starts with 'en'" in problem


def test_a_changed_source_makes_its_translation_stale_in_validate(
    bilingual: MakePlaybook, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = bilingual({"checklists/monday-kickoff.yml": MONDAY_KICKOFF + "        help: New.\n"})
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert (
        f"warning: {KICKOFF_PL}:1:18: this translation was made from an older "
        "checklists/monday-kickoff.yml: the source changed since (at translated_from)"
    ) in result.output


def test_a_stale_page_is_flagged(bilingual: MakePlaybook) -> None:
    made_from = blob_id(b"# An older home page\n")
    root = bilingual({INDEX_PL: f"---\ntranslated_from: {made_from}\n---\n# Podręcznik\n"})
    playbook = load_playbook(root)
    [warning] = playbook.warnings
    assert warning.location.file == INDEX_PL and warning.location.line == 2
    assert "made from an older docs/index.md" in warning.message


@pytest.mark.parametrize("where", [".", "roles"])
def test_translations_lists_what_is_missing_and_stale_per_language(
    bilingual: MakePlaybook, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    root = bilingual({"checklists/monday-kickoff.yml": MONDAY_KICKOFF + "        help: New.\n"})
    monkeypatch.chdir(root / where)
    result = CliRunner().invoke(main, ["translations"])
    assert result.exit_code == 0, result.output
    now = blob_id((root / "checklists" / "monday-kickoff.yml").read_bytes())
    assert result.output.splitlines() == [
        "pl: 0 of 5 files translated",
        "  missing  roles/account-executive.yml (write translations/pl/roles/account-executive.yml)",
        "  missing  roles/sales-manager.yml (write translations/pl/roles/sales-manager.yml)",
        "  missing  roles/sdr.yml (write translations/pl/roles/sdr.yml)",
        "  missing  docs/index.md (write docs/index.pl.md)",
        f"  stale    {KICKOFF_PL}: checklists/monday-kickoff.yml changed since (now {now})",
    ]


def test_translations_strict_fails_until_every_language_is_complete(
    bilingual: MakePlaybook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(bilingual())
    assert CliRunner().invoke(main, ["translations", "--strict"]).exit_code == 1
    assert CliRunner().invoke(main, ["translations"]).exit_code == 0


def test_translations_strict_passes_when_everything_is_translated(
    make_playbook: MakePlaybook, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_playbook({"playbook.yml": _settings("languages: [en]")})
    monkeypatch.chdir(root / "roles")
    result = CliRunner().invoke(main, ["translations", "--strict"])
    assert result.exit_code == 0
    assert "nothing to translate" in result.output


def test_a_partial_translation_lists_the_text_it_lacks(
    bilingual: MakePlaybook, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = MONDAY_KICKOFF + "        help: Open the CRM's deal view.\n"
    translation = KICKOFF_TRANSLATION.replace(
        _made_from("checklists/monday-kickoff.yml"),
        f"translated_from: {blob_id(source.encode())}\n",
    )
    monkeypatch.chdir(bilingual({"checklists/monday-kickoff.yml": source, KICKOFF_PL: translation}))
    result = CliRunner().invoke(main, ["translations"])
    assert f"  partial  {KICKOFF_PL}: untranslated sections[0].items[0].help" in result.output
