"""Bad scenario input: each case gets one clear line naming the field, never a traceback."""

from __future__ import annotations

import pytest

from calculator.costs import evaluate
from calculator.prices import PriceNotFound
from calculator.scenario_io import (
    MAX_SCENARIO_BYTES,
    ScenarioError,
    apply_overrides,
    load_scenario,
    parse_scenario_text,
    scenario_from_mapping,
)

# (test id, scenario mapping, text the message must contain)
BAD_MAPPINGS = [
    ("negative-volume", {"workload": {"requests_per_month": -1}}, "workload.requests_per_month"),
    ("absurd-volume", {"workload": {"requests_per_month": 1e15}}, "allowed [0, 1e+10]"),
    ("nan-volume", {"workload": {"requests_per_month": float("nan")}}, "workload.requests_per_month"),
    ("inf-volume", {"workload": {"requests_per_month": float("inf")}}, "workload.requests_per_month"),
    ("string-volume", {"workload": {"requests_per_month": "many"}}, "workload.requests_per_month"),
    ("list-volume", {"workload": {"requests_per_month": [1, 2]}}, "workload.requests_per_month"),
    ("horizon-zero", {"workload": {"horizon_months": 0}}, "workload.horizon_months"),
    ("horizon-fraction", {"workload": {"horizon_months": 2.5}}, "workload.horizon_months"),
    ("horizon-too-long", {"workload": {"horizon_months": 1000}}, "allowed [1, 120]"),
    ("growth-too-high", {"workload": {"monthly_growth_pct": 1000}}, "workload.monthly_growth_pct"),
    ("zero-input-price", {"api": {"input_usd_per_mtok": 0}}, "api.input_usd_per_mtok"),
    ("negative-output-price", {"api": {"output_usd_per_mtok": -2}}, "api.output_usd_per_mtok"),
    ("cache-share-above-one", {"api": {"cache_hit_share": 1.5}}, "api.cache_hit_share"),
    ("negative-label-cost", {"labeling": {"cost_per_label_usd": -1}}, "labeling.cost_per_label_usd"),
    ("zero-hourly-rate", {"team": {"engineer_usd_per_hour": 0}}, "team.engineer_usd_per_hour"),
    ("negative-hours", {"team": {"hours": {"lora": -3}}}, "team.hours.lora"),
    ("mfu-above-one", {"finetuning": {"training_mfu": 1.7}}, "finetuning.training_mfu"),
    ("zero-epochs", {"finetuning": {"epochs": 0}}, "finetuning.epochs"),
    ("tiny-model", {"finetuning": {"base_model_params": 10}}, "finetuning.base_model_params"),
    ("unknown-hosting", {"finetuning": {"hosting": "moon"}}, "finetuning.hosting"),
    ("score-above-one", {"quality": {"accuracy": {"lora": 1.2}}}, "quality.scores: lora's score must be a fraction"),
    ("target-above-one", {"quality": {"target": 90}}, "quality.target"),
    ("unknown-approach", {"approaches": ["zero_shot", "magic"]}, "approaches"),
    ("no-approaches", {"approaches": []}, "approaches"),
    ("one-label", {"task": {"labels": ["only"]}}, "task.labels"),
    ("duplicate-labels", {"task": {"labels": ["a", "a"]}}, "labels must be distinct"),
    ("empty-label", {"task": {"labels": ["a", " "]}}, "labels must not be empty"),
    ("no-sample-inputs", {"task": {"sample_inputs": []}}, "task.sample_inputs"),
    ("few-shot-k-zero", {"task": {"few_shot_k": 0}}, "task.few_shot_k"),
    ("range-min-above-max", {"uncertainty": {"workload.requests_per_month": {"low": 9, "high": 1}}},
     "range low 9"),
    ("range-unknown-field", {"uncertainty": {"workload.volume": {"low": 1, "high": 2}}},
     "not a numeric scenario field"),
    ("range-outside-bounds", {"uncertainty": {"api.cache_hit_share": {"low": 0, "high": 3}}},
     "api.cache_hit_share"),
    ("range-on-horizon", {"uncertainty": {"workload.horizon_months": {"low": 1, "high": 3}}},
     "workload.horizon_months"),
    ("range-missing-high", {"uncertainty": {"workload.requests_per_month": {"low": 1}}},
     "uncertainty.workload.requests_per_month.high"),
    ("unknown-section", {"workloads": {}}, "workloads: unknown field"),
    ("unknown-field", {"workload": {"volume": 5}}, "workload.volume: unknown field"),
    ("section-not-mapping", {"workload": 5}, "workload"),
    ("currency-not-usd", {"currency": "EUR"}, "currency"),
    ("empty-name", {"name": ""}, "name"),
    ("budget-negative", {"constraints": {"budget_usd": -10}}, "constraints.budget_usd"),
]


@pytest.mark.parametrize(("data", "needle"), [(d, n) for _, d, n in BAD_MAPPINGS],
                         ids=[case_id for case_id, _, _ in BAD_MAPPINGS])
def test_bad_mapping(data, needle):
    with pytest.raises(ScenarioError) as info:
        scenario_from_mapping(data)
    message = str(info.value)
    assert needle in message
    assert "\n" not in message


BAD_TEXTS = [
    ("yaml-list", "- 1\n- 2\n", "must be a mapping"),
    ("yaml-scalar", "42\n", "must be a mapping"),
    ("yaml-empty", "", "must be a mapping"),
    ("yaml-unsafe-tag", "name: !!python/object/apply:os.system ['true']\n", "not valid YAML"),
    ("yaml-syntax", "workload: {requests_per_month: 5\n", "not valid YAML"),
    ("json-syntax", "{\"workload\": }", "not valid JSON"),
    ("huge-text", "name: x\n" + "#" * (MAX_SCENARIO_BYTES + 1), "limit"),
]


@pytest.mark.parametrize(("text", "needle"), [(t, n) for _, t, n in BAD_TEXTS],
                         ids=[case_id for case_id, _, _ in BAD_TEXTS])
def test_bad_text(text, needle):
    suffix = ".json" if text.startswith("{") else ".yaml"
    with pytest.raises(ScenarioError, match=needle):
        parse_scenario_text(text, suffix)


def test_bad_files(tmp_path):
    (tmp_path / "latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    (tmp_path / "huge.yaml").write_bytes(b"#" * (MAX_SCENARIO_BYTES + 10))
    (tmp_path / "folder.yaml").mkdir()
    for name, needle in [("latin1.yaml", "not UTF-8"), ("huge.yaml", "limit"),
                         ("missing.yaml", "no such scenario file"), ("folder.yaml", "is a folder")]:
        with pytest.raises(ScenarioError, match=needle):
            load_scenario(tmp_path / name)


@pytest.mark.parametrize(("overrides", "needle"), [
    (["api.model=gpt-nonexistent"], "api.model"),
    (["hosting.gpu=TPU"], "hosting.gpu"),
    (["finetuning.hosting=provider", "finetuning.provider_base_model=nope"],
     "finetuning.provider_base_model"),
], ids=["unknown-api-model", "unknown-gpu", "unknown-finetune-model"])
def test_unknown_names_are_clear(overrides, needle):
    scenario = apply_overrides(load_scenario("internal_helpdesk"), overrides)
    with pytest.raises(PriceNotFound, match=needle):
        evaluate(scenario)


def test_set_into_a_value_is_clear():
    with pytest.raises(ScenarioError, match="is a value, not a section"):
        apply_overrides(load_scenario("internal_helpdesk"), ["workload.requests_per_month.x=1"])
