"""The report's outline, built once from the analysis: seven sections, each a list of blocks
(paragraphs, bullets, tables, charts, the scenario). The HTML, Markdown and PDF writers lay it out;
none of them decides what a section says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from calculator.recommend.wording import Scale, count, money
from calculator.tradeoffs import NOTE as TRADEOFFS_NOTE
from calculator.tradeoffs import tradeoffs
from core.approaches import title
from reporting import tables
from reporting.document import Chart, ReportData, figures
from reporting.tables import Table

SCENARIO_BLOCK = "scenario-yaml"  # the key of the scenario's code block (rerun.py reads it back)


@dataclass(frozen=True)
class Paragraph:
    text: str
    strong: bool = False  # the headline of the decision
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class Subheading:
    text: str
    kind: ClassVar[str] = "subheading"


@dataclass(frozen=True)
class Bullets:
    items: list[str]
    kind: ClassVar[str] = "bullets"


@dataclass(frozen=True)
class More:
    """Bullets one click away: folded in the HTML (<details>), under their own sub-heading in the PDF
    and the Markdown."""

    title: str
    items: list[str]
    kind: ClassVar[str] = "more"


@dataclass(frozen=True)
class TableBlock:
    table: Table
    kind: ClassVar[str] = "table"


@dataclass(frozen=True)
class Charts:
    charts: list[Chart]
    kind: ClassVar[str] = "charts"


@dataclass(frozen=True)
class Code:
    key: str
    text: str
    kind: ClassVar[str] = "code"


Block = Paragraph | Subheading | Bullets | More | TableBlock | Charts | Code


@dataclass(frozen=True)
class Section:
    key: str  # the HTML section id
    heading: str
    blocks: list[Block]


def _tables(found: list[Table]) -> list[Block]:
    return [TableBlock(t) for t in found]


def outline(data: ReportData) -> list[Section]:
    """The seven sections in reading order."""
    rec, by_section = data.recommendation, tables.all_tables(data)
    question: list[Block] = [Paragraph(
        f"Which way of adapting a language model to this task is the cheapest over "
        f"{data.costs.horizon_months} months that reaches the {Scale(data.scenario.metric).name} target?")]
    question.append(Paragraph(in_numbers(data)))
    # the Decision page's order: the three strongest reasons, then the rest
    decision: list[Block] = [Paragraph(rec.headline, strong=True), Subheading("Why"), Bullets(rec.top_reasons)]
    if rec.more_reasons:
        decision.append(More("More reasons", rec.more_reasons))
    if rec.what_would_change:
        decision += [Subheading("What would change the answer"), Bullets(rec.what_would_change)]
    return [
        Section("question", "1. The question", question + _tables(by_section["question"])),
        Section("recommendation", "2. Recommendation",
                decision + _tables(by_section["ranking"]) + [_tradeoffs(data)] + _tables(by_section["hosting"])
                + _tables(by_section["evidence"])),
        Section("charts", "3. Charts", [
            Paragraph("Interactive in the HTML report, static in the PDF; their numbers are in the JSON "
                      "report."), Charts(figures(data))]),
        Section("costs", "4. Costs with their sources", _error_costs(data) + _tables(by_section["costs"])),
        Section("benchmarks", "5. Benchmark results and their environment",
                _tables(by_section["benchmarks"]) or [Paragraph(_no_run(data))]),
        Section("assumptions", "6. Assumptions and price tables",
                [Bullets(tables.assumptions(data)), *_tables(by_section["assumptions"])]),
        Section("scenario", "7. The scenario, to rerun this report", [
            Paragraph("The settings of this scenario that differ from the tool's defaults. The whole "
                      "scenario travels with the report as scenario.yaml (attached to the PDF, a download "
                      "link in the HTML, the last block of the Markdown): prompt-or-tune report "
                      "scenario.yaml reproduces these numbers."),
            TableBlock(tables.scenario_settings(data)),
            Code(SCENARIO_BLOCK, data.scenario_yaml)]),
    ]


def in_numbers(data: ReportData) -> str:
    """The task in the scenario's own numbers (a preset's description may speak of other volumes)."""
    s, rec, costs = data.scenario, data.recommendation, data.costs
    w, c = s.workload, s.constraints
    growth = f", growing {w.monthly_growth_pct:g}% a month" if w.monthly_growth_pct else ""
    limits = [f"{count(s.labeling.labels_on_hand)} labeled examples on hand"]
    limits += [f"launch within {c.launch_weeks:g} weeks"] if c.launch_weeks else []
    limits += [f"a budget of {money(c.budget_usd)}"] if c.budget_usd else []
    chosen = rec.approach(rec.choice) if rec.choice else None
    answer = (f"The answer: {chosen.title}, {money(chosen.tco_usd)} over {costs.horizon_months} months."
              if chosen else "No approach is chosen yet (see the recommendation).")
    return (f"{s.name}: {count(w.requests_per_month)} requests in the first month{growth}, "
            f"{count(sum(costs.volumes))} over {costs.horizon_months} months; a {s.task.kind} task, target "
            f"{Scale(s.metric).named(s.quality.target)}; {', '.join(limits)}. {len(s.approaches)} approaches "
            f"compared. {answer}")


def _tradeoffs(data: ReportData) -> TableBlock:
    """The Decision page's trade-offs table (calculator/tradeoffs.py), every cell as it is shown there."""
    frame = tradeoffs(data)
    return TableBlock(Table("tradeoffs", "The trade-offs at a glance", list(frame.columns), frame.values.tolist(),
                            note=TRADEOFFS_NOTE, widths=[1.6, 1.9, 2.0, 2.3, 1.6, 1.2, 1.4, 1.4]))


def _error_costs(data: ReportData) -> list[Block]:
    """When errors are priced: each approach's expected error cost beside its running cost."""
    priced = [c for c in data.costs.ranked() if c.error_usd]
    if not priced:
        return []
    per_error = money(float(data.costs.inputs["quality.cost_per_error_usd"]))
    rate = ("accuracy" if data.scenario.metric == "accuracy" else
            f"pass rate: the share of answers with {Scale(data.scenario.metric).name} ≥ "
            f"{Scale(data.scenario.metric).value(data.scenario.pass_threshold)}")
    return [Paragraph(f"Errors are priced at {per_error} each: expected error cost = requests × "
                      f"(1 − {rate}) × {per_error}, part of every TCO below."),
            Bullets([f"{title(c.name)}: {money(c.running_usd)} to build and run + {money(c.error_usd)} "
                     f"expected errors = {money(c.tco_usd)}; {money(c.cost_per_correct_usd)} per correct answer."
                     for c in priced])]


def _no_run(data: ReportData) -> str:
    measured = data.scenario.measured
    if measured:
        return (f"Measured inputs come from benchmark run {measured.run_id} ({measured.model} on "
                f"{measured.device}); its result file was not attached to this report.")
    return "No benchmark run is attached: every score is typed in by the user (see the evidence gaps)."
