"""The report's tables as plain strings, shared by the HTML, Markdown and PDF writers (the costs,
sources, break-even and benchmark rows come from the builders the dashboard uses too).

Every number sits next to its source: an input's own source, a price table entry with its date,
a benchmark run id, or the formula that combines them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from calculator.approaches import REGISTRY
from calculator.fields import COST_PER_REQUEST, COST_PER_REQUEST_HELP, choice_label, field_label
from calculator.hosting import notes, table_columns, table_rows
from calculator.label_sources import notes as label_source_notes
from calculator.label_sources import table_columns as label_source_columns
from calculator.label_sources import table_rows as label_source_rows
from calculator.measured import applied_summary
from calculator.recommend import Recommendation
from calculator.recommend.ranking import PACE, RankedApproach, standing_words
from calculator.recommend.sure import NAME as SURE
from calculator.recommend.sure import definition
from calculator.recommend.wording import Scale, count, money, pct
from core.approaches import ANSWER_WORDS, title
from core.metrics import with_name
from core.result import LATENCY_BASES, BenchmarkResult
from reporting import search
from reporting.appendix import changed_settings
from reporting.grid import Grid, break_even_grid, costs_grid, in_unit, sources_grid
from reporting.run_rows import device_text, is_text, run_rows, under_trained

if TYPE_CHECKING:
    from reporting.document import ReportData

PRICE_KEYS = ("api.", "hosting.gpu_usd_per_hour", "gpu.", "provider_ft.")
PRICE_UNITS = ("USD", "FLOP/s")
SERVER_PATH = re.compile(r"(?<![\w.:/~])(?:/[^\s/()'\",;]+)+/([^\s/()'\",;]+)")
SOURCE_COLUMNS = ("what", "value", "unit", "source")
TRAINING_LABELS = "training labels to buy"  # RankedApproach.labels_to_buy: beyond those on hand, evaluation aside
GIVEN = {"user input": "Inputs set in the scenario (source: user input)",
         "default": "Inputs left at the tool's defaults (source: default)"}


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""
    widths: list[float] = field(default_factory=list)  # relative column widths for the PDF


def of_grid(key: str, title: str, rows: Grid, note: str = "") -> Table:
    """A grid laid out as text (every cell as the report writes it)."""
    return Table(key, title, rows.names, rows.texts(), note=note, widths=rows.widths)


def question(data: ReportData) -> Table:
    s, q = data.scenario, data.costs.inputs.quantities

    def row(label: str, key: str, shown: str | None = None) -> list[str]:
        quantity = q.get(key)
        return [label, shown or (in_unit(float(quantity.value), quantity.unit) if quantity else "—"),
                quantity.source if quantity else "user input"]

    rows = [
        row("Requests in the first month", "workload.requests_per_month"),
        row("Monthly growth", "workload.monthly_growth_pct"),
        row("Horizon", "workload.horizon_months"),
        ["Task", f"{s.task.kind}: the answer is {ANSWER_WORDS[s.task.kind]}", "user input"],
        row("Quality target", "quality.target", Scale(s.metric).named(s.quality.target)),
        ["Consistent output required", "yes" if s.quality.needs_consistent_output else "no", "user input"],
        row("Labeled examples on hand", "labeling.labels_on_hand"),
        ["Budget over the horizon", money(s.constraints.budget_usd) if s.constraints.budget_usd else "none set",
         "user input"],
        ["Weeks until launch", f"{s.constraints.launch_weeks:g}" if s.constraints.launch_weeks else "none set",
         "user input"],
        ["API model for prompting", f"{s.api.provider_id}/{s.api.model}", "user input"],
        ["Open model for tuning", f"{s.finetuning.base_model} ({choice_label('finetuning.hosting', s.finetuning.hosting)})",
         "user input"],
        ["GPU", s.hosting.gpu, "user input"],
        ["Approaches compared", ", ".join(title(n) for n in s.approaches), "user input"],
    ]
    return Table("question", "The question", ["", "value", "source"], rows, widths=[3, 3, 4])


def ranking(rec: Recommendation) -> Table:
    rows = []
    for i, r in enumerate(rec.ranked, 1):
        score = "—" if r.score is None else r.scale.value(r.score) + r.scale.interval(r.score_ci).replace(" [95% CI ", " [")
        spread = "—" if r.tco_p10_usd is None else f"{money(r.tco_p10_usd)}–{money(r.tco_p90_usd)}"
        rows.append([str(i), r.title, standing_words(r), score, r.score_source or "—", money(r.tco_usd),
                     spread, "—" if r.cheapest_share is None else pct(r.cheapest_share), _labels_to_buy(r),
                     f"{r.launch_weeks:.1f}"])
    return Table("ranking", "Approaches ranked",
                 ["#", "approach", "standing", f"{rec.scale.name} [95% CI]", f"{rec.scale.name} from", "TCO",
                  "TCO P10–P90", SURE, TRAINING_LABELS, "eng. weeks"], rows,
                 note=f"Target: {rec.scale.named(rec.target)}. Ranked: the approaches that qualify (the lower "
                      "end of the interval meets the target, every constraint kept), then the open ones "
                      f"({rec.scale.name} uncertain or unknown), then the blocked ones with the reason; each group "
                      f"by TCO. {definition(rec.draws)} Score sources: the inputs table (Score of …). "
                      "Training labels to buy: beyond those on hand, and who makes them (people, or a teacher "
                      "model with a reviewed share); evaluation labels: in the one-off cost. "
                      f"Engineering weeks: engineering hours ÷ {PACE}.",
                 widths=[0.5, 2.3, 2.5, 1.6, 1.7, 1.5, 2.7, 1.5, 1.0, 1.1])


def _labels_to_buy(entry: RankedApproach) -> str:
    """"5,000 by people", "5,000 by gpt-4o" for a tuned row (its label source), else the count."""
    if entry.labels_to_buy <= 0 or entry.family != "tuning":
        return count(entry.labels_to_buy)
    return f"{count(entry.labels_to_buy)} by {entry.teacher or 'people'}"


def costs(data: ReportData) -> Table:
    rows = costs_grid(data.costs).pick(["approach", "one-off (USD)", "fixed (USD/month)", COST_PER_REQUEST,
                                       f"TCO {data.costs.horizon_months} months (USD)", "per correct answer",
                                       "parts"])
    return of_grid("costs", "Cost of each approach", rows,
                   note="Source of every cost: the formula of its family (table below) over the inputs "
                        "listed with their sources. TCO = one-off + Σ months (fixed + volume × per request). "
                        f"{COST_PER_REQUEST_HELP} Per correct answer: TCO ÷ the answers that are right.")


def hosting(data: ReportData) -> list[Table]:
    """The Decision page's "Where the tuned models are served" (calculator/hosting.py), with its source."""
    served = data.hosting_variants
    if not served.variants:
        return []
    source = ("Source: each row is this scenario priced with the tuned models served that way (the tuned "
              f"family's formula, 'How each cost is computed'); prices: {'; '.join(served.sources)}.")
    return [Table("hosting", "Where the tuned models are served", table_columns(served), table_rows(served),
                  note=" ".join([*notes(served), source]), widths=[0.4, 1.5, 3, 2.2, 1.1, 1.3, 1.3, 0.9])]


