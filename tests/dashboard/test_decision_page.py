"""AppTest: the Decision page reads as words (titles, not ids), and its tables are not cut off."""

from __future__ import annotations

from tests.dashboard.apptest import open_app


def test_what_to_measure_next_names_approaches_by_title():
    at = open_app("decision")
    text = "\n".join(m.value for m in at.markdown)
    assert "**LoRA fine\\-tune**" in text and "*Measure next:*" in text
    assert "**Train from scratch**" in text
    assert "- **lora**" not in text and "pretrain**" not in text


def test_ranked_table_says_what_each_probability_counts():
    at = open_app("decision")
    table = at.table[0].value
    assert "chance cheapest" in table.columns and not any("of all" in c for c in table.columns)
    scratch = table[table["approach"] == "Train from scratch"].iloc[0]
    assert scratch["accuracy \\[95% CI\\]"] == "—" and scratch["chance cheapest"] == "—"
    assert scratch["standing"].startswith("blocked: needs about 100 weeks of engineering")
    assert "None" not in table.to_string()
    assert any(m.label == "Chance cheapest" and m.value == "100%" for m in at.metric)


def test_the_error_cost_is_shown_beside_the_running_cost():
    from calculator.scenario_io import apply_overrides, load_preset

    at = open_app("decision")
    at.session_state["scenario"] = apply_overrides(load_preset("support_intents"),
                                                   ["quality.cost_per_error_usd=0.05"])
    at.run()
    assert not at.exception
    assert any(m.label == "Choose" and m.value == "Full fine-tune" for m in at.metric)
    captions = [c.value for c in at.caption]
    assert any("48,337 to build and run + " in c and "309,838 expected cost of errors (6% wrong at" in c
               for c in captions), captions
