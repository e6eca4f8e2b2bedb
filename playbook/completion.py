"""When a record counts as complete: the one rule the engine and the browser form share.

`recording.prepare_record` judges a request with `is_complete`, and the form on
a static site receives `rule(checklist)` in its page, so the YAML and command it
offers say "done" or "partial" exactly as the engine would.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .model import Checklist

# A required item skipped with a reason is accounted for: the record can be done.
SKIP_COUNTS_AS_DONE = True


def required_items(checklist: Checklist) -> list[str]:
    return [item.id for item in checklist.items if item.required]


def required_metrics(checklist: Checklist) -> list[str]:
    return [metric.id for metric in checklist.metrics if metric.required]


def is_complete(
    checklist: Checklist,
    done: Collection[str],
    skipped: Collection[str],
    metrics: Collection[str],
    partial: bool,
) -> bool:
    """Every required item done (or skipped), every required metric given, not saved as partial."""
    accounted = {*done, *skipped} if SKIP_COUNTS_AS_DONE else set(done)
    return (
        not partial
        and all(item_id in accounted for item_id in required_items(checklist))
        and all(metric_id in metrics for metric_id in required_metrics(checklist))
    )


def rule(checklist: Checklist) -> dict[str, Any]:
    """`is_complete` as data, for the form's static pages."""
    return {
        "skip_counts_as_done": SKIP_COUNTS_AS_DONE,
        "required_items": required_items(checklist),
        "required_metrics": required_metrics(checklist),
    }
