"""The built sample site in a real headless Chromium: search finds, checklists render."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .sites import REPO, build, chromium_page, serve

ARTIFACTS = REPO / "tests" / "artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = build(REPO / "mkdocs.yml", tmp_path_factory.mktemp("browser") / "site")
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def page(site_url: str) -> Iterator[Any]:
    with chromium_page() as page:
        yield page


def test_search_finds_the_sdr_page_for_qualified_lead(page: Any, site_url: str) -> None:
    page.goto(site_url, wait_until="networkidle")  # the search index has arrived
    page.locator("input.md-search__input").click()
    page.keyboard.type("qualified lead", delay=20)
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=60_000)  # the worker indexes in the page: slow on a busy CI
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert any("roles/sdr/" in href for href in hrefs), hrefs
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "search.png")


def test_checklist_page_renders_its_checkboxes(page: Any, site_url: str) -> None:
    page.goto(site_url + "checklists/monday-kickoff/")
    checkboxes = page.locator(".task-list-item input[type=checkbox]")
    assert checkboxes.count() >= 5
    # Material draws its own box (a zero-width label's ::before) over the input.
    checkboxes.first.check(force=True)
    assert checkboxes.first.is_checked()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "checklist.png", full_page=True)
