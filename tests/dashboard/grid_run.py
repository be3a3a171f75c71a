"""A finished run with per-example answers (predictions.csv from the runner's own writer), for the
run view's tests: six test examples, three labels, three arms, the answers counted by hand there."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.runner import _predictions_csv
from core.files import runs_dir
from core.result import BenchmarkResult, TaskInfo, save_result
from tests.fake_result import fake_result

LABELS = ["negative", "neutral", "positive"]
TEXTS = ["A great film.", "Dull plot.", "It was fine.", "Loved it, truly.", "Not bad, not good.", "Okay, I guess."]
TRUTH = ["positive", "negative", "neutral", "positive", "neutral", "neutral"]
ANSWERS = {  # (approach, backend): answers by example; the endpoint arm stopped after 4 (a spending cap)
    ("zero_shot", "local"): ["positive", "positive", "positive", "positive", "negative", "negative"],
    ("lora", "local"): ["positive", "negative", "neutral", "positive", "negative", ""],  # "": no label found
    ("zero_shot", "endpoint"): ["positive", "negative", "negative", "positive"],
}
ARMS = ["Zero-shot prompt", "LoRA fine-tune", "Zero-shot prompt (endpoint)"]


def write_predictions(path: Path) -> Path:
    rows = [{"approach": approach, "backend": backend, "index": i, "label": TRUTH[i], "prediction": answer,
             "correct": answer == TRUTH[i], "output": answer}
            for (approach, backend), answers in ANSWERS.items() for i, answer in enumerate(answers)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_predictions_csv(rows, TEXTS, ("label", "prediction", "correct")), encoding="utf-8")
    return path


def grid_runs() -> Iterator[BenchmarkResult]:
    """Two finished runs, the newest of all: run-grid-1 with its predictions.csv, run-grid-old without
    one (as runs before it); removed afterwards, since other tests list the finished runs."""
    result = fake_result("run-grid-1").model_copy(update={
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"), "notes": ["3 duplicated texts were removed"],
        "task": TaskInfo(name="my_reviews", source="uploaded file my_reviews.csv", labels=LABELS,
                         verbalizers=LABELS, split_sizes={"train": 32, "test": 6}, seed=0)})
    bare = fake_result("run-grid-old").model_copy(update={"created_at": result.created_at})
    save_result(result, runs_dir() / result.run_id)
    write_predictions(runs_dir() / result.run_id / "predictions.csv")
    save_result(bare, runs_dir() / bare.run_id)
    try:
        yield result
    finally:
        shutil.rmtree(runs_dir() / result.run_id)
        shutil.rmtree(runs_dir() / bare.run_id)
