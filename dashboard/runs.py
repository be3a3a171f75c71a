"""Finished benchmark runs on disk: found by their result file, summarised for the tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmarks.result import BenchmarkResult, ResultError, load_result
from calculator.files import runs_dir
from calculator.recommend import title


def finished_runs(root: Path | None = None) -> tuple[dict[str, BenchmarkResult], list[str]]:
    """Results with at least one measured approach by run id, newest first, and one line per run
    folder that could not be read. A run whose every approach failed has nothing to compare or
    apply: it is listed with the runs that did not finish, with its error."""
    root = root or runs_dir()
    found, problems = [], []
    for result_file in root.glob("*/result.json"):
        try:
            result = load_result(result_file)
        except ResultError as exc:
            problems.append(str(exc))
            continue
        if result.approaches:
            found.append(result)
    found.sort(key=lambda r: r.created_at, reverse=True)
    return {r.run_id: r for r in found}, problems


def runs_table(results: list[BenchmarkResult]) -> pd.DataFrame:
    """One row per run and approach: accuracy with interval, tokens, speed, training."""
    rows = []
    for r in results:
        for a in r.approaches:
            t = a.training
            rows.append({
                "run": r.run_id, "model": r.model.name, "task": r.task.name,
                "device": r.environment.gpu_name or r.environment.device, "dtype": r.model.dtype,
                "approach": title(a.approach),
                "accuracy": a.accuracy, "95% CI": f"{a.accuracy_ci[0]:.1%}–{a.accuracy_ci[1]:.1%}",
                "labels used": a.labeled_examples, "prompt tokens": a.prompt_tokens_model,
                "latency p50 (ms)": a.latency_ms_p50, "latency p95 (ms)": a.latency_ms_p95,
                "eval tokens/s": a.eval_tokens_per_second, "eval MFU": a.eval_mfu,
                "training (s)": t.seconds if t else None,
                "training tokens/s": t.tokens_per_second if t else None,
                "training MFU": t.mfu if t else None,
            })
    table = pd.DataFrame(rows)
    numeric = ["eval MFU", "training (s)", "training tokens/s", "training MFU"]
    return table.astype({column: float for column in numeric}) if rows else table  # None -> NaN: a blank cell
