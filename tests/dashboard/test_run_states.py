"""The Benchmark page lists each run once, with its state: complete, partial, killed (its process died
mid-run; its measured approaches kept and comparable), failed, cancelled; a run still in progress is
only under "In progress", not among the runs to compare."""

from __future__ import annotations

import os
import subprocess

import pytest

from benchmarks.jobs import RunStatus
from core.result import save_result
from tests.dashboard.apptest import open_app, unfinished_runs
from tests.fake_result import fake_result


def dead_pid() -> int:
    """The pid of a process that has ended."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def write_run(root, run_id: str, state: str, started: str, result_status: str | None = None,
              approaches: int = 3, **status) -> None:
    """A run folder as benchmarks.jobs leaves it: status.json, and result.json when an approach ended."""
    folder = root / run_id
    folder.mkdir(parents=True)
    (folder / "status.json").write_text(RunStatus(run_id=run_id, run_dir=str(folder), state=state,
                                                  created_at=started, **status).model_dump_json())
    if result_status is not None:
        result = fake_result(run_id)
        save_result(result.model_copy(update={"status": result_status, "approaches": result.approaches[:approaches],
                                              "created_at": started}), folder)


@pytest.fixture
def runs(runs_root):
    write_run(runs_root, "run-complete", "complete", "2026-01-07T09:30:00+00:00", "complete")
    write_run(runs_root, "run-partial", "complete", "2026-01-06T00:00:00+00:00", "partial", approaches=2)
    write_run(runs_root, "run-killed", "running", "2026-01-05T00:00:00+00:00", "partial", approaches=1,
              pid=dead_pid())
    write_run(runs_root, "run-failed", "failed", "2026-01-04T00:00:00+00:00", error="OSError: no such model")
    write_run(runs_root, "run-cancelled", "cancelled", "2026-01-03T00:00:00+00:00", message="cancelled by the user")
    write_run(runs_root, "run-running", "running", "2026-01-08T00:00:00+00:00", "partial", approaches=1,
              pid=os.getpid())
    save_result(fake_result("run-copied").model_copy(update={"created_at": "2026-01-02T00:00:00+00:00"}),
                runs_root / "run-copied")  # a result file alone
    return runs_root


def test_each_run_is_listed_once_with_its_state(runs):
    at = open_app("benchmark")
    assert not at.exception and not at.error
    listed = unfinished_runs(at)
    assert list(listed.index) == ["run-complete", "run-partial", "run-killed", "run-failed", "run-cancelled",
                                  "run-copied"]  # newest first; the running one is under "In progress"
    assert list(listed["state"]) == ["complete", "partial", "killed", "failed", "cancelled", "complete"]
    assert listed.loc["run-killed", "why"].startswith("incomplete run: its process")
    assert listed.loc["run-failed", "why"] == "OSError: no such model"
    assert listed.loc["run-cancelled", "why"] == "cancelled by the user"
    assert listed.loc["run-complete", "why"] == ""
    assert listed.loc["run-complete", "started"] == "2026-01-07 09:30 UTC"
    assert listed.loc["run-killed", "approaches measured"] == "Zero-shot prompt"
    assert listed.loc["run-partial", "approaches measured"] == "Zero-shot prompt, Few-shot prompt"
    assert sum("why" in t.value for t in at.table) == 1  # one list: no second table of runs that did not finish


def test_the_runs_to_compare_are_the_ended_ones_with_measured_approaches(runs):
    at = open_app("benchmark")
    compare = next(m for m in at.multiselect if m.label == "Runs to compare")
    assert compare.options == ["run-complete", "run-partial", "run-killed", "run-copied"]
    assert compare.value == ["run-complete", "run-partial"]
    compare.set_value(["run-killed"]).run()
    assert set(at.dataframe[0].value["run"]) == {"run-killed"}  # its finished approach, compared and applicable
    assert any(b.key == "apply:run-killed" for b in at.button)
    cards = [m.value for m in at.markdown if m.value.startswith("**Run ")]
    assert len(cards) == 1 and "run\\-running" in cards[0] and "running" in cards[0]
