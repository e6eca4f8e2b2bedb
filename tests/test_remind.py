"""`playbook remind` against a real SMTP server (aiosmtpd): the right digest to the right people, once."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from playbook.cli import main

from .teamserver import (
    free_port,
    git_env,
    record_as,
    running,
    team_playbook,
    write_users,
)

# A Monday, an hour after the weekly review was due (due today) and two days after
# the month-end review of the 28th (overdue).
NOW = "2026-11-30T10:00+01:00"
SITE = "https://playbook.northwind.example"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in {**git_env(tmp_path / "home"), "PLAYBOOK_NOW": NOW}.items():
        monkeypatch.setenv(name, value)
    root = team_playbook(tmp_path / "playbook")
    monkeypatch.chdir(root)
    return root


def _remind(log: Path, port: int | None, *extra: str) -> Result:
    args = ["remind", "--site-url", SITE, "--reminder-log", str(log), *extra]
    if port is None:
        args.append("--dry-run")
    else:
        args += ["--smtp-host", "127.0.0.1", "--smtp-port", str(port)]
        args += ["--smtp-from", "Playbook <playbook@northwind.example>"]
    return CliRunner().invoke(main, args)


def _body(message: Message) -> str:
    return message.get_payload(decode=True).decode()


def test_each_owner_gets_one_digest_of_their_teams_due_and_overdue_reviews(
    root: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    result = _remind(tmp_path / "reminders.jsonl", port)
    assert result.exit_code == 0, result.output
    assert sorted(m["To"] for m in inbox.messages) == [
        "Anna Kowalska <anna@northwind.example>",
        "Bernd Weber <bernd@northwind.example>",
    ]
    anna = inbox.to("anna@")[0]
    assert anna["Subject"] == "Our Sales Playbook: 1 overdue, 1 due today"
    body = _body(anna)
    assert "Weekly pipeline review (Warsaw pod), due Mon 30 Nov 2026 09:00" in body
    assert "Month-end review (Warsaw pod), OVERDUE Sat 28 Nov 2026 15:00" in body
    assert f"{SITE}/checklists/weekly-pipeline-review/" in body
    assert "Berlin" not in body


def test_a_reminder_is_sent_once_per_occurrence_and_person(
    root: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    log = tmp_path / "reminders.jsonl"
    _remind(log, port)
    sent = len(inbox.messages)
    again = _remind(log, port)
    assert again.exit_code == 0
    assert len(inbox.messages) == sent
    assert "Sent 0 digests." in again.output
    assert len(log.read_text().splitlines()) == 4  # two reviews × two managers


def test_a_recorded_review_is_not_reminded(
    root: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    subprocess.run(
        [sys.executable, "-m", "playbook", "check", "weekly-pipeline-review", "--team", "warsaw",
         "--all", "--metric", "new-leads=3"],
        cwd=root, check=True, capture_output=True,
    )  # fmt: skip
    _remind(tmp_path / "reminders.jsonl", port)
    body = _body(inbox.to("anna@")[0])
    assert "Weekly pipeline review" not in body
    assert "Month-end review" in body


def test_dry_run_prints_the_messages_and_sends_and_logs_nothing(
    root: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    log = tmp_path / "reminders.jsonl"
    result = _remind(log, None)
    assert result.exit_code == 0, result.output
    assert "To: Anna Kowalska <anna@northwind.example>" in result.output
    assert "Would send 2 digests." in result.output
    assert inbox.messages == []
    assert not log.exists()


def test_the_reminder_log_inside_the_repository_is_refused(root: Path) -> None:
    result = _remind(root / "reminders.jsonl", None)
    assert result.exit_code == 1
    assert "inside the playbook's repository" in result.output


def test_an_unreachable_mail_server_is_one_located_error(root: Path, tmp_path: Path) -> None:
    log = tmp_path / "reminders.jsonl"
    result = _remind(log, free_port())
    assert result.exit_code == 1
    assert "--smtp-host: the mail server 127.0.0.1:" in result.output
    assert "Traceback" not in result.output
    assert not log.exists()


def test_a_broken_reminder_log_line_is_located(root: Path, tmp_path: Path) -> None:
    log = tmp_path / "reminders.jsonl"
    log.write_text('{"key": "a", "sent": "x"}\nnot json\n')
    result = _remind(log, None)
    assert result.exit_code == 1
    assert (
        f"{os.path.relpath(log)}:2:1: this line of the reminder log is not a reminder"
        in result.output
    )


def test_the_server_sends_the_reminders_daily_when_configured(
    root: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    users = write_users(tmp_path / "users.json")
    log = tmp_path / "reminders.jsonl"
    options = ["--remind-at", "08:00", "--site-url", SITE, "--reminder-log", str(log),
               "--smtp-host", "127.0.0.1", "--smtp-port", str(port),
               "--smtp-from", "playbook@northwind.example"]  # fmt: skip
    with running(root, users, *options, env=dict(os.environ)) as server:
        server.wait_for(lambda: len(inbox.messages) == 2, 30, "the reminders")
        # Recording does not resend anything already sent.
        assert record_as(server.url, "anna", "warsaw").status == 201
    time.sleep(0.2)
    assert len(inbox.messages) == 2
    assert len(log.read_text().splitlines()) == 4


def test_remind_finds_the_playbook_from_a_subfolder(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(root / "checklists")
    result = _remind(tmp_path / "reminders.jsonl", None)
    assert result.exit_code == 0, result.output
    assert "Would send 2 digests." in result.output
