"""The "Record this checklist" form on every checklist page.

Each checklist has a small JSON file (`spec_path`) with its rules (items,
metrics, the metric parsing rules and the completion rule of the recording
engine, and the recent recordable occurrences of each unit with their
records); assets/record.js fetches it and builds the form from it. The page
itself carries only the form's root, so its weight does not grow with the
teams: reading a checklist needs no JavaScript, recording does.

Under `playbook serve` the form asks the recording API's preview for the
engine's verdict and posts to the API; on a static site it offers the
`playbook check` command and, for GitHub or GitLab, a link that opens the
host's new-file page prefilled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from .. import completion
from ..i18n import N_, _
from ..i18n import formatting as fmt
from ..metrics import METRIC_RULES
from ..model import Checklist
from ..records import LOGS_DIR, Record
from ..status import State, Summary
from . import templates
from .dates import when
from .tracking import state_label, state_labels

OCCURRENCES_SHOWN = 8
SPECS = "assets/playbook/forms"
# The form's own words. record.js looks each up by its English (its `t(key, values)`) and
# fills the named placeholders, so every language writes whole sentences in its own order.
MESSAGES = (
    N_("Which one"),
    N_("Team"),
    N_("Person"),
    N_("For"),
    N_("Occurrence"),
    N_("Items"),
    N_("(optional)"),
    N_("skip"),
    N_("why skipped"),
    N_("Why skipped: {item}"),
    N_("Metrics"),
    N_("Note and signature"),
    N_("Note"),
    N_("Recorded by"),
    N_("default: your git identity"),
    N_("Name <email>"),
    N_("Save as partial (finish it later)"),
    N_("Record"),
    N_("Show the command"),
    N_("Replace the existing record"),
    N_("Copy"),
    N_("done"),
    N_("partial"),
    N_("Recorded {state} by {by} at {at}."),
    N_("This record will be {state}."),
    N_("The engine would record {state}: {picked}."),
    N_("Not recordable yet: {problems}"),
    N_("Run this in your playbook repository:"),
    N_("Or, with no local setup:"),
    N_("Commit it on {host}"),
    N_("Recorded {occurrence} as {state} in commit {commit}."),
    N_("skipping needs a reason"),
    N_("required: tick it, skip it with a reason, or save as partial"),
    N_("{label} is required"),
    N_("{label}: {error}"),
    N_("{label} is counted in {unit}, got '{raw}'; convert it to {unit} first"),
    N_("expected {expected}, got '{raw}'"),
    N_("write who completed it as Name <email>"),
    N_("the server did not answer: is playbook serve still running?"),
    N_("None of your teams records this checklist."),
    N_("Nobody records this checklist yet: add teams or people to playbook.yml."),
)


def spec_path(checklist: Checklist) -> str:
    """Where the checklist's form spec is in the site."""
    return f"{SPECS}/{checklist.id}.json"


@dataclass(frozen=True)
class RepoLink:
    """Where a static site can send a manager to commit a record through the web UI."""

    kind: str  # "github" or "gitlab"
    url: str
    branch: str = "main"

    @classmethod
    def from_config(
        cls, repo_url: str | None, edit_uri: str | None, branch: str | None = None
    ) -> RepoLink | None:
        """From mkdocs.yml; `branch` (the checked-out one) wins over MkDocs' default edit_uri."""
        if not repo_url:
            return None
        host = urlsplit(repo_url).hostname or ""
        kind = "github" if "github" in host else "gitlab" if "gitlab" in host else None
        if kind is None:
            return None
        if branch is None:
            parts = [p for p in (edit_uri or "").split("/") if p and p != "-"]
            branch = parts[1] if len(parts) > 1 and parts[0] in ("edit", "blob", "tree") else "main"
        return cls(kind, repo_url.rstrip("/"), branch)


def current_branch(root: Path) -> str | None:
    """The branch checked out in the repository holding `root`, read from .git/HEAD."""
    for folder in (root, *root.parents):
        head = folder / ".git" / "HEAD"
        if head.is_file():
            ref = head.read_text().strip()
            return (
                ref.removeprefix("ref: refs/heads/") if ref.startswith("ref: refs/heads/") else None
            )
    return None


def _units(checklist: Checklist, summaries: list[Summary]) -> list[dict[str, object]]:
    labels = state_labels()
    units = []
    for summary in summaries:
        shown = summary.history[-OCCURRENCES_SHOWN:]
        open_ones = [
            h
            for h in shown
            if h.state in (State.DUE, State.MISSED) or (h.record and not h.record.complete)
        ]
        default = open_ones[-1] if open_ones else None
        units.append(
            {
                "id": summary.unit.id,
                "kind": summary.unit.kind,
                "name": summary.unit.name,
                "default": default.occurrence.key.isoformat() if default else "",
                "occurrences": [
                    {
                        "key": h.occurrence.key.isoformat(),
                        "due": h.occurrence.due.isoformat(),
                        "label": f"{when(h.occurrence)} ({state_label(h, labels)})",
                        "record": _record(h.record) if h.record else None,
                    }
                    for h in reversed(shown)
                    if h.state is not State.UPCOMING or checklist.cadence.per_person
                ],
            }
        )
    return units


def _record(record: Record) -> dict[str, object]:
    """What the form needs of an existing record: who and when, and a partial's contents.

    A done record only needs naming (the history table shows its values); a partial
    carries what was ticked, skipped and typed, because finishing it starts from there.
    """
    known: dict[str, object] = {
        "state": "done" if record.complete else "partial",
        "by": record.by.split("<")[0].strip(),
        "at": fmt.moment(record.completed_at),
    }
    if record.complete:
        return known
    return known | {
        "done": [item.id for item in record.items if item.done],
        "skipped": {item.id: item.reason for item in record.items if not item.done},
        "metrics": {metric_id: str(value) for metric_id, value in record.metrics.items()},
        "note": record.note,
    }


def messages() -> dict[str, str]:
    """The form's words in the language in force, keyed by their English."""
    return {message: _(message) for message in MESSAGES}


def spec(
    checklist: Checklist,
    summaries: list[Summary],
    version: str,
    repo: RepoLink | None,
    built: datetime,
) -> dict[str, object]:
    """Everything the form needs to validate and record, from the model and the engine's rules."""
    return {
        "checklist": checklist.id,
        "title": checklist.title,
        "scope": checklist.scope,
        "version": version,
        "logs": LOGS_DIR,
        "built": built.isoformat(),
        "units": _units(checklist, summaries),
        "items": [{"id": i.id, "text": i.text, "required": i.required} for i in checklist.items],
        "metrics": [
            {"id": m.id, "label": m.label, "type": m.type, "unit": m.unit, "required": m.required}
            for m in checklist.metrics
        ],
        "rules": METRIC_RULES,
        "completion": completion.rule(checklist),
        "repo": {"kind": repo.kind, "url": repo.url, "branch": repo.branch} if repo else None,
        "messages": messages(),
    }


def spec_json(data: dict[str, object]) -> str:
    """The spec file's text: compact JSON, with `<` escaped so no text in it reads as a marker."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def record_form(checklist: Checklist, spec_url: str) -> str:
    """The form section: its root names the spec, and record.js builds the inputs from it."""
    return (
        "## "
        + _("Record this checklist")
        + " { data-search-exclude }\n\n"
        + templates.block("record_form.html", checklist=checklist.id, spec=spec_url)
    )
