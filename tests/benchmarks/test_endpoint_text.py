"""Endpoint arms of the text kinds and the judge against a real server: `transformers serve` of the
packaged model on 127.0.0.1 (tests/server_fixtures.py), behind test_endpoint_server's proxy, which keeps
every chat request and the reply the server gave it.

The packaged 135M model is a weak judge: these tests check the judge's mechanics (each pair asked in
both orders, the two verdicts averaged, its dollars, the cache), not its judgement. A request to the
server takes 10-20 s on two busy cores, so the runs keep the first N_TEST examples of the test split.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from benchmarks.config import BenchConfig
from benchmarks.endpoint.arm import parse_answer
from benchmarks.endpoint.client import JSON_OBJECT, JSON_PROBE, TEXT_PROBE, reply_text
from benchmarks.judge import CUE, VERDICTS, example_scores, pair_prompts
from benchmarks.text_metrics import METRICS, parse_json
from calculator.tokens import counter_for
from tests.benchmarks import test_endpoint_server as served

pytestmark = [pytest.mark.slow, pytest.mark.server]
proxy = served.proxy  # the fixture: a proxy in front of the server that keeps every exchange
N_TEST = 3  # test examples each run answers (BenchConfig's least test_size is 10)
INVOICES = Path(__file__).parent.parent / "data" / "endpoint_invoices.csv"
PRICES = {"input_usd_per_mtok": 1.0, "output_usd_per_mtok": 3.0}
JUDGE_PRICES = {"judge_input_usd_per_mtok": 2.0, "judge_output_usd_per_mtok": 5.0}


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A home of the test's own (an empty response cache) that still finds the converted packaged model."""
    from benchmarks.models import packaged_model_dir

    models = packaged_model_dir().parent  # in the home the session started with
    root = tmp_path / "home"
    root.mkdir()
    (root / "models").symlink_to(models, target_is_directory=True)
    monkeypatch.setenv("PROMPT_OR_TUNE_HOME", str(root))
    monkeypatch.setenv("OPENAI_API_KEY", served.CANARY)
    return root


@pytest.fixture
def first_examples(monkeypatch):
    """load_task with the test split cut to its first N_TEST examples, for the run and for the test alike."""
    import benchmarks.tasks as tasks

    whole = tasks.load_task

    def cut(config):
        task = whole(config)
        task.test = task.test[:N_TEST]
        return task

    monkeypatch.setattr(tasks, "load_task", cut)
    return cut


def _content(body: dict) -> str:
    return body["messages"][0]["content"]


def _what(body: dict) -> str:
    """Which request a chat body was: a preflight, a judge's verdict or an arm's answer."""
    content = _content(body)
    if content in (TEXT_PROBE, JSON_PROBE) or content.startswith("Answer with one of: "):
        return "preflight"
    return "judge" if "\nAnswer A: " in content else "arm"


def _predictions(run_dir: Path, backend: str) -> list[dict]:
    with (run_dir / "predictions.csv").open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["backend"] == backend]


