"""What was done: the dashboard, each checklist's recent history and onboarding progress.

Everything here comes from completion records, so every value is escaped,
and the sections are kept out of the search index (raw records are not
something a reader should find by searching).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from markupsafe import Markup

from ..metrics import format_value
from ..model import Checklist, Playbook
from ..status import OccurrenceStatus, State, Summary
from . import templates
from .markdown import cell, front_matter, link, table, text

DASHBOARD = "dashboard.md"
HISTORY_LENGTH = 12
COLOURS = {
    State.DONE: "#2e7d32",
    State.LATE: "#f9a825",
    State.MISSED: "#c62828",
    State.DUE: "#1565c0",
    State.UPCOMING: "#9e9e9e",
}
LABELS = {
    State.DONE: "done",
    State.LATE: "late",
    State.MISSED: "missed",
    State.DUE: "due",
    State.UPCOMING: "upcoming",
}


def _label(status: OccurrenceStatus) -> str:
    return "overdue" if status.overdue else LABELS[status.state]


def _name(by: str) -> str:
    """The name of who recorded, without the e-mail address."""
    return by.split("<")[0].strip()


def _rate(summary: Summary) -> str:
    return f"{summary.on_time_rate:.0%}" if summary.on_time_rate is not None else "—"


def strip(history: list[OccurrenceStatus]) -> str:
    """A small SVG: one square per occurrence, coloured by state, oldest on the left."""
    size, gap = 14, 3
    width = max(len(history), 1) * (size + gap)
    squares = []
    for index, status in enumerate(history):
        colour = "#ef6c00" if status.overdue else COLOURS[status.state]
        tip = f"{status.occurrence.key:%a %d %b %Y}: {_label(status)}"
        squares.append(
            f'<rect x="{index * (size + gap)}" y="0" width="{size}" height="{size}" rx="3" '
            f'fill="{colour}"><title>{text(tip)}</title></rect>'
        )
    return (
        f'<svg class="playbook-strip" width="{width}" height="{size}" viewBox="0 0 {width} {size}" '
        f'role="img" aria-label="recent occurrences">{"".join(squares)}</svg>'
    )


def legend() -> str:
    items = [*LABELS.items()]
    parts = [
        f'<span style="color:{COLOURS[state]}">&#9632;</span> {label}' for state, label in items
    ]
    return '<small class="playbook-legend">' + " &nbsp; ".join(parts) + "</small>\n\n"


def checklist_history(mine: list[Summary], calendar_link: str) -> str:
    """The history section of a checklist page: a strip and a table per team or person.

    Every heading carries its own `data-search-exclude` (Material excludes a
    section, not the subsections under it), and the rows are a raw HTML block
    inside an excluded element, so no record text reaches the search index.
    """
    out = ["## History { data-search-exclude }\n\n"]
    if not mine:
        out.append("No team or person records this checklist yet: add teams to `playbook.yml`.\n\n")
    for summary in mine:
        recent = [h for h in summary.history if h.state is not State.UPCOMING][-HISTORY_LENGTH:]
        out.append(f"### {text(summary.unit.name)} {{ data-search-exclude }}\n\n")
        out.append(
            templates.render(
                "history.html",
                strip=Markup(strip(recent)),
                rate=_rate(summary),
                streak=summary.streak,
                next=f"{summary.next_due.due:%a %d %b %Y, %H:%M}" if summary.next_due else "",
                rows=[_row(summary.checklist, status) for status in reversed(recent)],
            )
            + "\n"
        )
    out.append(legend())
    out.append(f"[:material-calendar: Subscribe in your calendar (.ics)]({calendar_link})\n")
    return "".join(out)


def _row(checklist: Checklist, status: OccurrenceStatus) -> dict[str, object]:
    """One history row as plain values; the template escapes them."""
    record = status.record
    occurrence = status.occurrence
    moved = f" (moved: {occurrence.holiday})" if occurrence.moved_from else ""
    return {
        "occurrence": f"{occurrence.key:%a %d %b %Y}{moved}",
        "state": _label(status) + (" (partial)" if record and not record.complete else ""),
        "by": _name(record.by) if record else "—",
        "recorded": f"{record.completed_at:%d %b %H:%M}" if record else "—",
        "metrics": metric_values(checklist, record.metrics) if record else [],
        "note": record.note if record else "",
    }


def metric_values(checklist: Checklist, values: dict[str, Any]) -> list[tuple[str, str]]:
    """A record's metrics as (label, shown value), in the checklist's order, money as money."""
    by_id = {metric.id: metric for metric in checklist.metrics}
    known = [m.id for m in checklist.metrics if m.id in values]
    unknown = [metric_id for metric_id in values if metric_id not in by_id]
    return [
        (by_id[i].label if i in by_id else i, format_value(by_id.get(i), values[i]))
        for i in known + unknown
    ]


def dashboard(
    playbook: Playbook, summaries: list[Summary], now: datetime, page_of: dict[str, str]
) -> str:
    """Every checklist × team, overdue first, as of the build."""
    out = [
        front_matter(title="Dashboard", tags=["Checklist"], search={"exclude": True}),
        "# Dashboard\n\n",
    ]
    overdue = sum(s.overdue for s in summaries)
    open_count = sum(bool(s.open) for s in summaries)
    out.append(
        f"As of **{now:%A %d %B %Y, %H:%M %Z}** (when this site was built): "
        f"**{overdue}** overdue, **{open_count}** open, {len(summaries)} tracked.\n\n"
    )
    if not summaries:
        out.append(
            "Nothing is tracked yet: add teams to `playbook.yml` and record with `playbook check`.\n"
        )
        return "".join(out)
    rows = []
    for s in summaries:
        recent = [h for h in s.history if h.state is not State.UPCOMING][-HISTORY_LENGTH:]
        state = "**overdue**" if s.overdue else ("due" if s.open else "up to date")
        rows.append(
            (
                state,
                link(s.checklist.title, page_of[s.checklist.id]),
                cell(s.unit.name),
                strip(recent),
                f"{s.last_done.occurrence.key:%d %b %Y} ({LABELS[s.last_done.state]})"
                if s.last_done
                else "—",
                f"{s.next_due.due:%a %d %b, %H:%M}" if s.next_due else "—",
                _rate(s),
            )
        )
    out.append(
        table(
            ["State", "Checklist", "For", "Last 12", "Last done", "Next due", "On time (90 d)"],
            rows,
        )
    )
    out.append("\n" + legend())
    return "".join(out)


def onboarding_progress(
    playbook: Playbook, summaries: list[Summary], page_of: dict[str, str]
) -> str:
    """Each new hire's onboarding: tasks done out of all, and whether it is on time."""
    people = [s for s in summaries if s.checklist.onboarding_for and s.unit.kind == "person"]
    if not people:
        return ""
    out = ["## Progress of new hires { data-search-exclude }\n\n"]
    rows = []
    for s in people:
        total = len(s.checklist.items)
        latest = s.history[-1] if s.history else None
        record = latest.record if latest else None
        done = sum(item.done for item in record.items) if record else 0
        percent = round(100 * done / total) if total else 0
        bar = f'<progress max="100" value="{percent}"></progress> {percent}%'
        state = _label(latest) if latest else "—"
        started = playbook.people[s.unit.id].started
        rows.append(
            (
                cell(s.unit.name),
                link(playbook.roles[s.checklist.onboarding_for].title, page_of[s.checklist.id]),
                f"{started:%d %b %Y}" if started else "—",
                bar,
                state,
            )
        )
    out.append(table(["New hire", "Plan", "Started", "Tasks done", "State"], rows))
    return "".join(out)
