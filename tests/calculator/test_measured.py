"""Applying a benchmark run by model (issue 15): rows measured on the model the scenario prices apply,
the others only when chosen; every applied accuracy names its model, backend and run; un-apply goes
back to the typed figures; the sentences quote the applied figures."""

from __future__ import annotations

import pytest

from calculator.analysis import analyze
from calculator.costs import evaluate
from calculator.measured import (
    applied_summary,
    apply_benchmark,
    other_object,
    row_choices,
    same_model,
    score_source,
    unapply,
)
from calculator.scenario_io import apply_overrides, load_preset
from core.approaches import TUNED
from core.result import PromptSearchStats, SearchTrial, save_result
from prompt_or_tune.cli import main
from tests.fake_result import fake_result

SERVED = "HuggingFaceTB/SmolLM2-135M-Instruct"


def served_run(run_id: str = "run-mix", lora_accuracy: float = 0.95):
    """zero-shot and few-shot answered by an endpoint serving gpt-4o, LoRA trained locally on SmolLM2."""
    result = fake_result(run_id, lora_accuracy=lora_accuracy)
    for row in result.approaches[:2]:
        row.backend, row.model, row.endpoint_host = "endpoint", "gpt-4o", "api.openai.com"
    return result


def scenario(*overrides: str):
    """support_intents trained on the packaged model, its tuned scores typed again for that model."""
    retyped = [f"quality.scores.{name}={value}" for name, value in
               load_preset("support_intents").quality.scores.items() if name in TUNED]
    return apply_overrides(load_preset("support_intents"), [f"finetuning.base_model={SERVED}", *retyped, *overrides])


def test_rows_on_the_priced_models_apply_and_say_what_they_were_measured_on():
    applied = apply_benchmark(scenario(), served_run())
    assert applied.measured.approaches.keys() == {"zero_shot", "few_shot", "lora"}
    assert applied.measured.left_out == {}
    assert score_source(applied, "zero_shot") == "measured on gpt-4o (endpoint), run run-mix"
    # the local run's model is named smollm2-135m-instruct; the scenario's base model has an org prefix
    assert score_source(applied, "lora") == "measured on smollm2-135m-instruct (local), run run-mix"
    assert score_source(applied, "chain_of_thought") == "typed"
    assert score_source(applied, "persona") == "not given"
    inputs = evaluate(applied).inputs.quantities
    assert inputs["score.few_shot"].value == 0.75
    assert inputs["score.few_shot"].source == "measured on gpt-4o (endpoint), run run-mix"
    assert same_model("gpt-4o", "openai/GPT-4o") and not same_model("gpt-4o", "gpt-4o-mini")


def test_rows_on_another_model_are_left_out_and_named_unless_chosen():
    typed = load_preset("support_intents")  # prices gpt-4o and Llama-3.1-8B-Instruct
    result = fake_result("run-small")  # every row measured locally on smollm2-135m-instruct
    default = apply_benchmark(typed, result)
    assert default.measured.approaches == {}
    assert default.measured.left_out["zero_shot@local"] == (
        "Zero-shot prompt was measured on smollm2-135m-instruct, the scenario prices gpt-4o")
    assert default.measured.left_out["lora@local"].endswith("the scenario prices Llama-3.1-8B-Instruct")
    assert evaluate(default).inputs.quantities["score.zero_shot"].source == "user input"
    assert "none of its rows" in applied_summary(default)
    chosen = apply_benchmark(typed, result, {"few_shot@local"})
    assert chosen.measured.approaches.keys() == {"few_shot"}
    assert set(chosen.measured.left_out) == {"zero_shot@local", "lora@local"}
    assert applied_summary(chosen).startswith(
        "The scenario uses run run-small: Few-shot prompt accuracy 75.0% on smollm2-135m-instruct (local). Not applied: "
        "Zero-shot prompt was measured on smollm2-135m-instruct, the scenario prices gpt-4o; LoRA fine-tune")
    everything = apply_benchmark(typed, result, mismatched=True)
    assert everything.measured.approaches.keys() == {"zero_shot", "few_shot", "lora"}


