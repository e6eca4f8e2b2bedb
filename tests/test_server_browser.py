"""A manager with only a browser: sign in, record from the form, see the dashboard, sign out.

Headless Chromium against a real `playbook server` pushing to a real bare remote.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .sites import chromium_page, serve
from .teamserver import (
    PAGE,
    PASSWORD,
    Server,
    git,
    git_env,
    running,
    team_playbook,
    with_remote,
    write_users,
)

pytestmark = pytest.mark.browser

NOW = "2026-11-30T10:00+01:00"


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    for name, value in {**git_env(tmp_path / "home"), "PLAYBOOK_NOW": NOW}.items():
        monkeypatch.setenv(name, value)
    root = team_playbook(tmp_path / "playbook")
    with_remote(root, tmp_path / "shared.git")
    users = write_users(tmp_path / "users.json")
    with running(root, users, "--push", "origin", env=dict(os.environ)) as server:
        yield server


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page() as page:
        page.set_default_timeout(15_000)
        yield page


def _sign_in(page: Any, server: Server, user: str = "anna") -> None:
    page.goto(server.url + PAGE)
    page.wait_for_url("**/login?next=**")
    page.fill("#user", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def test_the_login_page_has_labelled_fields_in_focus_order(page: Any, server: Server) -> None:
    page.goto(server.url + "login")
    for field in ("user", "password"):
        assert page.locator(f"label[for={field}]").count() == 1
    assert page.evaluate("document.activeElement.id") == "user"  # autofocus
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"


def test_a_wrong_password_is_announced_on_the_login_page(page: Any, server: Server) -> None:
    page.goto(server.url + "login")
    page.fill("#user", "anna")
    page.fill("#password", "not her password")
    page.click("button[type=submit]")
    alert = page.locator("[role=alert]")
    assert alert.inner_text() == "Wrong user id or password."
    assert page.locator("form").get_attribute("aria-describedby") == "login-error"


def test_sign_in_record_from_the_form_see_the_dashboard_and_sign_out(
    page: Any, server: Server, tmp_path: Path
) -> None:
    page.goto(server.url)
    page.wait_for_url("**/login?next=**")
    page.fill("#user", "anna")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/my/")
    assert "Weekly pipeline review" in page.locator("article").inner_text()

    page.goto(server.url + PAGE)
    form = page.locator(".playbook-form")
    form.wait_for()
    by = form.locator("input[name=by]")
    assert by.input_value() == "Anna Kowalska <anna@northwind.example>"
    assert by.get_attribute("readonly") is not None
    for item_id in ("lead-statuses", "next-steps"):
        form.locator(f"input[name='done:{item_id}']").check()
    form.locator("input[name='metric:new-leads']").fill("42")
    generation = server.generation()
    form.locator("button[type=submit]").click()
    result = page.locator(".playbook-result")
    result.wait_for(state="attached")
    page.wait_for_function("document.querySelector('.playbook-result').dataset.commit")
    commit = result.get_attribute("data-commit")
    root = server.root
    assert git(root, "log", "-1", "--format=%H %an", "HEAD") == f"{commit} Anna Kowalska"
    bare = root.parent / "shared.git"
    assert git(bare, "rev-parse", "main") == commit  # in the shared repository

    server.wait_for(lambda: server.generation() > generation, 60, "the rebuild")
    page.goto(server.url + "dashboard/")
    row = page.locator("tr", has_text="Weekly pipeline review").filter(has_text="Warsaw pod")
    assert "done" in row.first.inner_text().lower()

    page.click(".playbook-session button[type=submit]")
    page.wait_for_url("**/login")
    page.goto(server.url + PAGE)
    page.wait_for_url("**/login?next=**")


def test_the_form_fits_a_phone_and_every_field_has_a_label(
    page: Any, server: Server, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, server)
    page.wait_for_url("**/checklists/**")
    page.locator(".playbook-form").wait_for()
    page.screenshot(path=str(tmp_path / "checklist-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('.playbook-form :is(input, select, textarea)')]
           .filter(e => e.type !== 'hidden' && !e.closest('label') && !e.getAttribute('aria-label')
                        && !(e.id && document.querySelector(`label[for="${e.id}"]`)))
           .map(e => e.name)"""
    )
    assert unlabelled == []
    # Focus follows the reading order: nothing jumps the queue with a positive tabindex.
    assert (
        page.evaluate(
            "[...document.querySelectorAll('[tabindex]')].filter(e => e.tabIndex > 0).length"
        )
        == 0
    )


def test_a_link_from_another_site_opens_the_page_signed_in(
    page: Any, server: Server, tmp_path: Path
) -> None:
    """SameSite=Strict holds the cookie back on a link from webmail; the server reopens it."""
    _sign_in(page, server)
    page.wait_for_url("**/checklists/**")
    mail = tmp_path / "webmail"
    mail.mkdir()
    (mail / "index.html").write_text(f'<a id="review" href="{server.url}{PAGE}">Review</a>')
    with serve(mail) as webmail:
        page.goto(webmail.replace("127.0.0.1", "localhost"))  # another site than 127.0.0.1
        page.click("#review")
        page.locator(".playbook-form").wait_for()
    assert page.url == server.url + PAGE
    # It took the detour: one answer without a session, then the page with Anna's.
    log = server.log.read_text()
    assert f'127.0.0.1 - "GET /{PAGE}" 200' in log
    assert f'127.0.0.1 anna "GET /{PAGE}" 200' in log
