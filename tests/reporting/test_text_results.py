"""A text run's rows, chart and learning curve name its metric (chrF, field F1), never accuracy; a
classification run's are as they were (issue 26)."""

from __future__ import annotations

import pytest

from core.result import BenchmarkResult
from dashboard.tables import RUN_COLUMNS, runs_table
from reporting import charts
from reporting.run_rows import quality_text, run_rows
from tests.dashboard.text_run import EXTRACTION_SCORES, GENERATION_SCORES, text_result
from tests.fake_result import fake_result


def generation_run(run_id: str = "run-gen") -> BenchmarkResult:
    return text_result(run_id, "generation", GENERATION_SCORES, {"rouge_l": 0.31, "token_f1": 0.28, "exact_match": 0.0})


def extraction_run(run_id: str = "run-ext") -> BenchmarkResult:
    return text_result(run_id, "extraction", EXTRACTION_SCORES,
                       {"field_precision": 0.8, "field_recall": 0.75, "json_valid": 1.0})


def test_a_text_rows_quality_is_its_metric_with_its_interval():
    lora = generation_run().approach("lora")
    assert quality_text(lora.quality) == "chrF 0.750 (95% CI 0.650–0.850)"
    texts = {row[0]: row for row in run_rows([generation_run()]).pick(
        ["approach", "accuracy", "metric", "score", "score 95% CI", "other metrics", "quality"]).texts()}
    assert texts["LoRA fine-tune"] == ["LoRA fine-tune", "-", "chrF", "0.750", "0.650–0.850",
                                       "ROUGE-L 0.310 · token F1 0.280 · exact match 0.000",
                                       "chrF 0.750 (95% CI 0.650–0.850)"]
    fields = {row[0]: row[1] for row in run_rows([extraction_run()]).pick(["approach", "quality"]).texts()}
    assert fields["Zero-shot prompt"] == "field F1 0.500 (95% CI 0.400–0.600)"


def test_the_runs_table_of_a_classification_run_is_unchanged_and_a_text_run_gets_metric_columns():
    assert list(runs_table([fake_result()]).columns) == list(RUN_COLUMNS)
    table = runs_table([fake_result("run-labels"), generation_run()]).set_index(["run", "approach"])
    assert "accuracy" not in table.columns
    assert table.loc[("run-labels", "LoRA fine-tune"), "metric"] == "accuracy"
    assert table.loc[("run-labels", "LoRA fine-tune"), "score"] == 0.82
    assert table.loc[("run-gen", "LoRA fine-tune"), "metric"] == "chrF"
    assert table.loc[("run-gen", "Few-shot prompt"), "score 95% CI"] == "0.350–0.550"
    assert table.loc[("run-labels", "LoRA fine-tune"), "other metrics"] == "macro-F1 0.820"


def test_the_quality_chart_is_on_the_rows_metric():
    classification = charts.accuracy_comparison([fake_result()])
    assert classification.layout.title.text == "Accuracy with 95% interval"
    assert classification.layout.yaxis.title.text == "accuracy" and classification.layout.yaxis.tickformat == ".0%"
    chrf = charts.accuracy_comparison([generation_run()])
    assert chrf.layout.title.text == "chrF with 95% interval" and chrf.layout.yaxis.title.text == "chrF"
    assert chrf.layout.yaxis.tickformat == ".1f"
    assert list(chrf.data[0].y) == [0.25, 0.45, 0.75]
    assert list(chrf.data[0].error_y.array) == pytest.approx([0.1] * 3)
    assert "chrF %{y:.3f}" in chrf.data[0].hovertemplate
    mixed = charts.accuracy_comparison([fake_result("run-labels"), generation_run(), extraction_run()])
    assert mixed.layout.yaxis.title.text == "score"
    assert [t.name for t in mixed.data] == ["run-labels (accuracy)", "run-gen (chrF)", "run-ext (field F1)"]


def test_a_text_runs_learning_curve_and_best_prompt_are_on_its_metric():
    fig = charts.learning_curves([generation_run()])
    assert fig.layout.title.text == "Learning curve: chrF against labeled examples"
    assert fig.layout.yaxis.title.text == "chrF"
    assert [list(t.y) for t in fig.data] == [[0.3, 0.75]]
    assert [a.text for a in fig.layout.annotations] == ["best prompt: Few-shot prompt, chrF 0.450"]
    labels = charts.learning_curves([fake_result()])
    assert labels.layout.title.text == "Learning curve: accuracy against labeled examples"
    assert [a.text for a in labels.layout.annotations] == ["best prompt: Few-shot prompt, 75.0%"]


def test_the_report_shows_each_text_approachs_best_and_worst_answers():
    """Issue 27: what a chrF number means, by example; the predictions a run keeps (benchmarks/rows.py:
    extremes) are the two highest and two lowest scores of each arm."""
    from benchmarks.rows import extremes
    from reporting.tables import examples

    texts = [f"ticket {i} " + "long words " * 30 for i in range(5)]
    scores = [0.2, 0.9, 0.5, 0.1, 0.7]
    predictions = [{"approach": "lora", "index": i, "reference": f"reply {i}", "prediction": f"answer {i}",
                    "score": s} for i, s in enumerate(scores)]
    predictions.append({"approach": "lora", "backend": "endpoint", "index": 0, "reference": "r", "prediction": "p",
                        "score": 1.0})  # another arm's answer is not this one's
    kept = extremes(predictions, texts, "lora", "local")
    assert [(e.index, e.score) for e in kept] == [(1, 0.9), (4, 0.7), (3, 0.1), (0, 0.2)]
    run = generation_run()
    run.approach("lora").examples = kept
    table = examples(run)[0]
    assert table.columns == ["approach", "input", "reference", "answer", "score"]
    first = table.rows[0]
    assert first[0] == "LoRA fine-tune" and first[2:] == ["reply 1", "answer 1", "chrF 0.900"]
    assert first[1].startswith("ticket 1 long words") and first[1].endswith("…") and len(first[1]) == 160
    assert examples(fake_result()) == []  # a classification run shows no such table


def test_the_reports_results_table_of_a_text_run_has_its_metric_not_accuracy():
    from reporting.document import build, figures
    from reporting.tables import measurements

    table = measurements(generation_run())
    assert "accuracy" not in table.columns and table.columns[3:6] == ["metric", "score", "score 95% CI"]
    assert measurements(fake_result()).columns[3] == "accuracy"
    from calculator.scenario_io import load_preset

    captions = [c.caption for c in figures(build(load_preset("support_reply_drafting"), [generation_run()], draws=200))]
    assert "Measured chrF with its 95% interval, per run." in captions
