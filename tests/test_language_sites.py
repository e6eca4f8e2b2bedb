"""One real build of a playbook in five languages: a site each, searchable in its language."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from playbook.cli import main
from playbook.i18n.catalogues import extract_template, translations
from playbook.scaffold import init_playbook
from playbook.site.languages import POLISH_SEPARATOR
from playbook.translations import blob_id

from .conftest import VALID_PLAYBOOK
from .samples import write_files
from .sites import REPO, build, chromium_page, serve

LANGUAGES = ("en", "hu", "pl", "vi", "zh")
KICKOFF = blob_id(VALID_PLAYBOOK["checklists/monday-kickoff.yml"].encode())
HOME = blob_id(VALID_PLAYBOOK["docs/index.md"].encode())
MKDOCS = """\
site_name: Test Playbook
theme:
  name: material
plugins:
  - search
  - playbook
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - toc:
      permalink: true
  - pymdownx.tasklist:
      custom_checkbox: true
"""


def _kickoff(title: str, purpose: str, section: str, item: str) -> str:
    return (
        f"translated_from: {KICKOFF}\ntitle: {title}\npurpose: {purpose}\nsections:\n"
        f"  - title: {section}\n    items:\n      - id: next-steps\n        text: {item}\n"
    )


FILES = {
    **VALID_PLAYBOOK,
    "playbook.yml": VALID_PLAYBOOK["playbook.yml"].replace(
        "timezone: Europe/Warsaw\n",
        f"timezone: Europe/Warsaw\nlanguages: [{', '.join(LANGUAGES)}]\n",
    ),
    "mkdocs.yml": MKDOCS,
    "translations/hu/checklists/monday-kickoff.yml": _kickoff(
        "Hétfői indító megbeszélés",
        "A hetet rendezett értékesítési tölcsérrel kezdjük.",
        "Értékesítési tölcsér",
        "Minden nyitott üzletnek van következő lépése",
    ),
    "translations/pl/checklists/monday-kickoff.yml": _kickoff(
        "Poniedziałkowy przegląd lejka",
        "Zaczynamy tydzień od przeglądu lejka sprzedaży.",
        "Lejek",
        "Każda otwarta szansa sprzedaży ma następny krok",
    ),
    "translations/vi/checklists/monday-kickoff.yml": _kickoff(
        "Họp đầu tuần ngày thứ Hai",
        "Bắt đầu tuần mới với pipeline gọn gàng, khách hàng tiềm năng nào cũng đúng trạng thái.",
        "Pipeline",
        "Cơ hội nào đang mở cũng có bước tiếp theo",
    ),
    "translations/zh/checklists/monday-kickoff.yml": _kickoff(
        "周一启动会",
        "以清晰的销售管道开始新的一周。",
        "销售管道",
        "每个未结束的商机都有下一步行动",
    ),
    "docs/index.pl.md": f"---\ntranslated_from: {HOME}\n---\n# Podręcznik testowy\n",
    # Made from a sales manager role and a home page that have changed since.
    "translations/vi/roles/sales-manager.yml": f"translated_from: {blob_id(b'title: Old')}\n"
    "title: Quản lý bán hàng\nsummary: Dẫn dắt đội bán hàng.\nresponsibilities:\n"
    "  - area: Đội ngũ\n    items: [Huấn luyện đội]\n",
    "docs/index.hu.md": f"---\ntranslated_from: {blob_id(b'# Old')}\n---\n# Teszt kézikönyv\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_files(tmp_path_factory.mktemp("languages") / "playbook", FILES)
    return build(root / "mkdocs.yml", root / "site")


def _index(site: Path, code: str) -> dict[str, Any]:
    folder = site if code == "en" else site / code
    return json.loads((folder / "search" / "search_index.json").read_text(encoding="utf-8"))


def _tokens(site: Path, code: str, separator: str | None = None) -> set[str]:
    index = _index(site, code)
    split = re.compile(separator or index["config"]["separator"])
    text = " ".join(f"{doc['title']} {doc['text']}" for doc in index["docs"])
    return {token.lower() for token in split.split(re.sub(r"<[^>]+>", " ", text)) if token}


def _page(site: Path, code: str, page: str) -> str:
    folder = site if code == "en" else site / code
    return (folder / page / "index.html").read_text(encoding="utf-8")


def test_each_language_has_its_own_site_in_its_language(site: Path) -> None:
    for code in LANGUAGES:
        assert f'<html lang="{code}"' in _page(site, code, "checklists/monday-kickoff"), code


def test_each_site_has_its_own_search_index(site: Path) -> None:
    assert "khách" in _tokens(site, "vi")
    assert "khách" not in _tokens(site, "en") | _tokens(site, "pl")


def test_vietnamese_is_searched_with_lunrs_vietnamese(site: Path) -> None:
    assert _index(site, "vi")["config"]["lang"] == ["vi"]


def test_hungarian_keeps_its_stemmer(site: Path) -> None:
    config = _index(site, "hu")["config"]
    assert config["lang"] == ["hu"]
    assert "stemmer" in config["pipeline"]
    assert "megbeszélés" in _tokens(site, "hu")


def test_chinese_is_segmented_into_words(site: Path) -> None:
    tokens = _tokens(site, "zh")
    assert {"销售", "管道", "商机"} <= tokens
    assert "以清晰的销售管道开始新的一周" not in tokens


def test_polish_words_keep_their_diacritics_in_the_index(site: Path) -> None:
    config = _index(site, "pl")["config"]
    assert config["pipeline"] == []  # lunr's English trimmer would cut "ą" off "przegląd"
    assert config["separator"] == POLISH_SEPARATOR
    assert {"przegląd", "sprzedaży", "każda"} <= _tokens(site, "pl", POLISH_SEPARATOR)


def test_polish_entries_are_also_indexed_without_diacritics(site: Path) -> None:
    index = _index(site, "pl")
    assert "folded" in index["config"]["fields"]
    folded = " ".join(doc.get("folded", "") for doc in index["docs"])
    assert "Poniedzialkowy przeglad lejka" in folded
    assert all("folded" not in doc for doc in _index(site, "vi")["docs"])


def test_the_language_selector_leads_to_the_same_page_in_each_language(site: Path) -> None:
    page = "checklists/monday-kickoff"
    html = _page(site, "pl", page)
    links = dict(
        (lang, href)
        for href, lang in re.findall(
            r'<a href="([^"]+)" hreflang="([a-z]+)" class="md-select', html
        )
    )
    assert set(links) == set(LANGUAGES)
    here = site / "pl" / page
    for code, href in links.items():
        target = (here / href / "index.html").resolve()
        assert target == (site if code == "en" else site / code).resolve() / page / "index.html"
        assert target.is_file()


def test_a_translated_page_is_shown_in_its_language(site: Path) -> None:
    assert "Poniedziałkowy przegląd lejka" in _page(site, "pl", "checklists/monday-kickoff")
    assert "Podręcznik testowy" in _page(site, "pl", "")
    assert "Jeszcze nie przetłumaczono" not in _page(site, "pl", "checklists/monday-kickoff")


def test_an_untranslated_page_falls_back_to_the_source_with_a_notice(site: Path) -> None:
    html = _page(site, "pl", "roles/sdr")
    assert "Jeszcze nie przetłumaczono" in html
    assert "Sales Development Representative" in html
    assert "Chưa được dịch" in _page(site, "vi", "")


def test_a_stale_translation_is_flagged_on_its_page(site: Path) -> None:
    assert "Ez a fordítás elavult lehet" in _page(site, "hu", "")


def test_a_stale_role_translation_is_shown_and_flagged(site: Path) -> None:
    html = _page(site, "vi", "roles/sales-manager")
    assert "Quản lý bán hàng" in html
    assert "Bản dịch này có thể đã cũ" in html


def test_translation_files_are_not_pages_of_their_own(site: Path) -> None:
    assert not (site / "index.pl").exists()
    assert not (site / "pl" / "index.pl").exists()


def test_cadences_are_in_the_language_of_the_site(site: Path) -> None:
    assert "w każdy poniedziałek o 09:00" in _page(site, "pl", "checklists/monday-kickoff")
    assert "minden hétfőn 9:00-kor" in _page(site, "hu", "checklists/monday-kickoff")


def _form_messages(site: Path, code: str) -> dict[str, str]:
    folder = site if code == "en" else site / code
    spec = folder / "assets" / "playbook" / "forms" / "monday-kickoff.json"
    return json.loads(spec.read_text(encoding="utf-8"))["messages"]


@pytest.mark.parametrize(
    ("code", "english", "translated"),
    [
        ("pl", "Which one", "Który termin"),
        ("pl", "Show the command", "Pokaż polecenie"),
        ("pl", "Recorded {state} by {by} at {at}.", "Zapisano ({state}): {by}, {at}."),
        ("pl", "done", "wykonano"),
        ("vi", "Note and signature", "Ghi chú và chữ ký"),
        ("vi", "{label} is required", "{label} là bắt buộc"),
    ],
)
def test_the_form_spec_carries_the_forms_words_in_the_sites_language(
    site: Path, code: str, english: str, translated: str
) -> None:
    assert _form_messages(site, code)[english] == translated


def test_the_english_form_spec_carries_its_words_as_written(site: Path) -> None:
    messages = _form_messages(site, "en")
    assert messages and all(key == text for key, text in messages.items())


def test_the_forms_root_says_in_the_sites_language_when_its_spec_cannot_load(
    site: Path,
) -> None:
    page = unescape(_page(site, "pl", "checklists/monday-kickoff"))
    assert 'data-unloaded="Nie udało się wczytać formularza z {spec}' in page


def test_every_word_the_form_script_looks_up_is_in_its_spec(site: Path) -> None:
    script = (
        Path(__file__).parent.parent / "playbook" / "site" / "assets" / "record.js"
    ).read_text()
    looked_up = set(re.findall(r'\bt\("((?:[^"\\]|\\.)*)"', script))
    assert looked_up and looked_up <= set(_form_messages(site, "pl"))


@pytest.fixture(scope="module")
def browser(site: Path) -> Iterator[tuple[Any, str]]:
    with serve(site) as url, chromium_page() as page:
        yield page, url


@pytest.mark.browser
@pytest.mark.parametrize(
    ("code", "query"),
    [
        ("vi", "khách hàng"),
        # Material adds a trailing * to the last word typed, and lunr runs no stemmer on a
        # wildcard term: the index is stemmed, a query's last word is matched as a prefix.
        ("hu", "megbeszélés"),
        ("zh", "商机"),
        ("pl", "przegląd"),
        ("pl", "przeglad"),  # typed without Polish letters
    ],
)
def test_search_in_the_browser_finds_the_translated_checklist(
    browser: tuple[Any, str], code: str, query: str
) -> None:
    page, url = browser
    page.goto(f"{url}{code}/", wait_until="networkidle")
    page.locator("input.md-search__input").click()
    page.keyboard.type(query, delay=20)
    page.keyboard.press("End")  # a key Material hears: typed Chinese arrives as inserted text
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=60_000)
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert any("checklists/monday-kickoff/" in href for href in hrefs), hrefs


@pytest.mark.browser
@pytest.mark.parametrize(
    ("code", "legend", "button"),
    [("pl", "Który termin", "Pokaż polecenie"), ("vi", "Lần nào", "Xem lệnh")],
)
def test_the_record_form_speaks_the_language_of_its_site(
    browser: tuple[Any, str], code: str, legend: str, button: str
) -> None:
    page, url = browser
    page.goto(f"{url}{code}/checklists/monday-kickoff/", wait_until="networkidle")
    form = page.locator(".playbook-form")
    form.wait_for(timeout=30_000)
    assert form.locator("legend").first.inner_text() == legend
    assert form.locator("button[type=submit]").inner_text() == button


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample `playbook init` writes, with its languages line uncommented."""
    root = tmp_path_factory.mktemp("sample") / "playbook"
    init_playbook(root, git=False)
    settings = root / "playbook.yml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("# languages: [en, pl, vi]", "languages: [en, pl, vi]"))
    return build(root / "mkdocs.yml", root / "site")


