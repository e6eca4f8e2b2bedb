"""Read what status needs from a record file without building a YAML parse tree.

`Record.to_yaml` writes every record in one fixed layout: its keys in a fixed
order, the items as a block sequence, the metrics as a block mapping, every
value a plain or single-quoted scalar (wrapped over lines at 100 columns).
One regular expression recognises exactly that layout, a strict subset of
YAML, and captures the header fields; the items are only checked, not built.
Anything else — a comment, a double-quoted or block scalar, a tag, another
key order, a value YAML would read as something other than text or a simple
number — answers None, and the caller parses the file with PyYAML, which
gives the same values or the same error as always. So this reader never
accepts a file PyYAML rejects, nor reads a value differently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

import yaml


def _value(indent: int) -> str:
    """A plain or single-quoted scalar whose continuation lines are indented `indent` or more.

    A plain scalar has no ": " or " #" in it and no ":" or space at a line's end; its
    first line starts with no indicator but a "-" that a non-space follows (-3), a
    continuation line with no "#" or "-".
    Empty continuation lines (which fold to line breaks) are left to PyYAML.
    """
    body = r"(?:[^:#\n ]++| ++(?=[^#\n])|#|:(?=[^ \n]))*+"
    more = f"\\n {{{indent},}}"
    first = r"(?:[^-?:,\[\]{}#&*!|>'\"%@`\s]|-(?=\S))"
    plain = f"{first}{body}(?:{more}[^\\s#-]{body})*+"
    quoted = f"'(?:[^'\\n]++|''|{more}(?=\\S))*+'"
    return f"(?:{plain}|{quoted})"


_TOP, _NESTED = _value(2), _value(4)
_ITEM = (
    f"- id: {_NESTED}\\n(?:  text: {_NESTED}\\n)?  state: {_NESTED}\\n(?:  reason: {_NESTED}\\n)?"
)
_METRIC_KEY = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
_RECORD = (
    f"schema: {_TOP}\\n"
    f"checklist: (?P<checklist>{_TOP})\\n"
    f"(?P<kind>team|person|playbook): (?P<unit>{_TOP})\\n"
    f"occurrence: (?P<occurrence>{_TOP})\\n"
    f"due: (?P<due>{_TOP})\\n"
    f"completed_at: (?P<completed_at>{_TOP})\\n"
    f"by: (?P<by>{_TOP})\\n"
    f"status: (?P<status>{_TOP})\\n"
    f"checklist_version: (?P<checklist_version>{_TOP})\\n"
    f"items:(?: \\[\\]\\n|\\n(?:{_ITEM})+)"
    f"(?:metrics:\\n(?P<metrics>(?:  {_METRIC_KEY}: {_NESTED}\\n)+))?"
    f"(?:note: (?P<note>{_TOP})\\n)?"
    f"(?:amends: (?P<amends>{_TOP})\\n)?"
)
_METRIC = re.compile(f"  ({_METRIC_KEY}): ({_NESTED})\\n")
# Characters PyYAML's reader refuses, tabs (its two loaders disagree on them), and
# those YAML reads as line breaks or a byte order mark where Python's split does not.
_UNUSUAL = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# A plain scalar starting with one of these may be read as something other than text
# (numbers, booleans, null, dates, merge and value keys): ask PyYAML's resolver.
_MAYBE_TYPED = frozenset("-+0123456789.yYnNtTfFoO~<=")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?[0-9]+\.[0-9]+")
_STR_TAG = "tag:yaml.org,2002:str"
_resolver = yaml.resolver.Resolver()


class _NotPlain(Exception):
    """A value PyYAML would read as something else than text or a simple number."""


@dataclass(frozen=True)
class Header:
    """A record's fields other than its items, as `parse_record` would read them."""

    checklist: str
    unit_kind: str
    unit: str
    occurrence: date
    due: datetime
    completed_at: datetime
    by: str
    complete: bool
    metrics: dict[str, Any]
    note: str
    checklist_version: str
    amends: str


def read_header(text: str) -> Header | None:
    """The header of a record in `to_yaml`'s layout, or None when PyYAML must decide."""
    match = _record_pattern().fullmatch(text)
    if match is None or _UNUSUAL.search(text):
        return None
    fields = match.groupdict()
    try:
        return Header(
            checklist=str(_scalar(fields["checklist"])),
            unit_kind=fields["kind"],
            unit=str(_scalar(fields["unit"])),
            occurrence=date.fromisoformat(str(_scalar(fields["occurrence"]))),
            due=datetime.fromisoformat(str(_scalar(fields["due"]))),
            completed_at=datetime.fromisoformat(str(_scalar(fields["completed_at"]))),
            by=str(_scalar(fields["by"])),
            complete=_scalar(fields["status"]) == "done",
            metrics=_metrics(fields["metrics"]) if fields["metrics"] else {},
            note=str(_scalar(fields["note"])) if fields["note"] else "",
            checklist_version=str(_scalar(fields["checklist_version"])),
            amends=str(_scalar(fields["amends"])) if fields["amends"] else "",
        )
    except (_NotPlain, ValueError):
        return None


@cache
def _record_pattern() -> re.Pattern[str]:
    """Compiled on first use (it takes a while): a command that reads no file never needs it."""
    return re.compile(_RECORD)


def _metrics(block: str) -> dict[str, Any]:
    found = _METRIC.findall(block)
    metrics = {key: _scalar(value) for key, value in found}
    if len(metrics) != len(found) or any(
        key[0] in _MAYBE_TYPED and _tag(key) != _STR_TAG for key in metrics
    ):
        raise _NotPlain  # a duplicate key, or a key YAML would not read as text
    return metrics


def _scalar(raw: str) -> str | int | float:
    """A scalar the pattern matched, valued as PyYAML values it: folded, unquoted, typed."""
    if "\n" in raw:
        first, *more = raw.split("\n")
        raw = " ".join([first.rstrip(), *(line.strip() for line in more)])
    if raw[0] == "'":
        return raw[1:-1].replace("''", "'")
    if raw[0] not in _MAYBE_TYPED:
        return raw
    # These two patterns are narrower than YAML's int and float, which PyYAML tries first.
    if _INT.fullmatch(raw):
        return int(raw)
    if _FLOAT.fullmatch(raw):
        return float(raw)
    if _tag(raw) == _STR_TAG:
        return raw
    raise _NotPlain


def _tag(value: str) -> str:
    return str(_resolver.resolve(yaml.ScalarNode, value, (True, False)))
