"""Reader names for scenario fields and the calculator's derived inputs (one implementation)."""

from __future__ import annotations

import pytest

from calculator.costs import evaluate
from calculator.fields import field_label, numeric_fields
from calculator.scenario_io import load_preset, preset_names


@pytest.mark.parametrize(("dotted", "label"), [
    ("workload.requests_per_month", "Requests per month"),
    ("team.hours.lora", "Engineering hours for LoRA fine-tune"),
    ("tokens.tuned.input", "Prompt tokens per request, tuned model"),
    ("gpu.peak_flops", "GPU peak compute (bf16)"),
    ("api.batch_input_usd_per_mtok", "API: batch input price per 1M tokens"),
    ("finetuning.training_mfu", "Training MFU"),
    ("score.zero_shot", "Score of Zero-shot prompt"),
])
def test_labels_read_as_words(dotted, label):
    assert field_label(dotted) == label


def test_every_field_and_input_has_a_label_without_dots_or_underscores():
    keys = set(numeric_fields())
    for preset in preset_names():
        keys |= set(evaluate(load_preset(preset)).inputs.quantities)
    for key in keys:
        label = field_label(key)
        assert label and "." not in label and "_" not in label, (key, label)