def label_sources(data: ReportData) -> list[Table]:
    """The Decision page's "Who labels the training data" (calculator/label_sources.py), with its source."""
    found = data.label_sources
    if not found.variants:
        return []
    source = ("Source: each row is this scenario priced with the tuned approach trained on people's labels or "
              "on the teacher's (the tuned family's formula, 'How each cost is computed'); the teacher's prices "
              "and tokens are in the inputs table (Teacher: …).")
    return [Table("label_sources", "Who labels the training data", label_source_columns(found),
                  label_source_rows(found), note=" ".join([*label_source_notes(found), source]),
                  widths=[1.5, 3, 1.2, 1.3, 1.3, 0.9])]


def formulas(data: ReportData) -> Table:
    seen: dict[str, list[str]] = {}
    for name in data.costs.approaches:
        seen.setdefault(REGISTRY[name].formula, []).append(title(name))
    return Table("formulas", "How each cost is computed", ["approaches", "formula"],
                 [[", ".join(names), formula] for formula, names in seen.items()], widths=[2, 8])


def _price_keys(data: ReportData) -> list[str]:
    return sorted(key for key, q in data.costs.inputs.quantities.items()
                  if key.startswith(PRICE_KEYS) and q.unit.startswith(PRICE_UNITS))


def _side_by_side(key: str, heading: str, keys: list[str], data: ReportData) -> Table:
    """Inputs of one source, two to a row (their source is the table's title)."""
    quantities = data.costs.inputs.quantities
    cells = [[field_label(k), in_unit(float(quantities[k].value), quantities[k].unit)] for k in keys]
    rows = [left + (cells[i + 1] if i + 1 < len(cells) else ["", ""]) for i, left in enumerate(cells) if i % 2 == 0]
    return Table(key, heading, ["input", "value", "input", "value"], rows, widths=[3.3, 1.7, 3.3, 1.7])


