"""`playbook server` over real HTTP: sign-in, authorisation, CSRF, and who signs a record.

One server (waitress, its own process) serves the module's refusal tests; each
refusal is checked to have written and committed nothing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .teamserver import (
    DONE_BODY,
    NEWCOMER,
    PAGE,
    Client,
    Reply,
    Server,
    basic,
    git,
    git_env,
    record_as,
    running,
    start_server,
    team_playbook,
    with_remote,
    write_users,
)

NOW = "2026-11-30T10:00+01:00"  # a Monday, an hour after the weekly review was due


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    values = {**git_env(tmp_path_factory.mktemp("home")), "PLAYBOOK_NOW": NOW}
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    yield values
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("served")
    root = team_playbook(folder / "playbook")
    users = write_users(folder / "users.json")
    # 10.9.9.9 is trusted, the tests' 127.0.0.1 is not: its proxy header must be ignored.
    with running(root, users, "--trusted-proxy", "10.9.9.9", env=env) as server:
        yield server


def _state(root: Path) -> tuple[str, str]:
    return git(root, "rev-parse", "HEAD"), git(root, "status", "--porcelain", "-uall")


@pytest.fixture
def unchanged(served: Server) -> Iterator[None]:
    """The test's requests must leave the repository exactly as it was."""
    before = _state(served.root)
    yield
    assert _state(served.root) == before


def test_healthz_answers_without_signing_in(served: Server) -> None:
    health = served.health()
    assert health["ok"] is True
    assert health["site"]["generation"] >= 1
    assert health["push"] == {"remote": None, "pending": 0, "error": ""}


def test_a_page_without_a_session_sends_you_to_the_login_page(served: Server) -> None:
    reply = Client(served.url).get(PAGE)
    assert reply.status == 303
    assert reply.headers["Location"] == f"/login?next=/{PAGE}"


def test_a_link_from_another_site_is_reopened_from_this_one_to_carry_the_session(
    served: Server,
) -> None:
    """SameSite=Strict keeps the cookie off a link followed from webmail; a reload sends it."""
    # The browser holds the cookie back on the cross-site request: it arrives without one.
    reply = Client(served.url).get(PAGE, {"Sec-Fetch-Site": "cross-site"})
    assert reply.status == 200
    assert f'<meta http-equiv="refresh" content="0;url=/{PAGE}">' in reply.text
    # Reopened from the site itself: with a session the page, without one the login page.
    signed_in = Client(served.url)
    signed_in.login("anna")
    assert signed_in.get(PAGE, {"Sec-Fetch-Site": "same-origin"}).status == 200
    assert Client(served.url).get(PAGE, {"Sec-Fetch-Site": "same-origin"}).status == 303


def test_the_login_page_sends_a_signed_in_user_on(served: Server) -> None:
    client = Client(served.url)
    client.login("anna")
    reply = client.get(f"login?next=/{PAGE}")
    assert reply.status == 303
    assert reply.headers["Location"] == f"/{PAGE}"


def test_the_api_without_credentials_is_401_with_a_basic_challenge(
    served: Server, unchanged: None
) -> None:
    reply = Client(served.url).post_json("api/records", {**DONE_BODY, "team": "warsaw"})
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"].startswith("Basic ")


def test_a_wrong_password_is_401_on_the_api(served: Server, unchanged: None) -> None:
    reply = Client(served.url).post_json(
        "api/records", {**DONE_BODY, "team": "warsaw"}, **basic("anna", "not her password")
    )
    assert reply.status == 401
    assert reply.json()["error"] == "wrong user id or password"


def test_a_wrong_password_on_the_login_page_is_401_and_starts_no_session(
    served: Server,
) -> None:
    client = Client(served.url)
    reply = client.login("bernd", "not his password")
    assert reply.status == 401
    assert "Wrong user id or password." in reply.text
    assert client.get(PAGE).status == 303


def test_another_teams_checklist_is_403_and_nothing_is_committed(
    served: Server, unchanged: None
) -> None:
    reply = record_as(served.url, "anna", "berlin")
    assert reply.status == 403
    assert reply.json()["error"] == "anna records for warsaw, not for berlin"


def test_another_teams_preview_is_403_too(served: Server, unchanged: None) -> None:
    body = {**DONE_BODY, "team": "berlin"}
    reply = Client(served.url).post_json("api/records/preview", body, **basic("anna"))
    assert reply.status == 403


def _onboarding(user: str, server: Server) -> Reply:
    body = {"checklist": "onboarding-sdr", "person": NEWCOMER, "partial": True}
    return Client(server.url).post_json("api/records", body, **basic(user))


