"""Applying a benchmark run to the scenario row by row, and going back to the typed scores.

Each row of a run is a checkbox: checked when it was measured on the model the scenario prices
for its approach, unchecked (the user may still choose it) when it was measured on another one,
disabled when its training was cut. The banner on the Benchmark and Decision pages says what the
applied run supplies and offers the way back.
"""

from __future__ import annotations

import streamlit as st

from calculator.measured import (
    RowChoice,
    applied_summary,
    apply_benchmark,
    measured_elsewhere,
    other_object,
    row_choices,
    unapply,
)
from core.approaches import title
from core.result import BenchmarkResult
from dashboard import runs, state
from dashboard.text import escape_md


def _checkbox_key(run_id: str, choice: RowChoice) -> str:
    """Named by the model the scenario prices too: a new API or base model draws fresh defaults."""
    return f"apply-row:{run_id}:{choice.key}:{choice.priced}"


def _apply(run_id: str) -> None:
    result = runs.finished_runs()[0][run_id]
    scenario = state.scenario()
    rows = {c.key for c in row_choices(scenario, result) if st.session_state.get(_checkbox_key(run_id, c))}
    state.set_scenario(apply_benchmark(scenario, result, rows))


def _unapply() -> None:
    state.set_scenario(unapply(state.scenario()))


def apply_form(result: BenchmarkResult) -> None:
    """The run's rows to apply (a checkbox each) and the button that applies the chosen ones; for a
    run of another task kind or metric than the scenario's, one line on why it cannot be applied instead."""
    if why := other_object(state.scenario(), result):
        st.markdown(f"**{escape_md(result.run_id)}**")
        st.caption(escape_md(why[0].upper() + why[1:] + "."))
        return
    choices = row_choices(state.scenario(), result)
    with st.form(f"apply-form:{result.run_id}"):
        st.markdown(f"**{escape_md(result.run_id)}**: rows to use in the scenario")
        for c in choices:
            why = c.problem or (None if c.matches else f"{c.mismatch}: unchecked unless you choose it")
            st.checkbox(escape_md(c.label), value=c.matches and not c.problem, key=_checkbox_key(result.run_id, c),
                        disabled=bool(c.problem), help=why)
        mismatched = [c.mismatch for c in choices if not c.matches and not c.problem]
        if mismatched:
            st.caption(escape_md("; ".join(mismatched) + ". Check a row to apply it anyway."))
        st.form_submit_button(f"Use {result.run_id} in the scenario", key=f"apply:{result.run_id}",
                              on_click=_apply, args=(result.run_id,))


def banner(place: str) -> None:
    """What the applied run supplies and what it left out, with a button back to the typed figures."""
    scenario = state.scenario()
    if scenario.measured is None:
        return
    st.info(escape_md(applied_summary(scenario)))
    if elsewhere := measured_elsewhere(scenario):  # said here, not only under what to measure next
        rows = "; ".join(f"{title(name)} on {model}, the costs price {scenario.priced_model(name)}"
                         for name, model in elsewhere.items())
        st.warning(escape_md(f"Measured on another model than the one priced: {rows}. The decision assumes "
                             "the priced model scores the same."))
    # under the banner, not beside it: a side column cut the button's label at 1366 px
    st.button("Back to the typed scores", key=f"unapply:{place}", on_click=_unapply,
              help="Un-apply the run: every score (and the labels, MFU, throughput and answer lengths it supplied) "
                   "goes back to the scenario's typed value.")
