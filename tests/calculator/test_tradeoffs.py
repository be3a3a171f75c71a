"""The trade-offs table: every cell a number with its source, checked by hand on the presets."""

from __future__ import annotations

import numpy as np
import pytest

from calculator.analysis import analyze
from calculator.recommend.wording import count, money
from calculator.scenario import Measured, MeasuredApproach
from calculator.scenario_io import load_preset
from calculator.tradeoffs import COLUMNS, tradeoffs

DRAWS = 2_000


@pytest.fixture(scope="module")
def found():
    return analyze(load_preset("support_intents"), draws=DRAWS)


def row(table, title: str) -> dict[str, str]:
    return table[table["approach"].str.startswith(title)].iloc[0].to_dict()


def test_one_row_per_ranked_approach_with_every_dimension(found):
    table = tradeoffs(found)
    assert list(table.columns) == list(COLUMNS)
    assert [a.removesuffix(" (chosen)") for a in table["approach"]] == [r.title for r in found.recommendation.ranked]
    assert table["approach"][0] == "LoRA fine-tune (chosen)"
    assert table.map(lambda cell: bool(cell) and "None" not in cell).all().all()


def test_typed_cells_give_the_input_and_its_source(found):
    lora, zero = row(tradeoffs(found), "LoRA fine-tune"), row(tradeoffs(found), "Zero-shot prompt")
    assert lora["labeled data needed"] == "5,000 (Labeled examples: user input)"
    assert zero["labeled data needed"] == "0 (the prompt carries no examples)"
    assert lora["engineering effort"] == "80 h (default): training pipeline, evaluation and serving"
    assert lora["time to launch"] == "2.0 weeks (80 h at 40 h/week)"  # 80 h ÷ 40 h a week
    assert lora["quality"] == "93% (typed)" and lora["consistency"] == "not measured"
    assert row(tradeoffs(found), "Persona prompt")["quality"] == "accuracy unknown (neither typed nor measured)"


def test_money_cells_add_up_their_named_parts(found):
    table = tradeoffs(found)
    lora = found.costs.approaches["lora"].profile
    assert found.costs.inputs["team.hours.lora"] == 80 and found.costs.inputs["team.engineer_usd_per_hour"] == 110
    one_off = row(table, "LoRA fine-tune")["one-off cost"]
    assert one_off.startswith(f"{money(sum(lora.one_off.values()))} (") and "engineering $8,800" in one_off  # 80 h × $110
    volume = np.mean(found.costs.volumes)  # an average month: 3M growing 3% a month over 24 months
    assert count(volume) == "4.3M"
    fixed = lora.monthly_fixed_usd
    assert row(table, "LoRA fine-tune")["cost per request (running, incl. fleet)"] == (
        f"{money(fixed / volume)} ({money(fixed)}/month fixed ÷ 4.3M requests a month)")
    zero = found.costs.approaches["zero_shot"].profile
    assert not zero.monthly_fixed_usd
    assert row(table, "Zero-shot prompt")["cost per request (running, incl. fleet)"] == (
        f"{money(zero.per_request_usd)} (API tokens {money(zero.per_request_usd)})")


def test_measured_cells_name_the_run_and_the_model():
    scenario = load_preset("support_intents")
    model = scenario.finetuning.base_model
    measured = Measured(run_id="run-9", model=model, device="cuda", learning_curve=[(16, 0.6), (64, 0.8), (256, 0.97)],
                        approaches={"lora": MeasuredApproach(accuracy=0.95, accuracy_ci=(0.93, 0.97),
                                                             consistency_spread=0.04, model=model,
                                                             backend="local", run_id="run-9")})
    found = analyze(scenario.model_copy(update={"measured": measured}), draws=DRAWS)
    lora = row(tradeoffs(found), "LoRA fine-tune")
    # 90% lies 10/17 of the way from 80% (64 labels) to 97% (256), in log labels: 64·4^(10/17) = 144.65
    assert lora["labeled data needed"] == (f"145 to reach the 90% target (learning curve of run run-9 on {model}); "
                                           "priced: 5,000 (Labeled examples: user input)")
    assert lora["quality"] == f"95% [95% CI 93%–97%] (measured on {model} (local), run run-9)"
    assert lora["consistency"] == "4 points between prompt paraphrases (max − min accuracy, run run-9)"


def test_after_a_run_is_applied_the_labels_cell_reads_the_applied_curve():
    """The run: LoRA 82% on the 256 labels it trained on; its raw learning curve 16: 60%, 64: 72%,
    256: 80% (a separate training). Applied, the 256-label point is the row's own 82%: the cell says
    'best 82% with 256' beside the quality cell's 82%, never the raw 80%."""
    from calculator.scenario_io import apply_overrides
    from tests.fake_result import fake_result

    scenario = apply_overrides(load_preset("support_intents"), ["finetuning.base_model=smollm2-135m-instruct"])
    found = analyze(scenario, [fake_result()], draws=DRAWS)
    assert found.scenario.measured.learning_curve == [(16, 0.6), (64, 0.72), (256, 0.82)]
    lora = row(tradeoffs(found), "LoRA fine-tune")
    source = "measured on smollm2-135m-instruct (local), run run-test-1"
    assert lora["quality"] == f"82% [95% CI 77%–87%] ({source})"
    assert lora["labeled data needed"] == (
        "the 90% target not reached on the learning curve of run run-test-1 on smollm2-135m-instruct "
        f"(best 82% with 256); priced: 256 ({source}: labels it was trained on)")
    assert "80%" not in lora["labeled data needed"]
    # the approaches whose rows were not applied keep their typed figures and show no curve
    assert row(tradeoffs(found), "Full fine-tune")["labeled data needed"] == "5,000 (Labeled examples: user input)"
