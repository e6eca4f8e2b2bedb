"""What was done: the dashboard, each checklist's recent history and onboarding progress.

Everything here comes from completion records, so it is rendered by the
autoescaping templates as HTML fragments that carry `data-search-exclude`
(raw records are not something a reader should find by searching). A
checklist page holds one summary row per team or person and the latest
occurrences of all of them together, so its weight does not grow with
teams × occurrences; `playbook history` shows every occurrence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from ..i18n import _
from ..i18n import formatting as fmt
from ..metrics import format_value
from ..model import Checklist, Playbook
from ..status import OccurrenceStatus, State, Summary
from . import templates
from .markdown import front_matter

# What the templates are given: named tuples, whose fields Jinja reads at attribute speed.


class Run(NamedTuple):
    """Occurrences in a row with the same state, drawn as that many squares with one tooltip.

    A run, not a square each: a strip of twelve is a few elements, so a page with
    twenty teams stays light, and each tooltip still names its dates.
    """

    state: str  # a CSS class
    count: int
    tip: str


class LegendEntry(NamedTuple):
    state: str
    label: str


class UnitSummary(NamedTuple):
    """A team's or person's row in a checklist's history summary."""

    name: str
    strip: list[Run]
    rate: str
    streak: int
    last: str
    next: str


class HistoryRow(NamedTuple):
    """One occurrence in a checklist's latest occurrences, a value per metric column."""

    occurrence: str
    unit: str
    state: str
    css: str
    by: str
    recorded: str
    values: list[str]
    note: str


class DashboardRow(NamedTuple):
    state: str
    urgent: bool
    title: str
    url: str
    unit: str
    strip: list[Run]
    last: str
    next: str
    rate: str


class OnboardingRow(NamedTuple):
    name: str
    plan: str
    url: str
    started: str
    percent: int
    state: str


DASHBOARD = "dashboard.md"
HISTORY_LENGTH = 12  # squares in a strip
LATEST_ROWS = 24  # rows of a checklist's "latest occurrences", all teams together


def state_labels() -> dict[str, str]:
    """How the site names each state (and "overdue"), in the language in force.

    Looked up once per section, not once per occurrence, and passed down.
    """
    return {
        State.DONE: _("done"),
        State.LATE: _("late"),
        State.MISSED: _("missed"),
        State.DUE: _("due"),
        State.UPCOMING: _("upcoming"),
        "overdue": _("overdue"),
    }


def state_label(status: OccurrenceStatus, labels: dict[str, str]) -> str:
    """An occurrence's state as the site names it: overdue, or its state."""
    return labels["overdue"] if status.overdue else labels[status.state]


def _css(status: OccurrenceStatus) -> str:
    return "overdue" if status.overdue else status.state


def _name(by: str) -> str:
    """The name of who recorded, without the e-mail address."""
    return by.split("<")[0].strip()


def _rate(summary: Summary) -> str:
    return f"{summary.on_time_rate:.0%}" if summary.on_time_rate is not None else "—"


def _recent(summary: Summary) -> list[OccurrenceStatus]:
    return [h for h in summary.history if h.state is not State.UPCOMING][-HISTORY_LENGTH:]


def _strip(history: list[OccurrenceStatus], labels: dict[str, str]) -> list[Run]:
    """The occurrences oldest first, in runs of the same state."""
    runs: list[list[OccurrenceStatus]] = []
    for status in history:
        if runs and _css(runs[-1][-1]) == _css(status):
            runs[-1].append(status)
        else:
            runs.append([status])
    return [
        Run(
            _css(run[0]),
            len(run),
            (
                fmt.short_day(run[0].occurrence.key)
                + (f" – {fmt.short_day(run[-1].occurrence.key)}" if len(run) > 1 else "")
                + f": {state_label(run[0], labels)}"
                + (f" ×{len(run)}" if len(run) > 1 else "")
            ),
        )
        for run in runs
    ]


def _legend(labels: dict[str, str]) -> list[LegendEntry]:
    return [LegendEntry(str(state), label) for state, label in labels.items()]


def _unit_heading(summaries: list[Summary]) -> str:
    kind = summaries[0].unit.kind if summaries else "team"
    return {"team": _("Team"), "person": _("Person")}.get(kind, _("For"))


def checklist_history(mine: list[Summary], calendar_link: str) -> str:
    """The history section of a checklist page: a summary row per unit, then the latest rows."""
    out = ["## " + _("History") + " { data-search-exclude }\n\n"]
    if not mine:
        out.append(
            _("No team or person records this checklist yet: add teams to `playbook.yml`.") + "\n\n"
        )
        return "".join(out)
    labels = state_labels()
    units = [
        UnitSummary(
            name=s.unit.name,
            strip=_strip(_recent(s), labels),
            rate=_rate(s),
            streak=s.streak,
            last=_last_done(s, labels),
            next=fmt.moment(s.next_due.due) if s.next_due else "—",
        )
        for s in mine
    ]
    latest = sorted(
        ((s, h) for s in mine for h in _recent(s)),
        key=lambda pair: (pair[1].occurrence.due, pair[0].unit.name),
        reverse=True,
    )[:LATEST_ROWS]
    checklist = mine[0].checklist
    metrics = _metric_columns(checklist, [h for _, h in latest])
    rows = [_row(checklist, metrics, s.unit.name, h, labels) for s, h in latest]
    out.append(
        templates.block(
            "history.html",
            unit_heading=_unit_heading(mine),
            units=units,
            legend_entries=_legend(labels),
            metrics=[label for _, label in metrics],
            rows=rows,
            shown=HISTORY_LENGTH,
            command=f"playbook history {mine[0].checklist.id}",
        )
    )
    out.append(
        "\n[:material-calendar: " + _("Subscribe in your calendar (.ics)") + f"]({calendar_link})\n"
    )
    return "".join(out)


