"""The Costs page's charts, drawn once per scenario (drawing them took ~0.5 s of every rerun).

Shared figures (st.cache_resource, no copy): st.plotly_chart only reads a figure (it serializes a
validated copy), so one drawing serves every rerun and session with the same scenario.
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from calculator.analysis import BAND_DRAWS, Analysis
from calculator.scenario import Scenario
from dashboard import compute
from reporting import charts

DRAWINGS: dict[str, Callable[[Analysis], go.Figure]] = {
    "cumulative": lambda a: charts.cumulative_cost(a.costs, a.recommendation.break_even_pairs),
    "monthly_split": lambda a: charts.monthly_split(a.costs),
    "unit_costs": lambda a: charts.unit_costs(a.costs),
    "tco_vs_volume": lambda a: charts.tco_vs_volume(a.costs, pairs=a.recommendation.break_even_pairs),
    "monte_carlo": lambda a: charts.monte_carlo_bands(a.mc),
    "cheapest_share": lambda a: charts.cheapest_share(a.recommendation),
    "cumulative_bands": lambda a: charts.cumulative_bands_chart(a.bands, BAND_DRAWS),
}


@st.cache_resource(max_entries=compute.CACHE_ENTRIES * len(DRAWINGS), show_spinner=False)
def _drawn(key: str, name: str) -> go.Figure:
    return DRAWINGS[name](compute.analysis_of(key))


def drawn(scenario: Scenario, name: str) -> go.Figure:
    """One of DRAWINGS for this scenario (drawn on its first request)."""
    return _drawn(compute.scenario_key(scenario), name)


@st.cache_resource(max_entries=compute.CACHE_ENTRIES, show_spinner=False)
def _tornado(key: str, a: str, b: str, _scenario: Scenario) -> go.Figure:  # _: not hashed (key is)
    return charts.tornado_chart(compute.analysis_of(key).costs, compute.sensitivity(_scenario, a, b), a, b)


def tornado(scenario: Scenario, a: str, b: str) -> go.Figure:
    """The sensitivity of a against b for this scenario (any pair the reader picks)."""
    return _tornado(compute.scenario_key(scenario), a, b, scenario)
