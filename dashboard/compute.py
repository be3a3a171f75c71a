"""The calculator's answers for a scenario: one analysis, cached by the scenario's JSON (a slider
move that returns to an earlier value costs nothing; a new value costs one analysis)."""

from __future__ import annotations

import json

import streamlit as st

from calculator.analysis import Analysis, analyze
from calculator.costs import CostReport
from calculator.recommend import Recommendation
from calculator.scenario import Scenario
from calculator.scenario_io import scenario_from_mapping
from calculator.uncertainty import TornadoBar, tornado

CACHE_ENTRIES = 256


def scenario_key(scenario: Scenario) -> str:
    """The cache key of a scenario: its JSON (only the fields that were set)."""
    return scenario.model_dump_json(exclude_unset=True)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _analysis(key: str) -> Analysis:
    return analyze(scenario_from_mapping(json.loads(key)))


def analysis_of(key: str) -> Analysis:
    """The analysis of a scenario by its `scenario_key` (for caches keyed on it)."""
    return _analysis(key)


def analysis(scenario: Scenario) -> Analysis:
    """Raises PriceNotFound when a price is missing (the pages show it inline)."""
    return _analysis(scenario_key(scenario))


def cost_report(scenario: Scenario) -> CostReport:
    return analysis(scenario).costs


def recommendation(scenario: Scenario) -> Recommendation:
    return analysis(scenario).recommendation


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _tornado(key: str, a: str, b: str) -> list[TornadoBar]:
    report = _analysis(key).costs
    return tornado(report.inputs, a, b, report.scenario.uncertainty)


def sensitivity(scenario: Scenario, a: str, b: str) -> list[TornadoBar]:
    """The analysis's own bars for its pair; any other pair the user picks is computed once."""
    found = analysis(scenario)
    if (a, b) == found.tornado_pair:
        return found.tornado_bars
    return _tornado(scenario_key(scenario), a, b)
