"""One completion rule: the engine's verdict and the rule the form's page carries agree."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from playbook import completion
from playbook.load import load_playbook
from playbook.model import Playbook
from playbook.recording import CheckRequest, prepare_record
from playbook.site import form

from .gitfixtures import IDENTITY, WEEKLY, at, playbook_dir  # noqa: F401

NOW = at("2026-11-23", "10:00")


@pytest.fixture
def sample(playbook_dir: Path) -> Playbook:  # noqa: F811
    return load_playbook(playbook_dir)


def _engine_says(playbook: Playbook, request: CheckRequest, now: datetime = NOW) -> bool:
    return prepare_record(playbook, request, now, IDENTITY).record.complete


def test_a_skipped_required_item_leaves_the_record_done(sample: Playbook) -> None:
    checklist = sample.checklists[WEEKLY]
    [first, *others] = completion.required_items(checklist)
    request = CheckRequest(
        WEEKLY,
        team="warsaw",
        done=others,
        skipped={first: "no deals this week"},
        metrics={m: "1" for m in completion.required_metrics(checklist)},
    )
    assert _engine_says(sample, request) is True


def test_the_forms_rule_is_the_engines(sample: Playbook) -> None:
    checklist = sample.checklists[WEEKLY]
    data = form.spec(checklist, [], "0" * 40, None, NOW)
    assert data["completion"] == completion.rule(checklist)
    assert data["completion"]["skip_counts_as_done"] is completion.SKIP_COUNTS_AS_DONE
    optional = {i.id for i in checklist.items if not i.required}
    assert optional and not optional & set(data["completion"]["required_items"])
