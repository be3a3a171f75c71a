"""The Costs page: headline figures, then the charts, then every number with its source."""

from __future__ import annotations

import streamlit as st

from calculator.analysis import Analysis
from calculator.costs import CostReport
from calculator.recommend import Recommendation, sure
from calculator.recommend.wording import money
from core.approaches import title
from dashboard import compute, figures, plots, state
from dashboard.tables import approach_table, break_even_table, sources_table
from reporting.grid import BREAK_EVEN_HELP

MONEY = st.column_config.NumberColumn(format="dollar")


def _headline(report: CostReport, decision: Recommendation) -> None:
    cheapest = report.ranked()[0]
    chosen = decision.approach(decision.choice) if decision.choice else None
    target = decision.scale.target(decision.target)
    cols = st.columns(3)
    cols[0].metric(f"Cheapest over {report.horizon_months} months: {title(cheapest.name)}",
                   money(cheapest.tco_usd))
    if chosen:
        cols[1].metric(f"Cheapest meeting the {target}: {chosen.title}", money(chosen.tco_usd),
                       delta=f"{money(chosen.tco_usd - cheapest.tco_usd)} more" if chosen.name != cheapest.name
                       else None, delta_color="off")
    else:
        cols[1].metric(f"Cheapest meeting the {target}", "none known")
    cols[2].metric("First month volume", f"{report.volumes[0]:,.0f}",
                   help="Requests in month 1; set it in the sidebar or on the Scenario page.")


def _tornado(found: Analysis) -> None:
    report, decision = found.costs, found.recommendation
    names = list(report.approaches)
    first, second = found.tornado_pair
    cols = st.columns(2)
    a = cols[0].selectbox("Sensitivity of", names, index=names.index(first), format_func=title)
    b = cols[1].selectbox("against", names, index=names.index(second), format_func=title)
    if decision.choice and decision.rival:
        st.caption(f"Shown first: the recommended {title(decision.choice)} against its closest rival, "
                   f"{title(decision.rival)} (the pair the Decision page weighs).")
    else:
        st.caption("Shown first: the two cheapest approaches (no recommendation yet).")
    if a == b:
        st.info("Pick two different approaches to compare.")
        return
    plots.show(figures.tornado(state.scenario(), a, b))


def render() -> None:
    scenario = state.scenario()
    found = compute.analysis(scenario)
    report, decision = found.costs, found.recommendation
    st.title("Costs")
    _headline(report, decision)
    for note in report.inputs.notes:
        st.info(note)
    plots.show(figures.drawn(scenario, "cumulative"))
    left, right = st.columns(2)
    plots.show(figures.drawn(scenario, "monthly_split"), left)
    plots.show(figures.drawn(scenario, "unit_costs"), right)
    plots.show(figures.drawn(scenario, "tco_vs_volume"))
    with st.expander("Break-even volumes and months"):
        st.dataframe(break_even_table(report), hide_index=True, width="stretch",
                     column_config={name: st.column_config.TextColumn(help=meaning)
                                    for name, meaning in BREAK_EVEN_HELP.items()})
        st.caption(" ".join(BREAK_EVEN_HELP.values()))
    st.subheader("Uncertainty")
    left, right = st.columns(2)
    plots.show(figures.drawn(scenario, "monte_carlo"), left)
    plots.show(figures.drawn(scenario, "cheapest_share"), right)
    right.caption(sure.definition(decision.draws))
    plots.show(figures.drawn(scenario, "cumulative_bands"))
    _tornado(found)
    st.subheader("Every number")
    table = approach_table(report)
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={**{col: MONEY for col in table.columns if "USD" in col},
                                "labels needed": st.column_config.NumberColumn(format="localized")})
    st.caption("Where each number comes from: every input with its source (user input, price table "
               "and date, benchmark run) and every cost part with its formula, to six significant figures. "
               "The number column is each one's name in scenario files, links and the JSON report.")
    st.dataframe(sources_table(report), hide_index=True, width="stretch", height=320)
