"""A run started in one browser session is in progress in every other one, then finished there."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.files import runs_dir
from tests.dashboard.apptest import open_app
from tests.dashboard.tiny_run import start_tiny_run

pytestmark = [pytest.mark.slow, pytest.mark.runs]  # real background benchmark processes: `make test-runs`


def _run_headers(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**Run")]


def test_a_run_from_one_session_is_listed_in_another_while_running_and_when_finished():
    from benchmarks import jobs

    lock = jobs.machine_lock()  # held here, the run stays queued while both sessions look
    lock.acquire(timeout=600)
    try:
        starter = open_app("benchmark")
        run_id = Path(start_tiny_run(starter, ["zero_shot"])).name
        other = open_app("benchmark")  # a second session, or the first one reloaded
        theirs = [h for h in _run_headers(other) if run_id.replace("-", "\\-") in h]
        assert theirs and "queued" in theirs[0] and "(yours)" not in theirs[0], _run_headers(other)
        assert any("(yours)" in h for h in _run_headers(starter))
        assert any(b.key.startswith("cancel:") and b.key.endswith(run_id) for b in other.button)
    finally:
        lock.release()
    deadline = time.monotonic() + 600
    while (status := jobs.run_status(runs_dir() / run_id)).state in jobs.ACTIVE:
        assert time.monotonic() < deadline, f"run still {status.state} at {status.progress:.0%}"
        time.sleep(2)
    assert status.state == "complete", status.error
    other.run()
    assert not any(run_id.replace("-", "\\-") in h for h in _run_headers(other))
    listed = {run for frame in other.dataframe if "run" in frame.value for run in frame.value["run"]}
    assert run_id in listed
    assert not other.exception
