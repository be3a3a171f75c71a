"""The judge and the text kinds' endpoint requests without a server: a scripted client answers, so the
order swap, the averaging, the shared --max-usd budget and the cache are checked by hand (the real
server's tests are test_endpoint_text.py)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from benchmarks.config import BenchConfig
from benchmarks.endpoint.arm import Budget, EndpointSession, arm_request, max_tokens_for
from benchmarks.endpoint.client import JSON_OBJECT, Answer, EndpointSettings
from benchmarks.endpoint.money import Pricing
from benchmarks.judge import (
    Judge,
    at_least_as_good,
    example_scores,
    judge_cost_estimate,
    pair_prompts,
)
from benchmarks.tasks import NO_LABEL, Example, TaskData
from calculator.tokens import counter_for
from core.result import ApproachResult, Quality

URL = "http://127.0.0.1:9/v1"
PRICES = Pricing(input=2.0, output=5.0, cached_input=2.0, source="user-given $/1M tokens")


def _task() -> TaskData:
    headlines = ["Rates rise again", "Storm closes ports", "Cup final ends level"]
    examples = [Example(f"Lead paragraph {i}.", NO_LABEL, h) for i, h in enumerate(headlines)]
    return TaskData(name="t", source="test", labels=[], verbalizers=[], instruction="Write a headline.",
                    input_name="Article", answer_name="Headline", train=examples, test=examples, kind="generation")


class ScriptedClient:
    """Answers each body with `verdict(prompt)`, billed `prompt_tokens` and 1 output token; keeps answers
    by body, as the response cache does."""

    def __init__(self, verdict, prompt_tokens: int = 100):
        self.verdict, self.prompt_tokens, self.store, self.bodies, self.retries = verdict, prompt_tokens, {}, [], 0

    def cached(self, body):
        key = repr(body)
        return Answer(self.store[key], 0.1, cached=True) if key in self.store else None

    def send(self, body):
        self.bodies.append(body)
        text = self.verdict(body["messages"][0]["content"])
        self.store[repr(body)] = response = {"choices": [{"message": {"content": text}}],
                                             "usage": {"prompt_tokens": self.prompt_tokens, "completion_tokens": 1}}
        return Answer(response, 0.1, cached=False)


def _judge(verdict, budget: Budget | None = None, prices: Pricing = PRICES,
           prompt_tokens: int = 100) -> tuple[Judge, ScriptedClient]:
    client = ScriptedClient(verdict, prompt_tokens)
    session = EndpointSession(EndpointSettings(URL, "judge-model", concurrency=1), client, prices, False,
                              budget or Budget(None), counter=counter_for("gpt-4o"))
    return Judge(session, max_tokens=4), client


def _ctx(task: TaskData, answers: list[str]):
    predictions = [{"approach": "zero_shot", "index": i, "prediction": a} for i, a in enumerate(answers)]
    return SimpleNamespace(kind=SimpleNamespace(name="generation"), task=task, notes=[],
                           rows=SimpleNamespace(predictions=predictions),
                           progress=SimpleNamespace(step=lambda *args: None))


def _row() -> ApproachResult:
    return ApproachResult(approach="zero_shot", labeled_examples=0, n_test=3,
                          quality=Quality(metric="chrf", value=0.5, interval=(0.4, 0.6), interval_basis="bootstrap"),
                          prompt_tokens_model=10, output_tokens_model=3, latency_ms_p50=1, latency_ms_p95=1,
                          batch_size=1, throughput_requests_per_second=1, eval_tokens_per_second=1)


def test_each_pair_is_asked_both_ways_and_a_verdict_counts_the_answer_at_least_as_good():
    task = _task()
    prompts = pair_prompts(task, task.test, ["x", "y", "z"])
    assert len(prompts) == 6 and "Task: Write a headline.\nArticle: Lead paragraph 1." in prompts[2]
    assert "Answer A: y\nAnswer B: Storm closes ports\n" in prompts[2]
    assert "Answer A: Storm closes ports\nAnswer B: y\n" in prompts[3]
    a, b, t = 0, 1, 2  # VERDICTS' indices
    assert [at_least_as_good(v, True) for v in (a, b, t, -1)] == [1.0, 0.0, 1.0, None]
    assert [at_least_as_good(v, False) for v in (a, b, t, -1)] == [0.0, 1.0, 1.0, None]
    # example 0: answer better both ways; 1: a judge naming the first slot both times; 2: one verdict unread
    assert example_scores({0: a, 1: b, 2: a, 3: a, 4: b, 5: -1}, 3) == [1.0, 0.5, 0.0]
    assert example_scores({0: -1, 1: -1}, 2) == [None, None]  # an unread or unasked example is left out


def test_a_judge_that_always_names_the_first_slot_scores_half_and_is_paid_once():
    task = _task()
    judge, client = _judge(lambda prompt: "A")
    row = _row()
    judge.score(_ctx(task, ["Rates rise", "Ports shut", "Final drawn"]), row)
    assert row.quality.others["judge"] == 0.5  # position bias alone: every example 0.5 once swapped
    facts = row.config["judge"]
    assert facts["first_preferred"] == 1.0 and (facts["requests"], facts["sent"], facts["cached"]) == (6, 6, 0)
    assert row.judge_usd == pytest.approx(6 * (100 * 2.0 + 1 * 5.0) / 1e6) == facts["usd_sent"]
    assert [b["max_tokens"] for b in client.bodies] == [4] * 6 and "response_format" not in client.bodies[0]

    again = _row()
    judge.score(_ctx(task, ["Rates rise", "Ports shut", "Final drawn"]), again)
    assert len(client.bodies) == 6 and again.config["judge"]["cached"] == 6  # nothing sent twice
    assert again.judge_usd == row.judge_usd and again.config["judge"]["usd_sent"] == 0


def _prefer_the_answer(prompt: str) -> str:
    """T for two equal answers, else the slot that does not hold a reference (the task's headlines)."""
    first = prompt.split("Answer A: ")[1].split("\n")[0]
    second = prompt.split("Answer B: ")[1].split("\n")[0]
    references = {e.target for e in _task().test}
    return "T" if first == second else "B" if first in references else "A"


def test_a_judge_that_prefers_the_answer_or_ties_scores_it_as_good():
    task = _task()
    judge, _ = _judge(_prefer_the_answer)
    row = _row()
    judge.score(_ctx(task, ["Rates rise again", "Ports shut", "Final drawn"]), row)
    # example 0 ties both ways (1.0); examples 1 and 2: the answer preferred in both orders (1.0)
    assert row.quality.others["judge"] == 1.0 and row.config["judge"]["first_preferred"] == 0.5


def test_the_judge_spends_from_the_run_budget_and_stops_with_a_note():
    from benchmarks.endpoint.arm import request_bound_usd

    task = _task()
    answers = ["Rates rise", "Ports shut", "Final drawn"]
    prices = Pricing(input=1.0, output=0.0, cached_input=1.0, source="test")
    bound = max(request_bound_usd(prices, counter_for("gpt-4o"), p, 4) for p in pair_prompts(task, task.test, answers))
    budget = Budget(limit=1.0, spent=1.0 - 2 * bound)  # the endpoint arms spent the rest: room for about two
    judge, client = _judge(lambda prompt: "B", budget, prices, prompt_tokens=int(bound * 1e6 / 2))  # half its bound
    row = _row()
    ctx = _ctx(task, answers)
    judge.score(ctx, row)
    assert row.config["judge"]["stopped"] == "max_usd" and 0 < len(client.bodies) < 6
    assert budget.spent <= budget.limit and budget.reserved == 0
    assert row.config["judge"]["examples"] < 3 and "the judge stopped by max_usd" in ctx.notes[-1]


def test_rows_of_other_kinds_are_not_judged():
    judge, client = _judge(lambda prompt: "A")
    row = _row()
    ctx = _ctx(_task(), ["a", "b", "c"])
    ctx.kind.name = "extraction"
    judge.score(ctx, row)
    assert not client.bodies and "judge" not in row.quality.others and row.judge_usd is None


def test_text_requests_max_tokens_stop_and_json_mode():
    from benchmarks.kinds.text import LIMIT_FACTOR, LIMIT_SLACK, Extraction, Generation

    task = _task()
    counter = counter_for("gpt-4o")
    longest = max(counter.count(e.target) for e in task.train)
    config = BenchConfig(quick=True)
    assert max_tokens_for("zero_shot", config, task, counter) == math.ceil(longest * LIMIT_FACTOR) + LIMIT_SLACK
    session = SimpleNamespace(json_object=True, stop=True, constrained=False)
    one_line = arm_request(Generation(task), session, "Headline", 20)
    assert (one_line.stop, one_line.response_format, one_line.parse("Headline: Rates rise\nmore")) == (
        ["\n"], None, "Rates rise")
    assert arm_request(Generation(task), SimpleNamespace(json_object=True, stop=False), "H", 20).stop is None
    extraction = Extraction(task)
    asked = arm_request(extraction, session, "JSON", 20)
    assert (asked.stop, asked.response_format, asked.parse('ok {"a": 1}')) == (None, JSON_OBJECT, '{"a": 1}')
    assert arm_request(extraction, SimpleNamespace(json_object=False, stop=True), "JSON", 20).response_format is None
    assert asked.body("m", "p")["response_format"] == JSON_OBJECT and "stop" in one_line.body("m", "p")


def test_judge_config_fields_and_the_estimate():
    fields = {"task": "bbc_headlines", "judge_endpoint_url": URL, "judge_model": "gpt-4o-mini"}
    config = BenchConfig(quick=True, **fields, judge_input_usd_per_mtok=2.0, judge_output_usd_per_mtok=5.0, max_usd=1.0)
    assert config.judge_model == "gpt-4o-mini" and config.endpoint_url is None
    for bad, message in (({"task": "rotten_tomatoes"}, "the judge compares generation answers"),
                         ({"judge_model": None}, "judge_model: name the model"),
                         ({"max_usd": 1.0}, "max_usd: covers the judge too"),
                         ({"judge_input_usd_per_mtok": 1.0}, "give both or neither")):
        with pytest.raises(ValueError, match=message):
            BenchConfig(quick=True, **(fields | bad))
    with pytest.raises(ValueError, match="judge_endpoint_url: judge_model needs"):
        BenchConfig(quick=True, judge_model="m")
    task = _task()
    line = judge_cost_estimate(config, task, _judge(lambda p: "A")[0].session)
    assert line.startswith("judge cost at most $") and "18 requests to gpt-4o-mini" in line  # 3 arms x 3 x 2
    assert "stops at max_usd $1 with the endpoint arms" in line


def test_cli_judge_options_reach_the_config_and_name_themselves_in_errors():
    import argparse

    from prompt_or_tune.commands.bench import build_config, register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())

    def cli(*argv: str):
        return build_config(parser.parse_args(["bench", "--task", "bbc_headlines", *argv]))

    config = cli("--judge-endpoint", URL, "--judge-model", "gpt-4o-mini", "--judge-provider", "openai",
                 "--judge-api-key-env", "JUDGE_KEY", "--max-usd", "0.5")
    assert (config.judge_endpoint_url, config.judge_model, config.judge_provider, config.judge_api_key_env) == (
        URL, "gpt-4o-mini", "openai", "JUDGE_KEY")
    own = cli("--judge-endpoint", URL, "--judge-model", "m", "--judge-input-usd-per-mtok", "0.1",
              "--judge-output-usd-per-mtok", "0.4")
    assert (own.judge_input_usd_per_mtok, own.judge_output_usd_per_mtok) == (0.1, 0.4)
    assert cli("--judge-endpoint", URL)[0] == "--judge-model"
    assert cli("--judge-endpoint", "ftp://x", "--judge-model", "m")[0] == "--judge-endpoint"
    assert cli("--judge-endpoint", URL, "--judge-model", "m", "--max-usd", "1")[0] == "--max-usd"
