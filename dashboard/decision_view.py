"""The Decision page: the answer first, then why, what would change it, and what to measure."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from calculator.recommend import money, pct
from dashboard import compute, state
from dashboard.text import dollars

VERDICTS = {
    "recommend": "Recommended", "provisional": "Provisional", "constrained": "Blocked by constraints",
    "undecided": "Not enough evidence", "none_meets": "No approach meets the target",
}


def render() -> None:
    scenario = state.scenario()
    decision = compute.recommendation(scenario)
    st.title("Decision")
    chosen = decision.approach(decision.choice) if decision.choice else None
    cols = st.columns([3, 2, 2, 2])
    cols[0].metric("Choose", chosen.title if chosen else "–", help=VERDICTS[decision.verdict])
    cols[1].metric(f"Cost over {scenario.workload.horizon_months} months",
                   money(chosen.tco_usd) if chosen else "–")
    cols[2].metric("Accuracy", pct(chosen.accuracy) if chosen and chosen.accuracy is not None else "–",
                   delta=None if not chosen or chosen.accuracy is None
                   else f"{(chosen.accuracy - decision.accuracy_target) * 100:+.1f} pts vs target")
    cols[3].metric("Stays cheapest", pct(decision.p_stays_cheapest)
                   if decision.p_stays_cheapest is not None else "–",
                   help="Share of Monte Carlo draws in which the choice stays the cheapest acceptable approach.")
    (st.success if decision.verdict == "recommend" else st.warning)(dollars(decision.headline))
    st.subheader("Why")
    st.markdown("\n".join(f"- {dollars(reason)}" for reason in decision.reasons))
    if decision.what_would_change:
        st.subheader("What would change the answer")
        st.markdown("\n".join(f"- {dollars(change)}" for change in decision.what_would_change))
    if decision.evidence_gaps:
        st.subheader("What to measure next")
        st.dataframe(pd.DataFrame([{"approach": g.approach or "all", "gap": g.problem,
                                    "measure next": g.measure_next} for g in decision.evidence_gaps]),
                     hide_index=True, width="stretch")
    st.subheader("All approaches, ranked")
    st.dataframe(pd.DataFrame([{
        "approach": r.title, "accuracy": r.accuracy, "status": r.status,
        "TCO (USD)": r.tco_usd, "P10 (USD)": r.tco_p10_usd, "P90 (USD)": r.tco_p90_usd,
        "P(cheapest)": r.p_cheapest, "labels to buy": r.labels_to_buy,
        "launch (weeks)": r.launch_weeks, "constraints": "; ".join(r.constraint_issues),
        "accuracy source": r.accuracy_source or "",
    } for r in decision.ranked]), hide_index=True, width="stretch", column_config={
        "TCO (USD)": st.column_config.NumberColumn(format="dollar"),
        "P10 (USD)": st.column_config.NumberColumn(format="dollar"),
        "P90 (USD)": st.column_config.NumberColumn(format="dollar"),
        "accuracy": st.column_config.NumberColumn(format="percent"),
        "P(cheapest)": st.column_config.NumberColumn(format="percent"),
    })
