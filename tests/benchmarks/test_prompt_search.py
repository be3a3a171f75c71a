"""Prompt search: its candidates come from the training split, its trials are scored on validation only,
and only the chosen prompt meets the test split (issue 30)."""

from __future__ import annotations

import pytest

import benchmarks.tasks
from benchmarks.config import BenchConfig
from benchmarks.endpoint.arm import cost_estimate, estimate_usd
from benchmarks.endpoint.money import Pricing
from benchmarks.evaluation import Evaluator
from benchmarks.prompt_candidates import (
    instructions,
    shot_sets,
    split_budget,
    typical_ids,
    widest_prompts,
)
from benchmarks.runner import run_benchmark
from benchmarks.tasks import Example, TaskData
from calculator.tokens import counter_for


def test_instructions_start_from_the_zero_shot_one_and_fit_the_kind():
    words = [i.words for i in instructions("classification")]
    assert words[:5] == ["zero-shot", "persona", "output-format", "zero-shot, paraphrase 1",
                         "persona, paraphrase 1"]
    assert len(words) == 9
    # free text has no JSON format and no one-word paraphrase
    assert [i.words for i in instructions("generation")] == [
        "zero-shot", "persona", "zero-shot, paraphrase 1", "persona, paraphrase 1"]
    assert {i.kind for i in instructions("extraction")} == {"zero_shot", "persona", "output_format"}


def test_the_budget_goes_to_instructions_first_then_example_sets():
    assert split_budget(8, 9) == (5, 3)
    assert split_budget(1, 9) == (1, 0)
    assert split_budget(2, 9) == (1, 1)
    assert split_budget(16, 4) == (4, 12)  # a text kind's 4 instructions, the rest on example sets


def test_typical_examples_are_each_labels_most_central_in_turn():
    train = [Example("good great fun", 1), Example("bad awful", 0), Example("good fun", 1),
             Example("awful boring bad", 0), Example("tax forms weather", 1), Example("bad", 0)]
    ids = typical_ids(train, 4)
    assert [train[i].label for i in ids] == [0, 1, 0, 1]  # balanced, labels in turn
    assert ids[1] in (0, 2) and 4 not in ids  # the off-topic positive is the least typical


def test_example_sets_are_drawn_from_the_training_split_only():
    train = [Example(f"train {i}", i % 2) for i in range(20)]
    task = TaskData("t", "s", ["a", "b"], ["a", "b"], train=train,
                    validation=[Example("val", 0)], test=[Example("test", 1)])
    sets = [s for s, _ in zip(shot_sets(task, 4, seed=0), range(8), strict=False)]
    assert [s.strategy for s in sets[:4]] == ["balanced", "typical", "random", "balanced"]
    assert all(len(s.ids) == 4 and all(0 <= i < len(train) for i in s.ids) for s in sets)


@pytest.mark.slow
@pytest.mark.runs  # a real run (20-30 s): `make test-runs`, so the default run stays under 15 min
def test_the_search_scores_validation_only_and_the_chosen_prompt_alone_meets_test(tmp_path, tiny_config, monkeypatch):
    """Every evaluation the run makes is recorded: the trials' are the validation split's examples (the same
    objects), the last one is the test split's, scored with the chosen prompt; no test text is in any prompt."""
    seen: list[tuple[str, list[Example], str]] = []
    evaluate, load_task = Evaluator.evaluate, benchmarks.tasks.load_task
    tasks: list[TaskData] = []

    def recording(self, builder, examples, **kwargs):
        seen.append((kwargs.get("stage", ""), list(examples), builder.text("{input}")))
        return evaluate(self, builder, examples, **kwargs)

    def loading(config):
        tasks.append(load_task(config))
        return tasks[-1]

    monkeypatch.setattr(Evaluator, "evaluate", recording)
    monkeypatch.setattr(benchmarks.tasks, "load_task", loading)
    config = tiny_config(approaches=["prompt_search"], hyperparameters={"prompt_search": {"trials": 3}},
                         test_size=10, val_size=6)
    result = run_benchmark(config, tmp_path / "run")
    assert result.status == "complete", result.notes
    task, row = tasks[0], result.approach("prompt_search")
    *trials, final = seen
    assert len(trials) == 3
    validation = {id(e) for e in task.validation}
    assert all(id(e) in validation for _, examples, _ in trials for e in examples)
    assert [id(e) for e in final[1]] == [id(e) for e in task.test] and final[0] == "prompt_search"
    test_texts = {e.text for e in task.test}
    assert not any(text in prompt for _, _, prompt in seen for text in test_texts)
    search = row.search
    assert len(search.trials) == 3 and search.budget == 3 and search.validation_examples == len(task.validation)
    assert search.calls == 3 * len(task.validation) and search.seconds > 0 and search.prompt_tokens > 0
    assert [t.shots for t in search.trials] == ["none", "none", "balanced"]
    scores = [t.validation_score for t in search.trials]
    assert search.chosen == scores.index(max(scores)) and search.baseline_validation_score == scores[0]
    chosen = search.trials[search.chosen]
    assert final[2] == search.prompt == row.config["prompt"] and search.instruction in search.prompt
    assert all(task.train[i].text in search.prompt for i in chosen.shot_ids)
    shown = {i for t in search.trials for i in t.shot_ids}
    assert row.labeled_examples == len(task.validation) + len(shown)
    assert row.n_test == len(task.test) and 0 <= row.accuracy <= 1


def test_the_estimate_before_an_endpoint_run_covers_every_trial_and_the_test_split():
    config = BenchConfig(quick=True, approaches=["zero_shot", "prompt_search"], test_size=20, val_size=10,
                         endpoint_url="http://127.0.0.1:9/v1", endpoint_model="served", input_usd_per_mtok=1.0,
                         output_usd_per_mtok=3.0, hyperparameters={"prompt_search": {"trials": 4}})
    assert ("prompt_search", "endpoint") in config.arms
    task = benchmarks.tasks.load_task(config)
    prompts = widest_prompts(task, config.k, 4, 10)
    assert len(prompts) == 4 * 10 + 20 and all(task.instruction in p for p in prompts)
    counter = counter_for("served")
    estimate = estimate_usd(Pricing(1.0, 3.0, 1.0, "user-given"), config, task, counter)
    zero_usd, zero_n = estimate["zero_shot"]
    search_usd, search_n = estimate["prompt_search"]
    assert (zero_n, search_n) == (20, 60) and search_usd > 3 * zero_usd  # 3x the requests, each at its widest
    assert "Searched prompt $" in cost_estimate(config, task, Pricing(1.0, 3.0, 1.0, "user-given"), counter)
