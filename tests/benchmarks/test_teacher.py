"""The teacher (distillation) without a server: its options and the combinations refused in one line, each
kind's reading of a teacher's answer, and a tiny run whose LoRA learns the local model's zero-shot labels
(the endpoint teacher against a real `transformers serve`: test_teacher_server.py)."""

from __future__ import annotations

import argparse
import csv

import numpy as np
import pytest

from benchmarks.metrics import wilson_interval
from benchmarks.prompt_ids import PromptBuilder
from benchmarks.tasks import NO_LABEL, Example, TaskData
from calculator.prompts import TEXT
from prompt_or_tune.cli import main
from prompt_or_tune.commands.bench import build_config, register

URL = "http://127.0.0.1:9/v1"


def _cli(*argv: str):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    return build_config(parser.parse_args(["bench", *argv]))


def test_teacher_options_reach_the_config():
    local = _cli("--teacher", "local", "--approaches", "zero_shot,lora")
    assert (local.teacher, local.teacher_endpoint_url) == ("local", None)
    served = _cli("--approaches", "lora", "--teacher-endpoint", URL, "--teacher-model", "gpt-4o-mini",
                  "--teacher-provider", "openai", "--teacher-api-key-env", "TEACHER_KEY", "--max-usd", "0.5",
                  "--concurrency", "8")
    assert (served.teacher, served.teacher_endpoint_url, served.teacher_model, served.teacher_provider,
            served.teacher_api_key_env, served.max_usd, served.concurrency) == (
        "endpoint", URL, "gpt-4o-mini", "openai", "TEACHER_KEY", 0.5, 8)
    own = _cli("--teacher-endpoint", URL, "--teacher-model", "m", "--teacher-input-usd-per-mtok", "0.1",
               "--teacher-output-usd-per-mtok", "0.4", "--max-usd", "1")
    assert (own.teacher_input_usd_per_mtok, own.teacher_output_usd_per_mtok) == (0.1, 0.4)
    assert _cli("--teacher-endpoint", URL, "--teacher-model", "m", "--task", "bbc_headlines").teacher == "endpoint"


