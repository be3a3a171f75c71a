"""Labels from a teacher model (distillation) priced against people's, by hand: the teacher's tokens at its
prices plus the reviewed share at a person's cost per label; the student capped at the teacher's agreement."""

from __future__ import annotations

import pytest

from calculator.analysis import analyze
from calculator.costs import evaluate
from calculator.label_sources import label_sources
from calculator.prices import api_token_prices
from calculator.scenario_io import ScenarioError, apply_overrides, load_preset

DRAWS = 2_000


def scenario(*overrides: str):
    """support_intents with no labels on hand: 5,000 training labels at $0.40 each from people."""
    return apply_overrides(load_preset("support_intents"), ["labeling.labels_on_hand=0", *overrides])


def test_a_teachers_labels_cost_its_tokens_at_its_prices_and_the_review():
    report = evaluate(scenario("teacher.approaches=[lora]", "teacher.model=gpt-4o-mini", "teacher.agreement=0.95"))
    p = report.inputs
    mini = api_token_prices("gpt-4o-mini", "openai")
    assert p["teacher.input_usd_per_mtok"] == mini.input and p["teacher.output_usd_per_mtok"] == mini.output
    assert p["teacher.prompt_tokens"] == p["tokens.zero_shot.input"]  # the zero-shot prompt, as counted for it
    per_label = (p["teacher.prompt_tokens"] * mini.input + p["teacher.output_tokens"] * mini.output) / 1e6
    lora = report.approaches["lora"].profile.one_off
    assert "labels" not in lora
    assert lora["teacher labels"] == pytest.approx(5_000 * per_label)
    assert lora["label review"] == pytest.approx(5_000 * 0.1 * 0.40)  # 10% of 5,000 at $0.40 = $200
    people = evaluate(scenario()).approaches["lora"].profile.one_off
    assert people["labels"] == pytest.approx(2_000.0)
    # full fine-tune is not taught: still people's labels
    assert report.approaches["full_finetune"].profile.one_off["labels"] == pytest.approx(2_000.0)


def test_the_student_is_capped_at_the_teachers_agreement_and_unknown_without_it():
    capped = evaluate(scenario("teacher.approaches=[lora]", "teacher.agreement=0.85"))
    assert capped.approaches["lora"].score == 0.85  # typed 93%, the teacher agrees on 85%
    assert capped.inputs.quantities["score.lora"].source == "user input 93%, capped at the teacher's agreement"
    unknown = evaluate(scenario("teacher.approaches=[lora]"))
    assert unknown.approaches["lora"].score is None
    assert any("is not used until the teacher's agreement" in note for note in unknown.inputs.notes)


def test_a_teacher_that_agrees_less_than_the_target_is_not_chosen_and_the_reason_says_why():
    rec = analyze(scenario("teacher.approaches=[lora]", "teacher.agreement=0.85"), draws=DRAWS).recommendation
    assert rec.choice != "lora"
    assert any(r.startswith("LoRA fine-tune would cost") and "misses the 90% target by 5 points (capped at its "
               "teacher gpt-4o's 85% agreement with gold labels)" in r for r in rec.reasons)


def test_a_teacher_that_agrees_enough_wins_and_the_reason_says_what_it_costs():
    found = analyze(scenario("teacher.approaches=[lora]", "teacher.agreement=0.95"), draws=DRAWS)
    rec = found.recommendation
    assert rec.choice == "lora" and "trained on gpt-4o's labels" in rec.headline
    parts = found.costs.approaches["lora"].profile.one_off
    reason = next(r for r in rec.reasons if r.startswith("Its training labels come from a teacher"))
    assert "label 5,000 inputs with gpt-4o" in reason and "review 10% of them by people ($200)" in reason
    assert f"${float(parts['teacher labels']):.2f}" in reason


def test_people_and_teacher_side_by_side_recompute_to_the_scenarios_totals():
    base = scenario("teacher.agreement=0.95")
    found = label_sources(evaluate(base))
    people = evaluate(base).approaches
    taught = evaluate(apply_overrides(base, ["teacher.approaches=[prompt_tuning, lora, full_finetune]"])).approaches
    for v in found.variants:
        assert v.tco_usd == pytest.approx((taught if v.taught else people)[v.approach].tco_usd)
        assert v.current == (not v.taught)
    lora = {v.taught: v for v in found.variants if v.approach == "lora"}
    assert lora[False].labels_usd == pytest.approx(2_000.0)
    assert lora[True].labels_usd == pytest.approx(float(taught["lora"].profile.one_off["teacher labels"]) + 200.0)


def test_only_tuned_approaches_take_a_teacher():
    with pytest.raises(ScenarioError, match="teacher.approaches"):
        scenario("teacher.approaches=[zero_shot]")


def test_with_enough_labels_on_hand_there_is_nothing_to_compare():
    assert label_sources(evaluate(load_preset("support_intents"))).variants == []  # 5,000 on hand, 5,000 needed
