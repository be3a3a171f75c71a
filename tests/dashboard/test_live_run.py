"""A tiny CPU benchmark started from the page (on an uploaded CSV) finishes and is listed."""

from __future__ import annotations

import time

import pytest

from tests.dashboard.apptest import open_app

pytestmark = pytest.mark.slow

POSITIVE = ["Wunderbar, ich liebe es!", "A delight from start to finish.", "Très bon film, bravo.",
            "Great acting and a clever plot.", "I smiled the whole time.", "Superb, see it twice."]
NEGATIVE = ["Langweilig und viel zu lang.", "A dull mess of a film.", "Nul, je me suis ennuyé.",
            "Terrible script, wooden acting.", "I walked out halfway.", "Awful, avoid it."]


def tiny_csv() -> bytes:
    rows = ["review,sentiment,extra"]
    for i in range(3):
        rows += [f'"{text} #{i}",good,{i}' for text in POSITIVE]
        rows += [f'"{text} #{i}",bad,{i}' for text in NEGATIVE]
    return ("\n".join(rows) + "\n").encode("utf-8")


def test_a_quick_run_started_from_the_page_finishes_and_is_listed():
    from benchmarks import jobs

    at = open_app("benchmark")
    at.selectbox[0].set_value("Upload CSV/JSONL…")
    at.file_uploader[0].upload("my reviews.csv", tiny_csv())
    next(t for t in at.text_input if t.label == "Text column").set_value("review")
    next(t for t in at.text_input if t.label == "Label column").set_value("sentiment")
    at.radio[0].set_value("quick")
    next(m for m in at.multiselect if m.label == "Approaches").set_value(["zero_shot"])
    next(b for b in at.button if b.label == "Start run").click().run()
    assert not at.error, [e.value for e in at.error]
    run_dir = at.session_state["my_runs"][-1]
    deadline = time.monotonic() + 600
    while (status := jobs.run_status(run_dir)).state in ("queued", "running"):
        assert time.monotonic() < deadline, f"run still {status.state} at {status.progress:.0%}"
        time.sleep(2)
    assert status.state == "complete", status.error
    at.run()
    listed = {run for frame in at.dataframe if "run" in frame.value for run in frame.value["run"]}
    assert status.run_id in listed