@pytest.mark.parametrize(("argv", "option", "says"), [
    (["--teacher", "local", "--teacher-endpoint", URL, "--teacher-model", "m"], "--teacher",
     "local or teacher_endpoint_url, not both"),
    (["--teacher", "local", "--approaches", "zero_shot,few_shot"], "--teacher",
     "labels the training inputs of the tuned approaches (prompt_tuning, lora, full_finetune, dora); this run "
     "trains none"),
    (["--teacher", "endpoint"], "--teacher-endpoint", "an endpoint teacher needs its URL"),
    (["--teacher-model", "m"], "--teacher-endpoint", "teacher_model needs the teacher's endpoint URL"),
    (["--teacher-provider", "openai"], "--teacher-endpoint", "teacher_provider needs the teacher's endpoint URL"),
    (["--teacher-endpoint", URL], "--teacher-model", "name the model the teacher endpoint serves"),
    (["--teacher-endpoint", "ftp://x", "--teacher-model", "m"], "--teacher-endpoint", "should match pattern"),
    (["--teacher-endpoint", URL, "--teacher-model", "m", "--teacher-input-usd-per-mtok", "1"],
     "--teacher-input-usd-per-mtok", "give both or neither"),
    (["--teacher-endpoint", URL, "--teacher-model", "m", "--max-usd", "1"], "--max-usd",
     "covers the teacher too, so needs its prices"),
])
def test_bad_combinations_are_one_line_naming_the_option(argv, option, says, capsys):
    assert main(["bench", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"prompt-or-tune bench: error: {option}: ") and says in err


def test_an_endpoint_teacher_runs_in_one_process(capsys):
    argv = ["bench", "--teacher-endpoint", URL, "--teacher-model", "m", "--processes", "2"]
    assert main(argv) == 2  # refused before any request (nothing listens at URL)
    assert capsys.readouterr().err == ("prompt-or-tune bench: error: --teacher-endpoint: runs in one process for now "
                                       "(rank 0 alone may send requests); leave out --processes\n")
    with pytest.raises(SystemExit):
        main(["bench", "--teacher", "openai"])  # argparse: local or endpoint


def test_each_kind_reads_a_teacher_answer_or_drops_it():
    from benchmarks.kinds import kind_for

    labels = TaskData(name="t", source="test", labels=["neg", "pos"], verbalizers=["neg", "pos"])
    review = Example("A fine film.", 0)
    assert kind_for(labels).with_answer(review, np.int64(1)) == Example("A fine film.", 1)
    assert kind_for(labels).with_answer(review, -1) is None  # unreadable: dropped, not guessed
    headline = Example("Lead.", NO_LABEL, ["Gold headline", "Another"])
    generation = TaskData(name="t", source="test", labels=[], verbalizers=[], train=[headline], kind="generation")
    taught = kind_for(generation).with_answer(headline, "Teacher's headline")
    assert taught.references == ["Teacher's headline"] and kind_for(generation).with_answer(headline, "  ") is None
    invoice = Example("Invoice 7, total 12 EUR.", NO_LABEL, {"number": 7})
    extraction = TaskData(name="t", source="test", labels=[], verbalizers=[], train=[invoice], kind="extraction")
    assert kind_for(extraction).with_answer(invoice, 'ok {"number": 8}').target == {"number": 8}
    assert kind_for(extraction).with_answer(invoice, "no object here") is None


def _spy_on_training(monkeypatch) -> list[list[Example]]:
    """The examples each training of the run was given (the real Trainer.train still trains on them)."""
    from benchmarks.trainer import Trainer

    seen, real = [], Trainer.train

    def train(self, approach, examples, *args, **kwargs):
        seen.append(list(examples))
        return real(self, approach, examples, *args, **kwargs)

    monkeypatch.setattr(Trainer, "train", train)
    return seen


def _labels_file(run_dir) -> list[dict]:
    with (run_dir / "teacher_labels.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.slow
@pytest.mark.runs  # a real run (20-30 s): `make test-runs`, so the default run stays under 15 min
def test_local_teacher_labels_the_training_split_and_lora_learns_them(tmp_path, tiny_config, monkeypatch):
    """The run's own model labels the 16 training inputs zero-shot; LoRA (and its learning curve) trains on
    those labels, and is scored on the gold test split."""
    from benchmarks.runner import run_benchmark
    from benchmarks.tasks import load_task
    from core.result import load_result

    trained = _spy_on_training(monkeypatch)
    config = tiny_config(approaches=["lora"], teacher="local", test_size=10, train_size=16, learning_curve=[8],
                         dtype="float32", device="cpu")
    run_benchmark(config, tmp_path / "run")
    result = load_result(tmp_path / "run")
    row, task = result.approach("lora"), load_task(config)
    assert result.status == "complete" and row.teacher is not None, result.notes
    teacher = row.teacher
    assert (teacher.backend, teacher.model, teacher.endpoint_host, teacher.usd_total, teacher.sent) == (
        "local", result.model.name, None, None, 0)
    zero_shot = PromptBuilder(task, tokenizer=None, use_chat=False, kind="zero_shot").render()  # calculator.prompts'
    assert teacher.prompt == zero_shot.replace(TEXT, "{input}")  # plain: the tiny config's chat_template is off

    labels = _labels_file(tmp_path / "run")
    names = task.labels
    assert [int(r["index"]) for r in labels] == list(range(16)) and all(r["kept"] == "True" for r in labels)
    assert [r["gold"] for r in labels] == [names[e.label] for e in task.train] and [r["text"] for r in labels] == [
        e.text for e in task.train]
    agree = sum(r["teacher"] == r["gold"] for r in labels)
    assert teacher.agreement.value == pytest.approx(agree / 16) and teacher.agreement.metric == "accuracy"
    assert teacher.agreement.interval == pytest.approx(wilson_interval(agree, 16))
    assert (teacher.answered, teacher.kept, teacher.unparseable, row.labeled_examples) == (16, 16, 0, 16)

    taught = [r["teacher"] for r in labels]
    assert [[names[e.label] for e in examples] for examples in trained] == [taught, taught[:8]]  # then the curve
    assert [p.labeled_examples for p in row.learning_curve] == [8, 16]
    with (tmp_path / "run" / "predictions.csv").open(encoding="utf-8", newline="") as handle:
        scored = list(csv.DictReader(handle))
    assert [r["label"] for r in scored] == [names[e.label] for e in task.test]  # gold, not the teacher's
    assert row.accuracy == pytest.approx(np.mean([r["correct"] == "True" for r in scored]))


@pytest.mark.slow
@pytest.mark.runs
def test_local_teacher_writes_the_references_of_a_generation_task(tmp_path, tiny_config, monkeypatch):
    """bbc_headlines: the run's model writes a headline for each of the 8 training leads; LoRA learns those
    headlines, is scored by chrF against the gold ones, and the agreement is the teacher's mean chrF (350-580 s
    on two busy cores: generation on a CPU, so marker runs)."""
    from benchmarks.runner import run_benchmark
    from benchmarks.tasks import load_task
    from core.result import load_result

    trained = _spy_on_training(monkeypatch)
    config = tiny_config(task="bbc_headlines", approaches=["lora"], teacher="local", test_size=10, train_size=8,
                         dtype="float32", device="cpu")
    run_benchmark(config, tmp_path / "run")
    result = load_result(tmp_path / "run")
    row, task = result.approach("lora"), load_task(config)
    teacher = row.teacher
    assert result.status == "complete" and teacher.agreement.metric == row.quality.metric == "chrf", result.notes
    labels = [r for r in _labels_file(tmp_path / "run") if r["kept"] == "True"]
    assert len(labels) == teacher.kept == row.labeled_examples and teacher.kept + teacher.unparseable == 8
    assert teacher.agreement.value == pytest.approx(np.mean([float(r["agreement"]) for r in labels]), abs=1e-3)
    assert [r["gold"] for r in labels] == [task.train[int(r["index"])].references[0] for r in labels]
    assert [[e.references[0] for e in examples] for examples in trained] == [[r["teacher"] for r in labels]]
    with (tmp_path / "run" / "predictions.csv").open(encoding="utf-8", newline="") as handle:
        assert [r["reference"] for r in csv.DictReader(handle)] == [e.references[0] for e in task.test]
