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


def taught_run():
    """fake_result with its LoRA row trained on gpt-4o-mini's labels: 510 kept of 512, 86% agreement."""
    from core.result import Quality, TeacherStats
    from tests.fake_result import fake_result

    result = fake_result("run-teacher")
    lora = next(row for row in result.approaches if row.approach == "lora")
    lora.teacher = TeacherStats(
        model="gpt-4o-mini", backend="endpoint", endpoint_host="127.0.0.1:8000", provider="openai",
        prompt="Classify: {input}", answered=512, unparseable=2, kept=510,
        agreement=Quality(metric="accuracy", value=0.86, interval=(0.83, 0.89), interval_basis="wilson"),
        prompt_tokens=300.0, completion_tokens=2.0, usd_total=0.051, usd_per_label=0.0001, seconds=10.0)
    return result


def test_a_run_with_a_teacher_prices_the_labels_it_measured():
    """The applied LoRA row trained on gpt-4o-mini's labels: the teacher's measured cost per label (usage ×
    price), its usage and agreement replace the counted ones; the row's score is the student's own."""
    base = scenario("finetuning.base_model=smollm2-135m-instruct", "labeling.labels_on_hand=0")
    found = analyze(base, [taught_run()], draws=DRAWS)
    p = found.costs.inputs
    assert p["teacher.usd_per_label"] == 0.0001 and p["teacher.agreement"] == 0.86
    assert p.quantities["teacher.usd_per_label"].source.startswith("benchmark run run-teacher: the teacher gpt-4o-mini")
    assert p["teacher.prompt_tokens"] == 300.0 and p.intervals["teacher.agreement"] == (0.83, 0.89)
    lora = found.costs.approaches["lora"]
    assert lora.labels_needed == 256  # the row's labeled examples
    assert lora.profile.one_off["teacher labels"] == pytest.approx(256 * 0.0001)
    assert lora.profile.one_off["label review"] == pytest.approx(256 * 0.1 * 0.40)
    assert lora.score == 0.82  # measured on gold test labels, not capped again
    assert found.recommendation.approach("lora").teacher == "gpt-4o-mini"
