"""A run started from the Benchmark page can be cancelled there; the page then says so."""

from __future__ import annotations

import time

import pytest

from tests.dashboard.apptest import open_app, unfinished_runs
from tests.dashboard.tiny_run import start_tiny_run

pytestmark = pytest.mark.slow


def test_cancel_stops_a_run_and_the_page_says_so():
    from benchmarks import jobs

    at = open_app("benchmark")
    run_dir = start_tiny_run(at, ["zero_shot"])
    # Cancel once the run has reported a stage: a SIGTERM that lands while the child process is
    # still importing (before benchmarks.jobs.execute installs its handler) ends it as "failed".
    deadline = time.monotonic() + 60
    while (status := jobs.run_status(run_dir)).state == "queued" and not status.events:
        assert time.monotonic() < deadline, "the run reported no stage within 60 s"
        time.sleep(0.2)
    next(b for b in at.button if b.key == f"cancel:{run_dir}").click().run()
    deadline = time.monotonic() + 60
    while (status := jobs.run_status(run_dir)).state in ("queued", "running"):
        assert time.monotonic() < deadline, f"still {status.state} 60 s after Cancel"
        time.sleep(0.5)
    assert status.state == "cancelled", (status.state, status.error)
    at.run()
    assert any(i.value.startswith("Cancelled") for i in at.info), [i.value for i in at.info]
    ended = unfinished_runs(at)
    assert ended.loc[status.run_id, "state"] == "cancelled"
    assert not at.exception