def inputs(data: ReportData) -> list[Table]:
    """Every other input of the calculator by its title (the prices have their own table): those
    measured or derived with their sources, then the ones typed in and the defaults, two to a row."""
    quantities = data.costs.inputs.quantities
    prices = set(_price_keys(data))
    keys = sorted((k for k in quantities if k not in prices), key=field_label)
    derived = [k for k in keys if quantities[k].source not in GIVEN]
    found = [of_grid("inputs", "Measured and derived inputs and their sources",
                     sources_grid(data.costs, derived, parts=False).pick(SOURCE_COLUMNS))]
    found += [_side_by_side(f"inputs_{source.replace(' ', '_')}", heading, chosen, data)
              for source, heading in GIVEN.items()
              if (chosen := [k for k in keys if quantities[k].source == source])]
    last = found[-1]
    found[-1] = Table(last.key, last.title, last.columns, last.rows, widths=last.widths,
                      note="Scenario files, links and the JSON report (costs.inputs) name these inputs by "
                           "their dotted names, e.g. workload.requests_per_month.")
    return found


def break_even(data: ReportData) -> Table:
    """The pairs that matter: the chosen approach (or the cheapest) against each other one."""
    pivot = data.recommendation.choice or data.costs.ranked()[0].name
    pairs = [be for be in data.costs.break_even if pivot in (be.approach, be.versus)]
    rest = len(data.costs.break_even) - len(pairs)
    found = break_even_grid(data.costs)
    return of_grid("break_even", f"Break-even of {title(pivot)} against each other approach",
                   Grid(found.columns, pairs),
                   note="Source: the cost functions priced at first-month volumes 1,000× either side of yours; "
                        "the crossing nearest yours (every crossing in the JSON report); month: where the cumulative "
                        "curves of your volume path cross (—: not within the horizon)."
                        + (f" The other {rest} pairs are in the JSON report (costs.break_even)." if rest else ""))


def evidence(rec: Recommendation) -> Table:
    return Table("evidence", "Evidence gaps and what to measure next",
                 ["approach", "gap", "measure next"],
                 [[title(g.approach) if g.approach else "all", g.problem, g.measure_next]
                  for g in rec.evidence_gaps], widths=[1.6, 5, 3.4])


def without_paths(text: str) -> str:
    """Absolute server paths cut to their file name ("/srv/runs/uploads/ab12/tickets.csv" → "tickets.csv")."""
    return SERVER_PATH.sub(r"\1", text)


def environment(result: BenchmarkResult) -> Table:
    env, model, task = result.environment, result.model, result.task
    device = f"{env.device}{' — ' + env.gpu_name if env.gpu_name else ''}, {env.cpu_count} CPU cores"
    if env.world_size > 1:
        held = "its decoder layers sharded over them (FSDP)" if env.sharding == "fsdp" else "a whole model each"
        device += f"; {env.world_size} processes ({', '.join(env.devices)}), {held}"
    rows = [
        ["run", f"{result.run_id} ({result.status}{', quick mode' if result.quick else ''}), {result.created_at}"],
        ["device", device],
        ["software", f"Python {env.python_version}, torch {env.torch_version}, transformers "
                     f"{env.transformers_version}, peft {env.peft_version}; {env.platform}"],
        ["model", f"{model.name}, {count(model.parameters)} parameters, {model.dtype} "
                  f"({without_paths(model.source)})"],
        ["task", f"{task.name} ({without_paths(task.source)}); labels {', '.join(task.labels)}; splits "
                 + ", ".join(f"{k} {v}" for k, v in task.split_sizes.items()) + f"; seed {task.seed}"],
    ] + [["note", without_paths(note)] for note in result.notes]
    return Table(f"env_{result.run_id}", f"Benchmark run {result.run_id}: environment", ["", ""], rows,
                 widths=[1.5, 8.5])


RESULT_COLUMNS = ("approach", "model", "test n", "accuracy", "95% CI", "macro-F1", "labels used", "training")
TEXT_RESULT_COLUMNS = ("approach", "model", "test n", "metric", "score", "score 95% CI", "other metrics",
                       "labels used", "training")  # a generation or extraction run: its own metric
SPEED_COLUMNS = ("approach", "prompt tokens", "computed tokens", "prompt tokens (tiktoken)", "latency p50 / p95 ms", "requests/s",
                 "training (s)", "peak memory (MB)")


def measurements(result: BenchmarkResult) -> Table:
    """What each approach scored (its speed is the next table: fourteen columns did not fit a page)."""
    short = under_trained([result])
    flagged = f" Under-trained (stopped before its planned steps): {', '.join(short)}." if short else ""
    return of_grid(f"bench_{result.run_id}", f"Benchmark run {result.run_id}: results",
                   run_rows([result]).pick(TEXT_RESULT_COLUMNS if is_text(result) else RESULT_COLUMNS),
                   note=f"Source: benchmark run {result.run_id}; each row names the model it measured and where "
                        f"(local, or an endpoint and its host).{flagged}")


EXAMPLE_CHARS = 160  # of an input, reference or answer shown in the examples table


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS - 1] + "…"


