"""Shared fixtures: a small valid playbook that each test bends into the shape it needs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

# The smallest playbook that exercises every cross-reference: a manager, an SDR who
# reports to them, hands off to an account executive and has an onboarding plan,
# and one weekly checklist.
VALID_PLAYBOOK: dict[str, str] = {
    "playbook.yml": """\
title: Test Playbook
timezone: Europe/Warsaw
funnel:
  - id: prospecting
    title: Prospecting
  - id: closing
    title: Closing
""",
    "roles/sales-manager.yml": """\
title: Sales Manager
summary: Leads the team.
responsibilities:
  - area: Team
    items: [Coach the team]
""",
    "roles/sdr.yml": """\
title: Sales Development Representative
aliases: [SDR, BDR]
summary: Finds and qualifies leads.
reports_to: sales-manager
responsibilities:
  - area: Prospecting
    items: [Research accounts]
funnel_stages: [prospecting]
handoffs:
  - to: account-executive
    when: qualified lead
    criteria: [Need confirmed]
    handover: [CRM record]
onboarding:
  - phase: First week
    due: 7d
    tasks:
      - id: crm-access
        text: Get CRM access
""",
    "roles/account-executive.yml": """\
title: Account Executive
summary: Closes deals.
reports_to: sales-manager
responsibilities:
  - area: Closing
    items: [Run demos]
""",
    "checklists/monday-kickoff.yml": """\
title: Monday kick-off
purpose: Start the week with a clean pipeline.
owners: [sales-manager]
cadence: every monday at 09:00
sections:
  - title: Pipeline
    items:
      - id: next-steps
        text: Every open deal has a next step
""",
    "docs/index.md": "# Test Playbook\n",
}

FileContent = str | bytes | None
MakePlaybook = Callable[..., Path]


@pytest.fixture
def make_playbook(tmp_path: Path) -> MakePlaybook:
    """Return `make(files=None, root=None) -> Path` writing the valid playbook plus `files`.

    `files` maps a path relative to the playbook root to its new text (or bytes);
    None removes the file from the valid playbook.
    """

    def make(files: Mapping[str, FileContent] | None = None, root: Path | None = None) -> Path:
        root = root or tmp_path / "playbook"
        contents: dict[str, FileContent] = {**VALID_PLAYBOOK, **(files or {})}
        for relative, content in contents.items():
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

    return make
