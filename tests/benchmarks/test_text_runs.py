"""Generation and extraction runs end to end on the real model: the result contract of text rows and
predictions.csv with input, reference, output and score."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from benchmarks.runner import run_benchmark
from benchmarks.text_metrics import METRICS
from core.result import load_result

pytestmark = [pytest.mark.slow, pytest.mark.runs]  # minutes each: `make test-runs`, outside the default run


SEARCH = {"prompt_search": {"trials": 3}}  # 2 instructions, then one example set with the better


def _searched_by_the_kinds_metric(result, metric: str) -> None:
    """The search chose by the kind's metric on the validation split: each trial scored every validation
    example, and the chosen prompt is the best trial's."""
    search = result.approach("prompt_search").search
    assert search.metric == metric and len(search.trials) == 3 and search.stopped is None
    assert search.calls == 3 * search.validation_examples and search.validation_examples == 4
    assert search.trials[search.chosen].validation_score == max(t.validation_score for t in search.trials)
    assert search.trials[-1].shots != "none" and "{input}" in search.prompt


def _predictions(run_dir) -> list[dict]:
    with (run_dir / "predictions.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


CAPITALS = {
    "France": "Paris", "Spain": "Madrid", "Italy": "Rome", "Germany": "Berlin", "Japan": "Tokyo", "Egypt": "Cairo",
    "Peru": "Lima", "Kenya": "Nairobi", "Norway": "Oslo", "Greece": "Athens", "Cuba": "Havana", "Chile": "Santiago",
    "Poland": "Warsaw", "Austria": "Vienna", "Portugal": "Lisbon", "Ireland": "Dublin", "Russia": "Moscow",
    "China": "Beijing", "India": "New Delhi", "Canada": "Ottawa", "Mexico": "Mexico City", "Sweden": "Stockholm",
    "Finland": "Helsinki", "Denmark": "Copenhagen", "Hungary": "Budapest", "Turkey": "Ankara",
}


def test_a_generation_run_measures_every_approach_by_chrf(tmp_path, tiny_config):
    """Short references keep the answers' token limit (and so the run) small: prompt-tuning's soft prompt,
    LoRA's adapters and their learning curve, consistency paraphrases, all generating."""
    path = tmp_path / "capitals.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "answer"])
        writer.writerows([f"What is the capital city of {country}?", city] for country, city in CAPITALS.items())
    approaches = ["zero_shot", "few_shot", "prompt_search", "prompt_tuning", "lora"]
    config = tiny_config(data_file=path, text_col="question", task_kind="generation", target_col="answer",
                         approaches=approaches, test_size=10, train_size=8, val_size=4, train_batch_size=4,
                         consistency=True, extra_pass_size=10, learning_curve=[4], hyperparameters=SEARCH)
    result = run_benchmark(config, tmp_path / "run")
    assert result.status == "complete", result.notes
    assert result.task.kind == "generation" and result.task.labels == []
    assert result == load_result(tmp_path / "run")
    for row in result.approaches:
        q = row.quality
        assert q.metric == "chrf" and q.interval[0] <= q.value <= q.interval[1] and 0 <= q.value <= 1
        assert set(q.others) == {"rouge_l", "token_f1", "exact_match"}
        assert row.accuracy is None and row.macro_f1 is None  # accuracy never carries chrF
        assert row.output_tokens_model >= 1 and row.output_tokens_per_second > 0
        assert 0 < row.computed_tokens_model < row.prompt_tokens_model + row.output_tokens_model
        best, *_, worst = row.examples  # the report's best and worst answers, from this row's own predictions
        assert len(row.examples) == 4 and best.score >= worst.score and best.text.startswith("What is the capital")
    _searched_by_the_kinds_metric(result, "chrf")
    zero = result.approach("zero_shot")
    assert zero.consistency.metric == "chrf" and len(zero.consistency.scores) == 3
    curve = result.approach("lora").learning_curve
    assert [p.labeled_examples for p in curve] == [4, 8] and curve[-1].quality == result.approach("lora").quality
    rows = _predictions(tmp_path / "run")
    assert list(rows[0]) == ["approach", "backend", "index", "text", "reference", "prediction", "score", "output"]
    assert len(rows) == result.task.split_sizes["test"] * len(approaches) == 8 * 5  # 26 rows: a third held out
    for row in rows:
        assert row["reference"] == CAPITALS[row["text"].split(" of ")[1].rstrip("?")]
        assert float(row["score"]) == round(METRICS["chrf"](row["prediction"], [row["reference"]]), 4)
        assert "\n" not in row["prediction"]  # every reference is one line, so is every answer


def test_an_extraction_run_scores_json_objects_field_by_field(tmp_path, tiny_config):
    """The sample invoices (tests/data/): output-format asks for one JSON object and prefills its brace,
    every row is scored by field F1 with precision, recall and JSON validity beside it."""
    data = Path(__file__).parents[1] / "data" / "invoice_fields.csv"
    approaches = ["zero_shot", "output_format", "prompt_search", "lora"]
    config = tiny_config(data_file=data, text_col="invoice", task_kind="extraction", target_col="fields",
                         approaches=approaches, test_size=10, train_size=8, val_size=4, train_batch_size=4,
                         hyperparameters=SEARCH)
    result = run_benchmark(config, tmp_path / "run")
    assert result.status == "complete", result.notes
    assert result.task.kind == "extraction"
    _searched_by_the_kinds_metric(result, "field_f1")
    for row in result.approaches:
        q = row.quality
        assert q.metric == "field_f1" and q.interval[0] <= q.value <= q.interval[1] and 0 <= q.value <= 1
        assert set(q.others) == {"field_precision", "field_recall", "json_valid"}
        assert row.accuracy is None
    rows = _predictions(tmp_path / "run")
    assert len(rows) == result.task.split_sizes["test"] * len(approaches)
    for row in rows:
        reference = json.loads(row["reference"])
        assert set(reference) == {"invoice_number", "total", "currency"}
        assert float(row["score"]) == round(METRICS["field_f1"](row["prediction"], [row["reference"]]), 4)
    formatted = [row for row in rows if row["approach"] == "output_format"]
    assert all(row["output"].startswith("{") for row in formatted)  # the prefilled brace is part of the answer