def _last_done(summary: Summary, labels: dict[str, str]) -> str:
    if not summary.last_done:
        return "—"
    return f"{fmt.day(summary.last_done.occurrence.key)} ({labels[summary.last_done.state]})"


def _metric_columns(checklist: Checklist, shown: list[OccurrenceStatus]) -> list[tuple[str, str]]:
    """(id, label) of the metric columns: the checklist's, then any others a shown record holds."""
    columns = [(m.id, m.label) for m in checklist.metrics]
    known = {m.id for m in checklist.metrics}
    for status in shown:
        for metric_id in status.record.metrics if status.record else ():
            if metric_id not in known:
                known.add(metric_id)
                columns.append((metric_id, metric_id))
    return columns


def _row(
    checklist: Checklist,
    metrics: list[tuple[str, str]],
    unit: str,
    status: OccurrenceStatus,
    labels: dict[str, str],
) -> HistoryRow:
    """One history row as plain values, a value per metric column; the template escapes them."""
    record = status.record
    occurrence = status.occurrence
    moved = " (" + _("moved") + f": {occurrence.holiday})" if occurrence.moved_from else ""
    partial = " (" + _("partial") + ")" if record and not record.complete else ""
    return HistoryRow(
        occurrence=f"{fmt.day(occurrence.key)}{moved}",
        unit=unit,
        state=state_label(status, labels) + partial,
        css=_css(status),
        by=_name(record.by) if record else "—",
        recorded=fmt.moment(record.completed_at) if record else "—",
        values=_values(checklist, metrics, record.metrics if record else {}),
        note=record.note if record else "",
    )


def _values(
    checklist: Checklist, metrics: list[tuple[str, str]], values: dict[str, Any]
) -> list[str]:
    """A record's metric values in the columns' order, money as money, "" where absent."""
    by_id = {metric.id: metric for metric in checklist.metrics}
    return [
        format_value(by_id.get(metric_id), values[metric_id]) if metric_id in values else ""
        for metric_id, _label in metrics
    ]


def dashboard(
    playbook: Playbook, summaries: list[Summary], now: datetime, page_of: dict[str, str]
) -> str:
    """Every checklist × team, overdue first, as of the build; `page_of` holds page URLs."""
    out = [
        front_matter(title=_("Dashboard"), tags=["Checklist"], search={"exclude": True}),
        "# " + _("Dashboard") + "\n\n",
    ]
    overdue = sum(s.overdue for s in summaries)
    open_count = sum(bool(s.open) for s in summaries)
    out.append(
        _(
            "As of **{moment}** (when this site was built): **{overdue}** overdue, "
            "**{open}** open, {tracked} tracked."
        ).format(
            moment=f"{fmt.moment(now)} {now:%Z}",
            overdue=overdue,
            open=open_count,
            tracked=len(summaries),
        )
        + "\n\n"
    )
    if not summaries:
        out.append(
            _(
                "Nothing is tracked yet: add teams to `playbook.yml` and record with `playbook check`."
            )
            + "\n"
        )
        return "".join(out)
    labels = state_labels()
    states = {"overdue": labels["overdue"], "due": labels[State.DUE], "fine": _("up to date")}
    rows = [
        DashboardRow(
            state=states["overdue" if s.overdue else "due" if s.open else "fine"],
            urgent=s.overdue,
            title=s.checklist.title,
            url=page_of[s.checklist.id],
            unit=s.unit.name,
            strip=_strip(_recent(s), labels),
            last=_last_done(s, labels),
            next=fmt.moment(s.next_due.due) if s.next_due else "—",
            rate=_rate(s),
        )
        for s in summaries
    ]
    out.append(templates.block("dashboard.html", rows=rows, legend_entries=_legend(labels)))
    return "".join(out)


def onboarding_progress(
    playbook: Playbook, summaries: list[Summary], page_of: dict[str, str]
) -> str:
    """Each new hire's onboarding: tasks done out of all, and whether it is on time."""
    people = [s for s in summaries if s.checklist.onboarding_for and s.unit.kind == "person"]
    if not people:
        return ""
    labels = state_labels()
    rows = []
    for s in people:
        total = len(s.checklist.items)
        latest = s.history[-1] if s.history else None
        record = latest.record if latest else None
        done = sum(item.done for item in record.items) if record else 0
        started = playbook.people[s.unit.id].started
        rows.append(
            OnboardingRow(
                name=s.unit.name,
                plan=playbook.roles[s.checklist.onboarding_for].title,
                url=page_of[s.checklist.id],
                started=fmt.day(started) if started else "—",
                percent=round(100 * done / total) if total else 0,
                state=state_label(latest, labels) if latest else "—",
            )
        )
    return (
        "## "
        + _("Progress of new hires")
        + " { data-search-exclude }\n\n"
        + templates.block("onboarding.html", rows=rows)
    )
