"""The Costs page's charts, drawn once per scenario (drawing them took ~0.5 s of every rerun).

Shared figures (st.cache_resource, no copy): st.plotly_chart only reads a figure (it serializes a
validated copy), so one drawing serves every rerun and session with the same scenario.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from calculator.scenario import Scenario
from dashboard import compute
from reporting import charts
from reporting.document import DRAWINGS


@st.cache_resource(max_entries=compute.CACHE_ENTRIES * len(DRAWINGS), show_spinner=False)
def _drawn(key: str, name: str) -> go.Figure:
    return DRAWINGS[name](compute.analysis_of(key))


def drawn(scenario: Scenario, name: str) -> go.Figure:
    """One of the report's DRAWINGS (reporting/document.py) for this scenario, drawn on its first request."""
    return _drawn(compute.scenario_key(scenario), name)


@st.cache_resource(max_entries=compute.CACHE_ENTRIES, show_spinner=False)
def _tornado(key: str, a: str, b: str, _scenario: Scenario) -> go.Figure:  # _: not hashed (key is)
    return charts.tornado_chart(compute.analysis_of(key).costs, compute.sensitivity(_scenario, a, b), a, b)


def tornado(scenario: Scenario, a: str, b: str) -> go.Figure:
    """The sensitivity of a against b for this scenario (any pair the reader picks)."""
    return _tornado(compute.scenario_key(scenario), a, b, scenario)
