"""Deciding for tasks whose answer is text (issue 27): the scenario's task kind, output tokens counted from
sample outputs, a fleet sized by decode, the target on the task's metric, and a text run applied."""

from __future__ import annotations

import math

import pytest
import tiktoken
import yaml

from calculator.analysis import analyze
from calculator.approaches import REGISTRY
from calculator.approaches.base import HOURS_PER_MONTH
from calculator.costs import evaluate
from calculator.inputs import resolve_inputs
from calculator.measured import apply_benchmark
from calculator.scenario_io import ScenarioError, apply_overrides, load_preset, parse_scenario_text
from core.result import ApproachResult, BenchmarkResult, ModelInfo, Quality, TaskInfo
from tests.fake_result import fake_result

REPLIES = "support_reply_drafting"
INVOICES = "invoice_fields"


def test_output_tokens_per_approach_are_the_sample_outputs_tiktoken_count():
    scenario = load_preset(REPLIES)
    encoding = tiktoken.get_encoding("o200k_base")  # gpt-4o's
    expected = sum(len(encoding.encode(o)) for o in scenario.task.sample_outputs) / len(scenario.task.sample_outputs)
    inputs = resolve_inputs(scenario)
    assert inputs["tokens.answer"] == pytest.approx(expected)
    assert "mean over the 5 sample outputs" in inputs.quantities["tokens.answer"].source
    for name in scenario.approaches:  # no reasoning model, no chain-of-thought: each writes the reply alone
        assert REGISTRY[name].output_tokens(inputs) == pytest.approx(expected)
    zero = evaluate(scenario).approaches["zero_shot"].profile.per_request["API tokens"]
    prompt = inputs["tokens.zero_shot.input"]
    prefix = inputs["tokens.zero_shot.prefix"]  # below the provider's 1,024-token minimum: never cached
    assert prefix < inputs["api.min_cacheable_tokens"]
    assert zero == pytest.approx((prompt * inputs["api.input_usd_per_mtok"]
                                  + expected * inputs["api.output_usd_per_mtok"]) / 1e6)  # output at the output rate


def test_an_answer_length_replaces_sample_outputs_and_few_shot_shows_answers_of_that_length():
    scenario = apply_overrides(load_preset(REPLIES), ["task.sample_outputs=[]", "task.output_tokens=300"])
    inputs = resolve_inputs(scenario)
    assert inputs["tokens.answer"] == 300 and inputs.quantities["tokens.answer"].source == "user input"
    with_samples = resolve_inputs(load_preset(REPLIES))
    shots = scenario.task.few_shot_k
    grew = inputs["tokens.few_shot.input"] - inputs["tokens.zero_shot.input"]
    assert grew > shots * 300 and "example answers of task.output_tokens" in inputs.quantities[
        "tokens.few_shot.input"].source
    assert with_samples["tokens.few_shot.input"] < inputs["tokens.few_shot.input"]


def test_the_reply_fleet_is_sized_by_decode_as_the_formula_says():
    """LoRA's replica throughput by hand: prefill at MFU, then the answer's decode steps, each reading the
    weights and the batch's KV cache at MBU; replicas for the peak of the horizon's last month."""
    scenario = load_preset(REPLIES)
    p = resolve_inputs(scenario)
    n, batch = 8e9, 32
    prompt, answer = p["tokens.tuned.input"], p["tokens.answer"]
    peak_flops, bandwidth = 121e12 * 0.25, 300e9 * 0.6  # L4: datasheet bf16 and bandwidth, at MFU and MBU
    prefill = 2 * n * prompt / peak_flops
    kv = batch * (prompt + answer / 2) * 131_072.0  # Llama 3.1 8B's KV bytes per token
    step = max((n * 2 + kv) / bandwidth, 2 * n * batch / peak_flops)
    per_replica = 1 / (prefill + answer * step / batch)
    peak = 3_000_000 * 1.02 ** 23 / (HOURS_PER_MONTH * 3600) * 2.0
    fleet = REGISTRY["lora"].fleet(p)
    assert fleet.requests_per_replica_second == pytest.approx(per_replica)
    assert fleet.peak_requests_per_second == pytest.approx(peak)
    assert fleet.replicas == math.ceil(peak / per_replica) == 2
    assert answer * step / batch > 5 * prefill  # decode, not prefill, sizes this fleet
    costs = evaluate(scenario).approaches["lora"].profile.fixed["GPUs"]
    assert costs == pytest.approx(2 * HOURS_PER_MONTH * p["hosting.gpu_usd_per_hour"])


