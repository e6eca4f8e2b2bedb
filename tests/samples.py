"""The YAML building blocks of the tests' sample playbooks, and the one way they are written.

Each sample playbook (conftest.py, gitfixtures.py, test_audit.py, test_ical.py) is put
together from these pieces; where a sample differs, the difference is spelled out where
that sample is defined.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

FileContent = str | bytes | None

USER_NAME = "Anna Kowalska"
USER_EMAIL = "anna@example.com"


def settings(title: str, *lines: str, stages: tuple[str, ...] = ("prospecting",)) -> str:
    """playbook.yml: the title, then `lines` as they are, then a funnel of `stages`."""
    funnel = "".join(f"  - id: {stage}\n    title: {stage.capitalize()}\n" for stage in stages)
    return "".join(f"{line}\n" for line in (f"title: {title}", *lines)) + "funnel:\n" + funnel


def warsaw_pod(settings: str = "", anna: str = "", others: str = "") -> str:
    """The `teams:` entry of the Warsaw pod, managed by Anna Kowalska, a sales manager.

    `settings` are the team's own (before its manager), `anna` adds to her entry and
    `others` are more members, each written without the indentation of its place.
    """
    return (
        "  - id: warsaw\n    name: Warsaw pod\n"
        + textwrap.indent(settings, " " * 4)
        + "    manager: anna\n    members:\n"
        + f"      - id: anna\n        name: {USER_NAME}\n        email: {USER_EMAIL}\n"
        + "        role: sales-manager\n"
        + textwrap.indent(anna, " " * 8)
        + textwrap.indent(others, " " * 6)
    )


SALES_MANAGER = """\
title: Sales Manager
summary: Leads the team.
responsibilities:
  - area: Team
    items: [Coach the team]
"""


def sdr(
    summary: str = "Finds and qualifies leads.",
    *,
    aliases: str = "",
    middle: str = "",
    tasks: str = "",
) -> str:
    """roles/sdr.yml: an SDR reporting to the sales manager, with a first-week onboarding plan.

    `aliases` goes before the summary, `middle` between the responsibilities and the
    onboarding plan, and `tasks` after its one task (crm-access).
    """
    return f"""\
title: Sales Development Representative
{aliases}summary: {summary}
reports_to: sales-manager
responsibilities:
  - area: Prospecting
    items: [Research accounts]
{middle}onboarding:
  - phase: First week
    due: 7d
    tasks:
      - id: crm-access
        text: Get CRM access
{tasks}"""


# The weekly kick-off; a sample that wants more items appends them (it ends in its item list).
MONDAY_KICKOFF = """\
title: Monday kick-off
purpose: Start the week with a clean pipeline.
owners: [sales-manager]
cadence: every monday at 09:00
sections:
  - title: Pipeline
    items:
      - id: next-steps
        text: Every open deal has a next step
"""


def write_files(root: Path, files: Mapping[str, FileContent]) -> Path:
    """Write `files` (relative path to text or bytes) under `root`; None removes a file."""
    for relative, content in files.items():
        path = root / relative
        if content is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root
