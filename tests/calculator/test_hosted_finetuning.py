"""Hosted fine-tuning as data (data/finetune_prices.yaml): every row sourced and dated, base prices
equal to genai-prices where it carries the model, per-token and dedicated serving, and a scenario on
a provider without rows refused with a message that names the field and the rows there are."""

from __future__ import annotations

import pytest

from calculator import prices
from calculator.costs import evaluate
from calculator.inputs import resolve_inputs
from calculator.scenario import Scenario
from calculator.scenario_io import apply_overrides, load_preset


def test_every_row_names_its_source_and_month():
    table = prices.finetune_table()
    assert {provider for provider, _ in table} >= {"openai", "fireworks"}
    for row in table.values():
        assert row.source and len(row.checked) == 7 and row.checked[4] == "-", row
    current = {model for provider, model in table if provider == "openai"}
    assert {"gpt-4.1-2025-04-14", "gpt-4.1-mini-2025-04-14", "gpt-4.1-nano-2025-04-14"} <= current


@pytest.mark.parametrize("row", [r for r in prices.finetune_table().values() if r.serving == "per_token"],
                         ids=lambda r: f"{r.provider_id}/{r.model}")
def test_base_model_prices_match_genai_prices(row):
    base = prices.api_token_prices(row.model.rsplit("-20", 1)[0], row.provider_id)  # gpt-4.1-2025-04-14 -> gpt-4.1
    assert (row.base_input_usd_per_mtok, row.base_output_usd_per_mtok) == pytest.approx((base.input, base.output))
    assert row.tuned_input_usd_per_mtok >= row.base_input_usd_per_mtok  # the premium is never a discount


def test_gpt_41_mini_hosted_lora_by_hand():
    scenario = Scenario(approaches=["lora"], labeling={"labels_on_hand": 2_000, "evaluation_labels": 0},
                        finetuning={"hosting": "provider", "provider_base_model": "gpt-4.1-mini-2025-04-14"},
                        workload={"requests_per_month": 1_000_000, "horizon_months": 12})
    report = evaluate(scenario)
    p, lora = report.inputs, report.approaches["lora"]
    tokens = p["tokens.tuned.input"] + p["tokens.answer"]
    # training: 2,000 labels × tokens × 3 epochs × $5 / 1M
    assert lora.profile.one_off["training"] == pytest.approx(2_000 * tokens * 3 * 5.0 / 1e6)
    base = (p["tokens.tuned.input"] * 0.40 + p["tokens.answer"] * 1.60) / 1e6
    premium = (p["tokens.tuned.input"] * (0.80 - 0.40) + p["tokens.answer"] * (3.20 - 1.60)) / 1e6
    assert lora.profile.per_request["tokens at the base-model price"] == pytest.approx(base)
    assert lora.profile.per_request["fine-tuned premium"] == pytest.approx(premium)
    assert lora.profile.monthly_fixed_usd == 0
    assert "platform.openai.com/docs/pricing" in p.quantities["provider_ft.input_usd_per_mtok"].source


def test_fireworks_lora_trains_per_token_and_serves_on_a_fleet():
    scenario = apply_overrides(load_preset("internal_helpdesk"), [
        "finetuning.hosting=provider", "finetuning.provider_id=fireworks",
        "finetuning.provider_base_model=llama-v3p1-8b-instruct"])
    report = evaluate(scenario)
    p = report.inputs
    lora, full = report.approaches["lora"].profile, report.approaches["full_finetune"].profile
    tokens = 1_500 * (p["tokens.tuned.input"] + p["tokens.answer"]) * 3  # labels × tokens × epochs
    assert lora.one_off["training"] == pytest.approx(tokens * 0.50 / 1e6)
    assert lora.per_request_usd == 0 and lora.fixed["GPUs"] > 0  # a dedicated deployment, not per token
    assert "provider_ft.input_usd_per_mtok" not in p
    # Fireworks tunes LoRA only: the full fine-tune is trained on own GPUs, and the notes say so
    assert full.one_off["training"] != pytest.approx(tokens * 0.50 / 1e6)
    assert any("does not sell Full fine-tune" in note for note in p.notes)
    assert any("dedicated deployments" in note for note in p.notes)


@pytest.mark.parametrize(("provider", "model"), [("anthropic", "claude-sonnet-4-5"), ("google", "gemini-2.5-flash")])
def test_a_provider_without_rows_is_refused_with_the_rows_there_are(provider, model):
    scenario = Scenario(api={"provider_id": provider, "model": model}, finetuning={"hosting": "provider"})
    with pytest.raises(prices.PriceNotFound) as refused:
        resolve_inputs(scenario)
    message = str(refused.value)
    assert message.startswith("finetuning.provider_base_model: ")
    assert f"{provider} has no hosted fine-tuning rows" in message
    assert "openai: gpt-4.1-2025-04-14" in message and "fireworks: llama-v3p1-8b-instruct" in message
    assert "finetuning.provider_id" in message


def test_anthropic_prompting_with_openai_hosted_tuning():
    scenario = apply_overrides(load_preset("contract_review"), [
        "finetuning.hosting=provider", "finetuning.provider_id=openai"])
    report = evaluate(scenario)  # prompting on Claude, the tuned approaches at OpenAI: both priced
    assert report.approaches["lora"].profile.per_request["fine-tuned premium"] > 0
    assert "anthropic" in report.inputs.quantities["api.input_usd_per_mtok"].source


def test_a_known_provider_with_another_model_lists_its_own():
    with pytest.raises(prices.PriceNotFound, match="openai has rows only for gpt-4.1-2025-04-14"):
        prices.finetune_offer("gpt-3.5-turbo", "openai")


def test_a_row_may_only_list_approaches_a_provider_can_train():
    """Which approaches a provider trains is the spec's `provider_trainable`: a soft prompt or DoRA in a
    row is refused with the allowed names."""
    from pydantic import ValidationError

    row = next(iter(prices.finetune_table().values())).model_dump()
    with pytest.raises(ValidationError, match="approaches: prompt_tuning, dora cannot be trained by a provider; "
                                              "allowed: lora, full_finetune"):
        prices.FinetuneRow.model_validate(row | {"approaches": ["lora", "prompt_tuning", "dora"]})
