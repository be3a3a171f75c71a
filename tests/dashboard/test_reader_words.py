"""Inputs and their messages in the reader's words: titles, units, percent for fractions."""

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
    assert rejected({"quality.accuracy_target": 1.5}) == (
        "Accuracy target must be between 0% and 100%; you entered 150%.")
    assert rejected({"hosting.serving_mfu": 0}) == (
        "Serving MFU must be more than 0% and at most 100%; you entered 0%.")
    assert allowed("workload.monthly_growth_pct") == "between -50 and 100 %/month"
    assert allowed("name") is None


def test_fractions_are_shown_as_percent_with_the_allowed_range_in_words():
    at = open_app("scenario")
    target = widget(at, "slider", "main:quality.accuracy_target")
    assert target.label == "Accuracy target (%)" and target.proto.format == "percent"
    assert target.value == 0.9  # the scenario keeps the fraction; only the display is percent
    assert "Allowed: between 0% and 100%." in target.help and "`quality.accuracy_target`" in target.help
    volume = widget(at, "number_input", "main:workload.requests_per_month")
    assert "Allowed: between 0 and 10,000,000,000 requests/month." in volume.help
