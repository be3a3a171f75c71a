"""The Benchmark page's account of each prompt search among the runs compared: the prompt it chose, its test
score beside the hand-written prompts', what it bought on validation and what it cost, every trial and the
validation curve, each with the run it comes from; a warning when the evidence is thin (reporting/search.py
words it, reporting/charts.py draws it)."""

from __future__ import annotations

import streamlit as st

from core.approaches import title
from core.metrics import metric_name, shown
from core.result import BenchmarkResult
from dashboard import plots
from dashboard.text import escape_md, opening
from reporting import charts
from reporting.search import Searched, chose, cost, gain, searched_rows, trials_grid, weak_evidence


def render(results: list[BenchmarkResult]) -> None:
    """A "Prompt search" part for every row of `results` that searched for its prompt (none: nothing)."""
    for found in searched_rows(results):
        _one(found)


def _one(found: Searched) -> None:
    search, run_id = found.search, found.result.run_id
    st.markdown(f"**Prompt search** · run {escape_md(run_id)} ({escape_md(found.arm)})")
    st.markdown(f"It {escape_md(chose(search))}; {escape_md(gain(search))}.")
    st.code(search.prompt, language=None, wrap_lines=True)
    st.caption(f"The chosen prompt as the model reads it; `{{input}}` is where each input goes. From "
               f"{escape_md(found.source)}.")
    _test_scores(found)
    st.markdown(f"**Cost of the search** (run {escape_md(run_id)}): {escape_md(cost(search))}.")
    reasons = weak_evidence(found)
    if reasons:
        st.warning("**Weak evidence.** " + " ".join(escape_md(r) for r in reasons), icon=":material/warning:")
    left, right = st.columns([11, 9])
    table = trials_grid(search).frame()
    score = f"validation {metric_name(search.metric)}"
    left.dataframe(table, hide_index=True, width="stretch", column_config={
        "trial": st.column_config.NumberColumn(format="%d", width="small"),
        score: st.column_config.ProgressColumn(  # 0.867 as the runs table writes a score, with its bar
            "validation", format="%.3f", min_value=0.0, max_value=1.0, width="small",
            help=f"{opening(metric_name(search.metric))} on the same {search.validation_examples:,} validation "
                 "examples"),
        "seconds": st.column_config.NumberColumn(format="%.1f", width="small",
                                                 help="Wall time of the trial's validation scoring"),
        "chosen": st.column_config.TextColumn(width="small")})
    left.caption(f"{len(search.trials)} trials of {search.budget} budgeted · from {escape_md(run_id)}/result.json")
    plots.show(charts.search_curve(found.row, run_id), right)
    right.caption(f"Each trial scored on the same {search.validation_examples:,} validation examples, run "
                  f"{escape_md(run_id)}; the dotted line is the chosen prompt on the test split, examples no trial "
                  "saw, so it may sit above or below the curve.")


def _test_scores(found: Searched) -> None:
    """The searched row's test score beside the zero-shot and few-shot rows' of the same run and arm."""
    metric = found.search.metric
    cols = st.columns(len(found.beside))
    for col, row in zip(cols, found.beside, strict=True):
        low, high = row.quality.interval
        col.metric(f"{title(row.approach)} · test {metric_name(metric)}", shown(metric, row.quality.value),
                   help=f"95% CI {shown(metric, low)}–{shown(metric, high)} on {row.n_test:,} test examples; "
                        f"run {escape_md(found.result.run_id)} ({row.backend})")
    st.caption(f"On the test split of run {escape_md(found.result.run_id)}, examples the search never saw; hover "
               "for each score's 95% interval and number of examples.")