def test_a_classification_answer_decodes_a_label_only():
    """support_intents on L4: the same formula with a label of a token or two as the answer."""
    p = resolve_inputs(load_preset("support_intents"))
    prompt, label = p["tokens.tuned.input"], p["tokens.answer"]
    compute = p["gpu.peak_flops"] * p["hosting.serving_mfu"]
    step = max((8e9 * 2 + 32 * (prompt + label / 2) * 131_072.0) / (p["gpu.memory_bytes_per_second"] * 0.6),
               2 * 8e9 * 32 / compute)
    assert REGISTRY["lora"].fleet(p).requests_per_replica_second == pytest.approx(
        1 / (2 * 8e9 * prompt / compute + label * step / 32))
    assert label < 3


@pytest.mark.parametrize("task, field, words", [
    ({"kind": "generation", "instructions": "Reply."}, "sample_outputs", "needs typical answers"),
    ({"kind": "generation", "labels": ["a", "b"], "sample_outputs": ["x"]}, "labels", "has no labels"),
    ({"kind": "extraction", "sample_outputs": ['{"a": 1}']}, "fields", "names the fields"),
    ({"kind": "classification", "labels": ["only"]}, "labels", "at least two labels"),
    ({"kind": "classification", "sample_outputs": ["x"]}, "task.sample_outputs", "belongs to generation"),
    ({"kind": "summary"}, "task.kind", "classification"),
])
def test_each_kind_asks_for_what_it_uses_and_names_the_field(task, field, words):
    with pytest.raises(ScenarioError) as error:
        parse_scenario_text(yaml.safe_dump({"task": task}), ".yaml")
    assert field in str(error.value) and words in str(error.value)


def test_approaches_that_cannot_answer_the_kind_are_left_out_or_refused():
    scenario = load_preset(REPLIES)
    assert "chain_of_thought" not in scenario.approaches and "output_format" not in scenario.approaches
    with pytest.raises(ScenarioError, match="approaches: chain_of_thought cannot answer a generation task"):
        apply_overrides(scenario, ["approaches=[zero_shot, chain_of_thought]"])
    assert "output_format" in load_preset(INVOICES).approaches  # it asks for one JSON object


def test_the_target_and_every_reason_speak_in_the_tasks_metric():
    found = analyze(load_preset(REPLIES))
    rec = found.recommendation
    assert rec.metric == "chrf" and "the chrF 0.45 target" in rec.headline
    sentences = [rec.headline, *rec.reasons, *rec.what_would_change, *(g.problem for g in rec.evidence_gaps)]
    assert not [s for s in sentences if "accura" in s.lower()], sentences
    assert any("its chrF 0.40 misses the chrF 0.45 target by 0.05" in s for s in rec.reasons)
    extraction = analyze(load_preset(INVOICES)).recommendation
    assert "the field F1 0.95 target" in extraction.headline
    assert any("field F1 0.89" in s and "by 0.06" in s for s in extraction.reasons)


def test_older_files_read_their_accuracy_target_and_accuracies():
    old = parse_scenario_text("quality:\n  accuracy_target: 0.7\n  accuracy: {zero_shot: 0.8}\n"
                              "uncertainty:\n  quality.accuracy_target: {pct: 10}\n", ".yaml")
    assert old.quality.target == 0.7 and old.quality.scores == {"zero_shot": 0.8}
    assert "quality.target" in old.uncertainty and old.metric == "accuracy"


def _text_row(name: str, scores: list[float], output_tokens: float, trained: bool = False) -> ApproachResult:
    value = sum(scores) / len(scores)
    return ApproachResult(
        approach=name, model="Llama-3.1-8B-Instruct" if trained else "gpt-4o", backend="local",
        labeled_examples=200 if trained else 3, n_test=len(scores),
        quality=Quality(metric="chrf", value=value, interval=(value - 0.04, value + 0.04),
                        interval_basis="bootstrap", others={"rouge_l": value}, example_scores=scores),
        prompt_tokens_model=80.0, output_tokens_model=output_tokens, output_tokens_tiktoken=output_tokens,
        latency_ms_p50=400.0, latency_ms_p95=900.0, batch_size=8, throughput_requests_per_second=2.0,
        eval_tokens_per_second=500.0)


