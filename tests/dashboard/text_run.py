"""Finished runs of the text kinds built without a model: a generation run (support tickets -> one-line
replies, chrF) and an extraction run (invoices -> JSON objects, field F1), each with a result of schema 2
and a predictions.csv from the runner's own writer. The scores are given per example (GENERATION_SCORES,
EXTRACTION_SCORES), each row's quality their mean; the answers only have to differ from arm to arm."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.runner import _predictions_csv
from core.files import runs_dir
from core.result import BenchmarkResult, CurvePoint, Quality, TaskInfo, save_result
from tests.fake_result import fake_result

DATA = Path(__file__).resolve().parents[1] / "data"
REPLIES, INVOICES = DATA / "support_replies.csv", DATA / "invoice_fields.csv"
TEXT_FIELDS = ("reference", "prediction", "score")  # predictions.csv's kind columns of a text run


def pairs(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [tuple(row) for row in list(csv.reader(handle))[1:]]


def _quality(metric: str, value: float, others: dict[str, float]) -> Quality:
    return Quality(metric=metric, value=value, interval=(value - 0.1, value + 0.1), interval_basis="bootstrap",
                   others=others)


def text_result(run_id: str, kind: str, scores: dict[str, list[float]], others: dict[str, float]) -> BenchmarkResult:
    """A run of `kind` whose rows (zero-shot, few-shot, LoRA as fake_result has them) score `scores`
    (approach -> per example); each row's quality the mean of its scores, on the kind's metric."""
    metric = "chrf" if kind == "generation" else "field_f1"
    result = fake_result(run_id)
    result.created_at = datetime.now(UTC).isoformat(timespec="seconds")
    name = "support_replies" if kind == "generation" else "invoice_fields"
    result.task = TaskInfo(name=name, source=f"uploaded file {name}.csv", kind=kind, labels=[], verbalizers=[],
                           split_sizes={"train": 24, "validation": 6, "test": 4}, seed=0)
    for row in result.approaches:
        values = scores[row.approach]
        row.quality = _quality(metric, round(sum(values) / len(values), 4), others)
        row.accuracy = row.accuracy_ci = row.macro_f1 = None
        row.per_class_accuracy = {}
        row.n_test = len(values)
        row.output_tokens_per_second = 120.0
        row.learning_curve = [CurvePoint(labeled_examples=n, quality=_quality(metric, v, {}))
                              for n, v in ((8, 0.3), (24, row.quality.value))] if row.learning_curve else []
    return result


GENERATION_SCORES = {"zero_shot": [0.2, 0.3, 0.1, 0.4], "few_shot": [0.5, 0.4, 0.3, 0.6], "lora": [0.9, 0.7, 0.8, 0.6]}
EXTRACTION_SCORES = {"zero_shot": [0.0, 1 / 3, 2 / 3, 1.0], "few_shot": [1.0, 1.0, 2 / 3, 1.0],
                     "lora": [1.0, 1.0, 1.0, 1.0]}


def _answers(kind: str, approach: str, reference: str, i: int) -> tuple[str, str]:
    """(the parsed answer, the raw output) of an arm for one example."""
    if kind == "generation":
        answer = reference if approach == "lora" else f"{approach} reply {i}"
        return answer, f"Reply: {answer}"
    fields = json.loads(reference)
    answer = json.dumps(fields if approach == "lora" else {**fields, "currency": "?"}, ensure_ascii=False)
    return answer, f"Sure! Here is the JSON:\n{answer}"


def write_text_run(run_id: str, kind: str) -> BenchmarkResult:
    """The run's result.json and predictions.csv (its first four rows of tests/data as the test split)."""
    scores = GENERATION_SCORES if kind == "generation" else EXTRACTION_SCORES
    others = ({"rouge_l": 0.31, "token_f1": 0.28, "exact_match": 0.0} if kind == "generation" else
              {"field_precision": 0.8, "field_recall": 0.75, "json_valid": 1.0})
    result = text_result(run_id, kind, scores, others)
    test = pairs(REPLIES if kind == "generation" else INVOICES)[:4]
    rows = []
    for approach, values in scores.items():
        for i, ((_, reference), score) in enumerate(zip(test, values, strict=True)):
            answer, output = _answers(kind, approach, reference, i)
            rows.append({"approach": approach, "index": i, "reference": reference, "prediction": answer,
                         "score": round(score, 4), "output": output})
    run_dir = runs_dir() / run_id
    save_result(result, run_dir)
    (run_dir / "predictions.csv").write_text(_predictions_csv(rows, [t for t, _ in test], TEXT_FIELDS),
                                              encoding="utf-8")
    return result


def text_runs() -> Iterator[tuple[BenchmarkResult, BenchmarkResult]]:
    """A generation run and an extraction run, the newest of all; removed afterwards (other tests list
    the finished runs)."""
    made = [write_text_run("run-text-gen", "generation"), write_text_run("run-text-ext", "extraction")]
    try:
        yield made[0], made[1]
    finally:
        for result in made:
            shutil.rmtree(runs_dir() / result.run_id, ignore_errors=True)
