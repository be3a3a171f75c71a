"""The tables under the charts, from the builders the report uses too (reporting/grid.py): numbers
stay numbers here (sortable, formatted by the column), every number keeps its unit and source."""

from __future__ import annotations

import pandas as pd

from calculator.costs import CostReport
from core.result import BenchmarkResult
from reporting.grid import break_even_grid, costs_grid, sources_grid
from reporting.run_rows import is_text, run_rows

RUN_COLUMNS = ("run", "model", "backend", "task", "device", "dtype", "approach", "accuracy", "95% CI", "macro-F1",
               "labels used", "training", "prompt tokens", "computed tokens", "latency p50 (ms)", "latency p95 (ms)",
               "eval tokens/s", "eval MFU", "training (s)", "training tokens/s", "training MFU")
# With a generation or extraction run among them: each row's own metric, named, instead of accuracy.
TEXT_RUN_COLUMNS = ("run", "model", "backend", "task", "device", "dtype", "approach", "metric", "score",
                    "score 95% CI", "other metrics", "labels used", "training", "prompt tokens", "computed tokens",
                    "latency p50 (ms)", "latency p95 (ms)", "eval tokens/s", "output tokens/s", "eval MFU",
                    "training (s)", "training tokens/s", "training MFU")


def sources_table(report: CostReport) -> pd.DataFrame:
    """Every input (user, default, price table with date, benchmark run) and every cost part
    (formula over those inputs), each value as text to six significant figures (never 9.89e+14)."""
    return sources_grid(report).frame()


def approach_table(report: CostReport) -> pd.DataFrame:
    """Totals as numbers; per-request amounts (fractions of a cent) and accuracy as text with three
    significant figures, so none reads $0.00 (the exact values are in the sources table)."""
    return costs_grid(report).frame()


def break_even_table(report: CostReport) -> pd.DataFrame:
    """As the report prints it: '3.71M requests/month', 'never …', '—' where the curves do not cross."""
    return break_even_grid(report).frame()


def runs_table(results: list[BenchmarkResult]) -> pd.DataFrame:
    """One row per run and approach: accuracy with interval (with a text run among them: each row's
    metric, its score and interval), tokens, speed, training; a figure a run lacks (MFU on CPU,
    training of a prompt) is NaN, a blank cell."""
    columns = TEXT_RUN_COLUMNS if any(is_text(r) for r in results) else RUN_COLUMNS
    return run_rows(results).pick(columns).frame()
