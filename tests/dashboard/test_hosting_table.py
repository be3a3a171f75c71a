"""AppTest: the Decision page prices the tuned models both ways ("Where the tuned models are served"),
marks the scenario's hosting and switches it with one button."""

from __future__ import annotations

from calculator.costs import evaluate
from calculator.recommend.wording import money
from calculator.scenario_io import apply_overrides, load_preset
from dashboard.hosting_view import SWITCH, TITLE
from tests.dashboard.apptest import open_app


def served_table(at):
    """The hosting table, unescaped, by where each row is served."""
    frame = next(t.value for t in at.table if "served" in t.value.columns)
    return frame.map(lambda cell: str(cell).replace("\\", "")).rename(columns=lambda c: c.replace("\\", ""))


def lora_tco(hosting: str) -> str:
    scenario = apply_overrides(load_preset("support_intents"), [f"finetuning.hosting={hosting}"])
    return money(evaluate(scenario).approaches["lora"].tco_usd)


def test_the_decision_page_shows_both_hostings_and_switches_between_them():
    at = open_app("decision")  # support_intents, tuned models on own GPUs
    assert TITLE in [s.value for s in at.subheader]
    lora = served_table(at).query("approach == 'LoRA fine-tune'")
    assert list(lora["served"]) == ["at OpenAI, gpt-4o-mini-2024-07-18 fine-tuned", "own GPUs (1× L4 24GB)"]
    assert list(lora["TCO 24 months"]) == [lora_tco("provider"), lora_tco("self_hosted")]
    assert list(lora["scenario"]) == ["", "current"]
    caption = next(c.value for c in at.caption if "less over 24 months" in c.value).replace("\\", "")
    assert f"({lora_tco('provider')} against {lora_tco('self_hosted')})" in caption
    assert "must be measured on that model" in caption and "Scenario page" in caption

    next(b for b in at.button if b.label == SWITCH["provider"]).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["scenario"].finetuning.hosting == "provider"
    lora = served_table(at).query("approach == 'LoRA fine-tune'")
    assert list(lora["scenario"]) == ["current", ""]
    assert any(b.label == SWITCH["self_hosted"] for b in at.button)
