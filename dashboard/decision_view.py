"""The Decision page: the answer first, then why (the three strongest reasons, the rest one click
away), what would change it, what to measure, the trade-offs at a glance and the ranking."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from calculator.recommend import EvidenceGap, RankedApproach, Recommendation, sure
from calculator.recommend.wording import money, pct
from calculator.tradeoffs import NOTE, tradeoffs
from core.approaches import title
from dashboard import applied, compute, hosting_view, label_source_view, report_view, state
from dashboard.text import dollars, escape_md, opening
from reporting import tables

CODE = re.compile(r"(`[^`\n]+`)")  # an inline code span of the decision's sentences
VERDICTS = {
    "recommend": "Recommended", "provisional": "Provisional", "constrained": "Blocked by constraints",
    "undecided": "Not enough evidence", "none_meets": "No approach meets the target",
}


def render() -> None:
    scenario = state.scenario()
    found = compute.analysis(scenario)
    decision = found.recommendation
    st.title("Decision")
    applied.banner("decision")  # the run whose measured scores are used, and the way back
    chosen = decision.approach(decision.choice) if decision.choice else None
    _answer(decision, chosen, scenario.workload.horizon_months)
    if chosen and chosen.error_usd:
        st.caption(dollars(f"Cost over {scenario.workload.horizon_months} months: "
                           f"{money(chosen.running_usd)} to build and run + {money(chosen.error_usd)} "
                           f"expected cost of errors ({pct(1 - found.costs.approaches[chosen.name].pass_rate)} wrong at "
                           f"{money(scenario.quality.cost_per_error_usd)} each)."))
    (st.success if decision.verdict == "recommend" else st.warning)(dollars(decision.headline))
    st.subheader("Why")
    _reasons(decision)
    if decision.what_would_change:
        st.subheader("What would change the answer")
        st.markdown("\n".join(f"- {dollars(change)}" for change in decision.what_would_change))
    if decision.evidence_gaps:
        st.subheader("What to measure next")
        _evidence(decision)
    st.subheader("All approaches, ranked")
    table = tables.ranking(decision)
    _static_table(pd.DataFrame(table.rows, columns=table.columns), table.note)
    st.subheader("The trade-offs at a glance")
    _static_table(tradeoffs(found), NOTE)
    hosting_view.render(found)
    label_source_view.render(found)
    report_view.render(scenario)


def _answer(decision: Recommendation, chosen: RankedApproach | None, horizon: int) -> None:
    """The answer in four figures, each as wide as its text: a row that wraps onto the next line on a narrow
    window rather than cutting a name to "Zero-shot pro…"."""
    scale = decision.scale
    with st.container(horizontal=True, gap="large"):
        st.metric("Choose", chosen.title if chosen else "–", help=VERDICTS[decision.verdict], width="content")
        st.metric(f"Cost over {horizon} months", money(chosen.tco_usd) if chosen else "–", width="content")
        st.metric(opening(scale.name), scale.value(chosen.score) if chosen and chosen.score is not None else "–",
                  delta=None if not chosen or chosen.score is None
                  else f"{'+' if chosen.score >= decision.target else '-'}{scale.gap(chosen.score - decision.target)} "
                       "vs target",
                  help=f"{opening(scale.name)} {chosen.score_source}." if chosen and chosen.score_source else None,
                  width="content")
        st.metric(sure.TITLE, pct(decision.cheapest_share) if decision.cheapest_share is not None else "–",
                  help=sure.definition(decision.draws), width="content")


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {dollars(line)}" for line in lines)


def _reasons(decision: Recommendation) -> None:
    """The strongest reasons first; the rest one click away (the report's "More reasons")."""
    st.markdown(_bullets(decision.top_reasons))
    if decision.more_reasons:
        with st.expander(f"More reasons ({len(decision.more_reasons)})"):
            st.markdown(_bullets(decision.more_reasons))


def _gap_line(gap: EvidenceGap) -> str:
    """The approach's title in bold (unless the problem already opens with it), then the problem."""
    name = title(gap.approach) if gap.approach else "All approaches"
    problem = gap.problem.removeprefix(f"{name}: ")
    return f"**{escape_md(name)}**: {with_code(problem)}"


def with_code(text: str) -> str:
    """Text made inert in Markdown but its `code` spans (a command to type, names and all) drawn as code."""
    return "".join(part if CODE.fullmatch(part) else escape_md(part) for part in CODE.split(text))


def _evidence(decision: Recommendation) -> None:
    """One bullet per gap: the approach, what is missing, what to measure (long text wraps)."""
    st.markdown("\n".join(f"- {_gap_line(gap)}.  \n  *Measure next:* {with_code(gap.measure_next)}."
                           for gap in decision.evidence_gaps))


def _static_table(frame: pd.DataFrame, note: str) -> None:
    """A table as static text that wraps (st.table reads Markdown: every cell escaped), its note under it."""
    st.table(frame.map(escape_md).rename(columns=escape_md), hide_index=True)
    st.caption(escape_md(note))
