"""Hosting variants: each tuned approach priced on own GPUs and at the provider, each row recomputed
by evaluating the scenario with `finetuning.hosting` set that way."""

from __future__ import annotations

import json

import pytest

from calculator.analysis import analyze
from calculator.costs import evaluate
from calculator.hosting import hosting_variants, notes, table_rows
from calculator.scenario_io import apply_overrides, load_preset

AT_20K = ["workload.requests_per_month=20000"]


def variants_of(*sets: str):
    return hosting_variants(evaluate(apply_overrides(load_preset("support_intents"), list(sets))))


@pytest.mark.parametrize("sets", [[], AT_20K, [*AT_20K, "finetuning.hosting=provider"]])
def test_each_variant_is_the_scenario_evaluated_with_that_hosting(sets):
    scenario = apply_overrides(load_preset("support_intents"), sets)
    found = hosting_variants(evaluate(scenario))
    assert {(v.approach, v.hosting) for v in found.variants} == {
        (a, h) for a in ("lora", "full_finetune") for h in ("self_hosted", "provider")}
    for v in found.variants:
        again = evaluate(apply_overrides(scenario, [f"finetuning.hosting={v.hosting}"])).approaches[v.approach]
        assert v.tco_usd == pytest.approx(again.tco_usd, rel=1e-12)
        assert v.one_off_usd == pytest.approx(again.profile.one_off_usd, rel=1e-12)
        assert v.monthly_usd == pytest.approx((again.tco_usd - again.profile.one_off_usd) / 24, rel=1e-12)
        assert v.current == (v.hosting == scenario.finetuning.hosting)
    tcos = [v.tco_usd for v in found.variants]
    assert tcos == sorted(tcos)


def test_at_20k_requests_the_provider_is_cheaper_and_trains_its_own_model():
    found = variants_of(*AT_20K)
    first, *_ = found.variants
    lora = {v.hosting: v for v in found.variants if v.approach == "lora"}
    assert (first.approach, first.hosting) == ("lora", "provider")
    assert round(lora["provider"].tco_usd) == 12_361 and round(lora["self_hosted"].tco_usd) == 71_243
    assert lora["provider"].model == "gpt-4o-mini-2024-07-18"  # finetuning.provider_base_model's default
    assert lora["self_hosted"].model == "Llama-3.1-8B-Instruct"
    assert lora["provider"].where == "at OpenAI, gpt-4o-mini-2024-07-18 fine-tuned"
    assert lora["self_hosted"].where == "own GPUs (1× L4 24GB)"
    assert found.current("lora") is lora["self_hosted"]
    lines = notes(found)
    assert lines[0] == "LoRA fine-tune costs $58,882 less over 24 months at OpenAI than on own GPUs ($12,361 against $71,243)."
    assert "gpt-4o-mini-2024-07-18, not Llama-3.1-8B-Instruct" in lines[2]  # after the two savings
    assert lines[3].startswith("Left out: Prompt-tuning at the provider: no provider")
    rows = table_rows(found)
    assert rows[0][:3] == ["1", "LoRA fine-tune", "at OpenAI, gpt-4o-mini-2024-07-18 fine-tuned"]
    assert [r[-1] for r in rows if r[2].startswith("own GPUs")] == ["current", "current"]


def test_monthly_at_the_provider_is_its_fixed_cost_and_the_average_months_tokens():
    """An average month = fixed + (Σ requests ÷ 24) × per request: the hand arithmetic over the profile."""
    scenario = apply_overrides(load_preset("support_intents"), [*AT_20K, "finetuning.hosting=provider"])
    report = evaluate(scenario)
    profile = report.approaches["lora"].profile
    requests = 20_000 * sum(1.03**m for m in range(24))
    provider = next(v for v in hosting_variants(report).variants if v.approach == "lora" and v.current)
    assert provider.monthly_usd == pytest.approx(profile.monthly_fixed_usd + requests / 24 * profile.per_request_usd)


def test_a_provider_without_a_row_leaves_its_variants_out_with_the_reason():
    found = variants_of("finetuning.provider_base_model=no-such-model")
    assert {v.hosting for v in found.variants} == {"self_hosted"}
    missing = next(x for x in found.left_out if x.hosting == "provider" and "lora" in x.approaches)
    assert missing.approaches == ["lora", "full_finetune"]
    assert missing.reason == ("the price table of hosted fine-tuning (data/finetune_prices.yaml) has no row for "
                              "no-such-model at OpenAI; pick a provider and model it has on the Scenario page "
                              "(Fine-tuning tab)")
    assert notes(found) == [f"Left out: {x.text}." for x in found.left_out]  # no saving, no other model


def test_an_approach_the_provider_does_not_train_is_left_out_and_priced_on_own_gpus():
    """Fireworks tunes only LoRA: full fine-tuning stays on own GPUs (the scenario's current row) and
    prompt-tuning is trained by no provider."""
    found = variants_of("finetuning.hosting=provider", "finetuning.provider_id=fireworks",
                        "finetuning.provider_base_model=llama-v3p1-8b-instruct")
    assert [(v.approach, v.hosting) for v in found.variants if v.current] == [
        ("lora", "provider"), ("full_finetune", "self_hosted")]
    assert found.current("lora").where == ("at Fireworks, llama-v3p1-8b-instruct fine-tuned, "
                                           "on a dedicated deployment (1× L4 24GB)")
    reasons = {(tuple(x.approaches), x.hosting): x.reason for x in found.left_out}
    assert reasons[("full_finetune",), "provider"].startswith("fireworks/llama-v3p1-8b-instruct is not tuned")
    assert "no provider's fine-tuning service trains it" in reasons[("prompt_tuning",), "provider"]


def test_the_analysis_and_its_json_carry_the_variants():
    found = analyze(apply_overrides(load_preset("support_intents"), AT_20K), draws=200)
    data = json.loads(json.dumps(found.to_dict()))
    rows = data["hosting_variants"]["variants"]
    assert [(r["approach"], r["hosting"]) for r in rows] == [
        (v.approach, v.hosting) for v in found.hosting_variants.variants]
    assert rows[0]["tco_usd"] == pytest.approx(found.hosting_variants.variants[0].tco_usd)
    assert any(s.startswith("data/finetune_prices.yaml: openai/gpt-4o-mini") for s in data["hosting_variants"]["sources"])