def _text_result(kind: str = "generation") -> BenchmarkResult:
    base = fake_result()
    return BenchmarkResult(
        run_id="run-text", created_at=base.created_at, quick=True, environment=base.environment,
        model=ModelInfo(name="Llama-3.1-8B-Instruct", source="local", parameters=8_000_000_000, dtype="float32"),
        task=TaskInfo(name="replies.csv", source="upload", kind=kind, labels=[], verbalizers=[],
                      split_sizes={"train": 200, "test": 10}, seed=0),
        approaches=[_text_row("zero_shot", [0.3, 0.35, 0.4, 0.5, 0.45, 0.3, 0.38, 0.42, 0.33, 0.37], 140.0),
                    _text_row("lora", [0.5, 0.55, 0.3, 0.6, 0.45, 0.52, 0.58, 0.49, 0.61, 0.5], 95.0,
                              trained=True)])


def test_a_generation_run_replaces_typed_scores_and_output_tokens_and_prices_its_errors():
    scenario = apply_overrides(load_preset(REPLIES), ["quality.cost_per_error_usd=0.5"])
    before = resolve_inputs(scenario)
    assert "pass_rate.lora" not in before and any("no measured pass rate" in n for n in before.notes)
    applied = apply_benchmark(scenario, _text_result(), mismatched=True)
    inputs = resolve_inputs(applied)
    assert inputs["score.lora"] == pytest.approx(0.51) and inputs.quantities["score.lora"].unit == "chrF"
    assert inputs["tokens.output.zero_shot"] == 140.0 and inputs["tokens.output.lora"] == 95.0
    assert REGISTRY["zero_shot"].output_tokens(inputs) == 140.0  # the measured answers are what is billed
    assert inputs["pass_rate.lora"] == pytest.approx(0.9)  # 9 of 10 answers at chrF ≥ 0.45 (the target)
    costs = evaluate(applied, inputs).approaches["lora"]
    assert costs.profile.per_request["errors"] == pytest.approx(0.1 * 0.5)
    assert costs.cost_per_correct_usd == pytest.approx(costs.tco_usd / (costs.requests * 0.9))
    stricter = apply_overrides(applied, ["quality.pass_threshold=0.55"])
    assert resolve_inputs(stricter)["pass_rate.lora"] == pytest.approx(0.4)


def test_a_run_of_another_kind_or_metric_is_not_applied():
    scenario = load_preset(REPLIES)
    applied = apply_benchmark(scenario, _text_result("extraction"), mismatched=True)
    assert not applied.measured.approaches
    assert "run run-text measured an extraction task" in applied.measured.not_applied["lora"]
    classification = apply_benchmark(load_preset(REPLIES), fake_result(), mismatched=True)
    assert not classification.measured.approaches
    judged = apply_overrides(scenario, ["quality.metric=judge_pass_rate"])
    other_metric = apply_benchmark(judged, _text_result(), mismatched=True)
    assert "set quality.metric" in other_metric.measured.not_applied["zero_shot"]


def test_switching_the_task_kind_keeps_nothing_of_the_old_kind_and_back():
    from calculator.scenario_io import STARTER_TARGETS, with_task_kind

    intents = apply_benchmark(load_preset("support_intents"), fake_result(), mismatched=True)
    drafted = with_task_kind(intents, "generation")
    assert drafted.task.labels == [] and drafted.task.output_tokens == 150 and drafted.quality.scores == {}
    assert drafted.measured is None and drafted.quality.target == STARTER_TARGETS["generation"]
    assert "chain_of_thought" not in drafted.approaches and drafted.metric == "chrf"
    assert drafted.task.persona != intents.task.persona  # the label-picking persona does not write replies
    back = with_task_kind(drafted, "classification")
    assert len(back.task.labels) >= 2 and back.task.output_tokens is None and back.metric == "accuracy"
    assert "intent" not in drafted.task.instructions  # the old instructions asked for an intent label
    assert back.workload == intents.workload and back.api == intents.api  # what is not about the answer stays
    sources = resolve_inputs(drafted).quantities
    assert sources["hosting.serving_mbu"].source == "default"  # a default the switch did not turn into a typed value
    with pytest.raises(ScenarioError, match="task.kind: 'poem' is not a task kind"):
        with_task_kind(intents, "poem")


def test_another_metric_keeps_no_score_of_the_old_one():
    from calculator.scenario_io import with_metric

    drafted = apply_benchmark(load_preset(REPLIES), _text_result(), mismatched=True)
    judged = with_metric(drafted, "judge_pass_rate")
    assert judged.metric == "judge_pass_rate" and judged.quality.scores == {} and judged.measured is None
    assert with_metric(judged, None).metric == "chrf"
    with pytest.raises(ScenarioError, match="quality.metric: a generation task is decided on"):
        with_metric(drafted, "field_f1")
