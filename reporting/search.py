"""A prompt search's outcome as a decision maker reads it, on the Benchmark page and in the report: what it
chose and on how much evidence, how far it beat the first instruction on validation, what the search cost,
every trial, and why the evidence is weak when it is (the row's `search`: core/result.py, PromptSearchStats).

Plotly-free; the validation curve is reporting/charts.py: search_curve.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from calculator.recommend.wording import Scale, count, money
from core.approaches import title
from core.metrics import metric_name, shown
from core.result import ApproachResult, BenchmarkResult, PromptSearchStats
from reporting.grid import Column, Grid, grid

SMALL_VALIDATION = 50  # fewer validation examples than this: one answer moves a trial's score by over 2 points
HAND_WRITTEN = ("zero_shot", "few_shot")  # the rows a searched prompt is read beside, same run and arm


@dataclass(frozen=True)
class Searched:
    """A row of a run that searched for its prompt."""

    result: BenchmarkResult
    row: ApproachResult

    @property
    def search(self) -> PromptSearchStats:
        assert self.row.search is not None  # searched_rows keeps only these
        return self.row.search

    @property
    def arm(self) -> str:
        """"local, smollm2-135m-instruct" / "endpoint api.openai.com, gpt-4o-mini": where it ran."""
        where = self.row.backend if self.row.backend == "local" else f"endpoint {self.row.endpoint_host or ''}".strip()
        return f"{where}, {self.row.model or self.result.model.name}"

    @property
    def source(self) -> str:
        return f"benchmark run {self.result.run_id} ({title(self.row.approach)}, {self.arm})"

    @property
    def beside(self) -> list[ApproachResult]:
        """The searched row, then the hand-written prompts' rows the same run measured on the same arm."""
        found = (self.result.approach(name, self.row.backend) for name in HAND_WRITTEN)
        return [self.row, *(row for row in found if row is not None)]


def searched_rows(results: Iterable[BenchmarkResult]) -> list[Searched]:
    """Every row of the runs that carries a prompt search, in run and row order."""
    return [Searched(r, a) for r in results for a in r.approaches if a.search is not None]


def chose(search: PromptSearchStats) -> str:
    """"chose “persona + 4 typical examples” after 8 trials on 60 validation examples"."""
    trials = len(search.trials)
    return (f"chose “{search.trials[search.chosen].candidate}” after {trials} trial{'s' * (trials != 1)} on "
            f"{count(search.validation_examples)} validation examples")


def gain(search: PromptSearchStats) -> str:
    """How far the chosen prompt's validation score is above the first trial's (the zero-shot instruction as
    given): "+4.2 points over the first (zero-shot) instruction on validation (85.0% against 80.8% accuracy)"."""
    metric, chosen = search.metric, search.trials[search.chosen].validation_score
    first = search.baseline_validation_score
    if search.chosen == 0:
        return (f"no later trial beat the first (zero-shot) instruction's {shown(metric, first)} "
                f"{metric_name(metric)} on validation")
    return (f"+{Scale(metric).gap(chosen - first)} over the first (zero-shot) instruction on validation "
            f"({shown(metric, chosen)} against {shown(metric, first)} {metric_name(metric)})")


def cost(search: PromptSearchStats) -> str:
    """The search's own cost (the test split's scoring aside): calls, time, tokens and, measured on an
    endpoint, dollars."""
    tokens = f"{search.prompt_tokens:,} prompt tokens ({search.computed_tokens:,} computed by the model)"
    dollars = ("a local run: no dollars measured" if search.usd is None
               else f"{money(search.usd)} measured on the endpoint")
    return f"{search.calls:,} calls, {search.seconds:,.1f} s, {tokens}; {dollars}"


def scores_on_test(found: Searched) -> str:
    """"test accuracy on 240 examples: Searched prompt 80.8% (95% CI 75.4%–85.3%), Zero-shot prompt 80.8% (…)"."""
    metric = found.search.metric
    sizes = {row.n_test for row in found.beside}
    each = len(sizes) > 1  # an endpoint's spending cap stopped one row's test split early
    scores = [f"{title(row.approach)} {shown(metric, row.quality.value)} (95% CI "
              f"{shown(metric, row.quality.interval[0])}–{shown(metric, row.quality.interval[1])}"
              + (f", {row.n_test:,} examples)" if each else ")") for row in found.beside]
    return f"test {metric_name(metric)}" + ("" if each else f" on {sizes.pop():,} examples") + ": " + ", ".join(scores)


STOPPED = {"max_usd": "the run's spending cap, --max-usd, was reached",
           "candidates": "no untried candidate was left for this task",
           None: "a spending cap, or no candidates left; the run's notes say which"}  # files written before `stopped`


def weak_evidence(found: Searched) -> list[str]:
    """Why the search's choice or its test score rests on thin evidence, one sentence each (none: it does not)."""
    search, row, reasons = found.search, found.row, []
    if search.validation_examples < SMALL_VALIDATION:
        step = Scale(search.metric).gap(1 / search.validation_examples)
        reasons.append(f"Small validation set: {search.validation_examples} examples, so one answer moves a "
                       f"trial's score by up to {step}; trials closer than that are a tie.")
    if len(search.trials) < search.budget:
        reasons.append(f"Stopped early: it ran {len(search.trials)} of the {search.budget} trials budgeted "
                       f"({STOPPED.get(search.stopped, STOPPED[None])}).")
    if row.endpoint is not None and row.endpoint.stopped:
        reasons.append(f"The chosen prompt's test score covers {row.n_test:,} test examples only: the endpoint's "
                       "spending cap stopped the test split.")
    return reasons


def trials_grid(search: PromptSearchStats) -> Grid:
    """One row per trial in the order tried: its candidate, validation score and seconds; the chosen marked."""
    metric = search.metric
    columns = (
        Column("trial", lambda i: i + 1, numeric=True, width=0.6),
        Column("candidate", lambda i: search.trials[i].candidate, width=3.2),
        Column(f"validation {metric_name(metric)}", lambda i: search.trials[i].validation_score,
               fmt=lambda v: shown(metric, v), numeric=True, width=1.4),
        Column("seconds", lambda i: search.trials[i].seconds, fmt=lambda v: f"{v:,.1f}", numeric=True, width=1),
        Column("chosen", lambda i: "✓" if i == search.chosen else "", width=0.8),
    )
    return grid(columns, range(len(search.trials)))
