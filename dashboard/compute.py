"""The calculator's answers for a scenario, cached by the scenario's JSON (a slider move that
returns to an earlier value costs nothing; a new value costs one evaluation)."""

from __future__ import annotations

import json

import streamlit as st

from calculator.costs import CostReport, evaluate
from calculator.recommend import Recommendation, recommend
from calculator.scenario import Scenario
from calculator.scenario_io import scenario_from_mapping
from calculator.summary import run_monte_carlo
from calculator.uncertainty import Band, MonteCarlo, TornadoBar, tornado
from reporting.document import bands_of

CACHE_ENTRIES = 256


def scenario_key(scenario: Scenario) -> str:
    """The cache key of a scenario: its JSON (only the fields that were set)."""
    return scenario.model_dump_json(exclude_unset=True)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _report(key: str) -> CostReport:
    return evaluate(scenario_from_mapping(json.loads(key)))


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _monte_carlo(key: str) -> MonteCarlo:
    return run_monte_carlo(_report(key))


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _tornado(key: str, a: str, b: str) -> list[TornadoBar]:
    report = _report(key)
    return tornado(report.inputs, a, b, report.scenario.uncertainty)


def cost_report(scenario: Scenario) -> CostReport:
    """Raises PriceNotFound when a price is missing (the pages show it inline)."""
    return _report(scenario_key(scenario))


def monte_carlo(scenario: Scenario) -> MonteCarlo:
    return _monte_carlo(scenario_key(scenario))


def sensitivity(scenario: Scenario, a: str, b: str) -> list[TornadoBar]:
    return _tornado(scenario_key(scenario), a, b)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _recommendation(key: str) -> Recommendation:
    return recommend(_report(key), _monte_carlo(key))


def recommendation(scenario: Scenario) -> Recommendation:
    return _recommendation(scenario_key(scenario))


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _bands(key: str) -> dict[str, Band]:
    return bands_of(_report(key))


def cumulative_bands(scenario: Scenario) -> dict[str, Band]:
    """Cumulative cost P10/median/P90 by month per approach (reporting.document.BAND_DRAWS draws)."""
    return _bands(scenario_key(scenario))
