"""Listing runs for the live view: a finished run's events are not read on every poll."""

from __future__ import annotations

import os

import psutil

from benchmarks.events import ProgressEvent
from benchmarks.jobs import RunStatus, _append_event, _write_status, list_runs, run_status


def _run(root, name: str, state: str) -> None:
    run_dir = root / name
    run_dir.mkdir(parents=True)
    me = psutil.Process(os.getpid())  # a live process, so the running run is not declared dead
    _write_status(run_dir, RunStatus(run_id=name, run_dir=str(run_dir), state=state, created_at="2026-11-22T00:00:00+00:00",
                                     pid=me.pid, pid_started=me.create_time()))
    _append_event(run_dir, ProgressEvent(stage="zero_shot", approach="zero_shot", message="zero_shot: 1/2", done=1,
                                         total=2))


def test_only_active_runs_carry_their_events(tmp_path):
    _run(tmp_path, "20261122-000001-aaaaaa", "complete")
    _run(tmp_path, "20261122-000002-bbbbbb", "running")
    newest, oldest = list_runs(tmp_path)
    assert (newest.run_id, newest.state, len(newest.events)) == ("20261122-000002-bbbbbb", "running", 1)
    assert (oldest.state, oldest.events) == ("complete", [])
    assert len(run_status(tmp_path / oldest.run_id).events) == 1  # still there when asked for one run
