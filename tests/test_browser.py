"""The built sample site in a real headless Chromium: search finds, checklists render."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .sites import REPO, build, serve

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "tests" / "artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = build(REPO / "mkdocs.yml", tmp_path_factory.mktemp("browser") / "site")
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def page(site_url: str) -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()


def test_search_finds_the_sdr_page_for_qualified_lead(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url)
    page.locator("label.md-search__icon, label[for='__search']").first.click()
    page.locator("input.md-search__input").fill("qualified lead")
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=15_000)
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert any("roles/sdr/" in href for href in hrefs), hrefs
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "search.png")


def test_checklist_page_renders_its_checkboxes(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url + "checklists/monday-kickoff/")
    checkboxes = page.locator(".task-list-item input[type=checkbox]")
    assert checkboxes.count() >= 5
    checkboxes.first.check()
    assert checkboxes.first.is_checked()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "checklist.png", full_page=True)
