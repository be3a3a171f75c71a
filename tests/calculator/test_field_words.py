"""Every number the calculator names reads as words: no raw abbreviation ("Kv", "gb", "flops", "min"), no
snake_case, for scenario fields, derived inputs (hosted fine-tuning and applied runs included) and choices."""

from __future__ import annotations

import re

import pytest

from calculator.costs import evaluate
from calculator.fields import CHOICE_WORDS, choice_label, field_label, numeric_fields
from calculator.scenario import Scenario
from calculator.scenario_io import apply_overrides, load_preset, preset_names
from core.approaches import BY_NAME

RAW = {"kv", "gb", "flops", "min", "ops", "pct", "usd", "mtok", "params", "param", "mfu", "mbu", "gpu", "gpus",
       "api", "ft"}  # a field name's abbreviations, which a label spells out or capitalises
PER_APPROACH = ("score.{}", "labels.{}", "pass_rate.{}", "tokens.output.{}", "provider_ft.hosts.{}", "team.hours.{}")


def every_key() -> set[str]:
    keys = set(numeric_fields()) | {pattern.format(name) for pattern in PER_APPROACH for name in BY_NAME}
    for preset in preset_names():
        keys |= set(evaluate(load_preset(preset)).inputs.quantities)
    hosted = apply_overrides(load_preset("support_intents"), ["finetuning.hosting=provider"])
    return keys | set(evaluate(hosted).inputs.quantities)


def test_every_label_reads_as_words():
    for key in sorted(every_key()):
        label = field_label(key)
        words = set(re.findall(r"[A-Za-z0-9]+", label))
        assert label[:1].isupper() and not {"_", "."} & set(label), (key, label)
        assert not words & RAW, (key, label)


@pytest.mark.parametrize(("dotted", "label"), [
    ("finetuning.kv_bytes_per_token", "KV cache bytes per token"),
    ("pretrain.kv_bytes_per_token", "Pretraining: KV cache bytes per token"),
    ("gpu.memory_gb", "GPU memory"),
    ("gpu.pretrain.peak_flops", "Pretraining: GPU peak compute (bf16)"),
    ("hosting.min_replicas", "Minimum replicas"),
    ("hosting.ops_hours_per_month", "Operations hours per month"),
    ("finetuning.retrain_new_label_share", "Share of new labels per retraining"),
    ("pass_rate.lora", "Pass rate of LoRA fine-tune"),
    ("provider_ft.hosts.lora", "LoRA fine-tune trained at the provider"),
])
def test_the_fields_a_reader_found_raw(dotted, label):
    assert field_label(dotted) == label


def test_every_choice_of_hosting_has_reader_words():
    choices = Scenario.model_fields["finetuning"].annotation.model_fields["hosting"].annotation.__args__
    assert set(CHOICE_WORDS["finetuning.hosting"]) == set(choices)
    assert [choice_label("finetuning.hosting", c) for c in ("self_hosted", "provider")] == [
        "on own GPUs", "at the provider"]
    assert choice_label("task.kind", "generation") == "generation"  # no words of its own: the value is one