def examples(result: BenchmarkResult) -> list[Table]:
    """A text run's best and worst answers of each approach with their scores: what the quality numbers
    mean (none for a classification run, or a file written before the examples were kept)."""
    rows = [[title(a.approach) + (f" ({a.backend})" if a.backend != "local" else ""), _clip(e.text),
             _clip(e.reference), _clip(e.answer), with_name(a.quality.metric, e.score)]
            for a in result.approaches for e in a.examples]
    if not rows:
        return []
    return [Table(f"examples_{result.run_id}", f"Benchmark run {result.run_id}: best and worst answers",
                  ["approach", "input", "reference", "answer", "score"], rows,
                  note=f"Source: benchmark run {result.run_id}'s test answers, each approach's two highest and two "
                       f"lowest scores (texts cut at {EXAMPLE_CHARS} characters); every answer is in its "
                       "predictions.csv.", widths=[1.6, 3.2, 2.4, 2.4, 1.2])]


def searches(result: BenchmarkResult) -> list[Table]:
    """Each searched row's chosen prompt (a line a row: a table keeps the lines in every writer) and its trials,
    with what it chose, its test score beside the hand-written prompts' and what the search cost."""
    found = []
    for s in search.searched_rows([result]):
        key, source = f"{result.run_id}_{s.row.backend}", f"Source: {s.source}."
        reasons = search.weak_evidence(s)
        weak = " ".join(["Weak evidence:", *reasons]) if reasons else ""
        found += [
            Table(f"search_prompt_{key}", f"Benchmark run {result.run_id}: the prompt its search chose ({s.arm})",
                  ["the chosen prompt, line by line ({input}: where each input goes)"],
                  [[line] for line in s.search.prompt.splitlines() if line.strip()],
                  note=f"It {search.chose(s.search)}; {search.gain(s.search)}. Its {search.scores_on_test(s)}. "
                       + source),
            of_grid(f"search_trials_{key}", f"Benchmark run {result.run_id}: the search's trials ({s.arm})",
                    search.trials_grid(s.search),
                    note=" ".join(filter(None, [f"Cost of the search: {search.cost(s.search)}.", weak, source]))),
        ]
    return found


def speed(result: BenchmarkResult) -> Table:
    basis = result.approaches[0].latency_basis if result.approaches else "one_request"
    return of_grid(f"speed_{result.run_id}", f"Benchmark run {result.run_id}: tokens and speed",
                   run_rows([result]).pick(SPEED_COLUMNS),
                   note=f"Source: benchmark run {result.run_id}, on {device_text(result.environment)}. Prompt "
                        "tokens: each request's whole prompt (what a server without a prefix cache runs); computed "
                        "tokens: what this run ran per request, the shared prefix once per pass. "
                        + LATENCY_BASES[basis])


def price_sources(data: ReportData) -> Table:
    return of_grid("prices", "Prices and their tables' dates",
                   sources_grid(data.costs, _price_keys(data), parts=False).pick(SOURCE_COLUMNS),
                   note="GPU and hosted fine-tuning prices come from data/*.yaml (each row's 'checked' "
                        "month); API token prices from the genai-prices snapshot named.")


def scenario_settings(data: ReportData) -> Table:
    return Table("scenario_settings", "Scenario settings that differ from the defaults", ["setting", "value"],
                 changed_settings(data.scenario), widths=[3.5, 6.5])


def all_tables(data: ReportData) -> dict[str, list[Table]]:
    """Tables by report section."""
    bench = [t for r in data.results for t in (environment(r), measurements(r), *searches(r), *examples(r), speed(r))]
    return {
        "question": [question(data)],
        "ranking": [ranking(data.recommendation)],
        "hosting": hosting(data) + label_sources(data),
        "evidence": [evidence(data.recommendation)] if data.recommendation.evidence_gaps else [],
        "costs": [costs(data), formulas(data), break_even(data)],
        "benchmarks": bench,
        "assumptions": [price_sources(data), *inputs(data)],
    }


def assumptions(data: ReportData) -> list[str]:
    """The modelling assumptions in words, with the calculator's own notes."""
    ranged = "; ".join(sorted(field_label(k) for k in data.scenario.uncertainty)) or "none"
    return [
        *data.costs.inputs.notes,
        *[s for s in [applied_summary(data.scenario)] if s],  # which accuracies a run supplies, which it left out
        f"Uncertainty: {data.mc.draws:,} Monte Carlo draws, each ranged input triangular over its "
        f"range with the scenario's value as mode. Ranged inputs: {ranged}.",
        "Quality scores are not drawn: an approach meets the target when the low end of its 95% interval "
        "(or its typed-in value) reaches it.",
        f"Launch time: engineering hours ÷ {PACE} (one engineer full time).",
        "Break-even volumes are first-month volumes (later months grown as the scenario grows), found on the "
        "cost functions themselves; the month is where the cumulative curves of the scenario's own volume "
        "path cross.",
    ]
