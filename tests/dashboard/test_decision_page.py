"""AppTest: the Decision page reads as words (titles, not ids), and its tables are not cut off."""

from __future__ import annotations

import pytest

from calculator.analysis import analyze
from calculator.scenario_io import load_preset
from calculator.tradeoffs import tradeoffs
from dashboard.text import dollars, escape_md
from tests.dashboard.apptest import open_app


@pytest.fixture(scope="module")
def page():
    return open_app("decision")


@pytest.fixture(scope="module")
def found():
    return analyze(load_preset("support_intents"))  # the dashboard's default scenario


def bullets(lines: list[str]) -> str:
    return "\n".join(f"- {dollars(line)}" for line in lines)


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
    assert scratch["standing"].replace("\\", "").startswith("blocked: needs about 100 weeks of engineering")
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
    assert any("75,643 to build and run + " in c and "309,838 expected cost of errors (6% wrong at" in c
               for c in captions), captions


def test_the_three_strongest_reasons_show_and_the_rest_are_one_click_away(page, found):
    rec = found.recommendation
    shown = [m.value for m in page.markdown]
    assert bullets(rec.reasons[:3]) in shown
    assert shown.count(bullets(rec.reasons[3:])) == 1  # only once: inside the expander below
    (more,) = [e for e in page.expander if e.label.startswith("More reasons")]
    assert more.label == f"More reasons ({len(rec.reasons) - 3})" and len(rec.reasons) > 3
    assert [m.value for m in more.markdown] == [bullets(rec.reasons[3:])]


def test_a_provisional_headline_says_why_on_the_page(page, found):
    (headline,) = [w.value for w in page.warning if "choose" in w.value]
    assert headline == dollars(found.recommendation.headline)
    assert "Provisional: LoRA fine-tune: 93% accuracy is typed in, not measured" in headline  # not a tooltip


def test_blocked_approaches_are_ranked_last_with_the_reason(page):
    table = page.table[0].value
    standings = [s.replace("\\", "") for s in table["standing"]]
    groups = [s.split(":")[0] for s in standings]
    assert groups == sorted(groups, key=["qualifies", "open", "blocked"].index) and groups[-1] == "blocked"
    assert "blocked: misses the 90% accuracy target by 2 points" in standings


def test_the_trade_offs_table_shows_every_approach_with_sources(page, found):
    table = page.table[1].value
    expected = tradeoffs(found)
    assert list(table.columns) == [escape_md(c) for c in expected.columns]
    assert table.values.tolist() == expected.map(escape_md).values.tolist()
    assert table.iloc[0, 0] == escape_md("LoRA fine-tune (chosen)")
