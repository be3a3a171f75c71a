"""Result schema version 2 (quality as the task kind's metric) reads version-1 files, upgraded on read."""

import json
from pathlib import Path

import pytest

from core.result import (
    SCHEMA_VERSION,
    ApproachResult,
    Consistency,
    Quality,
    ResultError,
    load_result,
    save_result,
)

VERSION_1 = Path(__file__).parents[1] / "data" / "result_v1.json"  # written by the version-1 code (sample report run)


def test_a_version_1_file_loads_with_its_accuracy_as_quality(tmp_path):
    raw = json.loads(VERSION_1.read_text())
    assert raw["schema_version"] == 1 and "quality" not in raw["approaches"][0]
    result = load_result(VERSION_1)
    assert result.schema_version == SCHEMA_VERSION == 2 and result.task.kind == "classification"
    for row, old in zip(result.approaches, raw["approaches"], strict=True):
        assert row.quality == Quality(metric="accuracy", value=old["accuracy"], interval=tuple(old["accuracy_ci"]),
                                      interval_basis="wilson", others={"macro_f1": old["macro_f1"]})
        assert row.accuracy == old["accuracy"]  # classification rows keep accuracy and macro-F1
    lora = result.approach("lora")
    assert lora.learning_curve and all(p.quality.value == p.accuracy for p in lora.learning_curve)
    save_result(result, tmp_path)  # written back as version 2, and read again unchanged
    again = load_result(tmp_path)
    assert json.loads((tmp_path / "result.json").read_text())["schema_version"] == 2
    assert again == result


def test_a_text_row_has_no_accuracy():
    quality = Quality(metric="chrf", value=0.41, interval=(0.38, 0.44), interval_basis="bootstrap",
                      others={"rouge_l": 0.3})
    row = ApproachResult(approach="lora", labeled_examples=512, n_test=240, quality=quality, prompt_tokens_model=40,
                         output_tokens_model=12.5, latency_ms_p50=1, latency_ms_p95=2, batch_size=64,
                         throughput_requests_per_second=3, eval_tokens_per_second=100)
    assert row.accuracy is None and row.macro_f1 is None and row.quality.metric == "chrf"


def test_version_1_consistency_reads_its_accuracies_as_scores():
    old = Consistency.model_validate({"variants": ["main prompt", "paraphrase 1"], "accuracies": [0.8, 0.7],
                                      "spread": 0.1})
    assert old.scores == [0.8, 0.7] and old.metric == "accuracy"


def test_an_unknown_version_is_refused_in_one_line(tmp_path):
    raw = json.loads(VERSION_1.read_text())
    (tmp_path / "result.json").write_text(json.dumps({**raw, "schema_version": 3}))
    with pytest.raises(ResultError, match=r"schema_version 3, this version reads 1, 2"):
        load_result(tmp_path)
