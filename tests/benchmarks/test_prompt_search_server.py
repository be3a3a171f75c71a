"""Prompt search on an endpoint: `transformers serve` of the packaged model on 127.0.0.1 (tests/server_fixtures.py)
behind test_endpoint_server's proxy, which keeps every chat request and its reply. The search's trials are the
validation split's prompts (the nearest trial's each with its own nearest training examples), the chosen one alone
meets the test split, its calls are priced from their usage, and the same run again sends nothing but its preflight."""

from __future__ import annotations

import pytest

from benchmarks.config import BenchConfig
from tests.benchmarks import test_endpoint_server as served
from tests.benchmarks import test_endpoint_text as text_tests

pytestmark = [pytest.mark.slow, pytest.mark.server]
proxy = served.proxy  # the fixtures: a proxy in front of the server that keeps every exchange,
home = text_tests.home  # and a home of the test's own (an empty response cache) with the converted model
TRIALS, N_VAL, N_TEST = 6, 4, 10  # 4 instructions, then balanced and nearest examples
PRICES = {"input_usd_per_mtok": 1.0, "output_usd_per_mtok": 3.0}


def _asked(exchanges: list[tuple[dict, dict]]) -> list[tuple[str, dict]]:
    """(the user message, the reply) of every chat request but the preflights."""
    return [(body["messages"][0]["content"], reply) for body, reply in exchanges
            if not body["messages"][0]["content"].startswith("Answer with one of: ")]


def test_the_search_on_an_endpoint_is_priced_and_a_rerun_sends_nothing(server, proxy, home, tmp_path):
    from benchmarks.bag_of_words import Neighbours
    from benchmarks.prompt_ids import PerInputBuilder
    from benchmarks.runner import run_benchmark
    from benchmarks.tasks import load_task
    from prompt_or_tune.commands.bench_view import search_lines

    config = BenchConfig(quick=True, approaches=["prompt_search"], test_size=N_TEST, val_size=N_VAL,
                         endpoint_url=proxy.url, endpoint_model=server["model"], **PRICES, max_usd=1.0,
                         concurrency=2, endpoint_timeout_s=served.CLIENT_TIMEOUT_S,
                         hyperparameters={"prompt_search": {"trials": TRIALS}})
    task = load_task(config)
    result = run_benchmark(config, tmp_path / "run")
    assert result.status == "complete", result.notes
    row = result.approach("prompt_search", "endpoint")
    search = row.search
    assert len(search.trials) == TRIALS and search.calls == TRIALS * N_VAL
    assert [t.shots for t in search.trials][-2:] == ["balanced", "nearest"]

    # what was sent: each trial's prompt for every validation example, then the chosen prompt for the test split
    asked = _asked(proxy.exchanges)
    assert len(asked) == TRIALS * N_VAL + N_TEST
    trials, tested = asked[:TRIALS * N_VAL], asked[TRIALS * N_VAL:]
    assert not any(e.text in message for message, _ in trials for e in task.test)  # the search never saw test
    near, k = Neighbours(task.train), config.k
    for message, _ in trials[-N_VAL:]:  # the nearest trial: each validation input its own training examples
        example = next(e for e in task.validation if f"{task.input_name}: {e.text}\n" in message)
        assert all(task.train[i].text in message for i in near.ids(example.text, k))
    chosen = search.trials[search.chosen]
    if chosen.shots == "nearest":  # each test request its own nearest training examples, the training split's
        own = {e.text: [task.train[i] for i in near.ids(e.text, k)] for e in task.test}
        builder = PerInputBuilder(task, None, use_chat=True, kind=chosen.prompt_kind, variant=chosen.variant,
                                  per_input=own, placeholder="")
        expected = [builder.chat_turn(e.text) for e in task.test]
    else:
        expected = [search.prompt.replace("{input}", e.text) for e in task.test]
    assert sorted(message for message, _ in tested) == sorted(expected)

    # dollars: the trials' usage x the given prices is the search's cost; the test split's is the row's
    def usd(pairs):
        return sum(r["usage"]["prompt_tokens"] * 1.0 + r["usage"]["completion_tokens"] * 3.0 for _, r in pairs) / 1e6

    assert search.usd == pytest.approx(usd(trials)) and row.endpoint.usd_total == pytest.approx(usd(tested))
    assert search.prompt_tokens == sum(r["usage"]["prompt_tokens"] for _, r in trials)
    assert (row.endpoint.sent, row.endpoint.cached) == (N_TEST, 0)
    lines = search_lines(result)
    print("\n" + "\n".join(lines))  # the figures docs/BENCHMARKS.md quotes
    assert f"search {TRIALS * N_VAL} calls" in lines[0] and f"${search.usd:.4f}" in lines[0]

    # the same run again: every answer from the response cache, only the preflight sent
    before = len(proxy.exchanges)
    again = run_benchmark(config, tmp_path / "again").approach("prompt_search", "endpoint")
    assert _asked(proxy.exchanges[before:]) == [] and len(proxy.exchanges) - before == 1
    tried = [(t.candidate, t.validation_score) for t in search.trials]
    assert [(t.candidate, t.validation_score) for t in again.search.trials] == tried
    assert again.search.chosen == search.chosen and again.search.usd == pytest.approx(search.usd)
    assert (again.endpoint.sent, again.endpoint.cached) == (0, N_TEST)