def test_another_teams_newcomer_is_403_and_nothing_is_committed(
    served: Server, unchanged: None
) -> None:
    reply = _onboarding("bernd", served)
    assert reply.status == 403
    assert reply.json()["error"] == "bernd records for berlin, not for warsaw"


def test_a_manager_records_for_the_people_in_their_team(served: Server) -> None:
    reply = _onboarding("anna", served)
    assert reply.status == 201, reply.text
    assert reply.json()["path"].startswith(f"logs/onboarding-sdr/{NEWCOMER}/")


def test_a_session_post_without_the_csrf_token_is_403(served: Server, unchanged: None) -> None:
    client = Client(served.url)
    assert client.login("anna").status == 303
    reply = client.post_json("api/records", {**DONE_BODY, "team": "warsaw"})
    assert reply.status == 403
    assert "CSRF" in reply.json()["error"]


def test_a_session_post_with_a_wrong_csrf_token_is_403(served: Server, unchanged: None) -> None:
    client = Client(served.url)
    client.login("anna")
    reply = client.post_json("api/records", {**DONE_BODY, "team": "warsaw"}, token="x" * 43)
    assert reply.status == 403


def test_a_cross_site_post_is_403_even_with_the_token(served: Server, unchanged: None) -> None:
    client = Client(served.url)
    client.login("anna")
    token = client.token()
    body = {**DONE_BODY, "team": "warsaw"}
    reply = client.post_json("api/records", body, token=token, Origin="https://evil.example")
    assert reply.status == 403
    assert reply.json()["error"] == "cross-origin requests may not write"


def test_a_form_encoded_post_is_refused(served: Server, unchanged: None) -> None:
    """A cross-site HTML form can send text/plain or urlencoded bodies, never JSON."""
    reply = Client(served.url).request(
        "api/records",
        b'{"checklist": "weekly-pipeline-review"}',
        {"Content-Type": "text/plain", **basic("anna")},
        "POST",
    )
    assert reply.status == 403


