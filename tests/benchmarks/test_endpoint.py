"""Endpoint arms without a server: prices by hand, the cache key, Retry-After, the budget, the
config's arms, the CLI options and old result files (the real-server tests are test_endpoint_server.py)."""

from __future__ import annotations

import argparse
import json

import pytest

from benchmarks.config import BenchConfig
from benchmarks.endpoint.arm import Budget, parse_answer
from benchmarks.endpoint.cache import ResponseCache, request_key
from benchmarks.endpoint.client import (
    EndpointClient,
    EndpointError,
    EndpointSettings,
    backoff_s,
    retry_after_s,
)
from benchmarks.endpoint.money import Usage, pricing
from calculator.prices import api_token_prices
from core.result import ApproachResult
from prompt_or_tune.commands.bench import build_config, register

URL = "http://127.0.0.1:9/v1"


def test_usage_dollars_from_genai_prices_by_hand():
    listed = api_token_prices("gpt-4o-mini", "openai")
    prices = pricing("gpt-4o-mini", "openai", None, None)
    usage = Usage.from_response({"usage": {"prompt_tokens": 1200, "completion_tokens": 30,
                                           "prompt_tokens_details": {"cached_tokens": 1024},
                                           "completion_tokens_details": {"reasoning_tokens": 0}}})
    assert usage == Usage(input=1200, output=30, cached_input=1024)
    by_hand = (176 * listed.input + 1024 * listed.cached_input + 30 * listed.output) / 1e6
    assert prices.usd(usage) == pytest.approx(by_hand)
    assert listed.cached_input < listed.input  # the cached share is really cheaper
    own = pricing("my-model", None, 2.0, 6.0)
    assert own.usd(Usage(input=1000, output=100)) == pytest.approx((1000 * 2 + 100 * 6) / 1e6)
    assert pricing("my-model", None, None, None) is None


def test_cache_key_names_endpoint_model_and_body_never_order(tmp_path):
    body = {"messages": [{"role": "user", "content": "x"}], "temperature": 0, "seed": 0}
    key = request_key(URL, "m", body)
    assert key == request_key(URL + "/", "m", dict(reversed(body.items())))
    assert len({key, request_key(URL, "m2", body), request_key("http://other/v1", "m", body),
                request_key(URL, "m", body | {"seed": 1})}) == 4
    cache = ResponseCache(tmp_path)
    cache.put(key, {"response": {"choices": []}, "latency_s": 0.5})
    assert cache.get(key) == {"response": {"choices": []}, "latency_s": 0.5}
    assert cache.get(request_key(URL, "m2", body)) is None


def test_retry_after_and_backoff():
    import random

    assert retry_after_s({"retry-after": "2"}) == 2.0
    assert retry_after_s({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after_s({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # a date in the past
    assert retry_after_s({}) is None and retry_after_s(None) is None
    rng = random.Random(0)
    waits = [backoff_s(a, rng) for a in range(8)]
    assert all(0.25 <= w <= 0.5 for w in waits[:1]) and 4 <= waits[4] <= 8 and 15 <= waits[7] <= 30


def test_budget_reserves_before_sending_and_settles_at_the_measured_price():
    budget = Budget(limit=1.0)
    assert budget.reserve(0.6) and not budget.reserve(0.5)  # 0.6 in flight + 0.5 would pass $1
    budget.settle(0.6, 0.2)
    assert budget.spent == pytest.approx(0.2) and budget.reserve(0.5)
    assert Budget(limit=None).reserve(1e9)


def test_answers_parse_from_json_or_text():
    labels = ["negative", "positive"]
    assert parse_answer('{"label": "positive"}', labels, "Sentiment") == 1
    assert parse_answer("The sentiment of this movie review is negative.", labels, "Sentiment") == 0
    assert parse_answer("It is mixed: positive and negative", labels, "Sentiment") == -1


def test_missing_key_variable_is_one_line(monkeypatch):
    monkeypatch.delenv("POT_NO_SUCH_KEY", raising=False)
    with pytest.raises(EndpointError, match=r"^POT_NO_SUCH_KEY is not set: .*--api-key-env$"):
        EndpointClient(EndpointSettings(URL, "m", api_key_env="POT_NO_SUCH_KEY"))


def test_arms_prompting_to_the_endpoint_tuned_stay_local():
    cfg = BenchConfig(quick=True, endpoint_url=URL, endpoint_model="m", approaches=["zero_shot", "few_shot", "lora"])
    assert cfg.arms == [("zero_shot", "endpoint"), ("few_shot", "endpoint"), ("lora", "local")]
    both = BenchConfig(quick=True, endpoint_url=URL, endpoint_model="m", endpoint_approaches=["zero_shot"])
    assert both.arms[-1] == ("zero_shot", "endpoint") and ("zero_shot", "local") in both.arms
    for bad in ({"endpoint_url": URL}, {"endpoint_url": URL, "endpoint_model": "m", "endpoint_approaches": ["lora"]},
                {"endpoint_url": URL, "endpoint_model": "m", "max_usd": 1.0},
                {"endpoint_url": URL, "endpoint_model": "m", "input_usd_per_mtok": 1.0},
                {"endpoint_url": "ftp://x", "endpoint_model": "m"}, {"concurrency": 0}):
        with pytest.raises(ValueError):
            BenchConfig(quick=True, **bad)


def _cli(*argv: str):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    return build_config(parser.parse_args(["bench", *argv]))


def test_cli_endpoint_options_reach_the_config():
    cfg = _cli("--quick", "--approaches", "zero_shot,few_shot,lora", "--endpoint", URL, "--endpoint-model", "gpt-4o-mini",
               "--provider", "openai", "--api-key-env", "MY_KEY", "--max-usd", "0.5", "--concurrency", "2")
    assert (cfg.endpoint_url, cfg.endpoint_model, cfg.provider, cfg.api_key_env, cfg.max_usd, cfg.concurrency) == (
        URL, "gpt-4o-mini", "openai", "MY_KEY", 0.5, 2)
    assert cfg.arms[-1] == ("lora", "local")
    assert _cli("--endpoint", URL)[0] == "--endpoint-model"  # the missing option is named, not a traceback
    assert _cli("--endpoint", URL, "--endpoint-model", "m", "--concurrency", "0")[0] == "--concurrency"


def test_old_rows_read_as_local_and_endpoint_fields_round_trip():
    old = {"approach": "zero_shot", "labeled_examples": 0, "n_test": 10, "accuracy": 0.5, "accuracy_ci": [0.2, 0.8],
           "macro_f1": 0.5, "per_class_accuracy": {}, "prompt_tokens_model": 40.0, "output_tokens_model": 1.0,
           "latency_ms_p50": 1.0, "latency_ms_p95": 2.0, "batch_size": 8, "throughput_requests_per_second": 3.0,
           "eval_tokens_per_second": 100.0}
    row = ApproachResult.model_validate(old)
    assert (row.backend, row.model, row.endpoint, row.latency_basis) == ("local", None, None, "batch")
    assert ApproachResult.model_validate(json.loads(row.model_dump_json())) == row
