"""`playbook remind`: each owner gets one short digest of what is due today and overdue.

Who owns an occurrence: the members of its team (a person's team, for
per-person checklists) whose role or id the checklist names in `owners`, else
the team's manager. Each reminder is sent once per occurrence and person: the
reminder log (JSON lines, outside the repository) remembers what was sent.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from enum import StrEnum
from pathlib import Path

from ..errors import PlaybookError
from ..load import load_playbook
from ..model import Person, Playbook
from ..records import load_records
from ..site.pages import checklist_path
from ..status import RECENT, OccurrenceStatus, Summary, Unit, collect


class Security(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 25
    sender: str = ""
    user: str = ""
    password: str = ""
    security: Security = Security.NONE


@dataclass(frozen=True)
class Reminder:
    key: str  # checklist/unit/occurrence/e-mail: what "once" means
    checklist: str
    unit: str
    line: str


@dataclass(frozen=True)
class Digest:
    person: Person
    reminders: tuple[Reminder, ...]
    overdue: int

    def message(self, sender: str, title: str) -> EmailMessage:
        due = len(self.reminders) - self.overdue
        counts = [f"{n} {what}" for n, what in ((self.overdue, "overdue"), (due, "due today")) if n]
        message = EmailMessage()
        message["From"] = sender
        message["To"] = f"{self.person.name} <{self.person.email}>"
        message["Subject"] = f"{title}: {', '.join(counts)}"
        lines = [f"Hello {self.person.name},", "", "Reviews waiting for you:", ""]
        lines += [r.line for r in self.reminders]
        lines += ["", "Open a link, tick the checklist and press Record."]
        message.set_content("\n".join(lines) + "\n")
        return message


def owners(playbook: Playbook, summary: Summary) -> list[Person]:
    unit: Unit = summary.unit
    if unit.kind == "playbook":
        teams = list(playbook.teams.values())
    else:
        team_id = unit.id if unit.kind == "team" else playbook.people[unit.id].team
        teams = [playbook.teams[team_id]]
    found = []
    for team in teams:
        named = [
            p
            for p in team.members
            if p.role in summary.checklist.owners or p.id in summary.checklist.owners
        ]
        if not named and team.manager in playbook.people:
            named = [playbook.people[team.manager]]
        found += named
    return [p for p in found if p.email]


def _line(playbook: Playbook, summary: Summary, status: OccurrenceStatus, site_url: str) -> str:
    state = "OVERDUE" if status.overdue else "due"
    link = site_url.rstrip("/") + "/" + checklist_path(summary.checklist).removesuffix(".md") + "/"
    when = f"{status.occurrence.due:%a %d %b %Y %H:%M}"
    return f"- {summary.checklist.title} ({summary.unit.name}), {state} {when}\n  {link}"


def digests(playbook: Playbook, now: datetime, site_url: str, sent: set[str]) -> list[Digest]:
    """What each owner should hear about now and has not heard about yet."""
    summaries = collect(playbook, load_records(playbook.root).index(), now, recent=RECENT)
    waiting: dict[str, list[tuple[Reminder, bool]]] = defaultdict(list)
    people: dict[str, Person] = {}
    for summary in summaries:
        for status in summary.open:
            today = now.astimezone(status.occurrence.due.tzinfo).date()
            if not status.overdue and status.occurrence.due.date() != today:
                continue
            for person in owners(playbook, summary):
                key = "/".join(
                    (
                        summary.checklist.id,
                        summary.unit.id,
                        status.occurrence.key.isoformat(),
                        person.email,
                    )
                )
                if key in sent:
                    continue
                people[person.email] = person
                line = _line(playbook, summary, status, site_url)
                waiting[person.email].append(
                    (Reminder(key, summary.checklist.id, summary.unit.id, line), status.overdue)
                )
    return [
        Digest(people[email], tuple(r for r, _ in found), sum(o for _, o in found))
        for email, found in sorted(waiting.items())
    ]


class ReminderLog:
    """One JSON line per reminder sent; appended and flushed after each message."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def sent(self) -> set[str]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return set()
        keys = set()
        for number, line in enumerate(lines, 1):
            try:
                keys.add(json.loads(line)["key"])
            except (ValueError, KeyError, TypeError):
                raise PlaybookError.at(
                    self.path,
                    "this line of the reminder log is not a reminder",
                    'fix or delete the line; every line is {"key": ..., "sent": ...}',
                    number,
                    1,
                ) from None
        return keys

    def add(self, digest: Digest, at: datetime) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            for reminder in digest.reminders:
                handle.write(json.dumps({"key": reminder.key, "sent": at.isoformat()}) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


def send_reminders(
    root: Path,
    log_path: Path,
    site_url: str,
    smtp: Smtp | None,
    now: datetime | None = None,
) -> list[Digest]:
    """Send (or, without `smtp`, only return) each owner's digest; log each one sent."""
    from .. import clock

    playbook = load_playbook(root)
    moment = now or clock.now(playbook.timezone)
    log = ReminderLog(log_path)
    found = digests(playbook, moment, site_url, log.sent())
    if smtp is None or not found:
        return found
    try:
        with _connect(smtp) as connection:
            for digest in found:
                connection.send_message(digest.message(smtp.sender, playbook.title))
                log.add(digest, moment)
    except (smtplib.SMTPException, OSError) as exc:
        raise PlaybookError.at(
            "--smtp-host",
            f"the mail server {smtp.host}:{smtp.port} did not take the reminders: {exc}",
            "check the SMTP settings; reminders not sent are sent on the next run",
        ) from None
    return found


def _connect(smtp: Smtp) -> smtplib.SMTP:
    if smtp.security is Security.TLS:
        connection: smtplib.SMTP = smtplib.SMTP_SSL(
            smtp.host, smtp.port, context=ssl.create_default_context(), timeout=30
        )
    else:
        connection = smtplib.SMTP(smtp.host, smtp.port, timeout=30)
        if smtp.security is Security.STARTTLS:
            connection.starttls(context=ssl.create_default_context())
    if smtp.user:
        connection.login(smtp.user, smtp.password)
    return connection
