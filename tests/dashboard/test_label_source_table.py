"""The Decision page's "Who labels the training data": support_intents with no labels on hand, each tuned
approach on people's labels and on gpt-4o's, against the calculator; its button trains them on the teacher's."""

from __future__ import annotations

from calculator.costs import evaluate
from calculator.recommend.wording import money
from calculator.scenario_io import apply_overrides, load_preset
from tests.dashboard.apptest import open_app

QUERY = {"preset": "support_intents", "labeling.labels_on_hand": "0", "teacher.agreement": "0.95"}


def table(at):
    frame = next(t.value for t in at.table if "labels from" in t.value.columns)
    return frame.map(lambda cell: str(cell).replace("\\", ""))


def test_people_and_teacher_labels_side_by_side_and_the_switch():
    at = open_app("decision", QUERY)
    rows = table(at)
    base = apply_overrides(load_preset("support_intents"), ["labeling.labels_on_hand=0", "teacher.agreement=0.95"])
    taught = evaluate(apply_overrides(base, ["teacher.approaches=[prompt_tuning, lora, full_finetune]"]))
    lora = rows[rows["approach"] == "LoRA fine-tune"].set_index("labels from")
    assert lora.loc["people", "TCO 24 months"] == money(evaluate(base).approaches["lora"].tco_usd)
    assert lora.loc["people", "training labels"] == "$2,000" and lora.loc["people", "scenario"] == "current"
    assert lora.loc["gpt-4o (zero-shot prompt), 10% reviewed", "TCO 24 months"] == money(taught.approaches["lora"].tco_usd)
    next(b for b in at.button if b.label.startswith("Train ") and "gpt-4o's labels" in b.label).click().run()
    assert not at.exception
    headline = " ".join(m.value for m in [*at.success, *at.warning]).replace("\\", "")
    assert "LoRA fine-tune on own L4 24GB GPUs, trained on gpt-4o's labels" in headline
    assert money(taught.approaches["lora"].tco_usd) in headline
    assert table(at).set_index(["approach", "labels from"]).loc[
        ("LoRA fine-tune", "gpt-4o (zero-shot prompt), 10% reviewed"), "scenario"] == "current"
