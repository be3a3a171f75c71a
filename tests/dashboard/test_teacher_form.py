"""The Benchmark form's teacher (issue 29): the choice reaches the run's config, an endpoint teacher's cost is
estimated before Start (its preflight against a closed port says so in one line, nothing started), and a teacher
for a run with nothing to train is refused with the config's own reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.config import BenchConfig
from tests.dashboard.apptest import open_app
from tests.server_fixtures import free_port


def _closed_url() -> str:
    """A local URL nothing listens on: the teacher's preflight fails at once."""
    return f"http://127.0.0.1:{free_port()}/v1"


def _choose(at, source: str, approaches: list[str]) -> None:
    at.radio[0].set_value("quick")
    next(m for m in at.multiselect if m.label == "Approaches").set_value(approaches)
    next(r for r in at.radio if r.label == "Training labels from").set_value(source)


def test_a_teacher_for_a_run_that_trains_nothing_is_refused_with_its_reason():
    at = open_app("benchmark")
    _choose(at, "local", ["zero_shot"])
    next(b for b in at.button if b.label == "Start run").click().run()
    assert not at.exception
    error = " ".join(e.value for e in at.error)
    assert error.startswith("The run was not started") and "it labels the training inputs of the tuned" in error
    assert "my_runs" not in at.session_state


def test_an_endpoint_teachers_estimate_names_the_field_and_starts_nothing(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")  # the preflight reads it, then finds no server
    at = open_app("benchmark")
    url = _closed_url()
    _choose(at, "endpoint", ["lora"])
    next(t for t in at.text_input if t.label == "Teacher URL").set_value(url)
    next(t for t in at.text_input if t.label == "Teacher model").set_value("gpt-4o-mini")
    next(s for s in at.selectbox if s.label == "Teacher provider (for prices)").set_value("openai")
    next(b for b in at.button if b.label == "Estimate the endpoint cost").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    shown = " ".join(i.value.replace("\\", "") for i in at.info)
    assert shown.startswith("teacher: ") and f"cannot reach {url}" in shown
    assert "my_runs" not in at.session_state


@pytest.mark.slow
def test_a_local_teacher_reaches_the_runs_config(runs_root):
    at = open_app("benchmark")
    _choose(at, "local", ["lora"])
    next(b for b in at.button if b.label == "Start run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    folder = Path(at.session_state["my_runs"][-1])
    config = BenchConfig.model_validate(json.loads((folder / "config.json").read_text(encoding="utf-8")))
    assert config.teacher == "local" and config.approaches == ["lora"]
    from benchmarks import jobs

    jobs.cancel_run(folder)