def test_of_two_rows_of_one_approach_the_one_on_the_priced_model_wins():
    result = served_run()
    local_zero = fake_result().approaches[0].model_copy(update={"accuracy": 0.4})  # on smollm2, locally
    result.approaches.append(local_zero)
    keys = [c.key for c in row_choices(scenario(), result)]
    assert keys.count("zero_shot@endpoint") == 1 and keys.count("zero_shot@local") == 1
    both = apply_benchmark(scenario(), result, set(keys))
    assert both.measured.approaches["zero_shot"].score == 0.7
    assert both.measured.approaches["zero_shot"].backend == "endpoint"


def test_an_under_trained_row_is_never_applied_even_when_chosen():
    result = served_run()
    result.approach("lora").training.planned_steps = 40  # it ran 10
    applied = apply_benchmark(scenario(), result, {"lora@local", "zero_shot@endpoint"})
    assert applied.measured.approaches.keys() == {"zero_shot"}
    assert "10 of 40 planned training steps" in applied.measured.not_applied["lora"]


def test_unapply_goes_back_to_the_typed_figures():
    typed = scenario("labeling.labels_on_hand=0")
    back = unapply(apply_benchmark(typed, served_run()))
    assert back.measured is None
    assert evaluate(back).inputs.quantities["score.lora"].source == "user input"
    assert evaluate(back).approaches["lora"].profile.one_off["labels"] == evaluate(typed).approaches["lora"].profile.one_off["labels"]


def test_a_measured_lora_is_priced_with_the_labels_it_was_trained_on():
    """Typed: 5,000 labels at $0.40 with none on hand = $2,000. The run trained LoRA on 256: $102.40."""
    typed = scenario("labeling.labels_on_hand=0")
    assert evaluate(typed).approaches["lora"].profile.one_off["labels"] == pytest.approx(2_000.0)
    applied = evaluate(apply_benchmark(typed, served_run()))
    assert applied.approaches["lora"].labels_needed == 256
    assert applied.approaches["lora"].profile.one_off["labels"] == pytest.approx(256 * 0.40)
    assert applied.inputs.quantities["labels.lora"].source == (
        "measured on smollm2-135m-instruct (local), run run-mix: labels it was trained on")
    assert applied.approaches["full_finetune"].labels_needed == 5_000  # still typed: its own figure


def test_a_searched_prompt_is_priced_as_the_prompt_it_chose_with_the_labels_it_used():
    """The search chose the persona instruction with no examples: the scenario's own task is priced with its persona
    prompt, not few-shot's k examples, and its labels are the 64 the search used (60 validation, 4 shown)."""
    result = served_run()
    searched = result.approaches[0].model_copy(update={"approach": "prompt_search", "labeled_examples": 64})
    searched.search = PromptSearchStats(
        metric="accuracy", chosen=1, instruction="…", prompt="…", budget=2, validation_examples=60,
        baseline_validation_score=0.7, calls=120, seconds=4.0, prompt_tokens=9_000, computed_tokens=3_000,
        trials=[SearchTrial(candidate="zero-shot + 4 balanced examples", prompt_kind="zero_shot", variant=0,
                            shots="balanced", shot_ids=[1, 2, 3, 4], validation_score=0.7, seconds=2.0),
                SearchTrial(candidate="persona", prompt_kind="persona", variant=0, shots="none",
                            validation_score=0.8, seconds=2.0)])
    result.approaches.append(searched)
    typed = scenario("labeling.labels_on_hand=0", "approaches=[zero_shot,few_shot,persona,prompt_search,lora]")
    before = evaluate(typed).approaches
    assert before["prompt_search"].profile.per_request_usd == pytest.approx(before["few_shot"].profile.per_request_usd)
    applied = apply_benchmark(typed, result)
    assert applied.measured.approaches["prompt_search"].prompt.model_dump() == {"kind": "persona", "variant": 0,
                                                                                "shots": 0, "per_input": False}
    after = evaluate(applied)
    costs = after.approaches
    assert costs["prompt_search"].profile.per_request_usd == pytest.approx(costs["persona"].profile.per_request_usd)
    assert costs["prompt_search"].labels_needed == 64
    assert after.inputs.quantities["tokens.prompt_search.input"].source.startswith(
        "measured on gpt-4o (endpoint), run run-mix: the chosen prompt (persona, paraphrase 0, 0 examples)")


