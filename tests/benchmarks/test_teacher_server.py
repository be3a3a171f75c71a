"""The endpoint teacher against a real server: `transformers serve` of the packaged model on 127.0.0.1
(tests/server_fixtures.py) behind test_endpoint_server's proxy, which keeps every chat request and the reply
the server gave it. A quick run of LoRA on 16 training inputs the served model labels zero-shot, then the
same run again, whose labels all come from the response cache."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest

from benchmarks.config import BenchConfig
from benchmarks.endpoint.arm import chat_prompts, parse_answer
from benchmarks.endpoint.client import reply_text
from benchmarks.metrics import wilson_interval
from benchmarks.training import planned_steps
from calculator.prompts import TEXT
from tests.benchmarks import test_endpoint_server as served
from tests.benchmarks import test_endpoint_text as text_tests
from tests.benchmarks.test_teacher import _labels_file, _spy_on_training

pytestmark = [pytest.mark.slow, pytest.mark.server]
proxy = served.proxy  # the fixtures: a proxy in front of the server that keeps every exchange,
home = text_tests.home  # and a home of the test's own (an empty response cache) with the converted model
N_TRAIN = 16
PRICES = {"teacher_input_usd_per_mtok": 1.0, "teacher_output_usd_per_mtok": 3.0}


def _is_preflight(body: dict) -> bool:
    return body["messages"][0]["content"].startswith("Answer with one of: ")


def _estimate(config: BenchConfig, capsys) -> tuple[float, float, int]:
    """What the CLI prints before the run: (likely $, most $, requests to send) of the teacher."""
    from prompt_or_tune.commands.bench import _teacher_preflight

    assert _teacher_preflight(config) is None
    line = capsys.readouterr().out.splitlines()[-1]
    with capsys.disabled():
        print(f"\n{line}")  # the figures docs/BENCHMARKS.md quotes
    found = re.match(r"teacher cost likely \$([\d.]+), at most \$([\d.]+) for (\d+) requests to ", line)
    assert found, line
    return float(found[1]), float(found[2]), int(found[3])


def test_served_teacher_labels_the_training_inputs_lora_learns_them_and_a_rerun_pays_nothing(
        server, proxy, home, tmp_path, capsys, monkeypatch):
    from benchmarks.runner import run_benchmark
    from benchmarks.tasks import load_task
    from core.result import load_result
    from prompt_or_tune.commands.bench_view import teacher_line

    config = BenchConfig(quick=True, approaches=["lora"], test_size=10, train_size=N_TRAIN, chat_template="off",
                         dtype="float32", device="cpu", teacher_endpoint_url=proxy.url, teacher_model=server["model"],
                         **PRICES, max_usd=1.0, concurrency=2, endpoint_timeout_s=served.CLIENT_TIMEOUT_S)
    task = load_task(config)
    likely, most, to_send = _estimate(config, capsys)
    assert to_send == N_TRAIN and 0 < likely < most
    trained = _spy_on_training(monkeypatch)
    run_benchmark(config, tmp_path / "run")
    result = load_result(tmp_path / "run")
    row = result.approach("lora")
    teacher = row.teacher
    assert result.status == "complete" and teacher is not None, result.notes
    assert (teacher.backend, teacher.model, teacher.endpoint_host, teacher.price_source) == (
        "endpoint", server["model"], proxy.url.split("/")[2], "user-given $/1M tokens")

    # what was sent: each training input once, in the zero-shot arm's chat prompt; what came back is the CSV
    template, prompts = chat_prompts(task, "zero_shot", examples=task.train)
    asked = [(body, reply) for body, reply in proxy.exchanges if not _is_preflight(body)]
    assert sorted(body["messages"][0]["content"] for body, _ in asked) == sorted(prompts)
    assert teacher.prompt == template.chat_body.replace(TEXT, "{input}") and "{input}" in teacher.prompt
    replies = {body["messages"][0]["content"]: reply for body, reply in asked}
    read = [parse_answer(reply_text(replies[p]), task.verbalizers, template.answer_cue) for p in prompts]
    labels = _labels_file(tmp_path / "run")
    names = task.labels
    assert [r["teacher"] for r in labels] == [names[i] if i >= 0 else "" for i in read]
    assert [r["gold"] for r in labels] == [names[e.label] for e in task.train]
    kept = [r for r in labels if r["kept"] == "True"]
    assert len(kept) == sum(i >= 0 for i in read) == teacher.kept and teacher.unparseable == N_TRAIN - len(kept)

    # agreement: the share of kept teacher labels equal to gold, computed here from the CSV
    agree = sum(r["teacher"] == r["gold"] for r in kept)
    assert teacher.agreement.value == pytest.approx(agree / len(kept)) and teacher.agreement.metric == "accuracy"
    assert teacher.agreement.interval == pytest.approx(wilson_interval(agree, len(kept)))

    # dollars: usage x the given prices, every request sent this time
    usage = [reply["usage"] for _, reply in asked]
    usd = sum(u["prompt_tokens"] * 1.0 + u["completion_tokens"] * 3.0 for u in usage) / 1e6
    assert teacher.usd_total == pytest.approx(usd) == teacher.usd_sent and teacher.usd_total <= most
    assert teacher.usd_per_label == pytest.approx(usd / len(kept))
    assert (teacher.sent, teacher.cached) == (N_TRAIN, 0)
    assert teacher.prompt_tokens == pytest.approx(np.mean([u["prompt_tokens"] for u in usage]))
    assert teacher.completion_tokens == pytest.approx(np.mean([u["completion_tokens"] for u in usage]))

    # LoRA trained on the kept teacher labels, scored on the gold test split
    assert [[names[e.label] for e in examples] for examples in trained] == [[r["teacher"] for r in kept]]
    assert row.labeled_examples == len(kept)
    assert row.training.steps == planned_steps(len(kept), config.train_batch_size, config.train_epochs)
    with (tmp_path / "run" / "predictions.csv").open(encoding="utf-8", newline="") as handle:
        scored = list(csv.DictReader(handle))
    assert [r["label"] for r in scored] == [names[e.label] for e in task.test]
    assert row.accuracy == pytest.approx(np.mean([r["correct"] == "True" for r in scored]))
    line = teacher_line(result)
    with capsys.disabled():
        print(f"\n{line}")
    assert line.startswith(f"teacher {server['model']} (endpoint {teacher.endpoint_host}) labelled 16 training inputs "
                           "for lora") and f"agreement with gold accuracy {teacher.agreement.value:.3f}" in line
    assert f"cost ${usd:.4f}" in line

    # the same run again: its estimate and the run send nothing but the teacher's preflight, and pay nothing
    before = len(proxy.exchanges)
    assert _estimate(config, capsys) == (0.0, 0.0, 0)
    run_benchmark(config, tmp_path / "again")
    assert [_is_preflight(body) for body, _ in proxy.exchanges[before:]] == [True, True]  # estimate's, run's
    again = load_result(tmp_path / "again").approach("lora").teacher
    assert (again.sent, again.cached, again.usd_sent) == (0, N_TRAIN, 0.0)
    assert again.usd_total == pytest.approx(teacher.usd_total) and again.agreement == teacher.agreement
    assert _labels_file(tmp_path / "again") == labels


def test_max_usd_stops_the_teacher_and_lora_trains_on_the_labels_it_wrote(server, proxy, home, tmp_path):
    """At $1000 per 1M tokens each request reserves about $0.15, so $0.50 lets the teacher label a few of the
    16 inputs: the run is partial, says why, and LoRA trains on those labels."""
    from benchmarks.runner import run_benchmark
    from core.result import load_result

    config = BenchConfig(quick=True, approaches=["lora"], test_size=10, train_size=N_TRAIN, chat_template="off",
                         dtype="float32", device="cpu", teacher_endpoint_url=proxy.url, teacher_model=server["model"],
                         teacher_input_usd_per_mtok=1000.0, teacher_output_usd_per_mtok=1000.0, max_usd=0.5,
                         concurrency=1, endpoint_timeout_s=served.CLIENT_TIMEOUT_S)
    run_benchmark(config, tmp_path / "run")
    result = load_result(tmp_path / "run")
    row = result.approach("lora")
    teacher = row.teacher
    assert result.status == "partial" and teacher.stopped == "max_usd", result.notes
    sent = [reply for body, reply in proxy.exchanges if not _is_preflight(body)]
    assert 0 < teacher.answered == teacher.sent == len(sent) < N_TRAIN and teacher.usd_sent <= 0.5
    assert teacher.usd_sent == pytest.approx(sum(r["usage"]["prompt_tokens"] + r["usage"]["completion_tokens"]
                                                 for r in sent) * 1000 / 1e6)
    assert row.labeled_examples == teacher.kept and len(_labels_file(tmp_path / "run")) == teacher.answered
    assert f"teacher: stopped by max_usd after {teacher.answered} of {N_TRAIN} training inputs" in " ".join(result.notes)
