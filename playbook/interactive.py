"""Walk a manager through a checklist on the terminal: items, skips, metrics, confirm.

The occurrence is picked (and shown, with why) before the first question; a
partial record of it pre-fills every answer. Nothing is written until the
final confirmation, so Ctrl-C or end of input at any prompt leaves no trace.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import click

from . import clock
from .errors import PlaybookError
from .load import load_playbook
from .metrics import parse_metric
from .model import Metric, Section
from .recording import CheckRequest, prepare_record
from .records import Record

REQUIRED_MARK = "*"
# Only to preview the record: the real signature is set when it is recorded.
PREVIEW_BY = "preview <preview@localhost>"


def fill_interactively(
    root: Path, request: CheckRequest, now: datetime | None = None
) -> CheckRequest:
    playbook = load_playbook(root)
    moment = now or clock.now(playbook.timezone)
    preview = prepare_record(
        playbook, replace(request, partial=True), moment, request.by or PREVIEW_BY
    )
    checklist, previous = preview.checklist, preview.previous
    click.secho(f"{checklist.title} — {checklist.cadence.words()}", bold=True)
    click.echo(f"Recording {preview.picked} for {preview.unit.name}.")
    if previous is not None:
        click.echo("Answers start from the partial record already saved for it.")
    click.echo(f"Items and metrics marked {REQUIRED_MARK} are required.")
    done, skipped = _ask_items(checklist.sections, previous)
    metrics = dict(request.metrics)
    if checklist.metrics:
        click.secho("\nMetrics", underline=True)
    for metric in checklist.metrics:
        if metric.id not in metrics:
            default = str(previous.metrics.get(metric.id, "")) if previous else ""
            raw = _ask_metric(metric, default)
            if raw:
                metrics[metric.id] = raw
    note = click.prompt(
        "\nNote (optional)",
        default=request.note or (previous.note if previous else ""),
        show_default=False,
    )
    open_required = [
        i.id for i in checklist.items if i.required and i.id not in done and i.id not in skipped
    ]
    partial = bool(open_required)
    click.echo(
        f"\n{len(done)} done, {len(skipped)} skipped, {len(metrics)} metrics"
        + (f"; still open: {', '.join(open_required)} (saved as partial)" if partial else "")
    )
    if not click.confirm("Record it?", default=True):
        raise PlaybookError.at("playbook check", "nothing recorded", "run it again when ready")
    return replace(
        request,
        occurrence=preview.record.occurrence,
        done=done,
        skipped=skipped,
        metrics=metrics,
        note=note,
        partial=partial or request.partial,
    )


def _ask_items(
    sections: tuple[Section, ...], previous: Record | None
) -> tuple[list[str], dict[str, str]]:
    before = {state.id: state for state in previous.items} if previous else {}
    done: list[str] = []
    skipped: dict[str, str] = {}
    for section in sections:
        click.secho(f"\n{section.title}", underline=True)
        for item in section.items:
            mark = f" {REQUIRED_MARK}" if item.required else ""
            earlier = before.get(item.id)
            default = "d" if earlier is None or earlier.done else "s"
            answer = click.prompt(
                f"  {item.text}{mark}  [d]one / [s]kip / [l]ater",
                type=click.Choice(["d", "s", "l"]),
                default=default,
                show_choices=False,
            )
            if answer == "d":
                done.append(item.id)
            elif answer == "s":
                reason = earlier.reason if earlier and not earlier.done else None
                skipped[item.id] = click.prompt(
                    "    why skipped", type=str, default=reason or None, value_proc=_reason
                )
    return done, skipped


def _reason(raw: str) -> str:
    if not raw.strip():
        raise click.BadParameter("a skipped item needs a reason")
    return raw.strip()


def _ask_metric(metric: Metric, default: str) -> str:
    """One metric's value; a blank required one is asked again on the spot."""
    unit = f" ({metric.unit})" if metric.unit else ""
    mark = f" {REQUIRED_MARK}" if metric.required else ""

    def check(raw: str) -> str:
        if not raw.strip():
            if metric.required:
                raise click.BadParameter(f"{metric.label} is required")
            return ""
        try:
            parse_metric(metric, raw)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
        return raw.strip()

    return click.prompt(
        f"  {metric.label}{unit}{mark}",
        default=default,
        show_default=bool(default),
        value_proc=check,
    )
