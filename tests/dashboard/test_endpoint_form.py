"""The Benchmark form's endpoint section (issue 15): the cost estimate before Start (the CLI's own line),
and a key typed into the password field reaching the run through its environment only: it is in no file
the run or the dashboard writes, nor in the page's link."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from benchmarks import jobs
from benchmarks.config import BenchConfig
from benchmarks.endpoint.arm import cost_estimate
from benchmarks.tasks import load_task
from core.files import runs_dir
from dashboard.endpoint_form import SESSION_KEY_PREFIX
from tests.dashboard.apptest import open_app
from tests.server_fixtures import free_port

CANARY = "sk-canary-dashboard-3b9e41c7d2"
SERVED = "HuggingFaceTB/SmolLM2-135M-Instruct"


def _closed_url() -> str:
    """A local URL nothing listens on: the run's preflight fails at once, after the key was read."""
    return f"http://127.0.0.1:{free_port()}/v1"


def _fill(at, url: str, key: str | None = None, approaches: tuple[str, ...] = ("zero_shot", "few_shot")) -> None:
    def text(label: str):
        return next(t for t in at.text_input if t.label == label)

    at.radio[0].set_value("quick")
    next(m for m in at.multiselect if m.label == "Approaches").set_value(list(approaches))
    text("Endpoint URL").set_value(url)
    text("Endpoint model").set_value(SERVED)
    next(n for n in at.number_input if n.label == "Your input $ per 1M tokens").set_value(0.1)
    next(n for n in at.number_input if n.label == "Your output $ per 1M tokens").set_value(0.4)
    if key:
        text("Or the key itself").set_value(key)


def test_the_estimate_is_shown_before_start_and_starts_nothing():
    at = open_app("benchmark")
    url = _closed_url()
    _fill(at, url)
    next(b for b in at.button if b.label == "Estimate the endpoint cost").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    shown = [i.value.replace("\\", "") for i in at.info if "endpoint cost" in i.value]
    config = BenchConfig(quick=True, approaches=["zero_shot", "few_shot"], endpoint_url=url, endpoint_model=SERVED,
                         input_usd_per_mtok=0.1, output_usd_per_mtok=0.4)
    expected = cost_estimate(config, load_task(config))  # what `prompt-or-tune bench` prints
    assert shown == [expected]
    # 240 test examples × 16 answer tokens × $0.4/1M is a floor under the two arms' most
    assert expected.startswith("endpoint cost at most $") and float(expected.split("$")[1].split()[0]) > 2 * 240 * 16 * 0.4e-6
    assert f"for 480 requests to {SERVED} (Zero-shot prompt $" in expected  # in the reader's words: 2 arms × 240
    assert "for 240, Few-shot prompt $" in expected and "user-given $/1M tokens" in expected
    assert "my_runs" not in at.session_state  # nothing was started


def test_the_search_trials_typed_reach_the_estimate():
    """A prompt search of 3 trials: the estimate is the CLI's for that budget (3 trials' validation requests
    and the test split), below the default 8 trials' estimate."""
    at = open_app("benchmark")
    url = _closed_url()
    _fill(at, url, approaches=("prompt_search",))
    next(n for n in at.number_input if n.label == "Search trials").set_value(3)
    next(b for b in at.button if b.label == "Estimate the endpoint cost").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (shown,) = [i.value.replace("\\", "") for i in at.info if "endpoint cost" in i.value]
    fields = {"quick": True, "approaches": ["prompt_search"], "endpoint_url": url, "endpoint_model": SERVED,
              "input_usd_per_mtok": 0.1, "output_usd_per_mtok": 0.4}
    config = BenchConfig(**fields, hyperparameters={"prompt_search": {"trials": 3}})
    task = load_task(config)
    validation = min(len(task.validation), config.extra_pass_size)
    assert shown == cost_estimate(config, task)
    assert f"for {3 * validation + len(task.test)} requests to {SERVED}" in shown
    assert shown != cost_estimate(BenchConfig(**fields), task)  # the default 8 trials


@pytest.mark.slow
def test_a_typed_key_reaches_the_run_only_through_its_environment():
    at = open_app("benchmark")
    url = _closed_url()
    _fill(at, url, key=CANARY)
    next(b for b in at.button if b.label == "Start run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    folder = Path(at.session_state["my_runs"][-1])
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert config["api_key_env"].startswith(SESSION_KEY_PREFIX) and config["endpoint_url"] == url
    deadline = time.monotonic() + 240
    while (status := jobs.run_status(folder)).state in jobs.ACTIVE and time.monotonic() < deadline:
        time.sleep(1)
    # the key was there for the run to read: the preflight got as far as the closed port
    assert status.state == "failed" and f"cannot reach {url}" in (status.error or ""), status.error
    written = [p for p in runs_dir().rglob("*") if p.is_file()]
    assert any(p.name == "config.json" for p in written) and any(p.name == "events.jsonl" for p in written)
    assert not [p for p in written if CANARY in p.read_text(encoding="utf-8", errors="replace")]
    assert CANARY not in json.dumps(dict(at.query_params))
