"""Background runs under faults and load: two at once both finish, SIGKILL leaves no corrupt files, cancel stops a run."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from benchmarks.jobs import RunStatus, cancel_run, list_runs, run_status, start_run
from core.result import load_result

pytestmark = pytest.mark.slow
SMALLEST_TEST = 10  # the least test split a config allows: a run here is about its process, not its figures


def wait_for(run_dir, states, timeout=240) -> RunStatus:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = run_status(run_dir)
        if status.state in states:
            return status
        time.sleep(0.5)
    raise AssertionError(f"{run_dir} still {run_status(run_dir).state} after {timeout}s: "
                         f"{(run_dir / 'process.log').read_text()[-2000:]}")


@pytest.mark.runs  # a real background benchmark process (jobs.start_run): `make test-runs`
def test_two_runs_started_together_both_complete_and_are_listed(runs_root, tiny_config):
    first = start_run(tiny_config(approaches=["zero_shot"], seed=1, test_size=SMALLEST_TEST), runs_root)
    second = start_run(tiny_config(approaches=["zero_shot"], seed=2, test_size=SMALLEST_TEST), runs_root)
    assert first != second and first.name != second.name
    for run_dir in (first, second):
        status = wait_for(run_dir, {"complete", "failed"})
        assert status.state == "complete", status.error
        assert status.progress == 1.0
        result = load_result(status.result_path)
        assert result.approach("zero_shot").n_test == SMALLEST_TEST
        assert (run_dir / "predictions.csv").read_text(encoding="utf-8").count("\n") == SMALLEST_TEST + 1
        assert any(e.approach == "zero_shot" for e in status.events)
    # different seeds -> different test splits -> different prediction files
    assert (first / "predictions.csv").read_text() != (second / "predictions.csv").read_text()
    # one model run at a time: one of them waited in the queue
    queued = [e for d in (first, second) for e in run_status(d).events if e.stage == "queued"]
    assert queued
    assert [s.run_id for s in list_runs(runs_root)] == sorted([first.name, second.name], reverse=True)


@pytest.mark.runs  # a real background benchmark process (jobs.start_run): `make test-runs`
def test_sigkill_leaves_no_corrupt_files_and_next_run_reports_it(runs_root, tiny_config):
    victim = start_run(tiny_config(approaches=["zero_shot", "lora"], train_epochs=20.0, test_size=SMALLEST_TEST),
                       runs_root)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        events = run_status(victim).events
        if any(e.loss is not None for e in events):
            break
        time.sleep(0.3)
    status = run_status(victim)
    assert status.state == "running"
    os.kill(status.pid, signal.SIGKILL)
    time.sleep(1)
    dead = run_status(victim)
    assert dead.state == "failed" and "incomplete run" in dead.error
    result = load_result(victim)  # written after zero_shot, atomically: valid, marked partial
    assert result.status == "partial" and [a.approach for a in result.approaches] == ["zero_shot"]
    json.loads((victim / "status.json").read_text())

    nxt = start_run(tiny_config(approaches=["zero_shot"], test_size=SMALLEST_TEST), runs_root)
    status = wait_for(nxt, {"complete", "failed"})
    assert status.state == "complete"
    assert any(victim.name in e.message and "incomplete" in e.message for e in status.events)
    assert json.loads((victim / "status.json").read_text())["state"] == "failed"


@pytest.mark.runs  # a real background benchmark process (jobs.start_run): `make test-runs`
def test_cancel_stops_a_running_benchmark(runs_root, tiny_config):
    run_dir = start_run(tiny_config(approaches=["lora"], train_epochs=50.0), runs_root)
    deadline = time.monotonic() + 240
    while not any(e.loss is not None for e in run_status(run_dir).events) and time.monotonic() < deadline:
        time.sleep(0.3)
    cancel_run(run_dir)
    status = wait_for(run_dir, {"cancelled", "failed", "complete"}, timeout=60)
    assert status.state == "cancelled", status.error
    assert not (run_dir / "result.json").exists() or load_result(run_dir).status == "partial"


def test_stray_files_in_the_runs_folder_are_ignored(runs_root):
    from benchmarks.jobs import list_runs, recover_incomplete

    runs_root.mkdir(parents=True, exist_ok=True)
    (runs_root / "data.csv").write_text("text,label\n")
    (runs_root / "empty-folder").mkdir()
    assert recover_incomplete(runs_root) == []
    assert list_runs(runs_root) == []


def test_out_of_memory_halves_the_batch_and_scores_the_same(loaded, monkeypatch):
    """A CUDA out-of-memory error (simulated on CPU for batches over 2) splits the batch and retries."""
    import torch

    from benchmarks import scoring

    tok, model = loaded.tokenizer, loaded.model
    prefix = tok("Label the review.\n\n").input_ids
    suffixes = [tok(f"Review {i}: fine film.\nLabel:", add_special_tokens=False).input_ids for i in range(6)]
    choices = [tok(w, add_special_tokens=False).input_ids for w in (" good", " bad")]
    plain = scoring.score_choices(model, prefix, suffixes, choices, tok.pad_token_id, max_batch=6)
    real_batch = scoring._score_batch

    def tight_memory(model, kv, prefix_len, batch, *args):
        if len(batch) > 2:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return real_batch(model, kv, prefix_len, batch, *args)

    monkeypatch.setattr(scoring, "_score_batch", tight_memory)
    retried = scoring.score_choices(model, prefix, suffixes, choices, tok.pad_token_id, max_batch=6)
    assert retried.oom_splits == 3 and retried.max_batch == 2  # 6 → 3 + 3, then each 3 → 1 + 2
    assert abs(retried.logprobs - plain.logprobs).max() < 1e-4
