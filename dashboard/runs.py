"""Benchmark runs on disk, each once with its state: found by their status file (a run started from
the dashboard or the CLI) or by their result file alone (a result copied in)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from benchmarks import jobs
from core.files import runs_dir
from core.result import BenchmarkResult, ResultError, load_result

RunState = Literal["queued", "running", "complete", "partial", "failed", "killed", "cancelled"]
# how benchmarks.jobs says a run's process ended without writing its outcome (killed, machine off)
_DIED = "incomplete run"


@dataclass(frozen=True)
class Run:
    """One run as the Benchmark page lists it."""

    run_id: str
    state: RunState
    started: str
    result: BenchmarkResult | None  # None: no result file (failed or cancelled before an approach ended)
    why: str  # the error, or how it was stopped; "" when its state says it all

    @property
    def in_progress(self) -> bool:
        return self.state in jobs.ACTIVE

    @property
    def comparable(self) -> bool:
        """Ended, with at least one approach measured (a killed run's finished approaches count)."""
        return not self.in_progress and self.result is not None and bool(self.result.approaches)


def _results(root: Path) -> tuple[dict[str, BenchmarkResult], list[str]]:
    """Result files by run folder name, and one line per file that could not be read."""
    found, problems = {}, []
    for result_file in root.glob("*/result.json"):
        try:
            found[result_file.parent.name] = load_result(result_file)
        except ResultError as exc:
            problems.append(str(exc))
    return found, problems


def _state(status: jobs.RunStatus, result: BenchmarkResult | None) -> RunState:
    """The process's state, refined by the result: a run that ended with only some approaches
    measured is partial; one whose process died without a word (its result left partial) is killed."""
    if status.state == "failed" and (status.error or "").startswith(_DIED):
        return "killed"
    if status.state == "complete" and result is not None:
        return result.status
    return status.state


def _run(status: jobs.RunStatus | None, result: BenchmarkResult | None) -> Run:
    if status is None:  # a result file alone: it says how the run ended
        return Run(result.run_id, result.status, result.created_at, result, result.error or "")
    state = _state(status, result)
    return Run(result.run_id if result else status.run_id, state,
               status.created_at or (result.created_at if result else ""), result,
               status.error or (status.message if state == "cancelled" else ""))


def all_runs(root: Path | None = None) -> tuple[list[Run], list[str]]:
    """Every run under the runs folder once, newest first, and one line per result file that
    could not be read."""
    root = root or runs_dir()
    statuses = {Path(s.run_dir).name: s for s in jobs.list_runs(root)}
    results, problems = _results(root)
    runs = [_run(statuses.get(folder), results.get(folder)) for folder in dict.fromkeys([*statuses, *results])]
    return sorted(runs, key=lambda run: run.started, reverse=True), problems


def finished_runs(root: Path | None = None) -> tuple[dict[str, BenchmarkResult], list[str]]:
    """The results that can be compared and applied (`Run.comparable`) by run id, newest first, and
    one line per result file that could not be read."""
    runs, problems = all_runs(root)
    return {run.run_id: run.result for run in runs if run.comparable}, problems
