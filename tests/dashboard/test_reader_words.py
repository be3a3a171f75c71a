"""Inputs and their messages in the reader's words: titles, units, percent for fractions, what a blank
field stands for, the uncertainty ranges by field title."""

from __future__ import annotations

from calculator.scenario_io import ScenarioError, load_preset
from dashboard.edit import updated
from dashboard.text import allowed, in_words
from tests.dashboard.apptest import open_app, widget


def rejected(changes: dict) -> str:
    try:
        updated(load_preset("support_intents"), changes)
    except ScenarioError as exc:
        return in_words(exc)
    raise AssertionError(f"{changes} was accepted")


def test_rejected_values_name_the_field_title_and_the_range_with_units():
    assert rejected({"workload.requests_per_month": -5}) == (
        "Requests per month must be between 0 and 10,000,000,000 requests/month; you entered -5.")
    assert rejected({"quality.target": 1.5}) == (  # the title calculator.fields gives it, whatever the metric
        "Quality target must be between 0% and 100%; you entered 150%.")
    assert rejected({"hosting.serving_mfu": 0}) == (
        "Serving MFU must be more than 0% and at most 100%; you entered 0%.")
    assert allowed("workload.monthly_growth_pct") == "between -50 and 100 %/month"
    assert allowed("name") is None


def test_fractions_are_shown_as_percent_with_the_allowed_range_in_words():
    at = open_app("scenario")
    target = widget(at, "slider", "main:quality.target")
    assert target.label == "Accuracy target (%)" and target.proto.format == "percent"
    assert target.value == 0.9  # the scenario keeps the fraction; only the display is percent
    assert "Allowed: between 0% and 100%." in target.help and "`quality.target`" in target.help
    volume = widget(at, "number_input", "main:workload.requests_per_month")
    assert "Allowed: between 0 and 10,000,000,000 requests/month." in volume.help


def test_blank_price_fields_say_the_value_used_and_where_it_comes_from():
    at = open_app("scenario")
    captions = [c.value for c in at.caption]
    # support_intents leaves the gpt-4o prices blank: genai-prices has $2.50 in, $10 out per 1M tokens
    assert any(c.startswith(r"Blank: \$2.50 per 1M tokens, from genai-prices") and c.endswith("openai/gpt-4o.")
               for c in captions)
    assert any(c.startswith(r"Blank: \$10.00 per 1M tokens, from genai-prices") for c in captions)
    assert widget(at, "number_input", "main:api.input_usd_per_mtok").proto.placeholder == "$2.50 per 1M tokens"
    widget(at, "number_input", "main:api.input_usd_per_mtok").set_value(3.0).run()
    captions = [c.value for c in at.caption]
    assert not any(c.startswith(r"Blank: \$2.50") for c in captions)  # typed in: nothing to explain


def test_uncertainty_ranges_are_chosen_and_shown_by_field_title():
    at = open_app("scenario")
    add = next(s for s in at.selectbox if s.label == "Add a range to")
    output_price = "API: output price per 1M tokens (USD/1M tokens)"
    assert output_price in add.options  # the options as the reader sees them
    assert not any("." in label.split(" (")[0] for label in add.options)  # titles, never dotted names
    assert "Requests per month (requests/month)" not in add.options  # already ranged in the preset
    add.select("api.output_usd_per_mtok").run()
    assert at.session_state["scenario"].uncertainty["api.output_usd_per_mtok"].model_dump(
        exclude_none=True) == {"minus_pct": 25.0, "plus_pct": 25.0}
    titles = list(at.dataframe[0].value["input"])
    assert output_price in titles and "Requests per month (requests/month)" in titles
    again = next(s for s in at.selectbox if s.label == "Add a range to")
    assert again.value is None and output_price not in again.options
