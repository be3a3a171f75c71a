"""The Markdown report (tables and words; the charts live in the HTML and PDF) and its JSON twin."""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict
from typing import Any

import prompt_or_tune
from reporting import tables
from reporting.document import ReportData, figures
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


def render_markdown(data: ReportData) -> str:
    rec, sections, s = data.recommendation, tables.all_tables(data), data.scenario
    out = [f"# Prompt or Tune: {text(s.name)}", "",
           f"_Decision report generated {data.generated_at} by prompt-or-tune "
           f"{prompt_or_tune.__version__}. All amounts in {s.currency}._", "",
           "## 1. The question", "",
           f"Which way of adapting a language model to this task is the cheapest over "
           f"{data.costs.horizon_months} months that reaches the accuracy target?", ""]
    if s.description:
        out += [text(s.description), ""]
    out += [table(sections["question"][0]), "## 2. Recommendation", "", f"**{text(rec.headline)}**", "",
            "### Why", ""] + [f"- {text(r)}" for r in rec.reasons] + [""]
    if rec.what_would_change:
        out += ["### What would change the answer", ""] + [f"- {text(c)}" for c in rec.what_would_change] + [""]
    out += [table(t) for t in sections["ranking"] + sections["evidence"]]
    out += ["## 3. Charts", "", "Interactive in the HTML report, static in the PDF; their numbers are "
            "in the JSON file written next to this one.", ""]
    out += [f"- **{text(c.title)}**: {text(c.caption)}" for c in figures(data)] + [""]
    out += ["## 4. Costs with their sources", ""] + [table(t) for t in sections["costs"]]
    out += ["## 5. Benchmark results and their environment", ""]
    out += [table(t) for t in sections["benchmarks"]] or [
        "No benchmark run is attached: see the evidence gaps.", ""]
    out += ["## 6. Assumptions and price tables", ""] + [f"- {text(a)}" for a in tables.assumptions(data)]
    out += [""] + [table(t) for t in sections["assumptions"]]
    yaml_text = data.scenario_yaml
    marks = fence(yaml_text)
    out += ["## 7. The scenario, to rerun this report", "",
            "Save the block below as `scenario.yaml`; `prompt-or-tune report scenario.yaml` reproduces "
            "these numbers.", "", SCENARIO_MARK, f"{marks}yaml", yaml_text.rstrip("\n"), marks, ""]
    return "\n".join(out)


def report_json(data: ReportData) -> dict[str, Any]:
    """Every figure of the report as data, with the scenario that reproduces them."""
    return {
        "generated_at": data.generated_at,
        "generator": f"prompt-or-tune {prompt_or_tune.__version__}",
        "scenario": data.scenario.model_dump(mode="json", exclude_none=True),
        "costs": data.summary,
        "recommendation": data.recommendation.to_dict(),
        "tornado": {"approach": data.tornado_pair[0], "versus": data.tornado_pair[1],
                    "bars": [asdict(bar) for bar in data.tornado_bars]},
        "cumulative_bands": {name: asdict(band) for name, band in data.bands.items()},
        "benchmarks": [r.model_dump(mode="json") for r in data.results],
        "assumptions": tables.assumptions(data),
    }


def render_json(data: ReportData) -> str:
    return json.dumps(report_json(data), indent=2, ensure_ascii=False)
