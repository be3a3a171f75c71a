"""Finished benchmark runs on disk, found by their result file."""

from __future__ import annotations

from pathlib import Path

from core.files import runs_dir
from core.result import BenchmarkResult, ResultError, load_result


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
