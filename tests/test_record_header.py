"""The fast header reader reads exactly what PyYAML reads, or declines and leaves it to PyYAML."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from playbook.record_header import Header, read_header
from playbook.records import ItemState, Record, parse_record

WARSAW = ZoneInfo("Europe/Warsaw")
RECORD = Record(
    checklist="weekly-pipeline",
    unit="warsaw",
    occurrence=date(2026, 11, 16),
    due=datetime(2026, 11, 16, 9, tzinfo=WARSAW),
    completed_at=datetime(2026, 11, 16, 10, 5, tzinfo=WARSAW),
    by="Anna Kowalska <anna@example.com>",
    complete=True,
    items=(
        ItemState("next-steps", "Every open deal has a next step with a date.", True),
        ItemState("forecast", "The forecast is updated.", False, "CRM was down"),
    ),
    metrics={"new-leads": 12, "revenue": "12500.50", "win-rate": 0.25},
    note="quiet week",
    checklist_version="0123456789abcdef0123456789abcdef01234567",
)


def header_of(record: Record) -> Header:
    """What parse_record (PyYAML) reads from the record's file, as a header."""
    parsed = parse_record(record.to_yaml())
    return Header(
        checklist=parsed.checklist,
        unit_kind=parsed.unit_kind,
        unit=parsed.unit,
        occurrence=parsed.occurrence,
        due=parsed.due,
        completed_at=parsed.completed_at,
        by=parsed.by,
        complete=parsed.complete,
        metrics=parsed.metrics,
        note=parsed.note,
        checklist_version=parsed.checklist_version,
        amends=parsed.amends,
    )


def typed(header: Header) -> list[tuple[str, type]]:
    return [(key, type(value)) for key, value in header.metrics.items()]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"note": "it's a note: with a colon, a # hash and 'quotes'"},
        {"note": "yes"},
        {"note": "12:30"},
        {"note": "0123"},
        {"note": "Zażółć gęślą jaźń, 你好, Tiếng Việt"},
        {"note": "a long note " * 20},
        {"by": "O'Brien <ob@example.com>"},
        {"metrics": {"count": 0, "negative": -3, "float": 1.5, "text": "no", "date": "2026-11-16"}},
        {"metrics": {}},
        {"items": ()},
        {"items": (ItemState("a", "a text: with a colon " * 8, False, "a reason " * 15),)},
        {"complete": False, "amends": "89abcdef0123456789abcdef0123456789abcdef"},
        {"unit_kind": "person", "unit": "marta-lewandowska"},
        {"unit_kind": "playbook", "unit": "all"},
        {"checklist_version": ""},
    ],
)
def test_a_record_as_written_is_read_as_pyyaml_reads_it(changes: dict[str, object]) -> None:
    record = replace(RECORD, **changes)  # type: ignore[arg-type]

    header = read_header(record.to_yaml())

    assert header == header_of(record)
    assert header is not None and typed(header) == typed(header_of(record))


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: text.replace("note: quiet week", "note: quiet week  # a comment"),
        lambda text: text.replace("note: quiet week", 'note: "quiet week"'),
        lambda text: text.replace("note: quiet week", "note: |\n  quiet week"),
        lambda text: text.replace("status: done", "status: !!str done"),
        lambda text: text.replace("new-leads: 12", "new-leads: 1_2"),
        lambda text: text.replace("new-leads: 12", "new-leads: 0x0c"),
        lambda text: text.replace("new-leads: 12", "new-leads: true"),
        lambda text: text.replace("new-leads: 12", "new-leads: 12\n  new-leads: 13"),
        lambda text: text.replace("occurrence: '2026-11-16'", "occurrence: 2026-11-16"),
        lambda text: text.replace("by: Anna", "by:\tAnna"),
        lambda text: text.replace("\n", "\r\n"),
        lambda text: "---\n" + text,
        lambda text: text.replace("schema: 1\n", "") + "schema: 1\n",
        lambda text: text + "extra: field\n",
        lambda text: text.replace("note: quiet week", "note: quiet\n\n  week"),
    ],
    ids=[
        "comment",
        "double-quoted",
        "block-scalar",
        "tag",
        "underscored-int",
        "hex-int",
        "bool-metric",
        "duplicate-metric",
        "unquoted-date",
        "tab",
        "crlf",
        "document-marker",
        "other-order",
        "unknown-key",
        "empty-continuation",
    ],
)
def test_a_hand_edited_record_is_left_to_pyyaml(edit: object) -> None:
    text = edit(RECORD.to_yaml())  # type: ignore[operator]

    assert read_header(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "checklist: [unclosed\n",
        RECORD.to_yaml().replace("  state: done\n", "", 1),
        RECORD.to_yaml().replace("- id: next-steps\n", "- id: next-steps\n  id: again\n"),
        RECORD.to_yaml().replace("note: quiet week", "note: 'unclosed"),
        RECORD.to_yaml().replace("note: quiet week", "note: a: b"),
        RECORD.to_yaml().replace("due: '2026-11-16T09:00:00+01:00'", "due: 'not a time'"),
    ],
    ids=[
        "bad-yaml",
        "item-without-state",
        "duplicate-item-key",
        "unclosed-quote",
        "colon",
        "bad-due",
    ],
)
def test_a_broken_record_is_never_read_by_the_fast_path(text: str) -> None:
    assert read_header(text) is None
