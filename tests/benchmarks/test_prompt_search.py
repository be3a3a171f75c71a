"""Prompt search: its candidates come from the training split, its trials are scored on validation only,
and only the chosen prompt meets the test split (issue 30); nearest examples are each input's own, retrieved
from the training split alone, for validation and test inputs alike."""

from __future__ import annotations

import re
from contextlib import nullcontext
from types import SimpleNamespace

import numpy as np
import pytest

import benchmarks.tasks
from benchmarks.approaches import prompt_search
from benchmarks.approaches.prompt_search import Search, Trial, candidate_prompt, labels_used, search
from benchmarks.bag_of_words import Neighbours
from benchmarks.config import BenchConfig
from benchmarks.endpoint.arm import cost_estimate, estimate_usd
from benchmarks.endpoint.money import Pricing
from benchmarks.evaluation import Evaluator
from benchmarks.prompt_candidates import (
    Candidate,
    Instruction,
    ShotSet,
    instructions,
    shot_sets,
    split_budget,
    typical_ids,
    widest_prompts,
)
from benchmarks.prompt_ids import PerInputBuilder, PromptBuilder
from benchmarks.runner import run_benchmark
from benchmarks.tasks import Example, TaskData
from calculator.tokens import counter_for
from core.approaches import PromptSearchSettings


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
    assert [s.strategy for s in sets[:5]] == ["balanced", "nearest", "typical", "random", "balanced"]
    nearest = sets[1]  # no fixed ids: each input is shown its own 4
    assert (nearest.ids, nearest.per_input, nearest.k, nearest.words) == ((), 4, 4, "4 nearest examples per input")
    fixed = sets[:1] + sets[2:]
    assert all(len(s.ids) == 4 == s.k and all(0 <= i < len(train) for i in s.ids) for s in fixed)


TRAIN = [Example("good great fun", 1), Example("bad awful", 0), Example("good fun", 1),
         Example("awful boring bad", 0), Example("tax forms weather", 1), Example("bad", 0)]


def test_nearest_examples_are_the_most_alike_training_examples_the_most_alike_last():
    near = Neighbours(TRAIN)
    # "fun and good": cosine 2/sqrt(2*3) = 0.82 with "good fun" (2), 2/3 with "good great fun" (0), 0 with the rest
    assert near.ids("fun and good", 2) == [0, 2]
    # "awful bad film": bad awful (1) 0.82, awful boring bad (3) 0.67, bad (5) 0.58: whatever their labels
    assert near.ids("awful bad film", 3) == [5, 3, 1]
    # an input that is a training text itself is never its own example (no validation split: the training head)
    assert near.ids("bad", 2) == [3, 1]
    assert near.ids("nothing alike", 2) == [1, 0]  # no shared word: the first ones, ties to the earlier


class CharTokenizer:
    """One id per character, 1 at the start with special tokens: a tokenization that is checked by eye."""

    def __call__(self, texts, add_special_tokens=True):
        ids = [([1] if add_special_tokens else []) + [ord(c) for c in t] for t in ([texts] if isinstance(texts, str) else texts)]
        return SimpleNamespace(input_ids=ids[0] if isinstance(texts, str) else ids)

    def apply_chat_template(self, messages, tokenize, add_generation_prompt):
        return f"<user>{messages[0]['content']}</user><assistant>"


def _task() -> TaskData:
    return TaskData("t", "s", ["neg", "pos"], ["negative", "positive"], instruction="Is it positive?", train=TRAIN,
                    validation=[Example("fun and good", 1)], test=[Example("awful bad film", 0)])


@pytest.mark.parametrize("chat", [False, True])
def test_a_per_input_builder_shares_the_instruction_and_puts_each_inputs_examples_in_its_suffix(chat):
    task, tok = _task(), CharTokenizer()
    own = {"fun and good": [TRAIN[0], TRAIN[2]], "awful bad film": [TRAIN[5], TRAIN[1]]}
    builder = PerInputBuilder(task, tok, use_chat=chat, kind="persona", per_input=own, placeholder="{2 nearest}",
                              max_len=2000)
    prefix = "".join(map(chr, builder.prefix_ids[1:]))
    assert prefix.endswith("Is it positive?\n\n") and "Text:" not in prefix  # the instruction, no example
    for text, shots in own.items():  # each prompt is the fixed-set prompt of its own examples
        alone = PromptBuilder(task, tok, use_chat=chat, kind="persona", shots=shots)
        assert builder.text(text) == alone.text(text) and builder.chat_turn(text) == alone.chat_turn(text)
    good, bad = builder.suffix_ids(list(own))
    assert "".join(map(chr, good)) == builder.text("fun and good").removeprefix(prefix)
    assert "".join(map(chr, bad)).startswith("Text: bad\nLabel: negative\n\nText: bad awful\nLabel: negative")
    assert builder.text("{input}").count("Text:") == 1 and "{2 nearest}\n\nText: {input}" in builder.text("{input}")
    lead, tail = builder.lead("awful bad film"), builder.parts[1]
    short = PerInputBuilder(task, tok, use_chat=chat, kind="persona", per_input=own, placeholder="",
                            max_len=len(builder.prefix_ids) + len(lead) + len(tail) + 9)
    cut = short.suffix_ids(["awful bad film"])[0]  # the examples stay whole; the input is cut to what is left
    assert "".join(map(chr, cut)) == lead + "awful bad" + tail
    with pytest.raises(KeyError):  # an input it was given no examples for is an error, not a prompt without them
        builder.text("unseen")


