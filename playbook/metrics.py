"""Metric values: read from what a manager typed, written to records, shown back.

One rule set for every front end: `playbook check`, the interactive walk and
the browser form (which receives METRIC_RULES in the page) read values the
same way. Money is exact: a Decimal in memory, a quoted string in a record
(YAML would turn 0.10 into a binary float), and a currency code that differs
from the metric's unit is refused rather than silently stripped.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Metric

MetricValue = int | float | Decimal | str

# How each metric type is read from text. `strip` is removed first, `pattern`
# must then match the whole value. For money, `currency` captures a code written
# before or after the amount, which must be the metric's unit.
METRIC_RULES: dict[str, dict[str, str]] = {
    "integer": {"strip": r"[\s_]", "pattern": r"[-+]?\d+", "expected": "a whole number, e.g. 42"},
    "number": {"strip": r"[\s_]", "pattern": r"[-+]?\d+(\.\d+)?", "expected": "a number, e.g. 3.5"},
    "money": {
        "strip": r"[\s_€$£]",
        "currency": r"^([A-Za-z]{3})|([A-Za-z]{3})$",
        "pattern": r"[-+]?\d+(\.\d{1,2})?",
        "expected": "an amount such as 12500.50 (no thousands separators)",
    },
    "percent": {
        "strip": r"[\s_%]",
        "pattern": r"[-+]?\d+(\.\d+)?",
        "expected": "a percentage, e.g. 85 or 85%",
    },
    "text": {"strip": "", "pattern": r"[\s\S]*\S[\s\S]*", "expected": "some text"},
}

CENTS = Decimal("0.01")


def parse_metric(metric: Metric, raw: str) -> MetricValue:
    """A metric value from text, by its type; ValueError says what was expected."""
    rule = METRIC_RULES[metric.type]
    cleaned = re.sub(rule["strip"], "", raw.strip()) if rule["strip"] else raw.strip()
    if metric.type == "money":
        cleaned = _check_currency(metric, raw, cleaned)
    if not re.fullmatch(rule["pattern"], cleaned):
        raise ValueError(f"expected {rule['expected']}, got {raw!r}")
    if metric.type == "text":
        return cleaned
    if metric.type == "integer":
        return int(cleaned)
    if metric.type == "money":
        return Decimal(cleaned).quantize(CENTS, rounding=ROUND_HALF_EVEN)
    number = float(cleaned)
    return int(number) if number.is_integer() else number


def _check_currency(metric: Metric, raw: str, cleaned: str) -> str:
    match = re.search(METRIC_RULES["money"]["currency"], cleaned)
    if match is None:
        return cleaned
    code = (match[1] or match[2]).upper()
    expected = metric.unit.upper()
    if expected and code != expected:
        raise ValueError(
            f"{metric.label} is counted in {metric.unit}, got {raw!r}; "
            f"convert it to {metric.unit} first"
        )
    return cleaned[: match.start()] + cleaned[match.end() :]


def to_record(value: MetricValue) -> Any:
    """How a value is written into a record file: money as an exact string."""
    return f"{value:.2f}" if isinstance(value, Decimal) else value


def as_money(value: Any) -> Decimal | None:
    """A money value as read back from a record (a string, or a float from old records)."""
    try:
        return Decimal(str(value)).quantize(CENTS, rounding=ROUND_HALF_EVEN)
    except (InvalidOperation, ValueError):
        return None


def format_value(metric: Metric | None, value: Any) -> str:
    """A value for people: `1,000.00 EUR`, `85 %`, `42 leads`; unknown metrics as written."""
    if metric is None:
        return str(value)
    if metric.type == "money":
        amount = as_money(value)
        if amount is None:
            return str(value)
        return f"{amount:,.2f} {metric.unit}".rstrip()
    if metric.type == "percent":
        return f"{value} %"
    if metric.type in ("integer", "number") and metric.unit:
        return f"{value} {metric.unit}"
    return str(value)
