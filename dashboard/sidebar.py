"""On every page: the preset, the two numbers people change most, and the answer in one line."""

from __future__ import annotations

import streamlit as st

from calculator.recommend.wording import money
from calculator.scenario_io import ScenarioError, preset_names
from dashboard import compute, fields, state
from dashboard.text import dollars, escape_md, in_words
from dashboard.urlstate import BLANK, base_scenario

PRESET_KEY = "preset_choice"


def _on_preset() -> None:
    name = st.session_state[PRESET_KEY]
    try:
        state.set_scenario(base_scenario(name), preset_name=name)
    except ScenarioError as exc:
        st.session_state[state.ERRORS]["preset"] = in_words(exc)


def render() -> None:
    with st.sidebar:
        options = [*preset_names(), BLANK]
        if st.session_state.get(PRESET_KEY) != state.preset():  # a link or an upload set it
            st.session_state[PRESET_KEY] = state.preset()
        st.selectbox("Preset", options, key=PRESET_KEY, on_change=_on_preset,
                     help="Start from a company's example numbers; every input stays editable.")
        fields.show_error("preset")
        st.caption(escape_md(state.scenario().name))
        fields.number_field("workload.requests_per_month", place="side",
                            label="Requests per month")
        fields.number_field("workload.horizon_months", place="side", label="Horizon (months)")
        decision = compute.recommendation(state.scenario())
        if decision.choice:
            chosen = decision.approach(decision.choice)
            st.metric("Answer", chosen.title, help=dollars(decision.headline))
            st.caption(dollars(f"{money(chosen.tco_usd)} over "
                               f"{state.scenario().workload.horizon_months} months"))
        else:
            st.metric("Answer", "No choice yet", help=dollars(decision.headline))