def test_the_sample_ships_its_sdr_checklist_and_home_page_in_polish_and_vietnamese(
    sample_site: Path,
) -> None:
    assert "Przedstawiciel ds. rozwoju sprzedaży" in _page(sample_site, "pl", "roles/sdr")
    assert "Chuyên viên phát triển kinh doanh" in _page(sample_site, "vi", "roles/sdr")
    review = "checklists/weekly-pipeline-review"
    assert "Cotygodniowy przegląd lejka sprzedaży" in _page(sample_site, "pl", review)
    assert "Rà soát pipeline hằng tuần" in _page(sample_site, "vi", review)
    assert "Nasz podręcznik sprzedaży" in _page(sample_site, "pl", "")
    assert "Cẩm nang bán hàng của chúng tôi" in _page(sample_site, "vi", "")


def test_the_samples_translations_are_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "playbook"
    init_playbook(root, git=False)
    settings = root / "playbook.yml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("# languages: [en, pl, vi]", "languages: [en, pl, vi]"))
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["translations"])
    assert result.exit_code == 0, result.output
    assert "stale" not in result.output
    assert "pl: 3 of 7 files translated" in result.output.splitlines()


def _english_chrome(html: str, code: str, template: Any) -> list[str]:
    """Every message of the catalogue that the page shows in English although `code` has it
    translated otherwise (placeholders split a message into the pieces that must not show)."""
    body = html[html.index("<body") :]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.DOTALL)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())
    catalogue = translations(code)
    # An English word that is also a word of the language ("Role" is Polish for roles), or
    # one the playbook's own untranslated text uses ("Sales Manager"), is not chrome.
    own = " ".join(
        [catalogue.gettext(m.id) for m in template if isinstance(m.id, str) and m.id]
        + [str(content) for content in FILES.values()]
    )
    found = []
    for message in template:
        if not message.id or message.context:
            continue
        english = message.id if isinstance(message.id, str) else message.id[0]
        if catalogue.gettext(english) == english:
            continue
        for piece in re.split(r"\{[a-z_]+\}|%\([a-z_]+\)[sd]", english):
            piece = piece.strip(" ,.:;()")
            word = rf"(?<!\w){re.escape(piece)}(?!\w)"
            if len(piece) > 3 and re.search(word, text) and not re.search(word, own):
                found.append(piece)
    return found


@pytest.mark.parametrize("code", ["pl", "vi", "zh"])
@pytest.mark.parametrize(
    "page", ["checklists/monday-kickoff", "checklists", "dashboard", "calendar", "roles"]
)
def test_pages_in_another_language_show_no_english_chrome(site: Path, code: str, page: str) -> None:
    template = extract_template(REPO)
    assert _english_chrome(_page(site, code, page), code, template) == []