def _fake_ctx(task: TaskData, k: int = 2) -> SimpleNamespace:
    """What the search and an endpoint's prompts read of a run's context: no model."""
    return SimpleNamespace(task=task, notes=[], config=BenchConfig(quick=True, k=k, seed=0),
                           kind=SimpleNamespace(name="classification"),
                           progress=SimpleNamespace(part_of_approach=lambda *_: nullcontext()))


def test_the_default_budget_tries_nearest_examples_and_chooses_by_validation():
    """8 trials: 5 instructions, then balanced, nearest and typical examples with the best instruction."""
    task = _task()
    task.train = [Example(f"review {i}", i % 2) for i in range(12)]
    ctx, validation = _fake_ctx(task, k=4), task.validation
    score = {"persona": 0.8, "nearest": 0.9}

    def scored(candidate: Candidate, stage: str) -> Trial:
        value = score.get(candidate.shots.strategy, score.get(candidate.instruction.kind, 0.5))
        return Trial(candidate, frozenset(candidate.shots.ids), "p", "i", np.array([value]), 0.1, 10, 10)

    found = search(ctx, validation, PromptSearchSettings(trials=8), scored)
    assert [t.candidate.words for t in found.trials][4:] == [
        "persona, paraphrase 1", "persona + 4 balanced examples", "persona + 4 nearest examples per input",
        "persona + 4 typical examples"]
    assert found.best.candidate.shots == ShotSet("nearest", per_input=4)
    record = prompt_search.stats(found, PromptSearchSettings(trials=8), "accuracy")
    nearest = record.trials[record.chosen]
    assert (nearest.shots, nearest.shot_ids, nearest.k) == ("nearest", [], 4)
    assert record.trials[5].k == len(record.trials[5].shot_ids) == 4 and record.trials[0].k == 0


def test_a_search_out_of_candidates_says_so_in_its_record_and_the_notes():
    """4 training examples and k=4: every fixed example set is the same set (tried once) beside the nearest
    ones, so a budget of 20 runs out of candidates; the record says why fewer trials ran."""
    task = _task()
    task.train = [Example(f"review {i}", i % 2) for i in range(4)]
    ctx = _fake_ctx(task, k=4)

    def scored(candidate: Candidate, stage: str) -> Trial:
        return Trial(candidate, frozenset(candidate.shots.ids), "p", "i", np.array([0.5]), 0.1, 10, 10)

    found = search(ctx, task.validation, PromptSearchSettings(trials=20), scored)
    assert len(found.trials) == len(instructions("classification")) + 2 < 20  # + one fixed set, + nearest
    record = prompt_search.stats(found, PromptSearchSettings(trials=20), "accuracy")
    assert record.stopped == "candidates" and len(record.trials) < record.budget
    assert any("no untried candidate left" in note for note in ctx.notes)


