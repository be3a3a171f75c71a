"""Label columns count what they say: the ranking's training labels to buy are those beyond the labels on
hand; the labels the one-off cost pays for are counted where the money is (865 evaluation labels $346), so no
table says 0 labels bought beside an evaluation set paid for."""

from __future__ import annotations

import re

import pytest

from calculator.analysis import analyze
from calculator.recommend.wording import count, money
from calculator.scenario_io import load_preset, preset_names
from calculator.tradeoffs import tradeoffs
from reporting.tables import TRAINING_LABELS, ranking

DRAWS = 500


@pytest.fixture(scope="module", params=preset_names())
def found(request):
    return analyze(load_preset(request.param), draws=DRAWS)


def test_training_labels_to_buy_are_those_beyond_the_labels_on_hand(found):
    table = ranking(found.recommendation)
    on_hand = float(found.costs.inputs["labeling.labels_on_hand"])
    shown = {row[1]: row[table.columns.index(TRAINING_LABELS)] for row in table.rows}
    for name, costs in found.costs.approaches.items():
        bought = max(0.0, costs.labels_needed - on_hand)
        tuned = found.recommendation.approach(name).family == "tuning"
        expected = f"{count(bought)} by people" if bought and tuned else count(bought)  # a tuned row says who labels
        assert shown[found.recommendation.approach(name).title] == expected


def test_every_label_bought_in_the_one_off_cost_is_counted_beside_its_price(found):
    per_label = float(found.costs.inputs["labeling.cost_per_label_usd"])
    cells = dict(zip(tradeoffs(found)["approach"].str.removesuffix(" (chosen)"), tradeoffs(found)["one-off cost"],
                     strict=True))
    for name, costs in found.costs.approaches.items():
        cell = cells[found.recommendation.approach(name).title]
        for part in ("labels", "evaluation labels"):
            usd = float(costs.profile.one_off[part])
            if usd:
                assert f"{count(usd / per_label)} {part} {money(usd)}" in cell, cell
            else:
                assert not re.search(rf"(\(|\+ )[\d,.kM]* ?{part} \$", cell), cell


def test_support_intents_lora_buys_its_evaluation_set_not_its_training_labels():
    found = analyze(load_preset("support_intents"), draws=DRAWS)
    lora = next(row for row in tradeoffs(found).itertuples() if row.approach.startswith("LoRA"))
    assert "865 evaluation labels $346" in lora[3]  # 865 test labels at $0.40; the 5,000 on hand train it
    assert next(r for r in ranking(found.recommendation).rows if r[1] == "LoRA fine-tune")[8] == "0"


def test_no_reason_says_none_are_bought_when_the_evaluation_set_is():
    found = analyze(load_preset("support_intents"), draws=DRAWS)
    chosen = found.costs.approaches[found.recommendation.choice]
    assert float(chosen.profile.one_off["evaluation labels"]) > 0
    assert not any("none are bought" in reason for reason in found.recommendation.reasons)
    assert ("It needs 5,000 labeled examples and 5,000 are on hand, so no training labels are bought; its 865 "
            "evaluation labels are bought for $346 (in its one-off cost).") in found.recommendation.reasons
