"""Recording from the browser: `playbook serve` on a temporary repository, driven by Chromium."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from playbook.scaffold import init_playbook

from .sites import build, chromium_page, serve

pytestmark = pytest.mark.browser

CHECKLIST = "weekly-pipeline-review"
PAGE = f"checklists/{CHECKLIST}/"
SPEC = f"assets/playbook/forms/{CHECKLIST}.json"  # the form's data, fetched by the page
TEAMS = """
tracking_since: 2026-01-05
teams:
  - id: warsaw
    name: Warsaw pod
    manager: anna
    members:
      - {id: anna, name: Anna Kowalska, email: anna@example.com, role: sales-manager}
"""
PREVIEW = "api/records/preview"
XSS = "<img src=x onerror=alert(1)>"
SERVER_LOGS: dict[str, Path] = {}  # each running server's log, shown when a test fails


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed sample playbook with one team, and a git identity of its own."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    (tmp_path / "gitconfig").write_text(
        "[user]\n\tname = Anna Kowalska\n\temail = anna@example.com\n"
    )
    root = tmp_path / "playbook"
    init_playbook(root)
    with (root / "playbook.yml").open("a") as handle:
        handle.write(TEAMS)
    _git(root, "commit", "-qam", "Add the Warsaw pod")
    return root


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server_log(repo: Path) -> Path:
    """What `playbook serve` printed (outside the repository, so git never sees it)."""
    return repo.parent / "serve.log"


@pytest.fixture
def server(repo: Path, server_log: Path) -> Iterator[str]:
    port = _free_port()
    log = server_log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "playbook", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=repo,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    url = f"http://127.0.0.1:{port}/"
    SERVER_LOGS[url] = server_log
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + PAGE, timeout=2).read()
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("playbook serve did not answer within 60 s")
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page() as page:
        yield page


def _token(url: str) -> str:
    html = urllib.request.urlopen(url + PAGE).read().decode()
    match = re.search(r'<meta name="playbook-api" content="([^"]+)"', html)
    assert match, "the served page carries no recording token"
    return match[1]


def _post(
    url: str, body: object, headers: dict[str, str], path: str = "api/records"
) -> tuple[int, dict[str, Any]]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _fill_form(page: Any) -> None:
    form = page.locator(".playbook-form")
    form.wait_for()
    for item_id in ("lead-statuses", "next-steps"):
        form.locator(f"input[name='done:{item_id}']").check()
    form.locator("input[name='skip:call-recordings']").check()
    form.locator("input[name='reason:call-recordings']").fill("no calls recorded this week")
    form.locator("input[name='metric:new-leads']").fill("42")
    form.locator("input[name='metric:pipeline-value']").fill("125000.50")


def _head_files(repo: Path) -> list[str]:
    return _git(repo, "show", "--name-only", "--format=", "HEAD").split()


def test_recording_in_the_browser_commits_exactly_the_record(
    repo: Path, server: str, page: Any
) -> None:
    before = _git(repo, "rev-parse", "HEAD").strip()
    page.goto(server + PAGE)
    _fill_form(page)
    page.locator(".playbook-form button[type=submit]").click()
    result = page.locator(".playbook-result")
    result.filter(has_text="commit").wait_for(timeout=20_000)
    head = _git(repo, "rev-parse", "HEAD").strip()
    assert head != before
    assert head[:10] in result.inner_text()
    [path] = _head_files(repo)
    assert path.startswith(f"logs/{CHECKLIST}/warsaw/")
    record = yaml.safe_load((repo / path).read_text())
    states = {item["id"]: item["state"] for item in record["items"]}
    assert states == {"lead-statuses": "done", "next-steps": "done", "call-recordings": "skipped"}
    assert record["metrics"] == {"new-leads": 42, "pipeline-value": "125000.50"}
    assert record["status"] == "done"


def test_a_wrong_metric_type_shows_its_message_and_writes_nothing(
    repo: Path, server: str, page: Any
) -> None:
    before = _git(repo, "rev-parse", "HEAD").strip()
    page.goto(server + PAGE)
    _fill_form(page)
    page.locator("input[name='metric:new-leads']").fill("lots")
    page.locator(".playbook-form button[type=submit]").click()
    error = page.locator("input[name='metric:new-leads'] >> xpath=../following-sibling::span")
    assert "whole number" in error.inner_text()
    assert _git(repo, "rev-parse", "HEAD").strip() == before
    assert not list(repo.glob("logs/**/*.yml"))


def test_the_server_refuses_a_wrong_metric_type_with_the_field_named(
    repo: Path, server: str
) -> None:
    headers = {"Origin": server.rstrip("/"), "X-Playbook-Token": _token(server)}
    body = {
        "checklist": CHECKLIST,
        "team": "warsaw",
        "done": ["lead-statuses", "next-steps"],
        "metrics": {"new-leads": "lots"},
    }
    status, answer = _post(server, body, headers)
    assert status == 422
    assert answer["problems"][0]["field"] == "metrics.new-leads"
    assert not list(repo.glob("logs/**/*.yml"))


@pytest.mark.parametrize("occurrence", ["0001-01-01", "9999-12-31", "20261201", "2026-W49"])
def test_a_bad_occurrence_is_a_400_problem_never_a_500(
    repo: Path, server: str, occurrence: str
) -> None:
    headers = {"Origin": server.rstrip("/"), "X-Playbook-Token": _token(server)}
    body = {"checklist": CHECKLIST, "team": "warsaw", "occurrence": occurrence}
    status, answer = _post(server, body, headers)
    assert status == 400
    assert answer["problems"][0]["field"] == "occurrence"
    assert "YYYY-MM-DD" in answer["problems"][0]["hint"]
    assert not list(repo.glob("logs/**/*.yml"))


def test_a_cross_origin_post_is_refused(repo: Path, server: str) -> None:
    headers = {"Origin": "http://evil.example", "X-Playbook-Token": _token(server)}
    status, _ = _post(server, {"checklist": CHECKLIST, "team": "warsaw"}, headers)
    assert status == 403
    assert not list(repo.glob("logs/**/*.yml"))


def test_a_post_without_the_token_is_refused(repo: Path, server: str) -> None:
    status, _ = _post(
        server, {"checklist": CHECKLIST, "team": "warsaw"}, {"Origin": server.rstrip("/")}
    )
    assert status == 403
    assert not list(repo.glob("logs/**/*.yml"))


def test_an_oversized_body_is_refused(repo: Path, server: str) -> None:
    headers = {"Origin": server.rstrip("/"), "X-Playbook-Token": _token(server)}
    status, _ = _post(server, {"checklist": CHECKLIST, "note": "x" * 100_000}, headers)
    assert status == 413
    assert not list(repo.glob("logs/**/*.yml"))


def test_a_note_with_html_renders_as_text_when_served_and_built(
    repo: Path, server: str, page: Any, tmp_path: Path
) -> None:
    headers = {"Origin": server.rstrip("/"), "X-Playbook-Token": _token(server)}
    body = {
        "checklist": CHECKLIST,
        "team": "warsaw",
        "done": ["lead-statuses", "next-steps", "call-recordings"],
        "note": XSS,
    }
    status, _ = _post(server, body, headers)
    assert status == 201
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _open_rebuilt(
        page, server, "onerror=alert(1)", lambda: XSS in page.locator("article").inner_text()
    )
    shown = page.evaluate(
        "([text]) => [...document.querySelectorAll('td')].filter(td => td.textContent.includes(text)).length",
        [XSS],
    )
    assert shown >= 1
    assert dialogs == []
    site = build(repo / "mkdocs.yml", tmp_path / "site")
    html = (site / "checklists" / CHECKLIST / "index.html").read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert XSS not in html


def test_the_static_form_gives_a_command_that_records_the_same_thing(
    repo: Path, page: Any, tmp_path: Path
) -> None:
    site = build(repo / "mkdocs.yml", tmp_path / "site")
    with serve(site) as url:
        page.goto(url + PAGE)
        _fill_form(page)
        page.locator("input[name='by']").fill("Anna Kowalska <anna@example.com>")
        page.locator(".playbook-form button[type=submit]").click()
        command = page.locator(".playbook-command").inner_text()
    assert command.startswith(f"playbook check {CHECKLIST} ")
    args = shlex.split(command)
    done = subprocess.run(
        [sys.executable, "-m", "playbook", *args[1:]], cwd=repo, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    [path] = _head_files(repo)
    record = yaml.safe_load((repo / path).read_text())
    assert {item["id"]: item["state"] for item in record["items"]} == {
        "lead-statuses": "done",
        "next-steps": "done",
        "call-recordings": "skipped",
    }
    assert record["metrics"] == {"new-leads": 42, "pipeline-value": "125000.50"}
    assert record["by"] == "Anna Kowalska <anna@example.com>"


def _static_site_on_github(repo: Path, tmp_path: Path) -> Path:
    """The sample built as a static site whose repository is on GitHub."""
    config = repo / "mkdocs.yml"
    config.write_text(config.read_text() + "repo_url: https://github.com/northwind/playbook\n")
    return build(config, tmp_path / "site")


def test_the_static_form_links_to_githubs_new_file_page_with_a_valid_record(
    repo: Path, page: Any, tmp_path: Path
) -> None:
    from urllib.parse import parse_qs, urlsplit

    from playbook.records import parse_record

    site = _static_site_on_github(repo, tmp_path)
    with serve(site) as url:
        page.goto(url + PAGE)
        _fill_form(page)
        page.locator("input[name='by']").fill("Anna Kowalska <anna@example.com>")
        page.locator(".playbook-form button[type=submit]").click()
        href = page.locator(".playbook-result a").get_attribute("href")
    parts = urlsplit(href)
    assert parts.netloc == "github.com"
    assert parts.path == "/northwind/playbook/new/main"
    query = parse_qs(parts.query)
    [path] = query["filename"]
    record = parse_record(query["value"][0])
    assert path == record.path
    assert record.unit == "warsaw"
    assert [i.id for i in record.items if i.done] == ["lead-statuses", "next-steps"]
    assert record.metrics == {"new-leads": 42, "pipeline-value": "125000.50"}
    assert record.complete


def _headers(url: str) -> dict[str, str]:
    return {"Origin": url.rstrip("/"), "X-Playbook-Token": _token(url)}


# next-steps is required: skipped with a reason it still leaves the record done.
SKIPPED_REQUIRED = {
    "checklist": CHECKLIST,
    "team": "warsaw",
    "done": ["lead-statuses"],
    "skipped": {"next-steps": "no open deals this week"},
    "metrics": {"new-leads": "3"},
}


def _status(repo: Path) -> tuple[str, str]:
    return _git(repo, "rev-parse", "HEAD").strip(), _git(repo, "status", "--porcelain")


def test_the_preview_answers_the_engines_verdict_for_a_skipped_required_item(
    repo: Path, server: str
) -> None:
    status, answer = _post(server, SKIPPED_REQUIRED, _headers(server), PREVIEW)
    assert status == 200
    assert answer["ok"] is True and answer["state"] == "done"
    assert "status: done" in answer["yaml"]
    assert answer["path"].startswith(f"logs/{CHECKLIST}/warsaw/")


def test_the_preview_never_writes_or_commits(repo: Path, server: str) -> None:
    before = _status(repo)
    for body in (SKIPPED_REQUIRED, {**SKIPPED_REQUIRED, "partial": True}, {"checklist": "nope"}):
        status, _ = _post(server, body, _headers(server), PREVIEW)
        assert status == 200
    assert _status(repo) == before
    assert not (repo / "logs").exists() or not list((repo / "logs").rglob("*.yml"))


def test_the_preview_names_the_engines_problems(repo: Path, server: str) -> None:
    body = {**SKIPPED_REQUIRED, "skipped": {}}
    status, answer = _post(server, body, _headers(server), PREVIEW)
    assert status == 200
    assert answer["ok"] is False
    assert [p["field"] for p in answer["problems"]] == ["items.next-steps"]
    assert answer["problems"][0]["hint"]


def test_the_preview_needs_the_token(repo: Path, server: str) -> None:
    status, _ = _post(server, SKIPPED_REQUIRED, {"Origin": server.rstrip("/")}, PREVIEW)
    assert status == 403


BAD_BODIES: list[object] = [
    {**SKIPPED_REQUIRED, "occurrence": "0001-01-01"},
    {**SKIPPED_REQUIRED, "occurrence": "9999-12-31"},
    {**SKIPPED_REQUIRED, "occurrence": "next monday"},
    {**SKIPPED_REQUIRED, "occurrence": 20261130},
    {**SKIPPED_REQUIRED, "done": "lead-statuses"},
    {**SKIPPED_REQUIRED, "metrics": ["new-leads"]},
    ["not", "an", "object"],
    b"{not json",
    b"\xff\xfe",
    b"[" * 20_000 + b"]" * 20_000,
]


def test_bad_bodies_and_occurrences_are_400_with_a_json_problem(
    repo: Path, server: str, server_log: Path
) -> None:
    headers = _headers(server)
    for path in ("api/records", PREVIEW):
        for body in BAD_BODIES:
            status, answer = _post(server, body, headers, path)
            assert status == 400, (path, body if not isinstance(body, bytes) else body[:20])
            assert answer["problems"][0]["message"]
    assert not list(repo.glob("logs/**/*.yml"))
    assert "Traceback" not in server_log.read_text()


def test_recording_again_is_refused_until_amend_is_asked_for(repo: Path, server: str) -> None:
    status, nothing = _post(server, {**SKIPPED_REQUIRED, "amend": True}, _headers(server))
    assert status == 409, nothing  # nothing to amend yet
    status, _ = _post(server, SKIPPED_REQUIRED, _headers(server))
    assert status == 201
    status, refused = _post(server, SKIPPED_REQUIRED, _headers(server))
    assert status == 409
    assert "already recorded" in refused["problems"][0]["message"]
    status, answer = _post(server, {**SKIPPED_REQUIRED, "amend": True}, _headers(server))
    assert status == 201
    assert answer["amended"] is True
    assert answer["state"] == "done"


def _fill_skipped_required(page: Any) -> None:
    form = page.locator(".playbook-form")
    form.wait_for()
    form.locator("input[name='done:lead-statuses']").check()
    form.locator("input[name='skip:next-steps']").check()
    form.locator("input[name='reason:next-steps']").fill("no open deals this week")
    form.locator("input[name='metric:new-leads']").fill("3")


def test_the_form_shows_the_engines_verdict_for_a_skipped_required_item_under_serve(
    repo: Path, server: str, page: Any
) -> None:
    page.goto(server + PAGE)
    _fill_skipped_required(page)
    page.locator(".playbook-verdict").filter(has_text="record done").wait_for(timeout=20_000)
    page.locator(".playbook-form button[type=submit]").click()
    page.locator(".playbook-result").filter(has_text="commit").wait_for(timeout=20_000)
    [path] = _head_files(repo)
    assert yaml.safe_load((repo / path).read_text())["status"] == "done"


def test_the_static_form_records_a_skipped_required_item_as_done_like_the_engine(
    repo: Path, page: Any, tmp_path: Path
) -> None:
    from urllib.parse import parse_qs, urlsplit

    from playbook.records import parse_record

    site = _static_site_on_github(repo, tmp_path)
    with serve(site) as url:
        page.goto(url + PAGE)
        _fill_skipped_required(page)
        page.locator("input[name='by']").fill("Anna Kowalska <anna@example.com>")
        page.locator(".playbook-verdict").filter(has_text="will be done").wait_for()
        page.locator(".playbook-form button[type=submit]").click()
        href = page.locator(".playbook-result a").get_attribute("href")
    record = parse_record(parse_qs(urlsplit(href).query)["value"][0])
    assert record.complete


REBUILD_SECONDS = 120  # a loaded two-core CI machine rebuilds the sample in well under this


def _open_rebuilt(
    page: Any, url: str, needle: str, ready: Callable[[], bool], source: str = PAGE
) -> None:
    """Open the checklist page once the server's rebuild carries `needle` in `source`, until `ready()`.

    The served file (the page, or the form's spec) is polled first, so the browser only
    loads a finished rebuild; a live reload that still navigates the page meanwhile is
    retried, not a failure.
    """
    from playwright.sync_api import Error as BrowserError

    deadline = time.monotonic() + REBUILD_SECONDS
    while needle not in urllib.request.urlopen(url + source).read().decode():
        if time.monotonic() > deadline:
            pytest.fail(f"the served page never carried {needle!r}:\n{_server_log_tail(url)}")
        time.sleep(0.3)
    while time.monotonic() < deadline:
        try:
            page.goto(url + PAGE)
            if ready():
                return
        except BrowserError:
            pass
        time.sleep(0.3)
    pytest.fail(f"the page never became ready:\n{_server_log_tail(url)}")


def _server_log_tail(url: str) -> str:
    return SERVER_LOGS[url].read_text(errors="replace")[-3000:]


def _choose_recorded(page: Any, url: str, occurrence: str, text: str) -> None:
    """Open the page once the server has rebuilt with the record, and choose its occurrence."""

    def chosen() -> bool:
        page.locator(".playbook-form").wait_for(timeout=5000)
        page.locator("select[name=occurrence]").select_option(occurrence, timeout=5000)
        return text in page.locator(".playbook-existing").inner_text(timeout=5000)

    _open_rebuilt(page, url, '"state"', chosen, SPEC)  # the spec names an existing record's state


def test_an_occurrence_recorded_done_is_replaced_only_by_an_explicit_confirmation(
    repo: Path, server: str, page: Any
) -> None:
    status, answer = _post(server, SKIPPED_REQUIRED, _headers(server))
    assert status == 201
    _choose_recorded(page, server, answer["occurrence"], "Recorded done by Anna Kowalska")
    button = page.locator(".playbook-form button[type=submit]")
    assert button.inner_text() == "Replace the existing record"
    _fill_skipped_required(page)
    with page.expect_request(lambda r: r.url.endswith("/api/records")) as sent:
        button.click()
    assert sent.value.post_data_json["amend"] is True


def test_a_partial_record_prefills_the_form(repo: Path, server: str, page: Any) -> None:
    body = {**SKIPPED_REQUIRED, "partial": True, "note": "first half"}
    status, answer = _post(server, body, _headers(server))
    assert status == 201
    _choose_recorded(page, server, answer["occurrence"], "Recorded partial by Anna Kowalska")
    form = page.locator(".playbook-form")
    assert form.locator("input[name='done:lead-statuses']").is_checked()
    assert form.locator("input[name='skip:next-steps']").is_checked()
    assert (
        form.locator("input[name='reason:next-steps']").input_value() == "no open deals this week"
    )
    assert form.locator("input[name='metric:new-leads']").input_value() == "3"
    assert form.locator("textarea[name=note]").input_value() == "first half"
    assert form.locator("button[type=submit]").inner_text() == "Record"
