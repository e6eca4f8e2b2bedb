"""Shared fixtures: a small valid playbook that each test bends into the shape it needs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from .samples import MONDAY_KICKOFF, SALES_MANAGER, FileContent, sdr, settings, write_files

# The smallest playbook that exercises every cross-reference: a manager, an SDR who
# reports to them, hands off to an account executive and has an onboarding plan,
# and one weekly checklist.
VALID_PLAYBOOK: dict[str, str] = {
    "playbook.yml": settings(
        "Test Playbook", "timezone: Europe/Warsaw", stages=("prospecting", "closing")
    ),
    "roles/sales-manager.yml": SALES_MANAGER,
    # This SDR has aliases and a hand-off, which the other samples' SDRs do not.
    "roles/sdr.yml": sdr(
        aliases="aliases: [SDR, BDR]\n",
        middle="""\
funnel_stages: [prospecting]
handoffs:
  - to: account-executive
    when: qualified lead
    criteria: [Need confirmed]
    handover: [CRM record]
""",
    ),
    "roles/account-executive.yml": """\
title: Account Executive
summary: Closes deals.
reports_to: sales-manager
responsibilities:
  - area: Closing
    items: [Run demos]
""",
    "checklists/monday-kickoff.yml": MONDAY_KICKOFF,
    "docs/index.md": "# Test Playbook\n",
}

MakePlaybook = Callable[..., Path]


@pytest.fixture
def make_playbook(tmp_path: Path) -> MakePlaybook:
    """Return `make(files=None, root=None) -> Path` writing the valid playbook plus `files`.

    `files` maps a path relative to the playbook root to its new text (or bytes);
    None removes the file from the valid playbook.
    """

    def make(files: Mapping[str, FileContent] | None = None, root: Path | None = None) -> Path:
        root = root or tmp_path / "playbook"
        return write_files(root, {**VALID_PLAYBOOK, **(files or {})})

    return make
