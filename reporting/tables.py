"""The report's tables as plain strings, shared by the HTML, Markdown and PDF writers.

Every number sits next to its source: an input's own source, a price table entry with its date,
a benchmark run id, or the formula that combines them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.result import LATENCY_BASES, BenchmarkResult
from calculator.approaches import REGISTRY
from calculator.approaches.spec import title
from calculator.recommend import Recommendation
from calculator.recommend.ranking import PACE
from calculator.recommend.wording import count, interval, money, pct
from reporting.document import ReportData

PRICE_KEYS = ("api.", "hosting.gpu_usd_per_hour", "gpu.", "provider_ft.")
PRICE_UNITS = ("USD", "FLOP/s")
STATUS_WORDS = {"meets": "meets target", "uncertain": "uncertain", "unknown": "unknown",
                "misses": "misses target"}


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""
    widths: list[float] = field(default_factory=list)  # relative column widths for the PDF


def number(value: float) -> str:
    """3,000,000 / 2.99 / 9.89e+14: exact where short, four figures where huge."""
    if abs(value) >= 1e12:
        return f"{value:.4g}"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.6g}"


def question(data: ReportData) -> Table:
    s, q = data.scenario, data.costs.inputs.quantities

    def row(label: str, key: str, shown: str | None = None) -> list[str]:
        quantity = q.get(key)
        return [label, shown or (number(quantity.value) + " " + quantity.unit if quantity else "—"),
                quantity.source if quantity else "user input"]

    rows = [
        row("Requests in the first month", "workload.requests_per_month"),
        row("Monthly growth", "workload.monthly_growth_pct"),
        row("Horizon", "workload.horizon_months"),
        row("Accuracy target", "quality.accuracy_target", pct(s.quality.accuracy_target)),
        ["Consistent output required", "yes" if s.quality.needs_consistent_output else "no", "user input"],
        row("Labeled examples on hand", "labeling.labels_on_hand"),
        ["Budget over the horizon", money(s.constraints.budget_usd) if s.constraints.budget_usd else "none set",
         "user input"],
        ["Weeks until launch", f"{s.constraints.launch_weeks:g}" if s.constraints.launch_weeks else "none set",
         "user input"],
        ["API model for prompting", f"{s.api.provider_id}/{s.api.model}", "user input"],
        ["Open model for tuning", f"{s.finetuning.base_model} ({s.finetuning.hosting.replace('_', '-')})",
         "user input"],
        ["GPU", s.hosting.gpu, "user input"],
        ["Approaches compared", ", ".join(title(n) for n in s.approaches), "user input"],
    ]
    return Table("question", "The question", ["", "value", "source"], rows, widths=[3, 3, 4])


def ranking(rec: Recommendation) -> Table:
    rows = []
    for i, r in enumerate(rec.ranked, 1):
        accuracy = "—" if r.accuracy is None else pct(r.accuracy) + interval(r.accuracy_ci).replace(" [95% CI ", " [")
        spread = "" if r.tco_p10_usd is None else f"{money(r.tco_p10_usd)}–{money(r.tco_p90_usd)}"
        rows.append([str(i), r.title, STATUS_WORDS[r.status], accuracy, money(r.tco_usd), spread,
                     "—" if r.p_cheapest is None else pct(r.p_cheapest), count(r.labels_to_buy),
                     f"{r.launch_weeks:.1f}", "; ".join(r.constraint_issues) or "ok"])
    return Table("ranking", "Approaches ranked",
                 ["#", "approach", "status", "accuracy [95% CI]", "TCO", "TCO P10–P90",
                  "P(cheapest of all)", "labels to buy", "eng. weeks", "constraints"], rows,
                 note=f"Target {pct(rec.accuracy_target)}. Ranked by: target met (lower end of the "
                      "interval), constraints kept, then TCO. P(cheapest of all): share of Monte Carlo "
                      "draws in which the approach is the cheapest of every approach compared, "
                      "whatever its accuracy (the recommendation's 'stays cheapest' counts only those "
                      "that meet the target). Accuracy sources: see the inputs table (accuracy.*). "
                      f"Engineering weeks: engineering hours ÷ {PACE}.",
                 widths=[0.5, 2.4, 1.5, 2.2, 1.4, 2.6, 1.9, 1.2, 1.1, 2.5])


def _parts(parts: dict) -> str:
    return "; ".join(f"{name} {money(float(value))}" for name, value in parts.items() if float(value)) or "—"


def costs(data: ReportData) -> Table:
    rows = []
    for name, c in sorted(data.costs.approaches.items(), key=lambda item: item[1].tco_usd):
        p = c.profile
        rows.append([title(name), f"{money(float(p.one_off_usd))} ({_parts(p.one_off)})",
                     f"{money(float(p.monthly_fixed_usd))} ({_parts(p.fixed)})",
                     f"{money(float(p.per_request_usd))} ({_parts(p.per_request)})",
                     money(c.tco_usd), "—" if c.cost_per_correct_usd is None else money(c.cost_per_correct_usd)])
    return Table("costs", "Cost of each approach",
                 ["approach", "one-off", "fixed per month", "per request", "TCO", "per correct answer"],
                 rows, note="Source of every cost: the formula of its family (table below) over the "
                            "inputs listed with their sources. TCO = one-off + Σ months (fixed + volume "
                            "× per request).", widths=[2, 3.2, 2.6, 2.4, 1.4, 1.4])


def formulas(data: ReportData) -> Table:
    seen: dict[str, list[str]] = {}
    for name in data.costs.approaches:
        seen.setdefault(REGISTRY[name].formula, []).append(title(name))
    return Table("formulas", "How each cost is computed", ["approaches", "formula"],
                 [[", ".join(names), formula] for formula, names in seen.items()], widths=[2, 8])


def inputs(data: ReportData) -> Table:
    rows = [[key, number(float(q.value)), q.unit, q.source]
            for key, q in sorted(data.costs.inputs.quantities.items())]
    return Table("inputs", "Inputs and their sources", ["input", "value", "unit", "source"], rows,
                 widths=[3.2, 1.6, 1.6, 5])


def break_even(data: ReportData) -> Table:
    rows = []
    for be in data.costs.break_even:
        volume = "never (one is cheaper at every volume)" if be.requests_per_month is None \
            else f"{count(be.requests_per_month)} requests/month"
        rows.append([f"{title(be.approach)} vs {title(be.versus)}", volume,
                     title(be.cheaper_above) if be.cheaper_above else "—",
                     f"month {be.month}" if be.month else "—"])
    return Table("break_even", "Break-even between approaches",
                 ["pair", "break-even volume", "cheaper above it", "curves cross"], rows,
                 note="Source: formula V* = (Δone-off + H·Δfixed) / (H·Δper request); month: where "
                      "the cumulative curves of the scenario's own volume path cross.",
                 widths=[4, 3, 2, 1.4])


def evidence(rec: Recommendation) -> Table:
    return Table("evidence", "Evidence gaps and what to measure next",
                 ["approach", "gap", "measure next"],
                 [[title(g.approach) if g.approach else "all", g.problem, g.measure_next]
                  for g in rec.evidence_gaps], widths=[1.6, 5, 3.4])


def environment(result: BenchmarkResult) -> Table:
    env, model, task = result.environment, result.model, result.task
    rows = [
        ["run", f"{result.run_id} ({result.status}{', quick mode' if result.quick else ''}), {result.created_at}"],
        ["device", f"{env.device}{' — ' + env.gpu_name if env.gpu_name else ''}, {env.cpu_count} CPU cores"],
        ["software", f"Python {env.python_version}, torch {env.torch_version}, transformers "
                     f"{env.transformers_version}, peft {env.peft_version}; {env.platform}"],
        ["model", f"{model.name}, {count(model.parameters)} parameters, {model.dtype} ({model.source})"],
        ["task", f"{task.name} ({task.source}); labels {', '.join(task.labels)}; splits "
                 + ", ".join(f"{k} {v}" for k, v in task.split_sizes.items()) + f"; seed {task.seed}"],
    ] + [["note", note] for note in result.notes]
    return Table(f"env_{result.run_id}", f"Benchmark run {result.run_id}: environment", ["", ""], rows,
                 widths=[1.5, 8.5])


def measurements(result: BenchmarkResult) -> Table:
    rows = []
    for a in result.approaches:
        train = a.training
        rows.append([
            title(a.approach), str(a.n_test), f"{pct(a.accuracy)} [{pct(a.accuracy_ci[0])}–{pct(a.accuracy_ci[1])}]",
            f"{a.macro_f1:.3f}", count(a.labeled_examples),
            f"{a.prompt_tokens_model:,.0f} / " + ("—" if a.prompt_tokens_tiktoken is None else f"{a.prompt_tokens_tiktoken:,.0f}"),
            f"{a.latency_ms_p50:,.0f} / {a.latency_ms_p95:,.0f}", f"{a.throughput_requests_per_second:,.3g}",
            "—" if train is None else f"{train.seconds:,.0f} s, {train.peak_memory_mb:,.0f} MB",
        ])
    return Table(f"bench_{result.run_id}", f"Benchmark run {result.run_id}: results",
                 ["approach", "test n", "accuracy [95% CI]", "macro-F1", "labels used",
                  "prompt tokens (model / tiktoken)", "latency p50 / p95 ms", "requests/s", "training"],
                 rows, note=f"Source: benchmark run {result.run_id}, measured on {result.model.name}. "
                 + LATENCY_BASES[result.approaches[0].latency_basis if result.approaches else "one_request"],
                 widths=[2, 0.9, 2.4, 1.1, 1.1, 1.9, 1.7, 1.2, 2])


def price_sources(data: ReportData) -> Table:
    rows = [[key, number(float(q.value)) + " " + q.unit, q.source]
            for key, q in sorted(data.costs.inputs.quantities.items()) if key.startswith(PRICE_KEYS) and q.unit.startswith(PRICE_UNITS)]
    return Table("prices", "Prices and their tables' dates", ["price", "value", "source (date)"], rows,
                 note="GPU and hosted fine-tuning prices come from data/*.yaml (each row's 'checked' "
                      "month); API token prices from the genai-prices snapshot named.",
                 widths=[3.2, 2, 5])


def all_tables(data: ReportData) -> dict[str, list[Table]]:
    """Tables by report section."""
    bench = [t for r in data.results for t in (environment(r), measurements(r))]
    return {
        "question": [question(data)],
        "ranking": [ranking(data.recommendation)],
        "evidence": [evidence(data.recommendation)] if data.recommendation.evidence_gaps else [],
        "costs": [costs(data), formulas(data), break_even(data)],
        "benchmarks": bench,
        "assumptions": [price_sources(data), inputs(data)],
    }


def assumptions(data: ReportData) -> list[str]:
    """The modelling assumptions in words, with the calculator's own notes."""
    ranged = ", ".join(sorted(data.scenario.uncertainty)) or "none"
    return [
        *data.costs.inputs.notes,
        f"Uncertainty: {data.mc.draws:,} Monte Carlo draws, each ranged input triangular over its "
        f"range with the scenario's value as mode. Ranged inputs: {ranged}.",
        "Accuracy is not drawn: an approach meets the target when the low end of its 95% interval "
        "(or its typed-in value) reaches it.",
        f"Launch time: engineering hours ÷ {PACE} (one engineer full time).",
        "Break-even volumes assume a constant monthly volume; the month is where the cumulative "
        "curves of the scenario's own volume path cross.",
    ]
