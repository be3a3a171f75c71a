"""Token counts against known tiktoken counts; prices against genai-prices itself."""

from __future__ import annotations

from decimal import Decimal

import pytest
from genai_prices import Usage, calc_price

from calculator import prices
from calculator.costs import evaluate
from calculator.inputs import resolve_inputs
from calculator.prompts import build_prompt
from calculator.scenario import Scenario
from calculator.tokens import TokenCounter, counter_for, encoding_name_for


def test_known_tiktoken_counts():
    counter = counter_for("gpt-4")  # cl100k_base: "hello world" is [15339, 1917]
    assert counter.exact, counter.note
    assert counter.encoding_name == "cl100k_base"
    assert counter.encoding.encode("hello world") == [15339, 1917]
    assert counter.count("hello world") == 2
    o200k = counter_for("gpt-4o-mini")
    assert o200k.encoding_name == "o200k_base"
    assert o200k.encoding.encode("hello world") == [24912, 2375]
    assert o200k.count("Tokenization is not free: every token of every prompt is billed.") == 14


def test_non_openai_model_says_encoding_is_a_stand_in():
    name, note = encoding_name_for("claude-sonnet-4-5")
    assert name == "o200k_base" and "approximates" in note


def test_unloadable_encoding_falls_back_to_labeled_estimate():
    counter = counter_for("gpt-4o-mini", "no_such_encoding")
    assert not counter.exact
    assert counter.count("x" * 40) == 10
    assert counter.source.startswith("estimate")
    offline = TokenCounter("o200k_base", None, "tiktoken could not load o200k_base: ConnectionError")
    assert "estimate" in offline.source and offline.count("") == 0


def test_scenario_token_counts_are_the_prompts_counts():
    scenario = Scenario(task={"sample_inputs": ["hello world", "my invoice is wrong"]})
    inputs = resolve_inputs(scenario)
    counter = counter_for(scenario.api.model)
    prompts = [build_prompt("few_shot", scenario.task, t).text for t in scenario.task.sample_inputs]
    expected = sum(counter.count(p) for p in prompts) / 2
    assert inputs["tokens.few_shot.input"] == expected
    assert inputs["tokens.few_shot.input"] > inputs["tokens.zero_shot.input"]  # the 8 examples
    assert "tiktoken o200k_base" in inputs.quantities["tokens.few_shot.input"].source


def test_api_prices_match_genai_prices():
    table = prices.api_token_prices("gpt-4o-mini", "openai")
    usage = calc_price(Usage(input_tokens=1_000_000, output_tokens=1_000_000),
                       model_ref="gpt-4o-mini", provider_id="openai")
    assert Decimal(str(table.input)) == usage.input_price
    assert Decimal(str(table.output)) == usage.output_price
    assert "genai-prices" in table.source


def test_zero_shot_request_price_equals_genai_prices_for_same_tokens():
    scenario = Scenario(approaches=["zero_shot"], api={"model": "gpt-4o", "provider_id": "openai"})
    report = evaluate(scenario)
    inputs = report.inputs
    prompt_tokens = inputs["tokens.zero_shot.input"]
    output_tokens = inputs["tokens.answer"]
    # genai-prices takes whole tokens: compare on a request of 1000 such requests' tokens
    calc = calc_price(Usage(input_tokens=int(prompt_tokens * 1000), output_tokens=int(output_tokens * 1000)),
                      model_ref="gpt-4o", provider_id="openai")
    ours = report.approaches["zero_shot"].profile.per_request_usd * 1000
    assert ours == pytest.approx(float(calc.total_price), rel=1e-3)


def test_user_price_override_wins_and_says_so():
    inputs = resolve_inputs(Scenario(api={"input_usd_per_mtok": 9.0}))
    assert inputs["api.input_usd_per_mtok"] == 9.0
    assert inputs.quantities["api.input_usd_per_mtok"].source == "user input"
    assert "genai-prices" in inputs.quantities["api.output_usd_per_mtok"].source


def test_gpu_and_finetune_tables_carry_source_and_date():
    for row in prices.gpu_table().values():
        assert row.source and row.checked
    inputs = resolve_inputs(Scenario(finetuning={"hosting": "provider"}))
    source = inputs.quantities["provider_ft.training_usd_per_mtok"].source
    assert "data/finetune_prices.yaml" in source and "checked" in source
    assert inputs["provider_ft.input_usd_per_mtok"] == 0.3  # OpenAI's fine-tuned gpt-4o-mini input price


def test_missing_price_is_a_clear_error():
    with pytest.raises(prices.PriceNotFound, match="api.model"):
        resolve_inputs(Scenario(api={"model": "no-such-model-xyz"}))
    with pytest.raises(prices.PriceNotFound, match="hosting.gpu"):
        resolve_inputs(Scenario(hosting={"gpu": "Voodoo 2"}))
