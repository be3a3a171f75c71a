"""The scenario in a few lines: each setting that differs from the tool's defaults, by its title.

The report prints this instead of the scenario file (the file itself travels with the report:
attached to the PDF, a download link in the HTML, the last block of the Markdown).
"""

from __future__ import annotations

from typing import Any

from calculator.fields import choice_label, field_label, field_unit, is_field
from calculator.measured import applied_summary
from calculator.recommend.wording import pct
from calculator.scenario import Range, Scenario
from core.approaches import title
from reporting.grid import number

LONG_TEXT = 90  # characters of a long text shown before "…"
SKIPPED = {"name", "description", "measured", "uncertainty"}  # said elsewhere or in rows of their own
UNIT_OF_ENTRIES = {"team.hours": "hours", "quality.scores": "fraction"}  # dict fields, one entry per approach


def _label(dotted: str) -> str:
    head, _, last = dotted.rpartition(".")
    if head == "quality.scores":
        return field_label(f"score.{last}")
    return field_label(dotted)


def _unit(dotted: str) -> str:
    head = dotted.rpartition(".")[0]
    if head in UNIT_OF_ENTRIES:
        return UNIT_OF_ENTRIES[head]
    return field_unit(dotted) if is_field(dotted) else ""


def _short(text: str, limit: int = LONG_TEXT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else f"{flat[:limit].rstrip()}… ({len(flat):,} characters)"


def value_text(dotted: str, value: Any) -> str:
    """A setting as a reader reads it: 90%, 3,000,000 requests/month, "12: billing; refund; …"."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        unit = _unit(dotted)
        return pct(value) if unit == "fraction" else f"{number(value)} {unit}".strip()
    if isinstance(value, list):
        if dotted == "approaches":
            return ", ".join(title(v) for v in value)
        items = [f"{v['label']}: {v['text']}" if isinstance(v, dict) else str(v) for v in value]
        return f"{len(items)}: {_short('; '.join(items), LONG_TEXT * 2)}" if items else "none"
    return _short(choice_label(dotted, str(value)))


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            found.update(_flat(value, f"{dotted}."))
        else:
            found[dotted] = value
    return found


def _range_text(span: Range) -> str:
    if span.relative:
        return f"−{span.minus_pct:g}% / +{span.plus_pct:g}% of its value"
    return f"{number(span.low)} to {number(span.high)}"


def changed_settings(scenario: Scenario) -> list[list[str]]:
    """[title, value] for each setting that differs from the defaults, ranges and measured inputs last."""
    changed = scenario.model_dump(mode="json", exclude_defaults=True)
    rows = [[_label(dotted), value_text(dotted, value)]
            for dotted, value in _flat({k: v for k, v in changed.items() if k not in SKIPPED}).items()]
    rows += [[f"Range: {_label(dotted)}", _range_text(span)]
             for dotted, span in scenario.uncertainty.items()]
    if scenario.measured:
        rows.append(["Benchmark run applied", applied_summary(scenario)])
    if scenario.description.strip():
        rows.append(["Description (as written in the scenario)", _short(scenario.description)])
    return rows
