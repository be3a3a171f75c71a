"""The report carries "Who labels the training data" beside the Decision page: support_intents with no labels
on hand, each tuned approach on people's labels and on the teacher's, with its source line."""

from __future__ import annotations

from calculator.analysis import analyze
from calculator.recommend.wording import money
from calculator.scenario_io import apply_overrides, load_preset
from reporting.document import build
from reporting.markdown import render_markdown


def test_the_markdown_report_shows_both_label_sources():
    scenario = apply_overrides(load_preset("support_intents"), ["labeling.labels_on_hand=0", "teacher.agreement=0.95"])
    text = render_markdown(build(scenario, draws=2_000))
    assert "**Who labels the training data**" in text
    lora = analyze(apply_overrides(scenario, ["teacher.approaches=[lora]"]), draws=2_000).costs.approaches["lora"]
    assert f"| LoRA fine-tune | gpt-4o (zero-shot prompt), 10% reviewed | $204 | {money(lora.tco_usd)} | 93% |  |" in text
    assert "| LoRA fine-tune | people | $2,000 | $73,243 | 93% | current |" in text
    assert "priced with the tuned approach trained on people's labels or on the teacher's" in text