def test_an_endpoints_nearest_prompts_show_each_input_its_own_training_examples():
    """Validation and test requests alike: each chat turn holds its input's nearest training examples (the
    training split's only), no test text is ever an example, and the labels used count what was shown."""
    task = _task()
    task.validation = [Example("fun and good", 1), Example("boring and bad", 0)]
    task.test = [Example("awful bad film", 0), Example("great fun film", 1)]
    ctx, near = _fake_ctx(task), Neighbours(TRAIN)
    candidate = Candidate(Instruction("zero_shot"), ShotSet("nearest", per_input=2))
    for split in (task.validation, task.test):
        kept, builder, shown = candidate_prompt(ctx, candidate, split, local=False)
        assert kept == candidate and isinstance(builder, PerInputBuilder)
        turns = [builder.chat_turn(e.text) for e in split]
        assert turns[0] != turns[1]
        for example, turn in zip(split, turns, strict=True):
            ids = near.ids(example.text, 2)
            examples = [f"Text: {TRAIN[i].text}\nLabel: {task.verbalizers[TRAIN[i].label]}\n\n" for i in ids]
            assert turn.startswith("Is it positive?\n\n" + "".join(examples) + f"Text: {example.text}\n")
            assert not any(other.text in turn for other in task.test if other is not example)
        assert shown == {i for e in split for i in near.ids(e.text, 2)}
    assert "{the input's 2 nearest training examples}" in builder.chat_turn("{input}")
    found = Search(task.validation, [Trial(candidate, frozenset({0, 2}), "p", "i", np.array([1.0]), 0.1, 1, 1)])
    assert labels_used(found, frozenset({1, 2, 5})) == 2 + 4  # validation + training examples shown: 0, 1, 2, 5


POSITIVE, NEGATIVE = ("good", "great", "fun", "lovely"), ("bad", "awful", "dull", "boring")


def _worded_task() -> TaskData:
    """Each label its own words; the test texts carry words of their own, so a test text in a prompt is seen."""
    def texts(words, tag):
        return [f"{words[i % 4]} {words[(i + 1) % 4]} {tag}{i}" for i in range(4)]
    train = [Example(t, 1) for t in texts(POSITIVE, "film")] + [Example(t, 0) for t in texts(NEGATIVE, "film")]
    return TaskData("t", "s", ["neg", "pos"], ["negative", "positive"], instruction="Is it positive?", train=train,
                    validation=[Example(t, y) for y, words in ((1, POSITIVE), (0, NEGATIVE))
                                for t in texts(words, "seen")[:2]],
                    test=[Example(t, y) for y, words in ((1, POSITIVE), (0, NEGATIVE)) for t in texts(words, "testonly")])


