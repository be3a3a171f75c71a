"""A run that passes the upload but fails in the runner: its error is shown, the page goes on."""

from __future__ import annotations

import time

import pytest

from tests.dashboard.apptest import open_app, unfinished_runs
from tests.dashboard.tiny_run import start_tiny_run, tiny_csv

pytestmark = pytest.mark.slow


def test_a_run_failing_in_the_runner_shows_its_error_and_the_page_keeps_working():
    from benchmarks import jobs

    rare = tiny_csv() + b'"So-so, I guess.",meh,0\n"Fine, nothing more.",meh,1\n'  # 2 rows: too few
    at = open_app("benchmark")
    run_dir = start_tiny_run(at, ["zero_shot"], rare)
    deadline = time.monotonic() + 300
    while (status := jobs.run_status(run_dir)).state in jobs.ACTIVE:
        assert time.monotonic() < deadline, f"run still {status.state}"
        time.sleep(1)
    assert status.state == "failed" and "TooFewLabelsError" in status.error, status
    at.run()
    assert not at.exception
    errors = [e.value.replace("\\", "") for e in at.error]  # shown escaped (Markdown)
    assert any(e.startswith(f"Your run {status.run_id} failed: TooFewLabelsError")
               and "meh" in e for e in errors), errors
    ended = unfinished_runs(at)
    assert ended.loc[status.run_id, "state"] == "failed"
    assert ended.loc[status.run_id, "why"] == status.error
    assert [s.value for s in at.subheader] == ["In progress", "Start a run", "Finished runs"]