def test_bbc_headlines_endpoint_and_local_rows_judged_and_a_rerun_sends_nothing(
        server, proxy, home, first_examples, tmp_path):
    from benchmarks.kinds.text import answer_token_limit
    from benchmarks.runner import run_benchmark
    from core.result import load_result

    config = BenchConfig(
        task="bbc_headlines", quick=True, test_size=10, val_size=0, approaches=["zero_shot"],
        endpoint_approaches=["zero_shot"], chat_template="on", consistency=False, concurrency=2,
        endpoint_url=proxy.url, endpoint_model=server["model"], endpoint_timeout_s=served.CLIENT_TIMEOUT_S, **PRICES,
        judge_endpoint_url=proxy.url, judge_model=server["model"], **JUDGE_PRICES, answer_max_tokens=4, max_usd=1.0)
    task = first_examples(config)
    run_benchmark(config, tmp_path / "run")
    result = load_result(tmp_path / "run")
    local, remote = result.approach("zero_shot", "local"), result.approach("zero_shot", "endpoint")
    assert result.status == "complete" and result.task.kind == "generation"
    assert local.quality.metric == remote.quality.metric == "chrf" and remote.n_test == local.n_test == N_TEST
    assert remote.accuracy is None and 0 <= remote.quality.value <= 1 and "rouge_l" in remote.quality.others

    # the arm: max_tokens by the kinds' rule in tiktoken tokens, one line, output tokens from usage
    arm = [(body, reply) for body, reply in proxy.exchanges if _what(body) == "arm"]
    limit = answer_token_limit(task, counter_for(server["model"]).count)
    assert len(arm) == N_TEST and remote.endpoint.sent == N_TEST and not remote.endpoint.constrained
    assert all(b["max_tokens"] == limit and b["stop"] == ["\n"] and "response_format" not in b for b, _ in arm)
    assert remote.config["max_tokens"] == limit and remote.config["stop"] == ["\n"]
    completion = [reply["usage"]["completion_tokens"] for _, reply in arm]
    assert remote.output_tokens_model == remote.endpoint.output_tokens == pytest.approx(np.mean(completion))
    assert min(completion) > 0
    assert remote.endpoint.usd_total == pytest.approx(sum(
        r["usage"]["prompt_tokens"] * 1.0 + r["usage"]["completion_tokens"] * 3.0 for _, r in arm) / 1e6)

    # predictions.csv: each example's reference, the parsed answer and its chrF
    rows = _predictions(tmp_path / "run", "endpoint")
    assert [int(r["index"]) for r in rows] == list(range(N_TEST))
    for r in rows:
        example = task.test[int(r["index"])]
        assert r["reference"] == example.references[0] and "\n" not in r["prediction"]
        assert float(r["score"]) == pytest.approx(METRICS["chrf"](r["prediction"], example.references), abs=1e-4)
    assert remote.quality.value == pytest.approx(np.mean([float(r["score"]) for r in rows]), abs=1e-3)

    # the judge: every pair asked in both orders, the verdicts averaged, its dollars, every answer once
    judged = {_content(body): reply for body, reply in proxy.exchanges if _what(body) == "judge"}
    asked = 0
    for row, backend in ((local, "local"), (remote, "endpoint")):
        answers = [r["prediction"] for r in _predictions(tmp_path / "run", backend)]
        prompts = pair_prompts(task, task.test, answers)
        for i, example in enumerate(task.test):
            ask, swapped = prompts[2 * i], prompts[2 * i + 1]
            reference = example.references[0]
            assert f"Answer A: {answers[i]}\nAnswer B: {reference}\n" in ask
            assert f"Answer A: {reference}\nAnswer B: {answers[i]}\n" in swapped
        assert set(prompts) <= set(judged)
        verdicts = {i: parse_answer(reply_text(judged[p]), VERDICTS, CUE) for i, p in enumerate(prompts)}
        scores = [s for s in example_scores(verdicts, N_TEST) if s is not None]
        assert row.quality.others["judge"] == pytest.approx(np.mean(scores))
        assert all(s in (0.0, 0.5, 1.0) for s in scores)
        usage = [judged[p]["usage"] for p in prompts]
        assert row.judge_usd == pytest.approx(sum(u["prompt_tokens"] * 2.0 + u["completion_tokens"] * 5.0
                                                  for u in usage) / 1e6)
        facts = row.config["judge"]
        assert facts["requests"] == 2 * N_TEST == facts["sent"] + facts["cached"] and facts["model"] == server["model"]
        asked += facts["sent"]
    assert asked == len(judged)  # a pair both rows share (the same answer) was paid once, the other row read it

    # the rerun: both preflights sent, every answer and every verdict read from the cache
    before = len(proxy.exchanges)
    run_benchmark(config, tmp_path / "again")
    again = load_result(tmp_path / "again")
    assert [_what(body) for body, _ in proxy.exchanges[before:]] == ["preflight", "preflight"]
    remote_again, local_again = again.approach("zero_shot", "endpoint"), again.approach("zero_shot", "local")
    assert (remote_again.endpoint.sent, remote_again.endpoint.cached) == (0, N_TEST)
    assert remote_again.quality == remote.quality and local_again.quality == local.quality
    assert remote_again.judge_usd == pytest.approx(remote.judge_usd)
    assert remote_again.config["judge"]["sent"] == local_again.config["judge"]["sent"] == 0


def test_extraction_on_the_endpoint_asks_for_json_mode_and_scores_fields(server, proxy, home, first_examples, tmp_path):
    from benchmarks.kinds.text import answer_token_limit
    from benchmarks.runner import run_benchmark
    from core.result import load_result

    config = BenchConfig(
        data_file=INVOICES, text_col="text", task_kind="extraction", target_col="fields", quick=True, test_size=10,
        val_size=0, approaches=["output_format"], concurrency=2, endpoint_url=proxy.url,
        endpoint_model=server["model"], endpoint_timeout_s=served.CLIENT_TIMEOUT_S, **PRICES)
    task = first_examples(config)
    run_benchmark(config, tmp_path / "run")
    row = load_result(tmp_path / "run").approach("output_format", "endpoint")
    assert row.quality.metric == "field_f1" and row.n_test == N_TEST and "json_valid" in row.quality.others

    preflight, *arm = proxy.exchanges
    assert _content(preflight[0]) == JSON_PROBE and preflight[0]["response_format"] == JSON_OBJECT
    # transformers serve ignores response_format: the preflight finds JSON mode not honoured, so answers are parsed
    assert not reply_text(preflight[1]).lstrip().startswith("{") and row.config["response_format"] is None
    limit = answer_token_limit(task, counter_for(server["model"]).count)
    assert len(arm) == N_TEST and all(_what(b) == "arm" and b["max_tokens"] == limit for b, _ in arm)
    assert all("response_format" not in b and "stop" not in b for b, _ in arm)  # a JSON object may span lines
    completion = [reply["usage"]["completion_tokens"] for _, reply in arm]
    assert row.output_tokens_model == row.endpoint.output_tokens == pytest.approx(np.mean(completion))
    assert min(completion) > 0
    assert row.unparseable == sum(parse_json(reply_text(r)) is None for _, r in arm)

    rows = _predictions(tmp_path / "run", "endpoint")
    for r in rows:
        example = task.test[int(r["index"])]
        assert parse_json(r["reference"]) == example.target
        assert float(r["score"]) == pytest.approx(METRICS["field_f1"](r["prediction"], example.references), abs=1e-4)
    assert row.quality.value == pytest.approx(np.mean([float(r["score"]) for r in rows]), abs=1e-3)