def test_an_endpoint_search_that_chose_nearest_examples_sends_each_test_request_its_own(monkeypatch):
    """The endpoint arm end to end, the server a stand-in that answers with the label of the last example shown
    (the most alike: a nearest-neighbour reader), else 'positive': the nearest trial wins, each test request
    carries its own nearest training examples, and no trial request holds a test text."""
    from benchmarks.approaches.base import Context
    from benchmarks.endpoint import search as endpoint_search
    from benchmarks.endpoint.arm import ArmOutcome, Record
    from benchmarks.endpoint.money import Usage
    from core.result import Environment

    sent: list[list[str]] = []

    def answered(session, prompts, request, on_progress=None):
        sent.append(list(prompts))
        replies = [(labels[-1] if (labels := re.findall(r"\nLabel: (\w+)\n\n", p)) else "positive") for p in prompts]
        records = [Record(i, reply, request.parse(reply), Usage(len(p) // 4, 1), None, 0.01, False)
                   for i, (p, reply) in enumerate(zip(prompts, replies, strict=True))]
        return ArmOutcome(records, None, len(records), 0, 0.1)

    monkeypatch.setattr(endpoint_search, "run_arm", answered)
    task = _worded_task()
    config = BenchConfig(quick=True, approaches=["prompt_search"], k=2, endpoint_url="http://127.0.0.1:9/v1",
                         endpoint_model="served", input_usd_per_mtok=1.0, output_usd_per_mtok=3.0)
    environment = Environment(device="cpu", cpu_count=2, python_version="3.11", platform="linux", torch_version="2",
                              transformers_version="4", peft_version="0.17")
    ctx = Context(config=config, loaded=None, task=task, environment=environment, emit=lambda event: None)
    session = SimpleNamespace(constrained=False, counter=counter_for("served"), pricing=None, provider=None,
                              settings=SimpleNamespace(model="served", host="127.0.0.1", concurrency=1))
    row = endpoint_search.run(ctx, "prompt_search", session)

    search = row.search
    assert len(sent) == len(search.trials) + 1 == 9  # 8 trials on validation, then the test split
    assert [t.shots for t in search.trials][5:] == ["balanced", "nearest", "typical"]
    assert search.trials[search.chosen].candidate.endswith("+ 2 nearest examples per input")
    *trials, tested = sent
    assert not any(e.text in p for prompts in trials for p in prompts for e in task.test)
    near = Neighbours(task.train)
    for example, prompt in zip(task.test, tested, strict=True):
        shown = "".join(f"Text: {task.train[i].text}\nLabel: {task.verbalizers[task.train[i].label]}\n\n"
                        for i in near.ids(example.text, 2))
        assert f"\n\n{shown}Text: {example.text}\n" in prompt
        assert not any(other.text in prompt for other in task.test if other is not example)
    assert row.accuracy == 1.0  # the nearest example's label is each test text's own
    assert "{the input's 2 nearest training examples}\n\nText: {input}" in row.config["prompt"] == search.prompt
    shown_anywhere = {i for t in search.trials for i in t.shot_ids} | {
        i for e in [*task.validation, *task.test] for i in near.ids(e.text, 2)}
    assert row.labeled_examples == len(task.validation) + len(shown_anywhere)


@pytest.mark.slow
@pytest.mark.runs  # a real run of 6 trials (194 s beside another 2-core job): `make test-runs`, not the default run
def test_the_search_scores_validation_only_and_the_chosen_prompt_alone_meets_test(tmp_path, tiny_config, monkeypatch):
    """Every evaluation the run makes is recorded: the trials' are the validation split's examples (the same
    objects), the last one is the test split's, scored with the chosen prompt; no test text is in any trial's
    prompt, and no test example is ever retrieved as an example. The nearest trial is made the chosen one (a
    tiny run's scores decide nothing), so the test split meets it: each test input its nearest training examples."""
    seen: list[tuple[str, list[Example], PromptBuilder, list[str]]] = []
    evaluate, load_task, best = Evaluator.evaluate, benchmarks.tasks.load_task, Search.best.fget
    tasks: list[TaskData] = []

    def recording(self, builder, examples, **kwargs):
        seen.append((kwargs.get("stage", ""), list(examples), builder, [builder.text(e.text) for e in examples]))
        return evaluate(self, builder, examples, **kwargs)

    def loading(config):
        tasks.append(load_task(config))
        return tasks[-1]

    monkeypatch.setattr(Evaluator, "evaluate", recording)
    monkeypatch.setattr(benchmarks.tasks, "load_task", loading)
    monkeypatch.setattr(Search, "best", property(
        lambda found: next((t for t in found.trials if t.candidate.shots.per_input), None) or best(found)))
    config = tiny_config(approaches=["prompt_search"], hyperparameters={"prompt_search": {"trials": 6}},
                         test_size=10, val_size=6)
    result = run_benchmark(config, tmp_path / "run")
    assert result.status == "complete", result.notes
    task, row = tasks[0], result.approach("prompt_search")
    *trials, final = seen
    assert len(trials) == 6
    validation = {id(e) for e in task.validation}
    assert all(id(e) in validation for _, examples, _, _ in trials for e in examples)
    assert [id(e) for e in final[1]] == [id(e) for e in task.test] and final[0] == "prompt_search"
    test_texts = {e.text for e in task.test}
    assert not any(text in prompt for _, _, builder, prompts in trials for prompt in [*prompts, builder.text("{input}")]
                   for text in test_texts)
    assert not any(other in prompt for e, prompt in zip(task.test, final[3], strict=True)
                   for other in test_texts - {e.text})  # a test prompt holds its own input, no other test text
    search = row.search
    assert len(search.trials) == 6 and search.budget == 6 and search.validation_examples == len(task.validation)
    assert search.calls == 6 * len(task.validation) and search.seconds > 0 and search.prompt_tokens > 0
    assert [t.shots for t in search.trials] == ["none"] * 4 + ["balanced", "nearest"]
    chosen = search.trials[search.chosen]
    assert (search.chosen, chosen.shot_ids, chosen.k) == (5, [], config.k)
    assert final[2].text("{input}") == search.prompt == row.config["prompt"] and search.instruction in search.prompt
    assert f"{{the input's {config.k} nearest training examples}}" in search.prompt

    place, near = {id(ex): i for i, ex in enumerate(task.train)}, Neighbours(task.train)

    def retrieved(examples: list[Example], builder: PromptBuilder, prompts: list[str]) -> set[int]:
        """The training examples a nearest prompt showed: each input's own nearest (as many as fit)."""
        assert isinstance(builder, PerInputBuilder) and set(builder.per_input) == {e.text for e in examples}
        ids = set()
        for example, prompt in zip(examples, prompts, strict=True):
            shots = builder.per_input[example.text]
            assert shots and all(id(s) in place for s in shots)  # training examples, never a test one
            assert {place[id(s)] for s in shots} <= set(near.ids(example.text, config.k))
            assert all(s.text in prompt for s in shots)
            ids |= {place[id(s)] for s in shots}
        return ids

    shown = {i for t in search.trials for i in t.shot_ids} | retrieved(*trials[5][1:]) | retrieved(*final[1:])
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