def test_logout_without_the_csrf_token_is_403_and_keeps_the_session(served: Server) -> None:
    client = Client(served.url)
    client.login("anna")
    reply = client.request("logout", b"", {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 403
    assert client.get(PAGE).status == 200


def test_the_login_form_without_its_csrf_cookie_is_403(served: Server) -> None:
    body = b"user=anna&password=correct+horse+battery&csrf=forged&next=%2Fmy%2F"
    reply = Client(served.url).request(
        "login", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert reply.status == 403
    assert (
        "Set-Cookie" not in reply.headers or "playbook_session" not in reply.headers["Set-Cookie"]
    )


def test_the_session_cookie_is_httponly_samesite_strict_and_not_secure_over_http(
    served: Server,
) -> None:
    reply = Client(served.url).login("anna")
    cookie = next(
        c for c in reply.headers.get_all("Set-Cookie") if c.startswith("playbook_session=")
    )
    flags = [flag.strip() for flag in cookie.split(";")]
    assert "HttpOnly" in flags
    assert "SameSite=Strict" in flags
    assert "Secure" not in flags


def test_a_proxy_header_from_an_untrusted_address_is_ignored(served: Server) -> None:
    reply = Client(served.url).get(PAGE, {"X-Forwarded-User": "boss"})
    assert reply.status == 303


def test_a_proxy_header_is_ignored_on_the_api_from_an_untrusted_address(
    served: Server, unchanged: None
) -> None:
    body = {**DONE_BODY, "team": "warsaw"}
    reply = Client(served.url).post_json("api/records", body, **{"X-Forwarded-User": "anna"})
    assert reply.status == 401


def test_an_open_redirect_after_sign_in_is_refused(served: Server) -> None:
    reply = Client(served.url).login("anna", next_path="//evil.example/")
    assert reply.headers["Location"] == "/my/"


def test_signing_in_lands_on_my_reviews_with_the_users_teams(served: Server) -> None:
    client = Client(served.url)
    reply = client.login("bernd")
    assert reply.headers["Location"] == "/my/"
    page = client.get("my/")
    assert page.status == 200
    assert "My reviews" in page.text
    assert "Bernd Weber, Berlin pod" in page.text
    assert f'href="/{PAGE}"' in page.text
    assert "md-header" in page.text  # inside the Material site's own page


def test_a_served_page_carries_the_users_name_and_a_csrf_token(served: Server) -> None:
    client = Client(served.url)
    client.login("anna")
    page = client.get(PAGE)
    assert (
        '<meta name="playbook-user" content="Anna Kowalska &lt;anna@northwind.example&gt;">'
        in page.text
    )
    assert client.token()


def test_paths_outside_the_site_are_not_served(served: Server) -> None:
    client = Client(served.url)
    client.login("anna")
    assert client.get("../../playbook.yml").status in (400, 404)
    assert client.get("%2e%2e/%2e%2e/playbook.yml").status == 404


def test_the_bodys_by_is_ignored_and_the_commit_author_is_the_signed_in_user(
    served: Server,
) -> None:
    reply = record_as(served.url, "anna", "warsaw", "2026-01-05", by="Mallory <m@evil.example>")
    assert reply.status == 201, reply.text
    root = served.root
    assert git(root, "log", "-1", "--format=%an <%ae>") == "Anna Kowalska <anna@northwind.example>"
    record = (root / reply.json()["path"]).read_text()
    assert "by: Anna Kowalska <anna@northwind.example>" in record
    assert "Mallory" not in record
    assert git(root, "show", "--name-only", "--format=", "HEAD") == reply.json()["path"]


def test_a_browser_session_records_with_its_csrf_token(served: Server) -> None:
    client = Client(served.url)
    client.login("bernd")
    body = {**DONE_BODY, "team": "berlin", "occurrence": "2026-01-12"}
    reply = client.post_json("api/records", body, token=client.token())
    assert reply.status == 201, reply.text
    assert git(served.root, "log", "-1", "--format=%an") == "Bernd Weber"


def test_an_admin_records_for_any_team(served: Server) -> None:
    reply = record_as(served.url, "boss", "berlin", "2026-01-19")
    assert reply.status == 201, reply.text


def test_recording_a_recorded_occurrence_again_is_the_engines_409(served: Server) -> None:
    assert record_as(served.url, "anna", "warsaw", "2026-02-09").status == 201
    before = _state(served.root)
    reply = record_as(served.url, "anna", "warsaw", "2026-02-09")
    assert _state(served.root) == before
    assert reply.status == 409
    assert reply.json()["problems"][0]["field"] == "amend"


def test_a_bad_occurrence_is_400(served: Server, unchanged: None) -> None:
    reply = record_as(served.url, "anna", "warsaw", "2026-02-30")
    assert reply.status == 400
    assert reply.json()["problems"][0]["field"] == "occurrence"


def test_the_site_is_rebuilt_after_a_record(served: Server) -> None:
    before = served.generation()
    client = Client(served.url)
    client.login("anna")
    recorded = '"by": "Anna Kowalska"'  # in the form's data, once the page knows the record
    assert recorded not in client.get(PAGE).text
    reply = record_as(served.url, "anna", "warsaw", "2026-11-23")
    assert reply.status == 201
    served.wait_for(lambda: served.generation() > before, what="a rebuild")
    served.wait_for(lambda: recorded in client.get(PAGE).text, what="the record on the page")


def test_the_access_log_names_the_user_and_never_the_password(served: Server) -> None:
    record_as(served.url, "anna", "warsaw", "2026-02-02")
    log = served.log.read_text()
    assert '127.0.0.1 anna "POST /api/records" 201' in log
    assert "correct horse battery" not in log


# ---- servers of their own ---------------------------------------------------------------


@pytest.fixture
def own(tmp_path: Path, env: dict[str, str]) -> tuple[Path, Path]:
    root = team_playbook(tmp_path / "playbook")
    return root, write_users(tmp_path / "users.json")


def test_failed_sign_ins_are_rate_limited_even_with_the_right_password_after(
    own: tuple[Path, Path], env: dict[str, str]
) -> None:
    root, users = own
    with running(root, users, env=env) as server:
        client = Client(server.url)
        statuses = [client.login("anna", "wrong password").status for _ in range(5)]
        assert statuses == [401] * 5
        limited = client.login("anna")
        assert limited.status == 429
        assert int(limited.headers["Retry-After"]) > 0
        assert record_as(server.url, "anna", "warsaw").status == 429


def test_a_trusted_proxys_user_header_signs_in_and_https_makes_cookies_secure(
    own: tuple[Path, Path], env: dict[str, str]
) -> None:
    root, users = own
    with running(root, users, "--trusted-proxy", "127.0.0.1", env=env) as server:
        client = Client(server.url)
        page = client.get(PAGE, {"X-Forwarded-User": "anna"})
        assert page.status == 200
        assert "Anna Kowalska" in page.text
        assert client.get(PAGE, {"X-Forwarded-User": "nobody"}).status == 303
        login = client.get("login", {"X-Forwarded-Proto": "https"})
        cookie = login.headers["Set-Cookie"]
        assert "Secure" in [flag.strip() for flag in cookie.split(";")]


def test_sigterm_finishes_the_recording_in_flight(
    own: tuple[Path, Path], env: dict[str, str], tmp_path: Path
) -> None:
    root, users = own
    bare = with_remote(root, tmp_path / "shared.git")
    # A slow remote keeps the recording (commit, then push) in flight for a while.
    git(root, "config", "remote.origin.receivepack", "sleep 2; git-receive-pack")
    server = start_server(root, users, "--push", "origin", env=env)
    replies: list[Reply] = []
    thread = threading.Thread(
        target=lambda: replies.append(record_as(server.url, "anna", "warsaw", "2026-03-02"))
    )
    thread.start()
    server.wait_for(lambda: server.health()["recording"] == 1, 10, "the recording in flight")
    server.process.send_signal(signal.SIGTERM)
    thread.join(30)
    assert server.process.wait(timeout=30) == 0
    assert replies and replies[0].status == 201, replies and replies[0].text
    commit = replies[0].json()["commit"]
    assert git(root, "rev-parse", "HEAD") == commit
    assert git(bare, "rev-parse", "main") == commit  # pushed before the server exited
    assert git(root, "status", "--porcelain") == ""
    assert "stopping: finishing the recordings in flight" in server.log.read_text()


def test_users_added_while_running_can_sign_in_without_a_restart(
    own: tuple[Path, Path], env: dict[str, str]
) -> None:
    from playbook.server.users import User as ServerUser
    from playbook.server.users import UsersFile, hash_password

    root, users = own
    with running(root, users, env=env) as server:
        time.sleep(0.05)  # a new mtime
        changed = UsersFile.read(users)
        changed.add(
            ServerUser(
                "carla",
                "Carla",
                "carla@example.com",
                ("warsaw",),
                False,
                hash_password("another long one"),
            )
        )
        changed.write()
        assert Client(server.url).login("carla", "another long one").status == 303


def test_the_server_finds_its_playbook_from_a_subfolder(
    own: tuple[Path, Path], env: dict[str, str]
) -> None:
    root, users = own
    with running(root, users, env=env, cwd=root / "roles") as server:
        assert record_as(server.url, "anna", "warsaw", "2026-03-16").status == 201
    assert git(root, "log", "-1", "--format=%an") == "Anna Kowalska"


@pytest.mark.parametrize(
    ("users_text", "options", "code", "message"),
    [
        (
            '{"users": [\n  {"id": "anna",,}\n]}',
            [],
            1,
            "users.json:2:17: the users file is not valid JSON",
        ),
        (None, [], 1, "users.json: no users file here"),
        (
            "",
            ["--push", "upstream"],
            1,
            "--push: the playbook's repository has no remote 'upstream'",
        ),
        (
            "",
            ["--trusted-proxy", "proxy.example"],
            2,
            "'proxy.example' is not an address or network",
        ),
        ("", ["--remind-at", "8am"], 2, "write the time as HH:MM"),
    ],
    ids=["bad JSON", "missing", "unknown remote", "bad proxy address", "bad reminder time"],
)
def test_a_server_that_cannot_start_says_why_in_one_message(
    own: tuple[Path, Path],
    tmp_path: Path,
    users_text: str | None,
    options: list[str],
    code: int,
    message: str,
) -> None:
    import subprocess
    import sys

    root, users = own
    if users_text is None:
        users.unlink()
    elif users_text:
        users.write_text(users_text)
    done = subprocess.run(
        [sys.executable, "-m", "playbook", "server", "--users", str(users), "--port", "0", *options],
        cwd=root, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_users_file_inside_the_repository_stops_the_server(
    own: tuple[Path, Path], env: dict[str, str]
) -> None:
    import subprocess
    import sys

    root, users = own
    inside = root.parent / "inside.json"
    inside.write_bytes(users.read_bytes())
    target = root / "users.json"
    inside.rename(target)
    done = subprocess.run(
        [sys.executable, "-m", "playbook", "server", "--users", "users.json", "--port", "0"],
        cwd=root, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "inside the playbook's repository" in done.stderr


def test_a_broken_playbook_is_a_located_problem_and_the_last_site_stays_served(
    own: tuple[Path, Path], env: dict[str, str]
) -> None:
    root, users = own
    with running(root, users, env=env) as server:
        client = Client(server.url)
        client.login("anna")
        settings = root / "playbook.yml"
        settings.write_text(settings.read_text() + "\nteams: [\n")  # as if a pull brought it
        mine = client.get("my/")
        assert mine.status == 500
        assert mine.json()["problems"][0]["where"].startswith("playbook.yml:")
        assert record_as(server.url, "anna", "warsaw", "2026-03-23").status == 422
        assert client.get(PAGE).status == 200
        assert "Traceback" not in server.log.read_text()
