"""The Markdown report (tables and words; the charts live in the HTML and PDF) and its JSON twin."""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict
from typing import Any

from core.version import __version__
from reporting import tables
from reporting.document import ReportData
from reporting.outline import SCENARIO_BLOCK, Block, Bullets, outline
from reporting.tables import Table

SCENARIO_MARK = "<!-- prompt-or-tune scenario -->"


def text(value: str) -> str:
    """User text made inert: HTML escaped (Markdown viewers render raw HTML) and on one line."""
    return html.escape(" ".join(value.split()), quote=False)


def cell(value: str) -> str:
    return text(value).replace("|", "\\|")


def table(t: Table) -> str:
    columns = t.columns if any(t.columns) else [" "] * len(t.columns)
    lines = [f"**{text(t.title)}**", "", "| " + " | ".join(map(cell, columns)) + " |",
             "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in t.rows]
    if t.note:
        lines += ["", f"_{text(t.note)}_"]
    return "\n".join(lines) + "\n"


def fence(body: str) -> str:
    """A backtick fence longer than any run of backticks inside the body."""
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    return "`" * max(3, longest + 1)


def block(b: Block) -> list[str]:
    """One block of the outline in Markdown (the scenario's YAML verbatim, folded, under its mark)."""
    if b.kind == "paragraph":
        return [f"**{text(b.text)}**" if b.strong else text(b.text), ""]
    if b.kind == "subheading":
        return [f"### {text(b.text)}", ""]
    if b.kind == "bullets":
        return [f"- {text(item)}" for item in b.items] + [""]
    if b.kind == "more":
        return [f"#### {text(b.title)}", "", *block(Bullets(b.items))]
    if b.kind == "table":
        return [table(b.table)]
    if b.kind == "charts":
        return [f"- **{text(c.title)}**: {text(c.caption)}" for c in b.charts] + [""]
    marks = fence(b.text)
    return ["<details><summary>scenario.yaml (the whole scenario)</summary>", "",
            SCENARIO_MARK if b.key == SCENARIO_BLOCK else "", f"{marks}yaml", b.text.rstrip("\n"), marks, "",
            "</details>", ""]


def render_markdown(data: ReportData) -> str:
    s = data.scenario
    out = [f"# Prompt or Tune: {text(s.name)}", "",
           f"_Decision report generated {data.generated_at} by prompt-or-tune "
           f"{__version__}. All amounts in {s.currency}._", ""]
    for section in outline(data):
        out += [f"## {text(section.heading)}", ""]
        out += [line for b in section.blocks for line in block(b)]
    return "\n".join(out)


def report_json(data: ReportData) -> dict[str, Any]:
    """Every figure of the report as data, with the scenario that reproduces them."""
    return {
        "generated_at": data.generated_at,
        "generator": f"prompt-or-tune {__version__}",
        "scenario": data.scenario.model_dump(mode="json", exclude_none=True),
        "costs": data.summary,
        "recommendation": data.recommendation.to_dict(),
        "tornado": {"approach": data.tornado_pair[0], "versus": data.tornado_pair[1],
                    "bars": [asdict(bar) for bar in data.tornado_bars]},
        "cumulative_bands": {name: asdict(band) for name, band in data.bands.items()},
        "benchmarks": [_without_paths(r.model_dump(mode="json")) for r in data.results],
        "assumptions": tables.assumptions(data),
    }


def _without_paths(value: Any) -> Any:
    """Every string of a result with server paths cut to file names (the report names no server folder)."""
    if isinstance(value, str):
        return tables.without_paths(value)
    if isinstance(value, dict):
        return {k: _without_paths(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_paths(v) for v in value]
    return value


def render_json(data: ReportData) -> str:
    return json.dumps(report_json(data), indent=2, ensure_ascii=False)
