"""Walk a manager through a checklist on the terminal: items, skips, metrics, confirm."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from .errors import PlaybookError
from .load import load_playbook
from .metrics import parse_metric
from .recording import CheckRequest, find_checklist


def fill_interactively(root: Path, request: CheckRequest) -> CheckRequest:
    checklist = find_checklist(load_playbook(root), request.checklist)
    click.secho(f"{checklist.title} — {checklist.cadence.words()}", bold=True)
    done: list[str] = []
    skipped: dict[str, str] = {}
    for section in checklist.sections:
        click.secho(f"\n{section.title}", underline=True)
        for item in section.items:
            optional = " (optional)" if not item.required else ""
            answer = click.prompt(
                f"  {item.text}{optional}  [d]one / [s]kip / [l]ater",
                type=click.Choice(["d", "s", "l"]),
                default="d",
                show_choices=False,
            )
            if answer == "d":
                done.append(item.id)
            elif answer == "s":
                skipped[item.id] = click.prompt("    why skipped", type=str)
    metrics = dict(request.metrics)
    if checklist.metrics:
        click.secho("\nMetrics", underline=True)
    for metric in checklist.metrics:
        if metric.id in metrics:
            continue
        unit = f" ({metric.unit})" if metric.unit else ""

        def check(raw: str, metric=metric) -> str:  # type: ignore[no-untyped-def]
            if raw.strip():
                try:
                    parse_metric(metric, raw)
                except ValueError as exc:
                    raise click.BadParameter(str(exc)) from None
            return raw

        raw = click.prompt(
            f"  {metric.label}{unit}", default="", show_default=False, value_proc=check
        )
        if raw.strip():
            metrics[metric.id] = raw
    note = click.prompt("\nNote (optional)", default=request.note, show_default=False)
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
        done=done,
        skipped=skipped,
        metrics=metrics,
        note=note,
        partial=partial or request.partial,
    )
