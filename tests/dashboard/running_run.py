"""A run in progress, as benchmarks.jobs and the runner write its folder, for the live card's tests."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import psutil

from benchmarks import jobs
from benchmarks.config import BenchConfig
from benchmarks.events import ProgressEvent, append_event
from core.files import runs_dir


def running_run() -> Iterator[tuple[Path, float]]:
    """A run folder as jobs and the runner write it, 25 s into a run on an uploaded file: loading took
    10 s, zero-shot is half done. Its status names this test's process, so it reads as alive;
    removed afterwards (other tests list the runs in progress)."""
    upload = runs_dir() / "uploads" / "f00d" / "my_reviews.csv"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_text("text,label\nfine,good\nbad,bad\n", encoding="utf-8")
    config = BenchConfig(data_file=upload, quick=True, approaches=["zero_shot", "lora"])
    run_dir = jobs.prepare_run(config)
    status = jobs.run_status(run_dir, events=False)
    status.state, status.pid, status.pid_started = "running", os.getpid(), psutil.Process().create_time()
    status.progress, status.message = 0.07, "zero_shot: 120/240"
    start = time.time() - 25
    for event in (
        ProgressEvent(stage="starting", progress=0.0, message="starting", time=start),
        ProgressEvent(stage="loading", progress=0.0, message="loading", elapsed_s=0.0, time=start),
        ProgressEvent(stage="zero_shot", approach="zero_shot", message="running zero_shot (local)", time=start + 10,
                      notes=["73 duplicated texts were removed", "test split is 75 (asked 240)"]),
        ProgressEvent(stage="zero_shot", approach="zero_shot", done=120, total=240, approach_progress=0.5,
                      progress=0.07, message="zero_shot: 120/240", time=start + 20),
    ):
        append_event(run_dir / "events.jsonl", event)
    jobs._write_status(run_dir, status)
    try:
        yield run_dir, start
    finally:
        shutil.rmtree(run_dir)
        shutil.rmtree(upload.parent)
