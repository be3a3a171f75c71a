"""Provider rules of prompting prices: the minimum cacheable prefix, cache writes, and hidden
reasoning tokens billed as output, each against a hand calculation."""

from __future__ import annotations

import pytest

from calculator.approaches import REGISTRY
from calculator.approaches.prompting import api_per_request_usd
from calculator.costs import evaluate
from calculator.inputs import resolve_inputs
from calculator.scenario import Scenario
from calculator.scenario_io import apply_overrides, load_preset
from core.approaches import BY_NAME

P = {  # round prices, Anthropic-like: cache read 0.1×, cache write 1.25× input
    "api.input_usd_per_mtok": 3.0,
    "api.output_usd_per_mtok": 15.0,
    "api.cached_input_usd_per_mtok": 0.3,
    "api.cache_write_usd_per_mtok": 3.75,
    "api.batch_input_usd_per_mtok": 1.5,
    "api.batch_output_usd_per_mtok": 7.5,
    "api.batch_share": 0.0,
    "api.cache_hit_share": 0.6,
    "api.min_cacheable_tokens": 1024.0,
    "api.reasoning_tokens_per_request": 0.0,
    "task.reasoning_tokens": 100.0,
    "tokens.zero_shot.input": 1600.0,
    "tokens.zero_shot.prefix": 1500.0,
    "tokens.chain_of_thought.input": 1650.0,
    "tokens.chain_of_thought.prefix": 1550.0,
    "tokens.answer": 2.0,
}


def per_request(name: str = "zero_shot", **changes: float) -> float:
    return float(api_per_request_usd({**P, **changes}, BY_NAME[name]))


def test_cache_hits_and_writes():
    # 100 uncached × $3 + 1500 × 0.6 hits × $0.30 + 1500 × 0.4 writes × $3.75 + 2 × $15
    # = 300 + 270 + 2,250 + 30 = $2,850 per 1M requests
    assert per_request() == pytest.approx(2850e-6)
    # writes at the input price (OpenAI, automatic caching): 100 × 3 + 270 + 600 × 3 + 30 = 2,400
    assert per_request(**{"api.cache_write_usd_per_mtok": 3.0}) == pytest.approx(2400e-6)
    # no caching used: no writes either, 1600 × 3 + 30
    assert per_request(**{"api.cache_hit_share": 0.0}) == pytest.approx(4830e-6)


def test_a_prefix_below_the_minimum_is_not_cached():
    # 1,500-token prefix under a 2,048 minimum (Claude Haiku): every token at the input price
    assert per_request(**{"api.min_cacheable_tokens": 2048.0}) == pytest.approx(4830e-6)  # 1600 × 3 + 2 × 15
    # exactly the minimum is cached
    assert per_request(**{"api.min_cacheable_tokens": 1500.0}) == pytest.approx(2850e-6)


def test_reasoning_tokens_are_billed_as_output_for_every_prompt():
    r = {"api.reasoning_tokens_per_request": 300.0}
    assert per_request(**r) == pytest.approx(2850e-6 + 300 * 15e-6)  # + 300 × $15 / 1M = $4.5e-3
    # chain-of-thought: hidden reasoning, then its written 100, then the label
    # 100 × 3 + 1550 × 0.6 × 0.3 + 1550 × 0.4 × 3.75 + (300 + 100 + 2) × 15 = 300 + 279 + 2325 + 6030
    assert per_request("chain_of_thought", **r) == pytest.approx(8934e-6)


def test_support_intents_zero_shot_gets_no_cache_discount_at_openai():
    scenario = load_preset("support_intents")
    assert scenario.api.provider_id == "openai" and scenario.api.cache_hit_share == 0.5
    p = resolve_inputs(scenario)
    assert p["api.min_cacheable_tokens"] == 1024
    assert "prompt-caching" in p.quantities["api.min_cacheable_tokens"].source
    prompt, prefix = p["tokens.zero_shot.input"], p["tokens.zero_shot.prefix"]
    assert 250 < prompt < 400 and prefix < 1024  # the ~310-token prompt
    expected = (prompt * p["api.input_usd_per_mtok"] + p["tokens.answer"] * p["api.output_usd_per_mtok"]) / 1e6
    assert evaluate(scenario).approaches["zero_shot"].profile.per_request["API tokens"] == pytest.approx(expected)
    # what it was priced at before: half the prefix at gpt-4o's cached $1.25 instead of $2.50
    old = expected - 0.5 * prefix * (p["api.input_usd_per_mtok"] - p["api.cached_input_usd_per_mtok"]) / 1e6
    assert expected / old > 1.1


def test_anthropic_cache_write_and_minimum_from_the_tables():
    sonnet = resolve_inputs(Scenario(api={"provider_id": "anthropic", "model": "claude-sonnet-4-5"}))
    assert sonnet["api.cache_write_usd_per_mtok"] == pytest.approx(1.25 * sonnet["api.input_usd_per_mtok"])
    assert sonnet["api.cache_write_usd_per_mtok"] == pytest.approx(3.75)  # genai-prices: $3 input
    assert "genai-prices" in sonnet.quantities["api.cache_write_usd_per_mtok"].source
    assert sonnet["api.min_cacheable_tokens"] == 1024
    haiku = resolve_inputs(Scenario(api={"provider_id": "anthropic", "model": "claude-3-5-haiku-latest"}))
    assert haiku["api.min_cacheable_tokens"] == 2048
    openai = resolve_inputs(Scenario())  # gpt-4o-mini: no write surcharge
    assert openai["api.cache_write_usd_per_mtok"] == openai["api.input_usd_per_mtok"]


def test_reasoning_models_default_their_hidden_tokens():
    gpt5 = Scenario(api={"model": "gpt-5"}, approaches=["zero_shot"])
    p = resolve_inputs(gpt5)
    assert p["api.reasoning_tokens_per_request"] == 256
    assert "reasoning" in p.quantities["api.reasoning_tokens_per_request"].source
    # (prompt × $1.25 + (256 + label) × $10) / 1M; the prompt is under 1,024 tokens, no cache
    expected = (p["tokens.zero_shot.input"] * 1.25 + (256 + p["tokens.answer"]) * 10.0) / 1e6
    assert float(REGISTRY["zero_shot"].profile(p).per_request_usd) == pytest.approx(expected)
    assert resolve_inputs(Scenario())["api.reasoning_tokens_per_request"] == 0  # gpt-4o-mini
    measured = resolve_inputs(apply_overrides(gpt5, ["api.reasoning_tokens_per_request=40"]))
    assert measured["api.reasoning_tokens_per_request"] == 40


def test_newer_claude_models_cache_only_from_4096_tokens():
    for model in ("claude-opus-4-5", "claude-haiku-4-5"):
        p = resolve_inputs(Scenario(api={"provider_id": "anthropic", "model": model}, approaches=["zero_shot"]))
        assert p["api.min_cacheable_tokens"] == 4096, model
        assert "anthropic-sdk-python/issues/1194" in p.quantities["api.min_cacheable_tokens"].source
    sonnet = resolve_inputs(Scenario(api={"provider_id": "anthropic", "model": "claude-sonnet-4-6"},
                                     approaches=["zero_shot"]))
    assert sonnet["api.min_cacheable_tokens"] == 1024  # the documented figure (the issue reports 2,048 in practice)