def test_a_search_that_chose_nearest_examples_is_priced_with_k_examples_outside_the_cached_prefix():
    """The chosen prompt shows each request its own 12 nearest examples: as many tokens as the 12-example few-shot
    prompt, but its fixed part (what a provider caches) is the instruction before the examples alone."""
    result = served_run()
    searched = result.approaches[0].model_copy(update={"approach": "prompt_search", "labeled_examples": 300})
    searched.search = PromptSearchStats(
        metric="accuracy", chosen=1, instruction="…", prompt="…", budget=2, validation_examples=60,
        baseline_validation_score=0.7, calls=120, seconds=4.0, prompt_tokens=9_000, computed_tokens=3_000,
        trials=[SearchTrial(candidate="zero-shot", prompt_kind="zero_shot", variant=0, shots="none", k=0,
                            validation_score=0.7, seconds=2.0),
                SearchTrial(candidate="zero-shot + 12 nearest examples per input", prompt_kind="zero_shot", variant=0,
                            shots="nearest", k=12, validation_score=0.9, seconds=2.0)])
    result.approaches.append(searched)
    typed = scenario("labeling.labels_on_hand=0", "approaches=[zero_shot,few_shot,prompt_search,lora]")
    assert typed.task.few_shot_k == 12
    applied = apply_benchmark(typed, result)
    assert applied.measured.approaches["prompt_search"].prompt.model_dump() == {
        "kind": "zero_shot", "variant": 0, "shots": 12, "per_input": True}
    tokens = evaluate(applied).inputs.quantities
    assert tokens["tokens.prompt_search.input"].value == tokens["tokens.few_shot.input"].value
    # zero-shot's fixed part runs up to its input's name, 'Input: '; the nearest prompt's stops before the examples
    assert tokens["tokens.prompt_search.prefix"].value < tokens["tokens.zero_shot.prefix"].value
    assert tokens["tokens.prompt_search.prefix"].source.endswith(
        "(zero_shot, paraphrase 0, 12 nearest examples per request): its fixed part, before the examples")
    assert evaluate(applied).approaches["prompt_search"].labels_needed == 300


def test_the_sentences_quote_the_applied_figures():
    """LoRA 95% [90%, 100%] on 256 labels meets an 85% target: the curve sentence, the labels sentence and
    the best-prompt comparison come from the same run (no typed 'best prompt (87%)', no 5,000 labels)."""
    found = analyze(scenario("labeling.labels_on_hand=0", "quality.target=0.85",
                             "approaches=[zero_shot, few_shot, chain_of_thought, lora]"), [served_run()], draws=2_000)
    rec = found.recommendation
    assert rec.choice == "lora"
    text = "\n".join(rec.reasons)
    assert ("It needs 256 labeled examples (measured on smollm2-135m-instruct (local), run run-mix: labels it "
            "was trained on); 0 are on hand, so 256 are bought for $102 (in its one-off cost).") in text
    # the curve (16: 60%, 64: 72%, 256: 95% the row itself) reaches 85% between 64 and 256 labels
    assert "LoRA fine-tune reaches the 85% target with about" in text and "does not reach" not in text
    assert ("LoRA fine-tune reaches the best prompt, Few-shot prompt at 75% (measured on gpt-4o (endpoint), run run-mix), "
            "with about") in text
    assert "86%" not in text and "79%" not in text  # few-shot's and zero-shot's typed figures, replaced
    assert all("Chain-of-thought" in line for line in rec.reasons if "87%" in line)  # its own typed figure
    assert "5,000" not in text  # LoRA's typed label count
    ranked = {r.name: r.score_source for r in rec.ranked}
    assert ranked["chain_of_thought"] == "typed" and ranked["lora"].startswith("measured on smollm2")


