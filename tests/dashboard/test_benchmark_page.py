"""The Benchmark page: finished runs are listed, compared, and applied to the scenario."""

from __future__ import annotations

import pytest

from calculator.costs import evaluate
from calculator.measured import apply_benchmark
from calculator.recommend import recommend
from calculator.scenario_io import load_preset
from calculator.summary import run_monte_carlo
from core.files import runs_dir
from core.result import save_result
from tests.dashboard.apptest import PAGES, metric, open_app
from tests.fake_result import fake_result


@pytest.fixture
def finished_run():
    result = fake_result("run-dash-1", lora_accuracy=0.95)
    save_result(result, runs_dir() / result.run_id)
    return result


def test_a_finished_run_is_listed_and_applied_to_the_scenario(finished_run):
    at = open_app("benchmark")
    assert not at.error, [e.value for e in at.error]
    table = at.dataframe[0].value
    assert set(table["run"]) >= {"run-dash-1"}
    next(c for c in at.checkbox if c.key.startswith("apply-row:run-dash-1:lora@local:")).check()
    button = next(b for b in at.button if b.key == "apply:run-dash-1")
    button.click().run()
    assert any("run\\-dash\\-1" in s.value for s in at.info)
    at.switch_page(PAGES["decision"]).run()
    scenario = apply_benchmark(load_preset("support_intents"), finished_run, {"lora@local"})
    report = evaluate(scenario)
    decision = recommend(report, run_monte_carlo(report))
    assert metric(at, "Choose") == decision.approach(decision.choice).title
    at.switch_page(PAGES["costs"]).run()  # the score's source, in the table of every number
    sources = at.dataframe[-1].value.set_index("number")
    source = sources.loc["score.lora", "source"]
    assert source == decision.approach("lora").score_source
    assert source == "measured on smollm2-135m-instruct (local), run run-dash-1"


def test_a_run_whose_every_approach_failed_is_not_offered_for_comparison(finished_run):
    failed = fake_result("run-all-failed").model_copy(update={"approaches": [], "status": "failed",
                                                              "error": "zero_shot failed: RuntimeError: "})
    save_result(failed, runs_dir() / failed.run_id)
    at = open_app("benchmark")
    assert not at.exception
    compare = next(m for m in at.multiselect if m.label == "Runs to compare")
    assert "run-dash-1" in compare.options and "run-all-failed" not in compare.options
    assert not any(b.key == "apply:run-all-failed" for b in at.button)


def test_an_unreadable_run_folder_is_a_warning_not_a_crash():
    folder = runs_dir() / "broken-run"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "result.json").write_text("{not json", encoding="utf-8")
    at = open_app("benchmark")
    assert any("not valid JSON" in w.value for w in at.warning)
    assert not at.exception


def test_runs_table_leaves_figures_a_run_lacks_blank():
    """CPU runs have no MFU and prompting has no training: NaN (a blank cell), not the text 'None'."""
    import pandas as pd

    from dashboard.tables import runs_table

    table = runs_table([fake_result()]).set_index("approach")
    for column in ("eval MFU", "training (s)", "training tokens/s", "training MFU"):
        assert table[column].dtype == float
    assert table["eval MFU"].isna().all()
    assert pd.isna(table.loc["Zero-shot prompt", "training (s)"])
    assert table.loc["LoRA fine-tune", "training tokens/s"] == 1_666.0
    assert table.loc["LoRA fine-tune", "latency p50 (ms)"] == 40.0


def test_runs_from_before_single_request_latency_say_so():
    """A result file without latency_basis (written before it existed) reads as batch latency, and the
    page says which runs those are instead of mixing the two kinds of figure silently."""
    import json

    old = json.loads(fake_result("run-old").model_dump_json())
    for approach in old["approaches"]:
        del approach["latency_basis"]
    new = fake_result("run-new").model_copy(deep=True)
    for approach in new.approaches:
        approach.latency_basis = "one_request"
    (runs_dir() / "run-old").mkdir(parents=True)
    (runs_dir() / "run-old" / "result.json").write_text(json.dumps(old), encoding="utf-8")
    save_result(new, runs_dir() / "run-new")
    at = open_app("benchmark")
    compare = next(m for m in at.multiselect if m.label == "Runs to compare")
    compare.set_value(["run-old", "run-new"]).run()
    captions = " ".join(c.value for c in at.caption)
    assert "run-old: Latency: the wall time of the scoring batch" in captions
    assert "run-new:" not in captions