def test_cli_leaves_mismatched_rows_out_unless_asked(tmp_path, capsys):
    result = fake_result("run-cli")
    save_result(result, tmp_path / "run-cli")
    assert main(["cost", "support_intents", "--results", str(tmp_path / "run-cli"), "--draws", "500"]) == 0
    out, err = capsys.readouterr()
    assert ("not applied: Zero-shot prompt was measured on smollm2-135m-instruct, the scenario prices gpt-4o "
            "(--apply-mismatched applies it)") in err.splitlines()
    zero = next(line for line in out.splitlines() if line.startswith("zero_shot "))
    assert zero.endswith("79% (typed)")
    assert main(["cost", "support_intents", "--results", str(tmp_path / "run-cli"), "--draws", "500",
                 "--apply-mismatched"]) == 0
    out, err = capsys.readouterr()
    assert "not applied" not in err
    zero = next(line for line in out.splitlines() if line.startswith("zero_shot "))
    assert zero.endswith("70% (measured on smollm2-135m-instruct (local), run run-cli)")


def test_analyze_keeps_the_rows_chosen_for_a_run_the_scenario_carries():
    """The report and the CLI pass the runs again: the rows the user chose stay the ones applied."""
    chosen = apply_benchmark(load_preset("support_intents"), fake_result("run-b"), {"few_shot@local"})
    found = analyze(chosen, [fake_result("run-a"), fake_result("run-b")], draws=500)
    assert found.scenario.measured.run_id == "run-b"
    assert found.scenario.measured.approaches.keys() == {"few_shot"}
    fresh = analyze(load_preset("support_intents"), [fake_result("run-a")], draws=500)
    assert fresh.scenario.measured.approaches == {}  # on its own: only rows on the priced models


def test_the_curve_is_the_most_accurate_applied_trained_approachs():
    """Learning curves are the spec's (`learning_curve`): with LoRA and DoRA both measured, the scenario keeps
    the more accurate one's curve, says whose it is, and the reasons name it."""
    result = served_run(lora_accuracy=0.82)
    lora = result.approach("lora")
    result.approaches.append(lora.model_copy(update={"approach": "dora", "accuracy": 0.9,
                                                     "accuracy_ci": (0.85, 0.95)}))
    applied = apply_benchmark(scenario("approaches=[zero_shot, lora, dora]"), result)
    assert applied.measured.curve_approach == "dora"
    assert applied.measured.learning_curve == [(16, 0.6), (64, 0.72), (256, 0.9)]  # DoRA's own point last
    older = applied.measured.model_copy(update={"learning_curve_approach": None})
    assert older.curve_approach == "lora"  # files written before the field hold LoRA's
    found = analyze(scenario("quality.target=0.85", "approaches=[zero_shot, lora, dora]"), [result],
                    draws=500)
    assert any(line.startswith("DoRA fine-tune reaches the 85% target") for line in found.recommendation.reasons)


def test_a_run_of_another_task_kind_is_refused_in_one_line(tmp_path, capsys):
    """A generation or extraction run measures chrF or field F1 of another task than a classification
    scenario decides: every row is named as not applied, with why, and nothing crashes (CLI included)."""
    from tests.dashboard.text_run import EXTRACTION_SCORES, GENERATION_SCORES, text_result

    generation = text_result("run-gen", "generation", GENERATION_SCORES, {"rouge_l": 0.3})
    why = ("run run-gen measured a generation task, the scenario decides a classification task: its scores say "
           "nothing about this one")
    assert other_object(scenario(), generation) == why and other_object(scenario(), served_run()) is None
    choices = row_choices(scenario(), generation)
    assert {c.problem for c in choices} == {why}
    assert choices[-1].label == "LoRA fine-tune (local): chrF 0.750 on smollm2-135m-instruct"
    applied = apply_benchmark(scenario(), generation, {c.key for c in choices}, mismatched=True)
    assert applied.measured.approaches == {} and set(applied.measured.not_applied.values()) == {why}
    assert applied_summary(applied).startswith("Run run-gen is applied, but none of its rows: every score is typed.")
    extraction = text_result("run-ext", "extraction", EXTRACTION_SCORES, {})
    assert other_object(scenario(), extraction).startswith("run run-ext measured an extraction task")
    save_result(generation, tmp_path / "run-gen")
    assert main(["cost", "support_intents", "--results", str(tmp_path / "run-gen"), "--draws", "500"]) == 0
    out, _ = capsys.readouterr()
    zero = next(line for line in out.splitlines() if line.startswith("zero_shot "))
    assert zero.endswith("79% (typed)")
